"""The explorer on several worker processes finds what one process finds: the same states,
transitions, depth and coverage, the same verdicts, and a counterexample as short."""

from __future__ import annotations

from typing import Any

import pytest

from properties.base import always, sometimes
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import Result
from swarmcheck.registry import MODELS


def _figures(result: Result) -> tuple[Any, ...]:
    assert result.stats is not None
    s = result.stats
    return s.distinct_states, s.transitions, s.depth, s.coverage, result.verdicts, result.budget_hit


# (the scheduler's configuration is a hundred times larger without symmetry)
SMALL = [
    ("raft", "reference", False),
    ("raft", "reference", True),
    ("gossip", "four-nodes-lifeguard", False),
    ("gossip", "four-nodes-lifeguard", True),
    ("scheduler", "drain-pause-activate", True),
]


@pytest.mark.parametrize(("model", "configuration", "symmetry"), SMALL)
def test_two_workers_find_what_one_finds(model: str, configuration: str, symmetry: bool) -> None:
    entry = MODELS[model]
    config = entry.suite[configuration]
    one = explore(entry.build(config), entry.properties(config), symmetry=symmetry)
    two = explore(entry.build(config), entry.properties(config), symmetry=symmetry, workers=2)
    assert _figures(two) == _figures(one)
    assert two.verdict == one.verdict == "holds"


@pytest.mark.parametrize("bug", ["figure8", "half_is_quorum", "forget_vote_on_restart"])
def test_a_seeded_bug_is_caught_as_soon_and_the_same_way_every_run(bug: str) -> None:
    entry = MODELS["raft"]
    config = entry.bug_config(bug)
    one = explore(entry.build(config), entry.properties(config))
    two = explore(entry.build(config), entry.properties(config), workers=3)
    again = explore(entry.build(config), entry.properties(config), workers=3)
    assert one.verdict == two.verdict == "violated"
    assert {v.property for v in two.violations} <= {p.name for p in entry.properties(config)}
    first, second = two.violations[0], again.violations[0]
    assert first.trace is not None and second.trace is not None and one.violations[0].trace is not None
    assert len(first.trace) == len(one.violations[0].trace)  # breadth-first: a shortest one
    assert [str(a) for a in first.trace.actions] == [str(a) for a in second.trace.actions]
    model = entry.build(config)
    state = first.trace.steps[0][1]
    for action, after in first.trace.steps[1:]:
        assert (action, after) in list(model.next_steps(state))
        state = after


def test_budgets_stop_every_worker_alike() -> None:
    entry = MODELS["raft"]
    config = entry.suite["reference"]
    deep = explore(entry.build(config), [], workers=2, max_depth=10)
    assert deep.stats is not None and deep.stats.depth == 10 and deep.budget_hit == "depth 10"
    assert _figures(deep) == _figures(explore(entry.build(config), [], max_depth=10))
    wide = explore(entry.build(config), [], workers=2, max_states=2_000)
    assert wide.budget_hit == "2000 states" and wide.verdict == "holds"  # nothing to judge, nothing claimed
    reach = [sometimes("a_leader", lambda s: 2 in s.role, "test")]
    found = explore(entry.build(config), reach, workers=2)
    assert found.verdicts == {"a_leader": "reached"} and found.budget_hit == "nothing left to decide"


def test_a_failing_worker_stops_the_run_with_its_error() -> None:
    entry = MODELS["raft"]
    config = entry.suite["reference"]

    def breaks_late(s: Any) -> str | None:
        if max(s.term) == 2:
            raise ZeroDivisionError("a property that breaks")
        return None

    with pytest.raises(RuntimeError, match="ZeroDivisionError: a property that breaks"):
        explore(entry.build(config), [always("breaks", breaks_late, "test")], workers=2)
