"""`swarmcheck bugs` stops when told (issue 11): Ctrl-C ends its workers at once and nothing is
written after it; a worker whose parent is killed ends too. Real processes, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc as on Linux")


def start_bugs(reports: Path) -> subprocess.Popen[str]:
    """`swarmcheck bugs` in a session of its own; returns once its first hunt has finished."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "swarmcheck", "bugs", "--jobs", "2", "--reports", str(reports)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As in a terminal: a shell that started us in the background may have left SIGINT
        # ignored, and Python keeps an inherited ignore.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert "(explore)" in first or "(hypothesis)" in first, first
    return proc


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_the_hunt_and_nothing_is_written_after(tmp_path: Path) -> None:
    proc = start_bugs(tmp_path)
    workers = children_of(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends: the whole process group
    _, err = proc.communicate(timeout=120)  # a bound on hanging, not a speed target
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "bug hunts finished" in err
    # Every child ends with the parent: the workers at once, the spawn context's resource
    # tracker once it reads the end of its pipe (a moment later; the bound is not a speed target).
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    files = sorted(tmp_path.rglob("*"))
    time.sleep(1)
    assert sorted(tmp_path.rglob("*")) == files  # no worker wrote anything later
    for report in tmp_path.rglob("*.json"):  # and every report is whole
        json.loads(report.read_text())


def test_workers_end_with_a_killed_parent(tmp_path: Path) -> None:
    proc = start_bugs(tmp_path)
    workers = children_of(proc.pid)
    assert workers
    proc.kill()
    proc.wait()
    for _ in range(300):  # up to 30 s for SIGTERM to be delivered and handled
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
