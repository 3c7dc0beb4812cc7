"""Liveness on the real models: each seeded liveness bug is caught by the explorer with a
lasso that replay confirms (and a tampered one it refuses); the bound-made verdict; the
bounded form Hypothesis judges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from lassos import ONE_VALUE, lasso

from properties.base import LIVENESS, fair, leads_to
from swarmcheck import registry
from swarmcheck.engines.explore import explore
from swarmcheck.engines.fair_run import continue_fairly
from swarmcheck.engines.replay import rerun
from swarmcheck.engines.result import INCOMPLETE, VIOLATED
from swarmcheck.engines.stateful import hunt
from swarmcheck.outputs.report import counterexample, write_report

# Each liveness bug, the liveness property that catches it (at the bug's hunt bounds, or
# those given), and the kind of lasso it gives.
LIVENESS_BUGS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("raft", "no_next_index_backoff"): (
        "leader_commits_entries",
        dict(ONE_VALUE),
    ),  # a cycle: refused, retried, refused
    ("scheduler", "lost_task_not_replaced"): ("service_heals", {}),  # a stop
    # E.9's outcome: a restarted node never hears the accusation it must refute (a stop).
    ("gossip", "dead_left_out_of_push_pull"): ("running_node_eventually_alive", {}),
    # C.3 without k < 1's case: a crashed node's suspicion never expires (a stop).
    ("gossip", "timeout_without_confirmations_infinite"): ("crash_eventually_detected", {}),
    # E.14, moby/swarmkit#2705: a global task that exits leaves its node empty for good.
    ("scheduler", "global_gap_never_refilled"): ("service_heals", {"nodes": 2}),
    # E.6: leaders deposed forever through the server that reaches both sides (a cycle of rising terms).
    ("raft", "lease_ignored"): ("leadership_stable", {}),
}


def _lasso_report(
    model_name: str, bug: str, prop_name: str, tmp_path: Path, settings: dict[str, Any] | None = None
) -> tuple[Any, Any, dict[str, Any]]:
    model, prop, violation = lasso(model_name, bug, prop_name, tuple(sorted((settings or {}).items())))
    path = write_report(counterexample(model, prop, violation, "explore", violation.trace), tmp_path)
    return model, prop, json.loads(path.read_text())


@pytest.mark.parametrize(("model_name", "bug"), sorted(LIVENESS_BUGS))
def test_each_liveness_bug_gives_a_lasso_that_replay_confirms(model_name: str, bug: str, tmp_path: Path) -> None:
    prop_name, settings = LIVENESS_BUGS[(model_name, bug)]
    model, prop, data = _lasso_report(model_name, bug, prop_name, tmp_path, settings)
    assert data["loop"] <= data["length"] and data["fairness"]
    outcome = rerun(model, prop, data["steps"], data["loop"])
    assert outcome.reproduced, outcome.summary
    # The correct model passes the same property at the same bounds.
    entry = registry.lookup(model_name)
    correct = entry.build(attrs.evolve(entry.bug_config(bug), bugs=frozenset(), **settings))
    assert explore(correct, [prop]).verdicts[prop_name] != VIOLATED


def test_replay_refuses_a_lasso_that_does_not_close_or_is_not_fair(tmp_path: Path) -> None:
    model, prop, data = _lasso_report(
        "raft", "no_next_index_backoff", "leader_commits_entries", tmp_path, dict(ONE_VALUE)
    )
    steps, loop = data["steps"], data["loop"]
    assert loop < data["length"]  # a cycle, not a stop
    not_closed = rerun(model, prop, steps[:-1], loop)
    assert not not_closed.reproduced and "does not return" in not_closed.summary
    # Stopping in the middle of the cycle is no fair behaviour: the reply waits to be handled.
    stops_early = rerun(model, prop, steps[: loop + 2], loop + 1)
    assert not stops_early.reproduced and "not fair" in stops_early.summary


def test_a_cycle_made_by_a_bound_is_incomplete_and_names_the_bound() -> None:
    entry = registry.lookup("raft")
    config = entry.config({"servers": "2", "max_term": "3"})
    result = explore(entry.build(config), registry.select_properties(entry, config, ["leader_eventually_elected"]))
    assert result.verdicts["leader_eventually_elected"] == INCOMPLETE
    assert result.reasons["leader_eventually_elected"].startswith("bounds: max_term")


def test_every_model_judges_liveness_in_its_main_job() -> None:
    for entry in (registry.lookup(name) for name in ("raft", "gossip", "scheduler")):
        kinds = {p.kind for config in entry.suite.values() for p in entry.properties(config)}
        assert kinds & set(LIVENESS), entry.name


def test_hypothesis_finds_a_liveness_bug_in_its_bounded_form() -> None:
    entry = registry.lookup("scheduler")
    config = entry.bug_config("lost_task_not_replaced")
    model = entry.build(config)
    props = registry.select_properties(entry, config, ["service_heals"])
    result = hunt(model, props, max_examples=300)
    assert result.verdicts["service_heals"] == VIOLATED
    (violation,) = result.violations
    assert violation.trace is not None and violation.trace.loop is not None
    data = counterexample(model, props[0], violation, "hypothesis", violation.trace)
    assert rerun(model, props[0], json.loads(json.dumps(data["steps"])), data["loop"]).reproduced


@pytest.mark.parametrize("engine", ["explore", "hypothesis"])
def test_a_finitely_often_step_repeating_forever_is_a_lasso_of_rising_terms(engine: str) -> None:
    """finitely_often on relative terms: the cycle goes round with every term higher, its
    states equal by the model's key, and it takes the step each time round."""
    entry = registry.lookup("raft")
    config = entry.bug_config("lease_ignored")
    model = entry.build(config)
    props = registry.select_properties(entry, config, ["leadership_stable"])
    result = explore(model, props) if engine == "explore" else hunt(model, props, max_examples=300)
    (violation,) = result.violations
    trace = violation.trace
    assert trace is not None and trace.loop is not None
    first, last = trace.steps[trace.loop][1], trace.steps[-1][1]
    assert model.key(first) == model.key(last) and max(last.term) > max(first.term)
    step = props[0].check
    assert any(step(trace.steps[k - 1][1], *trace.steps[k]) for k in range(trace.loop + 1, len(trace.steps)))
    data = counterexample(model, props[0], violation, engine, trace)
    assert rerun(model, props[0], json.loads(json.dumps(data["steps"])), data["loop"]).reproduced


