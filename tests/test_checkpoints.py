"""A search saved part way and resumed ends with the counts of a search never stopped; a
checkpoint of another run, or a damaged one, is refused in one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from swarmcheck.engines.explore import Snapshot, explore
from swarmcheck.outputs import checkpoint
from swarmcheck.registry import MODELS

CASES = [("raft", "two-terms", True), ("raft", "reference", False), ("gossip", "four-nodes-lifeguard", True)]


def _figures(result: Any) -> tuple[Any, ...]:
    s = result.stats
    return s.distinct_states, s.transitions, s.depth, s.coverage, result.verdicts


@pytest.mark.parametrize(("name", "configuration", "symmetry"), CASES)
def test_a_resumed_search_ends_as_one_never_stopped(
    tmp_path: Path, name: str, configuration: str, symmetry: bool
) -> None:
    entry = MODELS[name]
    config = entry.suite[configuration]
    props = entry.properties(config)
    whole = explore(entry.build(config), props, symmetry=symmetry)
    run = checkpoint.identity(entry.build(config), symmetry, [p.name for p in props])
    saved: list[int] = []

    def save_then_stop(snapshot: Snapshot) -> None:
        checkpoint.save(tmp_path, entry.build(config), run, snapshot)
        saved.append(len(snapshot.parents))
        raise KeyboardInterrupt  # as if the machine went away right after the save

    # Every expansion makes a checkpoint due: the first stops the run at state 1024 or so.
    with pytest.raises(KeyboardInterrupt):
        explore(entry.build(config), props, symmetry=symmetry, checkpoint=save_then_stop, checkpoint_every=1e-9)
    resumed_runs = 0
    while True:  # resume, stop again at the next checkpoint, until a run finishes
        snapshot = checkpoint.load(tmp_path, entry.build(config), run)
        resumed_runs += 1
        try:
            result = explore(
                entry.build(config),
                props,
                symmetry=symmetry,
                checkpoint=save_then_stop,
                checkpoint_every=0.05,
                resume=snapshot,
            )
            break
        except KeyboardInterrupt:
            continue
    assert saved[0] < whole.stats.distinct_states
    assert _figures(result) == _figures(whole)
    assert resumed_runs >= 1


def test_a_checkpoint_of_another_run_or_a_damaged_one_is_refused(tmp_path: Path) -> None:
    entry = MODELS["raft"]
    config = entry.suite["reference"]
    model = entry.build(config)
    run = checkpoint.identity(model, True, [])
    explore(
        model, [], checkpoint=lambda s: checkpoint.save(tmp_path, model, run, s), checkpoint_every=1e-9, max_depth=5
    )
    assert checkpoint.exists(tmp_path)
    other = checkpoint.identity(entry.build(entry.suite["two-terms"]), True, [])
    with pytest.raises(checkpoint.CheckpointError, match=r"another run .*config differ"):
        checkpoint.load(tmp_path, model, other)
    manifest = json.loads((tmp_path / "checkpoint.json").read_text())
    seen = tmp_path / f"seen-{manifest['generation']}.bin"
    seen.write_bytes(seen.read_bytes()[:-16])
    with pytest.raises(checkpoint.CheckpointError, match="damaged"):
        checkpoint.load(tmp_path, model, run)
    (tmp_path / "checkpoint.json").write_text("not json")
    with pytest.raises(checkpoint.CheckpointError, match="not a readable checkpoint"):
        checkpoint.load(tmp_path, model, run)


def test_ctrl_c_writes_a_last_checkpoint_and_resume_finishes_the_job(tmp_path: Path) -> None:
    """The command line: Ctrl-C during a long search leaves a checkpoint; --resume goes on from it."""
    saved = tmp_path / "ck"
    command = [sys.executable, "-m", "swarmcheck", "check", "raft", "--set", "max_term=3", "--set", "servers=3"]
    command += ["--reports", str(tmp_path / "r"), "--quiet", "--checkpoint", str(saved), "--checkpoint-every", "1000"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    time.sleep(6)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    manifests = list(saved.glob("*/*/checkpoint.json"))
    assert len(manifests) == 1, out + err
    states = json.loads(manifests[0].read_text())["states"]
    assert states > 10_000
    assert not list(saved.glob("*/*/.*.tmp")), "a half-written file was left behind"
    bad = subprocess.run([*command[:-4], "--resume", str(saved), "--no-symmetry"], capture_output=True, text=True)
    assert bad.returncode == 2 and "another run" in bad.stderr and "Traceback" not in bad.stderr
    talkative = [part for part in command if part != "--quiet"]
    done = subprocess.run([*talkative, "--resume", str(saved), "--max-depth", "3"], capture_output=True, text=True)
    assert f"resumed at {states:,} states" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1 and "incomplete" in done.stdout  # the depth budget says so
    assert list(saved.glob("*/*/checkpoint.json")), "a budget's stop keeps the checkpoint to go on from"
