"""The inductive proof of Election Safety: it passes, each conjunct is needed, and every
state the explorer reaches satisfies the invariant's projection onto the Raft model."""

import pytest

from model.raft import CANDIDATE, DEFAULT, LEADER, SUITE, Raft, State, server
from properties.base import always
from swarmcheck.cli import main
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS
from swarmcheck.engines.smt import election

CONJUNCTS = ["election_safety", "one_vote_per_term", "tallied_votes_were_granted", "leaders_hold_a_quorum"]


def test_the_invariant_is_inductive() -> None:
    ok, checks, _ = election.proved()
    assert ok, [c.counterexample for c in checks if not c.holds]
    assert [c.obligation for c in checks] == [
        "initiation",
        "consecution of Timeout",
        "consecution of GrantVote",
        "consecution of TallyVote",
        "consecution of BecomeLeader",
    ]


@pytest.mark.parametrize("conjunct", CONJUNCTS[1:])
def test_each_conjunct_is_needed(conjunct: str) -> None:
    ok, checks, _ = election.proved(frozenset([conjunct]))
    assert not ok
    failing = [c for c in checks if not c.holds]
    assert "pre-state:" in failing[0].counterexample and "post-state:" in failing[0].counterexample


def test_drop_prints_a_counterexample_to_induction(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--drop", "tallied_votes_were_granted"]) == 1
    out = capsys.readouterr().out
    assert "FAILS  consecution of BecomeLeader" in out and "pre-state:" in out


def test_unknown_conjunct_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--drop", "nonsense"]) == 2


def projection(s: State) -> str | None:
    """The invariant on a concrete Raft state: votes are remembered only for the current term."""
    n = len(s.term)
    for m, _ in s.messages:
        kind, term, voter, candidate = m[0], m[1], m[2], m[3]
        if kind == 1 and m[4] and term == s.term[voter] and s.voted_for[voter] != candidate:
            return f"{server(voter)} granted {server(candidate)} in term {term} but voted otherwise"
    for c in range(n):
        if s.role[c] not in (CANDIDATE, LEADER):
            continue  # raft.tla tallies responses in any role, "but they won't be looked at"
        for voter in range(n):
            if s.votes_granted[c] >> voter & 1 and s.term[voter] == s.term[c] and s.voted_for[voter] != c:
                return f"{server(c)} counted {server(voter)}'s vote, which went elsewhere"
        if s.role[c] == LEADER and 2 * s.votes_granted[c].bit_count() <= n:
            return f"leader {server(c)} holds no quorum of votes"
    return None


@pytest.mark.parametrize(
    "config", [DEFAULT, SUITE["two-terms"], SUITE["reference"]], ids=["three", "two-terms", "reference"]
)
def test_every_reachable_state_satisfies_the_invariant(config: object) -> None:
    result = explore(Raft(config), [always("inductive_invariant", projection, "swarmcheck/smt/election.py")])  # type: ignore[arg-type]
    assert result.verdict == HOLDS, result.violations[0].message if result.violations else result.verdicts