@attrs.frozen
class _Send:
    rule: str = "Gossip"


class _OneState:
    """One state whose only fair step, a send, the max_msgs bound holds back (or, `open`, none at all)."""

    name = "one-state"

    def __init__(self, held_back: bool) -> None:
        self.held_back = held_back

    def next_steps(self, s: int) -> Any:
        return iter(())

    def withheld_steps(self, s: int) -> Any:
        return iter([(_Send(), "max_msgs")] if self.held_back else [])

    def within_bounds(self, s: int) -> bool:
        return True

    def key(self, s: int) -> int:
        return s


def test_a_fair_run_stopped_only_by_the_bounds_is_no_counterexample() -> None:
    """Hypothesis's fair continuation once called a stop where a send was only withheld by
    max_msgs a lasso, and replay refused it (gossip, timeout_without_confirmations_infinite):
    such a stop is the bounds', as the explorer's incomplete verdict says, not the model's."""
    sent = leads_to("sent", lambda s: True, lambda s: False, fair(weak=("Gossip",)), "test")
    assert continue_fairly(_OneState(held_back=True), sent, [(None, 0)]) is None  # type: ignore[arg-type]
    stop = continue_fairly(_OneState(held_back=False), sent, [(None, 0)])  # type: ignore[arg-type]
    assert stop is not None and stop.loop == 0
