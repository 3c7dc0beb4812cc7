"""`sometimes` properties: the states and steps the invariants speak of are reachable, and
swarmkit's expected non-bugs (a drain dips below the replica count, no rebalancing onto a
joined node, ...) do happen, so that a suite that holds is not vacuous.
"""

from __future__ import annotations

from typing import Any

from model.orchestration import Orchestration, State
from model.orchestration.tasks import (
    ACTIVE,
    DESIRED,
    DOWN,
    DRAIN,
    ID,
    IDLE,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PAUSE,
    PENDING,
    PREPARE,
    READY,
    REJECTED,
    RUNNING,
    SLOT,
    STARTING,
    SVC,
    VERSION,
    WEB,
    runnable,
)
from properties.orchestration import reference
from properties.orchestration.convergence import given_up_slots, running_web


def task_left_pending(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.5 noSuitableNode: the cluster has settled with a web task pending (the oracle's subject)."""
        return any(t[SVC] == WEB and t[OBSERVED] == PENDING and runnable(t) for t in s.tasks) and model.quiescent(s)

    return check


def all_replicas_running(s: State) -> bool:
    return s.replicas > 0 and running_web(s) == s.replicas


def drain_dips_below_replicas(s: State) -> bool:
    """docs#9917: a drain does not wait for replacements; running replicas dip (expected)."""
    drained = {node for node, availability in enumerate(s.availability) if availability == DRAIN}
    moved = any(t[SVC] == WEB and t[NODE] in drained and not runnable(t) for t in s.tasks)
    return moved and s.faults == 0 and running_web(s) < s.replicas


def task_restarted_elsewhere(before: State, action: Any, after: State) -> bool:
    """A.7: a failed or displaced replica is replaced by a new task in its slot."""
    return getattr(action, "rule", "") == "Restart" and len(after.tasks) > len(before.tasks)


def paused_node_keeps_tasks(s: State) -> bool:
    """A.2: PAUSE takes no new tasks, and the tasks already there keep running."""
    return any(
        s.availability[t[NODE]] == PAUSE and t[OBSERVED] == RUNNING and runnable(t)
        for t in s.tasks
        if t[NODE] != NO_NODE
    )


def task_rejected_by_constraint(before: State, action: Any, after: State) -> bool:
    """A.10: a label or role changed under a running task gets it rejected, and so moved."""
    if getattr(action, "rule", "") != "EnforceConstraints":
        return False
    was = {t[ID]: t[OBSERVED] for t in before.tasks}
    return any(t[OBSERVED] == REJECTED and was.get(t[ID]) != REJECTED for t in after.tasks)


def node_removed_under_a_running_task(before: State, action: Any, after: State) -> bool:
    """E.20's setting: a node is removed while a web task runs there."""
    return getattr(action, "rule", "") == "RemoveNode" and any(
        t[SVC] == WEB and t[NODE] == action.node and t[OBSERVED] == RUNNING for t in before.tasks
    )


def replica_lost_with_restart_none(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """moby#32979: with restart none, a replica displaced by a drain or a down node is never
        replaced, and the settled cluster runs fewer replicas than the spec asks (expected)."""
        return bool(given_up_slots(model, s)) and running_web(s) < s.replicas and model.quiescent(s)

    return check


def slot_given_up_after_max_attempts(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.9: a slot that used its MaxAttempts keeps its stopped task, and nothing replaces it."""
        return any(s.restarts[slot - 1] == model.config.max_attempts for slot in given_up_slots(model, s))

    return check


def replicas_not_rebalanced(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """swarmkit#1296: a node that joins (or recovers) gets no existing replica; the settled
        cluster runs two on one node and none on another that has room (expected)."""
        per_node = [
            sum(1 for t in s.tasks if t[SVC] == WEB and t[NODE] == node and runnable(t))
            for node in range(model.n)
            if s.status[node] == READY and s.availability[node] == ACTIVE
        ]
        return len(per_node) > 1 and max(per_node) - min(per_node) >= 2 and model.quiescent(s)

    return check


def slot_runs_twice_after_its_node_returns(s: State) -> bool:
    """A.7: after a partition heals, a slot's old container (told to stop, not yet stopped) and
    its replacement both run on live nodes, until the returned agent stops the old one. So "no
    two containers of a slot on live nodes" is no invariant of swarmkit (S1 counts runnable
    tasks for that reason); this shows the state."""
    live = [t for t in s.tasks if t[SVC] == WEB and t[OBSERVED] == RUNNING and s.status[t[NODE]] == READY]
    slots = [t[SLOT] for t in live]
    return any(slots.count(slot) > 1 for slot in slots)


def replaced_task_still_running_on_down_node(s: State) -> bool:
    """A.7: a replica on a node that went down is replaced without waiting, while its container
    still runs on the cut-off worker (expected: count runnable tasks, not containers)."""
    for t in s.tasks:
        stale = t[SVC] == WEB and not runnable(t) and t[OBSERVED] == RUNNING and s.status[t[NODE]] == DOWN
        if stale and any(
            u[SVC] == WEB and u[SLOT] == t[SLOT] and runnable(u) and u[OBSERVED] == RUNNING for u in s.tasks
        ):
            return True
    return False


def replicas_spread_over_both_branches(s: State) -> bool:
    """A.5 spread: a labelled node and an unlabelled one (the "" branch) each run a replica."""
    branches = {s.labels[t[NODE]] for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING}
    return branches == {0, 1}


def replacement_waits_for_the_old_task(s: State) -> bool:
    """A.9: a replacement is prepared but not started while its predecessor still runs."""
    return any(t[DESIRED] == PREPARE for t in s.tasks)


def update_completed(s: State) -> bool:
    """A.11: the rolling update finished; every replica runs the new spec."""
    web = [t for t in s.tasks if t[SVC] == WEB and runnable(t)]
    return (
        s.version == 2
        and s.update == IDLE
        and len(web) == s.replicas > 0
        and all(t[VERSION] == 2 and t[OBSERVED] == RUNNING for t in web)
    )


def old_and_new_run_side_by_side(s: State) -> bool:
    """A.11 start-first: the slot's new task runs before the old one is stopped."""
    running = [t for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING]
    return any(t[SLOT] == s.update_slot and t[VERSION] == 1 for t in running) and any(
        t[ID] == s.update_task for t in running
    )


def update_stuck_on_a_task_that_cannot_start(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.11: the updater waits for its new task with no timeout (updater.go's TODO), so a task
        stranded on a node that went down holds the update with the cluster otherwise settled."""
        awaited = [t for t in s.tasks if t[ID] == s.update_task and t[OBSERVED] < RUNNING]
        return bool(awaited) and model.quiescent(s)

    return check


def update_paused_by_failure(before: State, action: Any, after: State) -> bool:
    """A.11 failure action pause: a new task failed and the update stopped."""
    return getattr(action, "rule", "") == "UpdatePaused"


def service_removed_cleanly(s: State) -> bool:
    """`docker service rm`: the service's tasks are gone from the store and from every DNS."""
    return not s.version and not any(t[SVC] == WEB for t in s.tasks) and not any(s.dns)


def task_failed_its_health_check_while_starting(before: State, action: Any, after: State) -> bool:
    """A task that never became healthy is failed and replaced, never published."""
    if getattr(action, "rule", "") != "HealthCheckFails":
        return False
    return any(t[ID] == action.task and t[OBSERVED] == STARTING for t in before.tasks)


def max_replicas_leaves_task_pending(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.3: a web task stays pending although a ready, active node has the CPU for it,
        because every such node holds MaxReplicas web tasks already (expected)."""
        if not task_left_pending(model)(s):
            return False
        probe = (0, WEB, 0, NO_NODE, RUNNING, PENDING, 1, NO_TASK)
        held = [reference.unfit(model.config, s, probe, node) or "" for node in range(model.n)]
        return any(reason.startswith("max replicas") for reason in held)

    return check
