"""A failing run shrunk by replay (swarmcheck/engines/runs.py): what comes back is a run the
model takes, fails the property the hunt found failing, passes no state twice, and has no
step that could be removed; the same failure always shrinks the same way."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from swarmcheck import registry
from swarmcheck.engines.runs import Checks, judge
from swarmcheck.engines.stateful import hunt

# Found by Hypothesis within a few examples, with a long unshrunk run behind them.
QUICK = [("raft", "two_changes_at_once"), ("raft", "figure8"), ("scheduler", "route_before_healthy")]


def _hunted(name: str, bug: str) -> tuple[Any, Checks, Any]:
    entry = registry.lookup(name)
    config = entry.bug_config(bug)
    model, props = entry.build(config), entry.properties(config)
    result = hunt(model, props)
    assert result.violations, f"{name}/{bug}: Hypothesis found nothing to shrink"
    return result.violations[0], Checks(model, props), model


@pytest.mark.parametrize(("name", "bug"), QUICK)
def test_a_shrunk_failure_is_a_run_with_no_step_to_spare(name: str, bug: str) -> None:
    violation, checks, model = _hunted(name, bug)
    assert violation.trace is not None
    steps = list(violation.trace.steps)
    start, actions = steps[0][1], [a for a, _ in steps[1:]]
    for (_, before), (action, after) in itertools.pairwise(steps):
        assert (action, after) in list(model.next_steps(before))
    states = [model.key(s) for _, s in steps]
    assert len(set(states)) == len(states)
    again = judge(checks, start, actions)
    assert again is not None and again.prop.name == violation.property and again.run == len(actions)
    for i in range(len(actions)):
        fewer = judge(checks, start, actions[:i] + actions[i + 1 :])
        assert fewer is None or fewer.prop.name != violation.property, f"step {i + 1} could go"


def test_the_same_failure_shrinks_the_same_way() -> None:
    first, _, _ = _hunted("raft", "two_changes_at_once")
    second, _, _ = _hunted("raft", "two_changes_at_once")
    assert first.trace is not None and second.trace is not None
    assert first.trace.actions == second.trace.actions and first.message == second.message
