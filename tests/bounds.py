"""The seeded bugs' hunt bounds that the main job does not already check."""

from __future__ import annotations

import attrs

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
