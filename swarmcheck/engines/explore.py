"""The exhaustive explorer: breadth-first search over a model's bounded state space.

Breadth-first, level by level, so the first counterexample is a shortest one. Successors
outside the model's bounds are discarded (TLC's CONSTRAINT): neither counted as states nor
expanded. One process by default; `workers` > 1 splits the seen set among processes
(`parallel`), with the same counts and verdicts. What one part of the search does is in
`search`; rebuilding a counterexample from fingerprints is in `traces`.

A long run can be saved as it goes: `checkpoint` is handed a `Snapshot` (the seen set, the
frontier, the counts so far) every `checkpoint_every` seconds and on Ctrl-C, always between
two states' expansions; `resume` continues from one, to the same counts as a run never
stopped. Writing a snapshot to disk is an output's business (swarmcheck/outputs/checkpoint.py).
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from model.kernel import Model
from properties.base import BEYOND_SAFETY, Kind, Property
from swarmcheck.engines import recovery
from swarmcheck.engines.graph import BudgetHit, build
from swarmcheck.engines.liveness import judge
from swarmcheck.engines.result import (
    INCOMPLETE,
    REACHED,
    GraphStats,
    ModelError,
    Result,
    Stats,
    Trace,
    Violation,
)
from swarmcheck.engines.search import Frontier, ModelRaised, Part
from swarmcheck.engines.traces import path_to, walk_path, with_trace

Progress = Callable[[str], None]


@attrs.frozen
class Snapshot:
    """A search stopped between two expansions: enough to go on as if it never stopped."""

    parents: dict[int, int]
    frontier: Frontier  # the rest of the level being expanded
    following: Frontier  # the next level, as found so far
    depth: int
    transitions: int
    coverage: dict[str, int]
    reached: frozenset[str]
    violations: tuple[Violation, ...]


Saver = Callable[[Snapshot], None]


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
    backend: str = "processes",
    address: str | None = None,
    checkpoint: Saver | None = None,
    checkpoint_every: float = 300.0,
    resume: Snapshot | None = None,
) -> Result:
    """Explore every state within the model's bounds and judge every property."""
    budgets = Budgets(max_states, max_depth, time_limit)
    if (workers > 1 or backend == "ray") and (checkpoint or resume):
        raise ValueError("checkpoints are written by one worker in this process: use workers=1")
    if backend == "ray":
        from swarmcheck.engines.distributed import search_on_ray

        outcome = search_on_ray(
            model, properties, symmetry, workers, budgets, stop_at_first, progress, progress_every, address
        )
    elif workers > 1:
        from swarmcheck.engines.parallel import search_in_parts

        outcome = search_in_parts(
            model, properties, symmetry, workers, budgets, stop_at_first, progress, progress_every
        )
    else:
        part = Part(model, properties, symmetry)
        started = time.perf_counter()
        clock = Clock(budgets, progress, progress_every, model.name)
        if checkpoint is not None:
            clock.checkpoint_every = checkpoint_every
        with collector_off(), _interrupts_to(clock, checkpoint is not None):
            try:
                depth, budget_hit = search(part, budgets, stop_at_first, clock, checkpoint, resume)
            except ModelRaised as raised:
                run = Trace(walk_path(model, path_to(part.parents, raised.fp), part.fingerprint))
                raise ModelError(str(raised), run) from raised.error
        outcome = Outcome([part], depth, budget_hit, time.perf_counter() - started, len(part.parents))
    result = conclude(model, properties, outcome, stop_at_first)
    # A run that stops at its first violation has its answer: no graph is built after it.
    if any(p.kind in BEYOND_SAFETY for p in properties) and not (stop_at_first and result.violations):
        result = with_liveness(model, properties, result, budgets)
    return result


