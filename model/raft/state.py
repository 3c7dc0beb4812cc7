"""raft.tla's variables as one immutable state, its messages and the bag that holds them
(raft.tla's WithMessage and WithoutMessage), and how a person reads a server or a message.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# Roles, as ints so a state hashes the same in every process.
FOLLOWER, CANDIDATE, LEADER, PRECANDIDATE = 0, 1, 2, 3
ROLE_NAMES = ("Follower", "Candidate", "Leader", "PreCandidate")
NIL = -1  # votedFor before a vote is cast

# Message types. A message is a tuple whose first four fields are
# (type, term, source, dest); the rest depend on the type:
#   RV_REQ  (type, term, src, dst, last_log_term, last_log_index)
#   RV_RESP (type, term, src, dst, vote_granted)
#   AE_REQ  (type, term, src, dst, prev_log_index, prev_log_term, entries, commit_index)
#   AE_RESP (type, term, src, dst, success, match_index)
# An entry is (term, value).
#   PV_REQ  as RV_REQ, PV_RESP as RV_RESP: PreVote (Raft thesis §9.6), its term the one it would campaign in
RV_REQ, RV_RESP, AE_REQ, AE_RESP, PV_REQ, PV_RESP = 0, 1, 2, 3, 4, 5
MSG_NAMES = (
    "RequestVoteRequest", "RequestVoteResponse", "AppendEntriesRequest", "AppendEntriesResponse",
    "PreVoteRequest", "PreVoteResponse",
)  # fmt: skip

Entry = tuple[int, int]
Log = tuple[Entry, ...]
Msg = tuple[Any, ...]
Bag = tuple[tuple[Msg, int], ...]


class State(NamedTuple):
    """One global state: every server's variables, the network bag and the ghost history.

    A plain tuple underneath (NamedTuple): the explorer builds millions of these, and a
    tuple builds several times faster than an attrs object and hashes as its fingerprint."""

    term: tuple[int, ...]
    role: tuple[int, ...]
    voted_for: tuple[int, ...]
    log: tuple[Log, ...]
    commit_index: tuple[int, ...]
    votes_responded: tuple[int, ...]  # bit j set: j has answered this candidate's RequestVote
    votes_granted: tuple[int, ...]  # bit j set: j has granted its vote
    next_index: tuple[tuple[int, ...], ...]
    match_index: tuple[tuple[int, ...], ...]
    messages: Bag
    # Ghost history (empty in reference mode): (term, server) of every election
    # won, and (index, entry term, value, term of the commit) of every commit.
    elected: tuple[tuple[int, int], ...] = ()
    committed: tuple[tuple[int, int, int, int], ...] = ()
    # The network partition: bit i set for the servers on one side (the side holding s1,
    # so a split has one representation); 0 when every link works.
    cut: int = 0
    # Swarm's Raft (model/raft/membership.py, links.py, timers.py); empty or 0 when off.
    applied: tuple[int, ...] = ()  # apply-time membership: how much of its log each server applied
    recent: tuple[
        int, ...
    ] = ()  # bit i of recent[i]: i heard from a leader (or campaigned) since the last tick; a leader's other bits: followers that answered it
    links: int = 0  # bit pair_bit(i, j) set: the link between i and j is cut

    def fields(self) -> tuple[Any, ...]:
        return tuple(self)


_new = tuple.__new__


def s_with(
    s: State,
    *,
    term: tuple[int, ...] | None = None,
    role: tuple[int, ...] | None = None,
    voted_for: tuple[int, ...] | None = None,
    log: tuple[Log, ...] | None = None,
    commit_index: tuple[int, ...] | None = None,
    votes_responded: tuple[int, ...] | None = None,
    votes_granted: tuple[int, ...] | None = None,
    next_index: tuple[tuple[int, ...], ...] | None = None,
    match_index: tuple[tuple[int, ...], ...] | None = None,
    messages: Bag | None = None,
    elected: tuple[tuple[int, int], ...] | None = None,
    committed: tuple[tuple[int, int, int, int], ...] | None = None,
    cut: int | None = None,
    applied: tuple[int, ...] | None = None,
    recent: tuple[int, ...] | None = None,
    links: int | None = None,
) -> State:
    """`s` with some fields replaced: the successor of a step (TLA+'s UNCHANGED for the rest)."""
    return _new(  # NamedTuple's own __new__ costs a Python call
        State,
        (
            s[0] if term is None else term,
            s[1] if role is None else role,
            s[2] if voted_for is None else voted_for,
            s[3] if log is None else log,
            s[4] if commit_index is None else commit_index,
            s[5] if votes_responded is None else votes_responded,
            s[6] if votes_granted is None else votes_granted,
            s[7] if next_index is None else next_index,
            s[8] if match_index is None else match_index,
            s[9] if messages is None else messages,
            s[10] if elected is None else elected,
            s[11] if committed is None else committed,
            s[12] if cut is None else cut,
            s[13] if applied is None else applied,
            s[14] if recent is None else recent,
            s[15] if links is None else links,
        ),
    )


def server(i: int) -> str:
    return f"s{i + 1}"


def describe_message(m: Msg) -> str:
    """A message as a person reads it: `AppendEntriesRequest s1->s2 term 2 prev (1,2) [2:v1] commit 1`."""
    kind, term, src, dst = m[0], m[1], m[2], m[3]
    head = f"{MSG_NAMES[kind]} {server(src)}->{server(dst)} term {term}"
    if kind in (RV_REQ, PV_REQ):
        return f"{head} lastLog (index {m[5]}, term {m[4]})"
    if kind in (RV_RESP, PV_RESP):
        return f"{head} {'granted' if m[4] else 'refused'}"
    if kind == AE_REQ:
        entries = ", ".join(describe_entry(e) for e in m[6])
        return f"{head} prev (index {m[4]}, term {m[5]}) entries [{entries}] commit {m[7]}"
    return f"{head} {'success' if m[4] else 'failure'} match {m[5]}"


def describe_entry(entry: Entry) -> str:
    """`term 2 v1`, `term 2 no-op` (a leader's first entry) or `term 2 config {s1, s2}`."""
    t, v = entry
    if v > 0:
        return f"term {t} v{v}"
    if v == 0:
        return f"term {t} no-op"
    return f"term {t} config {{{', '.join(map(server, bits(-v, 7)))}}}"


def with_message(m: Msg, bag: Bag) -> Bag:
    """The bag with one more copy of m (raft.tla WithMessage)."""
    for k, (other, count) in enumerate(bag):
        if other == m:
            return bag[:k] + ((m, count + 1),) + bag[k + 1 :]
    return tuple(sorted(bag + ((m, 1),)))


def without_message(m: Msg, bag: Bag) -> Bag:
    """The bag with one copy of m fewer (raft.tla WithoutMessage); none left, none kept."""
    for k, (other, count) in enumerate(bag):
        if other == m:
            if count == 1:
                return bag[:k] + bag[k + 1 :]
            return bag[:k] + ((m, count - 1),) + bag[k + 1 :]
    return bag


def last_term(log: Log) -> int:
    return log[-1][0] if log else 0


def up_to_date(m_last_term: int, m_last_index: int, log: Log) -> bool:
    """Raft §5.4.1: a log ending at (m_last_term, m_last_index) is at least as up to date as
    `log`: a later last term, or the same one and at least as long."""
    my_last = last_term(log)
    return m_last_term > my_last or (m_last_term == my_last and m_last_index >= len(log))


def bits(mask: int, n: int) -> list[int]:
    return [j for j in range(n) if mask >> j & 1]
