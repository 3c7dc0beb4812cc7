"""What a random search may take next from a state, grouped by kind: the Hypothesis machine
(stateful.py) and the random walks (walks.py) both pick a kind at the model's rates, then
one step of it, from these."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from model.kernel import Model, action_kind


def steps_by_kind(
    model: Model[Any, Any], state: Any, switched_off: Collection[str]
) -> dict[str, list[tuple[Any, Any]]]:
    """The steps that change `state`, stay within the bounds and are of a kind not switched
    off, by kind, in the model's order (empty: nothing to do within the bounds)."""
    by_kind: dict[str, list[tuple[Any, Any]]] = {}
    for action, after in model.next_steps(state):
        kind = action_kind(action)
        if after is not state and kind not in switched_off and model.within_bounds(after):
            by_kind.setdefault(kind, []).append((action, after))
    return by_kind
