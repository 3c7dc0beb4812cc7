"""Random walks (TLC's simulation mode): many seeded runs from an initial state, each up to a
depth, every state and step judged by the safety properties. It reaches far past the bounds
an exhaustive search can finish (four terms and two-entry logs on three Raft servers, where
the explorer meets tens of millions of states) and proves nothing: it only finds violations.

A walk picks the next step as the Hypothesis machine does (engines/stateful.py): a kind of
step at the model's rates, then one of that kind; and each walk switches some of the model's
fault kinds off (swarm testing). The same seed, walks and depth give the same walks, the
same figures and the same counterexample on every machine. A counterexample is the walk up
to the violation with its cycles cut out (a state met twice: the steps between go), then
shrunk as Hypothesis's failures are (runs.py: no step of it can be removed).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from model.kernel import Model, action_kind
from properties.base import BEYOND_SAFETY, Kind, Property
from swarmcheck.engines.choices import steps_by_kind
from swarmcheck.engines.result import HuntStats, Result, Trace, Violation
from swarmcheck.engines.runs import Checks, PropertyViolated, shrink, without_cycles

NOT_JUDGED = "not judged"  # liveness: a walk has no fair continuation to judge


def walk(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    *,
    walks: int,
    depth: int,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    progress_every: float = 10.0,
) -> Result:
    """`walks` seeded random runs of up to `depth` steps; the first violation ends the search."""
    rng = random.Random(seed)
    judge = _Judge(properties)
    inits = list(model.init_states())
    faults = sorted(getattr(model, "fault_kinds", ()))
    rate: Callable[[str], int] = getattr(model, "rate", lambda kind: 1)
    coverage: Counter[str] = Counter()
    started = last = time.perf_counter()
    steps = done = 0
    violation: Violation | None = None
    for done in range(1, walks + 1):
        off = {kind for kind in faults if rng.random() < 0.5}
        state = rng.choice(inits)
        trace: list[tuple[Any, Any]] = [(None, state)]
        violation = judge.state(state, trace)
        for _ in range(depth):
            if violation is not None:
                break
            by_kind = steps_by_kind(model, state, off)
            if not by_kind:
                break
            action, after = _pick(rng, by_kind, rate)
            trace.append((action, after))
            steps += 1
            coverage[action_kind(action)] += 1
            violation = judge.step(state, action, after, trace) or judge.state(after, trace)
            state = after
        if violation is not None:
            break
        if progress is not None and time.perf_counter() - last >= progress_every:
            last = time.perf_counter()
            progress(f"[{model.name}] walks: {done:,} of {walks:,}, {steps:,} steps, {last - started:.0f} s")
    if violation is not None:
        violation = _shrunk(model, properties, violation)
    stats = HuntStats(done, walks, steps, time.perf_counter() - started, dict(sorted(coverage.items())))
    liveness = [p for p in properties if p.kind in BEYOND_SAFETY]
    return Result.judge(
        model_name=model.name,
        properties=properties,
        violations=[violation] if violation is not None else [],
        reached=judge.reached,
        stats=None,
        complete=False,  # random runs prove nothing holds; they only find violations
        budget_hit=None,
        engine="walks",
        hunt_stats=stats,
        liveness={p.name: NOT_JUDGED for p in liveness},
        reasons={p.name: "random walks judge safety only; the explorer judges liveness and recovery" for p in liveness},
    )


def _shrunk(model: Model[Any, Any], properties: Sequence[Property[Any]], found: Violation) -> Violation:
    """The walk's violation with every step it does not need removed, judged by the safety
    properties (the walks judge nothing else)."""
    safety = [p for p in properties if p.kind in (Kind.ALWAYS, Kind.TRANSITION)]
    prop = next(p for p in safety if p.name == found.property)
    assert found.trace is not None
    failure = shrink(Checks(model, safety), PropertyViolated(prop, found.message, list(found.trace.steps)))
    return Violation(prop.name, prop.kind, failure.message, 0, Trace(failure.steps))


def _pick(rng: random.Random, by_kind: dict[str, list[tuple[Any, Any]]], rate: Callable[[str], int]) -> tuple[Any, Any]:
    """A kind at the model's rates, then one step of that kind: a bag full of messages does
    not drown out the rest, and timers and faults fire rarely, as in a real cluster."""
    kinds = sorted(by_kind)
    kind = rng.choices(kinds, [rate(k) for k in kinds])[0]
    return rng.choice(by_kind[kind])


class _Judge:
    """The safety properties over a walk, and the `sometimes` it reached."""

    def __init__(self, properties: Sequence[Property[Any]]) -> None:
        self.always = [p for p in properties if p.kind is Kind.ALWAYS]
        self.steps = [p for p in properties if p.kind is Kind.TRANSITION]
        self.sometimes = [p for p in properties if p.kind is Kind.SOMETIMES]
        self.sometimes_steps = [p for p in properties if p.kind is Kind.SOMETIMES_STEP]
        self.reached: set[str] = set()

    def state(self, s: Any, trace: list[tuple[Any, Any]]) -> Violation | None:
        for p in self.sometimes:
            if p.name not in self.reached and p.check(s):
                self.reached.add(p.name)
        for p in self.always:
            message = p.check(s)
            if message:
                return Violation(p.name, p.kind, message, 0, Trace(without_cycles(trace)))
        return None

    def step(self, before: Any, action: Any, after: Any, trace: list[tuple[Any, Any]]) -> Violation | None:
        for p in self.sometimes_steps:
            if p.name not in self.reached and p.check(before, action, after):
                self.reached.add(p.name)
        for p in self.steps:
            message = p.check(before, action, after)
            if message:
                return Violation(p.name, p.kind, message, 0, Trace(without_cycles(trace)))
        return None
