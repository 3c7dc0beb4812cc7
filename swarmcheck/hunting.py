"""`swarmcheck bugs`: every seeded bug hunted by every engine at its stated bounds, on every
core. Ctrl-C stops the workers at once (they write nothing after it) and prints what
finished; a worker whose parent dies is ended with it."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from swarmcheck import registry
from swarmcheck.engines.explore import explore
from swarmcheck.engines.stateful import hunt
from swarmcheck.outputs.report import summary_table
from swarmcheck.registry import Entry, differing
from swarmcheck.running import INTERRUPTED, Budgets, provenance, write_reports

Hunt = tuple[str, str, str, str]  # model, bug, engine, reports folder
MISSED = "MISSED"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def run_bugs(
    entries: Sequence[Entry], engines: Sequence[str], reports: Path, workers: int, user_models: Sequence[str] = ()
) -> int:
    hunts: list[Hunt] = [(e.name, bug, engine, str(reports)) for e in entries for bug in e.bugs for engine in engines]
    outcomes: dict[Hunt, str] = {}
    pool = multiprocessing.Pool(
        processes=min(workers, len(hunts)) or 1, initializer=_worker_starts, initargs=(tuple(user_models),)
    )
    try:
        # Hunts are independent and each is deterministic: run them on every core.
        for job, cell in zip(hunts, pool.imap(_hunt_one, hunts), strict=True):
            outcomes[job] = cell
        pool.close()
    except KeyboardInterrupt:
        pool.terminate()  # SIGTERM: each worker stops where it is; a half-written report is removed
        _print_table(entries, engines, reports, outcomes)
        print(f"\ninterrupted: {len(outcomes)} of {len(hunts)} bug hunts finished", file=sys.stderr)
        return INTERRUPTED
    finally:
        pool.join()
    missed = _print_table(entries, engines, reports, outcomes)
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
    return sum(cell == MISSED for row in rows for cell in row[3:])


def _worker_starts(user_models: tuple[str, ...]) -> None:
    """In each worker: the users' models loaded (a spawned worker starts afresh); Ctrl-C is the
    parent's to handle; SIGTERM unwinds (so an atomic write removes its temporary file); and
    the worker ends if the parent dies (Linux)."""
    for spec in user_models:
        registry.load_user_model(spec)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if sys.platform.startswith("linux"):  # elsewhere (no prctl) the pool's own cleanup remains
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _hunt_one(job: Hunt) -> str:
    """One engine hunting one seeded bug at its stated bounds; the cell for the table."""
    name, bug, engine, reports = job
    entry = registry.lookup(name)
    config = entry.bug_config(bug)
    model = entry.build(config)
    props = entry.properties(config)
    result = hunt(model, props, profile="ci") if engine == "hypothesis" else explore(model, props)
    made = provenance(result, f"{bug} (its hunt bounds)", Budgets())
    paths = write_reports(model, props, result, Path(reports), made)
    if not result.violations:
        cell = MISSED
    else:
        violation = result.violations[0]
        length = len(violation.trace) - 1 if violation.trace else 0
        cell = f"{violation.property} ({length}) {paths[0]}"
    print(f"{name}/{bug} ({engine}): {cell}", file=sys.stderr, flush=True)
    return cell
