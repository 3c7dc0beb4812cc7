"""The command line: one clear line and exit code 2 for bad input, never a traceback."""

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
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Traceback" not in captured.err


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
