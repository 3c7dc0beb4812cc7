"""Step invariants of swarmkit's orchestration (reference A.12 S1 to S7, A.3, A.5, A.9, D):
each holds in every reachable state, or on every step.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.orchestration import Orchestration, State
from model.orchestration.tasks import (
    AGENT,
    ASSIGNED,
    DESIRED,
    ID,
    NO_NODE,
    NODE,
    OBSERVED,
    PREPARE,
    RUNNING,
    SLOT,
    START_FIRST,
    STARTING,
    SVC,
    WEB,
    active_on_node,
    runnable,
    still_running,
    task_names,
)


def _two_runnable(s: State, service: int, field: int, allowed: int = -1) -> tuple[int, int, int] | None:
    """The first (slot or node, older id, newer id) holding two runnable tasks of a service;
    the task `allowed` is not counted."""
    seen: dict[int, int] = {}
    for t in s.tasks:
        if t[SVC] == service and runnable(t) and t[ID] != allowed:
            if t[field] in seen:
                return t[field], seen[t[field]], t[ID]
            seen[t[field]] = t[ID]
    return None


def one_runnable_task_per_slot(model: Orchestration) -> Any:
    start_first = model.config.update_order == START_FIRST

    def check(s: State) -> str | None:
        """S1: at most one runnable task per replicated slot; a start-first update may run the
        slot's new task beside the old one until the new one runs (A.11)."""
        found = _two_runnable(s, WEB, SLOT, allowed=s.update_task if start_first else -1)
        return found and f"slot {found[0]} has two runnable tasks, t{found[1]} and t{found[2]}"

    return check


def one_global_task_per_node(s: State) -> str | None:
    """S2: at most one runnable task of the global service per node."""
    found = _two_runnable(s, AGENT, NODE)
    return found and f"n{found[0] + 1} has two runnable agent tasks, t{found[1]} and t{found[2]}"


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
    rules = Orchestration(attrs.evolve(model.config, bugs=frozenset()))  # the filters as A.3 and A.4 state them

    def check(before: State, action: Any, after: State) -> str | None:
        """S6: a task is assigned only to a node that passes every filter at that moment."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        failed = rules.unfit(before, task, action.node)
        if failed:
            return f"t{task[ID]} was assigned to n{action.node + 1}, which fails the {failed}"
        return None

    return check


def placement_follows_spread(model: Orchestration) -> Any:
    rules = Orchestration(attrs.evolve(model.config, bugs=frozenset()))  # A.5 as the reference states it

    def check(before: State, action: Any, after: State) -> str | None:
        """A.5: a replica goes to a node of the least-loaded spread branch (nodes without the
        label form the "" branch), and there to a node nodeLess ranks first."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        if task[SVC] != WEB or action.node in rules.best_nodes(before, task):
            return None
        best = ", ".join(f"n{node + 1}" for node in rules.best_nodes(before, task))
        return f"t{task[ID]} was placed on n{action.node + 1}; the spread preference and node order pick {best}"

    return check


def replacement_waits_for_its_predecessor(model: Orchestration) -> Any:
    waiting_steps = {"Restart", "StartReplacement"}
    if model.config.update_order != START_FIRST:
        waiting_steps.add("UpdateSlot")  # start-first starts the new task at once, by design

    def check(before: State, action: Any, after: State) -> str | None:
        """A.9 DelayStart: a replacement (or a stop-first update's new task) is told to run only
        once the older tasks of its slot (node, for the agent) have stopped or lost their node."""
        if getattr(action, "rule", "") not in waiting_steps:
            return None
        was = {t[ID]: t for t in before.tasks}
        for t in after.tasks:
            if t[DESIRED] != RUNNING or (t[ID] in was and was[t[ID]][DESIRED] != PREPARE):
                continue  # not told to run on this step
            for u in model.group(after, t):
                if u[ID] < t[ID] and still_running(u, after.status):
                    return f"t{t[ID]} was told to run on {action} while t{u[ID]} before it still runs on n{u[NODE] + 1}"
        return None

    return check


def resources_never_overcommitted(model: Orchestration) -> Any:
    def check(s: State) -> str | None:
        """S7: on every node the reservations of its active tasks fit its resources."""
        for node in range(model.n):
            used = model.used(s, node)
            if used > model.cpus(node):
                return f"n{node + 1} has {used} CPUs reserved of {model.cpus(node)}"
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
            here = [t[ID] for t in s.tasks if t[SVC] == WEB and t[NODE] == node and active_on_node(t)]
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
