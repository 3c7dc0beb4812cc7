"""Counterexample reports: JSON for tools, Markdown for people (DESIGN.md, Reports).

A report is data first. Each step records the action as data (`act`: its kind and
fields) and as the text a person reads, the state after it and what changed, so
`swarmcheck replay` can re-run the steps by matching actions and compare every state
(nothing in a file is evaluated or unpickled). Provenance says which tool, commit,
engine and search wrote it. Files are written atomically, readable by all (0644): a
crash or Ctrl-C leaves the old file or none, never half.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from model.kernel import Model, action_data
from properties.base import Kind, Property
from swarmcheck.engines.result import Trace, Violation
from swarmcheck.outputs.changes import change_text
from swarmcheck.outputs.html import html_report
from swarmcheck.outputs.reads import is_read, paths_read
from swarmcheck.outputs.sequence import mermaid, sequence_data

SCHEMA = "swarmcheck.counterexample/2"
# Reports of the first schema (actions as text only) still replay.
READABLE_SCHEMAS = ("swarmcheck.counterexample/1", SCHEMA)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested state data as dotted paths (`servers.s1.term`), for diffs a person can read."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and key != "messages":
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Every path whose value differs: path -> [before, after]."""
    a, b = flatten(before), flatten(after)
    found = {k: [a.get(k), b.get(k)] for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
    # An empty mapping that gains its first entry (or loses its last) is shown by that entry alone.
    return {k: v for k, v in found.items() if not (None in v and {} in v)}


def counterexample(
    model: Model[Any, Any],
    prop: Property[Any],
    violation: Violation,
    engine: str,
    trace: Trace,
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report as JSON data; `provenance` says what wrote it (tool, commit, time, search)."""
    steps: list[dict[str, Any]] = []
    previous: Mapping[str, Any] | None = None
    for action, state in trace.steps:
        described = model.describe_state(state)
        steps.append(
            {
                "action": "Init" if action is None else str(action),
                "act": None if action is None else action_data(action),
                "state": described,
                "changed": {} if previous is None else changes(previous, described),
            }
        )
        previous = described
    config = dict(model.config_data())
    lasso = {} if trace.loop is None else {"loop": trace.loop, "fairness": str(prop.fairness)}
    diagram = sequence_data(model, trace)
    return {
        **lasso,
        **({} if diagram is None else {"sequence": diagram}),
        "schema": SCHEMA,
        "model": model.name,
        "config": config,
        "property": prop.name,
        "description": prop.description,
        "kind": prop.kind.value,
        "source": prop.source,
        "engine": engine,
        "bugs": config.get("bugs", []),
        "violation": violation.message,
        "reads": paths_read(model, prop, trace),
        "length": len(steps) - 1,
        "steps": steps,
        "provenance": dict(provenance or {}),
    }


def report_id(data: Mapping[str, Any]) -> str:
    """A 64-bit id that depends only on the model, config, property, engine and actions: stable
    across runs, and wide enough that two traces do not overwrite each other's files. The engine
    is part of it because `bugs` runs both engines at once: when they find the same trace, each
    keeps its own report (else the one written last would stand for both, a race)."""
    key = json.dumps(
        [data["model"], data["config"], data["property"], data["engine"], [s["action"] for s in data["steps"]]]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def write_report(data: dict[str, Any], directory: Path) -> Path:
    """Write `<property>-<id>.json`, `.md` and `.html` under directory/<model>/; return the JSON path."""
    folder: Path = directory / str(data["model"])
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{data['property']}-{report_id(data)}"
    json_path = folder / f"{stem}.json"
    data = {**data, "reproduce": f"swarmcheck replay {shlex.quote(str(json_path))}"}
    write_atomically(json_path, json.dumps(data, indent=1) + "\n")
    write_atomically(folder / f"{stem}.md", markdown(data))
    write_atomically(folder / f"{stem}.html", html_report(data))
    return json_path


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place, readable by all
    (mkstemp makes it 0600: a report is for people and CI, not a secret)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text.replace("|", "\\|")


def markdown(data: Mapping[str, Any]) -> str:
    """The verdict first, then the steps with what changed, the final state, how to reproduce."""
    bugs = ", ".join(data["bugs"]) or "none"
    config = ", ".join(f"{k}={v}" for k, v in data["config"].items() if k != "bugs")
    loop = data.get("loop")
    reads = data.get("reads") or []
    lines = [
        f"# {data['model']}: `{data['property']}` violated",
        "",
        f"**{data['violation']}**",
        "",
        *([f"> {data['description']}", ""] if data.get("description") else []),
        f"- property: `{data['property']}` ({data['kind']}), source: {data['source']}",
        _found_by(data),
        f"- configuration: {config}; seeded bugs: {bugs}",
        *(
            [f"- the property reads: {', '.join(f'`{p}`' for p in reads)} (changes to them are in **bold**)"]
            if reads
            else []
        ),
    ]
    if loop is not None:
        said = data.get("fairness", "")
        recovery = data["kind"] == Kind.RECOVERABLE.value  # no fairness: only the faults it takes as stopped
        lines.append(
            f"- with the faults stopped: {said.removeprefix('stop: ')}" if recovery else f"- fairness assumed: {said}"
        )
    lines += ["", "## Steps", "", "| step | action | what changed |", "|---:|---|---|"]
    for number, step in enumerate(data["steps"]):
        changed = "; ".join(_marked(_cell(change_text(k, a, b)), k, reads) for k, (a, b) in step["changed"].items())
        mark = " ↻" if loop is not None and number > loop else ""
        lines.append(
            f"| {number}{mark} | {_cell(step['action'])} | {changed or '(initial state)' if number == 0 else changed} |"
        )
    if loop is not None:
        lines += ["", _forever(loop, data["length"], data["kind"])]
    if isinstance(data.get("sequence"), dict):
        lines += ["", "## Sequence", "", "```mermaid", mermaid(data["sequence"], loop), "```"]
    lines += ["", "## Final state", "", "```json", json.dumps(data["steps"][-1]["state"], indent=1), "```", ""]
    if "reproduce" in data:
        lines += ["## Reproduce", "", "```", data["reproduce"], "```", ""]
    made = data.get("provenance") or {}
    if made:
        lines += ["## Provenance", "", *(f"- {k}: {_cell(v)}" for k, v in made.items()), ""]
    return "\n".join(lines)


def _marked(text: str, path: str, reads: Sequence[str]) -> str:
    """A change in bold when the property reads the field it changes."""
    return f"**{text}**" if is_read(path, reads) else text


def _found_by(data: Mapping[str, Any]) -> str:
    loop, length = data.get("loop"), data["length"]
    if loop is not None:
        cycle = "it stays in the last state" if loop == length else f"a cycle of {length - loop}"
        return f"- found by: {data['engine']}, a lasso: a shortest way in of {loop} steps, then {cycle}"
    if data["engine"] == "explore":
        return f"- found by: {data['engine']}, in {length} steps (a shortest trace)"
    if data["engine"] == "walks":
        return f"- found by: walks, a random walk of {length} steps (its cycles cut out; not a shortest trace)"
    return f"- found by: {data['engine']}, shrunk to {length} steps"


def _forever(loop: int, length: int, kind: str) -> str:
    if loop == length:
        why = "no step but a fault is enabled" if kind == Kind.RECOVERABLE.value else "no fair action is enabled"
        return f"**And then forever:** nothing: the behaviour stays in step {loop}'s state, where {why}."
    return f"**And then forever:** steps {loop + 1} to {length} (marked ↻) again and again, back to step {loop}'s state each time."


def summary_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table with aligned columns, for the terminal."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
