"""Reading a counterexample report back: the file is read as JSON data only (nothing in it
is evaluated or unpickled), within a size and nesting limit, and checked against the report
schema before anything runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from swarmcheck.outputs.report import READABLE_SCHEMAS, SCHEMA

MAX_BYTES = 32 * 1024 * 1024  # a long report is a few hundred kB
MAX_NESTING = 64  # a report's state data nests a handful of levels


class ReplayError(ValueError):
    """The file is not a report this version can replay (exit code 2)."""


def load(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReplayError(f"{path} is {size:,} bytes; a report is at most {MAX_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ReplayError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReplayError(f"{path} is not JSON ({error.msg}, line {error.lineno})") from None
    except RecursionError:
        raise ReplayError(f"{path} nests deeper than JSON can be read here") from None
    if _depth(data) > MAX_NESTING:
        raise ReplayError(f"{path} nests deeper than {MAX_NESTING} levels; no report does")
    if not isinstance(data, dict) or data.get("schema") not in READABLE_SCHEMAS:
        raise ReplayError(f"{path} is not a swarmcheck counterexample (schema {SCHEMA!r} expected)")
    for key, kind in (("model", str), ("config", dict), ("property", str), ("steps", list)):
        if not isinstance(data.get(key), kind):
            raise ReplayError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    steps = data["steps"]
    if not steps or not all(isinstance(s, dict) and isinstance(s.get("action"), str) for s in steps):
        raise ReplayError(f"{path}: every step needs an action text")
    if not all(isinstance(s.get("state"), dict) for s in steps):
        raise ReplayError(f"{path}: every step needs the state it leads to")
    if data["schema"] == SCHEMA and not all(isinstance(s.get("act"), dict) for s in steps[1:]):
        raise ReplayError(f"{path}: every step after the first needs its action as data ('act')")
    return data


def _depth(data: Any) -> int:
    """How deeply `data` nests, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest
