"""What every component shares: the configuration, the store's helpers (swarmkit's
manager/orchestrator/task.go: NewTask, InvalidNode; slot.go: UpdatableTasksInSlot),
the restart policy every orchestrator consults (A.9 shouldRestart), and the events one
component leaves for another (A.7, A.8: a node or task change queues work).

Reads: every field. Writes: tasks and created (new_task, replace), restart_requests,
node_due.
"""

from __future__ import annotations

from itertools import permutations

from model.kernel import put
from model.orchestration import constraint as placement
from model.orchestration.config import DEFAULT, Config
from model.orchestration.state import ENFORCER_DUE, GLOBAL_DUE, State
from model.orchestration.tasks import (
    AGENT,
    COMPLETE,
    DOWN,
    DRAIN,
    GONE,
    ID,
    NO_TASK,
    NODE,
    NONE,
    OBSERVED,
    ON_FAILURE,
    PAUSE,
    PENDING,
    PREPARE,
    READY,
    RUNNING,
    SLOT,
    SPREAD_LABEL,
    SPREAD_VALUE,
    SVC,
    WEB,
    Task,
    runnable,
    tracked,
)


class Cluster:
    """The manager's view of one cluster, shared by its components."""

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.nodes
        self.bugs = config.bugs
        self.constraint = placement.parse(config.constraint) if config.constraint else None
        # A hostname names a node: renamings must leave it in place.
        pinned = [
            i
            for i in range(self.n)
            if self.constraint
            and self.constraint.subject == "hostname"
            and self.hostname(i).lower() == self.constraint.value.lower()
        ]
        if config.first_node_cpus:
            pinned.append(0)
        self._orders = [p for p in permutations(range(self.n)) if all(p[i] == i for i in pinned)]
        self._free = [i for i in range(self.n) if i not in pinned]

    @staticmethod
    def hostname(node: int) -> str:
        return f"n{node + 1}"

    def label(self) -> tuple[str, str]:
        """The one label nodes may carry: the constraint's, or the spread preference's."""
        c = self.constraint
        return (c.label, c.value) if c is not None and c.label is not None else (SPREAD_LABEL, SPREAD_VALUE)

    def invalid_node(self, s: State, node: int) -> bool:
        """A.2 orchestrator.InvalidNode: deleted, DOWN or DRAIN (PAUSE is valid)."""
        if "pause_is_invalid" in self.bugs and s.availability[node] == PAUSE:
            return True
        return s.status[node] != READY or s.availability[node] == DRAIN

    def cpus(self, node: int) -> int:
        return self.config.first_node_cpus if node == 0 and self.config.first_node_cpus else self.config.cpus

    def reservation(self, t: Task) -> int:
        return self.config.reservation if t[SVC] == WEB else self.config.agent_reservation

    def used(self, s: State, node: int) -> int:
        """The CPUs reserved on the node: by every task the scheduler tracks there (nodeinfo.go
        addTask), a task told to stop included until it reports that it has."""
        return sum(self.reservation(t) for t in s.tasks if t[NODE] == node and tracked(t))

    def has_health_check(self, t: Task) -> bool:
        return t[SVC] == WEB and self.config.health_check

    def new_task(self, s: State, service: int, slot: int, node: int, awaits: Task | None = None) -> State:
        """NewTask (A.1): desired RUNNING, or READY while it waits for `awaits` to stop (DelayStart);
        the service's current spec; the allocator's NEW -> PENDING is folded in."""
        desired, awaited = (RUNNING, NO_TASK) if awaits is None else (PREPARE, awaits[ID])
        task = (s.created, service, slot, node, desired, PENDING, s.version if service == WEB else 1, awaited)
        return s.evolve(tasks=(*s.tasks, task), created=s.created + 1)

    def replace(self, s: State, task: Task) -> State:
        return s.evolve(tasks=tuple(task if t[ID] == task[ID] else t for t in s.tasks))

    def request_restart(self, s: State, task_id: int) -> State:
        return s.evolve(restart_requests=tuple(sorted((*s.restart_requests, task_id))))

    def slots(self, s: State) -> dict[int, list[Task]]:
        found: dict[int, list[Task]] = {}
        for t in s.tasks:
            if t[SVC] == WEB:
                found.setdefault(t[SLOT], []).append(t)
        return found

    def group(self, s: State, t: Task) -> list[Task]:
        """The tasks sharing t's slot (web) or node (agent): one replica's history."""
        where = SLOT if t[SVC] == WEB else NODE
        return [u for u in s.tasks if u[SVC] == t[SVC] and u[where] == t[where]]

    def updatable_slots(self, s: State) -> list[int]:
        """A.7: slots the orchestrator counts as filled (see `updatable`)."""
        return sorted(slot for slot, tasks in self.slots(s).items() if self.updatable(s, tasks))

    def updatable(self, s: State, tasks: list[Task]) -> bool:
        """UpdatableTasksInSlot (A.7): a runnable task, or a newest task that stopped for good."""
        return any(runnable(t) for t in tasks) or not self.should_restart(s, max(tasks))

    def given_up(self, s: State, tasks: list[Task]) -> bool:
        """A slot (or a node's agent tasks) the policy will not restart: no runnable task left."""
        return bool(tasks) and not any(runnable(t) for t in tasks) and not self.should_restart(s, max(tasks))

    def history_index(self, t: Task) -> int:
        """Where the supervisor keeps a task's restart count: by slot (web) or node (agent)."""
        return t[SLOT] - 1 if t[SVC] == WEB else self.config.max_replicas + t[NODE]

    def should_restart(self, s: State, t: Task) -> bool:
        """A.9 shouldRestart: none never; on-failure not after COMPLETE; any always; then,
        with MaxAttempts set, only while the slot's (node's) restarts are below it."""
        if self.config.restart == NONE:
            return False
        if self.config.restart == ON_FAILURE and t[OBSERVED] == COMPLETE:
            return False
        if not self.config.max_attempts:
            return True
        made = s.restarts[self.history_index(t)]
        if "max_attempts_off_by_one" in self.bugs:
            return made <= self.config.max_attempts
        return made < self.config.max_attempts

    def global_event(self, s: State, node: int) -> State:
        """A.8 node events: the global orchestrator will reconcile this node."""
        if not self.config.global_service:
            return s
        return s.evolve(node_due=put(s.node_due, node, s.node_due[node] | GLOBAL_DUE))

    @property
    def enforcer_watches(self) -> bool:
        """The constraint enforcer can reject something: web has a constraint, or agent tasks
        reserve CPU (preassigned, the scheduler does not count them yet)."""
        return self.constraint is not None or bool(self.config.agent_reservation)

    def node_updated(self, s: State, node: int, to_global: bool = True) -> State:
        """A node object changed: the global orchestrator (unless told otherwise) and the constraint
        enforcer (where it can reject anything) are told."""
        if to_global:
            s = self.global_event(s, node)
        if not self.enforcer_watches or s.status[node] == GONE:
            return s
        return s.evolve(node_due=put(s.node_due, node, s.node_due[node] | ENFORCER_DUE))

    def node_event(self, s: State, node: int, to_global: bool = True) -> State:
        """A node changed: its runnable web tasks are restarted if it became invalid (A.7),
        and the global orchestrator gets the node event (A.8)."""
        s = self.node_updated(s, node, to_global)
        if not self.invalid_node(s, node):
            return s
        if "lost_task_not_replaced" in self.bugs and s.status[node] == DOWN:
            return s
        for t in s.tasks:
            if t[SVC] == WEB and t[NODE] == node and runnable(t):
                s = self.request_restart(s, t[ID])
        return s

    def task_event(self, s: State, t: Task) -> State:
        """A.7, A.8 task events: a runnable task that stopped goes to the restart supervisor."""
        if t[SVC] == AGENT and "global_duplicate_task" in self.bugs:
            s = self.global_event(s, t[NODE])  # and, in the bug, to a reconcile of its node
        return self.request_restart(s, t[ID])
