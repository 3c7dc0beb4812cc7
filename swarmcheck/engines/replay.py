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

from model.kernel import Model, action_data
from properties.base import Kind, Property


class NotReplayable(ValueError):
    """The property cannot be judged at the end of a trace (a `sometimes` property)."""


@attrs.frozen
class Outcome:
    reproduced: bool
    summary: str


def rerun(model: Model[Any, Any], prop: Property[Any], steps: Sequence[Mapping[str, Any]]) -> Outcome:
    """Follow `steps` (the first is the initial state) and judge `prop` on the last step."""
    if prop.kind not in (Kind.ALWAYS, Kind.TRANSITION):
        raise NotReplayable(f"property {prop.name!r} is a {prop.kind.value} property: nothing to replay")
    inits = list(model.init_states())
    current = next((s for s in inits if _plain(model.describe_state(s)) == steps[0].get("state")), None)
    if current is None:
        return Outcome(
            False, f"not reproduced: no initial state is the recorded one ({_differs(model, inits[0], steps[0])})"
        )
    previous, action = current, None
    for number, step in enumerate(steps[1:], start=1):
        found = [(a, t) for a, t in model.next_steps(current) if _matches(a, step) and model.within_bounds(t)]
        if not found:
            return Outcome(False, f"not reproduced: step {number}, {step['action']}, is not enabled here")
        previous, (action, current) = current, found[0]
        if "state" in step and _plain(model.describe_state(current)) != step["state"]:
            return Outcome(
                False, f"not reproduced: after step {number}, {step['action']}, {_differs(model, current, step)}"
            )
    message = prop.check(current) if prop.kind is Kind.ALWAYS else prop.check(previous, action, current)
    if message:
        return Outcome(True, f"reproduced: {prop.name} violated after {len(steps) - 1} steps: {message}")
    return Outcome(False, f"not reproduced: after {len(steps) - 1} steps {prop.name} holds")


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
