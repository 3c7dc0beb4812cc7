"""Conformance (issue 17): the Raft model's rules judge pysyncobj, a real Raft library, driven
in one process. Per-link FIFO links (TCP's) show nothing; reordering links show its
AppendEntries handler deleting entries that conflict with nothing (Fig. 2 rule 3); a
duplicating network shows a candidate counting one voter twice."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytest.importorskip("pysyncobj", reason="pysyncobj is the conformance extra: pip install -e '.[conformance]'")

from swarmcheck.cli import main
from swarmcheck.conformance.checked import CheckedCluster
from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.stateful import Setup, check
from swarmcheck.conformance.traces import random_events, record


def _trace(seed: int, events: int = 400, mode: str = "fifo") -> str:
    run = CheckedCluster(3, mode, seed)
    out = io.StringIO()
    record(run, out, random_events(run, events, seed))
    return out.getvalue()


def test_the_same_seed_gives_the_same_trace_byte_for_byte() -> None:
    first, second = _trace(7), _trace(7)
    assert first == second and first != _trace(8)
    assert len(first.splitlines()) == 2 + 400


def test_a_hand_driven_election_and_write_pass_every_rule() -> None:
    run = CheckedCluster(3, "fifo", 0)
    events = [
        Event("tick", 0, advance=1.5),  # s1 times out and asks for votes
        Event("deliver", 0, 1),
        Event("deliver", 1, 0),  # one vote and its own: a majority of three
        Event("request", 0, value=5),
        Event("tick", 0, advance=0.2),
        Event("tick", 0, advance=0.2),
        *[Event("deliver", 0, 1)] * 3,
        *[Event("deliver", 1, 0)] * 3,
        Event("tick", 0, advance=0.2),  # s1 counts s2's match and commits
        Event("tick", 0, advance=0.2),
    ]
    assert run.run(events) is None
    leader = run.views[0]
    assert leader.role == 2 and leader.log == ((1, 0), (1, 5)) and leader.commit_index == 2 and leader.applied == (5,)


def test_reordering_shows_a_follower_deleting_entries_nothing_conflicts_with() -> None:
    run = CheckedCluster(3, "reorder", 0)
    election = [Event("tick", 0, advance=1.5), Event("deliver", 0, 1), Event("deliver", 1, 0)]
    write = [Event("request", 0, value=1), Event("tick", 0, advance=0.2), Event("tick", 0, advance=0.2)]
    # The no-op, then the entry, then the heartbeat sent before the entry: it arrives last.
    late = [Event("deliver", 0, 1, 0), Event("deliver", 0, 1, 1), Event("deliver", 0, 1, 0)]
    finding = run.run(election + write + late)
    assert finding is not None and finding.rule == "append_entries_rule_3"
    assert "s2 deleted index 2 (term 1 v1)" in finding.message and "receiver 3" in finding.source
    assert len(run.steps) == 9


def test_fifo_links_break_no_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "pysyncobj", "--examples", "300", "--reports", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "no rule broken in 300 runs" in out
    assert not (tmp_path / "conformance").exists()


def test_reordering_is_found_shrunk_reported_and_replayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "pysyncobj", "--mode", "reorder", "--reports", str(tmp_path)]) == 1
    (report,) = (tmp_path / "conformance" / "pysyncobj").glob("append_entries_rule_3-*.json")
    data = json.loads(report.read_text())
    assert data["length"] <= 12 and "FIFO" in data["violation"] and data["config"]["mode"] == "reorder"
    assert report.with_suffix(".md").exists() and report.with_suffix(".html").exists()
    capsys.readouterr()
    assert main(["replay", str(report)]) == 0
    assert capsys.readouterr().out.startswith("reproduced: append_entries_rule_3")


def test_a_duplicated_vote_is_counted_twice_at_five_nodes() -> None:
    run = CheckedCluster(5, "duplicate", 0)
    vote = [Event("tick", 2, advance=1.5), Event("deliver", 2, 0), Event("duplicate", 0, 2)]
    finding = run.run([*vote, Event("deliver", 0, 2), Event("deliver", 0, 2)])
    assert finding is not None and finding.rule == "leader_by_quorum"
    assert finding.message == "s3 became leader of term 1 with votes from s1, s3 of 5 servers"


def test_the_search_finds_the_double_count_past_the_known_truncation() -> None:
    setup = Setup(nodes=5, mode="duplicate", ignore=("append_entries_rule_3",))
    outcome = check(setup)
    assert outcome.finding is not None and outcome.finding.rule == "leader_by_quorum"
    assert [step.event.kind for step in outcome.steps].count("duplicate") >= 1 and len(outcome.steps) <= 8


def test_an_unknown_rule_to_ignore_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "pysyncobj", "--ignore", "no_such_rule"]) == 2
    assert "unknown rule 'no_such_rule'" in capsys.readouterr().err


def _corrupt_with_a_second_vote(trace: str) -> tuple[str, int]:
    """The trace cut after the first vote a server grants, then one more line: the same server,
    same term, now voting for a second candidate."""
    lines = trace.splitlines()
    for number in range(2, len(lines)):
        step, before = json.loads(lines[number]), json.loads(lines[number - 1])
        for i, (old, new) in enumerate(zip(before["servers"], step["servers"], strict=True)):
            if new["votedFor"] not in (None, i) and (old["votedFor"], old["term"]) != (new["votedFor"], new["term"]):
                other = next(c for c in range(3) if c not in (i, new["votedFor"]))
                servers = [dict(s) for s in step["servers"]]
                servers[i]["votedFor"] = other
                message = {"type": "request_vote", "term": new["term"], "last_log_index": 1, "last_log_term": 0}
                forged = {"step": step["step"] + 1, "event": {"kind": "deliver", "node": other, "to": i}}
                lines = [*lines[: number + 1], json.dumps({**forged, "message": message, "servers": servers})]
                return "\n".join(lines) + "\n", step["step"] + 1
    raise AssertionError("no vote granted in the trace")


def test_validate_names_the_step_where_a_vote_is_granted_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(_trace(3))
    assert main(["validate", str(good)]) == 0
    bad = tmp_path / "bad.jsonl"
    text, step = _corrupt_with_a_second_vote(_trace(3))
    bad.write_text(text)
    capsys.readouterr()
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"step {step} breaks one_vote_per_term" in out and "and then" in out


def test_a_recorded_reordering_run_fails_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "run.jsonl"
    assert main(["conformance", "pysyncobj", "--mode", "reorder", "--record", str(trace), "--events", "1500"]) == 0
    capsys.readouterr()
    assert main(["validate", str(trace)]) == 1
    assert "breaks append_entries_rule_3" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content",
    ["", "not json\n", '{"format": "something else"}\n', '{"format": "swarmcheck.conformance-trace/1", "nodes": 3}\n'],
    ids=["empty", "not-json", "foreign", "no-initial-state"],
)
def test_a_file_that_is_not_a_trace_is_one_line_and_exit_2(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "trace.jsonl"
    path.write_text(content)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("swarmcheck validate: ")


def test_a_report_with_a_forged_event_is_refused_on_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = {
        "schema": "swarmcheck.counterexample/2",
        "model": "pysyncobj",
        "config": {"nodes": 3, "mode": "reorder", "seed": 0},
        "property": "append_entries_rule_3",
        "steps": [{"action": "Init", "state": {}}, {"action": "x", "act": {"kind": "tick", "node": "__import__"}}],
    }
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(report))
    assert main(["replay", str(path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
