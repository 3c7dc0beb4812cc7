"""The state graph a liveness property is judged on: every state within bounds, every edge
with its action, and every step a bound kept out.

Safety needs only a parent per state; liveness needs the cycles, so it keeps the edges
(built only when a liveness property is asked for). States are numbered in breadth-first
order, so state k's edges are `targets[offsets[k]:offsets[k + 1]]` (compressed rows) and
`parent[k]` is one step closer to an initial state. A step that changes nothing is no edge
(TLA+'s WF is about steps that change the state). No symmetry reduction: a lasso must be a
real cycle, not one up to a renaming of servers.
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from model.kernel import Model, action_kind
from properties.base import Kind, Property
from swarmcheck.engines.search import fingerprint_function

# A model whose guards hold some or all of its bounds says which steps they withheld:
# `withheld_steps(s)` yields (action, bound name) pairs.
CONSTRAINT = "the state constraint"


class BudgetHit(Exception):
    """The graph outgrew the run's state or time budget."""


@attrs.define
class Graph:
    """Every reachable state within bounds and the steps between them."""

    model: Any = None
    # Each state's number, by fingerprint: states themselves are not kept (they cost six
    # times as much), and a lasso's states are rebuilt by walking its numbers (`walk`).
    number: dict[int, int] = attrs.Factory(dict)
    fingerprint: Callable[[Any], int] = hash
    size: int = 0
    parent: array[int] = attrs.Factory(lambda: array("q"))  # -1 for an initial state
    via: array[int] = attrs.Factory(lambda: array("q"))  # the action id of the step from the parent
    offsets: array[int] = attrs.Factory(lambda: array("q", [0]))
    targets: array[int] = attrs.Factory(lambda: array("q"))
    actions: array[int] = attrs.Factory(lambda: array("q"))  # the action id of each edge
    withheld: dict[int, list[tuple[int, str]]] = attrs.Factory(dict)  # state -> [(action id, bound)]
    table: list[Any] = attrs.Factory(list)  # action id -> action
    kinds: list[str] = attrs.Factory(list)  # action id -> its kind
    initial: int = 0  # states 0 .. initial-1 are the initial states
    goal: dict[str, bytearray] = attrs.Factory(dict)  # property -> 1 where its goal holds
    trigger: dict[str, bytearray] = attrs.Factory(dict)  # property -> 1 where its trigger holds
    marked: dict[str, bytearray] = attrs.Factory(dict)  # finitely_often property -> 1 on each edge that is its step
    seconds: float = 0.0

    def edges(self, k: int) -> Iterator[tuple[int, int]]:
        """(action id, target) of every step from state k (slices: the liveness checks' hot path)."""
        start, end = self.offsets[k], self.offsets[k + 1]
        return zip(self.actions[start:end], self.targets[start:end], strict=True)

    def walk(self, path: list[tuple[int, int]]) -> list[tuple[Any, Any]]:
        """The steps along `path`, (action id, state number) pairs after an initial state's
        (-1, number): each state rebuilt from the one before by the action recorded."""
        model, fp, label = self.model, self.fingerprint, action_key_function(self.model)
        current = next(s for s in model.init_states() if self.number.get(fp(model.key(s))) == path[0][1])
        steps: list[tuple[Any, Any]] = [(None, current)]
        for a, k in path[1:]:
            action, t = next(
                (b, t)
                for b, t in model.next_steps(current)
                if label(current, b) == self.table[a] and self.number.get(fp(model.key(t))) == k
            )
            steps.append((action, t))
            current = t
        return steps

    def path_to(self, k: int) -> list[int]:
        """States from an initial state to k along breadth-first parents (a shortest path)."""
        path = [k]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        path.reverse()
        return path

    @property
    def edge_count(self) -> int:
        return len(self.targets)

    def bytes_used(self) -> int:
        """The arrays' own size (the numbering dictionary comes on top)."""
        arrays = (self.parent, self.via, self.offsets, self.targets, self.actions)
        return sum(a.buffer_info()[1] * a.itemsize for a in arrays)


