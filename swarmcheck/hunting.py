"""`swarmcheck bugs`: every seeded bug hunted by every engine at its stated bounds, on every
core. Ctrl-C stops the workers at once (they write nothing after it) and prints what
finished; a worker whose parent dies is ended with it."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from swarmcheck import registry
from swarmcheck.outputs.html import index_page
from swarmcheck.outputs.report import summary_table, write_atomically
from swarmcheck.plan import Job
from swarmcheck.registry import Entry, differing
from swarmcheck.running import INTERRUPTED, Budgets, provenance, run_engine, write_reports

Hunt = tuple[str, str, str, str]  # model, bug, engine, reports folder
MISSED = "MISSED"
NOT_ALONE = "NOT ALONE"  # a witness bug another property catches too
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def run_bugs(
    entries: Sequence[Entry], engines: Sequence[str], reports: Path, workers: int, user_models: Sequence[str] = ()
) -> int:
    hunts: list[Hunt] = [(e.name, bug, engine, str(reports)) for e in entries for bug in e.bugs for engine in engines]
    outcomes: dict[Hunt, str] = {}
    written: list[Path] = []
    # Spawned, not forked: a fork copies whatever locks the caller's other threads hold (a
    # test run's, a plugin's), and a worker forked with one held never starts.
    pool = multiprocessing.get_context("spawn").Pool(
        processes=min(workers, len(hunts)) or 1, initializer=_worker_starts, initargs=(tuple(user_models),)
    )
    try:
        # Hunts are independent and each is deterministic: run them on every core.
        results = pool.imap(_hunt_one, hunts)
        for job in hunts:
            outcomes[job], paths = _next(results)
            written += map(Path, paths)
        pool.close()
    except KeyboardInterrupt:
        pool.terminate()  # SIGTERM: each worker stops where it is
        _print_table(entries, engines, reports, outcomes)
        write_atomically(reports / "index.html", index_page(written, reports))
        print(f"\ninterrupted: {len(outcomes)} of {len(hunts)} bug hunts finished", file=sys.stderr)
        return INTERRUPTED
    finally:
        pool.join()
    missed = _print_table(entries, engines, reports, outcomes)
    write_atomically(reports / "index.html", index_page(written, reports))
    print(f"\n{len(hunts) - missed} of {len(hunts)} bug hunts caught their bug")
    return 1 if missed else 0


def _next(results: Any) -> tuple[str, tuple[str, ...]]:
    """The next result, waiting in short slices: an untimed wait in the main thread may never
    wake for Ctrl-C when the signal is delivered to one of the pool's helper threads."""
    while True:
        try:
            outcome: tuple[str, tuple[str, ...]] = results.next(timeout=0.2)
            return outcome
        except multiprocessing.TimeoutError:
            continue


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


def _worker_starts(user_models: tuple[str, ...]) -> None:
    """In each worker: the users' models loaded (a spawned worker starts afresh); Ctrl-C is the
    parent's to handle; SIGTERM ends the worker at once; and it gets SIGTERM if the parent
    dies (Linux)."""
    for spec in user_models:
        registry.load_user_model(spec)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if sys.platform.startswith("linux"):  # elsewhere (no prctl) the pool's own cleanup remains
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    """Leave at once. Unwinding is no option: a Hypothesis run catches any exception raised
    inside it and replays the example; and a normal exit would wait to flush a result queue
    that nobody reads any more. No report is ever half written: each appears by an atomic
    rename (a kill in the middle of one may leave a hidden .tmp beside them)."""
    os._exit(128 + signum)


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
