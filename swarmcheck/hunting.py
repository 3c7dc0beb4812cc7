"""`swarmcheck bugs`: every seeded bug hunted by every engine at its stated bounds, on every
core (swarmcheck/pool.py). Ctrl-C stops the workers at once (they write nothing after it)
and prints what finished."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swarmcheck import registry
from swarmcheck.outputs.html import index_page
from swarmcheck.outputs.report import summary_table, write_atomically
from swarmcheck.plan import Job
from swarmcheck.pool import in_order
from swarmcheck.registry import Entry, differing
from swarmcheck.running import INTERRUPTED, Budgets, provenance, run_engine, write_reports

Hunt = tuple[str, str, str, str]  # model, bug, engine, reports folder
MISSED = "MISSED"
NOT_ALONE = "NOT ALONE"  # a witness bug another property catches too


def run_bugs(
    entries: Sequence[Entry], engines: Sequence[str], reports: Path, workers: int, user_models: Sequence[str] = ()
) -> int:
    hunts: list[Hunt] = [(e.name, bug, engine, str(reports)) for e in entries for bug in e.bugs for engine in engines]
    outcomes: dict[Hunt, str] = {}
    written: list[Path] = []
    try:
        # Hunts are independent and each is deterministic: run them on every core.
        for job, (cell, paths) in zip(hunts, in_order(_hunt_one, hunts, workers, user_models), strict=True):
            outcomes[job] = cell
            written += map(Path, paths)
    except KeyboardInterrupt:
        _print_table(entries, engines, reports, outcomes)
        write_atomically(reports / "index.html", index_page(written, reports))
        print(f"\ninterrupted: {len(outcomes)} of {len(hunts)} bug hunts finished", file=sys.stderr)
        return INTERRUPTED
    missed = _print_table(entries, engines, reports, outcomes)
    write_atomically(reports / "index.html", index_page(written, reports))
    print(f"\n{len(hunts) - missed} of {len(hunts)} bug hunts caught their bug")
    return 1 if missed else 0


def _print_table(entries: Sequence[Entry], engines: Sequence[str], reports: Path, outcomes: dict[Hunt, str]) -> int:
    """The table of hunts (unfinished ones marked); how many missed their bug."""
    rows: list[list[Any]] = []
    for entry in entries:
        for bug in entry.bugs:
            cells = [outcomes.get((entry.name, bug, engine, str(reports)), "interrupted") for engine in engines]
            bounds = ", ".join(f"{k}={v}" for k, v in differing(entry.bug_config(bug), entry.default).items())
            rows.append([entry.name, bug, bounds or "the defaults", *cells])
    header = ["model", "bug", "bounds (beyond the defaults)", *(f"{e}: caught by (steps) report" for e in engines)]
    print(summary_table(rows, header))
    return sum(cell == MISSED or cell.startswith(NOT_ALONE) for row in rows for cell in row[3:])


def _hunt_one(job: Hunt) -> tuple[str, tuple[str, ...]]:
    """One engine hunting one seeded bug at its stated bounds; the cell for the table and
    the reports written (as text: what a worker returns is pickled)."""
    cell, paths = _hunt(job)
    print(f"{job[0]}/{job[1]} ({job[2]}): {cell}", file=sys.stderr, flush=True)
    return cell, tuple(map(str, paths))


def _hunt(job: Hunt) -> tuple[str, list[Path]]:
    name, bug, engine, reports = job
    entry = registry.lookup(name)
    config = entry.bug_config(bug)
    model = entry.build(config)
    props = entry.properties(config)
    run = Job(entry, f"{bug} (its hunt bounds)", config, props, (bug,))
    budgets = Budgets(quiet=True)  # no budget: the explorer exhausts the bounds, Hypothesis runs its ci profile
    # A witness bug is explored to the end: every property judged, so none but its own may fail.
    witnessed = entry.witness_of(bug) if engine == "explore" else None
    result = run_engine(engine, run, model, budgets, stop_at_first=witnessed is None)
    paths = write_reports(model, props, result, Path(reports), provenance(result, run.name, budgets))
    if not result.violations:
        return MISSED, paths
    violation = next((v for v in result.violations if v.property == witnessed), result.violations[0])
    length = len(violation.trace) - 1 if violation.trace else 0
    cell = f"{violation.property} ({length}) {paths[0]}"
    if witnessed is None:
        return cell, paths
    caught = sorted({v.property for v in result.violations})
    if caught != [witnessed]:
        return f"{NOT_ALONE}: {witnessed} is not the only property it fails ({', '.join(caught)})", paths
    return f"{cell} [alone: witness]", paths
