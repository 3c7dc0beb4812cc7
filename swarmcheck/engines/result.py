"""What an engine returns: a verdict per property, statistics and counterexamples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from properties.base import Kind, Property

HOLDS, VIOLATED, REACHED, VACUOUS, INCOMPLETE = "holds", "violated", "reached", "vacuous", "incomplete"
# Random search proves nothing: what it can say of an invariant, and of a `sometimes`.
NOT_FOUND, NOT_REACHED = "no violation found", "not reached"


@attrs.frozen
class Trace:
    """A behaviour: (None, initial state), then (action, state after it), in order."""

    steps: Sequence[tuple[Any, Any]]
    # A lasso (a liveness counterexample): the index of the state the last step returns to;
    # the steps after it repeat forever (none: the behaviour stays in the last state).
    loop: int | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def actions(self) -> list[Any]:
        return [a for a, _ in self.steps[1:]]


def view_note(model: Any, first: Any, last: Any) -> str:
    """Where a cycle returns to a state equal only by the model's view (relative terms), what
    differs each time round, in the model's words."""
    note: Callable[[Any, Any], str] | None = getattr(model, "view_note", None)
    return f" ({note(first, last)})" if note is not None and first != last else ""


class ModelError(Exception):
    """The model, or a property, raised during a search: a fault to fix before any verdict,
    reported with the shortest run to the state whose steps raised it (as TLC reports an
    error in evaluating the next-state relation)."""

    def __init__(self, message: str, trace: Trace) -> None:
        super().__init__(message)
        self.message, self.trace = message, trace


@attrs.frozen
class Violation:
    """A property that failed, with what was wrong and the behaviour that shows it."""

    property: str
    kind: Kind
    message: str
    state_fp: int  # the state the violation is seen in (for a transition: the one before the step)
    trace: Trace | None = None


@attrs.frozen
class GraphStats:
    """The state graph liveness was judged on: its size and what it cost."""

    states: int
    edges: int
    withheld: int  # states where a bound kept a step out
    seconds: float
    array_bytes: int

    @classmethod
    def of(cls, graph: Any) -> GraphStats:
        return cls(graph.size, graph.edge_count, len(graph.withheld), graph.seconds, graph.bytes_used())

    def __str__(self) -> str:
        per = self.edges / self.states if self.states else 0.0
        return (
            f"{self.states:,} states, {self.edges:,} edges ({per:.1f} a state), "
            f"{self.withheld:,} states at a bound, {self.seconds:.1f} s"
        )


@attrs.frozen
class Stats:
    distinct_states: int
    transitions: int
    depth: int
    seconds: float
    coverage: dict[str, int]
    never_fired: list[str]
    graph: GraphStats | None = None  # when liveness was judged

    @property
    def states_per_second(self) -> float:
        return self.distinct_states / self.seconds if self.seconds > 0 else 0.0


@attrs.frozen
class HuntStats:
    """What a Hypothesis run did: examples (runs of the machine) and steps, and how long."""

    examples: int
    examples_asked: int
    steps: int
    seconds: float
    coverage: dict[str, int]


@attrs.frozen
class Result:
    """The outcome of one engine run on one model and configuration."""

    model: str
    engine: str
    verdict: str
    verdicts: dict[str, str]
    violations: list[Violation]
    stats: Stats | None
    budget_hit: str | None
    hunt_stats: HuntStats | None = None
    reasons: dict[str, str] = attrs.Factory(dict)  # why a property's verdict is what it is, where not plain

    @classmethod
    def judge(
        cls,
        *,
        model_name: str,
        properties: Sequence[Property[Any]],
        violations: Iterable[Violation],
        reached: set[str],
        stats: Stats | None,
        complete: bool,
        budget_hit: str | None,
        engine: str,
        hunt_stats: HuntStats | None = None,
        liveness: dict[str, str] | None = None,
        reasons: dict[str, str] | None = None,
    ) -> Result:
        """Verdicts per property, and the run's: a violation, else a `sometimes` never reached
        (vacuous), else a budget that stopped the search, else holds (or, for random search,
        no violation found)."""
        found = {v.property: v for v in violations}
        verdicts: dict[str, str] = {}
        random = hunt_stats is not None
        for p in properties:
            if liveness is not None and p.name in liveness:
                verdicts[p.name] = liveness[p.name]  # decided on the state graph (engines/liveness.py)
            elif p.kind in (Kind.SOMETIMES, Kind.SOMETIMES_STEP):
                missed = NOT_REACHED if random else VACUOUS if complete else INCOMPLETE
                verdicts[p.name] = REACHED if p.name in reached else missed
            else:
                verdicts[p.name] = (
                    VIOLATED if p.name in found else NOT_FOUND if random else HOLDS if complete else INCOMPLETE
                )
        values = set(verdicts.values())
        if random:
            verdict = VIOLATED if found else INCOMPLETE if budget_hit else NOT_FOUND
        else:
            verdict = next((v for v in (VIOLATED, VACUOUS, INCOMPLETE) if v in values), HOLDS)
        return cls(
            model_name,
            engine,
            verdict,
            verdicts,
            list(found.values()),
            stats,
            budget_hit,
            hunt_stats,
            dict(reasons or {}),
        )

    @property
    def passed(self) -> bool:
        """Exit code 0: everything holds, or random search ran every example and found nothing."""
        return self.verdict in (HOLDS, NOT_FOUND)
