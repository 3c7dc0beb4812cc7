"""The gossip membership model: C.5's rules hold on the correct model, every seeded
bug is caught by the explorer at its registered bounds, Lifeguard's accuracy needs
4 nodes, and symmetry is sound."""

from itertools import permutations

import attrs
import pytest
from bounds import bounds_off_the_suite, violations_without_the_bug
from hypothesis import given
from hypothesis import strategies as st
from walks import reachable_states

from model.gossip import (
    ALIVE,
    BUGS,
    DEAD,
    DEFAULT,
    LEFT,
    LIFEGUARD_BOUNDS,
    SLOW_BOUNDS,
    SUITE,
    SUSPECT,
    UNKNOWN,
    Config,
    Gossip,
    State,
)
from properties.gossip import _allowed, properties
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS, REACHED, VIOLATED
from swarmcheck.engines.stateful import hunt
from swarmcheck.registry import MODELS

CAUGHT_BY = {
    "stale_alive_revives_dead": "death_evidence_kept",
    "suspect_lower_incarnation": "precedence",
    "anyone_refutes": "only_owner_raises",
    "no_refute": "never_self_suspect",
    "self_suspicion_taken": "never_self_suspect",
    "alive_clears_suspicion": "precedence",
    "max_timeout_unscaled": "no_false_death",
    "timeout_without_confirmations_infinite": "crash_eventually_detected",
    "dead_is_final": "precedence",
    "no_lifeguard": "accuracy",
    "dead_left_out_of_push_pull": "running_node_eventually_alive",
    "no_invalidation": "one_broadcast_per_subject",
    "retransmit_not_spent": "broadcast_within_retransmits",
    "gossip_to_left": "gossip_goes_to_members",
    "no_indirect_probe": "probe_fails_only_without_ack",
    "cut_link_carries_gossip": "cut_link_carries_nothing",
    "remote_dead_taken_as_dead": "push_pull_merges_by_the_table",
    "refute_at_accused_incarnation": "news_only_when_something_changed",
    "suspect_next_incarnation": "only_owner_raises",
    "death_evidence_overwritten": "death_evidence_only_grows",
    "death_always_left": "left_only_after_leave",
    "leave_taken_as_death": "leave_recorded_as_left",
}


# The correct model at the default bounds (holds, reaches every `sometimes`, fires every action
# or says why not) is the main job's three-nodes configuration: tox's check env gates it.


def test_every_seeded_bug_has_a_property_that_names_it() -> None:
    assert sorted(CAUGHT_BY) == sorted(BUGS)


def test_lifeguard_keeps_a_slow_node_from_killing_a_healthy_peer() -> None:
    config = Config(**LIFEGUARD_BOUNDS)
    result = explore(Gossip(config), properties(config))
    assert result.verdicts["accuracy"] == HOLDS
    assert result.verdicts["healthy_node_suspected_without_harm"] == REACHED


def test_below_four_nodes_lifeguard_expects_no_confirmations() -> None:
    """C.3: k = 0 when n - 2 < 2, so at 3 nodes a slow node's suspicion expires at the flat
    minimum even with Lifeguard: accuracy is not promised there, and the model shows why."""
    config = Config(**{**LIFEGUARD_BOUNDS, "nodes": 3})
    assert config.confirmations_needed == 0
    with_accuracy = [*properties(Config(**LIFEGUARD_BOUNDS))]
    accuracy = [p for p in with_accuracy if p.name == "accuracy"]
    result = explore(Gossip(config), accuracy)
    assert result.verdicts == {"accuracy": VIOLATED}


def test_a_newer_death_report_raises_a_dead_nodes_incarnation() -> None:
    config = attrs.evolve(DEFAULT, max_faults=2)
    wanted = [p for p in properties(config) if p.name == "newer_death_recorded"]
    result = explore(Gossip(config), wanted, max_states=300_000)
    assert result.verdicts == {"newer_death_recorded": REACHED}


# The bugs env hunts every seeded bug (`swarmcheck bugs`) and checks each catch's property
# (tests/test_bug_reports.py); this is the same hunt, for a run of your own (pytest -m slow).
@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_explorer_catches_seeded_bug(bug: str) -> None:
    config = MODELS["gossip"].bug_config(bug)
    result = explore(Gossip(config), properties(config))
    assert [v.property for v in result.violations][:1] == [CAUGHT_BY[bug]], result.violations


