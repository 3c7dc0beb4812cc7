"""A command line that never misleads (issue 11): each test failed on the code before it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from model.gossip import UNREACHED as GOSSIP_UNREACHED
from model.orchestration import UNREACHED as SCHEDULER_UNREACHED
from model.raft import UNREACHED as RAFT_UNREACHED
from swarmcheck import registry, running
from swarmcheck.cli import main
from swarmcheck.engines.stateful import hunt
from swarmcheck.outputs import replay as replay_file
from swarmcheck.plan import plan


def run(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*argv, "--reports", str(tmp_path)] if argv[0] in ("check", "bugs") else argv)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- 1. --bug


def test_a_bug_alone_is_hunted_at_its_bounds_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "raft", "--bug", "figure8", "--quiet"], tmp_path, capsys)
    assert code == 1
    assert "figure8 (its hunt bounds)" in out and "servers=2, max_term=3" in out
    assert "violated   commit_by_current_term" in out
    assert "figure8" in (tmp_path / "check-summary.md").read_text()


def test_a_bug_not_caught_is_never_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Figure 8 needs a third term; at max_term 2 it cannot happen.
    argv = ["check", "raft", "--bug", "figure8", "--set", "servers=2", "--set", "max_term=2", "--quiet"]
    code, out, _ = run(argv, tmp_path, capsys)
    assert code == 1
    table = out.split("model  configuration")[-1]
    assert "bug not caught" in table and " holds " not in table
    assert (
        "| servers=2, max_term=2, bug figure8 | explore | bug not caught |"
        in (tmp_path / "check-summary.md").read_text()
    )


def test_a_bug_without_its_model_finds_its_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--bug", "half_is_quorum", "--quiet"], tmp_path, capsys)
    assert code == 1 and "== raft half_is_quorum" in out and not err


# ---------------------------------------------------------------- 2. --property


def test_a_listed_property_runs_wherever_it_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A property of partitions: judged in the split configurations only (the main job's
    # other configurations are the check env's to run).
    code, out, _ = run(["check", "raft", "--property", "no_commit_without_majority_side", "--quiet"], tmp_path, capsys)
    assert code == 0
    applies = [name for name, c in registry.MODELS["raft"].suite.items() if c.split]
    assert [line.split()[2] for line in out.splitlines() if line.startswith("== raft")] == applies


def test_a_property_that_does_not_apply_says_what_would(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "scheduler", "--property", "placement_follows_spread", "--set", "nodes=2"]
    code, _, err = run(argv, tmp_path, capsys)
    assert code == 2
    assert "spread=True" in err and "spread-preference" in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- 3. output paths first


@pytest.mark.parametrize("bad", ["/proc/swarmcheck-reports", "FILE", "FILE/below"])
def test_an_unwritable_reports_folder_stops_before_any_work(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setattr(running, "run_engine", lambda *a: pytest.fail("explored before checking --reports"))
    for command in (["check", "raft"], ["bugs", "raft"], ["prove"], ["simulate", "gossip"]):
        assert main([*command, "--reports", bad.replace("FILE", str(a_file))]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "--reports" in err


# ---------------------------------------------------------------- 4. Hypothesis


def test_hypothesis_says_how_far_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "raft", "--engine", "hypothesis", "--max-examples", "25", "--seed", "7", "--quiet"]
    code, out, _ = run([*argv, "--set", "servers=2"], tmp_path, capsys)
    assert code == 0
    ran = re.search(r"no violation in (\d+) examples", out)  # those run: Hypothesis may add its simplest one
    assert ran and int(ran.group(1)) >= 25 and "incomplete" not in out


def test_hypothesis_stopped_by_time_is_incomplete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "raft", "--engine", "hypothesis", "--max-examples", "100000", "--time", "1", "--quiet"]
    code, out, _ = run(argv, tmp_path, capsys)
    assert code == 1
    assert "incomplete (time 1 s:" in out and "of 100,000 examples" in out


def test_hypothesis_prints_progress_and_a_seed_repeats_itself() -> None:
    entry = registry.MODELS["raft"]
    config = entry.config({"servers": "2"})
    lines: list[str] = []

    def once(progress: Any) -> Any:
        model = entry.build(config)
        return hunt(model, entry.properties(config), max_examples=30, seed_value=3, progress=progress, progress_every=0)

    first, second = once(lines.append), once(None)
    assert lines and "examples" in lines[-1]
    assert first.hunt_stats is not None and second.hunt_stats is not None
    assert (first.hunt_stats.examples, first.hunt_stats.steps) == (second.hunt_stats.examples, second.hunt_stats.steps)


# ---------------------------------------------------------------- 5. replay


@pytest.fixture
def report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    main(["check", "raft", "--bug", "half_is_quorum", "--quiet", "--reports", str(tmp_path)])
    capsys.readouterr()
    (path,) = (tmp_path / "raft").glob("*.json")
    return path


def edited(report: Path, change: Any) -> Path:
    data = json.loads(report.read_text())
    change(data)
    path = report.with_name("edited.json")
    path.write_text(json.dumps(data))
    return path


def test_replay_checks_every_recorded_state(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def tamper(data: dict[str, Any]) -> None:
        data["steps"][3]["state"]["servers"]["s2"]["term"] = 9

    assert main(["replay", str(edited(report, tamper))]) == 1
    out = capsys.readouterr().out
    assert "after step 3" in out and "servers.s2.term: recorded 9" in out


def test_replay_matches_actions_by_data_not_by_how_they_print(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def reword(data: dict[str, Any]) -> None:
        for step in data["steps"][1:]:
            step["action"] = step["action"].replace("(", " (")

    assert main(["replay", str(edited(report, reword))]) == 0
    assert "reproduced" in capsys.readouterr().out


def test_replay_rejects_a_report_missing_a_setting(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(edited(report, lambda d: d["config"].pop("max_term")))]) == 2
    assert "'max_term' is missing" in capsys.readouterr().err


def test_replay_caps_size_and_nesting(
    report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    assert main(["replay", str(deep)]) == 2
    monkeypatch.setattr(replay_file, "MAX_BYTES", 100)
    assert main(["replay", str(report)]) == 2
    err = capsys.readouterr().err
    assert "nests deeper" in err and "at most 100" in err


def test_replay_reports_each_file_and_goes_on(report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    assert main(["replay", str(junk), str(report)]) == 2
    out, err = capsys.readouterr()
    assert "junk.json is not a swarmcheck counterexample" in err
    assert f"{report}: reproduced" in out


def test_replay_still_reads_first_schema_reports(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def first_schema(data: dict[str, Any]) -> None:
        data["schema"] = "swarmcheck.counterexample/1"
        for step in data["steps"]:
            del step["act"]

    assert main(["replay", str(edited(report, first_schema))]) == 0


# ---------------------------------------------------------------- 6. Ctrl-C


SMALL = ("reference", "two-terms")


def test_ctrl_c_leaves_a_partial_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = running.run_engine
    calls = []

    def interrupted_second(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(running, "run_engine", interrupted_second)
    raft = registry.MODELS["raft"]  # two of its small configurations, in this order
    monkeypatch.setitem(registry.MODELS, "raft", attrs.evolve(raft, suite={k: raft.suite[k] for k in SMALL}))
    code, _, err = run(["check", "raft", "--quiet", "--jobs", "1"], tmp_path, capsys)
    assert code == 130 and "interrupted" in err
    summary = (tmp_path / "check-summary.md").read_text()
    assert "(interrupted)" in summary and "| raft | reference | explore | holds |" in summary
    assert "| raft | two-terms | explore | interrupted |" in summary


# Properties that only security's three small configurations judge: three jobs in a second.
SMALL_SECURITY = ["--property", "join_role_is_the_tokens", "--property", "call_through_a_follower"]
SMALL_SECURITY += ["--property", "secrets_follow_tasks"]


def test_configurations_checked_at_once_say_what_one_at_a_time_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--jobs 2` runs the configurations in two worker processes; the output, the summary and
    the verdicts are those of one process, in the same order (seconds aside)."""
    said = {}
    for jobs in ("1", "2"):
        folder = tmp_path / jobs
        code, out, _ = run(["check", "security", *SMALL_SECURITY, "--quiet", "--jobs", jobs], folder, capsys)
        summary = (folder / "check-summary.md").read_text().splitlines()
        said[jobs] = (code, _without_seconds(out), [row.split(" | ")[:6] for row in summary])
    assert said["1"] == said["2"] and said["1"][0] == 0
    assert [row[1] for row in said["1"][2][4:]] == ["join-tokens", "snapshot-proxy", "secrets"]


