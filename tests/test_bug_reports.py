"""Every seeded bug's report, as `swarmcheck bugs` just wrote it (tox's bugs env): it replays
(a lasso closes and is fair), and the explorer's catch is the property each model's tests name
for that bug. The py env does not hunt the bugs again; elsewhere this says so and skips."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_gossip import CAUGHT_BY as GOSSIP_CAUGHT_BY
from test_scheduler import CAUGHT_BY as SCHEDULER_CAUGHT_BY

from swarmcheck.cli import replay

FOLDER = os.environ.get("SWARMCHECK_BUG_REPORTS")
CAUGHT_BY = {"gossip": GOSSIP_CAUGHT_BY, "scheduler": SCHEDULER_CAUGHT_BY}


def _reports() -> list[tuple[Path, dict[str, Any]]]:
    if not FOLDER:
        return []
    found = ((p, json.loads(p.read_text())) for p in sorted(Path(FOLDER).glob("*/*.json")))
    return [(p, data) for p, data in found if data.get("bugs")]


REPORTS = _reports()
IDS = [f"{p.parent.name}/{p.stem}" for p, _ in REPORTS]
pytestmark = pytest.mark.skipif(
    not REPORTS, reason="no seeded-bug reports: tox's bugs env runs this after `swarmcheck bugs` writes them"
)


@pytest.mark.parametrize(("path", "data"), REPORTS, ids=IDS)
def test_each_report_replays(path: Path, data: dict[str, Any]) -> None:
    outcome = replay(path)
    assert outcome.reproduced, outcome.summary


def test_every_liveness_catch_is_a_lasso() -> None:
    lassos = [data for _, data in REPORTS if data.get("loop") is not None]
    assert {d["model"] for d in lassos} >= {"raft", "gossip"}  # the scheduler's are caught first by `converged`
    assert all(d["loop"] <= d["length"] and d["fairness"] for d in lassos)


def test_the_explorer_catches_each_bug_by_its_named_property() -> None:
    caught: dict[tuple[str, str], set[str]] = {}
    for _, data in REPORTS:
        if data["engine"] == "explore" and data["model"] in CAUGHT_BY:
            caught.setdefault((data["model"], *data["bugs"]), set()).add(data["property"])
    named = {(model, bug): prop for model, table in CAUGHT_BY.items() for bug, prop in table.items()}
    assert set(caught) == set(named)
    for key, prop in named.items():
        assert prop in caught[key], (key, caught[key])
