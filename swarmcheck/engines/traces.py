"""Counterexamples from fingerprints: the explorer keeps only a parent fingerprint per state,
so a trace is rebuilt by walking forward from an initial state, at each step choosing a
successor with the next fingerprint on the path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from model.kernel import Model
from properties.base import Kind, Property
from swarmcheck.engines.result import Trace, Violation


def path_to(parents: dict[int, int], fp: int) -> list[int]:
    """Fingerprints from an initial state (its own parent) to `fp`."""
    path = [fp]
    while parents[path[-1]] != path[-1]:
        path.append(parents[path[-1]])
    path.reverse()
    return path


def with_trace(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    parents: dict[int, int],
    fingerprint: Callable[[Any], int],
    violation: Violation,
) -> Violation:
    """The violation with its rebuilt trace, its sentence said of that trace's own states:
    under symmetry the trace may reach a renaming of the state first seen."""
    prop = next(p for p in properties if p.name == violation.property)
    trace = rebuild(model, prop, path_to(parents, violation.state_fp), fingerprint, violation.kind)
    (_, before), (action, after) = trace.steps[-2] if len(trace) > 1 else trace.steps[-1], trace.steps[-1]
    message = prop.check(after) if violation.kind is Kind.ALWAYS else prop.check(before, action, after)
    return attrs.evolve(violation, trace=trace, message=message or violation.message)


def rebuild(
    model: Model[Any, Any], prop: Property[Any], path: list[int], fingerprint: Callable[[Any], int], kind: Kind
) -> Trace:
    """Re-walk `path` from an initial state; the last step of a transition violation is the
    one that breaks it."""
    steps = walk_path(model, path, fingerprint)
    current = steps[-1][1]
    if kind is Kind.TRANSITION:
        for action, t in model.next_steps(current):
            if model.within_bounds(t) and prop.check(current, action, t):
                steps.append((action, t))
                break
    return Trace(steps)


def walk_path(model: Model[Any, Any], path: list[int], fingerprint: Callable[[Any], int]) -> list[tuple[Any, Any]]:
    """The steps (None, initial state), then (action, state), through the fingerprints of `path`."""
    current = next(s for s in model.init_states() if fingerprint(s) == path[0])
    steps: list[tuple[Any, Any]] = [(None, current)]
    for fp in path[1:]:
        action, current = next(
            (a, t) for a, t in model.next_steps(current) if model.within_bounds(t) and fingerprint(t) == fp
        )
        steps.append((action, current))
    return steps