def build(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    max_states: int | None = None,
    time_limit: float | None = None,
) -> Graph:
    """Breadth-first over every state within bounds, keeping every edge; each property's goal
    and trigger judged once per state (BudgetHit: a budget ran out first)."""
    started = time.perf_counter()
    fp_of = fingerprint_function(model)
    graph = Graph(model=model, fingerprint=fp_of)
    key = model.key
    number = graph.number
    frontier: deque[tuple[int, Any]] = deque()  # (number, state) not yet expanded
    action_ids: dict[Any, int] = {}
    withheld = _withheld_steps(model)
    label = action_key_function(model)

    def action_id(action: Any) -> int:
        found = action_ids.get(action)
        if found is None:
            found = action_ids[action] = len(graph.table)
            graph.table.append(action)
            graph.kinds.append(action_kind(action))
        return found

    judges = [
        (p, graph.goal.setdefault(p.name, bytearray()), graph.trigger.setdefault(p.name, bytearray()))
        for p in properties
        if p.kind is not Kind.FINITELY
    ]
    finitely = [p for p in properties if p.kind is Kind.FINITELY]
    step_judges = [(p.check, graph.marked.setdefault(p.name, bytearray())) for p in finitely]

    def add(s: Any, parent: int, via: int) -> int:
        k = number[fp_of(key(s))] = graph.size
        graph.size += 1
        frontier.append((k, s))
        graph.parent.append(parent)
        graph.via.append(via)
        for p, goal, trigger in judges:
            goal.append(1 if p.check(s) else 0)
            trigger.append(1 if p.trigger is not None and p.trigger(s) else 0)
        return k

    for s in model.init_states():
        if model.within_bounds(s) and fp_of(key(s)) not in number:
            add(s, -1, -1)
    graph.initial = graph.size
    while frontier:
        k, s = frontier.popleft()  # breadth-first: numbers come out in order
        here = fp_of(key(s))
        for action, bound in withheld(s):
            graph.withheld.setdefault(k, []).append((action_id(label(s, action)), bound))
        for action, t in model.next_steps(s):
            if not model.within_bounds(t):
                graph.withheld.setdefault(k, []).append((action_id(label(s, action)), _bound_of(model, t)))
                continue
            fp = fp_of(key(t))
            if fp == here:
                continue  # changes nothing: not a step
            a = action_id(label(s, action))
            target = number.get(fp)
            if target is None:
                target = add(t, k, a)
            graph.targets.append(target)
            graph.actions.append(a)
            for is_step, marked in step_judges:
                marked.append(1 if is_step(s, action, t) else 0)
        graph.offsets.append(len(graph.targets))
        if k & 1023 == 0:
            _check_budgets(graph.size, time.perf_counter() - started, max_states, time_limit)
    for p in finitely:  # no goal and no trigger: due everywhere, from the start
        graph.goal[p.name], graph.trigger[p.name] = bytearray(graph.size), bytearray(graph.size)
    graph.seconds = time.perf_counter() - started
    return graph


def action_key_function(model: Model[Any, Any]) -> Callable[[Any, Any], Any]:
    """How the graph names a step from a state: the model's `action_key(s, action)` where its
    key is a view of the state (relative terms), so one action has one name in every state
    the view makes one; else the action itself."""
    said: Callable[[Any, Any], Any] | None = getattr(model, "action_key", None)
    return said if said is not None else (lambda s, action: action)


def _withheld_steps(model: Model[Any, Any]) -> Callable[[Any], Iterator[tuple[Any, str]]]:
    """What the model says its guards withheld; nothing where its successors are all filtered here."""
    said: Callable[[Any], Iterator[tuple[Any, str]]] | None = getattr(model, "withheld_steps", None)
    if said is not None:
        return said
    if getattr(model, "successors_within_bounds", False):
        raise ValueError(
            f"{model.name}: its guards hold its bounds, but it has no withheld_steps: liveness cannot tell a bound from a stop"
        )
    return lambda s: iter(())


def _bound_of(model: Model[Any, Any], t: Any) -> str:
    crossed: Callable[[Any], str] | None = getattr(model, "bound_crossed", None)
    return crossed(t) if crossed is not None else CONSTRAINT


def _check_budgets(states: int, seconds: float, max_states: int | None, time_limit: float | None) -> None:
    if max_states is not None and states > max_states:
        raise BudgetHit(f"{max_states} states")
    if time_limit is not None and seconds > time_limit:
        raise BudgetHit(f"time {time_limit:g} s")
