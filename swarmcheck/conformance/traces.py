"""Trace validation (issue 17, item 4): a run of the implementation recorded as JSON lines
(the views after each event, with the event and the message it moved) and checked step by
step against Raft's rules; the first step no rule explains is named.

A trace's first line says what it is; each further line is one step, the first of them the
initial state. The file is read as JSON only, never evaluated or unpickled.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs

from model.raft.state import NIL
from swarmcheck.conformance.checked import CheckedCluster
from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.rules import Finding, judge, model_properties
from swarmcheck.conformance.views import History, ServerView

FORMAT = "swarmcheck.conformance-trace/1"
MAX_LINE = 1_000_000  # bytes: a step of a small cluster is a few kB


class TraceError(ValueError):
    """Not a trace this version can validate (exit code 2)."""


@attrs.frozen
class Verdict:
    steps: int  # judged; with a finding, the last of them broke the rule
    finding: Finding | None = None


# ---------------------------------------------------------------- recording


def record(run: CheckedCluster, out: TextIO, events: Iterator[Event]) -> int:
    """Run `events` on `run`, writing a line per step; how many steps ran. The recorder sees only
    what each event did, so any driver (Hypothesis, a random run, a script) can be recorded."""
    cluster = run.cluster
    out.write(json.dumps({"format": FORMAT, "nodes": cluster.n, "mode": cluster.network.mode}) + "\n")
    out.write(json.dumps({"step": 0, "servers": [_plain(v) for v in run.initial]}) + "\n")
    for event in events:
        run.step(event)
        step = run.steps[-1]
        line = {"step": len(run.steps), "event": attrs.asdict(event), "message": step.message}
        out.write(json.dumps({**line, "servers": [_plain(v) for v in step.views]}) + "\n")
    return len(run.steps)


def random_events(run: CheckedCluster, count: int, seed: int) -> Iterator[Event]:
    """A plain run with random timing: each node's clock advances by random amounts, messages
    arrive in random order where the links allow it, clients write now and then."""
    rng = random.Random(seed)
    cluster, value = run.cluster, 0
    for _ in range(count):
        busy = cluster.network.busy()
        roll = rng.random()
        if busy and roll < 0.6:
            link = rng.choice(busy)
            yield Event("deliver", *link, rng.randrange(cluster.network.choices(link)))
            continue
        node = rng.choice([i for i in range(cluster.n) if cluster.up[i]])
        if roll < 0.68:
            value += 1
            yield Event("request", node, value=value)
        else:
            yield Event("tick", node, advance=round(rng.expovariate(4.0), 3))


# ---------------------------------------------------------------- validating


def validate(path: Path) -> Verdict:
    """Check every step of a recorded trace; TraceError if the file is not a trace."""
    lines = _lines(path)
    header = _json(next(lines, None), 1)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TraceError(f"{path} is not a conformance trace (first line must name {FORMAT!r})")
    nodes = header.get("nodes")
    if not isinstance(nodes, int) or not 1 <= nodes <= 9:
        raise TraceError(f"{path}: the header's node count is not a small positive number")
    properties = model_properties(nodes)
    before: tuple[ServerView, ...] | None = None
    history = History()
    count = 0
    for number, text in enumerate(lines, start=2):
        step = _json(text, number)
        views = _views(step, nodes, number)
        if before is None:
            before, history = views, history.after(views, views)
            continue
        event, message = _step_event(step, number), step.get("message")
        if message is not None and not isinstance(message, dict):
            raise TraceError(f"line {number}: the message is not an object")
        count += 1
        history = history.after(before, views)
        finding = judge(before, event, message, views, history, properties)
        if finding:
            return Verdict(count, finding)
        before = views
    if before is None:
        raise TraceError(f"{path} has no initial state")
    return Verdict(count)


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if len(line) > MAX_LINE:
                    raise TraceError(f"{path}: a line is over {MAX_LINE:,} bytes; no step is")
                if line.strip():
                    yield line
    except (OSError, UnicodeDecodeError) as error:
        raise TraceError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _json(text: str | None, number: int) -> Any:
    if text is None:
        raise TraceError("the file is empty")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise TraceError(f"line {number} is not JSON") from None


def _views(step: Any, nodes: int, number: int) -> tuple[ServerView, ...]:
    servers = step.get("servers") if isinstance(step, dict) else None
    if not isinstance(servers, list) or len(servers) != nodes:
        raise TraceError(f"line {number}: expected the state of {nodes} servers")
    try:
        return tuple(_view(s) for s in servers)
    except (KeyError, TypeError, ValueError):
        raise TraceError(f"line {number}: a server's state lacks a field or has one of the wrong type") from None


def _view(s: dict[str, Any]) -> ServerView:
    log = tuple((int(t), int(v)) for t, v in s["log"])
    voted = s["votedFor"]
    return ServerView(
        bool(s["up"]),
        int(s["term"]),
        int(s["role"]),
        NIL if voted is None else int(voted),
        log,
        int(s["commitIndex"]),
        tuple(int(v) for v in s["applied"]),
    )


def _plain(v: ServerView) -> dict[str, Any]:
    return {
        "up": v.up,
        "term": v.term,
        "role": v.role,
        "votedFor": None if v.voted_for == NIL else v.voted_for,
        "log": [list(e) for e in v.log],
        "commitIndex": v.commit_index,
        "applied": list(v.applied),
    }


def _step_event(step: dict[str, Any], number: int) -> Event:
    try:
        return Event.from_data(step.get("event"))
    except ValueError as error:
        raise TraceError(f"line {number}: {error}") from None
