"""Step invariants of swarmkit's orchestration (reference A.12 S1 to S7, A.3, A.5, A.9, D):
each holds in every reachable state, or on every step.
"""

from __future__ import annotations

from typing import Any

from model.orchestration import Orchestration, State
from model.orchestration.tasks import (
    AGENT,
    ASSIGNED,
    AWAITS,
    DESIRED,
    ID,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PAUSE,
    PREPARE,
    READY,
    RUNNING,
    SLOT,
    START_FIRST,
    STARTING,
    SVC,
    UPDATING,
    WEB,
    runnable,
    still_running,
    task_names,
)
from properties.orchestration import reference


def _two_runnable(s: State, service: int, field: int, allowed: int = 1) -> tuple[int, list[int]] | None:
    """The first slot (or node) holding more than `allowed` runnable tasks of a service, with their ids."""
    held: dict[int, list[int]] = {}
    for t in s.tasks:
        if t[SVC] == service and runnable(t):
            held.setdefault(t[field], []).append(t[ID])
    return next(((where, ids) for where, ids in held.items() if len(ids) > allowed), None)


def _count(ids: list[int]) -> str:
    return {2: "two", 3: "three"}.get(len(ids), str(len(ids)))


def _listed(ids: list[int]) -> str:
    names = [f"t{i}" for i in ids]
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def one_runnable_task_per_slot(model: Orchestration) -> Any:
    allowed = 2 if model.config.update_order == START_FIRST else 1

    def check(s: State) -> str | None:
        """S1 as A.12 states it: at most one runnable task per replicated slot, two under a
        START_FIRST update (the new task starts before the old one stops; if the new one is
        lost and restarted, its replacement runs beside the old task, as in swarmkit)."""
        found = _two_runnable(s, WEB, SLOT, allowed)
        if found is None:
            return None
        where, ids = found
        allowance = " (start-first allows two)" if allowed == 2 else ""
        return f"slot {where} has {_count(ids)} runnable tasks, {_listed(ids)}{allowance}"

    return check


def old_task_stopped_when_slot_updated(model: Orchestration) -> Any:
    start_first = model.config.update_order == START_FIRST

    def check(before: State, action: Any, after: State) -> str | None:
        """A.11 removeOldTasks, on the slot's tasks as the updater took them: stop-first shuts
        them down as the new task is made, start-first once the new task runs (so only those
        older than it), and a reused clean task has every other task of the slot shut down."""
        rule = getattr(action, "rule", "")
        if rule == "SlotUpdated":
            captured_before = action.task
        elif rule == "UpdateSlot" and (not start_first or not after.update_slot):
            captured_before = None  # the slot as it is now
        else:
            return None
        # The new task may be gone (reaped after it failed): the slot is still the updater's.
        slot = next((t[SLOT] for t in after.tasks if t[ID] == action.task), before.update_slot)
        left = [
            t[ID]
            for t in after.tasks
            if t[SVC] == WEB
            and t[SLOT] == slot
            and t[ID] != action.task
            and runnable(t)
            and (captured_before is None or t[ID] < captured_before)
        ]
        if not left:
            return None
        return f"slot {slot} was updated to t{action.task} by {action}, yet {task_names(tuple(left))} still run"

    return check


def one_global_task_per_node(s: State) -> str | None:
    """S2: at most one runnable task of the global service per node."""
    found = _two_runnable(s, AGENT, NODE)
    return found and f"n{found[0] + 1} has {_count(found[1])} runnable agent tasks, {_listed(found[1])}"


def task_history_moves_forward(before: State, action: Any, after: State) -> str | None:
    """S3: a node never changes once assigned; desired and observed states never go back."""
    old = {t[ID]: t for t in before.tasks}
    for t in after.tasks:
        was = old.get(t[ID])
        if was is None:
            continue
        if was[NODE] != NO_NODE and t[NODE] != was[NODE]:
            return f"t{t[ID]} moved from n{was[NODE] + 1} to n{t[NODE] + 1} on {action}"
        if t[OBSERVED] < was[OBSERVED] or t[DESIRED] < was[DESIRED]:
            return f"t{t[ID]}'s state went back on {action}"
        if t[OBSERVED] >= ASSIGNED and t[NODE] == NO_NODE:
            return f"t{t[ID]} is assigned to no node"
    return None


def assignment_passes_filters(model: Orchestration) -> Any:
    config = model.config

    def check(before: State, action: Any, after: State) -> str | None:
        """S6: a task is assigned only to a node that passes every filter at that moment."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        failed = reference.unfit(config, before, task, action.node)
        if failed:
            return f"t{task[ID]} was assigned to n{action.node + 1}, which fails the {failed}"
        return None

    return check


def placement_follows_spread(model: Orchestration) -> Any:
    config = model.config

    def check(before: State, action: Any, after: State) -> str | None:
        """A.5: a replica goes to a node of the least-loaded spread branch (nodes without the
        label form the "" branch), and there to a node nodeLess ranks first."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        best_nodes = reference.preferred_nodes(config, before, task)
        if task[SVC] != WEB or action.node in best_nodes:
            return None
        best = ", ".join(f"n{node + 1}" for node in best_nodes)
        return f"t{task[ID]} was placed on n{action.node + 1}; the spread preference and node order pick {best}"

    return check


