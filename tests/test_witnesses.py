"""Every property that can fail has a witness: a seeded bug that it alone catches at the bug's
hunt bounds (`swarmcheck bugs` explores each witness to the end and fails if another property
catches it too, or if none does, as when the property is swapped for one that always holds).
Here: the registry's two lists, witnessed and not yet, cover every such property exactly; and
each property without a witness bug has a witness step that it alone flags (a step of a seeded
bug's run, from tests/witness_steps.json, or one built by hand where the step rules imply the
property), so swapping any property for one that always holds fails a test here or in the hunt."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from witness_steps import STORE, config_of, flagged, walk

from model.gossip import Config as GossipConfig
from model.gossip import Gossip
from model.gossip.config import DEFAULT as GOSSIP_DEFAULT
from model.gossip.config import LIFEGUARD_BOUNDS
from model.gossip.state import CRASHED, DEAD, SUSPECT
from model.gossip.state import State as GossipState
from model.gossip.state import Step as GossipStep
from model.orchestration import Orchestration
from model.raft import DEFAULT as RAFT_DEFAULT
from model.raft import Config as RaftConfig
from model.raft import Raft
from model.raft.state import State as RaftState
from properties.base import Kind, Property
from properties.orchestration import convergence, reference
from swarmcheck.engines.explore import explore
from swarmcheck.registry import MODELS, Entry

CAN_FAIL = {Kind.ALWAYS, Kind.TRANSITION, Kind.LEADS_TO, Kind.EVENTUALLY, Kind.FINITELY, Kind.RECOVERABLE}


def failing_properties(entry: Entry) -> set[str]:
    """The properties of every configuration the main job and the hunts check that can fail."""
    configs: list[Any] = [entry.default, *entry.suite.values(), *(entry.bug_config(b) for b in entry.bugs)]
    return {p.name for config in configs for p in entry.properties(config) if p.kind in CAN_FAIL}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_property_that_can_fail_is_witnessed_or_listed(name: str) -> None:
    entry = MODELS[name]
    names = failing_properties(entry)
    assert set(entry.witnesses).isdisjoint(entry.unwitnessed)
    assert set(entry.witnesses) | set(entry.unwitnessed) == names
    assert all(reason for reason in entry.unwitnessed.values())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_witness_is_a_seeded_bug_hunted_where_its_property_applies(name: str) -> None:
    entry = MODELS[name]
    assert len(set(entry.witnesses.values())) == len(entry.witnesses)  # one property a bug
    for prop, bug in entry.witnesses.items():
        assert bug in entry.bugs
        assert prop in {p.name for p in entry.properties(entry.bug_config(bug))}
        assert entry.witness_of(bug) == prop


def always_holds(p: Property[Any]) -> Property[Any]:
    """The property swapped for one that always holds: a safety check that finds nothing, a goal always met."""
    liveness = p.kind in (Kind.LEADS_TO, Kind.EVENTUALLY, Kind.RECOVERABLE)
    return attrs.evolve(p, check=(lambda *state: True) if liveness else (lambda *state: None))


def swapped(props: list[Property[Any]], name: str) -> list[Property[Any]]:
    return [always_holds(p) if p.name == name else p for p in props]


def assert_caught_alone(entry: Entry, config: Any, name: str) -> None:
    """Explored to the end, the configuration fails on `name` alone; with `name` swapped for a
    property that always holds, on nothing."""
    model, props = entry.build(config), entry.properties(config)
    caught = explore(model, props, stop_at_first=False)
    assert sorted({v.property for v in caught.violations}) == [name]
    assert explore(model, swapped(props, name), stop_at_first=False).violations == []


SECURITY = MODELS["security"]


@pytest.mark.parametrize("prop", sorted(SECURITY.witnesses))
def test_a_property_swapped_for_one_that_always_holds_misses_its_witness(prop: str) -> None:
    """What `swarmcheck bugs` checks for every witness, here on security's (each under a second):
    with the property the hunt fails on it alone; swapped for a property that always holds, on nothing."""
    assert_caught_alone(SECURITY, SECURITY.bug_config(SECURITY.witnesses[prop]), prop)


# ---------------------------------------------------------------- witness steps (tests/witness_steps.py)

STEPS: dict[str, dict[str, Any]] = json.loads(STORE.read_text())


@pytest.mark.parametrize(("model_name", "prop"), [(m, p) for m in sorted(STEPS) for p in sorted(STEPS[m])])
def test_a_witness_step_is_flagged_by_its_property_alone(model_name: str, prop: str) -> None:
    """A step of the bug's run (every step enabled, within the bounds) that the property alone
    flags; swapped for a property that always holds, nothing flags it."""
    found = STEPS[model_name][prop]
    entry = MODELS[model_name]
    config = config_of(model_name, found["bug"], found["bounds"])
    before, action, after = walk(entry.build(config), found["actions"])
    props = entry.properties(config)
    assert flagged(props, before, action, after) == [prop]
    assert flagged(swapped(props, prop), before, action, after) == []


def _put(row: tuple[Any, ...], i: int, value: Any) -> tuple[Any, ...]:
    return (*row[:i], value, *row[i + 1 :])


def _views(view: tuple[Any, ...], i: int, x: int, entry: Any) -> tuple[Any, ...]:
    return _put(view, i, _put(view[i], x, entry))


def _gossip_start(config: GossipConfig) -> GossipState:
    start: GossipState = next(iter(Gossip(config).init_states()))
    return start


def incarnation_falls() -> tuple[GossipConfig, GossipState, GossipStep, GossipState]:
    """n1 refuted once (incarnation 2); on a link cut its own counter goes back to 1."""
    start = _gossip_start(GOSSIP_DEFAULT)
    before = attrs.evolve(start, incarnation=_put(start.incarnation, 0, 2), highest=_put(start.highest, 0, 2))
    return GOSSIP_DEFAULT, before, GossipStep("CutLink", (1, 2)), attrs.evolve(before, incarnation=start.incarnation)


def healthy_node_timed_out() -> tuple[GossipConfig, GossipState, GossipStep, GossipState]:
    """Four nodes, nothing failed: n1, n3 and n4 accuse n2 (k = 2 confirmations, which healthy
    probers never give), and n1's short timer declares it dead. With the long timeout's race on,
    no_false_death does not apply: accuracy alone speaks of the short timer."""
    config = GossipConfig(**{**LIFEGUARD_BOUNDS, "long_timeout_race": True})
    start = _gossip_start(config)
    before = attrs.evolve(
        start, view=_views(start.view, 0, 1, (SUSPECT, 1)), accusers=_views(start.accusers, 0, 1, 0b1101)
    )
    return (
        config,
        before,
        GossipStep("SuspicionTimeout", (0, 1)),
        attrs.evolve(before, view=_views(before.view, 0, 1, (DEAD, 1))),
    )


def timer_outlives_refutation() -> tuple[GossipConfig, GossipState, GossipStep, GossipState]:
    """n2 has crashed, but n1 still holds it alive: a timer left from a refuted suspicion fires."""
    start = _gossip_start(GOSSIP_DEFAULT)
    before = attrs.evolve(start, up=_put(start.up, 1, 0), broken=CRASHED, faults=1)
    after = attrs.evolve(before, view=_views(before.view, 0, 1, (DEAD, 1)))
    return GOSSIP_DEFAULT, before, GossipStep("SuspicionTimeout", (0, 1)), after


# s1 elected in term 2 by s1 and s2, then a client's v1 appended: a correct run.
RAFT_ELECTION = [
    "Timeout(s1)",
    "RequestVote(s1 -> s1)",
    "HandleRequestVoteRequest(RequestVoteRequest s1->s1 term 2 lastLog (index 0, term 0))",
    "HandleRequestVoteResponse(RequestVoteResponse s1->s1 term 2 granted)",
    "RequestVote(s1 -> s2)",
    "UpdateTerm(RequestVoteRequest s1->s2 term 2 lastLog (index 0, term 0))",
    "HandleRequestVoteRequest(RequestVoteRequest s1->s2 term 2 lastLog (index 0, term 0))",
    "HandleRequestVoteResponse(RequestVoteResponse s2->s1 term 2 granted)",
    "BecomeLeader(s1)",
    "ClientRequest(s1, v1)",
]


def leader_rewrites_its_entry() -> tuple[RaftConfig, RaftState, Any, RaftState]:
    """s1 leads term 2 holding v1; a client's v2 replaces that entry instead of following it."""
    config = attrs.evolve(RAFT_DEFAULT, values=2, max_log=2)
    model = Raft(config)
    _, _, before = walk(model, RAFT_ELECTION)
    action = next(a for a, _ in model.next_steps(before) if str(a) == "ClientRequest(s1, v2)")
    return config, before, action, before._replace(log=(((2, 2),), *before.log[1:]))


