"""Reports are data first, replay confirms them, and bad files get one line and exit 2."""

import json
from pathlib import Path

import pytest

from swarmcheck.cli import main, replay
from swarmcheck.outputs.replay import ReplayError
from swarmcheck.registry import MODELS

ENTRY = MODELS["raft"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report for half_is_quorum, written by `swarmcheck check`."""
    folder = tmp_path_factory.mktemp("reports")
    code = main(["check", "raft", "--bug", "half_is_quorum", "--set", "servers=2", "--quiet", "--reports", str(folder)])
    assert code == 1
    (path,) = sorted(folder.glob("raft/*.json"))
    return path


def test_report_follows_the_schema(report: Path) -> None:
    data = json.loads(report.read_text())
    assert data["schema"] == "swarmcheck.counterexample/2"
    assert data["bugs"] == ["half_is_quorum"]
    assert data["steps"][0]["action"] == "Init" and data["steps"][0]["act"] is None
    assert data["length"] == len(data["steps"]) - 1
    assert all(step["changed"] for step in data["steps"][1:])
    assert data["reproduce"] == f"swarmcheck replay {report}"
    # Actions as data, beside the text a person reads.
    timeout = next(step for step in data["steps"] if step["action"].startswith("Timeout"))
    assert timeout["act"] == {"kind": "Timeout", "i": int(timeout["action"][len("Timeout(s") : -1]) - 1}
    made = data["provenance"]
    assert made["tool"].startswith("swarmcheck ") and made["engine"] == "explore"
    assert made["states"] > 0 and made["symmetry"] is True and made["written"].endswith("Z")


def test_report_files_are_readable_by_all_and_named_by_a_64_bit_id(report: Path) -> None:
    assert report.stat().st_mode & 0o777 == 0o644
    assert report.with_suffix(".md").stat().st_mode & 0o777 == 0o644
    assert len(report.stem.rsplit("-", 1)[1]) == 16


def test_markdown_starts_with_the_verdict(report: Path) -> None:
    text = report.with_suffix(".md").read_text()
    first, _, verdict = text.splitlines()[:3]
    assert first.startswith("# raft:") and "violated" in first
    assert verdict.startswith("**") and "committed" in verdict


def test_replay_reproduces(report: Path) -> None:
    outcome = replay(report)
    assert outcome.reproduced, outcome.summary
    assert json.loads(report.read_text())["violation"] in outcome.summary
    assert main(["replay", str(report)]) == 0


def test_replay_takes_several_reports(report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(report.read_text())
    data["config"]["bugs"] = []
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(data))
    assert main(["replay", str(report), str(report)]) == 0
    assert main(["replay", str(report), str(fixed)]) == 1
    out = capsys.readouterr().out
    assert f"{fixed}: not reproduced" in out


def test_replay_of_the_fixed_model_does_not_reproduce(report: Path, tmp_path: Path) -> None:
    data = json.loads(report.read_text())
    data["config"]["bugs"] = []
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(data))
    assert not replay(fixed).reproduced
    assert main(["replay", str(fixed)]) == 1


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"schema": "someone.else/1"}',
        '{"schema": "swarmcheck.counterexample/1", "model": "paxos", "config": {}, "property": "x", "steps": [{"action": "Init"}]}',
        '{"schema": "swarmcheck.counterexample/1", "model": "raft", "config": {"servers": 99}, "property": "election_safety", "steps": [{"action": "Init"}]}',
        '{"schema": "swarmcheck.counterexample/1", "model": "raft", "config": {}, "property": "nope", "steps": [{"action": "Init"}]}',
        '{"schema": "swarmcheck.counterexample/1", "model": "raft", "config": {}, "property": "election_safety", "steps": []}',
    ],
)
def test_bad_replay_files_are_rejected(content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ReplayError):
        replay(path)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_interrupted_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from swarmcheck.outputs import report as report_module

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module.os, "replace", interrupted)
    target = tmp_path / "r.json"
    with pytest.raises(KeyboardInterrupt):
        report_module.write_atomically(target, "{}")
    assert list(tmp_path.iterdir()) == []
