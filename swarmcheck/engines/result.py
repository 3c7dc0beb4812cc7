"""What an engine returns: a verdict per property, statistics and counterexamples."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def actions(self) -> list[Any]:
        return [a for a, _ in self.steps[1:]]


@attrs.frozen
class Violation:
    """A property that failed, with what was wrong and the behaviour that shows it."""

    property: str
    kind: Kind
    message: str
    state_fp: int  # the state the violation is seen in (for a transition: the one before the step)
    trace: Trace | None = None


@attrs.frozen
class Stats:
    distinct_states: int
    transitions: int
    depth: int
    seconds: float
    coverage: dict[str, int]
    never_fired: list[str]

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
    ) -> Result:
        """Verdicts per property, and the run's: a violation, else a `sometimes` never reached
        (vacuous), else a budget that stopped the search, else holds (or, for random search,
        no violation found)."""
        found = {v.property: v for v in violations}
        verdicts: dict[str, str] = {}
        random = hunt_stats is not None
        for p in properties:
            if p.kind in (Kind.SOMETIMES, Kind.SOMETIMES_STEP):
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
        return cls(model_name, engine, verdict, verdicts, list(found.values()), stats, budget_hit, hunt_stats)

    @property
    def passed(self) -> bool:
        """Exit code 0: everything holds, or random search ran every example and found nothing."""
        return self.verdict in (HOLDS, NOT_FOUND)
