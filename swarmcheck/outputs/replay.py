"""Reading a counterexample report back: the file is read as JSON data only (nothing in it
is evaluated or unpickled) and checked against the report schema before anything runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from swarmcheck.outputs.report import SCHEMA


class ReplayError(ValueError):
    """The file is not a report this version can replay (exit code 2)."""


def load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ReplayError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReplayError(f"{path} is not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ReplayError(f"{path} is not a swarmcheck counterexample (schema {SCHEMA!r} expected)")
    for key, kind in (("model", str), ("config", dict), ("property", str), ("steps", list)):
        if not isinstance(data.get(key), kind):
            raise ReplayError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    if not data["steps"] or not all(isinstance(s, dict) and isinstance(s.get("action"), str) for s in data["steps"]):
        raise ReplayError(f"{path}: every step needs an action text")
    return data
