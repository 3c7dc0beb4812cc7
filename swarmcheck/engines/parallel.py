"""The explorer on several processes (`check --workers N`): the seen set split by fingerprint.

Each worker is a `search.Part`: it owns the states whose fingerprint is its index modulo N
and expands them. It asks each other worker about the successors that worker owns, as
int64 (fingerprint, parent) pairs; the owner answers one byte a pair (new or seen), and
the asker keeps and expands the new ones. States cross between workers only to even out
their frontiers at the start of a level (few do: each finds new states in proportion to
what it expands). Nothing funnels through one process: workers talk to each other through their inboxes, and agree at the
end of each level on a small shared board (frontier sizes, violations, budgets) behind a
barrier. Level by level, as in one process: the same states, transitions and depth, and a
shortest counterexample (of the lowest worker that found one at that depth).

Workers are forked (POSIX): they inherit the model and its properties, which need not be
picklable. Fingerprints agree across workers because forked interpreters share the hash seed.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import time
import traceback
from collections.abc import Sequence
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import SynchronizedArray
from multiprocessing.synchronize import Barrier
from typing import Any

import attrs

from model.kernel import Model
from properties.base import Property
from swarmcheck.engines.explore import Budgets, Outcome, Progress, collector_off, progress_line
from swarmcheck.engines.levels import (
    DEPTH,
    FRONTIER,
    ROW,
    STATES,
    TRANSITIONS,
    VIOLATIONS,
    Tick,
    judge_level,
    moves,
    part_of,
    report_of,
    row_of,
    totals_of,
)
from swarmcheck.engines.result import ModelError, Trace
from swarmcheck.engines.search import Candidates, Frontier, ModelRaised, Part, as_pairs

Stash = dict[tuple[str, int, int], Any]  # messages that came before they were wanted


@attrs.frozen
class Wiring:
    """What the workers share: an inbox each, the board, the barrier, and the results queue."""

    inboxes: Sequence[Queue[Any]]
    board: SynchronizedArray[int]
    barrier: Barrier
    results: Queue[Any]


def search_in_parts(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    symmetry: bool,
    workers: int,
    budgets: Budgets,
    stop_at_first: bool,
    progress: Progress | None,
    progress_every: float,
) -> Outcome:
    """Explore with `workers` forked processes; their findings as parts of one outcome."""
    context = multiprocessing.get_context("fork")
    wiring = Wiring(
        inboxes=[context.Queue() for _ in range(workers)],
        board=context.Array("q", workers * ROW),
        barrier=context.Barrier(workers),
        results=context.Queue(),
    )
    started = time.perf_counter()
    processes = [
        context.Process(
            target=_work,
            args=(Part(model, properties, symmetry, k, workers), budgets, stop_at_first, wiring),
            name=f"swarmcheck-worker-{k}",
            daemon=True,
        )
        for k in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        reports = _collect(processes, wiring, progress, progress_every, model.name, started)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    seconds = time.perf_counter() - started
    parts = [part_of(Part(model, properties, symmetry, k, workers), reports[k]) for k in range(workers)]
    states = sum(report["states"] for report in reports.values())
    return Outcome(parts, reports[0]["depth"], reports[0]["budget_hit"], seconds, states)


def _collect(
    processes: list[Any], wiring: Wiring, progress: Progress | None, every: float, name: str, started: float
) -> dict[int, dict[str, Any]]:
    """Every worker's report; progress from the board meanwhile; a dead worker ends the run."""
    reports: dict[int, dict[str, Any]] = {}
    last_report = started
    while len(reports) < len(processes):
        try:
            index, report = wiring.results.get(timeout=0.2)
        except queue.Empty:  # nothing yet
            for k, process in enumerate(processes):
                if k not in reports and not process.is_alive() and process.exitcode not in (0, None):
                    wiring.barrier.abort()
                    raise RuntimeError(f"explorer worker {k} died (exit code {process.exitcode})") from None
            now = time.perf_counter()
            if progress is not None and now - last_report >= every:
                last_report = now
                board = wiring.board
                rows = range(len(processes))
                states = sum(board[k * ROW + STATES] for k in rows)
                transitions = sum(board[k * ROW + TRANSITIONS] for k in rows)
                progress(
                    progress_line(name, states, transitions, board[DEPTH], now - started) + f", {len(rows)} workers"
                )
            continue
        if "model_error" in report:
            wiring.barrier.abort()
            raise ModelError(f"{report['model_error']}; run with --workers 1 for the run to it", Trace([]))
        if "error" in report:
            wiring.barrier.abort()
            raise RuntimeError(f"explorer worker {index} failed:\n{report['error']}")
        reports[index] = report
    return reports


