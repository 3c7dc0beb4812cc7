"""A conformance finding as a counterexample report in the suite's format (JSON, Markdown and
HTML under reports/conformance/pysyncobj/), and a report re-run (`swarmcheck replay`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import attrs

from swarmcheck.conformance.checked import CheckedCluster, Step
from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.network import MODES
from swarmcheck.conformance.stateful import Outcome
from swarmcheck.conformance.views import describe, describe_message, message_view
from swarmcheck.engines.replay import Outcome as Replayed
from swarmcheck.outputs.report import SCHEMA, changes, write_report

LIBRARY = "pysyncobj"
FIFO_NOTE = (
    "Per-link FIFO delivery (one TCP connection per pair, as pysyncobj's own transport) never "
    "delivers a message before one sent earlier on the same link, which hides this."
)


def report_data(outcome: Outcome, provenance: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The shrunk run as report data (the suite's schema; `engine` says Hypothesis drove it)."""
    finding, setup = outcome.finding, outcome.setup
    assert finding is not None
    again = CheckedCluster(setup.nodes, setup.mode, setup.seed)  # re-run to show the messages in flight
    previous = {**describe(again.initial), "messages": {}}
    steps: list[dict[str, Any]] = [{"action": "Init", "act": None, "state": previous, "changed": {}}]
    for step in outcome.steps:
        again.step(step.event)
        state = {**describe(step.views), "messages": in_flight(again)}
        steps.append(
            {"action": step.text, "act": attrs.asdict(step.event), "state": state, "changed": changes(previous, state)}
        )
        previous = state
    hidden = finding.rule.startswith("append_entries") and setup.mode == "reorder"
    return {
        "schema": SCHEMA,
        "model": LIBRARY,
        "config": {"nodes": setup.nodes, "mode": setup.mode, "seed": setup.seed, "library": _library()},
        "property": finding.rule,
        "description": f"The implementation takes a step Raft does not allow ({finding.source}).",
        "kind": "transition",
        "source": finding.source,
        "engine": "hypothesis",
        "bugs": [],
        "violation": finding.message + (f". {FIFO_NOTE}" if hidden else ""),
        "length": len(outcome.steps),
        "steps": steps,
        "sequence": sequence(setup.nodes, outcome.steps),
        "logged": list(outcome.logged),
        "provenance": dict(provenance or {}),
    }


def write(outcome: Outcome, reports: Path, provenance: Mapping[str, Any] | None = None) -> Path:
    return write_report(report_data(outcome, provenance), reports / "conformance")


def in_flight(run: CheckedCluster) -> dict[str, int]:
    """The messages on the network, as a bag a report diffs (+ sent, - delivered or lost)."""
    bag: dict[str, int] = {}
    for (a, b), message in run.cluster.network.in_flight():
        text = f"s{a + 1} -> s{b + 1}: {describe_message(message_view(run.cluster, message))}"
        bag[text] = bag.get(text, 0) + 1
    return bag


def sequence(nodes: int, steps: Sequence[Step]) -> dict[str, Any]:
    """The run as a sequence diagram: a delivery is an arrow, a loss a lost arrow, the rest marks."""
    drawn: list[dict[str, Any] | None] = [None]
    for step in steps:
        e, label = step.event, step.text.split("(", 1)[0]
        if e.kind in ("deliver", "drop"):
            kind = (step.message or {}).get("type", "message")
            drawn.append(
                {
                    "source": f"s{e.node + 1}",
                    "label": kind,
                    "target": f"s{e.to + 1}",
                    "sent": False,
                    "lost": e.kind == "drop",
                }
            )
        else:
            drawn.append({"source": f"s{e.node + 1}", "label": label, "target": None, "sent": False, "lost": False})
    return {"lifelines": [f"s{i + 1}" for i in range(nodes)], "steps": drawn}


def replay(data: Mapping[str, Any]) -> Replayed:
    """Re-run a conformance report's events on the library; reproduced if the same rule breaks
    at the same step with the same words."""
    config = data["config"]
    nodes, mode, seed = config.get("nodes"), config.get("mode"), config.get("seed")
    if not (isinstance(nodes, int) and 2 <= nodes <= 7 and mode in MODES and isinstance(seed, int)):
        raise ValueError("the report's configuration is not a conformance run's (nodes, mode, seed)")
    events = [Event.from_data(step.get("act")) for step in data["steps"][1:]]
    run = CheckedCluster(nodes, mode, seed)
    finding = run.run(events)
    recorded = str(data.get("violation", ""))
    if finding is None:
        return Replayed(False, f"not reproduced: all {len(events)} events ran and no rule broke")
    if finding.rule == data["property"] and recorded.startswith(finding.message) and len(run.steps) == len(events):
        return Replayed(True, f"reproduced: {finding.rule} at step {len(run.steps)}: {finding.message}")
    return Replayed(False, f"not reproduced: {finding.rule} broke at step {len(run.steps)} instead: {finding.message}")


def _library() -> str:
    return f"{LIBRARY} {version(LIBRARY)}"
