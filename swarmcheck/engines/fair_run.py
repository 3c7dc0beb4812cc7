"""Liveness as random search can judge it: after a run's steps, the faults stop and a fair
scheduler takes over; the goal must come within a bounded number of its steps.

Random search cannot decide liveness (no run is infinite), so this is the bounded form: the
scheduler takes only fairly scheduled actions (`Fairness.weak` and `strong`; never a fault or
a user's action), always the enabled one that has waited longest, so none is starved. A run
that stops where no fair action is enabled (not even one the bounds hold back), or comes back
to a state it has been in by a fair cycle, is a real lasso (the explorer's kind of
counterexample, and `replay` confirms it); one that goes `limit` steps without the goal is
reported as bounded evidence only, and one the bounds stop gets no verdict.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import attrs

from model.kernel import Model, action_kind
from properties.base import Fairness, Kind, Property
from swarmcheck.engines.replay import starved
from swarmcheck.engines.result import view_note

LIMIT = 100  # fair steps after the run before the goal counts as not reached


@attrs.frozen
class Shortfall:
    """A liveness goal missed after a run: the whole behaviour, where it is due, and the
    index its cycle returns to (None: only the bound of fair steps ran out)."""

    steps: list[tuple[Any, Any]]
    due: int
    loop: int | None
    note: str = ""  # what differs each time round where the cycle closes only by the model's view

    def sentence(self, prop: Property[Any], limit: int) -> str:
        last = len(self.steps) - 1
        if self.loop is None:
            return f"{prop.name} not reached within {limit} fair steps after step {self.due} (bounded liveness)"
        if prop.kind is Kind.FINITELY:
            return f"{prop.name} fails: steps {self.loop + 1} to {last} repeat forever, a fair cycle that takes the step it allows only finitely often{self.note}"
        if self.loop == last:
            return f"{prop.name} never comes true after step {self.due}: the behaviour stops in step {last}'s state, where no fair action is enabled"
        return f"{prop.name} never comes true after step {self.due}: steps {self.loop + 1} to {last} repeat forever, a fair cycle"


def continue_fairly(
    model: Model[Any, Any], prop: Property[Any], steps: list[tuple[Any, Any]], limit: int = LIMIT
) -> Shortfall | None:
    """Run `steps` on under a fair scheduler; the shortfall if `prop`'s goal is missed."""
    fairness = prop.fairness or Fairness()
    fair_kinds = fairness.weak | fairness.strong
    behaviour = list(steps)
    # Only the fair part may go round a cycle: the run before it may hold faults.
    seen: dict[Hashable, int] = {model.key(behaviour[-1][1]): len(behaviour) - 1}
    waited: dict[Any, int] = {}  # instance -> the step it was last taken
    finitely = prop.kind is Kind.FINITELY  # no goal: a fair cycle that takes its step is the shortfall
    due = prop.due([s for _, s in behaviour])
    if due is None:
        return None  # nothing is due
    for _ in range(limit):
        state = behaviour[-1][1]
        here = model.key(state)
        options = [
            (action, t)
            for action, t in model.next_steps(state)
            if action_kind(action) in fair_kinds and model.within_bounds(t) and model.key(t) != here
        ]
        if not options:
            if finitely or starved(model, fairness, [state], []) is not None:
                return None  # a fair action is held back only by the bounds: no verdict (the explorer's incomplete)
            return Shortfall(behaviour, due, len(behaviour) - 1)  # it stops here, fairly
        action, t = min(options, key=lambda o: waited.get(fairness.instance(o[0]), -1))
        waited[fairness.instance(action)] = len(behaviour)
        behaviour.append((action, t))
        if not finitely and prop.check(t):
            return None  # the goal has come
        again = seen.get(model.key(t))
        if again is not None and again >= due and _fair_cycle(model, fairness, behaviour, again):
            if not finitely or _takes_step(prop, behaviour, again):
                return Shortfall(behaviour, due, again, view_note(model, behaviour[again][1], t))
            return None  # a fair cycle that never takes the step: it repeats forever, and no step comes
        seen[model.key(t)] = len(behaviour) - 1
    return None if finitely else Shortfall(behaviour, due, None)


def _takes_step(prop: Property[Any], behaviour: list[tuple[Any, Any]], start: int) -> bool:
    """finitely_often: whether the cycle after `start` takes a step the property allows only finitely often."""
    return any(prop.check(behaviour[k - 1][1], *behaviour[k]) for k in range(start + 1, len(behaviour)))


def falls_due(prop: Property[Any], steps: list[tuple[Any, Any]], most: int = 4) -> list[int]:
    """Where a fair continuation is worth trying in a run: each step at which a `leads_to`'s
    goal falls due (its trigger holds, and held not, or the goal did, one step before), the
    latest `most` of them, and the run's end. A run often passes through a state that needs
    the goal and then wanders off on a fault; the faults may as well stop right there."""
    ends = [len(steps) - 1]
    if prop.kind in (Kind.LEADS_TO, Kind.RECOVERABLE) and prop.trigger is not None:
        due = [prop.trigger(s) and not prop.check(s) for _, s in steps]
        rising = [k for k in range(len(steps)) if due[k] and (k == 0 or not due[k - 1])]
        ends += [k for k in reversed(rising[-most:]) if k != ends[0]]
    return ends


def _fair_cycle(model: Model[Any, Any], fairness: Fairness, behaviour: list[tuple[Any, Any]], start: int) -> bool:
    """The steps after `start` return to its state: is that cycle fair to every fair action?"""
    cycle = [s for _, s in behaviour[start:]]
    return starved(model, fairness, cycle, [a for a, _ in behaviour[start + 1 :]]) is None
