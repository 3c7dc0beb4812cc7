"""The property vocabulary: `always`, `transition` and `sometimes`.

A property is a named predicate with a source (paper section, doc or issue).
A predicate that finds a violation returns a sentence saying what is wrong; one
that finds nothing wrong returns None. `sometimes` predicates return True when
the state shows what the property speaks of.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, TypeVar

import attrs

S = TypeVar("S")
A = TypeVar("A")


class Kind(Enum):
    ALWAYS = "always"
    TRANSITION = "transition"
    SOMETIMES = "sometimes"
    SOMETIMES_STEP = "sometimes (step)"


@attrs.frozen
class Property(Generic[S]):
    """One named claim about a model's behaviours."""

    name: str
    kind: Kind
    check: Callable[..., Any]
    source: str
    doc: str = ""


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
