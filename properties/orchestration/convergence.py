"""What the cluster settles to (reference A.12 S4, S5; A.8; D): judged at *quiescent* states,
where no control-loop step is enabled (`converged`), and as a liveness goal (`service_heals`). The z3 placement oracle gives a second
opinion there: a task left pending must be one no node could take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.orchestration import Orchestration, State
from model.orchestration.model import USER_KINDS
from model.orchestration.tasks import (
    ACTIVE,
    AGENT,
    DOWN,
    DRAIN,
    ID,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PAUSE,
    READY,
    RUNNING,
    SLOT,
    SVC,
    WEB,
    Task,
    runnable,
    task_names,
)
from properties.base import Property, fair, leads_to
from properties.orchestration import reference


def converged(model: Orchestration) -> Any:
    settled = unsettled(model)

    def check(s: State) -> str | None:
        """At a quiescent state the cluster has settled: nothing runnable on a drained or down
        node, replicas met where there is room, every eligible node with its global task, DNS
        and backends equal to the running tasks (`unsettled` finds nothing)."""
        return settled(s) if model.quiescent(s) else None

    return check


def unsettled(model: Orchestration) -> Any:
    def check(s: State) -> str | None:
        """What keeps the cluster from its spec: S4 a runnable task on a drained or down node; S5
        the replica count unmet though capacity allows and the policy restarts; A.8 an eligible
        node without its global task; D/LB1 a ready node's DNS or backends unequal to the running
        tasks. None when the cluster has settled."""
        for t in s.tasks:
            if runnable(t) and t[NODE] != NO_NODE and (s.status[t[NODE]] != READY or s.availability[t[NODE]] == DRAIN):
                return f"t{t[ID]} is still runnable on n{t[NODE] + 1}, which is drained or down"
        running = running_web(s)
        # Only where the bounds still let the orchestrator create a task: the search's edge is not a bug.
        room = s.created < model.config.max_tasks
        if not s.version:
            return _removed_service_left_over(s)
        # Slots the restart policy gave up on stay stopped, by design (A.7, A.9; moby#32979).
        wanted = s.replicas - len(given_up_slots(model, s))
        if room and running < wanted and capacity(model, s) >= wanted:
            return f"{running} of {s.replicas} web replicas run, though the cluster has room for them"
        if model.config.global_service and room:
            for node in range(model.n):
                eligible = s.status[node] == READY and s.availability[node] not in (DRAIN, PAUSE)
                mine = [t for t in s.tasks if t[SVC] == AGENT and t[NODE] == node]
                if eligible and not any(runnable(t) for t in mine) and not reference.given_up(model.config, s, mine):
                    return f"n{node + 1} is eligible but runs no agent task"
        live = reference.discoverable(s)
        for node in range(model.n):
            if s.status[node] == READY and (set(s.dns[node]) != live or set(s.backends[node]) != live):
                return f"n{node + 1} resolves tasks.web to {task_names(s.dns[node])} and balances over {task_names(s.backends[node])}, but {task_names(tuple(sorted(live)))} run"
        return None

    return check


def _removed_service_left_over(s: State) -> str | None:
    """A removed service's tasks are deleted once stopped (a down node's agent cannot stop them)."""
    for t in s.tasks:
        if t[SVC] == WEB and (t[NODE] == NO_NODE or s.status[t[NODE]] != DOWN):
            return f"t{t[ID]} of the removed web service is still in the store"
    return None


def given_up_slots(model: Orchestration, s: State) -> list[int]:
    """Web slots whose newest task stopped and that the restart policy will not restart."""
    slots: dict[int, list[Task]] = {}
    for t in s.tasks:
        if t[SVC] == WEB:
            slots.setdefault(t[SLOT], []).append(t)
    return [slot for slot, tasks in slots.items() if slot <= s.replicas and reference.given_up(model.config, s, tasks)]


def capacity(model: Orchestration, s: State) -> int:
    """How many web tasks the cluster could hold: ready, active, matching nodes, by the CPU its
    agent tasks leave, and MaxReplicas."""
    probe = (0, WEB, 0, NO_NODE, RUNNING, 0, 1, NO_TASK)
    total = 0
    for node in range(model.n):
        if (
            s.status[node] != READY
            or s.availability[node] != ACTIVE
            or not reference.matches(model.config, s, probe, node)
        ):
            continue
        agents = sum(
            reference.reservation(model.config, t)
            for t in s.tasks
            if t[SVC] == AGENT and t[NODE] == node and runnable(t)
        )
        fit = (
            (reference.cpus(model.config, node) - agents) // model.config.reservation
            if model.config.reservation
            else model.config.max_tasks
        )
        total += min(fit, model.config.max_per_node) if model.config.max_per_node else fit
    return total


def running_web(s: State) -> int:
    return sum(1 for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING)


def placement_oracle_agrees(model: Orchestration) -> Any:
    from properties.orchestration.placement_oracle import stranded_task  # z3 is loaded only when this runs

    def check(s: State) -> str | None:
        """Whenever the scheduler leaves a web task pending (quiescent state), z3 agrees
        that no node passing every filter can take it."""
        return stranded_task(model, s)

    return check


def greedy_never_strands(model: Orchestration) -> Any:
    from properties.orchestration.placement_oracle import greedy_strand  # z3 is loaded only when this runs

    def check(s: State) -> str | None:
        """A.5, a report: no settled state leaves a task waiting for room that z3 could place
        by placing the whole workload at once. swarmkit's design breaks it (`check --oracle`)."""
        return greedy_strand(model, s)

    return check


def _last_one_kept(check: Callable[[State], str | None]) -> Callable[[State], str | None]:
    """`check`, answering again from memory when asked about the same state object twice in a row."""
    last: list[Any] = [None, None]

    def again(s: State) -> str | None:
        if last[0] is not s:
            last[0], last[1] = s, check(s)
        answer: str | None = last[1]
        return answer

    return again


def service_heals(model: Orchestration) -> Property[State]:
    """After the last user action and fault, the control loop brings the cluster to its spec:
    an unsettled cluster is eventually settled (a `leads_to`, A.12 S4, S5; A.8; D DNS1). The
    quiescent check cannot see a control loop that goes round forever, or a state from which
    no control step can settle it; this can."""
    settled = _last_one_kept(unsettled(model))  # the trigger and the goal ask of the same state in turn
    user_and_faults = (*USER_KINDS, *model.fault_kinds)
    control = tuple(k for k in model.action_kinds() if k not in user_and_faults)
    return leads_to(
        "service_heals",
        lambda s: settled(s) is not None,
        lambda s: settled(s) is None,
        fair(weak=control, stops=user_and_faults),
        "swarm-semantics.md A.12 S4, S5; A.8; D DNS1 (self-healing)",
        "Once users and faults stop, every control-loop step that stays enabled is taken (each "
        "task's, node's and slot's on its own), and the cluster settles: replicas met where there "
        "is room, no runnable task on a drained or down node, every eligible node with its global "
        "task, DNS and the load balancer equal to the running tasks.",
    )
