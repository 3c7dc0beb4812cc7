"""The state constraint (TLC's CONSTRAINT) and the steps it withholds: Raft's guards hold
the bounds, so no successor outside them is built, and liveness asks which steps a bound
kept out (model/kernel.py), to tell a behaviour that stops at a bound from one that stops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter

from model.raft.actions import (
    Action,
    AppendEntries,
    BecomeCandidate,
    ClientRequest,
    DuplicateMessage,
    LateTimeout,
    PreVote,
    RequestVote,
    Timeout,
)
from model.raft.config import Config
from model.raft.state import CANDIDATE, LEADER, PRECANDIDATE, PV_REQ, RV_REQ, State


class Bounds:
    """Terms, log lengths and the bag, bounded."""

    config: Config
    n: int
    term_ceiling: Callable[[State], int]  # terms.py
    may_time_out: Callable[[State, int], bool]  # model.py
    timeout_action: Callable[[State, int], Timeout | LateTimeout]  # timers.py
    within_reach: Callable[[State, int, int], int]  # links.py
    still_to_ask: Callable[[State, int, int, int], Iterator[int]]  # timers.py
    has_quorum: Callable[[State, int, int], bool]  # membership.py

    def within_bounds(self, s: State) -> bool:
        """TLC's CONSTRAINT: terms, log lengths and the bag (duplicates counted) bounded."""
        c = self.config
        return (
            max(s.term) <= self.term_ceiling(s)
            and max(map(len, s.log)) <= c.max_log
            and sum(count for _, count in s.messages) <= c.max_msgs
        )

    def withheld_steps(self, s: State) -> Iterator[tuple[Action, str]]:
        """The steps `Raft.next_steps` guards keep out for a bound, with its name: liveness must not
        take a behaviour that stops at a bound for one that stops by itself (model/kernel.py)."""
        n, c = self.n, self.config
        full = sum(map(itemgetter(1), s.messages)) >= c.max_msgs
        ceiling = self.term_ceiling(s)
        for i in range(n):
            role = s.role[i]
            if role != LEADER and s.term[i] >= ceiling and not c.pre_vote and (not c.swarm or self.may_time_out(s, i)):
                yield self.timeout_action(s, i), "max_term"
            if role == PRECANDIDATE and s.term[i] >= ceiling and self.has_quorum(s, i, s.votes_granted[i]):
                yield BecomeCandidate(i), "max_term"
            if role == LEADER and len(s.log[i]) >= c.max_log:
                for v in range(1, c.values + 1):
                    yield ClientRequest(i, v), "max_log"
            reach = self.within_reach(s, i, (1 << n) - 1) if full else 0  # no request goes over a cut link
            if full and role in (CANDIDATE, PRECANDIDATE):
                ask, kind = (RequestVote, RV_REQ) if role == CANDIDATE else (PreVote, PV_REQ)
                for j in self.still_to_ask(s, kind, i, reach):
                    yield ask(i, j), "max_msgs"
            if full and role == LEADER:
                for j in range(n):
                    if i != j and reach >> j & 1:
                        yield AppendEntries(i, j), "max_msgs"
        if full:
            for m, _ in s.messages:
                yield DuplicateMessage(m), "max_msgs"
