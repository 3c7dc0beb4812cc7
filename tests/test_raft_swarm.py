"""Swarm's Raft (model/raft/membership.py, links.py, timers.py): the rules behave as the
reference says, the z3 side and the model agree on CanRemoveMember, and PreVote, CheckQuorum
and the symmetry of links do what they claim."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from typing import Any

import attrs
import pytest

from model.raft import PARTIAL_PARTITION, RV_REQ, Config, HandleRequestVoteRequest, Raft, State
from model.raft.actions import Apply
from model.raft.links import pair_bit
from model.raft.membership import latest_configuration
from model.raft.state import s_with
from properties.base import sometimes_step
from properties.raft import election_safety, leader_completeness, properties
from properties.raft_swarm import disjoint_majorities, majority
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS, REACHED, VIOLATED
from swarmcheck.engines.smt import quorum
from swarmcheck.registry import MODELS

APPEND = Config(servers=3, managers=2, membership="append", values=0, max_log=3, restarts=False)


def _cluster(members: int, cut_from_leader: int) -> tuple[Raft, State]:
    """s1 leads `members` managers and has committed its no-op; its links to the last
    `cut_from_leader` of them are cut."""
    config = Config(servers=members, membership="append", values=0, max_log=3, max_cuts=cut_from_leader)
    model = Raft(config)
    s = next(iter(model.init_states()))
    links = 0
    for k in range(members - cut_from_leader, members):
        links |= pair_bit(members, 0, k)
    log = ((2, 0),)
    return model, s._replace(
        term=(2,) * members,
        role=(2, *(0,) * (members - 1)),
        log=(log,) * members,
        commit_index=(1,) * members,
        links=links,
    )


def test_can_remove_member_agrees_with_z3_and_with_the_property() -> None:
    # The theorem, then its formula on numbers against the model's rule and the property's count.
    assert quorum.removal_rule_is_safe_for_all_n()
    for members in range(2, 7):
        for cut in range(members):
            model, s = _cluster(members, cut)
            full = (1 << members) - 1
            for j in range(1, members):
                reachable = members - cut - (0 if s.links & pair_bit(members, 0, j) else 1)
                rule = model.can_remove_member(s, 0, j, full)
                assert rule == quorum.removal_allowed(members, reachable), (members, cut, j)
                assert rule == (reachable >= majority(members - 1)), (members, cut, j)


def test_demotion_property_is_what_the_explorer_enforces() -> None:
    # The explorer's demotion property holds where swarm's rule is on, and fails without it.
    entry = MODELS["raft"]
    bounds = entry.bug_config("demote_without_check")
    correct = attrs.evolve(bounds, bugs=frozenset())
    held = explore(
        Raft(correct), [p for p in properties(correct) if p.name in ("demotion_keeps_quorum", "demotion_refused")]
    )
    assert held.verdicts == {"demotion_keeps_quorum": HOLDS, "demotion_refused": REACHED}
    broken = explore(Raft(bounds), [p for p in properties(bounds) if p.name == "demotion_keeps_quorum"])
    assert broken.verdicts == {"demotion_keeps_quorum": VIOLATED}


def test_single_changes_overlap_and_double_ones_need_not() -> None:
    # The property's arithmetic against the z3 proof of single-server changes.
    assert quorum.single_change_overlaps_for_all_n()
    assert not disjoint_majorities(0b0111, 0b1111) and not disjoint_majorities(0b0111, 0b0011)
    assert disjoint_majorities(0b0111, 0b0001) and disjoint_majorities(0b00111, 0b11111)


def test_apply_time_changes_count_only_once_applied() -> None:
    for style, before_apply in (("append", 0b111), ("apply", 0b011)):
        model = Raft(attrs.evolve(APPEND, membership=style))
        s = next(iter(model.init_states()))
        s = s._replace(log=(((2, 0), (2, -0b111)),) * 3, commit_index=(2, 0, 0))
        assert model.configuration(s, 0) == before_apply
        if style == "apply":
            (step,) = [(a, t) for a, t in model.next_steps(s) if isinstance(a, Apply)]
            assert model.configuration(step[1], 0) == 0b111 == latest_configuration(step[1].log[0], 0)


def test_a_removed_member_is_ignored_and_never_promoted_again() -> None:
    model = Raft(APPEND)
    s = next(iter(model.init_states()))
    # s1 leads {s1, s3} after s2 was demoted; s2 still asks for votes in a later term.
    s = s._replace(
        term=(2, 3, 2), role=(2, 1, 0), log=(((2, 0), (2, -0b111), (2, -0b101)),) * 3, commit_index=(3, 0, 3),
        messages=(((0, 3, 1, 0, 2, 3), 1),),
    )  # fmt: skip
    kinds = [type(a).__name__ for a, _ in model.next_steps(s)]
    assert "IgnoreRemoved" in kinds and "UpdateTerm" not in kinds
    assert not [a for a, _ in model.next_steps(s) if type(a).__name__ == "Promote"]  # s2's ID is never reused
    heard = Raft(attrs.evolve(APPEND, bugs=frozenset({"removed_member_heard"})))
    assert "UpdateTerm" in [type(a).__name__ for a, _ in heard.next_steps(s)]


def _isolated_term_rises(before: State, action: object, after: State) -> bool:
    """s1, alone on its side of the partition, moves to a later term."""
    return after.term[0] > before.term[0]


def test_pre_vote_keeps_a_server_without_a_quorum_in_its_term() -> None:
    # Thesis §9.6: without PreVote a server that cannot reach a quorum raises its term on
    # every timeout (and disrupts the cluster when it returns); with it, never.
    base = Config(servers=3, max_term=3, max_log=0, max_msgs=1, restarts=False, split=1, ticks=True)
    witness = sometimes_step("isolated_term_rises", _isolated_term_rises, "Raft thesis §9.6")
    assert explore(Raft(base), [witness]).verdicts == {"isolated_term_rises": REACHED}
    pre_vote = attrs.evolve(base, pre_vote=True)
    assert explore(Raft(pre_vote), [witness]).verdicts == {"isolated_term_rises": "vacuous"}


def test_check_quorum_deposes_a_leader_cut_off_from_its_quorum() -> None:
    config = Config(
        servers=2, max_term=2, max_log=1, max_msgs=1, restarts=False, max_cuts=1, ticks=True, check_quorum=True
    )
    result = explore(Raft(config), properties(config))
    assert result.verdicts["check_quorum_step_down"] == REACHED
    assert result.verdicts["election_safety"] == HOLDS


def _all_states(model: Raft) -> set[State]:
    init = next(iter(model.init_states()))
    seen, queue = {init}, deque([init])
    while queue:
        for _, t in model.next_steps(queue.popleft()):
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


@pytest.mark.parametrize(
    "config",
    [
        # Timeouts, ticks and cuts only (no messages): each of swarm's renamed fields varies.
        Config(servers=3, max_term=3, max_log=0, max_msgs=0, restarts=False, max_cuts=2, ticks=True),
        # Configurations in logs, messages and the history; only the two managers trade names.
        attrs.evolve(APPEND, membership="apply"),
        Config(servers=2, membership="apply", values=0, max_term=3, max_log=2, max_msgs=1, restarts=False),
    ],
    ids=["links-and-timers", "two-managers-and-a-worker", "two-managers-one-demoted"],
)
def test_symmetry_of_swarms_additions_counts_each_orbit_once(config: Config) -> None:
    model = Raft(config)
    states = _all_states(model)
    orbits: set[Hashable] = {model.canonical(s) for s in states}
    reduced = explore(model, [], symmetry=True)
    assert reduced.stats is not None
    assert reduced.stats.distinct_states == len(orbits) < len(states)


def run(model: Raft, s: State, actions: list[str]) -> list[tuple[Any, State]]:
    """The steps named, from s (the first, with no action), each by its name or the start of it
    (one step only)."""
    steps: list[tuple[Any, State]] = [(None, s)]
    for name in actions:
        found = [(a, t) for a, t in model.next_steps(steps[-1][1]) if str(a).startswith(name)]
        assert len(found) == 1, f"{len(found)} steps are named {name!r}"
        steps.append(found[0])
    return steps


def _drive(model: Raft, s: State, actions: list[str]) -> State:
    """The state after the steps named (`run`)."""
    return run(model, s, actions)[-1][1]


def test_apply_time_campaign_guard_prevents_two_leaders_in_a_term() -> None:
    # E.4: s2 led term 2, promoted s4 ({s1..s4}), applied it, demoted s1 ({s2, s3, s4}) and
    # committed that on s1, s2, s4. s1 knows both are committed but applied neither: with the
    # guard it may not campaign; without it, it wins term 3 with {s1, s3} under {s1, s2, s3}
    # while s4 wins with {s2, s4} under {s2, s3, s4}.
    config = Config(servers=4, managers=3, membership="apply", values=0, max_term=3, max_log=3, max_msgs=8)
    c1, c2 = 0b1111, 0b1110
    log = ((2, 0), (2, -c1), (2, -c2))
    start = next(iter(Raft(config).init_states()))._replace(
        term=(2, 2, 2, 2), role=(0, 2, 0, 0), voted_for=(1, 1, 1, -1), log=(log, log, log[:2], log),
        commit_index=(3, 3, 1, 3), applied=(0, 3, 1, 3),
    )  # fmt: skip
    assert "Timeout(s1)" not in [str(a) for a, _ in Raft(config).next_steps(start)]
    model = Raft(attrs.evolve(config, bugs=frozenset({"campaign_with_unapplied_change"})))
    vote = "RequestVoteRequest {} term 3 lastLog (index 3, term 2)"
    end = _drive(
        model,
        start,
        ["Timeout(s1)", "Timeout(s4)"]
        + [f"RequestVote({a} -> {b})" for a, b in (("s1", "s1"), ("s1", "s3"), ("s4", "s4"), ("s4", "s2"))]
        + [f"HandleRequestVoteRequest({vote.format('s1->s1')})", f"UpdateTerm({vote.format('s1->s3')})"]
        + [f"HandleRequestVoteRequest({vote.format('s1->s3')})", f"UpdateTerm({vote.format('s4->s2')})"]
        + [f"HandleRequestVoteRequest({vote.format(x)})" for x in ("s4->s2", "s4->s4")]
        + [f"HandleRequestVoteResponse(RequestVoteResponse {x} term 3 granted)" for x in ("s1->s1", "s3->s1")]
        + [f"HandleRequestVoteResponse(RequestVoteResponse {x} term 3 granted)" for x in ("s2->s4", "s4->s4")]
        + ["BecomeLeader(s1)", "BecomeLeader(s4)"],
    )
    assert election_safety(end) == "s1 and s4 were both elected leader in term 3"


def _elect(i: str, *voters: str) -> list[str]:
    """i's campaign won with its own vote and the voters' (prefixes of the actions' names)."""
    steps = [f"Timeout({i})"]
    for j in (i, *voters):
        steps += [f"RequestVote({i} -> {j})", *([f"UpdateTerm(RequestVoteRequest {i}->{j}"] if j != i else [])]
        steps += [f"HandleRequestVoteRequest(RequestVoteRequest {i}->{j}"]
        steps += [f"HandleRequestVoteResponse(RequestVoteResponse {j}->{i}"]
    return [*steps, f"BecomeLeader({i})"]


def _append(leader: str, follower: str, new_term: bool = False) -> list[str]:
    """One AppendEntries sent, handled (an entry appended, then answered) and its answer read."""
    request = f"HandleAppendEntriesRequest(AppendEntriesRequest {leader}->{follower}"
    update = [f"UpdateTerm(AppendEntriesRequest {leader}->{follower}"] if new_term else []
    answer = f"HandleAppendEntriesResponse(AppendEntriesResponse {follower}->{leader}"
    return [f"AppendEntries({leader} -> {follower})", *update, request, request, answer]


def _heartbeat(leader: str, follower: str) -> list[str]:
    """An AppendEntries with no entry (the follower holds them all), carrying the commit index."""
    steps = _append(leader, follower)
    return [steps[0], *steps[2:]]


def _replicate(leader: str, follower: str) -> list[str]:
    """One entry sent, appended, acknowledged and committed by the leader."""
    return [*_append(leader, follower), f"AdvanceCommitIndex({leader})"]


def test_three_managers_demoted_twice_elect_two_leaders_without_the_campaign_guard() -> None:
    # E.4's mechanism at three servers, from the start: leader s1 demotes s3, then s2; s2
    # acknowledged both but knows only the first committed. Without the guard it campaigns
    # with {s1, s2, s3} and wins term 3 with s3; s1, restarted, wins term 3 alone under {s1}.
    config = Config(servers=3, managers=3, membership="apply", values=0, max_term=3, max_log=3)
    demotions = [*_replicate("s1", "s2"), "Apply(s1)"]
    for demoted in ("s3", "s2"):
        demotions += [f"Demote(s1 removes {demoted})", *_replicate("s1", "s2"), "Apply(s1)"]
    for bugs, outcome in ((frozenset(), None), (frozenset({"campaign_with_unapplied_change"}), "two leaders")):
        model = Raft(attrs.evolve(config, bugs=bugs))
        s = _drive(model, next(iter(model.init_states())), _elect("s1", "s2") + demotions)
        assert (s.commit_index[1], s.applied[1]) == (2, 0)  # s2 knows s3's demotion committed
        if outcome is None:
            assert "Timeout(s2)" not in [str(a) for a, _ in model.next_steps(s)]
            continue
        s = _drive(model, s, [*_elect("s2", "s3"), "Restart(s1)", *_elect("s1")])
        assert election_safety(s) == "s1 and s2 were both elected leader in term 3"


def test_a_change_before_the_leaders_own_commit_loses_a_committed_entry() -> None:
    # E.3 (Ongaro 2015) from the start, with four managers and a worker, append-time: s1
    # leads term 2, promotes s5 and sends that only to s5, then crashes. s2 wins term 3 with
    # s3 and s4 and, before its own term's no-op commits, removes s1 and commits that on
    # s2 and s3 under {s2, s3, s4}. s1, still under {s1..s5}, wins term 4 with s4 and s5:
    # a leader without the committed entries. With the rule, s2 may not propose the change.
    config = Config(servers=5, managers=4, membership="append", values=0, max_term=4, max_log=3)
    term_2 = [*_elect("s1", "s2", "s3"), *_append("s1", "s2"), *_append("s1", "s3"), "AdvanceCommitIndex(s1)"]
    term_2 += [*_heartbeat("s1", "s2"), *_heartbeat("s1", "s3"), "Promote(s1 adds s5)"]
    term_2 += [*_append("s1", "s5", new_term=True), *_append("s1", "s5"), "Restart(s1)", *_elect("s2", "s3", "s4")]
    for bugs in (frozenset(), frozenset({"change_before_own_term_commit"})):
        model = Raft(attrs.evolve(config, bugs=bugs))
        s = _drive(model, next(iter(model.init_states())), term_2)
        if not bugs:
            assert not any(str(a).startswith("Demote") for a, _ in model.next_steps(s))
            continue
        s = _drive(model, s, ["Demote(s2 removes s1)", *_append("s2", "s3"), *_replicate("s2", "s3")])
        s = _drive(model, s, ["Timeout(s1)", *_elect("s1", "s4", "s5")])
        assert leader_completeness(s) == (
            "leader s1 of term 4 lacks index 2 (term 3 no-op), committed in term 3; its log is "
            "[term 2 no-op, term 2 config {s1, s2, s3, s4, s5}, term 4 no-op]"
        )


def test_with_swarms_settings_a_connected_leader_can_be_deposed() -> None:
    # E.5 (moby/swarmkit#1364): CheckQuorum on, PreVote off, a link that fails and heals: a
    # leader that still reaches a majority of its configuration loses leadership to a newer term.
    config = Config(
        servers=3, max_term=3, max_log=0, max_msgs=1, restarts=False, max_cuts=1, ticks=True, check_quorum=True
    )
    wanted = [p for p in properties(config) if p.name == "leader_deposed_while_connected"]
    assert explore(Raft(config), wanted).verdicts == {"leader_deposed_while_connected": REACHED}


def test_check_quorum_keeps_a_partial_partition_from_deposing_leaders_forever() -> None:
    # Reference E.6's three-node form: s1-s3 cut, s2 reaches both. With CheckQuorum's lease (swarm)
    # s3's campaigns never depose s1; without it leadership flaps between s1 and s3 forever.
    config = PARTIAL_PARTITION
    stable = [p for p in properties(config) if p.name == "leadership_stable"]
    assert explore(Raft(config), stable).verdicts == {"leadership_stable": HOLDS}
    flapping = attrs.evolve(config, check_quorum=False)
    assert explore(Raft(flapping), stable).verdicts == {"leadership_stable": VIOLATED}


def test_relative_terms_make_states_one_up_to_a_shift_of_every_term() -> None:
    model = Raft(PARTIAL_PARTITION)
    s = next(iter(model.init_states()))
    request = (RV_REQ, 3, 0, 1, 2, 1)  # term 3, last entry of term 2
    raised = s_with(s, term=(3, 4, 3), messages=((request, 1),), log=((), ((2, 0),), ()))
    shifted = s_with(s, term=(2, 3, 2), messages=(((RV_REQ, 2, 0, 1, 1, 1), 1),), log=((), ((1, 0),), ()))
    assert raised != shifted and model.key(raised) == model.key(shifted)
    # A message's action is named as from the shifted state, so fairness to it is one duty.
    assert model.action_key(raised, HandleRequestVoteRequest(request)) == HandleRequestVoteRequest(
        (RV_REQ, 2, 0, 1, 1, 1)
    )
    assert model.term_ceiling(raised) == PARTIAL_PARTITION.max_term + 1  # the bound is on the spread
    # Symmetry reduction sees the same view, with swarm's additions or without them.
    assert model.canonical(raised) == model.canonical(shifted)
    plain = Raft(Config(servers=2, max_log=0, values=0, history=False, relative_terms=True))
    start = next(iter(plain.init_states()))
    later = s_with(start, term=(4, 4))
    assert later != start and plain.canonical(later) == plain.canonical(start)


def test_the_partial_partitions_cut_is_for_good_and_outside_the_budget() -> None:
    model = Raft(attrs.evolve(PARTIAL_PARTITION, max_cuts=1))
    start = next(iter(model.init_states()))
    links = {str(a) for a, _ in model.next_steps(start) if type(a).__name__ in ("CutLink", "HealLink")}
    assert links == {"CutLink(s1 -x- s2)", "CutLink(s2 -x- s3)"}
