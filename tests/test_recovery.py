"""`recoverable` properties (engines/recovery.py): traps found on hand-made graphs by the
explorer, by a search from one state (Hypothesis's and replay's way) and by both alike; bounds
and faults kept apart; and reference E.7 in swarm's Raft, a trap that PreVote's refusal in the
later term prevents."""

from __future__ import annotations

import json
import random
from typing import Any

import attrs
import pytest

from model.raft import LEADER, Config, Raft
from properties.base import Property, recoverable
from properties.raft_swarm import leader_electable
from swarmcheck.engines.graph import build
from swarmcheck.engines.recovery import escape, judge
from swarmcheck.engines.replay import judge_trap, rerun
from swarmcheck.engines.result import HOLDS, INCOMPLETE, VACUOUS, VIOLATED, Trace, Violation
from swarmcheck.outputs.report import counterexample, markdown
from tests.test_liveness_engine import OUT, Toy
from tests.test_raft_swarm import run

HOME = 0  # the goal state of the hand-made graphs


def home(trigger: Any = lambda s: True, stops: tuple[str, ...] = ("fault",)) -> Property[int]:
    return recoverable("comes_home", trigger, lambda s: s == HOME, stops, "test")


def finding(edges: dict[int, list[tuple[str, int]]], prop: Property[int]) -> Any:
    return judge(build(Toy(edges), [prop]), prop)


def test_a_state_with_no_way_home_is_a_trap_shown_with_what_it_does_forever() -> None:
    # 0 <-> 1 -> 2 <-> 3: from 2 on, home is never reached again, though 2 and 3 go round forever.
    graph = {0: [("a", 1)], 1: [("b", 0), ("c", 2)], 2: [("d", 3)], 3: [("e", 2)]}
    found = finding(graph, home())
    assert found.verdict == VIOLATED and found.violation is not None and found.violation.trace is not None
    trace = found.violation.trace
    assert [s for _, s in trace.steps] == [0, 1, 2, 3, 2] and trace.loop == 2
    assert "in step 2's state" in found.violation.message and "the 2 states" in found.violation.message
    trap = escape(Toy(graph), home(), 2)
    assert trap is not None and trap.size == 2 and [s for _, s in trap.steps] == [3, 2] and trap.loop == 0
    assert escape(Toy(graph), home(), 1) is None  # 1 still gets home


def test_a_dead_end_is_a_trap_where_the_behaviour_stops() -> None:
    graph = {0: [("a", 1)], 1: [("b", 0), ("c", 2)]}
    found = finding(graph, home())
    assert found.verdict == VIOLATED and found.violation is not None and found.violation.trace is not None
    assert [s for _, s in found.violation.trace.steps] == [0, 1, 2] and found.violation.trace.loop == 2


def test_every_way_home_counts_and_only_trigger_states_are_asked() -> None:
    graph = {0: [("a", 1)], 1: [("b", 0), ("c", 2)], 2: [("d", 3)], 3: [("e", 1)]}
    assert finding(graph, home()).verdict == HOLDS  # 2 and 3 get home through 1
    trapped = {0: [("a", 1)], 1: [("b", 0), ("c", 2)]}
    assert finding(trapped, home(trigger=lambda s: s < 2)).verdict == HOLDS  # 2 is never asked
    assert finding(trapped, home(trigger=lambda s: False)).verdict == VACUOUS


def test_a_fault_is_no_way_home_and_a_bound_leaves_the_answer_open() -> None:
    faulty = {0: [("a", 1)], 1: [("fault", 0)]}
    assert finding(faulty, home()).verdict == VIOLATED  # only a fault leads back
    assert finding(faulty, home(stops=())).verdict == HOLDS
    bounded = {0: [("a", 1)], 1: [("a", OUT)]}  # beyond the bound, home might come again
    found = finding(bounded, home())
    assert found.verdict == INCOMPLETE and "bounds" in found.reason
    assert escape(Toy(bounded), home(), 1) is None


def test_the_graph_and_the_search_from_one_state_agree_on_random_graphs() -> None:
    rng = random.Random(7)
    for _ in range(300):
        size = rng.randint(2, 7)
        graph = {
            k: [(rng.choice(("a", "b", "fault")), rng.randrange(size)) for _ in range(rng.randint(0, 3))]
            for k in range(size)
        }
        prop = home()
        found = judge(build(Toy(graph), [prop]), prop)
        reachable = [HOME]
        for k in reachable:
            reachable += [t for _, t in graph[k] if t not in reachable]
        traps = [s for s in reachable if escape(Toy(graph), prop, s) is not None]
        assert (found.verdict == VIOLATED) == bool(traps), graph


