"""Re-run a recorded trace on a model, check every recorded state, and judge its property.

Each recorded action is matched among the actions enabled in the current state (within
bounds) by its data (`act`: kind and fields) or, in reports of the first schema, by its
text. After every step the model's state must be the recorded one: a report whose states
were edited, or a model that changed under it, is named at the first difference. So a
report is also a regression test: once the bug is fixed, the trace no longer leads to the
violation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from model.kernel import Model, action_data, action_kind
from properties.base import BEYOND_SAFETY, LIVENESS, Fairness, Kind, Property
from swarmcheck.engines.graph import action_key_function
from swarmcheck.engines.recovery import escape, stops_of

REPLAY_LIMIT = 1_000_000  # states a trap's search may visit on replay


class NotReplayable(ValueError):
    """The property cannot be judged at the end of a trace (a `sometimes` property)."""


@attrs.frozen
class Outcome:
    reproduced: bool
    summary: str


def rerun(
    model: Model[Any, Any], prop: Property[Any], steps: Sequence[Mapping[str, Any]], loop: int | None = None
) -> Outcome:
    """Follow `steps` (the first is the initial state) and judge `prop`: on the last step, or,
    for a liveness property, on the lasso whose cycle starts at step `loop`."""
    if prop.kind in BEYOND_SAFETY and loop is None:
        raise NotReplayable(f"property {prop.name!r} is a {prop.kind.value} property: its report needs a loop")
    if prop.kind not in (Kind.ALWAYS, Kind.TRANSITION, *BEYOND_SAFETY):
        raise NotReplayable(f"property {prop.name!r} is a {prop.kind.value} property: nothing to replay")
    walked = _walk(model, steps)
    if isinstance(walked, Outcome):
        return walked
    states, actions = walked
    if loop is not None and prop.kind is Kind.RECOVERABLE:
        return judge_trap(model, prop, states, actions, loop)
    if loop is not None and prop.kind in LIVENESS:
        return judge_lasso(model, prop, states, actions, loop)
    message = prop.check(states[-1]) if prop.kind is Kind.ALWAYS else prop.check(states[-2], actions[-1], states[-1])
    if message:
        return Outcome(True, f"reproduced: {prop.name} violated after {len(steps) - 1} steps: {message}")
    return Outcome(False, f"not reproduced: after {len(steps) - 1} steps {prop.name} holds")


def _walk(model: Model[Any, Any], steps: Sequence[Mapping[str, Any]]) -> tuple[list[Any], list[Any]] | Outcome:
    """The states and actions the recorded steps lead through, or where they part from the model."""
    inits = list(model.init_states())
    current = next((s for s in inits if _plain(model.describe_state(s)) == steps[0].get("state")), None)
    if current is None:
        return Outcome(
            False, f"not reproduced: no initial state is the recorded one ({_differs(model, inits[0], steps[0])})"
        )
    states, actions = [current], []
    for number, step in enumerate(steps[1:], start=1):
        found = [(a, t) for a, t in model.next_steps(current) if _matches(a, step) and model.within_bounds(t)]
        if not found:
            return Outcome(False, f"not reproduced: step {number}, {step['action']}, is not enabled here")
        action, current = found[0]
        if "state" in step and _plain(model.describe_state(current)) != step["state"]:
            return Outcome(
                False, f"not reproduced: after step {number}, {step['action']}, {_differs(model, current, step)}"
            )
        states.append(current)
        actions.append(action)
    return states, actions


def judge_lasso(
    model: Model[Any, Any], prop: Property[Any], states: list[Any], actions: list[Any], loop: int
) -> Outcome:
    """A lasso shows a liveness violation when its cycle returns to where it began, its goal
    never holds where it is due, and the cycle is fair to every fair action."""
    last = len(states) - 1
    if not 0 <= loop <= last:
        return Outcome(False, f"not reproduced: the loop starts at step {loop}, past the last step {last}")
    if model.key(states[loop]) != model.key(states[last]):
        return Outcome(False, f"not reproduced: the cycle does not return to step {loop}'s state")
    due: int | None = loop
    if prop.kind is Kind.FINITELY:
        if not any(prop.check(states[k], actions[k], states[k + 1]) for k in range(loop, last)):
            return Outcome(False, f"not reproduced: the cycle takes no step {prop.name} allows only finitely often")
    else:
        due = 0 if prop.kind is Kind.EVENTUALLY else prop.due(states)
        if due is None or due > loop:  # due before the cycle, with the goal never after
            return Outcome(False, f"not reproduced: {prop.name}'s trigger never holds with the goal false from then on")
        reached = next((k for k in range(due, last + 1) if prop.check(states[k])), None)
        if reached is not None:
            return Outcome(False, f"not reproduced: {prop.name}'s goal holds at step {reached}")
    stopped = [a for a in actions[loop:] if action_kind(a) in (prop.fairness or Fairness()).stops]
    if stopped:
        return Outcome(False, f"not reproduced: the cycle takes {stopped[0]}, which {prop.name} assumes has stopped")
    unfair = starved(model, prop.fairness or Fairness(), states[loop:], actions[loop:])
    if unfair:
        return Outcome(False, f"not reproduced: the cycle is not fair: {unfair}")
    repeat = "it stays in the last state" if loop == last else f"steps {loop + 1} to {last} repeat"
    if prop.kind is Kind.FINITELY:
        return Outcome(True, f"reproduced: {prop.name} violated: {repeat} fairly, taking its step each time round")
    return Outcome(True, f"reproduced: {prop.name} violated: due at step {due}, never reached, and {repeat}, fairly")


def judge_trap(
    model: Model[Any, Any], prop: Property[Any], states: list[Any], actions: list[Any], loop: int
) -> Outcome:
    """A trap's report shows a state where a `recoverable` goal is asked for, with no fault
    after it, from which the search of every state its ways on reach (engines/recovery.py)
    finds neither the goal nor a bound; and steps that go round from there."""
    last = len(states) - 1
    if not 0 <= loop <= last or model.key(states[loop]) != model.key(states[last]):
        return Outcome(False, f"not reproduced: the steps after step {loop} do not return to its state")
    stops = stops_of(prop)
    calm = max((j + 1 for j, a in enumerate(actions) if action_kind(a) in stops), default=0)  # after the last fault
    due = [k for k in range(calm, loop + 1) if prop.trigger is not None and prop.trigger(states[k])]
    if not due:
        return Outcome(False, f"not reproduced: {prop.name} is not asked for after the last fault, step {calm}")
    found = next(((k, t) for k in due if (t := escape(model, prop, states[k], REPLAY_LIMIT)) is not None), None)
    if found is None:
        return Outcome(
            False,
            f"not reproduced: from every state after step {calm} where it is asked for, a way on reaches "
            f"{prop.name}'s goal or a bound (or passes {REPLAY_LIMIT:,} states)",
        )
    asked, trap = found
    return Outcome(
        True,
        f"reproduced: {prop.name} violated: from step {asked} on, the {trap.size:,} states reachable without "
        f"{', '.join(sorted(stops))} all lack its goal and none meets a bound",
    )


def starved(model: Model[Any, Any], fairness: Fairness, cycle: list[Any], taken_actions: list[Any]) -> str | None:
    """The first fair action a cycle (its states, and the actions that go round it) starves,
    said in words; None when the cycle is fair."""

    label = action_key_function(model)  # an action named as the graph names it (relative terms)
    taken = {fairness.instance(label(s, a)) for s, a in zip(cycle, taken_actions, strict=False)}
    withheld = getattr(model, "withheld_steps", None)
    weak: list[set[Any]] = []
    strong: list[set[Any]] = []
    for s in cycle:
        acts = [a for a, t in model.next_steps(s) if not model.within_bounds(t) or model.key(t) != model.key(s)]
        acts += [a for a, _ in withheld(s)] if withheld is not None else []
        acts = [label(s, a) for a in acts]
        weak.append({fairness.instance(a) for a in acts if action_kind(a) in fairness.weak})
        strong.append({fairness.instance(a) for a in acts if action_kind(a) in fairness.strong})
    for a in sorted(set.intersection(*weak) - taken, key=str):
        return f"{a} is weakly fair, enabled throughout the cycle and never taken"
    for a in sorted(set.union(*strong) - taken, key=str):
        return f"{a} is strongly fair, enabled on the cycle and never taken"
    return None


def _matches(action: Any, step: Mapping[str, Any]) -> bool:
    recorded = step.get("act")
    return bool(action_data(action) == recorded if recorded is not None else str(action) == step["action"])


def _plain(data: Any) -> Any:
    """State data as JSON gives it back (tuples as lists, keys as strings)."""
    return json.loads(json.dumps(data))


def _differs(model: Model[Any, Any], state: Any, step: Mapping[str, Any]) -> str:
    """Where the model's state and the recorded one first differ, as a dotted path."""
    path, mine, theirs = _first_difference(_plain(model.describe_state(state)), step.get("state"), "")
    return f"the recorded state differs at {path or 'the top'}: recorded {json.dumps(theirs)}, the model has {json.dumps(mine)}"


def _first_difference(mine: Any, theirs: Any, path: str) -> tuple[str, Any, Any]:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key in [*mine, *(k for k in theirs if k not in mine)]:
            if mine.get(key) != theirs.get(key):
                return _first_difference(mine.get(key), theirs.get(key), f"{path}.{key}" if path else str(key))
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        for k, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{k}]")
    return path, mine, theirs
