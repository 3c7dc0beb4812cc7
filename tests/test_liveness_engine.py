"""The liveness engine (components, fairness, bounds, lassos) against hand-made graphs and
against brute force: every set of edges that a behaviour could take forever, tried one by one."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from properties.base import Fairness, Kind, Property, eventually, fair, leads_to
from swarmcheck.engines.graph import build
from swarmcheck.engines.liveness import components, judge
from swarmcheck.engines.result import HOLDS, INCOMPLETE, VACUOUS, VIOLATED

OUT = 100  # states from here on lie outside the bounds


@attrs.frozen
class Step:
    rule: str
    n: int


@attrs.frozen
class Toy:
    """A model that is just a graph: state -> [(kind, target)]; state OUT and beyond is out of bounds."""

    edges: dict[int, list[tuple[str, int]]]
    name: str = "toy"

    def init_states(self) -> Iterator[int]:
        yield 0

    def next_steps(self, s: int) -> Iterator[tuple[Step, int]]:
        for n, (kind, t) in enumerate(self.edges.get(s, [])):
            yield Step(kind, n), t

    def within_bounds(self, s: int) -> bool:
        return s < OUT

    def key(self, s: int) -> int:
        return s

    def canonical(self, s: int) -> int:
        return s


def verdict(edges: dict[int, list[tuple[str, int]]], prop: Property[Any]) -> str:
    return judge(build(Toy(edges), [prop]), prop).verdict


GOAL = 9  # the goal state of the hand-made graphs


def reaches_goal(fairness: Fairness) -> Property[int]:
    return eventually("reaches_goal", lambda s: s == GOAL, fairness, "test")


def test_a_fair_cycle_that_never_reaches_the_goal_is_a_violation() -> None:
    graph = {0: [("a", 1)], 1: [("b", 0)]}
    finding = judge(build(Toy(graph), [p := reaches_goal(fair(weak=("a", "b")))]), p)
    assert finding.verdict == VIOLATED
    assert finding.violation is not None and finding.violation.trace is not None
    trace = finding.violation.trace
    assert trace.loop == 0 and [s for _, s in trace.steps] == [0, 1, 0]


def test_a_weakly_fair_action_enabled_throughout_and_never_taken_makes_the_cycle_unfair() -> None:
    graph = {0: [("a", 1), ("c", GOAL)], 1: [("b", 0), ("c", GOAL)]}
    assert verdict(graph, reaches_goal(fair(weak=("a", "b", "c")))) == HOLDS
    assert verdict(graph, reaches_goal(fair(weak=("a", "b")))) == VIOLATED  # c need never be taken


def test_weak_fairness_is_met_where_the_action_is_disabled_and_strong_fairness_is_not() -> None:
    graph = {0: [("a", 1), ("c", GOAL)], 1: [("b", 0)]}
    assert verdict(graph, reaches_goal(fair(weak=("a", "b", "c")))) == VIOLATED
    assert verdict(graph, reaches_goal(fair(weak=("a", "b"), strong=("c",)))) == HOLDS


def test_a_cycle_through_a_bound_cut_state_is_incomplete_not_violated() -> None:
    graph = {0: [("a", 1), ("c", OUT)], 1: [("b", 0), ("c", OUT + 1)]}
    prop = reaches_goal(fair(weak=("a", "b", "c")))
    finding = judge(build(Toy(graph), [prop]), prop)
    assert finding.verdict == INCOMPLETE and "the state constraint" in finding.reason


def test_a_state_with_no_fair_action_enabled_is_a_behaviour_that_stops_there() -> None:
    graph = {0: [("a", 1)], 1: [("fault", GOAL)]}
    prop = reaches_goal(fair(weak=("a",)))
    finding = judge(build(Toy(graph), [prop]), prop)
    assert finding.verdict == VIOLATED and finding.violation is not None and finding.violation.trace is not None
    assert finding.violation.trace.loop == 1 and len(finding.violation.trace) == 2  # it stays in state 1
    assert verdict(graph, reaches_goal(fair(weak=("a", "fault")))) == HOLDS


def test_steps_that_stop_may_lead_into_a_cycle_but_never_go_round_one() -> None:
    graph = {0: [("a", 1)], 1: [("fault", 0), ("c", GOAL)]}
    assert verdict(graph, reaches_goal(fair(weak=("a", "fault")))) == VIOLATED
    assert verdict(graph, reaches_goal(fair(weak=("a",), stops=("fault",)))) == VIOLATED  # stops in 1: c not fair
    assert verdict(graph, reaches_goal(fair(weak=("a", "c"), stops=("fault",)))) == HOLDS


def test_leads_to_starts_counting_where_the_trigger_holds() -> None:
    graph = {0: [("a", 1)], 1: [("a", 2)], 2: [("b", 1), ("c", GOAL)], GOAL: [("a", 0)]}
    asked = leads_to("two_then_goal", lambda s: s == 2, lambda s: s == GOAL, fair(weak=("a", "b")), "test")
    finding = judge(build(Toy(graph), [asked]), asked)
    assert finding.verdict == VIOLATED and finding.violation is not None and finding.violation.trace is not None
    assert [s for _, s in finding.violation.trace.steps][:3] == [0, 1, 2]
    # c is disabled in state 1, so weak fairness lets the cycle 1-2 go on; strong does not.
    assert (
        verdict(graph, leads_to("x", lambda s: s == 2, lambda s: s == GOAL, fair(weak=("a", "b", "c")), "t"))
        == VIOLATED
    )
    assert verdict(graph, leads_to("x", lambda s: s == 2, lambda s: s == GOAL, fair(("a", "b"), ("c",)), "t")) == HOLDS


def test_components_are_found_without_recursion_on_a_long_chain() -> None:
    n = 50_000
    found = components(range(n), lambda k: [k + 1] if k + 1 < n else [0])
    assert len(found) == 1 and len(found[0]) == n


# Brute force: a behaviour that stays forever in a set D of edges (strongly connected, or no
# edge at all: it stops in one state) is a counterexample exactly when D's states lie in the
# goal-free region, D takes no `stops` step, and every fair action is treated right.


def brute_force(
    graph: dict[int, list[tuple[str, int]]], fairness: Fairness, goal: set[int], trigger: set[int] | None
) -> str:
    edges = [(s, Step(k, n), t) for s, out in graph.items() for n, (k, t) in enumerate(out) if t < OUT and t != s]
    withheld = {s: {Step(k, n) for n, (k, t) in enumerate(out) if t >= OUT} for s, out in graph.items()}
    region = _region(edges, goal, trigger)
    if trigger is not None and not trigger & _region(edges, set(), None):
        return VACUOUS  # the trigger holds in no reachable state

    def key(a: Step) -> Any:
        return a if fairness.each else a.rule

    def enabled(s: int, kinds: frozenset[str], strict: bool) -> set[Any]:
        acts = {a for u, a, _ in edges if u == s} | (withheld.get(s, set()) if strict else set())
        return {key(a) for a in acts if a.rule in kinds}

    def fair_forever(states: set[int], taken: set[Any], strict: bool) -> bool:
        for kinds, everywhere in ((fairness.weak, True), (fairness.strong, False)):
            per_state = [enabled(s, kinds, strict) for s in states]
            due = set.intersection(*per_state) if everywhere else set.union(*per_state)
            if due - taken:
                return False
        return True

    candidates = [(set([s]), set()) for s in region]
    usable = [e for e in edges if e[0] in region and e[2] in region and e[1].rule not in fairness.stops]
    for size in range(1, len(usable) + 1):
        for chosen in itertools.combinations(usable, size):
            states = {u for u, _, _ in chosen} | {t for _, _, t in chosen}
            if _strongly_connected(states, [(u, t) for u, _, t in chosen]):
                candidates.append((states, {key(a) for _, a, _ in chosen}))
    if any(fair_forever(s, taken, True) for s, taken in candidates):
        return VIOLATED
    if any(fair_forever(s, taken, False) for s, taken in candidates):
        return INCOMPLETE
    return HOLDS


def _region(edges: list[tuple[int, Step, int]], goal: set[int], trigger: set[int] | None) -> set[int]:
    reach, todo = {0}, [0]
    while todo:
        s = todo.pop()
        for u, _, t in edges:
            if u == s and t not in reach:
                reach.add(t)
                todo.append(t)
    starts = {0} if trigger is None else trigger & reach
    region = {s for s in starts if s not in goal}
    todo = list(region)
    while todo:
        s = todo.pop()
        for u, _, t in edges:
            if u == s and t not in goal and t not in region:
                region.add(t)
                todo.append(t)
    return region


def _strongly_connected(states: set[int], pairs: list[tuple[int, int]]) -> bool:
    def reach(start: int, forward: bool) -> set[int]:
        seen, todo = {start}, [start]
        while todo:
            s = todo.pop()
            for u, t in pairs:
                a, b = (u, t) if forward else (t, u)
                if a == s and b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen

    first = next(iter(states))
    return reach(first, True) == states == reach(first, False)


def random_graph(rng: random.Random) -> dict[int, list[tuple[str, int]]]:
    states = rng.randint(2, 4)
    graph: dict[int, list[tuple[str, int]]] = {}
    for s in range(states):
        graph[s] = [
            (rng.choice("abcf"), rng.choice([*range(states), OUT] if rng.random() < 0.3 else range(states)))
            for _ in range(rng.randint(0, 3))
        ]
    return graph


def random_case(seed: int) -> tuple[dict[int, list[tuple[str, int]]], Fairness, set[int], set[int] | None]:
    rng = random.Random(seed)
    graph = random_graph(rng)
    weak = tuple(k for k in "abc" if rng.random() < 0.5)
    strong = tuple(k for k in "abc" if k not in weak and rng.random() < 0.3)
    fairness = fair(weak=weak, strong=strong, stops=("f",) if rng.random() < 0.5 else (), each=rng.random() < 0.5)
    goal = {s for s in graph if rng.random() < 0.25} - {0}
    trigger = {s for s in graph if rng.random() < 0.4} if rng.random() < 0.5 else None
    return graph, fairness, goal, trigger


SEEDS = range(600)


def test_the_random_graphs_give_every_verdict() -> None:
    said = Counter(brute_force(*random_case(seed)) for seed in SEEDS)
    assert min(said[v] for v in (HOLDS, VIOLATED, INCOMPLETE)) >= 8, said


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engine_agrees_with_brute_force_on_random_graphs(seed: int) -> None:
    graph, fairness, goal, trigger = random_case(seed)
    if trigger is None:
        prop = eventually("p", lambda s: s in goal, fairness, "test")
    else:
        prop = leads_to("p", lambda s: s in trigger, lambda s: s in goal, fairness, "test")
    finding = judge(build(Toy(graph), [prop]), prop)
    assert finding.verdict == brute_force(graph, fairness, goal, trigger), (graph, fairness, goal, trigger)
    if finding.violation is not None:
        assert_a_fair_lasso(graph, prop, finding.violation.trace, goal)


def assert_a_fair_lasso(
    graph: dict[int, list[tuple[str, int]]], prop: Property[Any], trace: Any, goal: set[int]
) -> None:
    """Each step is an edge; the cycle returns to its first state; the goal never holds on it."""
    steps = trace.steps
    for (_, s), (action, t) in itertools.pairwise(steps):
        assert (action.rule, t) == graph[s][action.n]
    loop = trace.loop
    assert loop is not None and steps[loop][1] == steps[-1][1]
    assert not any(s in goal for _, s in steps[loop:])
    if prop.kind is Kind.EVENTUALLY:
        assert not any(s in goal for _, s in steps)