def replacement_waits_for_its_predecessor(model: Orchestration) -> Any:
    stop_first = model.config.update_order != START_FIRST

    def check(before: State, action: Any, after: State) -> str | None:
        """A.9 DelayStart: a replacement is told to run only once the task it replaces (the one
        restarted; for a stop-first update, the slot's running task, updater.go) has stopped or
        lost its node; a waiting one, once the task it waits for has."""
        rule = getattr(action, "rule", "")
        was = {t[ID]: t for t in before.tasks}
        told = [
            t for t in after.tasks if t[DESIRED] == RUNNING and (t[ID] not in was or was[t[ID]][DESIRED] == PREPARE)
        ]
        for t in told:
            if rule == "Restart":
                replaced = action.task
            elif rule == "UpdateSlot" and stop_first:
                slot = [u for u in before.tasks if u[SLOT] == t[SLOT] and u[SVC] == WEB and u[DESIRED] == RUNNING]
                replaced = slot[0][ID] if slot else NO_TASK
            elif rule == "StartReplacement":
                replaced = was[t[ID]][AWAITS]
            else:
                continue
            old = next((u for u in after.tasks if u[ID] == replaced), None)
            if old is not None and still_running(old, after.status):
                return f"t{t[ID]} was told to run on {action} while t{old[ID]}, which it replaces, still runs on n{old[NODE] + 1}"
        return None

    return check


def resources_never_overcommitted(model: Orchestration) -> Any:
    def check(s: State) -> str | None:
        """S7: on every node the reservations the scheduler holds (tasks from ASSIGNED until they
        end) fit its resources."""
        for node in range(model.n):
            used, size = reference.reserved(model.config, s, node), reference.cpus(model.config, node)
            if used > size:
                return f"n{node + 1} has {used} CPUs reserved of {size}"
        return None

    return check


def routes_only_to_healthy_tasks(s: State) -> str | None:
    """D: a task with a health check is published (DNS, mesh) only once healthy, i.e. RUNNING;
    a task still STARTING is never a record or a backend."""
    starting = {t[ID] for t in s.tasks if t[OBSERVED] == STARTING}
    for node, (dns, backends) in enumerate(zip(s.dns, s.backends, strict=True)):
        early = sorted(starting & {*dns, *backends})
        if early:
            return f"n{node + 1} routes to {task_names(tuple(early))}, whose health check has not passed yet"
    return None


def max_replicas_per_node_respected(model: Orchestration) -> Any:
    limit = model.config.max_per_node

    def check(s: State) -> str | None:
        """A.3 MaxReplicasFilter: no node holds more active web tasks than Placement.MaxReplicas."""
        for node in range(model.n):
            here = [t[ID] for t in s.tasks if t[SVC] == WEB and t[NODE] == node and reference.active(t)]
            if len(here) > limit:
                return f"n{node + 1} holds {len(here)} web tasks {task_names(tuple(here))}; MaxReplicas is {limit}"
        return None

    return check


def restarts_within_max_attempts(model: Orchestration) -> Any:
    limit = model.config.max_attempts

    def check(s: State) -> str | None:
        """A.9: with MaxAttempts set, a slot (or a node's agent) is restarted at most that often."""
        for k, made in enumerate(s.restarts):
            if made > limit:
                where = (
                    f"slot {k + 1}"
                    if k < model.config.max_replicas
                    else f"the agent on n{k - model.config.max_replicas + 1}"
                )
                return f"{where} was restarted {made} times; MaxAttempts is {limit}"
        return None

    return check


# The steps that may stop a task on a paused node: the updater, a scale-down or removal the user
# asked for, and the supervisor acting on a request made earlier (say, while the node was down).
_MAY_STOP_ON_PAUSE = frozenset({"UpdateSlot", "SlotUpdated", "ReconcileReplicated", "RemoveService", "Restart"})


def paused_node_keeps_its_tasks(before: State, action: Any, after: State) -> str | None:
    """A.2: a paused node takes no new tasks and keeps its own: no step but the updater, a
    scale-down, a removal or an earlier restart request stops (or asks to restart) a task that
    still runs there; the task may only end by itself."""
    if getattr(action, "rule", "") in _MAY_STOP_ON_PAUSE:
        return None
    was = {t[ID]: t for t in before.tasks}
    for t in after.tasks:
        old = was.get(t[ID])
        if old is None or old[NODE] == NO_NODE or t[OBSERVED] > RUNNING or not runnable(old):
            continue
        node = old[NODE]
        if after.availability[node] != PAUSE or after.status[node] != READY:
            continue
        requested = t[ID] in after.restart_requests and t[ID] not in before.restart_requests
        if not runnable(t) or requested:
            return f"t{t[ID]} was stopped on paused n{node + 1} by {action}"
    return None


def update_pauses_on_failure(before: State, action: Any, after: State) -> str | None:
    """A.11 FailureAction pause (MaxFailureRatio 0): once the task the updater watches (a slot's
    new task, then through its monitor window) has failed, the updater stops watching it only
    by pausing the update."""
    if before.update != UPDATING or before.update_task < 0 or after.update_task == before.update_task:
        return None
    watched = next((t for t in before.tasks if t[ID] == before.update_task), None)
    failed = watched is None or watched[OBSERVED] > RUNNING
    if failed and after.update == UPDATING:
        return f"t{before.update_task} failed, yet {action} moved the update on"
    return None