@pytest.mark.parametrize("bug", bounds_off_the_suite(MODELS["gossip"]))
def test_correct_model_holds_at_each_bugs_bounds(bug: str) -> None:
    violations = violations_without_the_bug(MODELS["gossip"], bug, max_states=15_000)
    assert not violations, violations[0].message


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_hypothesis_catches_seeded_bug(bug: str) -> None:
    config = MODELS["gossip"].bug_config(bug)
    result = hunt(Gossip(config), properties(config))
    # Random walks may meet the liveness failure first where the bug breaks both (a node that
    # can never rejoin is also never alive again).
    # A refutation on another's behalf is also news that changed nothing the refuter holds.
    also = {"dead_is_final": "running_node_eventually_alive", "anyone_refutes": "news_only_when_something_changed"}
    assert [v.property for v in result.violations] in ([CAUGHT_BY[bug]], [also.get(bug)])


def test_dead_is_final_makes_rejoin_unreachable() -> None:
    """What the SWIM paper's rule costs in memberlist's setting: a dead node never comes back."""
    config = Config(bugs=frozenset(["dead_is_final"]))
    revived = [p for p in properties(config) if p.name == "dead_node_revived"]
    assert explore(Gossip(config), revived).verdicts == {"dead_node_revived": "vacuous"}


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ((ALIVE, 1), (ALIVE, 2), True),
        ((ALIVE, 2), (SUSPECT, 2), True),
        ((ALIVE, 2), (SUSPECT, 1), False),
        ((SUSPECT, 2), (SUSPECT, 3), False),
        ((SUSPECT, 2), (ALIVE, 2), False),
        ((SUSPECT, 2), (ALIVE, 3), True),
        ((DEAD, 1), (ALIVE, 2), True),
        ((DEAD, 1), (SUSPECT, 2), False),
        ((DEAD, 1), (DEAD, 2), True),
        ((LEFT, 1), (DEAD, 2), False),
        ((ALIVE, 1), (LEFT, 1), True),
        ((UNKNOWN, 0), (ALIVE, 1), True),
        ((UNKNOWN, 0), (DEAD, 1), False),
        ((ALIVE, 1), (UNKNOWN, 0), False),
    ],
)
def test_precedence_table(old: tuple[int, int], new: tuple[int, int], allowed: bool) -> None:
    assert _allowed(old, new) == allowed


MODEL = Gossip(Config(max_faults=2, slow=True, joiners=1))
LIFEGUARD = Gossip(Config(**LIFEGUARD_BOUNDS))


@given(reachable_states(MODEL, 15), st.sampled_from(list(permutations(range(3)))))
def test_renamed_states_share_a_canonical_form(state: State, order: tuple[int, ...]) -> None:
    assert MODEL.canonical(MODEL.permuted(state, order)) == MODEL.canonical(state)


@given(reachable_states(LIFEGUARD, 12), st.sampled_from(list(permutations(range(4)))))
def test_renamed_states_share_a_canonical_form_with_accusers(state: State, order: tuple[int, ...]) -> None:
    assert LIFEGUARD.canonical(LIFEGUARD.permuted(state, order)) == LIFEGUARD.canonical(state)


def test_a_later_alive_about_oneself_is_refuted() -> None:
    # memberlist aliveNode on the local node: an alive of a later incarnation than its own (a
    # restarted node meeting its old self) is refuted past it, not ignored; its own is ignored.
    from model.gossip.state import ALIVE_MSG

    model = Gossip(DEFAULT)
    s = next(iter(model.init_states()))
    own = s.incarnation[0]
    later = model.handle(s, 0, (ALIVE_MSG, 0, own + 2, 1))
    assert later.incarnation[0] == own + 3
    assert model.handle(s, 0, (ALIVE_MSG, 0, own, 1)) == s


def test_indirect_probes_go_only_through_nodes_the_prober_holds_alive() -> None:
    # memberlist kRandomNodes: helpers are Alive in the prober's view. s1 cannot reach s2
    # directly; s3 could relay, but only while s1 holds s3 alive.
    model = Gossip(DEFAULT)
    s = next(iter(model.init_states()))
    s = attrs.evolve(s, cut=1 << model._pairs[(0, 1)])
    assert model.reachable(s, 0, 1)
    view = list(s.view[0])
    view[2] = (SUSPECT, view[2][1])
    suspected = attrs.evolve(s, view=(tuple(view), *s.view[1:]))
    assert not model.reachable(suspected, 0, 1)


def test_upstream_dead_node_opens_e8s_hole() -> None:
    """With `upstream_dead_node` the model's deadNode is hashicorp/memberlist's (a death report
    about a dead node is ignored) and death_evidence_kept fails: upstream has E.8's hole."""
    config = Config(**SLOW_BOUNDS)  # the main job's three-nodes-slow, where the property holds
    wanted = [p for p in properties(config) if p.name == "death_evidence_kept"]
    upstream = attrs.evolve(config, upstream_dead_node=True)
    assert explore(Gossip(upstream), wanted).verdicts == {"death_evidence_kept": VIOLATED}


