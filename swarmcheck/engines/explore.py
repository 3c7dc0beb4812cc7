"""The exhaustive explorer: breadth-first search over a model's bounded state space.

As TLC does, the explorer keeps one fingerprint and one parent fingerprint per
distinct state and rebuilds a trace on demand by re-expanding parents, so the
hot path never stores actions. Breadth-first order makes the first
counterexample a shortest one. Successors outside the model's bounds are
discarded (TLC's CONSTRAINT): neither counted as states nor expanded.
"""

from __future__ import annotations

import gc
import marshal
import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import attrs

from model.kernel import Model, action_kind
from properties.base import Kind, Property
from swarmcheck.engines.result import Result, Stats, Trace, Violation

Progress = Callable[[str], None]


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@attrs.define
class _Search:
    """The mutable bookkeeping of one run."""

    model: Model[Any, Any]
    properties: Sequence[Property[Any]]
    symmetry: bool
    parents: dict[int, int] = attrs.Factory(dict)
    coverage: Counter[str] = attrs.Factory(Counter)
    violations: dict[str, Violation] = attrs.Factory(dict)
    reached: set[str] = attrs.Factory(set)
    transitions: int = 0

    def fingerprint(self, s: Any) -> int:
        key: Hashable = self.model.canonical(s) if self.symmetry else self.model.key(s)
        return fingerprint_function(self.model)(key)


def fingerprint_function(model: Model[Any, Any]) -> Callable[[Hashable], int]:
    """hash() where the model says its keys allow it (ints no lower than -1 in tuples: about
    ten times cheaper than marshalling), the marshal fingerprint everywhere else."""
    return hash if getattr(model, "hash_fingerprints", False) else fingerprint_of


def fingerprint_of(key: Hashable) -> int:
    """A state's 64-bit fingerprint. Not hash(key): CPython hashes -1 and -2 alike, so tuples
    that differ only there always collide, and distinct states were merged (16 of 17,996 in one
    orchestration configuration). SipHash over the value's marshal form (version 2: no
    back-references, so equal values give equal bytes) does not; a key marshal cannot
    encode falls back to hash()."""
    try:
        return hash(marshal.dumps(key, 2))  # type: ignore[arg-type]  # a ValueError says no
    except ValueError:
        return hash(key)


@attrs.frozen
class Budgets:
    """Where a run stops short of the whole space, each None for no limit."""

    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None


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
) -> Result:
    """Explore every state within the model's bounds and judge every property."""
    run = _Search(model, properties, symmetry)
    budgets = Budgets(max_states, max_depth, time_limit)
    started = time.perf_counter()
    gc_was_on = gc.isenabled()
    gc.disable()  # states are acyclic: a collection would only walk millions of live tuples
    try:
        depth, budget_hit = _search(run, budgets, stop_at_first, progress, progress_every)
    finally:
        if gc_was_on:
            gc.enable()
    seconds = time.perf_counter() - started
    kinds = _action_kinds(model)
    stats = Stats(
        distinct_states=len(run.parents),
        transitions=run.transitions,
        depth=depth,
        seconds=seconds,
        coverage=dict(sorted(run.coverage.items())),
        never_fired=sorted(k for k in kinds if k not in run.coverage),
    )
    return Result.judge(
        model_name=model.name,
        properties=properties,
        violations=[_with_trace(run, v) for v in run.violations.values()],
        reached=run.reached,
        stats=stats,
        complete=budget_hit is None and not (stop_at_first and run.violations),
        # (a run ended by "nothing left to decide" is not complete, but every verdict is "reached")
        budget_hit=budget_hit,
        engine="explore",
    )


