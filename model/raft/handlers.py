"""raft.tla's "Message handlers": what a server does with a message it receives (Receive),
one method per handler, in the spec's order. A newer term is adopted first (UpdateTerm).

Reads and writes every server variable and the bag; the ghost history is not touched.
"""

from __future__ import annotations

from collections.abc import Callable

from model.kernel import put
from model.raft.actions import (
    Action,
    DropStaleResponse,
    HandleAppendEntriesRequest,
    HandleAppendEntriesResponse,
    HandleRequestVoteRequest,
    HandleRequestVoteResponse,
    UpdateTerm,
)
from model.raft.config import Config
from model.raft.state import (
    AE_REQ,
    AE_RESP,
    CANDIDATE,
    FOLLOWER,
    NIL,
    PRECANDIDATE,
    PV_REQ,
    RV_REQ,
    RV_RESP,
    Msg,
    State,
    s_with,
    up_to_date,
    with_message,
    without_message,
)


class MessageHandlers:
    """Receive(m) and its handlers."""

    bugs: frozenset[str]
    config: Config
    # timers.py: PreVote's messages, CheckQuorum's lease, noting who was heard from.
    receive_pre_vote: Callable[[State, Msg], tuple[Action, State] | None]
    in_lease: Callable[[State, int], bool]
    heard: Callable[[State, int, int], State]

    def receive(self, s: State, m: Msg) -> tuple[Action, State] | None:
        """Receive(m): a newer term first updates the recipient's term; else the handler.
        At most one step; None where the recipient has none (a leader sent its own term's
        AppendEntries, or a bound stops it)."""
        kind, mterm, i = m[0], m[1], m[3]
        term = s.term[i]
        if kind >= PV_REQ:  # PreVote (timers.py): no term is adopted on its arrival
            pre = self.receive_pre_vote(s, m)
            if pre is not None:
                return pre
        if mterm > term or (mterm < term and "older_term_adopted" in self.bugs):
            if kind == RV_REQ and self.in_lease(s, i):
                return None  # CheckQuorum's lease: a higher term's vote request waits (etcd drops it)
            return UpdateTerm(m), self.update_term(s, i, mterm)
        if kind == RV_REQ:
            return HandleRequestVoteRequest(m), self.handle_request_vote_request(s, m)
        if kind == AE_REQ:
            step = self.handle_append_entries_request(s, m)
            if step is None:
                return None
            return HandleAppendEntriesRequest(m), self.heard(step, i, i) if mterm == term else step
        if mterm < term:
            return DropStaleResponse(m), s_with(s, messages=without_message(m, s.messages))
        if kind == RV_RESP:
            return HandleRequestVoteResponse(m), self.handle_request_vote_response(s, m)
        step = self.handle_append_entries_response(s, m)
        return HandleAppendEntriesResponse(m), self.heard(step, i, m[2])

    def update_term(self, s: State, i: int, mterm: int) -> State:
        """UpdateTerm: adopt the newer term as a follower; the message stays for a later step."""
        after = s_with(
            s,
            term=put(s.term, i, mterm),
            role=put(s.role, i, FOLLOWER),
            voted_for=put(s.voted_for, i, NIL),
        )
        if self.config.ticks:  # etcd/raft's becomeFollower resets the election timer (and a leader's tally of answers)
            after = s_with(after, recent=put(after.recent, i, 1 << i))
        if "vote_kept_on_new_term" in self.bugs:  # seeded: votedFor outlives its term
            return s_with(after, voted_for=s.voted_for)
        return after

    def handle_request_vote_request(self, s: State, m: Msg) -> State:
        """HandleRequestVoteRequest: grant iff same term, log up to date and not voted for another."""
        _, mterm, j, i, m_last_term, m_last_index = m
        log_ok = up_to_date(m_last_term, m_last_index, s.log[i])
        if "skip_log_check_on_vote" in self.bugs:
            log_ok = True
        grant = mterm == s.term[i] and log_ok and s.voted_for[i] in (NIL, j)
        if "vote_in_any_term" in self.bugs:  # seeded: RequestVote's rule 1 (term < currentTerm) missing
            grant = mterm <= s.term[i] and log_ok and s.voted_for[i] in (NIL, j)
        voted_for = put(s.voted_for, i, j) if grant else s.voted_for
        reply = (RV_RESP, s.term[i], i, j, int(grant))
        after = s_with(s, voted_for=voted_for, messages=without_message(m, with_message(reply, s.messages)))
        # etcd/raft restarts the election timer on granting a vote (Step, MsgVote: electionElapsed = 0).
        return self.heard(after, i, i) if grant and i != j else after

    def handle_request_vote_response(self, s: State, m: Msg) -> State:
        """HandleRequestVoteResponse: tally the answer (even if no longer a candidate)."""
        _, _, j, i, granted = m
        responded = put(s.votes_responded, i, s.votes_responded[i] | 1 << j)
        votes = put(s.votes_granted, i, s.votes_granted[i] | 1 << j) if granted else s.votes_granted
        return s_with(s, votes_responded=responded, votes_granted=votes, messages=without_message(m, s.messages))

    def handle_append_entries_request(self, s: State, m: Msg) -> State | None:
        """HandleAppendEntriesRequest: reject, step down from candidate, or accept (3 cases)."""
        _, mterm, j, i, prev_index, prev_term, entries, m_commit = m
        term, role, log = s.term[i], s.role[i], s.log[i]
        if "accept_stale_append" in self.bugs and mterm < term:
            mterm, role = term, FOLLOWER  # the term check is missing: handled as if current
        log_ok = prev_index == 0 or (0 < prev_index <= len(log) and log[prev_index - 1][0] == prev_term)
        if mterm < term or (mterm == term and role == FOLLOWER and not log_ok):
            reply = (AE_RESP, term, i, j, 0, 0)
            return s_with(s, messages=without_message(m, with_message(reply, s.messages)))
        if mterm == term and role in (CANDIDATE, PRECANDIDATE):
            # Return to follower; the message stays to be handled as a follower. (A pre-candidate
            # too: etcd/raft's stepCandidate serves both, else the request waits forever.)
            return s_with(s, role=put(s.role, i, FOLLOWER))
        if mterm != term or role != FOLLOWER:
            return None  # a leader never handles an AppendEntries of its own term
        if "truncate_without_conflict" in self.bugs:
            return self._truncate_and_append(s, m)
        index = prev_index + 1
        if not entries or (len(log) >= index and log[index - 1][0] == entries[0][0]):
            # Already done with this request. (commitIndex may go back on an old duplicate, as in
            # raft.tla; swarm's etcd/raft only raises it: commitTo.)
            reply = (AE_RESP, term, i, j, 1, prev_index + len(entries))
            commit = max(m_commit, s.commit_index[i]) if self.config.swarm else m_commit
            if "follower_commit_unbounded" in self.bugs:  # seeded: leaderCommit not respected
                commit = max(m_commit, len(log))
            return s_with(
                s,
                commit_index=put(s.commit_index, i, commit),
                messages=without_message(m, with_message(reply, s.messages)),
            )
        if len(log) >= index:
            # Conflict: remove one entry, from the end of the log.
            return s_with(s, log=put(s.log, i, log[:-1]))
        if len(log) >= self.config.max_log:
            return None  # the state constraint: no log grows past max_log
        # No conflict: append the entry; the request stays to be acknowledged.
        return s_with(s, log=put(s.log, i, log + (entries[0],)))

    def _truncate_and_append(self, s: State, m: Msg) -> State:
        """Seeded bug `truncate_without_conflict`: cut the log after prevLogIndex, then append."""
        _, _, j, i, prev_index, _, entries, m_commit = m
        reply = (AE_RESP, s.term[i], i, j, 1, prev_index + len(entries))
        return s_with(
            s,
            log=put(s.log, i, s.log[i][:prev_index] + entries),
            commit_index=put(s.commit_index, i, m_commit),
            messages=without_message(m, with_message(reply, s.messages)),
        )

    def handle_append_entries_response(self, s: State, m: Msg) -> State:
        """HandleAppendEntriesResponse: move nextIndex/matchIndex for j."""
        _, _, j, i, success, match = m
        if success:
            next_row = put(s.next_index[i], j, match + 1)
            match_index = put(s.match_index, i, put(s.match_index[i], j, match))
        else:
            backoff = 0 if "no_next_index_backoff" in self.bugs else 1
            next_row = put(s.next_index[i], j, max(s.next_index[i][j] - backoff, 1))
            match_index = s.match_index
        return s_with(
            s,
            next_index=put(s.next_index, i, next_row),
            match_index=match_index,
            messages=without_message(m, s.messages),
        )
