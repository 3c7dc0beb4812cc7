"""The orchestration model's state (the store, each node's view and the control loops'
queues) and its steps, as a person reads them in a trace: `Schedule(t3, n2)`.
"""

from __future__ import annotations

import attrs

from model.orchestration.tasks import (
    IDLE,
    NO_NODE,
    Task,
)

GLOBAL_DUE, ENFORCER_DUE = 1, 2  # the bits of State.node_due


@attrs.frozen(order=True)
class State:
    status: tuple[int, ...]  # READY or DOWN, per node (A.2)
    availability: tuple[int, ...]  # ACTIVE, PAUSE or DRAIN, per node
    replicas: int  # the web service's spec
    tasks: tuple[Task, ...]  # the store, by id
    created: int  # task records created so far
    restart_requests: tuple[int, ...]  # task ids queued for the restart supervisor (A.7 events)
    dns: tuple[tuple[int, ...], ...]  # per node: the task ids `tasks.web` resolves to (D)
    backends: tuple[tuple[int, ...], ...]  # per node: the routing mesh's backends for web (D)
    labels: tuple[int, ...]  # per node: 1 if it has the constraint's label (e.g. zone=a), 0 if missing
    roles: tuple[int, ...]  # per node: WORKER, MANAGER, PROMOTING or DEMOTING
    replicated_due: int  # 1 while a service event waits for the replicated orchestrator (A.7)
    # Per node, the node events still to be handled: bit GLOBAL_DUE for the global orchestrator (A.8),
    # bit ENFORCER_DUE for the constraint enforcer (A.10).
    node_due: tuple[int, ...]
    # The restart supervisor's history (A.9): replacements made per web slot 1..max_replicas, then
    # per node for the agent; kept only when MaxAttempts is set, as swarmkit does.
    restarts: tuple[int, ...] = ()
    version: int = 1  # web's spec version; 0 once the service is removed
    update: int = IDLE  # the updater (A.11): IDLE, UPDATING or UPDATE_PAUSED
    update_slot: int = 0  # the slot being updated (parallelism 1), 0 for none
    update_task: int = -1  # the new task the updater waits on to reach RUNNING
    user_ops: int = 0
    faults: int = 0

    def evolve(
        self,
        *,
        status: tuple[int, ...] | None = None,
        availability: tuple[int, ...] | None = None,
        replicas: int | None = None,
        tasks: tuple[Task, ...] | None = None,
        created: int | None = None,
        restart_requests: tuple[int, ...] | None = None,
        dns: tuple[tuple[int, ...], ...] | None = None,
        backends: tuple[tuple[int, ...], ...] | None = None,
        labels: tuple[int, ...] | None = None,
        roles: tuple[int, ...] | None = None,
        replicated_due: int | None = None,
        node_due: tuple[int, ...] | None = None,
        restarts: tuple[int, ...] | None = None,
        version: int | None = None,
        update: int | None = None,
        update_slot: int | None = None,
        update_task: int | None = None,
        user_ops: int | None = None,
        faults: int | None = None,
    ) -> State:
        """This state with the fields given changed: attrs.evolve, written out because the
        explorer calls it millions of times (three times faster: it skips attrs' field walk)."""
        return State(
            self.status if status is None else status,
            self.availability if availability is None else availability,
            self.replicas if replicas is None else replicas,
            self.tasks if tasks is None else tasks,
            self.created if created is None else created,
            self.restart_requests if restart_requests is None else restart_requests,
            self.dns if dns is None else dns,
            self.backends if backends is None else backends,
            self.labels if labels is None else labels,
            self.roles if roles is None else roles,
            self.replicated_due if replicated_due is None else replicated_due,
            self.node_due if node_due is None else node_due,
            self.restarts if restarts is None else restarts,
            self.version if version is None else version,
            self.update if update is None else update,
            self.update_slot if update_slot is None else update_slot,
            self.update_task if update_task is None else update_task,
            self.user_ops if user_ops is None else user_ops,
            self.faults if faults is None else faults,
        )


@attrs.frozen(repr=False)
class Step:
    rule: str
    node: int = NO_NODE
    task: int = -1
    detail: str = ""

    def __str__(self) -> str:
        parts = []
        if self.task >= 0:
            parts.append(f"t{self.task}")
        if self.node != NO_NODE:
            parts.append(f"n{self.node + 1}")
        if self.detail:
            parts.append(self.detail)
        return f"{self.rule}({', '.join(parts)})"

    __repr__ = __str__