# ---------------------------------------------------------------- reference E.7 in swarm's Raft

E7 = Config(
    servers=3, values=1, max_log=1, max_msgs=3, restarts=False, history=False, ticks=True, check_quorum=True,
    pre_vote=True, max_cuts=2, relative_terms=True, max_term=3,
)  # fmt: skip


def _pre_elect(i: str, j: str) -> list[str]:
    """i times out, wins j's pre-vote and then j's vote: i leads the next term."""
    ask = [f"PreVote({i} -> {j})", f"HandlePreVoteRequest(PreVoteRequest {i}->{j}"]
    vote = [f"RequestVote({i} -> {j})", f"UpdateTerm(RequestVoteRequest {i}->{j}"]
    vote += [
        f"HandleRequestVoteRequest(RequestVoteRequest {i}->{j}",
        f"HandleRequestVoteResponse(RequestVoteResponse {j}->{i}",
    ]
    return [
        f"Tick({i})",
        f"Timeout({i})",
        *ask,
        f"HandlePreVoteResponse(PreVoteResponse {j}->{i}",
        f"BecomeCandidate({i})",
        *vote,
        f"BecomeLeader({i})",
    ]


# s1 leads term 2 and takes an entry nobody else has; cut off, it keeps term 2 while s3 and
# then s2 lead terms 3 and 4 without it. s1-s2 heals and s3 is cut off: s1 has the better log,
# s2 the later term, and both step down (CheckQuorum).
E7_STEPS = [
    "Tick(s2)", *_pre_elect("s1", "s2"), "ClientRequest(s1, v1)", "CutLink(s1 -x- s2)", "CutLink(s1 -x- s3)",
    "Tick(s2)", "Tick(s3)", "Timeout(s3)", "PreVote(s3 -> s2)", "HandlePreVoteRequest(PreVoteRequest s3->s2",
    "UpdateTerm(PreVoteResponse s2->s3", "HandlePreVoteResponse(PreVoteResponse s2->s3", *_pre_elect("s3", "s2"),
    "LateTick(s3)", *_pre_elect("s2", "s3"), "HealLink(s1 --- s2)", "CutLink(s2 -x- s3)", "Tick(s1)", "Tick(s2)",
]  # fmt: skip


@pytest.mark.parametrize("bug", [None, "pre_vote_lower_term_ignored"])
def test_a_better_log_beside_a_later_term_elects_a_leader_only_if_pre_votes_are_refused_in_the_later_term(
    bug: str | None,
) -> None:
    config = attrs.evolve(E7, bugs=frozenset({bug} if bug else ()))
    model = Raft(config)
    steps = run(model, next(iter(model.init_states())), E7_STEPS)
    end = steps[-1][1]
    assert end.term == (2, 4, 4) and end.log[0] and not end.log[1] and LEADER not in end.role
    prop = leader_electable(config)
    assert prop.trigger is not None and prop.trigger(end)  # s1 and s2 talk: a majority
    trap = escape(model, prop, end)
    if bug is None:
        assert trap is None  # s1 learns term 4 from s2's refusal, asks for term 5 and wins s2's vote
        return
    # etcd-io/etcd#8243: s2 drops s1's pre-vote for term 3 unanswered; s1 refuses s2's (its log is
    # worse) in term 2, which s2 drops as stale. No leader, ever, with the faults stopped.
    assert trap is not None and trap.size > 1
    assert escape(model, attrs.evolve(prop, check=lambda s: True), end) is None  # swapped: no trap
    whole = [*steps, *trap.steps]
    states, actions = [s for _, s in whole], [a for a, _ in whole[1:]]
    loop = len(steps) - 1 + trap.loop
    replayed = judge_trap(model, prop, states, actions, loop)
    assert replayed.reproduced, replayed.summary
    # As a report: written, read back as JSON and replayed from its recorded steps.
    violation = Violation(prop.name, prop.kind, "E.7's trap", 0, Trace(whole, loop))
    data = json.loads(json.dumps(counterexample(model, prop, violation, "driven", Trace(whole, loop))))
    assert "- with the faults stopped: ClientRequest, CutLink" in markdown(data)
    assert rerun(model, prop, data["steps"], data["loop"]).reproduced