def _without_seconds(out: str) -> str:
    """The terminal output with the figures that depend on the machine taken out."""
    return re.sub(r"\d[\d,.]*(?= *(\d[\d,]*)? *$)|summary for CI: .*", "", out, flags=re.M)


# ---------------------------------------------------------------- 7. coverage


def test_activate_lose_message_and_heal_are_reached_by_the_main_job() -> None:
    """The main job fails on an action it enables and never reaches unless declared: so an
    action neither switched off nor declared in some suite configuration does fire there."""
    for model, kind, unreached in (
        ("scheduler", "Activate", SCHEDULER_UNREACHED),
        ("gossip", "LoseMessage", GOSSIP_UNREACHED),
        ("raft", "Heal", RAFT_UNREACHED),
    ):
        entry = registry.MODELS[model]
        reaching = [
            name
            for name, config in entry.suite.items()
            if kind not in entry.build(config).switched_off() and kind not in unreached.get(name, {})  # type: ignore[attr-defined]
        ]
        assert reaching, f"no {model} configuration reaches {kind}"


def test_an_action_never_reached_fails_a_suite_run_unless_declared(tmp_path: Path) -> None:
    from examples.claims import Config, entry
    from swarmcheck.api import check

    alone = attrs.evolve(entry(), suite={"one-scheduler": Config(schedulers=1)})  # nobody to back off from
    (verdict,) = check(alone, tmp_path)
    assert not verdict.ok and verdict.said == "holds, but coverage is not as declared: BackOff"
    declared = attrs.evolve(alone, unreached={"one-scheduler": {"BackOff": "one scheduler: nobody claims first"}})
    (verdict,) = check(declared, tmp_path)
    assert verdict.ok and verdict.said == "holds"
    stale = attrs.evolve(declared, unreached={"one-scheduler": {"BackOff": "...", "Claim": "a wrong declaration"}})
    (verdict,) = check(stale, tmp_path)
    assert not verdict.ok and verdict.said.endswith("Claim (declared unreachable, yet fired)")


