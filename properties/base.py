"""The property vocabulary: `always`, `transition`, `sometimes`; liveness: `eventually`,
`leads_to` and `finitely_often`, with the `Fairness` they assume; and `recoverable`, that
a goal can always still be reached (a trap, where it never can, is a deadlock).

A property is a named predicate with a source (paper section, doc or issue).
A predicate that finds a violation returns a sentence saying what is wrong; one
that finds nothing wrong returns None. `sometimes` predicates return True when
the state shows what the property speaks of; so do a liveness property's goal and trigger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

import attrs

from model.kernel import action_kind

S = TypeVar("S")
A = TypeVar("A")


class Kind(Enum):
    ALWAYS = "always"
    TRANSITION = "transition"
    SOMETIMES = "sometimes"
    SOMETIMES_STEP = "sometimes (step)"
    EVENTUALLY = "eventually"
    LEADS_TO = "leads to"
    FINITELY = "finitely often"
    RECOVERABLE = "recoverable"


LIVENESS = (Kind.EVENTUALLY, Kind.LEADS_TO, Kind.FINITELY)
# Judged on whole behaviours or on where a state can lead, never state by state.
BEYOND_SAFETY = (*LIVENESS, Kind.RECOVERABLE)


@attrs.frozen
class Fairness:
    """Which behaviours a liveness property speaks of (TLA+'s WF and SF, and an environment
    assumption), by action kind (`model.kernel.action_kind`).

    `weak`: an action of these kinds that stays enabled is eventually taken. `strong`: one
    enabled again and again is eventually taken. With `each` (the default) this holds for
    every action separately (each message's delivery, each server's step), else for the kind
    as a whole. `stops`: kinds taken only finitely often, such as faults ("after the faults
    stop"): the cycle of a counterexample takes none of them. Every behaviour may also stop
    (stutter) where no weakly or strongly fair action is enabled."""

    weak: frozenset[str] = frozenset()
    strong: frozenset[str] = frozenset()
    stops: frozenset[str] = frozenset()
    each: bool = True

    def __str__(self) -> str:
        parts = [
            f"{label}: {', '.join(sorted(kinds))}"
            for label, kinds in (("weakly fair", self.weak), ("strongly fair", self.strong), ("stop", self.stops))
            if kinds
        ]
        return "; ".join(parts) or "no fairness"

    def instance(self, action: Any) -> Any:
        """What fairness is owed to: the action itself (`each`), or its kind."""
        return action if self.each else action_kind(action)


def fair(
    weak: tuple[str, ...] = (), strong: tuple[str, ...] = (), stops: tuple[str, ...] = (), each: bool = True
) -> Fairness:
    """A `Fairness` from tuples of kind names."""
    return Fairness(frozenset(weak), frozenset(strong), frozenset(stops), each)


@attrs.frozen
class Property(Generic[S]):
    """One named claim about a model's behaviours."""

    name: str
    kind: Kind
    check: Callable[..., Any]
    source: str
    doc: str = ""
    trigger: Callable[..., bool] | None = None  # leads_to's p, recoverable's "wherever"
    fairness: Fairness | None = None  # what a liveness property assumes (recoverable: its `stops` only)

    @property
    def description(self) -> str:
        """One line for the top of a report: the first sentence of the doc, or of the check's."""
        text = " ".join((self.doc or getattr(self.check, "__doc__", None) or "").split())
        first = re.split(r"(?<!\bFig)(?<!\bi\.e)\.\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(".")
        return f"{first}." if first else ""

    def due(self, states: Sequence[S]) -> int | None:
        """A liveness property on a finite behaviour: the first step from which its goal is due
        and never holds after (for `eventually`, step 0 if the goal never holds); None if none is."""
        if self.kind is Kind.FINITELY:
            return 0  # a step it allows only finitely often may never repeat forever, from the start on
        due = None
        for k in range(len(states) - 1, -1, -1):
            if self.check(states[k]):
                break
            if k == 0 if self.kind is Kind.EVENTUALLY else self.trigger is not None and self.trigger(states[k]):
                due = k
        return due


def always(name: str, check: Callable[[S], str | None], source: str, doc: str = "") -> Property[S]:
    """Holds in every reachable state; `check` returns a violation sentence or None."""
    return Property(name, Kind.ALWAYS, check, source, doc)


def transition(name: str, check: Callable[[S, Any, S], str | None], source: str, doc: str = "") -> Property[S]:
    """Holds for every step (before, action, after); `check` returns a sentence or None."""
    return Property(name, Kind.TRANSITION, check, source, doc)


def sometimes(name: str, check: Callable[[S], bool], source: str, doc: str = "") -> Property[S]:
    """Some reachable state satisfies `check`; never reaching one fails the run as vacuous."""
    return Property(name, Kind.SOMETIMES, check, source, doc)


def sometimes_step(name: str, check: Callable[[S, Any, S], bool], source: str, doc: str = "") -> Property[S]:
    """Some reachable step (before, action, after) satisfies `check`; else the run is vacuous."""
    return Property(name, Kind.SOMETIMES_STEP, check, source, doc)


def eventually(name: str, goal: Callable[[S], bool], fairness: Fairness, source: str, doc: str = "") -> Property[S]:
    """Every fair behaviour reaches a state where `goal` holds (TLA+'s <>goal); `doc` says the
    environment assumption in words."""
    return Property(name, Kind.EVENTUALLY, goal, source, doc, None, fairness)


def leads_to(
    name: str, trigger: Callable[[S], bool], goal: Callable[[S], bool], fairness: Fairness, source: str, doc: str = ""
) -> Property[S]:
    """Whenever `trigger` holds, `goal` holds then or later, on every fair behaviour (TLA+'s
    trigger ~> goal)."""
    return Property(name, Kind.LEADS_TO, goal, source, doc, trigger, fairness)


def finitely_often(
    name: str, step: Callable[[S, Any, S], bool], fairness: Fairness, source: str, doc: str = ""
) -> Property[S]:
    """A step where `step(before, action, after)` holds happens only finitely often on every
    fair behaviour (TLA+'s <>[][~step]_vars): a leader is deposed, a task restarted, then no
    more. Its counterexample is a fair cycle that takes such a step."""
    return Property(name, Kind.FINITELY, step, source, doc, None, fairness)


def recoverable(
    name: str,
    trigger: Callable[[S], bool],
    goal: Callable[[S], bool],
    stops: tuple[str, ...],
    source: str,
    doc: str = "",
) -> Property[S]:
    """Wherever `trigger` holds, some way on that takes no step of the kinds `stops` names
    (the faults, stopped as they are) reaches a state where `goal` holds: CTL's
    AG (trigger -> EF goal). It speaks of what can still happen, not of what must, so no
    fairness is assumed: a state from which no such way leads to the goal is a trap (a
    deadlock, or a livelock no scheduling escapes), whatever the timing."""
    return Property(name, Kind.RECOVERABLE, goal, source, doc, trigger, fair(stops=stops))
