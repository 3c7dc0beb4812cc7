"""Re-run a recorded trace on a model and judge its property at the end.

Each recorded action is matched by its text among the actions enabled in the current
state (within bounds), so a report is also a regression test: once the bug is fixed,
the trace no longer leads to the violation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from model.kernel import Model
from properties.base import Kind, Property


class NotReplayable(ValueError):
    """The property cannot be judged at the end of a trace (a `sometimes` property)."""


@attrs.frozen
class Outcome:
    reproduced: bool
    summary: str


def rerun(model: Model[Any, Any], prop: Property[Any], steps: Sequence[Mapping[str, Any]]) -> Outcome:
    """Follow `steps` (the first is the initial state) and judge `prop` on the last step."""
    inits = list(model.init_states())
    current = next((s for s in inits if model.describe_state(s) == steps[0].get("state")), inits[0])
    previous, action = current, None
    for number, step in enumerate(steps[1:], start=1):
        text = step["action"]
        found = [(a, t) for a, t in model.next_steps(current) if str(a) == text and model.within_bounds(t)]
        if not found:
            return Outcome(False, f"not reproduced: step {number}, {text}, is not enabled here")
        previous, (action, current) = current, found[0]
    if prop.kind is Kind.ALWAYS:
        message = prop.check(current)
    elif prop.kind is Kind.TRANSITION and action is not None:
        message = prop.check(previous, action, current)
    else:
        raise NotReplayable(f"property {prop.name!r} is a {prop.kind.value} property: nothing to replay")
    if message:
        return Outcome(True, f"reproduced: {prop.name} violated after {len(steps) - 1} steps: {message}")
    return Outcome(False, f"not reproduced: after {len(steps) - 1} steps {prop.name} holds")
