"""Random walks (TLC's simulation mode): seeded, so the same walks every run; they find a bug
past the explorer's bounds, report a walk a model replays, and judge no liveness."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from model.raft import DEFAULT, SUITE, WALKED, Raft
from properties.raft import properties
from swarmcheck.cli import main
from swarmcheck.engines.result import NOT_FOUND, VIOLATED
from swarmcheck.engines.walks import NOT_JUDGED, walk
from swarmcheck.plan import plan

# A seeded bug the walks find at the default bounds in a few hundred walks.
BUGGY = attrs.evolve(DEFAULT, bugs=frozenset(["forget_vote_on_restart"]))


def test_the_same_seed_gives_the_same_walks_and_counterexample() -> None:
    first, second = (walk(Raft(BUGGY), properties(BUGGY), walks=2_000, depth=60, seed=7) for _ in range(2))
    assert first.verdict == VIOLATED
    assert first.hunt_stats is not None and second.hunt_stats is not None
    assert (first.hunt_stats.examples, first.hunt_stats.steps) == (second.hunt_stats.examples, second.hunt_stats.steps)
    assert first.violations[0].trace == second.violations[0].trace


def test_another_seed_walks_elsewhere() -> None:
    one, two = (walk(Raft(DEFAULT), properties(DEFAULT), walks=50, depth=40, seed=s).hunt_stats for s in (1, 2))
    assert one is not None and two is not None and one.coverage != two.coverage


def test_a_counterexample_is_a_walk_the_model_takes_with_no_state_twice() -> None:
    model = Raft(BUGGY)
    result = walk(model, properties(BUGGY), walks=2_000, depth=60, seed=7)
    trace = result.violations[0].trace
    assert trace is not None and trace.steps[0][0] is None
    states = [s for _, s in trace.steps]
    assert len(set(states)) == len(states)
    for (_, before), (action, after) in zip(trace.steps, trace.steps[1:], strict=False):
        assert (action, after) in list(model.next_steps(before))
    named = {p.name: p for p in properties(BUGGY)}[result.violations[0].property]
    assert named.check(states[-1]) == result.violations[0].message


def test_the_correct_model_shows_no_violation_and_liveness_is_not_judged() -> None:
    config = SUITE["two-entries"]
    result = walk(Raft(config), properties(config), walks=100, depth=40)
    assert result.verdict == NOT_FOUND and result.passed
    assert result.verdicts["leader_commits_entries"] == NOT_JUDGED
    assert "liveness" in result.reasons["leader_commits_entries"]


def test_the_main_job_walks_what_it_cannot_explore() -> None:
    jobs = {job.name: job for job in plan(["raft"], {}, [], [])}
    assert set(WALKED) <= set(jobs)
    assert jobs["deep-logs"].walks == WALKED["deep-logs"] and jobs["three-managers"].walks is None
    # Asked for with settings, the same bounds are explored (the user's budgets apply).
    (asked,) = plan(["raft"], {"max_term": "4", "max_log": "2", "max_msgs": "2", "restarts": "false"}, [], [])
    assert asked.walks is None


@pytest.mark.parametrize("flag", [["--time", "5"], ["--workers", "2"], ["--max-states", "10"]])
def test_an_option_the_walks_do_not_take_is_one_line_and_exit_2(
    flag: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "raft", "--engine", "walks", *flag, "--reports", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "walks" in err[0]


def test_walks_from_the_command_line_catch_a_bug(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "raft", "--engine", "walks", "--bug", "forget_vote_on_restart", "--max-examples", "2000"]
    assert main([*argv, "--quiet", "--reports", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "(walks): violated" in out
    (report,) = (tmp_path / "raft").glob("*.md")
    assert "found by: walks, a random walk of" in report.read_text()
