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
from properties.base import Kind, Property
from swarmcheck.engines.explore import Budgets, Outcome, Progress, collector_off, progress_line
from swarmcheck.engines.search import Candidates, Frontier, Part, as_pairs

# One row of the board per worker: what it publishes at the end of each level.
FRONTIER, STATES, TRANSITIONS, VIOLATIONS, REACHED, BUDGET, DEPTH = range(7)
ROW = 7
TIME_UP, STATES_UP = 1, 2  # BUDGET flags
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
    parts = []
    for k in range(workers):
        report = reports[k]
        parts.append(
            Part(
                model,
                properties,
                symmetry,
                k,
                workers,
                parents=report["parents"],
                coverage=report["coverage"],
                violations=report["violations"],
                reached=report["reached"],
                transitions=report["transitions"],
            )
        )
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
        except Exception:  # queue.Empty: nothing yet
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
    except Exception:  # reported to the parent, which stops the run with it
        wiring.results.put((part.index, {"error": traceback.format_exc()}))
        wiring.barrier.abort()
        return
    wiring.results.put((part.index, report))


def _search_part(part: Part, budgets: Budgets, stop_at_first: bool, wiring: Wiring) -> dict[str, Any]:
    started = time.perf_counter()
    stash: Stash = {}
    frontier: Frontier = part.start()
    reachability_only = part.only_reachability and part.undecided
    depth, level, budget_hit = 0, 0, None
    stopped_by = 0

    def tick(states: int) -> bool:
        nonlocal stopped_by
        seconds = time.perf_counter() - started
        if budgets.time_limit is not None and seconds > budgets.time_limit:
            stopped_by |= TIME_UP
        if budgets.max_states is not None and states * part.parts > budgets.max_states:
            stopped_by |= STATES_UP
        return bool(stopped_by)

    while True:
        totals, sizes = _agree(part, wiring, len(frontier), stopped_by, depth)
        if totals[BUDGET]:
            budget_hit = (
                f"time {budgets.time_limit:g} s" if totals[BUDGET] & TIME_UP else f"{budgets.max_states} states"
            )
            break
        if budgets.max_states is not None and totals[STATES] > budgets.max_states:
            budget_hit = f"{budgets.max_states} states"
            break
        if not totals[FRONTIER]:
            break
        depth += 1  # one more level holds states, as one process counts it
        if stop_at_first and totals[VIOLATIONS]:
            break
        if reachability_only and totals[REACHED] == _all_reachable(part):
            budget_hit = "nothing left to decide"
            break
        if budgets.max_depth is not None and depth >= budgets.max_depth:
            budget_hit = f"depth {budgets.max_depth}"
            break
        frontier = _even_out(part, wiring, level, sizes, frontier, stash)
        following, elsewhere, _ = part.expand(frontier, stop_at_first, tick)
        _exchange(part, wiring, level, elsewhere, following, stash)
        frontier, level = following, level + 1
    found = bool(totals[VIOLATIONS])
    return {
        "states": len(part.parents),
        "transitions": part.transitions,
        "coverage": part.coverage,
        "violations": part.violations,
        "reached": part.reached,
        "parents": part.parents if found else {},
        "depth": depth,
        "budget_hit": budget_hit,
    }


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
    expands its share of the next level. Every worker computes the same moves from the board."""
    total, n = sum(sizes), len(sizes)
    if max(sizes) <= total / n * 1.02 + 64:
        return frontier  # even enough: moving states would cost more than it saves
    moves = _moves(sizes)
    me = part.index
    for giver, taker, count in moves:
        if giver == me:
            frontier, given = frontier[:-count], frontier[-count:]
            wiring.inboxes[taker].put(("states", level, me, given))
    givers = [giver for giver, taker, _ in moves if taker == me]
    for _, states in _take(wiring.inboxes[me], stash, "states", level, givers):
        frontier.extend(states)
    return frontier


def _moves(sizes: list[int]) -> list[tuple[int, int, int]]:
    """(giver, taker, how many states) that bring every frontier to within one of the mean."""
    total, n = sum(sizes), len(sizes)
    target = [total // n + (1 if k < total % n else 0) for k in range(n)]
    surplus = [[k, sizes[k] - target[k]] for k in range(n) if sizes[k] > target[k]]
    deficit = [[k, target[k] - sizes[k]] for k in range(n) if sizes[k] < target[k]]
    moves = []
    while surplus and deficit:
        count = min(surplus[0][1], deficit[0][1])
        moves.append((surplus[0][0], deficit[0][0], count))
        surplus[0][1] -= count
        deficit[0][1] -= count
        if not surplus[0][1]:
            surplus.pop(0)
        if not deficit[0][1]:
            deficit.pop(0)
    return moves


def _take(inbox: Queue[Any], stash: Stash, kind: str, level: int, senders: list[int]) -> list[tuple[int, Any]]:
    """One message of this kind and level from each sender, in sender order (so every run
    decides alike); others that arrive meanwhile wait in the stash."""
    while not all((kind, level, k) in stash for k in senders):
        got_kind, got_level, sender, payload = inbox.get()
        stash[(got_kind, got_level, sender)] = payload
    return [(k, stash.pop((kind, level, k))) for k in senders]


def _agree(part: Part, wiring: Wiring, frontier: int, stopped_by: int, depth: int) -> tuple[list[int], list[int]]:
    """Publish this worker's row, wait for all, and read the totals and each frontier's size
    (a second wait keeps a fast worker from overwriting its row before all have read it)."""
    board, base = wiring.board, part.index * ROW
    row = [frontier, len(part.parents), part.transitions, len(part.violations), _reached_mask(part), stopped_by, depth]
    board[base : base + ROW] = row
    wiring.barrier.wait()
    rows = [board[k * ROW : (k + 1) * ROW] for k in range(part.parts)]
    wiring.barrier.wait()
    totals = [sum(r[f] for r in rows) for f in range(ROW)]
    totals[REACHED] = 0
    totals[BUDGET] = 0
    for r in rows:
        totals[REACHED] |= r[REACHED]
        totals[BUDGET] |= r[BUDGET]
    return totals, [r[FRONTIER] for r in rows]


def _reachable(part: Part) -> list[str]:
    return [p.name for p in part.properties if p.kind in (Kind.SOMETIMES, Kind.SOMETIMES_STEP)][:62]


def _reached_mask(part: Part) -> int:
    return sum(1 << k for k, name in enumerate(_reachable(part)) if name in part.reached)


def _all_reachable(part: Part) -> int:
    return (1 << len(_reachable(part))) - 1
