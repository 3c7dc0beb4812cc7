"""Liveness on the state graph: a fair cycle on which the goal never holds, found among
strongly connected components, and shown as a lasso (a shortest stem, then a cycle).

`eventually(goal)` fails when a fair behaviour starts in an initial state and never reaches
the goal; `leads_to(trigger, goal)` when one reaches a trigger state and never reaches the
goal from there. Such a behaviour ends in a component of the goal-free states it can reach
(the region) that it visits forever; `finitely_often(step)` fails when one goes round a cycle
that takes such a step (its region is every reachable state, and only components whose
cycles can take a marked step count). A component is fair when, for each action under weak
fairness, the action is taken inside it or disabled in one of its states, and for each under
strong fairness, taken inside it or disabled in all its states (states where a strongly fair
action is enabled but never taken are removed, and what remains is split again: Emerson and
Lei's algorithm). A single state with no step inside is a behaviour that stops there
(stutters), fair when no fair action is enabled. Steps of the kinds that `stops` names
(faults, "after the faults stop") may lead into the region, never round its cycles.

Bounds: a step a bound kept out is an enabled action that is never taken. Counted so, a
fair component is a real counterexample: `violated`. A component fair only when those
steps are not counted exists because a bound cut the way out: `incomplete (bounds)`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from properties.base import Fairness, Kind, Property
from swarmcheck.engines.graph import Graph
from swarmcheck.engines.result import HOLDS, INCOMPLETE, VACUOUS, VIOLATED, Trace, Violation, view_note

N = TypeVar("N", bound=Hashable)  # a node: a state's number on the graph, or a state's key
Key = Any  # an action id (fairness for each action) or a kind (for the kind as a whole)


@attrs.frozen
class Finding:
    """A liveness property's verdict on the graph, why, and the lasso that shows a violation."""

    verdict: str
    reason: str = ""
    violation: Violation | None = None