def with_liveness(
    model: Model[Any, Any], properties: Sequence[Property[Any]], safety: Result, budgets: Budgets
) -> Result:
    """The liveness and recovery properties judged on the state graph (engines/liveness.py,
    recovery.py), beside the safety verdicts: a second pass that keeps every edge, so a
    safety-only run pays nothing."""
    chosen = [p for p in properties if p.kind in BEYOND_SAFETY]
    verdicts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    found: list[Violation] = []
    graph = None
    with collector_off():
        try:
            graph = build(model, chosen, budgets.max_states, budgets.time_limit)
        except BudgetHit as stopped:
            for p in chosen:
                verdicts[p.name], reasons[p.name] = INCOMPLETE, f"the state graph outgrew the budget ({stopped})"
        for p in chosen:
            if graph is None:
                break
            finding = (recovery.judge if p.kind is Kind.RECOVERABLE else judge)(graph, p)
            verdicts[p.name] = finding.verdict
            if finding.reason:
                reasons[p.name] = finding.reason
            if finding.violation is not None:
                found.append(finding.violation)
    stats = safety.stats
    if stats is not None and graph is not None:
        stats = attrs.evolve(stats, seconds=stats.seconds + graph.seconds, graph=GraphStats.of(graph))
    return Result.judge(
        model_name=safety.model,
        properties=properties,
        violations=[*safety.violations, *found],
        reached={name for name, said in safety.verdicts.items() if said == REACHED},
        stats=stats,
        complete=not any(v == INCOMPLETE for n, v in safety.verdicts.items() if n not in verdicts),
        budget_hit=safety.budget_hit,
        engine=safety.engine,
        liveness=verdicts,
        reasons=reasons,
    )


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
        self.checkpoint_every: float | None = None
        self.last_checkpoint = self.started
        self.interrupted = False  # Ctrl-C, when a checkpoint is to be written first

    def __call__(self, states: int) -> bool:
        now = time.perf_counter()
        self.budget_hit = self.budgets.hit(now - self.started, states)
        if self.progress is not None and now - self.last_report >= self.every:
            self.last_report = now
            self.progress(progress_line(self.name, states, self.transitions(), self.depth, now - self.started))
        return self.budget_hit is not None or self.interrupted or self.checkpoint_due(now)

    def checkpoint_due(self, now: float) -> bool:
        return self.checkpoint_every is not None and now - self.last_checkpoint >= self.checkpoint_every


@contextmanager
def _interrupts_to(clock: Clock, wanted: bool) -> Iterator[None]:
    """While checkpointing, Ctrl-C only tells the clock: the level stops between two states,
    the last checkpoint is written, and then the KeyboardInterrupt is raised."""
    if not wanted or threading.current_thread() is not threading.main_thread():
        yield
        return

    def note(signum: int, frame: Any) -> None:
        clock.interrupted = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def search(
    part: Part,
    budgets: Budgets,
    stop_at_first: bool,
    clock: Clock,
    checkpoint: Saver | None = None,
    resume: Snapshot | None = None,
) -> tuple[int, str | None]:
    """Breadth-first in one process: the depth reached and the budget that ended the run, if one did."""
    clock.transitions = lambda: part.transitions
    if resume is None:
        frontier: Frontier = part.start()
        following: Frontier = []
        depth = 1 if frontier else 0
    else:
        frontier, following, depth = list(resume.frontier), list(resume.following), resume.depth
        _restore(part, resume)
    # With no invariant to judge, the run is over once every `sometimes` is reached.
    reachability_only = part.only_reachability and bool(part.reached or part.undecided)
    while frontier and not (stop_at_first and part.violations):
        if reachability_only and not part.undecided:
            return depth, "nothing left to decide"
        if budgets.max_depth is not None and depth >= budgets.max_depth:
            if checkpoint is not None:  # a larger budget may go on from here
                checkpoint(_snapshot(part, frontier, following, depth))
            return depth, f"depth {budgets.max_depth}"
        clock.depth = depth
        found, _, position = part.expand(frontier, stop_at_first, clock)
        following.extend(found)
        if clock.budget_hit:
            if checkpoint is not None:
                checkpoint(_snapshot(part, frontier[position:], following, depth))
            return depth, clock.budget_hit
        if checkpoint is not None and position < len(frontier):
            checkpoint(_snapshot(part, frontier[position:], following, depth))
            clock.last_checkpoint = time.perf_counter()
            if clock.interrupted:
                raise KeyboardInterrupt
            frontier = frontier[position:]
            continue  # the same level, from the next state on
        frontier, following = following, []
        if frontier:
            depth += 1
    return depth, None


def _snapshot(part: Part, frontier: Frontier, following: Frontier, depth: int) -> Snapshot:
    return Snapshot(
        parents=part.parents,
        frontier=frontier,
        following=following,
        depth=depth,
        transitions=part.transitions,
        coverage=dict(part.coverage),
        reached=frozenset(part.reached),
        violations=tuple(part.violations.values()),
    )


def _restore(part: Part, snapshot: Snapshot) -> None:
    """Where the snapshot's run had got to: its seen set (taken over, not copied: it may
    hold millions of states), counts, and what it had judged."""
    part.parents = snapshot.parents
    part.transitions = snapshot.transitions
    part.coverage.update(snapshot.coverage)
    part.reached |= snapshot.reached
    part.sometimes = [p for p in part.sometimes if p.name not in snapshot.reached]
    part.sometimes_steps = [p for p in part.sometimes_steps if p.name not in snapshot.reached]
    part.violations.update({v.property: v for v in snapshot.violations})


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
