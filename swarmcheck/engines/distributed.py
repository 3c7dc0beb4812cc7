"""The explorer on a Ray cluster (`check --backend ray [--address ADDR] --workers N`).

The same split search as `parallel`, with Ray actors for workers: each actor is a
`search.Part` owning the states whose fingerprint is its index modulo N. A driver steps
the levels; the bulk (the int64 questions, the one-byte answers, states moved to even out
the frontiers) goes from actor to actor through Ray's object store as object references,
so only each level's small row of counts passes through the driver. Fingerprints agree
across machines: hash() of int tuples and BLAKE2b of marshalled keys are process-free.

Ray is an optional extra (`pip install -e .[ray]`). Without an address, `ray.init` starts
a local cluster; with one, it joins that cluster (`ray start --head` on one machine, `ray
start --address HEAD:6379` on the others, then `--address HEAD:6379` here).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from typing import Any

from model.kernel import Model
from properties.base import Property
from swarmcheck.engines.explore import Budgets, Outcome, Progress, progress_line
from swarmcheck.engines.levels import (
    FRONTIER,
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
from swarmcheck.engines.search import Candidates, Frontier, Part, as_pairs


class Worker:
    """One Ray actor: a part of the search, its frontier, and the candidates it asked about."""

    def __init__(self, part: Part, budgets: Budgets, stop_at_first: bool) -> None:
        gc.disable()  # states are acyclic (see explore.collector_off); the actor lives for one search
        self.part, self.stop_at_first = part, stop_at_first
        self.tick = Tick(budgets, part.parts)
        self.frontier: Frontier = part.start()
        self.following: Frontier = []
        self.elsewhere: list[Candidates] = []

    def row(self, depth: int) -> list[int]:
        return row_of(self.part, len(self.frontier), self.tick.stopped_by, depth)

    def give(self, count: int) -> Frontier:
        self.frontier, given = self.frontier[:-count], self.frontier[-count:]
        return given

    def take(self, *given: Frontier) -> None:
        for states in given:
            self.frontier.extend(states)

    def expand(self) -> tuple[bytes, ...]:
        """Expand the frontier; per part, the (fingerprint, parent) pairs to ask it about."""
        self.following, self.elsewhere, _ = self.part.expand(self.frontier, self.stop_at_first, self.tick)
        return tuple(as_pairs(c) for c in self.elsewhere)

    def admit(self, *asked: bytes) -> tuple[bytes, ...]:
        """Per asking part (in index order), its answers; nothing for this part itself."""
        return tuple(b"" if k == self.part.index else self.part.admit(a) for k, a in enumerate(asked))

    def accept(self, *answers: bytes) -> int:
        for k, a in enumerate(answers):
            if k != self.part.index:
                self.part.accept(self.elsewhere[k], a, self.following)
        self.frontier, self.following, self.elsewhere = self.following, [], []
        return len(self.frontier)

    def report(self, depth: int, budget_hit: str | None, found: bool) -> dict[str, Any]:
        return report_of(self.part, depth, budget_hit, found)


def search_on_ray(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    symmetry: bool,
    workers: int,
    budgets: Budgets,
    stop_at_first: bool,
    progress: Progress | None,
    progress_every: float,
    address: str | None = None,
) -> Outcome:
    try:
        import ray
    except ImportError:
        raise RuntimeError("the Ray backend needs Ray: pip install -e '.[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    started = last_report = time.perf_counter()
    actor: Any = ray.remote(num_cpus=1)(Worker)  # Ray's handles are typed per method call: Any here
    actors: list[Any] = [
        actor.remote(Part(model, properties, symmetry, k, workers), budgets, stop_at_first) for k in range(workers)
    ]
    template = Part(model, properties, symmetry, 0, workers)
    reachability_only = template.only_reachability and template.undecided
    depth = 0
    try:
        while True:
            rows = ray.get([a.row.remote(depth) for a in actors])
            totals = totals_of(rows)
            depth, budget_hit, go_on = judge_level(template, totals, depth, budgets, stop_at_first, reachability_only)
            if not go_on:
                break
            now = time.perf_counter()
            if progress is not None and now - last_report >= progress_every:
                last_report = now
                line = progress_line(model.name, totals[STATES], totals[TRANSITIONS], depth, now - started)
                progress(line + f", {workers} Ray workers")
            for giver, taker, count in moves([r[FRONTIER] for r in rows]):
                actors[taker].take.remote(actors[giver].give.remote(count))
            asked = [a.expand.options(num_returns=workers).remote() for a in actors]
            asked = [refs if workers > 1 else [refs] for refs in asked]
            answers = [
                a.admit.options(num_returns=workers).remote(*(asked[j][k] for j in range(workers)))
                for k, a in enumerate(actors)
            ]
            answers = [refs if workers > 1 else [refs] for refs in answers]
            ray.get([a.accept.remote(*(answers[k][j] for k in range(workers))) for j, a in enumerate(actors)])
        reports = ray.get([a.report.remote(depth, budget_hit, bool(totals[VIOLATIONS])) for a in actors])
    finally:
        for a in actors:
            ray.kill(a)
    parts = [part_of(Part(model, properties, symmetry, k, workers), reports[k]) for k in range(workers)]
    seconds = time.perf_counter() - started
    return Outcome(parts, depth, budget_hit, seconds, sum(r["states"] for r in reports))
