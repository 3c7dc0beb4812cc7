"""The seeded bugs' hunt bounds that the main job does not already check, and the correct
model judged there."""

from __future__ import annotations

import attrs

from properties.base import LIVENESS
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import Violation
from swarmcheck.registry import Entry


def bounds_off_the_suite(entry: Entry) -> list[str]:
    """One seeded bug per distinct hunt configuration (the bug switched off) that is no main-job
    configuration: there the correct model must be checked apart; the main job (tox's check
    env) checks the correct model at the others, every property judged."""
    seen = list(entry.suite.values())
    chosen = []
    for bug in sorted(entry.bugs):
        config = attrs.evolve(entry.bug_config(bug), bugs=frozenset())
        if config not in seen:
            seen.append(config)
            chosen.append(bug)
    return chosen


def violations_without_the_bug(entry: Entry, bug: str, max_states: int) -> list[Violation]:
    """The safety violations of the correct model at the bug's hunt bounds: a catch means
    something only if there are none (liveness there: tests/test_liveness.py)."""
    config = attrs.evolve(entry.bug_config(bug), bugs=frozenset())
    safety = [p for p in entry.properties(config) if p.kind not in LIVENESS]
    return explore(entry.build(config), safety, max_states=max_states).violations
