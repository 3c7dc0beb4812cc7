"""What the workers of a split search agree on at the end of each level, whatever carries
their messages (processes on one machine: `parallel`; a Ray cluster: `distributed`): the
row each publishes, the totals, whether and how the search goes on, and which states move
to even out the frontiers."""

from __future__ import annotations

import time
from typing import Any

from properties.base import Kind
from swarmcheck.engines.explore import Budgets
from swarmcheck.engines.search import Part

# The row a worker publishes at the end of each level.
FRONTIER, STATES, TRANSITIONS, VIOLATIONS, REACHED, BUDGET, DEPTH = range(7)
ROW = 7
TIME_UP, STATES_UP = 1, 2  # BUDGET flags


class Tick:
    """A worker's budget clock, told its own count of states every thousand expansions:
    the flags it raises stop its level, and, published, every worker's search."""

    def __init__(self, budgets: Budgets, parts: int) -> None:
        self.budgets, self.parts = budgets, parts
        self.started = time.perf_counter()
        self.stopped_by = 0

    def __call__(self, states: int) -> bool:
        budgets = self.budgets
        if budgets.time_limit is not None and time.perf_counter() - self.started > budgets.time_limit:
            self.stopped_by |= TIME_UP
        if budgets.max_states is not None and states * self.parts > budgets.max_states:
            self.stopped_by |= STATES_UP
        return bool(self.stopped_by)


def row_of(part: Part, frontier: int, stopped_by: int, depth: int) -> list[int]:
    return [frontier, len(part.parents), part.transitions, len(part.violations), reached_mask(part), stopped_by, depth]


def totals_of(rows: list[list[int]]) -> list[int]:
    """Counts summed; the reached and budget flags or-ed."""
    totals = [sum(r[f] for r in rows) for f in range(ROW)]
    totals[REACHED] = totals[BUDGET] = 0
    for r in rows:
        totals[REACHED] |= r[REACHED]
        totals[BUDGET] |= r[BUDGET]
    return totals


def judge_level(
    part: Part, totals: list[int], depth: int, budgets: Budgets, stop_at_first: bool, reachability_only: bool
) -> tuple[int, str | None, bool]:
    """Before a level: the depth (as one process counts it), the budget that stops the
    search if one does, and whether to go on."""
    if totals[BUDGET]:
        return (
            depth,
            f"time {budgets.time_limit:g} s" if totals[BUDGET] & TIME_UP else f"{budgets.max_states} states",
            False,
        )
    if budgets.max_states is not None and totals[STATES] > budgets.max_states:
        return depth, f"{budgets.max_states} states", False
    if not totals[FRONTIER]:
        return depth, None, False
    depth += 1  # one more level holds states
    if stop_at_first and totals[VIOLATIONS]:
        return depth, None, False
    if reachability_only and totals[REACHED] == (1 << len(_reachable(part))) - 1:
        return depth, "nothing left to decide", False
    if budgets.max_depth is not None and depth >= budgets.max_depth:
        return depth, f"depth {budgets.max_depth}", False
    return depth, None, True


def moves(sizes: list[int]) -> list[tuple[int, int, int]]:
    """(giver, taker, how many states) that bring every frontier to within one of the mean;
    none when the frontiers are already within a few per cent (moving costs more)."""
    total, n = sum(sizes), len(sizes)
    if max(sizes) <= total / n * 1.02 + 64:
        return []
    target = [total // n + (1 if k < total % n else 0) for k in range(n)]
    surplus = [[k, sizes[k] - target[k]] for k in range(n) if sizes[k] > target[k]]
    deficit = [[k, target[k] - sizes[k]] for k in range(n) if sizes[k] < target[k]]
    planned = []
    while surplus and deficit:
        count = min(surplus[0][1], deficit[0][1])
        planned.append((surplus[0][0], deficit[0][0], count))
        surplus[0][1] -= count
        deficit[0][1] -= count
        if not surplus[0][1]:
            surplus.pop(0)
        if not deficit[0][1]:
            deficit.pop(0)
    return planned


def report_of(part: Part, depth: int, budget_hit: str | None, found: bool) -> dict[str, Any]:
    """What a worker hands back: its counts and findings, its parents only for a trace."""
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


def part_of(template: Part, report: dict[str, Any]) -> Part:
    """A worker's report as a Part of the outcome, on the driver's model."""
    return Part(
        template.model,
        template.properties,
        template.symmetry,
        template.index,
        template.parts,
        parents=report["parents"],
        coverage=report["coverage"],
        violations=report["violations"],
        reached=report["reached"],
        transitions=report["transitions"],
    )


def _reachable(part: Part) -> list[str]:
    return [p.name for p in part.properties if p.kind in (Kind.SOMETIMES, Kind.SOMETIMES_STEP)][:62]


def reached_mask(part: Part) -> int:
    return sum(1 << k for k, name in enumerate(_reachable(part)) if name in part.reached)
