"""A run of a model judged by its properties, and a failing run shrunk.

The Hypothesis machine (stateful.py) judges each run as it goes; `shrink` judges candidate
runs the same way by replaying them on the model alone. Hypothesis's own shrinker re-ran
every candidate through the machine and its draws: on Raft, shrinking a 42-step failure
took a minute where finding it took a third of a second. Replaying actions costs the
model's steps only, so a failure comes back shrunk in about a second.

A run is shrunk by removing steps, in chunks that halve down to one step (delta debugging,
Zeller and Hildebrandt, TSE 2002); a candidate counts when every action is still enabled
where it is taken and the same property fails. What comes back is 1-minimal: no single
step can be removed. The search is deterministic, so a run always shrinks the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.kernel import Model
from properties.base import LIVENESS, Kind, Property
from swarmcheck.engines.fair_run import LIMIT, continue_fairly, falls_due
from swarmcheck.engines.recovery import escape, trapped

Steps = list[tuple[Any, Any]]


class PropertyViolated(AssertionError):
    """Raised inside the machine; carries the violation, the steps that led to it and how
    many of them the run took (the rest, for a liveness property, is the fair continuation
    whose cycle returns to `loop`, if it is a lasso)."""

    def __init__(
        self, prop: Property[Any], message: str, steps: Steps, loop: int | None = None, run: int | None = None
    ) -> None:
        super().__init__(f"{prop.name}: {message}")
        self.prop = prop
        self.message = message
        self.steps = steps
        self.loop = loop
        self.run = len(steps) - 1 if run is None else run


class Checks:
    """The properties of a hunt by kind, each judged where the machine judges it."""

    def __init__(self, model: Model[Any, Any], properties: Sequence[Property[Any]]) -> None:
        self.model = model
        self.always = [p for p in properties if p.kind is Kind.ALWAYS]
        self.steps = [p for p in properties if p.kind is Kind.TRANSITION]
        self.liveness = [p for p in properties if p.kind in LIVENESS]
        self.recovery = [p for p in properties if p.kind is Kind.RECOVERABLE]

    def in_state(self, trace: Steps) -> None:
        """Every `always` property in the run's last state."""
        for p in self.always:
            message = p.check(trace[-1][1])
            if message:
                raise PropertyViolated(p, message, list(trace))

    def in_step(self, trace: Steps) -> None:
        """Every `transition` property on the run's last step."""
        (_, before), (action, after) = trace[-2], trace[-1]
        for p in self.steps:
            message = p.check(before, action, after)
            if message:
                raise PropertyViolated(p, message, list(trace))

    def at_the_end(self, trace: Steps) -> None:
        """Liveness, bounded: the faults stop and a fair scheduler goes on (fair_run), from the
        end of the run and from each point where a goal fell due."""
        for p in self.liveness:
            for end in falls_due(p, trace):
                short = continue_fairly(self.model, p, trace[: end + 1])
                if short is not None:
                    raise PropertyViolated(p, short.sentence(p, LIMIT), short.steps, short.loop, run=end)
        for p in self.recovery:
            self.recovers(p, trace)

    def recovers(self, prop: Property[Any], trace: Steps) -> None:
        """`recoverable`: from the end of the run and each point where it fell due, every state
        the ways on without faults reach, up to recovery.LIMIT (engines/recovery.py)."""
        for end in falls_due(prop, trace):
            state = trace[end][1]
            if prop.trigger is None or not prop.trigger(state):
                continue
            trap = escape(self.model, prop, state)
            if trap is not None:
                steps, loop = [*trace[: end + 1], *trap.steps], end + trap.loop
                raise PropertyViolated(
                    prop, trapped(self.model, prop, steps, end, trap.size, loop), steps, loop, run=end
                )


def taken(model: Model[Any, Any], state: Any, action: Any) -> Any | None:
    """The state `action` leads to from `state`, if it is enabled there and changes it within
    the bounds (the steps the machine may take); None otherwise."""
    for candidate, after in model.next_steps(state):
        if candidate == action:
            return after if after is not state and model.within_bounds(after) else None
    return None


def judge(checks: Checks, start: Any, actions: Sequence[Any]) -> PropertyViolated | None:
    """The first violation on the run that takes `actions` from `start`, as the machine would
    raise it; None when the run holds or is not a run (an action not enabled where taken)."""
    trace: Steps = [(None, start)]
    try:
        checks.in_state(trace)
        for action in actions:
            after = taken(checks.model, trace[-1][1], action)
            if after is None:
                return None
            trace.append((action, after))
            checks.in_step(trace)
            checks.in_state(trace)
        checks.at_the_end(trace)
    except PropertyViolated as failure:
        return failure
    return None


def shrink(checks: Checks, failure: PropertyViolated) -> PropertyViolated:
    """`failure` with as few steps as step removal reaches, failing the same property."""
    start = failure.steps[0][1]
    best = failure
    chunk = max(1, best.run // 2)
    while True:
        removed = False
        i = 0
        while i < best.run:
            actions = [a for a, _ in best.steps[1 : best.run + 1]]
            candidate = judge(checks, start, actions[:i] + actions[i + chunk :])
            if candidate is not None and candidate.prop.name == failure.prop.name and candidate.run < best.run:
                best, removed = candidate, True  # the same place again: the next steps have moved up
            else:
                i += chunk
        if chunk == 1 and not removed:
            # Removing steps can leave a run that passes a state twice: cut the cycle, judge again.
            acyclic = without_cycles(best.steps[: best.run + 1])
            candidate = judge(checks, start, [a for a, _ in acyclic[1:]])
            if candidate is None or candidate.prop.name != failure.prop.name or candidate.run >= best.run:
                return best
            best, removed = candidate, True
        chunk = max(1, chunk // 2) if not removed else chunk


def without_cycles(trace: Steps) -> Steps:
    """The run with every return to an earlier state cut out: the same last step, fewer steps."""
    kept: Steps = []
    where: dict[Any, int] = {}
    for step in trace[:-1]:
        state = step[1]
        if state in where:
            del kept[where[state] + 1 :]
            where = {s: k for s, k in where.items() if k <= where[state]}
        else:
            where[state] = len(kept)
            kept.append(step)
    kept.append(trace[-1])  # the violating step follows the state kept last: the same one
    return kept
