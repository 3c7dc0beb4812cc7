"""`swarmcheck replay FILE`: re-run a report's steps on the model and confirm its violation.

The file is read as JSON data only. Each recorded action is matched by its text
among the actions enabled in the current state, so a report is also a
regression test: once the bug is fixed, the replay no longer reproduces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from properties.base import Kind
from swarmcheck import registry
from swarmcheck.report import SCHEMA


class ReplayError(ValueError):
    """The file is not a report this version can replay (exit code 2)."""


@attrs.frozen
class Outcome:
    reproduced: bool
    summary: str


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


def _config(entry: registry.Entry, recorded: dict[str, Any]) -> Any:
    fields = {f.name for f in attrs.fields(type(entry.default))}
    unknown = sorted(recorded.keys() - fields)
    if unknown:
        raise ReplayError(f"config field {unknown[0]!r} is not a {entry.name} setting")
    bugs = recorded.get("bugs", [])
    if not isinstance(bugs, list) or not all(isinstance(b, str) for b in bugs):
        raise ReplayError("config field 'bugs' must be a list of bug names")
    settings = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in recorded.items() if k != "bugs"}
    try:
        return entry.config(settings, frozenset(bugs))
    except registry.InputError as error:
        raise ReplayError(str(error)) from None


def replay(path: Path) -> Outcome:
    data = load(path)
    try:
        entry = registry.lookup(data["model"])
        config = _config(entry, data["config"])
        model = entry.build(config)
        (prop,) = registry.select_properties(entry, config, [data["property"]])
    except registry.InputError as error:
        raise ReplayError(str(error)) from None
    steps = data["steps"]
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
        raise ReplayError(f"property {prop.name!r} is a {prop.kind.value} property: nothing to replay")
    if message:
        return Outcome(True, f"reproduced: {prop.name} violated after {len(steps) - 1} steps: {message}")
    return Outcome(False, f"not reproduced: after {len(steps) - 1} steps {prop.name} holds")
