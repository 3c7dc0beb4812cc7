"""Explorer benchmark: states per CPU-second, peak memory and bytes per state, as a table.

Rows: TLC's Raft spaces in reference mode (no history, no properties, as TLC counts them:
2 servers 22,231 states; 3 servers 1,931,973), with and without symmetry; the 3-server
space on 2 worker processes; the fastest Python checker we know (minicheck, its port of
the same space in ../shared/peers/) run beside it when a Python that has it is given
(`--peer PYTHON`); and two scheduler configurations of the main job with all their
properties, as `swarmcheck check scheduler` runs them.

Every row runs in a fresh process, so its peak resident memory is its own. CPU seconds
(user + system, the workers' included) are what to compare on a shared, noisy machine;
wall seconds are printed beside them (Ray's CPU seconds leave out its own daemons', and its
wall time includes starting the local cluster). Bytes per state: peak resident memory of the largest
process over the states it holds (for 2 workers: the larger worker, over half the states).

Run: python bench/explore.py [--quick] [--peer /path/to/python-with-minicheck]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TWO = {"servers": 2, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 2}
THREE = {"servers": 3, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 1}
# (row name, what to run, symmetry, workers, backend)
ROWS: list[tuple[str, dict[str, Any], bool, int, str]] = [
    ("raft 2 servers (TLC 22,231)", TWO, False, 1, "processes"),
    ("raft 2 servers", TWO, True, 1, "processes"),
    ("raft 3 servers (TLC 1,931,973)", THREE, False, 1, "processes"),
    ("raft 3 servers", THREE, True, 1, "processes"),
    ("raft 3 servers", THREE, False, 2, "processes"),
    ("raft 3 servers", THREE, True, 2, "processes"),
    ("raft 3 servers", THREE, False, 2, "ray"),
    ("scheduler drain-pause-activate", {"suite": "drain-pause-activate"}, True, 1, "processes"),
    ("scheduler rolling-update-start-first", {"suite": "rolling-update-start-first"}, True, 1, "processes"),
]
PEER = Path(__file__).resolve().parent.parent.parent / "shared" / "peers" / "minicheck_raft.py"


def one_run(what: dict[str, Any], symmetry: bool, workers: int, backend: str) -> dict[str, float]:
    """Explore in this process (and its workers) and measure."""
    from swarmcheck.engines.explore import explore

    if backend == "ray":
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)

    if "suite" in what:
        from model.orchestration import SUITE, Orchestration
        from properties.orchestration import properties

        config = SUITE[str(what["suite"])]
        result = explore(Orchestration(config), properties(config), symmetry=symmetry, workers=workers, backend=backend)
    else:
        from model.raft import Config, Raft

        result = explore(Raft(Config(history=False, **what)), [], symmetry=symmetry, workers=workers, backend=backend)
    assert result.stats is not None
    # The largest process's peak: this one, or (with workers) the largest worker.
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    s = result.stats
    return {"states": s.distinct_states, "transitions": s.transitions, "depth": s.depth, "peak_mib": peak / 1024}


def measured(command: list[str]) -> tuple[str, float, float]:
    """Run a command; its output, wall seconds and CPU seconds (its descendants' too)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out.stdout, wall, cpu


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def row(name: str, engine: str, symmetry: str, workers: int, r: dict[str, float], held: float) -> str:
    """One line of the table; a Ray row has no CPU figures (its actors are not our children)."""
    ray = engine.endswith("ray")
    cpu = "-" if ray else f"{r['cpu']:.1f}"
    per_cpu = "-" if ray else f"{r['states'] / r['cpu']:,.0f}"
    per_state = "-" if ray else f"{r['peak_mib'] * 2**20 / held:,.0f}"
    peak = "-" if ray else f"{r['peak_mib']:,.0f}"
    return (
        f"{name:37} {engine:10} {symmetry:8} {workers:>7} {r['states']:>10,} {r.get('transitions', 0):>12,} "
        f"{r.get('depth', '-'):>5} {r['wall']:>7.1f} {cpu:>7} {per_cpu:>12} {r['states'] / r['wall']:>12,.0f} "
        f"{peak:>8} {per_state:>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the two-server rows")
    parser.add_argument("--peer", help="a Python with minicheck installed: run the peer's 3-server space beside ours")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        what, symmetry, workers, backend = json.loads(args.one)
        print(json.dumps(one_run(what, symmetry, workers, backend)))
        return 0
    print(f"machine: {machine()}")
    print("swarmcheck explore; Raft in reference mode (no history, no properties, as TLC counts);")
    print("the scheduler with every property of its configuration. CPU = user + system, workers included.\n")
    header = (
        f"{'configuration':37} {'engine':10} {'symmetry':8} {'workers':>7} {'states':>10} {'transitions':>12} "
        f"{'depth':>5} {'wall s':>7} {'CPU s':>7} {'states/CPU-s':>12} {'states/wall-s':>12} {'peak MiB':>8} {'B/state':>8}"
    )
    print(header)
    print("-" * len(header))
    rows = [r for r in ROWS if r[1] is TWO] if args.quick else ROWS
    for name, what, symmetry, workers, backend in rows:
        if backend == "ray" and importlib.util.find_spec("ray") is None:
            print(f"{name:37} ray        (skipped: Ray is not installed; pip install -e '.[ray]')")
            continue
        out, wall, cpu = measured([sys.executable, __file__, "--one", json.dumps([what, symmetry, workers, backend])])
        r = {**json.loads(out.splitlines()[-1]), "wall": wall, "cpu": cpu}
        engine = "swarmcheck" if backend == "processes" else "sc + ray"
        print(row(name, engine, "on" if symmetry else "off", workers, r, r["states"] / workers), flush=True)
        if args.peer and what is THREE and not symmetry and workers == 1:
            print(peer_row(args.peer), flush=True)
    return 0


def peer_row(python: str) -> str:
    """The peer on the same 3-server space, right after ours: its own count, our clock."""
    out, wall, cpu = measured([python, str(PEER), "B3"])
    lines = out.splitlines()
    states = next(int(line.split(":")[1].split()[0].replace(",", "")) for line in lines if "distinct states:" in line)
    peak = next(float(line.rsplit(":", 1)[1].split()[0]) for line in lines if "peak RSS" in line)
    r = {"states": states, "wall": wall, "cpu": cpu, "peak_mib": peak}
    return row("raft 3 servers (the peer's port)", "minicheck", "off", 1, r, states)


if __name__ == "__main__":
    sys.exit(main())
