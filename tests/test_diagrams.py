"""Every seeded bug's report draws its trace (issue 16): in the HTML's SVG, one lifeline per
participant, one arrow per message step (delivered, sent or lost as the step says), one mark
per local step, nothing else; for Raft, the delivered arrows counted independently from the
steps' actions. Run by tox's bugs env over the reports `swarmcheck bugs` just wrote (every
seeded bug of every model, both engines); elsewhere it says so and skips."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

FOLDER = os.environ.get("SWARMCHECK_BUG_REPORTS")
# Raft steps that deliver a message (not a loss, a duplicate, or UpdateTerm, which leaves it in the bag).
RAFT_RECEIPTS = {
    "HandleRequestVoteRequest",
    "HandleRequestVoteResponse",
    "HandleAppendEntriesRequest",
    "HandleAppendEntriesResponse",
    "DropStaleResponse",  # received, and dropped as stale: delivered all the same
    "IgnoreRemoved",  # received from a removed member, and ignored
    "HandlePreVoteRequest",
    "HandlePreVoteResponse",
}


def _reports() -> list[Path]:
    if not FOLDER:
        return []
    return sorted(p for p in Path(FOLDER).glob("*/*.json") if json.loads(p.read_text()).get("bugs"))


REPORTS = _reports()
pytestmark = pytest.mark.skipif(
    not REPORTS, reason="no seeded-bug reports: tox's bugs env runs this after `swarmcheck bugs` writes them"
)


def _drawn(page: str) -> Counter[str]:
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    return Counter(e.get("class", "") for e in ElementTree.fromstring(svg).iter())


def _expected(sequence: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter(lifeline=len(sequence["lifelines"]))
    for step in sequence["steps"][1:]:
        if step.get("target") is None:
            counts["mark"] += 1
        else:
            counts["arrow " + ("lost" if step.get("lost") else "sent" if step.get("sent") else "delivered")] += 1
    return counts


def test_every_model_and_both_engines_have_seeded_bug_reports() -> None:
    seen = {(json.loads(p.read_text())["model"], json.loads(p.read_text())["engine"]) for p in REPORTS}
    assert {m for m, _ in seen} == {"raft", "gossip", "scheduler", "security"} and {e for _, e in seen} == {
        "explore",
        "hypothesis",
    }


@pytest.mark.parametrize("report", REPORTS, ids=[f"{p.parent.name}/{p.stem}" for p in REPORTS])
def test_the_diagram_draws_each_step_of_the_trace(report: Path) -> None:
    data = json.loads(report.read_text())
    sequence = data["sequence"]
    assert len(sequence["steps"]) == len(data["steps"])  # one drawing per step, none for Init
    drawn = _drawn(report.with_suffix(".html").read_text())
    expected = _expected(sequence)
    for kind in ("lifeline", "mark", "arrow delivered", "arrow sent", "arrow lost"):
        assert drawn[kind] == expected[kind], kind
    assert sum(expected[k] for k in expected if k != "lifeline") == data["length"]
    if data["model"] == "raft":
        receipts = [s for s in data["steps"][1:] if s["act"]["kind"] in RAFT_RECEIPTS]
        assert drawn["arrow delivered"] == len(receipts)