def two_entries_applied_at_one_index() -> tuple[RaftConfig, RaftState, Any, RaftState]:
    """s3 has applied an entry of term 3 at index 1; s1, leading term 2, commits its own v1
    there. raft.tla's variables only (no history): nothing else records what was committed."""
    config = attrs.evolve(RAFT_DEFAULT, max_term=3, history=False)
    model = Raft(config)
    _, _, elected = walk(model, RAFT_ELECTION)
    before = elected._replace(term=(2, 2, 3), log=(*elected.log[:2], ((3, 1),)), commit_index=(0, 0, 1))
    action = next(a for a, _ in model.next_steps(before) if str(a) == "AdvanceCommitIndex(s1)")
    return config, before, action, before._replace(commit_index=(1, 0, 1))


# Steps no run of a seeded bug reaches with the property alone flagging them (the registry says
# why: the step rules imply the property), built by hand from a correct state to show it can fail.
BUILT: dict[tuple[str, str], Callable[[], tuple[Any, Any, Any, Any]]] = {
    ("raft", "leader_append_only"): leader_rewrites_its_entry,
    ("raft", "state_machine_safety"): two_entries_applied_at_one_index,
    ("gossip", "incarnation_never_decreases"): incarnation_falls,
    ("gossip", "accuracy"): healthy_node_timed_out,
    ("gossip", "suspicion_timer_fires_on_a_live_suspicion"): timer_outlives_refutation,
}