def test_confirmations_follow_the_members_a_node_knows_and_stop_at_k() -> None:
    """suspectNode: k = 0 while a node knows fewer than 4 members (estNumNodes), and
    suspicion.Confirm takes no confirmation past k: it is neither counted nor re-gossiped."""
    from model.gossip.state import SUSPECT_MSG

    model = Gossip(Config(nodes=5, max_incarnation=1))
    s = next(iter(model.init_states()))
    assert model.confirmations_expected(s, 0) == 2
    view = tuple((UNKNOWN, 0) if x >= 3 else entry for x, entry in enumerate(s.view[0]))
    assert model.confirmations_expected(attrs.evolve(s, view=(view, *s.view[1:])), 0) == 0
    s = model.handle(s, 0, (SUSPECT_MSG, 4, 1, 0))  # s1 suspects s5
    for accuser in (1, 2):
        s = model.handle(s, 0, (SUSPECT_MSG, 4, 1, accuser))
    assert s.accusers[0][4] == 0b111  # s1 itself and k = 2 confirmations
    assert model.handle(s, 0, (SUSPECT_MSG, 4, 1, 3)) == s  # a third accuser changes nothing


def test_a_leave_is_left_and_a_crash_is_dead() -> None:
    """C.5 deadNode: Left iff the dead message comes from its subject (memberlist.go Leave)."""
    from model.gossip.state import DEAD_MSG

    model = Gossip(DEFAULT)
    s = next(iter(model.init_states()))
    assert model.handle(s, 0, (DEAD_MSG, 1, 1, 1)).view[0][1] == (LEFT, 1)
    assert model.handle(s, 0, (DEAD_MSG, 1, 1, 2)).view[0][1] == (DEAD, 1)


def test_lifeguard_accuracy_does_not_rest_on_refutations_winning() -> None:
    """With long_timeout_race a refutation may lose to the long timeout: a healthy node can then
    die (the window Lifeguard narrows but does not close), yet never at the short timeout, which
    is what `accuracy` states. Bounded at 30,000 states (the whole race space is 1.27 million)."""
    race = Config(**LIFEGUARD_BOUNDS, long_timeout_race=True)
    wanted = [p for p in properties(race) if p.name in ("accuracy", "false_death_at_long_timeout")]
    result = explore(Gossip(race), wanted, max_states=30_000)
    assert result.verdicts["false_death_at_long_timeout"] == REACHED
    assert not result.violations
    (no_false_death,) = [p for p in properties(Config(**LIFEGUARD_BOUNDS)) if p.name == "no_false_death"]
    assert explore(Gossip(race), [no_false_death], max_states=30_000).verdicts == {"no_false_death": VIOLATED}


def test_push_pull_carries_a_refuted_incarnation() -> None:
    """memberlist refute sets me.Incarnation, so the node's own entry, which push-pull sends,
    carries the refutation even when its alive broadcast never reached a peer (the old model
    left the entry at the accused incarnation, and push-pull repaired nothing)."""
    from model.gossip.state import SUSPECT_MSG

    model = Gossip(DEFAULT)
    s = next(iter(model.init_states()))
    s = model.handle(s, 0, (SUSPECT_MSG, 0, 1, 1))  # s1 refutes a suspicion at incarnation 1
    assert s.incarnation[0] == 2 and s.view[0][0] == (ALIVE, 2)
    assert model.push_pull(s, 1, 0).view[1][0] == (ALIVE, 2)


def test_a_reaped_member_is_forgotten_and_no_longer_gossiped_to() -> None:
    """resetNodes: GossipToTheDeadTime after a death the member leaves the list: no gossip goes
    to it, and an old alive of it is news again (the old model kept every dead member)."""
    from model.gossip.state import ALIVE_MSG, DEAD_MSG

    model = Gossip(SUITE["crash-and-reap"])
    s = next(iter(model.init_states()))
    s = model.handle(s, 0, (DEAD_MSG, 1, 1, 2))  # n1 hears n2 declared dead by n3
    assert "ReapDead(n1 -> n2)" in [str(step) for step, _ in model.next_steps(s)]
    reaped = model.reap_dead(s, 0, 1)
    assert reaped.view[0][1] == (UNKNOWN, 0)
    assert not any(str(step).startswith("Gossip(n1 -> n2") for step, _ in model.next_steps(reaped))
    assert model.handle(reaped, 0, (ALIVE_MSG, 1, 1, 1)).view[0][1] == (ALIVE, 1)


def test_evolve_changes_exactly_the_fields_given() -> None:
    """state.evolve is written out field by field (the hot path): each keyword lands in its field."""
    from model.gossip.state import FIELDS, evolve

    s = next(iter(Gossip(Config()).init_states()))
    for name in FIELDS:
        marker = 7 if isinstance(getattr(s, name), int) else (7,)
        changed = evolve(s, **{name: marker})
        assert [f for f in FIELDS if getattr(changed, f) != getattr(s, f)] == [name]
