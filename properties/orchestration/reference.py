"""swarmkit's rules as the reference states them (A.1, A.3, A.5, A.9, D), written apart from the
model so that the properties judging the model do not reuse the code they judge: the scheduler's
tracked tasks and reservations, its filters, its node order and the spread preference, the
restart policy, and what DNS may resolve. Each function reads a state and the configuration
only; none calls the model. The A.4 matcher (`model.orchestration.constraint`, pure, tested
against the reference's examples in tests/test_constraint.py) is the one piece shared.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from model.orchestration import Config, State
from model.orchestration import constraint as a4
from model.orchestration.tasks import (
    ACTIVE,
    ASSIGNED,
    COMPLETE,
    DEMOTING,
    DESIRED,
    DOWN,
    MANAGER,
    NO_NODE,
    NODE,
    NONE,
    OBSERVED,
    ON_FAILURE,
    READY,
    RUNNING,
    SLOT,
    SPREAD_LABEL,
    SPREAD_VALUE,
    SVC,
    WEB,
    Task,
)


def tracked(t: Task) -> bool:
    """scheduler.go, nodeinfo.go: on its node from ASSIGNED until its observed state passes RUNNING."""
    return t[NODE] != NO_NODE and ASSIGNED <= t[OBSERVED] <= RUNNING


def active(t: Task) -> bool:
    """A.1 "counts as active on a node": tracked, desired at most COMPLETED."""
    return tracked(t) and t[DESIRED] <= COMPLETE


def cpus(config: Config, node: int) -> int:
    return config.first_node_cpus if node == 0 and config.first_node_cpus else config.cpus


def reservation(config: Config, t: Task) -> int:
    return config.reservation if t[SVC] == WEB else config.agent_reservation


def reserved(config: Config, s: State, node: int) -> int:
    """A.3: the CPUs the scheduler counts as taken on a node."""
    return sum(reservation(config, t) for t in s.tasks if t[NODE] == node and tracked(t))


def active_count(s: State, node: int, service: int | None = None) -> int:
    return sum(1 for t in s.tasks if t[NODE] == node and active(t) and service in (None, t[SVC]))


_parsed = functools.cache(a4.parse)  # a configuration's constraint, parsed once


def matches(config: Config, s: State, t: Task, node: int) -> bool:
    """A.4: web's constraint against the node's hostname, current role and label."""
    if t[SVC] != WEB or not config.constraint:
        return True
    c = _parsed(config.constraint)
    name = c.label if c.label is not None else SPREAD_LABEL
    facts = a4.NodeFacts(
        f"n{node + 1}",
        "manager" if s.roles[node] in (MANAGER, DEMOTING) else "worker",
        ((name, SPREAD_VALUE if c.label is None else c.value),) if s.labels[node] else (),
    )
    return a4.matches(c, facts)


def unfit(config: Config, s: State, t: Task, node: int) -> str | None:
    """A.3's pipeline in order: the first filter the node fails for the task, or None."""
    if s.status[node] != READY or s.availability[node] != ACTIVE:
        return "ready filter"
    free = cpus(config, node) - reserved(config, s, node)
    if reservation(config, t) > free:
        return f"resource filter: {free} CPU free"
    if t[SVC] == WEB and config.max_per_node and active_count(s, node, WEB) >= config.max_per_node:
        return "max replicas filter"
    if not matches(config, s, t, node):
        return f"constraint filter: {config.constraint}"
    return None


def preferred_nodes(config: Config, s: State, t: Task) -> list[int]:
    """A.5 for one task: among the nodes passing the filters, those of the spread preference's
    least-loaded branch (its tasks counted on every node of the swarm in it), then nodeLess's
    minima (fewer active tasks of the service, then fewer in all)."""
    eligible = [node for node in range(config.nodes) if unfit(config, s, t, node) is None]
    if t[SVC] == WEB and config.spread and eligible:
        branch = {node: s.labels[node] for node in range(config.nodes) if s.status[node] in (READY, DOWN)}
        load = {b: sum(active_count(s, node, WEB) for node in branch if branch[node] == b) for b in branch.values()}
        fewest = min(load[branch[node]] for node in eligible)
        eligible = [node for node in eligible if load[branch[node]] == fewest]
    order = {node: (active_count(s, node, t[SVC]), active_count(s, node)) for node in eligible}
    return [node for node in eligible if order[node] == min(order.values())]


def should_restart(config: Config, s: State, t: Task) -> bool:
    """A.9 shouldRestart for the newest task of a slot (web) or a node (agent)."""
    if config.restart == NONE or (config.restart == ON_FAILURE and t[OBSERVED] == COMPLETE):
        return False
    if not config.max_attempts:
        return True
    history = t[SLOT] - 1 if t[SVC] == WEB else config.max_replicas + t[NODE]
    return s.restarts[history] < config.max_attempts


def given_up(config: Config, s: State, tasks: Iterable[Task]) -> bool:
    """A.7, A.9: no runnable task left and the policy will not restart the newest one."""
    tasks = list(tasks)
    return bool(tasks) and all(t[DESIRED] > RUNNING for t in tasks) and not should_restart(config, s, max(tasks))


def discoverable(s: State) -> set[int]:
    """D: what `tasks.web` may resolve to: web tasks observed RUNNING and still desired to run."""
    return {t[0] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] == RUNNING and t[DESIRED] <= RUNNING}