@pytest.mark.parametrize(("model_name", "prop"), sorted(BUILT))
def test_a_built_step_is_flagged_by_its_property_alone(model_name: str, prop: str) -> None:
    config, before, action, after = BUILT[model_name, prop]()
    props = MODELS[model_name].properties(config)
    assert [p.name for p in props if p.kind is Kind.ALWAYS and p.check(before)] == []  # a clean start
    assert flagged(props, before, action, after) == [prop]
    assert flagged(swapped(props, prop), before, action, after) == []


def test_the_oracle_catches_what_the_capacity_count_shares_with_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """placement_oracle_agrees is converged's second opinion: z3 places the whole workload where
    `capacity` counts node by node. Give that count the model's own off-by-one
    (strict_resource_check: a task may not fill its node) and converged misses the bug, the oracle not."""
    entry = MODELS["scheduler"]
    config = entry.bug_config("strict_resource_check")

    def strict_capacity(model: Any, s: Any) -> int:
        return sum(
            max(reference.cpus(model.config, node) - 1, 0) // model.config.reservation for node in range(model.n)
        )

    monkeypatch.setattr(convergence, "capacity", strict_capacity)
    assert_caught_alone(entry, config, "placement_oracle_agrees")


def test_every_property_without_a_witness_bug_has_a_witness_step() -> None:
    """Issue 18's swap test covers every property: a witness bug, a witness step, or the oracle's."""
    stepped = (
        {(m, p) for m in STEPS for p in STEPS[m]}
        | set(BUILT)
        | {("scheduler", "placement_oracle_agrees"), ("scheduler", "service_heals")}
        | {("raft", "leader_electable")}  # tests/test_recovery.py: E.7's trap, gone with the property swapped
    )
    unwitnessed = {(m, p) for m, entry in MODELS.items() for p in entry.unwitnessed}
    assert unwitnessed == stepped


def test_service_heals_speaks_where_no_state_is_quiescent(monkeypatch: pytest.MonkeyPatch) -> None:
    """converged judges only quiescent states; service_heals judges every fair run. Make the
    control loop never rest (as a livelock does: some step always enabled) and converged is
    silent on lost_task_not_replaced, while service_heals still finds the run that never heals."""
    entry = MODELS["scheduler"]
    config = entry.bug_config("lost_task_not_replaced")
    monkeypatch.setattr(Orchestration, "quiescent", lambda self, s: False)
    assert_caught_alone(entry, config, "service_heals")
