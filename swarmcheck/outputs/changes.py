"""A step's changes as a person reads them: a bag of messages (or a queue, a log) as what
was added (+) and removed (-), anything else as before → after."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def change_text(path: str, before: Any, after: Any) -> str:
    """One change as a person reads it: a message bag as what was sent (+) and what was
    received or lost (-), anything else as before → after."""
    diff = bag_diff(before, after)
    if diff is not None:
        return f"{path}: {diff}"
    return f"{path}: {_shown(before)} → {_shown(after)}"


def bag_diff(before: Any, after: Any) -> str | None:
    """A bag (a mapping to counts, or a list of texts: messages, a queue, a log) as + added,
    - removed; None for anything else."""
    old, new = _counts(before), _counts(after)
    if old is None or new is None:
        return None
    added = [
        f"+ {m}" + (f" ×{new[m] - old.get(m, 0)}" if new[m] - old.get(m, 0) > 1 else "")
        for m in new
        if new[m] > old.get(m, 0)
    ]
    removed = [
        f"- {m}" + (f" ×{old[m] - new.get(m, 0)}" if old[m] - new.get(m, 0) > 1 else "")
        for m in old
        if old[m] > new.get(m, 0)
    ]
    return ", ".join([*added, *removed]) or "unchanged"


def _counts(value: Any) -> dict[str, int] | None:
    if isinstance(value, Mapping) and all(isinstance(c, int) for c in value.values()):
        return {str(k): int(c) for k, c in value.items()}
    if isinstance(value, list) and all(isinstance(m, str) for m in value):
        found: dict[str, int] = {}
        for m in value:
            found[m] = found.get(m, 0) + 1
        return found
    return None


def _shown(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value