def _work(part: Part, budgets: Budgets, stop_at_first: bool, wiring: Wiring) -> None:
    """One worker: level after level, expand, ask, answer, accept, agree; then report."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        with collector_off():
            report = _search_part(part, budgets, stop_at_first, wiring)
    except ModelRaised as raised:  # the model's fault: its states' parents are spread over the parts
        wiring.results.put((part.index, {"model_error": str(raised)}))
        wiring.barrier.abort()
        return
    except Exception:  # reported to the parent, which stops the run with it
        wiring.results.put((part.index, {"error": traceback.format_exc()}))
        wiring.barrier.abort()
        return
    wiring.results.put((part.index, report))


def _search_part(part: Part, budgets: Budgets, stop_at_first: bool, wiring: Wiring) -> dict[str, Any]:
    stash: Stash = {}
    frontier: Frontier = part.start()
    reachability_only = part.only_reachability and part.undecided
    depth, level = 0, 0
    tick = Tick(budgets, part.parts)
    while True:
        totals, sizes = _agree(part, wiring, row_of(part, len(frontier), tick.stopped_by, depth))
        depth, budget_hit, go_on = judge_level(part, totals, depth, budgets, stop_at_first, reachability_only)
        if not go_on:
            return report_of(part, depth, budget_hit, found=bool(totals[VIOLATIONS]))
        frontier = _even_out(part, wiring, level, sizes, frontier, stash)
        following, elsewhere, _ = part.expand(frontier, stop_at_first, tick)
        _exchange(part, wiring, level, elsewhere, following, stash)
        frontier, level = following, level + 1


def _exchange(
    part: Part,
    wiring: Wiring,
    level: int,
    elsewhere: list[Candidates],
    following: Frontier,
    stash: Stash,
) -> None:
    """Ask each owner about its candidates, answer the others' questions, keep what is new."""
    me, others = part.index, [k for k in range(part.parts) if k != part.index]
    for k in others:
        wiring.inboxes[k].put(("ask", level, me, as_pairs(elsewhere[k])))
    for k, asked in _take(wiring.inboxes[me], stash, "ask", level, others):
        wiring.inboxes[k].put(("answer", level, me, part.admit(asked)))
    for k, answers in _take(wiring.inboxes[me], stash, "answer", level, others):
        part.accept(elsewhere[k], answers, following)


def _even_out(part: Part, wiring: Wiring, level: int, sizes: list[int], frontier: Frontier, stash: Stash) -> Frontier:
    """Move states from the workers whose frontier is above the mean to those below, so each
    expands its share of the level. Every worker computes the same moves from the board."""
    planned, me = moves(sizes), part.index
    for giver, taker, count in planned:
        if giver == me:
            frontier, given = frontier[:-count], frontier[-count:]
            wiring.inboxes[taker].put(("states", level, me, given))
    givers = [giver for giver, taker, _ in planned if taker == me]
    for _, states in _take(wiring.inboxes[me], stash, "states", level, givers):
        frontier.extend(states)
    return frontier


def _take(inbox: Queue[Any], stash: Stash, kind: str, level: int, senders: list[int]) -> list[tuple[int, Any]]:
    """One message of this kind and level from each sender, in sender order (so every run
    decides alike); others that arrive meanwhile wait in the stash."""
    while not all((kind, level, k) in stash for k in senders):
        got_kind, got_level, sender, payload = inbox.get()
        stash[(got_kind, got_level, sender)] = payload
    return [(k, stash.pop((kind, level, k))) for k in senders]


def _agree(part: Part, wiring: Wiring, row: list[int]) -> tuple[list[int], list[int]]:
    """Publish this worker's row, wait for all, and read the totals and each frontier's size
    (a second wait keeps a fast worker from overwriting its row before all have read it)."""
    board, base = wiring.board, part.index * ROW
    board[base : base + ROW] = row
    wiring.barrier.wait()
    rows = [board[k * ROW : (k + 1) * ROW] for k in range(part.parts)]
    wiring.barrier.wait()
    return totals_of(rows), [r[FRONTIER] for r in rows]
