"""Explorer benchmark: distinct states/s and peak memory.

The Raft reference configurations (reference mode: no history, no properties, as TLC
counts them) and two orchestration configurations of the main job, with all their
properties, as `swarmcheck check scheduler` runs them.

Run: python bench/explore.py [--quick]. Each configuration runs in a fresh
process, so the peak resident memory printed is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path

CONFIGS: list[tuple[str, dict[str, int | bool | str], bool]] = [
    ("reference (TLC 22,231)", {"servers": 2, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 2}, False),
    ("reference (TLC 22,231)", {"servers": 2, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 2}, True),
    ("three servers", {"servers": 3, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 1}, False),
    ("three servers", {"servers": 3, "values": 1, "max_term": 2, "max_log": 1, "max_msgs": 1}, True),
    ("scheduler", {"suite": "drain-pause-activate"}, True),
    ("scheduler", {"suite": "rolling-update-start-first"}, True),
]


def one_run(bounds: dict[str, int | bool | str], symmetry: bool) -> dict[str, float]:
    """Explore in this process and measure."""
    from swarmcheck.engines.explore import explore

    if "suite" in bounds:
        from model.orchestration import SUITE, Orchestration
        from properties.orchestration import properties

        config = SUITE[str(bounds["suite"])]
        result = explore(Orchestration(config), properties(config), symmetry=symmetry)
    else:
        from model.raft import Config, Raft

        result = explore(Raft(Config(history=False, **bounds)), [], symmetry=symmetry)  # type: ignore[arg-type]
    assert result.stats is not None
    return {
        "states": result.stats.distinct_states,
        "transitions": result.stats.transitions,
        "depth": result.stats.depth,
        "seconds": result.stats.seconds,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the two-server reference configurations")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        bounds, symmetry = json.loads(args.one)
        print(json.dumps(one_run(bounds, symmetry)))
        return 0
    print(f"machine: {machine()}")
    print("engine: swarmcheck explore, one process; Raft in reference mode (no history, no properties),")
    print("the scheduler with every property of its configuration\n")
    header = f"{'configuration':24} {'bounds':38} {'symmetry':8} {'states':>10} {'transitions':>12} {'depth':>5} {'seconds':>8} {'states/s':>9} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    root = Path(__file__).resolve().parent.parent
    for name, bounds, symmetry in CONFIGS[:2] if args.quick else CONFIGS:
        out = subprocess.run(
            [sys.executable, __file__, "--one", json.dumps([bounds, symmetry])],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        r = json.loads(out.stdout)
        shown = " ".join(f"{k}={v}" for k, v in bounds.items() if k != "values")
        print(
            f"{name:24} {shown:38} {'on' if symmetry else 'off':8} {r['states']:>10,} {r['transitions']:>12,} "
            f"{r['depth']:>5} {r['seconds']:>8.1f} {r['states'] / r['seconds']:>9,.0f} {r['peak_mib']:>9,.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
