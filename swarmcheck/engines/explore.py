"""The exhaustive explorer: breadth-first search over a model's bounded state space.

Breadth-first, level by level, so the first counterexample is a shortest one. Successors
outside the model's bounds are discarded (TLC's CONSTRAINT): neither counted as states nor
expanded. One process by default; `workers` > 1 splits the seen set among processes
(`parallel`), with the same counts and verdicts. What one part of the search does is in
`search`; rebuilding a counterexample from fingerprints is in `traces`.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from model.kernel import Model
from properties.base import Property
from swarmcheck.engines.result import Result, Stats
from swarmcheck.engines.search import Frontier, Part
from swarmcheck.engines.traces import with_trace

Progress = Callable[[str], None]


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@attrs.frozen
class Budgets:
    """Where a run stops short of the whole space, each None for no limit."""

    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None

    def hit(self, seconds: float, states: int) -> str | None:
        if self.time_limit is not None and seconds > self.time_limit:
            return f"time {self.time_limit:g} s"
        if self.max_states is not None and states > self.max_states:
            return f"{self.max_states} states"
        return None


@attrs.frozen
class Outcome:
    """How a search ended: the parts' findings, the depth reached, the budget that stopped it."""

    parts: Sequence[Part]
    depth: int
    budget_hit: str | None
    seconds: float
    states: int  # distinct states: the parts' parents (a worker sends its own only for a trace)


def explore(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    time_limit: float | None = None,
    symmetry: bool = True,
    stop_at_first: bool = True,
    progress: Progress | None = None,
    progress_every: float = 2.0,
    workers: int = 1,
) -> Result:
    """Explore every state within the model's bounds and judge every property."""
    budgets = Budgets(max_states, max_depth, time_limit)
    if workers > 1:
        from swarmcheck.engines.parallel import search_in_parts

        outcome = search_in_parts(
            model, properties, symmetry, workers, budgets, stop_at_first, progress, progress_every
        )
    else:
        part = Part(model, properties, symmetry)
        started = time.perf_counter()
        with collector_off():
            depth, budget_hit = search(
                part, budgets, stop_at_first, Clock(budgets, progress, progress_every, model.name)
            )
        outcome = Outcome([part], depth, budget_hit, time.perf_counter() - started, len(part.parents))
    return conclude(model, properties, outcome, stop_at_first)


@contextmanager
def collector_off() -> Iterator[None]:
    """States are acyclic: a garbage collection would only walk millions of live tuples."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class Clock:
    """Told the count of known states every thousand expansions: stops the level when a
    budget runs out (`budget_hit` says which) and prints progress every few seconds."""

    def __init__(self, budgets: Budgets, progress: Progress | None, every: float, name: str) -> None:
        self.budgets, self.progress, self.every, self.name = budgets, progress, every, name
        self.started = self.last_report = time.perf_counter()
        self.budget_hit: str | None = None
        self.depth = 0
        self.transitions: Callable[[], int] = lambda: 0

    def __call__(self, states: int) -> bool:
        now = time.perf_counter()
        self.budget_hit = self.budgets.hit(now - self.started, states)
        if self.progress is not None and now - self.last_report >= self.every:
            self.last_report = now
            self.progress(progress_line(self.name, states, self.transitions(), self.depth, now - self.started))
        return self.budget_hit is not None


def search(part: Part, budgets: Budgets, stop_at_first: bool, clock: Clock) -> tuple[int, str | None]:
    """Breadth-first in one process: the depth reached and the budget that ended the run, if one did."""
    clock.transitions = lambda: part.transitions
    frontier: Frontier = part.start()
    depth = 1 if frontier else 0
    # With no invariant to judge, the run is over once every `sometimes` is reached.
    reachability_only = part.only_reachability and part.undecided
    while frontier and not (stop_at_first and part.violations):
        if reachability_only and not part.undecided:
            return depth, "nothing left to decide"
        if budgets.max_depth is not None and depth >= budgets.max_depth:
            return depth, f"depth {budgets.max_depth}"
        clock.depth = depth
        frontier, _, _ = part.expand(frontier, stop_at_first, clock)
        if clock.budget_hit:
            return depth, clock.budget_hit
        if frontier:
            depth += 1
    return depth, None


def conclude(
    model: Model[Any, Any], properties: Sequence[Property[Any]], outcome: Outcome, stop_at_first: bool
) -> Result:
    """The parts' findings as one result: counts summed, for each property the violation of
    the lowest part (a shortest one: all were found at the same depth), its trace rebuilt."""
    parts = outcome.parts
    coverage: dict[str, int] = {}
    for part in parts:
        for kind, count in part.coverage.items():
            coverage[kind] = coverage.get(kind, 0) + count
    kinds: Callable[[], list[str]] | None = getattr(model, "action_kinds", None)
    stats = Stats(
        distinct_states=outcome.states,
        transitions=sum(p.transitions for p in parts),
        depth=outcome.depth,
        seconds=outcome.seconds,
        coverage=dict(sorted(coverage.items())),
        never_fired=sorted(k for k in (kinds() if kinds else []) if k not in coverage),
    )
    found = {}
    for part in reversed(parts):
        found.update(part.violations)
    parents: dict[int, int] = {}
    if found:
        for part in parts:
            parents.update(part.parents)
    fingerprint = parts[0].fingerprint
    return Result.judge(
        model_name=model.name,
        properties=properties,
        violations=[with_trace(model, properties, parents, fingerprint, v) for v in found.values()],
        reached=set().union(*(p.reached for p in parts)),
        stats=stats,
        complete=outcome.budget_hit is None and not (stop_at_first and found),
        # (a run ended by "nothing left to decide" is not complete, but every verdict is "reached")
        budget_hit=outcome.budget_hit,
        engine="explore",
    )


def progress_line(name: str, states: int, transitions: int, depth: int, seconds: float) -> str:
    rate = states / seconds if seconds else 0.0
    return f"[{name}] {states:,} distinct states, {transitions:,} transitions, depth {depth}, {seconds:.0f} s ({rate:,.0f} states/s)"