class View:
    """The graph as one property sees it: its region, the steps a cycle may take, and which
    fair actions each state enables."""

    def __init__(self, graph: Graph, prop: Property[Any]) -> None:
        fairness = prop.fairness or Fairness()
        self.graph, self.prop, self.fairness = graph, prop, fairness
        self.goal = graph.goal[prop.name]
        self.marked = graph.marked.get(prop.name)  # finitely_often: 1 on each edge that is its step
        kinds = graph.kinds
        key: Callable[[int], Key] = (lambda a: a) if fairness.each else (lambda a: kinds[a])
        self.weak = {a: key(a) for a in range(len(kinds)) if kinds[a] in fairness.weak}
        self.strong = {a: key(a) for a in range(len(kinds)) if kinds[a] in fairness.strong}
        self.stops = {a for a in range(len(kinds)) if kinds[a] in fairness.stops}
        self.region: set[int] = set()
        self.region_components: list[set[int]] | None = None  # split once, judged strictly and loosely
        self.distance: dict[int, int] = {}
        self.came_from: dict[int, tuple[int, int]] = {}  # state -> (previous state, action id)

    def sources(self) -> list[tuple[int, int]]:
        """(distance from an initial state, state) where a behaviour starts to need the goal."""
        goal, graph = self.goal, self.graph
        if self.prop.kind in (Kind.EVENTUALLY, Kind.FINITELY):
            return [(0, k) for k in range(graph.initial) if not goal[k]]
        trigger, depth = graph.trigger[self.prop.name], depths(graph)
        return [(depth[k], k) for k in range(graph.size) if trigger[k] and not goal[k]]

    def explore_region(self) -> None:
        """The goal-free states reachable from a source, each with its shortest way in: a
        breadth-first search in which each source joins at its own distance from an initial
        state (Dijkstra's order for steps of length one, kept without a heap)."""
        goal, distance, came_from, edges = self.goal, self.distance, self.came_from, self.graph.edges
        sources = sorted(self.sources())
        queue: deque[tuple[int, int, int, int]] = deque()  # (distance, state, previous, action), in order
        joined = 0
        while queue or joined < len(sources):
            if joined < len(sources) and (not queue or sources[joined][0] <= queue[0][0]):
                (d, k), previous, a = sources[joined], -1, -1
                joined += 1
            else:
                d, k, previous, a = queue.popleft()
            if k in distance:
                continue
            distance[k] = d
            if previous >= 0:
                came_from[k] = (previous, a)
            for a, t in edges(k):
                if not goal[t] and t not in distance:
                    queue.append((d + 1, t, k, a))
        self.region = set(distance)

    def cycle_edges(self, k: int, within: set[int]) -> Iterable[tuple[int, int]]:
        """Steps from k that a cycle inside `within` may take."""
        stops = self.stops
        return ((a, t) for a, t in self.graph.edges(k) if t in within and a not in stops)

    def marked_steps(self, k: int, within: set[int]) -> Iterator[tuple[int, int]]:
        """finitely_often: the steps from k inside `within` that are the property's step."""
        graph, marked = self.graph, self.marked
        if marked is None:
            return
        for e in range(graph.offsets[k], graph.offsets[k + 1]):
            a, t = graph.actions[e], graph.targets[e]
            if marked[e] and t in within and a not in self.stops:
                yield a, t

    def counts(self, component: set[int]) -> bool:
        """Whether a fair component is a counterexample: any is, but for finitely_often only
        one whose cycles can take the property's step."""
        return self.marked is None or any(next(self.marked_steps(k, component), None) for k in component)

    def enabled(self, k: int, strict: bool) -> tuple[set[Key], set[Key]]:
        """The weakly and strongly fair actions enabled in state k; `strict` counts the steps a
        bound withheld as enabled (they are, in the unbounded system)."""
        actions = [a for a, _ in self.graph.edges(k)]
        if strict:
            actions += [a for a, _ in self.graph.withheld.get(k, ())]
        return {self.weak[a] for a in actions if a in self.weak}, {self.strong[a] for a in actions if a in self.strong}

    def taken(self, component: set[int]) -> set[Key]:
        """The fair actions taken on a step inside the component."""
        keys: set[Key] = set()
        for k in component:
            for a, _ in self.cycle_edges(k, component):
                keys.update(fair[a] for fair in (self.weak, self.strong) if a in fair)
        return keys

    def fair_components(self, strict: bool) -> list[set[int]]:
        """The fair components of the region (strong fairness refined away, weak checked)."""
        fair: list[set[int]] = []
        if self.region_components is None:
            self.region_components = self.split(self.region)
        work = list(self.region_components)
        while work:
            component = work.pop()
            taken = self.taken(component)
            always_weak: set[Key] | None = None
            some_strong: set[Key] = set()
            enabled = {k: self.enabled(k, strict) for k in component}
            for weak, strong in enabled.values():
                always_weak = set(weak) if always_weak is None else always_weak & weak
                some_strong |= strong
            if (always_weak or set()) - taken:
                continue  # a weakly fair action enabled throughout and never taken
            starved = some_strong - taken
            if not starved:
                fair.append(component)
                continue
            rest = {k for k in component if not enabled[k][1] & starved}
            work += self.split(rest)
        return fair

    def split(self, within: set[int]) -> list[set[int]]:
        """The strongly connected components of the states `within`, by the steps a cycle may take."""
        return [set(c) for c in components(sorted(within), lambda k: (t for _, t in self.cycle_edges(k, within)))]


def depths(graph: Graph) -> list[int]:
    """Each state's distance from an initial state (states are in breadth-first order)."""
    depth = [0] * graph.size
    for k in range(graph.initial, graph.size):
        depth[k] = depth[graph.parent[k]] + 1
    return depth


