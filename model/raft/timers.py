"""An abstract election timer for swarm's Raft (reference B, E.5-E.7): no clock, a Tick step
per server meaning "an election timeout has passed for it".

`State.recent[i]` bit i: server i heard from its leader (or started a campaign, or restarted)
since its last tick, so its timer has not expired; a follower times out only after a tick.
A leader's other bits are the followers that answered it since its last tick:
- CheckQuorum (etcd/raft, on in swarm): on its tick a leader steps down unless a quorum of
  its configuration answered; while a server's timer runs and it has a leader ("in lease"),
  it ignores RequestVote of a higher term;
- PreVote (thesis §9.6, off in swarm): a timed-out server first asks, without raising any
  term, whether a quorum would vote for it in the next term; a server in lease says no.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from model.kernel import put
from model.raft.actions import (
    Action,
    BecomeCandidate,
    HandlePreVoteRequest,
    HandlePreVoteResponse,
    LateTick,
    LateTimeout,
    Tick,
    Timeout,
)
from model.raft.config import Config
from model.raft.state import (
    CANDIDATE,
    FOLLOWER,
    LEADER,
    PRECANDIDATE,
    PV_REQ,
    PV_RESP,
    RV_REQ,
    RV_RESP,
    Msg,
    State,
    last_term,
    s_with,
    up_to_date,
    with_message,
    without_message,
)

# A campaign's requests and the answers to them.
REQUESTS, ANSWERS = (RV_REQ, PV_REQ), (RV_RESP, PV_RESP)


class Timers:
    """Ticks, CheckQuorum and PreVote."""

    config: Config
    n: int
    bugs: frozenset[str]

    has_quorum: Callable[[State, int, int], bool]  # membership.py
    linked: Callable[[State, int, int], bool]  # links.py
    campaign: Callable[[State, int], State]  # model.py
    handle_request_vote_response: Callable[[State, Msg], State]  # handlers.py

    def setup_timers(self) -> None:
        self._ticks = self.config.ticks
        self._check_quorum = self.config.check_quorum
        self._pre_vote = self.config.pre_vote
        # A candidate's own vote as it campaigns: by message in raft.tla, at once in etcd/raft (campaign polls itself).
        self._own_vote = tuple(1 << i if self._ticks else 0 for i in range(self.n))

    def timer_expired(self, s: State, i: int) -> bool:
        return not self._ticks or not s.recent[i] >> i & 1

    def in_lease(self, s: State, i: int) -> bool:
        """etcd's inLease: CheckQuorum on, and i's timer runs under a leader (or i leads)."""
        if "lease_ignored" in self.bugs:  # seeded: a live leader's followers vote for whoever asks
            return False
        return self._check_quorum and s.role[i] in (FOLLOWER, LEADER) and bool(s.recent[i] >> i & 1)

    def heard(self, s: State, i: int, j: int) -> State:
        """s with i noting that j spoke to it (a leader to a follower, a follower to its leader)."""
        if not self._ticks or s.recent[i] >> j & 1 or (i != j and not self._check_quorum):
            return s  # a leader's answers are kept only for CheckQuorum
        return s_with(s, recent=put(s.recent, i, s.recent[i] | 1 << j))

    def tick_steps(self, s: State) -> Iterator[tuple[Tick | LateTick, State]]:
        """Tick(i): i's election timeout passes. A leader with CheckQuorum and no quorum of
        answers steps down; every other server's timer expires. LateTick(i) where i's leader
        (for a leader: a quorum of its term) reaches it, so its heartbeats were late."""
        if not self._ticks:
            return
        for i in range(self.n):
            recent, me = s.recent[i], 1 << i
            if s.role[i] != LEADER:
                if recent & me:
                    tick = LateTick(i) if self.timer_is_late(s, i) else Tick(i)
                    yield tick, s_with(s, recent=put(s.recent, i, 0))
            elif self._check_quorum and not self.has_quorum(s, i, recent | me):
                tick = LateTick(i) if self.reaches_quorum(s, i) else Tick(i)
                yield tick, s_with(s, role=put(s.role, i, FOLLOWER), recent=put(s.recent, i, 0))
            elif recent != me:
                yield Tick(i), s_with(s, recent=put(s.recent, i, me))

    def timeout_action(self, s: State, i: int) -> Timeout | LateTimeout:
        """Timeout(i), or LateTimeout(i) where with ticks a leader (or an election) of i's term
        reaches i, which in time would have reset its timer first."""
        return LateTimeout(i) if self._ticks and self.timer_is_late(s, i) else Timeout(i)

    def timer_is_late(self, s: State, i: int) -> bool:
        """Whether i's timer firing now is a race Raft's timing rules out: a leader of i's term
        can talk to i (its heartbeats would reset i's timer in time), or
        another candidate of its term that may still win can (its election ends well within i's
        timeout: won, it sends heartbeats), or i is a candidate that has won
        (etcd/raft becomes leader in the step that counts the vote completing its quorum), or a
        vote or pre-vote request of i's, or an answer to one, is still on its way over a live link."""
        term, role = s.term[i], s.role
        if role[i] == CANDIDATE and self.has_quorum(s, i, s.votes_granted[i]):
            return True
        if any(
            ((m[0] in REQUESTS and m[2] == i) or (m[0] in ANSWERS and m[3] == i)) and self.linked(s, m[2], m[3])
            for m, _ in s.messages
        ):
            return True  # i's campaign is still talking: its requests and their answers arrive well within a timeout
        return any(
            j != i
            and s.term[j] == term
            and self.linked(s, i, j)
            and (role[j] == LEADER or (role[j] == CANDIDATE and self.may_still_win(s, j)))
            for j in range(self.n)
        )

    def may_still_win(self, s: State, j: int) -> bool:
        """Candidate j's votes, with those of the servers it reaches that have not answered yet,
        make a quorum: a split vote (every answer in, too few granted) ends only by a timeout."""
        unanswered = sum(1 << k for k in range(self.n) if not s.votes_responded[j] >> k & 1 and self.linked(s, j, k))
        return self.has_quorum(s, j, s.votes_granted[j] | unanswered)

    def reaches_quorum(self, s: State, i: int) -> bool:
        """Leader i can talk to a quorum of its configuration still in its term (they would answer in time)."""
        near = sum(1 << j for j in range(self.n) if s.term[j] == s.term[i] and self.linked(s, i, j))
        return self.has_quorum(s, i, near)

    def asked(self, s: State, kind: int, i: int, j: int) -> bool:
        """With etcd's timers a campaign asks each server once (etcd/raft sends MsgVote and
        MsgPreVote as it campaigns, never again before its next timeout): while i's request of
        this kind to j, or j's answer to it, is on its way, i does not send another."""
        answer = kind + 1  # RV_RESP, PV_RESP
        return self._ticks and any(
            (m[0] == kind and m[2] == i and m[3] == j) or (m[0] == answer and m[2] == j and m[3] == i)
            for m, _ in s.messages
        )

    def still_to_ask(self, s: State, kind: int, i: int, members: int) -> Iterator[int]:
        """The servers among `members` that candidate (or pre-candidate) i has yet to ask: no
        answer from them yet, and none of its requests to them on its way (`asked`)."""
        for j in range(self.n):
            if members >> j & 1 and not s.votes_responded[i] >> j & 1 and not self.asked(s, kind, i, j):
                yield j

    # ------------------------------------------------------------ PreVote

    def pre_vote_request(self, s: State, i: int, j: int) -> State:
        """PreVote(i, j): would j vote for i in the term after i's?"""
        log = s.log[i]
        m = (PV_REQ, s.term[i] + 1, i, j, last_term(log), len(log))
        return s_with(s, messages=with_message(m, s.messages))

    def receive_pre_vote(self, s: State, m: Msg) -> tuple[Action, State] | None:
        """PreVote messages change no term on arrival (etcd raft.go Step): a request is answered
        as is; a refusal from a later term is adopted by the usual UpdateTerm."""
        if m[0] == PV_REQ:
            return HandlePreVoteRequest(m), self.handle_pre_vote_request(s, m)
        _, mterm, _, i, granted = m
        if not granted and mterm > s.term[i]:
            return None  # UpdateTerm handles it (model.receive)
        if s.role[i] == PRECANDIDATE and mterm == s.term[i] + 1:  # tallied as a vote is
            return HandlePreVoteResponse(m), self.handle_request_vote_response(s, m)
        return HandlePreVoteResponse(m), s_with(s, messages=without_message(m, s.messages))  # stale

    def handle_pre_vote_request(self, s: State, m: Msg) -> State:
        """Grant iff the proposed term is later than ours, the log is up to date and we are
        not in lease under a live leader. A refusal carries our term, a later one too: a
        pre-candidate behind in terms learns it (etcd-io/etcd#8243: else one with the better
        log and one with the later term refuse each other forever)."""
        _, mterm, j, i, m_last_term, m_last_index = m
        if mterm < s.term[i] and "pre_vote_lower_term_ignored" in self.bugs:
            return s_with(s, messages=without_message(m, s.messages))  # seeded: dropped unanswered
        log_ok = up_to_date(m_last_term, m_last_index, s.log[i])
        grant = mterm > s.term[i] and log_ok and (i == j or not self.in_lease(s, i))
        reply = (PV_RESP, mterm if grant else s.term[i], i, j, int(grant))
        return s_with(s, messages=without_message(m, with_message(reply, s.messages)))

    def become_candidate(self, s: State, i: int) -> tuple[BecomeCandidate, State]:
        """BecomeCandidate(i): with a quorum of pre-votes, campaign in the next term for real."""
        return BecomeCandidate(i), self.campaign(s_with(s, recent=put(s.recent, i, 1 << i)), i)
