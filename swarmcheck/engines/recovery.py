"""`recoverable` properties (CTL's AG (trigger -> EF goal)): wherever the trigger holds, some
way on with no more faults reaches the goal. A state from which none does is a trap: a
deadlock, or a livelock that no timing escapes.

On the state graph (`judge`): the states that can reach the goal are found backwards from
the goal states, over the steps that are not faults; a trigger state outside them is a trap.
From one state alone (`escape`, for random search and replay): every state its ways on
reach, up to a limit. Either way a trap is shown as its shortest way in, then on to a
component no step leaves and round it: what the system does forever instead.

Bounds: a trap counts only where none of the states it leads to had a step withheld by a
bound (the unbounded system reaches no more from there, so there is truly no way out); one
whose ways on meet a bound is `incomplete (bounds)`.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from model.kernel import Model, action_kind
from properties.base import Fairness, Property
from swarmcheck.engines.graph import Graph, action_key_function
from swarmcheck.engines.liveness import Finding, N, components
from swarmcheck.engines.result import HOLDS, INCOMPLETE, VACUOUS, VIOLATED, Trace, Violation, view_note

LIMIT = 3_000  # states `escape` visits before it gives no answer


def stops_of(prop: Property[Any]) -> frozenset[str]:
    """The kinds of step the way on may not take: the faults, stopped as they are."""
    return (prop.fairness or Fairness()).stops


# ---------------------------------------------------------------- on the state graph


def judge(graph: Graph, prop: Property[Any]) -> Finding:
    """Holds, violated (a trap, with its way in and what it does forever) or incomplete (a
    trigger state whose only ways on meet a bound)."""
    trigger, goal = graph.trigger[prop.name], graph.goal[prop.name]
    if not any(trigger):
        return Finding(VACUOUS, "its trigger never holds: nothing is ever asked of it")
    stops = stops_of(prop)
    fault = bytes(1 if kind in stops else 0 for kind in graph.kinds)
    back = _backward_edges(graph, fault)
    recovers = _reaching(back, [k for k in range(graph.size) if goal[k]], graph.size)
    bounded_states = [k for k, held in graph.withheld.items() if any(not fault[a] for a, _ in held)]
    meets_bound = _reaching(back, bounded_states, graph.size)
    stuck = [k for k in range(graph.size) if trigger[k] and not recovers[k]]
    traps = [k for k in stuck if not meets_bound[k]]
    if traps:
        return Finding(VIOLATED, violation=_trap_on_graph(graph, prop, fault, traps[0]))  # breadth-first: nearest
    if stuck:
        bounds = sorted({bound for k in bounded_states for a, bound in graph.withheld[k] if not fault[a]})
        return Finding(
            INCOMPLETE,
            f"bounds: {', '.join(bounds)}; from {len(stuck):,} states where it is asked, no way on reaches "
            f"{prop.name}'s goal within the bounds, and their ways on meet {', '.join(bounds)}: raise the bound to decide",
        )
    return Finding(HOLDS)


def _backward_edges(graph: Graph, fault: bytes) -> tuple[array[int], array[int]]:
    """The steps that are not faults, reversed, as compressed rows: (offsets, sources)."""
    count = array("q", bytes(8 * (graph.size + 1)))
    targets, actions, offsets = graph.targets, graph.actions, graph.offsets
    for e in range(len(targets)):
        if not fault[actions[e]]:
            count[targets[e] + 1] += 1
    for k in range(graph.size):
        count[k + 1] += count[k]
    sources = array("q", bytes(8 * count[graph.size]))
    fill = array("q", count)
    for k in range(graph.size):
        for e in range(offsets[k], offsets[k + 1]):
            if not fault[actions[e]]:
                t = targets[e]
                sources[fill[t]] = k
                fill[t] += 1
    return count, sources


def _reaching(back: tuple[array[int], array[int]], starts: list[int], size: int) -> bytearray:
    """1 for every state with a way (backwards edges read forwards) to one of `starts`."""
    offsets, sources = back
    seen = bytearray(size)
    queue = deque(starts)
    for k in starts:
        seen[k] = 1
    while queue:
        t = queue.popleft()
        for e in range(offsets[t], offsets[t + 1]):
            k = sources[e]
            if not seen[k]:
                seen[k] = 1
                queue.append(k)
    return seen


def _trap_on_graph(graph: Graph, prop: Property[Any], fault: bytes, trap: int) -> Violation:
    def successors(k: int) -> Iterable[tuple[int, int]]:
        return ((a, t) for a, t in graph.edges(k) if not fault[a])

    closure = _closure(trap, successors)
    onward, loop = forever(trap, closure, successors)
    to_trap = graph.path_to(trap)
    path = [(-1, to_trap[0]), *((graph.via[k], k) for k in to_trap[1:]), *onward]
    steps = graph.walk(path)
    loop += len(to_trap) - 1
    sentence = trapped(graph.model, prop, steps, len(to_trap) - 1, len(closure), loop)
    return Violation(prop.name, prop.kind, sentence, trap, Trace(steps, loop))


def _closure(start: N, successors: Callable[[N], Iterable[tuple[Any, N]]]) -> list[N]:
    """Every node reachable from `start`, in breadth-first order."""
    order, seen = [start], {start}
    for k in order:
        for _, t in successors(k):
            if t not in seen:
                seen.add(t)
                order.append(t)
    return order


# ---------------------------------------------------------------- the trap shown


def forever(
    start: N, closure: list[N], successors: Callable[[N], Iterable[tuple[Any, N]]]
) -> tuple[list[tuple[Any, N]], int]:
    """From `start`, the shortest way into a component of `closure` that no step leaves, then
    the shortest way round it: the steps, and the index (0: `start`) the last one returns
    to. A component of one state with no step stops there: the index is the last."""
    inside: dict[N, frozenset[N]] = {}
    for component in components(closure, lambda k: (t for _, t in successors(k))):
        closed = frozenset(component)
        if all(t in closed for k in component for _, t in successors(k)):
            inside.update(dict.fromkeys(component, closed))
    way = _shortest(start, lambda k: k in inside, successors, None)
    entry = way[-1][1] if way else start
    rounds = [
        [(a, t)] if t == entry else [(a, t), *_shortest(t, lambda k: k == entry, successors, inside[entry])]
        for a, t in successors(entry)
    ]
    return [*way, *min(rounds, key=len, default=[])], len(way)


def _shortest(
    start: N,
    done: Callable[[N], bool],
    successors: Callable[[N], Iterable[tuple[Any, N]]],
    within: frozenset[N] | None,
) -> list[tuple[Any, N]]:
    """The fewest steps from `start` to a node where `done` holds (none if it holds at once)."""
    if done(start):
        return []
    came: dict[N, tuple[N, Any]] = {}
    queue = deque([start])
    while queue:
        k = queue.popleft()
        for a, t in successors(k):
            if t in came or t == start or (within is not None and t not in within):
                continue
            came[t] = (k, a)
            if done(t):
                path = []
                while t != start:
                    previous, b = came[t]
                    path.append((b, t))
                    t = previous
                path.reverse()
                return path
            queue.append(t)
    raise AssertionError("every state of a closure reaches a component no step leaves")


def trapped(model: Any, prop: Property[Any], steps: list[tuple[Any, Any]], at: int, size: int, loop: int) -> str:
    """The violation's sentence, for the trap at step `at` of `steps` whose last step returns
    to step `loop` (and what differs each time round, where only the model's view repeats)."""
    last = len(steps) - 1
    faults = ", ".join(sorted(stops_of(prop))) or "no fault"
    ending = (
        f"the behaviour stops in step {loop}'s state"
        if loop == last
        else f"steps {loop + 1} to {last} can repeat forever"
    )
    return (
        f"{prop.name} fails: in step {at}'s state it is asked for, but no way on reaches it: the {size:,} "
        f"states reachable from there without {faults} all lack it, and none is held back by a bound; {ending}"
    ) + view_note(model, steps[loop][1], steps[-1][1])


# ---------------------------------------------------------------- from one state


@attrs.frozen
class Trap:
    """A state with no way on to the goal: how many states its ways on reach, and the steps on
    from it into what it does forever (the last returns to index `loop`; 0: the state itself)."""

    size: int
    steps: list[tuple[Any, Any]]
    loop: int


def escape(model: Model[Any, Any], prop: Property[Any], state: Any, limit: int = LIMIT) -> Trap | None:
    """The trap `state` is, if every state its ways on reach (up to `limit`) lacks the goal and
    none meets a bound; None where the goal is reached, a bound is met or the limit runs out."""
    stops = stops_of(prop)
    withheld: Callable[[Any], Iterable[Any]] = getattr(model, "withheld_steps", lambda s: ())
    key, label = model.key, action_key_function(model)
    start = key(state)
    states: dict[Any, Any] = {start: state}
    edges: dict[Any, list[tuple[Any, Any]]] = {}  # key -> [(the step's name, the key it leads to)]
    stack = [start]
    while stack:
        k = stack.pop()  # depth first: a way to the goal is usually found long before the closure ends
        s = states[k]
        if prop.check(s) or any(action_kind(a) not in stops for a, _ in withheld(s)):
            return None
        out = edges[k] = []
        for action, t in model.next_steps(s):
            if action_kind(action) in stops:
                continue
            if not model.within_bounds(t):
                return None
            kt = key(t)
            if kt == k:
                continue
            out.append((label(s, action), kt))
            if kt not in states:
                if len(states) >= limit:
                    return None
                states[kt] = t
                stack.append(kt)
    onward, loop = forever(start, list(states), edges.__getitem__)  # every state visited: the closure
    return Trap(len(states), _replayed(model, state, onward), loop)


def _replayed(model: Model[Any, Any], state: Any, onward: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The steps named by (step name, key) from `state`, each state rebuilt from the one before
    (under relative terms a key stands for states whose terms differ by a shift)."""
    key, label = model.key, action_key_function(model)
    steps, current = [], state
    for name, k in onward:
        action, current = next(
            (a, t) for a, t in model.next_steps(current) if label(current, a) == name and key(t) == k
        )
        steps.append((action, current))
    return steps