def components(nodes: Sequence[N], successors: Callable[[N], Iterable[N]]) -> list[list[N]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    stack: list[N] = []
    on_stack: set[N] = set()
    found: list[list[N]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            v, pending = work[-1]
            for w in pending:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors(w))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    found.append(component)
    return found


def judge(graph: Graph, prop: Property[Any]) -> Finding:
    """Holds, violated (with a lasso) or incomplete (a bound made the only fair cycles)."""
    view = View(graph, prop)
    if prop.kind is Kind.LEADS_TO and not any(graph.trigger[prop.name]):
        return Finding(VACUOUS, "its trigger never holds: nothing is ever due")
    view.explore_region()
    fair = [c for c in view.fair_components(strict=True) if view.counts(c)]
    if fair:
        component = min(fair, key=lambda c: min(view.distance[k] for k in c))
        return Finding(VIOLATED, violation=lasso(view, component))
    # Strict and loose differ only in the steps a bound withheld: with none in the region, no loose one either.
    bounded = any(k in graph.withheld for k in view.region)
    loose = [c for c in view.fair_components(strict=False) if view.counts(c)] if bounded else []
    if loose:
        component = min(loose, key=lambda c: min(view.distance[k] for k in c))
        # The fairly scheduled steps a bound kept out: what the strict check counted against it.
        cut = [
            (a, bound)
            for k in component
            for a, bound in graph.withheld.get(k, ())
            if a in view.weak or a in view.strong
        ]
        bounds = sorted({bound for _, bound in cut})
        kinds = sorted({graph.kinds[a] for a, _ in cut})
        return Finding(
            INCOMPLETE,
            f"bounds: {', '.join(bounds)}; a behaviour where {prop.name}'s goal never comes is fair "
            f"only because {', '.join(bounds)} kept {', '.join(kinds)} out: raise the bound to decide",
        )
    return Finding(HOLDS)


def lasso(view: View, component: set[int]) -> Violation:
    """The shortest way into the component, then a cycle round it that is fair: it takes each
    fair action the component takes, and passes where each other one is disabled."""
    graph = view.graph
    starts = [k for k in component if next(view.marked_steps(k, component), None)] if view.marked else component
    entry = min(starts, key=lambda k: (view.distance[k], k))
    first = next(view.marked_steps(entry, component), None)  # finitely_often: the cycle takes its step first
    way_in: list[tuple[int, int]] = []  # (action id, state) within the region, from its source
    k = entry
    while k in view.came_from:
        previous, a = view.came_from[k]
        way_in.append((a, k))
        k = previous
    way_in.reverse()
    source = k
    to_source = graph.path_to(source)
    path = [(-1, to_source[0]), *((graph.via[s], s) for s in to_source[1:]), *way_in]
    trigger_at = _due(view, [*to_source, *(s for _, s in way_in)])
    loop = len(path) - 1
    steps = graph.walk([*path, *round_trip(view, component, entry, first)])
    sentence = _sentence(view, trigger_at, loop, len(steps) - 1) + view_note(graph.model, steps[loop][1], steps[-1][1])
    return Violation(view.prop.name, view.prop.kind, sentence, entry, Trace(steps, loop))


def _due(view: View, stem: list[int]) -> int:
    """The first step of the stem from which the goal is due and never holds again."""
    if view.prop.kind in (Kind.EVENTUALLY, Kind.FINITELY):
        return 0
    trigger, goal = view.graph.trigger[view.prop.name], view.goal
    due = len(stem) - 1
    for k in range(len(stem) - 1, -1, -1):
        if goal[stem[k]]:
            break
        if trigger[stem[k]]:
            due = k
    return due


def round_trip(
    view: View, component: set[int], entry: int, first: tuple[int, int] | None = None
) -> list[tuple[int, int]]:
    """A short fair cycle from `entry` back to it inside the component, starting with the step
    `first` if given; empty when the behaviour stops at `entry` (a single state with no step
    inside). It begins as the shortest cycle, then, while some fairness duty is unmet (a weakly
    fair action enabled all round and never taken, a strongly fair one enabled somewhere and
    never taken), takes the shortest detour that meets it from the nearest state on the cycle."""
    if len(component) == 1 and not any(True for _ in view.cycle_edges(entry, component)):
        return []
    cycle = (
        _out_and_back(view, component, first, entry) if first is not None else _shortest_cycle(view, component, entry)
    )
    skip = 0 if first is None else 1  # `first` stays the first step: no detour before it
    taken_here = view.taken(component)
    while (duty := _unmet(view, cycle, entry, taken_here)) is not None:
        # states[p] is the state before cycle[p + skip], the last one the state the cycle ends in.
        states = [entry, *(s for _, s in cycle)][skip : len(cycle) + 1]
        source, detour = _walk(view, component, list(dict.fromkeys(states)), *duty)
        end = detour[-1][1] if detour else source
        if end != source:
            detour += _walk(view, component, [end], "reach", source)[1]
        at = states.index(source) + skip
        cycle = [*cycle[:at], *detour, *cycle[at:]]
    return cycle


def _out_and_back(view: View, component: set[int], step: tuple[int, int], entry: int) -> list[tuple[int, int]]:
    """`step` from `entry`, then the shortest way back to it."""
    return [step] if step[1] == entry else [step, *_walk(view, component, [step[1]], "reach", entry)[1]]


def _shortest_cycle(view: View, component: set[int], entry: int) -> list[tuple[int, int]]:
    """The fewest steps from `entry` back to it: one step out, then the shortest way back."""
    ways = (_out_and_back(view, component, step, entry) for step in view.cycle_edges(entry, component))
    return min(ways, key=len)


def _unmet(view: View, cycle: list[tuple[int, int]], entry: int, taken_here: set[Key]) -> tuple[str, Key] | None:
    """The first fairness duty the cycle fails, as (what to do, the action's key): "take" it,
    or "leave" (pass a state where it is disabled) for a weakly fair action the component
    never takes."""
    taken = {fair[a] for a, _ in cycle for fair in (view.weak, view.strong) if a in fair}
    always_weak: set[Key] | None = None
    some_strong: set[Key] = set()
    for k in [entry, *(s for _, s in cycle)]:
        weak, strong = view.enabled(k, strict=True)
        always_weak = set(weak) if always_weak is None else always_weak & weak
        some_strong |= strong
    for key in sorted((always_weak or set()) - taken, key=repr):
        return ("take" if key in taken_here else "leave"), key
    for key in sorted(some_strong - taken, key=repr):
        return "take", key
    return None


def _walk(view: View, component: set[int], starts: list[int], duty: str, key: Key) -> tuple[int, list[tuple[int, int]]]:
    """The start nearest to meeting the duty inside the component, and the shortest steps
    from it until the duty is met."""
    back: dict[int, tuple[int, int] | None] = dict.fromkeys(starts)
    queue = deque(starts)
    while queue:
        k = queue.popleft()
        if duty == "take":
            step = next(
                (
                    e
                    for e in view.cycle_edges(k, component)
                    if view.weak.get(e[0]) == key or view.strong.get(e[0]) == key
                ),
                None,
            )
            if step is not None:
                return _source(back, k), [*_path(back, k), step]
        elif (duty == "leave" and key not in view.enabled(k, strict=True)[0]) or (
            duty == "reach" and k == key and back[k] is not None
        ):
            return _source(back, k), _path(back, k)
        for a, t in view.cycle_edges(k, component):
            if t not in back:
                back[t] = (k, a)
                queue.append(t)
    raise AssertionError("a strongly connected component reaches every state in it")


def _source(back: dict[int, tuple[int, int] | None], k: int) -> int:
    while (previous := back[k]) is not None:
        k = previous[0]
    return k


def _path(back: dict[int, tuple[int, int] | None], k: int) -> list[tuple[int, int]]:
    path: list[tuple[int, int]] = []
    while (previous := back[k]) is not None:
        path.append((previous[1], k))
        k = previous[0]
    path.reverse()
    return path


def _sentence(view: View, trigger_at: int, loop: int, last: int) -> str:
    prop = view.prop
    if prop.kind is Kind.FINITELY:
        return (
            f"{prop.name} fails: step {loop + 1} is a step it allows only finitely often, and steps {loop + 1} "
            f"to {last} repeat forever, fair to every fair action"
        )
    start = "from the start" if prop.kind is Kind.EVENTUALLY else f"after step {trigger_at}, where it is due"
    ending = (
        f"the behaviour stops in step {loop}'s state, where no fair action is enabled"
        if loop == last
        else f"steps {loop + 1} to {last} repeat forever, fair to every fair action"
    )
    return f"{prop.name} never comes true {start}: {ending}"
