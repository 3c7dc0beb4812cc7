"""Liveness counterexamples the tests share: each seeded liveness bug explored once per test
run (the Raft one takes seconds, and four test modules read it), and what a diagram of a
Raft trace must draw as delivered messages."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import attrs

from model.raft.actions import DropMessage, DuplicateMessage, OnMessage, UpdateTerm
from swarmcheck import registry
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import VIOLATED, Violation


@functools.cache
def lasso(
    model_name: str, bug: str, prop_name: str, settings: tuple[tuple[str, Any], ...] = ()
) -> tuple[Any, Any, Violation]:
    """The model with `bug` on (at its hunt bounds, or those given), the liveness property,
    and the explorer's violation of it, a lasso."""
    entry = registry.lookup(model_name)
    config = attrs.evolve(entry.bug_config(bug), **dict(settings))
    model = entry.build(config)
    (prop,) = registry.select_properties(entry, config, [prop_name])
    result = explore(model, [prop])
    assert result.verdicts[prop_name] == VIOLATED
    (violation,) = result.violations
    assert violation.trace is not None and violation.trace.loop is not None
    return model, prop, violation


def raft_lasso() -> tuple[Any, Any, Violation]:
    """A cycle, not a stop: refused, retried, refused (no_next_index_backoff), with one value
    (two take ten times as long to explore and show the same cycle)."""
    return lasso("raft", "no_next_index_backoff", "leader_commits_entries", ONE_VALUE)  # the key test_liveness uses


ONE_VALUE = (("values", 1),)


def delivered(actions: Sequence[Any]) -> list[Any]:
    """The Raft steps that deliver a message (a solid arrow): not a loss, a duplicate, or
    UpdateTerm, which leaves the message in the bag."""
    return [
        a
        for a in actions
        if isinstance(a, OnMessage) and not isinstance(a, DropMessage | DuplicateMessage | UpdateTerm)
    ]