def test_never_fired_is_split_by_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The main job's split-four configuration, as `swarmcheck check raft` runs it (the whole
    # main job is the check env's).
    (job,) = [job for job in plan(["raft"], {}, [], []) if job.name == "split-four"]
    code = running.run_jobs([job], ["explore"], running.Budgets(quiet=True), tmp_path)
    out = capsys.readouterr().out
    assert code == 0
    four = out.split("== raft split-four")[1].split("== ")[0]
    assert "off in this configuration: Heal, Restart" in four
    assert "never reached (declared): AdvanceCommitIndex, AppendEntries, BecomeLeader" in four
    assert "enabled, never reached" not in out


# ---------------------------------------------------------------- 8. version, reports


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("swarmcheck ")


def test_the_reproduce_line_is_shell_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spaced = tmp_path / "my reports"
    main(["check", "raft", "--bug", "half_is_quorum", "--quiet", "--reports", str(spaced)])
    (path,) = (spaced / "raft").glob("*.json")
    assert json.loads(path.read_text())["reproduce"] == f"swarmcheck replay '{path}'"


# ---------------------------------------------------------------- 9. users' own models


def test_a_users_model_is_checked_hunted_and_replayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = ["--model", "examples.claims:entry"]
    assert main(["check", *spec, "--quiet", "--reports", str(tmp_path)]) == 0
    assert main(["check", *spec, "--bug", "blind_write", "--quiet", "--reports", str(tmp_path)]) == 1
    (path,) = (tmp_path / "claims").glob("*.json")
    assert main(["replay", *spec, str(path)]) == 0
    assert main(["bugs", *spec, "--jobs", "1", "--reports", str(tmp_path)]) == 0
    assert "2 of 2 bug hunts caught their bug" in capsys.readouterr().out


def test_the_pytest_plugin_runs_a_modules_model(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_claims="""
        import attrs
        from examples.claims import entry

        def swarmcheck_model():
            e = entry()
            buggy = attrs.evolve(e.default, bugs=frozenset({"blind_write"}))
            return attrs.evolve(e, suite={**e.suite, "blind": buggy})
        """
    )
    result = pytester.runpytest_subprocess("--swarmcheck-reports", str(pytester.path / "out"), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*claims blind: violated*", "*one_owner: s1 and s2 both run the task*", "*report: *"])


def test_the_main_jobs_summary_fits_120_columns_at_its_widest() -> None:
    """Issue 16: every main-job row as a passing run prints it, with figures ten times today's
    (a failing run's verdict says why at whatever length it takes)."""
    from swarmcheck.outputs.report import summary_table
    from swarmcheck.plan import plan
    from swarmcheck.running import HEADER

    widest = ["holds", "9,999,999", "99,999,999", 999, "9999.9", "999,999"]
    rows = [[job.entry.name, job.name, "explore", *widest] for job in plan([], {}, [], [])]
    assert len(rows) > 20
    assert max(len(line) for line in summary_table(rows, HEADER).splitlines()) <= 120


# ---------------------------------------------------------------- a model that raises


def test_a_model_that_raises_gets_the_run_to_its_state_and_no_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As TLC reports an error in the next-state relation: the error, its line, the shortest
    run to the state whose steps raised it, exit code 3; no traceback, no report."""

    def client_request(self: Any, s: Any, i: int, v: int) -> Any:
        raise IndexError("tuple index out of range")

    monkeypatch.setattr("model.raft.model.Raft.client_request", client_request)
    code, _, err = run(["check", "raft", "--set", "servers=2", "--quiet"], tmp_path, capsys)
    assert code == 3
    assert "the model raised IndexError: tuple index out of range (test_command_line.py:" in err
    assert "Traceback" not in err and "No verdict" in err
    assert re.search(r"\n\s+\d+  BecomeLeader\(s\d\)\n", err)  # the state a leader's request is listed in
    assert not list(tmp_path.glob("raft*.json"))
    code, _, err = run(["check", "raft", "--set", "servers=2", "--quiet", "--workers", "2"], tmp_path, capsys)
    assert code == 3 and "run with --workers 1 for the run to it" in err
