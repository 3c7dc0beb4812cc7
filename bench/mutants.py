"""Bug-finding power: how many realistic one-line faults the main job catches unaided.

Each fault below is a one-line change to a model's source that mimics a bug some real
implementation had, written here (not a seeded bug: no flag, no property told about it).
For each, the tool copies the project to a temporary folder, applies the change (the
original text must occur exactly once), runs `swarmcheck check MODEL` there on the main
job's configurations, and counts the fault caught when the run fails (exit code 1). A fault
whose text no longer matches is reported as stale, never silently skipped.

Run: python bench/mutants.py [MODEL ...] [--jobs N]. Prints a table and the share caught
per model; exits 1 if a fault's text is stale.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT / "bench"))
from faults import FAULTS, Fault  # noqa: E402


def stale(faults: list[Fault]) -> list[Fault]:
    """The faults whose original text no longer occurs exactly once in the project."""
    return [f for f in faults if (ROOT / f.file).read_text().count(f.original) != 1]


def run_one(fault: Fault, timeout: float) -> tuple[Fault, str]:
    """The fault applied to a copy of the project; "caught", "missed", "stale", or "timeout" when
    its main job outlives `timeout` seconds (a fault that blows the state space up)."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as scratch:
        copy = Path(scratch)
        for part in ("model", "properties", "swarmcheck"):
            shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        target = copy / fault.file
        text = target.read_text()
        if text.count(fault.original) != 1:
            return fault, "stale"
        target.write_text(text.replace(fault.original, fault.mutated))
        try:
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "swarmcheck",
                    "check",
                    fault.model,
                    "--quiet",
                    "--fail-fast",
                    "--reports",
                    str(copy / "reports"),
                ],
                cwd=copy,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(copy)},
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return fault, "timeout"
        return (
            fault,
            "caught" if run.returncode == 1 else "missed" if run.returncode == 0 else f"error {run.returncode}",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stale", action="store_true", help="only check that every fault's text still matches once")
    parser.add_argument("--only", nargs="*", default=[], metavar="FAULT", help="run these faults only")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a mutant's main job may take")
    args = parser.parse_args()
    chosen = [f for f in FAULTS if not args.models or f.model in args.models]
    chosen = [f for f in chosen if not args.only or f.name in args.only]
    if args.stale:
        for fault in stale(chosen):
            print(f"stale: {fault.model} {fault.name}: its text no longer occurs exactly once in {fault.file}")
        return 1 if stale(chosen) else 0

    def one(fault: Fault) -> tuple[Fault, str]:
        outcome = run_one(fault, args.timeout)
        print(f"{fault.model} {fault.name}: {outcome[1]}", file=sys.stderr, flush=True)
        return outcome

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, chosen))
    print(f"{'model':8} {'fault':34} {'verdict':8} mimics")
    for fault, verdict in results:
        said = f"{verdict} (equivalent: {fault.equivalent})" if fault.equivalent else verdict
        print(f"{fault.model:8} {fault.name:34} {said:8} {fault.mimics}")
    print()
    for model in sorted({f.model for f in chosen}):
        mine = [v for f, v in results if f.model == model and not f.equivalent]
        same = sum(1 for f, _ in results if f.model == model and f.equivalent)
        share = f"{100 * mine.count('caught') / len(mine):.0f}%" if mine else "-"
        print(f"{model}: {mine.count('caught')} of {len(mine)} caught ({share}); {same} equivalent, left out")
    return 1 if any(v == "stale" for _, v in results) else 0


if __name__ == "__main__":
    sys.exit(main())
