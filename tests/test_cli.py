"""The command line: one clear line and exit code 2 for bad input, never a traceback."""

import json
from pathlib import Path

import pytest

from swarmcheck.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "paxos"],
        ["check", "raft", "--bug", "no_such_bug"],
        ["check", "raft", "--property", "no_such_property"],
        ["check", "raft", "--set", "servers=99"],
        ["check", "raft", "--set", "servers=three"],
        ["check", "raft", "--set", "colour=blue"],
        ["check", "raft", "--set", "servers"],
        ["check", "raft", "--max-states", "-1"],
        ["check", "raft", "--time", "soon"],
        ["bugs", "paxos"],
        ["frobnicate"],
        ["replay", "/nonexistent/report.json"],
        ["check", "gossip", "--set", "nodes=9"],
        ["check", "gossip", "--set", "joiners=3"],
        ["simulate", "paxos"],
        ["simulate", "gossip", "--sizes", "2,4"],
        ["simulate", "gossip", "--sizes", "eight"],
        ["simulate", "gossip", "--slow-delay", "0"],
        # issue 11's checklist
        ["check", "--bug", "no_such_bug"],
        ["check", "raft", "--bug", "no_lifeguard"],
        ["check", "--property", "no_such_property"],
        ["check", "scheduler", "--property", "placement_follows_spread", "--set", "nodes=2"],
        ["check", "raft", "--time", "nan"],
        ["check", "raft", "--time", "inf"],
        ["check", "raft", "--time", "0"],
        ["check", "raft", "--max-examples", "0"],
        ["check", "raft", "--seed", "twelve"],
        ["check", "raft", "--max-depth", "zero"],
        ["check", "raft", "--reports", ""],
        ["check", "raft", "--reports", "/proc/swarmcheck-reports"],
        ["bugs", "--reports", ""],
        ["prove", "--reports", "/proc/swarmcheck-reports"],
        ["simulate", "gossip", "--reports", " "],
        ["check", "gossip", "--set", "simulated=true", "--set", "nodes=200"],
        ["check", "raft", "--set", "history=maybe"],
        ["check", "raft", "--set", "split=3"],
        ["check", "scheduler", "--set", "restart=sometimes"],
        ["check", "scheduler", "--set", "constraint=node.labels.zone~a"],
        ["check", "raft", "--engine", "tlc"],
        ["check", "raft", "--profile", "fast"],
        ["check", "--model", "nosuch.module:entry"],
        ["check", "--model", "examples.claims:nothing"],
        ["check", "--model", "examples.claims"],
        ["check", "--model", "examples.claims:Config"],
        ["list", "--model", "examples.claims:"],
        ["replay", "--model", "nosuch:entry", "report.json"],
        ["prove", "--drop", "no_such_conjunct"],
        ["prove", "--max-n", "0"],
        ["bugs", "raft", "--jobs", "0"],
        ["bugs", "raft", "--engine", "tlc"],
        ["check", "raft", "--engine", "hypothesis", "--max-states", "1000"],
        ["check", "raft", "--engine", "hypothesis", "--no-symmetry"],
        ["check", "raft", "--max-examples", "100"],
        ["check", "raft", "--seed", "1"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Traceback" not in captured.err


GOOD = {"schema": "swarmcheck.counterexample/2", "model": "raft", "property": "election_safety"}


def _report(**fields: object) -> bytes:
    return json.dumps({**GOOD, **fields}).encode()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b"\xff\xfe not UTF-8",
        json.dumps({"schema": "someone-elses/1"}).encode(),
        _report(model="paxos", config={}, steps=[{"action": "Init", "state": {}}]),
        _report(config="servers=2", steps=[]),
        _report(config={}, steps=[]),
        _report(config={}, steps=[{"action": "Init"}]),
        _report(config={}, steps=[{"action": "Init", "state": {}}, {"action": "Timeout(s1)", "state": {}}]),
        b"[" * 3000 + b"]" * 3000,
    ],
)
def test_a_malformed_or_foreign_replay_file_is_one_line_and_exit_2(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(content)
    assert main(["replay", str(path)]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Traceback" not in captured.err


def test_the_checklist_has_forty_cases() -> None:
    argv_cases = test_bad_input_is_one_line_and_exit_2.pytestmark[0].args[1]  # type: ignore[attr-defined]
    file_cases = test_a_malformed_or_foreign_replay_file_is_one_line_and_exit_2.pytestmark[0].args[1]  # type: ignore[attr-defined]
    assert len(argv_cases) + len(file_cases) >= 40


def test_list_names_every_bug_and_property(capsys: pytest.CaptureFixture[str]) -> None:
    from model.raft import BUGS

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(bug in out for bug in BUGS)
    assert "election_safety" in out and "Figure 3" in out


def test_check_one_property_holds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["check", "raft", "--set", "servers=2", "--property", "election_safety", "--quiet"]
    code = main([*argv, "--reports", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "holds" in out
    summary = (tmp_path / "check-summary.md").read_text()
    assert "| raft | servers=2 | explore | holds |" in summary


def test_a_budget_makes_the_verdict_incomplete_never_holds(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "raft", "--max-states", "100", "--quiet", "--set", "servers=3"])
    out = capsys.readouterr().out
    assert code == 1
    assert "incomplete" in out and "holds  " not in out.split("model  engine")[-1]


def test_a_sometimes_never_reached_is_vacuous(capsys: pytest.CaptureFixture[str]) -> None:
    # With a log bound of 0 no entry can be appended, so "an entry is committed" is unreachable.
    code = main(["check", "raft", "--set", "servers=2", "--set", "max_log=0", "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    assert "vacuous    entry_committed" in out