def _search(
    run: _Search, budgets: Budgets, stop_at_first: bool, progress: Progress | None, progress_every: float
) -> tuple[int, str | None]:
    """Breadth-first, level by level: the depth reached and the budget that ended the run, if one did.

    The inner loop is the hot path (tens of millions of transitions): everything it calls
    is bound to a local name first."""
    model, properties = run.model, run.properties
    always = [p for p in properties if p.kind is Kind.ALWAYS]
    steps = [p for p in properties if p.kind is Kind.TRANSITION]
    sometimes = [p for p in properties if p.kind is Kind.SOMETIMES]
    sometimes_steps = [p for p in properties if p.kind is Kind.SOMETIMES_STEP]
    parents, coverage, violations = run.parents, run.coverage, run.violations
    started = last_report = time.perf_counter()
    budget_hit: str | None = None

    def on_new_state(fp: int, s: Any) -> None:
        for p in always:
            if p.name not in violations:
                message = p.check(s)
                if message:
                    violations[p.name] = Violation(p.name, p.kind, message, fp)
        for p in list(sometimes):
            if p.check(s):
                run.reached.add(p.name)
                sometimes.remove(p)

    frontier: list[tuple[int, Any]] = []
    for s in model.init_states():
        if not model.within_bounds(s):
            continue
        fp = run.fingerprint(s)
        if fp not in parents:
            parents[fp] = fp
            frontier.append((fp, s))
            on_new_state(fp, s)
    depth = 1 if frontier else 0
    fp_of = fingerprint_function(model)
    key_of = model.canonical if run.symmetry else model.key
    model_key = model.key
    next_steps = model.next_steps
    # A model whose guards hold its bounds spares a within_bounds call per successor.
    within_bounds = None if getattr(model, "successors_within_bounds", False) else model.within_bounds
    judge_steps = bool(steps or sometimes_steps)
    judge_states = bool(always or sometimes)
    # Coverage is counted by class (a class is one kind of action), or by rule where each
    # action names its rule (model.kernel.action_kind): one dictionary update a step.
    by_class: dict[type, int] = {}
    named_by_rule: set[type] = set()
    # Under symmetry, canonical forms are dear; most successors are states generated before.
    exact: set[int] | None = set() if run.symmetry else None
    transitions = 0

    # With no invariant to judge, the run is over once every `sometimes` is reached.
    only_reachability = not always and not steps and bool(sometimes or sometimes_steps)

    while frontier and not (stop_at_first and violations):
        if only_reachability and not sometimes and not sometimes_steps:
            budget_hit = "nothing left to decide"
            break
        if budgets.max_depth is not None and depth >= budgets.max_depth:
            budget_hit = f"depth {budgets.max_depth}"
            break
        following: list[tuple[int, Any]] = []
        for position, (fp, s) in enumerate(frontier):
            for action, t in next_steps(s):
                if within_bounds is not None and not within_bounds(t):
                    continue
                transitions += 1
                cls = action.__class__
                if cls in named_by_rule:
                    coverage[action.rule] += 1
                else:
                    try:
                        by_class[cls] += 1
                    except KeyError:
                        _first_of_class(action, by_class, named_by_rule, coverage)
                if judge_steps:
                    _judge_step(run, steps, sometimes_steps, fp, s, action, t)
                if t is s:
                    continue  # a stuttering step: nothing new
                if exact is not None:
                    # Seen this very state before: its orbit is known, skip canonicalizing.
                    seen_as_is = fp_of(model_key(t))
                    if seen_as_is in exact:
                        continue
                    exact.add(seen_as_is)
                tfp = fp_of(key_of(t))
                if tfp in parents:
                    continue
                parents[tfp] = fp
                following.append((tfp, t))
                if judge_states:
                    on_new_state(tfp, t)
            if stop_at_first and violations:
                break
            if position & 1023 == 0:
                run.transitions = transitions
                now = time.perf_counter()
                budget_hit = _budget_hit(budgets, now - started, len(parents))
                if budget_hit:
                    break
                if progress is not None and now - last_report >= progress_every:
                    last_report = now
                    progress(_progress_line(model.name, len(parents), transitions, depth, now - started))
        if budget_hit:
            break
        frontier = following
        if frontier:
            depth += 1
    run.transitions = transitions
    for cls, count in by_class.items():
        coverage[cls.__name__] += count
    return depth, budget_hit


def _first_of_class(action: Any, by_class: dict[type, int], named_by_rule: set[type], coverage: Counter[str]) -> None:
    """The first step of its class: is the class one kind of action, or does each name its rule?"""
    kind = action_kind(action)
    if kind == type(action).__name__ and not hasattr(action, "rule"):
        by_class[type(action)] = 1
    else:
        named_by_rule.add(type(action))
        coverage[kind] += 1


def _judge_step(
    run: _Search,
    steps: list[Property[Any]],
    sometimes_steps: list[Property[Any]],
    fp: int,
    s: Any,
    action: Any,
    t: Any,
) -> None:
    """The `transition` and `sometimes_step` properties, on one step."""
    for p in steps:
        if p.name not in run.violations:
            message = p.check(s, action, t)
            if message:
                run.violations[p.name] = Violation(p.name, p.kind, message, fp)
    for p in list(sometimes_steps):
        if p.check(s, action, t):
            run.reached.add(p.name)
            sometimes_steps.remove(p)


def _budget_hit(budgets: Budgets, seconds: float, states: int) -> str | None:
    if budgets.time_limit is not None and seconds > budgets.time_limit:
        return f"time {budgets.time_limit:g} s"
    if budgets.max_states is not None and states > budgets.max_states:
        return f"{budgets.max_states} states"
    return None


def _progress_line(name: str, states: int, transitions: int, depth: int, seconds: float) -> str:
    rate = states / seconds if seconds else 0.0
    return f"[{name}] {states:,} distinct states, {transitions:,} transitions, depth {depth}, {seconds:.0f} s ({rate:,.0f} states/s)"


def _action_kinds(model: Model[Any, Any]) -> list[str]:
    kinds: Callable[[], list[str]] | None = getattr(model, "action_kinds", None)
    return list(kinds()) if kinds else []


def _path_to(parents: dict[int, int], fp: int) -> list[int]:
    path = [fp]
    while parents[path[-1]] != path[-1]:
        path.append(parents[path[-1]])
    path.reverse()
    return path


def _with_trace(run: _Search, violation: Violation) -> Violation:
    """The violation with its rebuilt trace, its sentence said of that trace's own states:
    under symmetry the trace may reach a renaming of the state first seen."""
    trace = _rebuild(run, violation)
    prop = next(p for p in run.properties if p.name == violation.property)
    (_, before), (action, after) = trace.steps[-2] if len(trace) > 1 else trace.steps[-1], trace.steps[-1]
    message = prop.check(after) if violation.kind is Kind.ALWAYS else prop.check(before, action, after)
    return attrs.evolve(violation, trace=trace, message=message or violation.message)


def _rebuild(run: _Search, violation: Violation) -> Trace:
    """Re-walk from an initial state, choosing at each step a successor with the next
    fingerprint; the last step of a transition violation is the one that breaks it."""
    model = run.model
    path = _path_to(run.parents, violation.state_fp)
    current = next(s for s in model.init_states() if run.fingerprint(s) == path[0])
    steps: list[tuple[Any, Any]] = [(None, current)]
    for fp in path[1:]:
        action, current = next(
            (a, t) for a, t in model.next_steps(current) if model.within_bounds(t) and run.fingerprint(t) == fp
        )
        steps.append((action, current))
    if violation.kind is Kind.TRANSITION:
        prop = next(p for p in run.properties if p.name == violation.property)
        for action, t in model.next_steps(current):
            if model.within_bounds(t) and prop.check(current, action, t):
                steps.append((action, t))
                break
    return Trace(steps)
