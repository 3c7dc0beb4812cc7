"""A z3 placement oracle for the orchestration model (reference A.3, A.4, A.5).

Given a state of `model.orchestration` and its pending web tasks, z3 decides whether an
assignment exists that passes every filter (ready and active, CPU reservations summed
per node, the placement constraint), and, with `Optimize`, the most even one. The encoding
is written from the reference, not from the model's filter code (the constraint is
matched by `model.constraint`, A.4's pure matcher, never by the scheduler's filter), so the model's
scheduler and the oracle check each other: the `placement_oracle_agrees` property
fails when the scheduler leaves a task pending that some node could take.

`greedy_example()` is the other use: swarmkit places a batch one task at a time in
its node order (A.5), never revisiting a choice, so with tasks of different sizes a
greedy order can strand a task that a global assignment places. z3 finds that
assignment; `swarmcheck check --oracle` writes the example to reports/placement/.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import z3

from model.orchestration import Orchestration, State
from model.orchestration.tasks import (
    ACTIVE,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PENDING,
    READY,
    RUNNING,
    SVC,
    WEB,
    runnable,
)
from properties.orchestration import reference


@attrs.frozen
class Node:
    name: str
    cpus: int
    ready: bool = True
    active: bool = True
    matches: bool = True  # the node satisfies the task's placement constraint (A.4)
    room: int | None = None  # more web tasks MaxReplicas lets the node take (A.3); None: no limit


@attrs.frozen
class Placement:
    """z3's answer: a node per task (None if no assignment exists) and the busiest node's load."""

    nodes: tuple[int, ...] | None
    max_load: int | None


def place(nodes: Sequence[Node], demands: Sequence[int], used: Sequence[int]) -> Placement:
    """Assign every task (its CPU demand) to a node passing every filter, as evenly as possible."""
    choice = [z3.Int(f"task{k}") for k in range(len(demands))]
    opt = z3.Optimize()
    for x in choice:
        allowed = [i for i, node in enumerate(nodes) if node.ready and node.active and node.matches]
        opt.add(z3.Or([x == i for i in allowed]) if allowed else z3.BoolVal(False))
    load = []
    for i, node in enumerate(nodes):
        here = [z3.If(x == i, demand, 0) for x, demand in zip(choice, demands, strict=True)]
        opt.add(used[i] + z3.Sum(here) <= node.cpus)  # A.3 resource filter: reservations summed
        load.append(z3.Sum([z3.If(x == i, 1, 0) for x in choice]))
        if node.room is not None:
            opt.add(load[-1] <= node.room)  # A.3 MaxReplicasFilter
    busiest = z3.Int("busiest")
    for count in load:
        opt.add(count <= busiest)
    opt.minimize(busiest)
    if opt.check() != z3.sat:
        return Placement(None, None)
    model = opt.model()
    return Placement(tuple(model.eval(x).as_long() for x in choice), model.eval(busiest).as_long())


def pending_web_tasks(s: State) -> list[int]:
    return [t[0] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] == PENDING and t[NODE] == NO_NODE and runnable(t)]


def cluster(model: Orchestration, s: State) -> list[Node]:
    probe = (0, WEB, 0, NO_NODE, RUNNING, PENDING, 1, NO_TASK)  # a web task, to ask the constraint
    return [
        Node(
            name=f"n{i + 1}",
            cpus=reference.cpus(model.config, i),
            ready=s.status[i] == READY,
            active=s.availability[i] == ACTIVE,
            matches=reference.matches(model.config, s, probe, i),
            room=model.config.max_per_node - reference.active_count(s, i, WEB) if model.config.max_per_node else None,
        )
        for i in range(model.n)
    ]


def stranded_task(model: Orchestration, s: State) -> str | None:
    """At a quiescent state, a pending web task that z3 can place on some node, or None."""
    pending = pending_web_tasks(s)
    if not pending or not model.quiescent(s):  # the cheap test first: quiescence walks the control loop
        return None
    reservation = model.config.reservation
    used = [reference.reserved(model.config, s, i) for i in range(model.n)]
    answer = place(cluster(model, s), [reservation], used)
    if answer.nodes is None:
        return None
    return f"t{pending[0]} stays pending, but n{answer.nodes[0] + 1} passes every filter for it (z3)"


def waiting_for_room(model: Orchestration, s: State) -> list[int]:
    """Runnable tasks left pending where only room can be missing: web tasks, and agent tasks
    whose own node is ready and active (a paused or down node's agent waits for the node)."""
    return [
        t[0]
        for t in s.tasks
        if t[OBSERVED] == PENDING
        and runnable(t)
        and (t[SVC] == WEB or (s.status[t[NODE]] == READY and s.availability[t[NODE]] == ACTIVE))
    ]


def global_assignment(model: Orchestration, s: State) -> tuple[list[int], Placement]:
    """z3's placement of the whole workload at once: every runnable web task (pending or placed)
    free to go to any node passing the filters, every agent task pinned to its own node."""
    web = [t[0] for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] <= RUNNING]
    pinned = [0] * model.n
    for t in s.tasks:
        if t[SVC] != WEB and runnable(t) and t[OBSERVED] <= RUNNING and t[NODE] != NO_NODE:
            pinned[t[NODE]] += reference.reservation(model.config, t)
    nodes = [attrs.evolve(node, room=model.config.max_per_node or None) for node in cluster(model, s)]
    return web, place(nodes, [model.config.reservation] * len(web), pinned)


def greedy_strand(model: Orchestration, s: State) -> str | None:
    """At a quiescent state, a task left pending although z3 places the whole workload: the
    one-at-a-time order (and no rebalancing, A.5) stranded it."""
    pending = waiting_for_room(model, s)
    if not pending or not model.quiescent(s):
        return None
    web, answer = global_assignment(model, s)
    if answer.nodes is None:
        return None
    moves = ", ".join(f"t{task} on n{node + 1}" for task, node in zip(web, answer.nodes, strict=True))
    return f"t{pending[0]} stays pending, yet every task fits at once (z3: {moves or 'no web task to move'})"


def greedy(nodes: Sequence[Node], demands: Sequence[int]) -> list[int | None]:
    """swarmkit's order (A.5), one task at a time: the eligible node with the fewest tasks,
    ties to the first listed (Go's map order is arbitrary; this is one of its choices)."""
    used = [0] * len(nodes)
    count = [0] * len(nodes)
    chosen: list[int | None] = []
    for demand in demands:
        eligible = [i for i, node in enumerate(nodes) if node.ready and node.active and used[i] + demand <= node.cpus]
        if not eligible:
            chosen.append(None)
            continue
        best = min(eligible, key=lambda i: (count[i], i))
        used[best] += demand
        count[best] += 1
        chosen.append(best)
    return chosen


def greedy_example() -> tuple[list[Node], list[int], list[int | None], Placement]:
    """Two nodes (2 CPUs and 1 CPU), a 1-CPU task then a 2-CPU task: greedy puts the small
    task on the big node and strands the big one; z3 places both."""
    nodes = [Node("big", 2), Node("small", 1)]
    demands = [1, 2]
    return nodes, demands, greedy(nodes, demands), place(nodes, demands, [0, 0])
