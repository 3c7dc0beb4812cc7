"""Raft among the swarm managers: a port of Ongaro's raft.tla, one method per action.

Reference mode (`history=False`, no bugs) follows raft.tla (ongardie/raft.tla,
without the proof-only history variables) exactly, so the explorer's state counts
match TLC's (`../shared/reference/raft.md`). Outside reference mode a ghost
history records who led which term and what was committed, for the properties
that speak of the whole past.

Servers are numbered 0..n-1 and are symmetric. Per-server data sits in tuples
indexed by server, so a permutation of servers is a re-indexing. Messages are
plain int tuples (see `Msg`), kept in a bag: a sorted tuple of (message, count)
with every count positive. (raft.tla's function-as-bag would keep a received
message at count 0; TLC's reference counts, 22,231 states, are those of a true
multiset, which is what is modelled here: a count-0 key would make states that
differ only in history distinct and let a receive drive a count negative.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from itertools import permutations, product
from operator import itemgetter
from typing import Any

import attrs

from model.kernel import put, validate

# Roles, as ints so a state hashes the same in every process.
FOLLOWER, CANDIDATE, LEADER = 0, 1, 2
ROLE_NAMES = ("Follower", "Candidate", "Leader")
NIL = -1  # votedFor before a vote is cast

# Message types. A message is a tuple whose first four fields are
# (type, term, source, dest); the rest depend on the type:
#   RV_REQ  (type, term, src, dst, last_log_term, last_log_index)
#   RV_RESP (type, term, src, dst, vote_granted)
#   AE_REQ  (type, term, src, dst, prev_log_index, prev_log_term, entries, commit_index)
#   AE_RESP (type, term, src, dst, success, match_index)
# An entry is (term, value).
RV_REQ, RV_RESP, AE_REQ, AE_RESP = 0, 1, 2, 3
MSG_NAMES = ("RequestVoteRequest", "RequestVoteResponse", "AppendEntriesRequest", "AppendEntriesResponse")

Entry = tuple[int, int]
Log = tuple[Entry, ...]
Msg = tuple[Any, ...]
Bag = tuple[tuple[Msg, int], ...]

BUGS: dict[str, str] = {
    "figure8": "a leader commits an earlier term's entry by counting replicas (Raft §5.4.2, Fig. 8; logcabin#44)",
    "forget_vote_on_restart": "votedFor is not kept across a restart, so a server votes twice in a term "
    "(Raft Fig. 2 'persistent state'; cornerstone#65, akka-raft#56)",
    "half_is_quorum": "half the servers count as a quorum: why even manager counts are dangerous "
    "(Docker admin guide, 'odd number of managers')",
    "skip_log_check_on_vote": "a vote is granted without the up-to-date log check (Raft §5.4.1)",
    "truncate_without_conflict": "a follower deletes everything after prevLogIndex on every AppendEntries, "
    "as one Python Raft library does: unsafe once messages reorder (Raft §5.3, Fig. 2 rule 3)",
    "accept_stale_append": "an AppendEntries of an older term is accepted as if current (Raft Fig. 2, AppendEntries rule 1)",
    "forget_term_on_restart": "currentTerm is not kept across a restart "
    "(Raft Fig. 2 'persistent state'; ongardie/raft.tla Raft_Term_Not_Persisted.tla)",
}


@attrs.frozen
class Config:
    """Sizes, bounds and options of a Raft model; `bugs` are the seeded bugs switched on."""

    servers: int = 3
    values: int = 1
    max_term: int = 2
    max_log: int = 1
    max_msgs: int = 1
    history: bool = True
    restarts: bool = True  # servers may crash and restart (raft.tla's Restart)
    split: int = 0  # if > 0: servers s1..s{split} start cut off from the rest (a network partition)
    heal: bool = False  # the partition may heal (a Heal action)
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {"servers": (1, 7), "values": (1, 5), "max_term": (1, 20), "max_log": (0, 10), "max_msgs": (0, 20)}
        validate("raft", self, limits, BUGS)
        if not 0 <= self.split < self.servers:
            raise ValueError(f"raft: split={self.split} must leave servers on both sides (0..{self.servers - 1})")


# The configuration of ../shared/reference/raft.md whose TLC counts are reproduced.
REFERENCE = Config(servers=2, values=1, max_term=2, max_log=1, max_msgs=2, history=False)
# The main job's configurations: elections among three managers, and a second
# term of commits between two (where a later leader meets an earlier commit).
DEFAULT = Config(servers=3, values=1, max_term=2, max_log=1, max_msgs=1, history=True)
SUITE = {
    "three-managers": DEFAULT,
    "two-terms": Config(servers=2, values=1, max_term=3, max_log=1, max_msgs=1, history=True),
    "reference": REFERENCE,
    # A network partition from the start: 2 | 1 still commits on the majority side,
    # 2 | 2 can never commit (why odd manager counts are recommended).
    "split-three": Config(servers=3, max_term=2, max_log=1, max_msgs=1, restarts=False, split=1),
    "split-four": Config(servers=4, max_term=2, max_log=1, max_msgs=1, restarts=False, split=2),
}


@attrs.frozen(order=True)
class State:
    """One global state: every server's variables, the network bag and the ghost history."""

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

    def fields(self) -> tuple[Any, ...]:
        return (
            self.term,
            self.role,
            self.voted_for,
            self.log,
            self.commit_index,
            self.votes_responded,
            self.votes_granted,
            self.next_index,
            self.match_index,
            self.messages,
            self.elected,
            self.committed,
            self.cut,
        )


# ---------------------------------------------------------------- actions


def server(i: int) -> str:
    return f"s{i + 1}"


def describe_message(m: Msg) -> str:
    """A message as a person reads it: `AppendEntriesRequest s1->s2 term 2 prev (1,2) [2:v1] commit 1`."""
    kind, term, src, dst = m[0], m[1], m[2], m[3]
    head = f"{MSG_NAMES[kind]} {server(src)}->{server(dst)} term {term}"
    if kind == RV_REQ:
        return f"{head} lastLog (index {m[5]}, term {m[4]})"
    if kind == RV_RESP:
        return f"{head} {'granted' if m[4] else 'refused'}"
    if kind == AE_REQ:
        entries = ", ".join(f"term {t} v{v}" for t, v in m[6])
        return f"{head} prev (index {m[4]}, term {m[5]}) entries [{entries}] commit {m[7]}"
    return f"{head} {'success' if m[4] else 'failure'} match {m[5]}"


@attrs.frozen(repr=False)
class OnServer:
    """An action of one server."""

    i: int

    def __str__(self) -> str:
        return f"{type(self).__name__}({server(self.i)})"

    __repr__ = __str__  # Hypothesis prints a drawn action as a person reads it


@attrs.frozen(repr=False)
class BetweenServers:
    """An action of server i towards server j."""

    i: int
    j: int

    def __str__(self) -> str:
        return f"{type(self).__name__}({server(self.i)} -> {server(self.j)})"

    __repr__ = __str__


@attrs.frozen(repr=False)
class OnMessage:
    """An action on one message of the bag."""

    m: Msg

    def __str__(self) -> str:
        return f"{type(self).__name__}({describe_message(self.m)})"

    __repr__ = __str__


class Restart(OnServer): ...


class Timeout(OnServer): ...


class RequestVote(BetweenServers): ...


class BecomeLeader(OnServer): ...


@attrs.frozen(repr=False)
class ClientRequest:
    i: int
    v: int

    def __str__(self) -> str:
        return f"ClientRequest({server(self.i)}, v{self.v})"

    __repr__ = __str__


class AdvanceCommitIndex(OnServer): ...


class AppendEntries(BetweenServers): ...


class UpdateTerm(OnMessage): ...


class HandleRequestVoteRequest(OnMessage): ...


class HandleRequestVoteResponse(OnMessage): ...


class HandleAppendEntriesRequest(OnMessage): ...


class HandleAppendEntriesResponse(OnMessage): ...


class DropStaleResponse(OnMessage): ...


class DuplicateMessage(OnMessage): ...


class DropMessage(OnMessage): ...


@attrs.frozen(repr=False)
class Heal:
    """The network partition ends: every link works again."""

    def __str__(self) -> str:
        return "Heal()"

    __repr__ = __str__


Action = OnServer | BetweenServers | OnMessage | ClientRequest | Heal
ACTION_KINDS = (
    Timeout, Restart, RequestVote, BecomeLeader, ClientRequest, AdvanceCommitIndex, AppendEntries,
    UpdateTerm, HandleRequestVoteRequest, HandleRequestVoteResponse, HandleAppendEntriesRequest,
    HandleAppendEntriesResponse, DropStaleResponse, DuplicateMessage, DropMessage, Heal,
)  # fmt: skip

# ---------------------------------------------------------------- helpers


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


def _bits(mask: int, n: int) -> list[int]:
    return [j for j in range(n) if mask >> j & 1]


# ---------------------------------------------------------------- the model


class Raft:
    """Raft's state machine for a `Config`; see the module docstring."""

    name = "raft"
    # Swarm testing: random search may switch the environment's faults off for a run.
    fault_kinds = ("Restart", "DuplicateMessage", "DropMessage")

    def rate(self, kind: str) -> int:
        """How often random search takes an action of this kind, relative to others:
        timers and faults fire rarely next to sending and delivering messages."""
        return 1 if kind in ("Timeout", *self.fault_kinds) else 10

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.servers
        self.bugs = config.bugs
        self.history = config.history
        # A quorum is a set of servers, as a bitmask, holding a strict majority.
        half = "half_is_quorum" in self.bugs
        self._quorum = tuple(
            (2 * mask.bit_count() >= self.n) if half else (2 * mask.bit_count() > self.n) for mask in range(1 << self.n)
        )
        self._fresh_next = (1,) * self.n
        self._fresh_match = (0,) * self.n
        self._renaming = {order: _Renaming.of(order) for order in permutations(range(self.n))}

    def is_quorum(self, mask: int) -> bool:
        return self._quorum[mask]

    # ------------------------------------------------------------ Init

    def init_states(self) -> Iterator[State]:
        n = self.n
        yield State(
            term=(1,) * n,
            role=(FOLLOWER,) * n,
            voted_for=(NIL,) * n,
            log=((),) * n,
            commit_index=(0,) * n,
            votes_responded=(0,) * n,
            votes_granted=(0,) * n,
            next_index=((1,) * n,) * n,
            match_index=((0,) * n,) * n,
            messages=(),
            cut=(1 << self.config.split) - 1,
        )

    # ------------------------------------------------------------ Next

    def next_steps(self, s: State) -> Iterator[tuple[Action, State]]:
        """Next, in the order raft.tla lists its disjuncts."""
        n = self.n
        for i in range(n):
            if s.role[i] != LEADER:
                yield Timeout(i), self.timeout(s, i)
        if self.config.restarts:
            for i in range(n):
                yield Restart(i), self.restart(s, i)
        for i in range(n):
            if s.role[i] == CANDIDATE:
                for j in range(n):
                    if not s.votes_responded[i] >> j & 1:
                        yield RequestVote(i, j), self.request_vote(s, i, j)
        for i in range(n):
            if s.role[i] == CANDIDATE and self._quorum[s.votes_granted[i]]:
                yield BecomeLeader(i), self.become_leader(s, i)
        for i in range(n):
            if s.role[i] == LEADER:
                for v in range(1, self.config.values + 1):
                    yield ClientRequest(i, v), self.client_request(s, i, v)
        for i in range(n):
            if s.role[i] == LEADER:
                yield AdvanceCommitIndex(i), self.advance_commit_index(s, i)
        for i in range(n):
            if s.role[i] == LEADER:
                for j in range(n):
                    if i != j:
                        yield AppendEntries(i, j), self.append_entries(s, i, j)
        for m, _ in s.messages:
            if not s.cut or (s.cut >> m[2] & 1) == (s.cut >> m[3] & 1):
                yield from self.receive(s, m)  # no message crosses the partition
        for m, _ in s.messages:
            yield DuplicateMessage(m), s_with(s, messages=with_message(m, s.messages))
        for m, _ in s.messages:
            yield DropMessage(m), s_with(s, messages=without_message(m, s.messages))
        if s.cut and self.config.heal:
            yield Heal(), s_with(s, cut=0)

    def timeout(self, s: State, i: int) -> State:
        """Timeout(i): a follower or candidate starts an election in the next term."""
        return s_with(
            s,
            role=put(s.role, i, CANDIDATE),
            term=put(s.term, i, s.term[i] + 1),
            voted_for=put(s.voted_for, i, NIL),
            votes_responded=put(s.votes_responded, i, 0),
            votes_granted=put(s.votes_granted, i, 0),
        )

    def restart(self, s: State, i: int) -> State:
        """Restart(i): everything but currentTerm, votedFor and log is lost."""
        voted_for = put(s.voted_for, i, NIL) if "forget_vote_on_restart" in self.bugs else s.voted_for
        term = put(s.term, i, 1) if "forget_term_on_restart" in self.bugs else s.term
        if (
            term is s.term
            and s.role[i] == FOLLOWER
            and voted_for is s.voted_for
            and not s.votes_responded[i]
            and not s.votes_granted[i]
            and s.next_index[i] == self._fresh_next
            and s.match_index[i] == self._fresh_match
            and not s.commit_index[i]
        ):
            return s  # nothing volatile to lose
        return s_with(
            s,
            term=term,
            role=put(s.role, i, FOLLOWER),
            voted_for=voted_for,
            votes_responded=put(s.votes_responded, i, 0),
            votes_granted=put(s.votes_granted, i, 0),
            next_index=put(s.next_index, i, self._fresh_next),
            match_index=put(s.match_index, i, self._fresh_match),
            commit_index=put(s.commit_index, i, 0),
        )

    def request_vote(self, s: State, i: int, j: int) -> State:
        """RequestVote(i, j): candidate i asks j (itself included) for its vote."""
        log = s.log[i]
        m = (RV_REQ, s.term[i], i, j, last_term(log), len(log))
        return s_with(s, messages=with_message(m, s.messages))

    def become_leader(self, s: State, i: int) -> State:
        """BecomeLeader(i): a candidate holding a quorum of votes leads its term."""
        elected = tuple(sorted({*s.elected, (s.term[i], i)})) if self.history else s.elected
        return s_with(
            s,
            role=put(s.role, i, LEADER),
            next_index=put(s.next_index, i, (len(s.log[i]) + 1,) * self.n),
            match_index=put(s.match_index, i, (0,) * self.n),
            elected=elected,
        )

    def client_request(self, s: State, i: int, v: int) -> State:
        """ClientRequest(i, v): the leader appends v to its log in its term."""
        return s_with(s, log=put(s.log, i, s.log[i] + ((s.term[i], v),)))

    def advance_commit_index(self, s: State, i: int) -> State:
        """AdvanceCommitIndex(i): commit the highest index a quorum agrees on, if of this term."""
        log = s.log[i]
        match = s.match_index[i]
        new_commit = s.commit_index[i]
        for index in range(len(log), 0, -1):
            agree = 1 << i
            for k in range(self.n):
                if match[k] >= index:
                    agree |= 1 << k
            if self._quorum[agree]:
                if log[index - 1][0] == s.term[i] or "figure8" in self.bugs:
                    new_commit = index
                break
        if new_commit == s.commit_index[i]:
            return s
        committed = s.committed
        if self.history and new_commit > s.commit_index[i]:
            fresh = {(x, log[x - 1][0], log[x - 1][1]) for x in range(s.commit_index[i] + 1, new_commit + 1)}
            known = {c[:3] for c in committed}
            additions = [(*c, s.term[i]) for c in fresh - known]
            if additions:
                committed = tuple(sorted((*committed, *additions)))
        return s_with(s, commit_index=put(s.commit_index, i, new_commit), committed=committed)

    def append_entries(self, s: State, i: int, j: int) -> State:
        """AppendEntries(i, j): the leader sends j at most one entry, from nextIndex[i][j]."""
        log = s.log[i]
        next_index = s.next_index[i][j]
        prev_index = next_index - 1
        prev_term = log[prev_index - 1][0] if prev_index > 0 else 0
        last_entry = min(len(log), next_index)
        entries = log[next_index - 1 : last_entry]
        m = (AE_REQ, s.term[i], i, j, prev_index, prev_term, entries, min(s.commit_index[i], last_entry))
        return s_with(s, messages=with_message(m, s.messages))

    # ------------------------------------------------------------ Receive

    def receive(self, s: State, m: Msg) -> Iterator[tuple[Action, State]]:
        """Receive(m): a newer term first updates the recipient's term; else the handler."""
        kind, mterm, i = m[0], m[1], m[3]
        term = s.term[i]
        if mterm > term:
            yield UpdateTerm(m), self.update_term(s, i, mterm)
        elif kind == RV_REQ:
            yield HandleRequestVoteRequest(m), self.handle_request_vote_request(s, m)
        elif kind == AE_REQ:
            step = self.handle_append_entries_request(s, m)
            if step is not None:
                yield HandleAppendEntriesRequest(m), step
        elif mterm < term:
            yield DropStaleResponse(m), s_with(s, messages=without_message(m, s.messages))
        elif kind == RV_RESP:
            yield HandleRequestVoteResponse(m), self.handle_request_vote_response(s, m)
        else:
            yield HandleAppendEntriesResponse(m), self.handle_append_entries_response(s, m)

    def update_term(self, s: State, i: int, mterm: int) -> State:
        """UpdateTerm: adopt the newer term as a follower; the message stays for a later step."""
        return s_with(
            s,
            term=put(s.term, i, mterm),
            role=put(s.role, i, FOLLOWER),
            voted_for=put(s.voted_for, i, NIL),
        )

    def handle_request_vote_request(self, s: State, m: Msg) -> State:
        """HandleRequestVoteRequest: grant iff same term, log up to date and not voted for another."""
        _, mterm, j, i, m_last_term, m_last_index = m
        log = s.log[i]
        my_last = last_term(log)
        log_ok = m_last_term > my_last or (m_last_term == my_last and m_last_index >= len(log))
        if "skip_log_check_on_vote" in self.bugs:
            log_ok = True
        grant = mterm == s.term[i] and log_ok and s.voted_for[i] in (NIL, j)
        voted_for = put(s.voted_for, i, j) if grant else s.voted_for
        reply = (RV_RESP, s.term[i], i, j, int(grant))
        return s_with(s, voted_for=voted_for, messages=without_message(m, with_message(reply, s.messages)))

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
        if mterm == term and role == CANDIDATE:
            # Return to follower; the message stays to be handled as a follower.
            return s_with(s, role=put(s.role, i, FOLLOWER))
        if mterm != term or role != FOLLOWER:
            return None  # a leader never handles an AppendEntries of its own term
        if "truncate_without_conflict" in self.bugs:
            return self._truncate_and_append(s, m)
        index = prev_index + 1
        if not entries or (len(log) >= index and log[index - 1][0] == entries[0][0]):
            # Already done with this request. (commitIndex may go back on an old duplicate.)
            reply = (AE_RESP, term, i, j, 1, prev_index + len(entries))
            return s_with(
                s,
                commit_index=put(s.commit_index, i, m_commit),
                messages=without_message(m, with_message(reply, s.messages)),
            )
        if len(log) >= index:
            # Conflict: remove one entry, from the end of the log.
            return s_with(s, log=put(s.log, i, log[:-1]))
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
            next_row = put(s.next_index[i], j, max(s.next_index[i][j] - 1, 1))
            match_index = s.match_index
        return s_with(
            s,
            next_index=put(s.next_index, i, next_row),
            match_index=match_index,
            messages=without_message(m, s.messages),
        )

    # ------------------------------------------------------------ bounds and symmetry

    def within_bounds(self, s: State) -> bool:
        """TLC's CONSTRAINT: terms, log lengths and the bag (duplicates counted) bounded."""
        c = self.config
        return (
            max(s.term) <= c.max_term
            and max(map(len, s.log)) <= c.max_log
            and sum(count for _, count in s.messages) <= c.max_msgs
        )

    def progress(self, s: State) -> dict[str, float]:
        """How far a behaviour has got: leaders, votes, entries held and committed; and,
        apart, how many servers lead at once (a stale leader beside a new one).
        Random search (the Hypothesis bridge) climbs each, towards the rarer states."""
        leading = sum(role == LEADER for role in s.role)
        leaders = len({t for t, _ in s.elected}) + leading
        votes = sum(mask.bit_count() for mask in s.votes_granted)
        return {
            "progress": 8.0 * leaders + votes + 2.0 * sum(map(len, s.log)) + 4.0 * sum(s.commit_index),
            "leaders at once": leading,
        }

    def key(self, s: State) -> Hashable:
        return s.fields()

    def action_kinds(self) -> list[str]:
        """Every kind of action this model has, for coverage."""
        return [k.__name__ for k in ACTION_KINDS]

    def canonical(self, s: State) -> Hashable:
        """The least permuted field tuple among the permutations that sort servers by a
        permutation-free signature: the same value for every state in an orbit."""
        if self.n == 1:
            return s.fields()
        sig = [self._signature(s, i) for i in range(self.n)]
        order = sorted(range(self.n), key=sig.__getitem__)
        ties = [k for k in range(1, self.n) if sig[order[k]] == sig[order[k - 1]]]
        if not ties:
            return self._renamed(s, self._renaming[tuple(order)])
        best: tuple[Any, ...] | None = None
        for arrangement in self._tied_arrangements(order, sig):
            candidate = self._renamed(s, self._renaming[arrangement])
            if best is None or candidate < best:
                best = candidate
        assert best is not None
        return best

    def _tied_arrangements(self, order: list[int], sig: list[Any]) -> Iterator[tuple[int, ...]]:
        """Every server order consistent with the sorted signatures (ties in any order)."""
        groups: list[list[int]] = []
        for i in order:
            if groups and sig[groups[-1][0]] == sig[i]:
                groups[-1].append(i)
            else:
                groups.append([i])
        for choice in product(*(permutations(g) for g in groups)):
            yield tuple(i for g in choice for i in g)

    def _signature(self, s: State, i: int) -> tuple[Any, ...]:
        """What server i looks like without naming any server."""
        vote = s.voted_for[i]
        return (
            s.term[i],
            s.role[i],
            0 if vote == NIL else (1 if vote == i else 2),
            s.log[i],
            s.commit_index[i],
            s.votes_responded[i].bit_count(),
            s.votes_granted[i].bit_count(),
            sum(s.next_index[i]),  # any renaming-free summary will do: ties are tried out
            sum(s.match_index[i]),
            _side_size(s.cut, i, self.n),
        )

    def _renamed(self, s: State, r: _Renaming) -> tuple[Any, ...]:
        """The fields of `s` with its servers renamed by `r`; identity costs nothing."""
        if r.identity:
            return s.fields()
        row, name, masks = r.row, r.name, r.masks
        return (
            row(s.term),
            row(s.role),
            tuple(name[v] for v in row(s.voted_for)),
            row(s.log),
            row(s.commit_index),
            tuple(masks[b] for b in row(s.votes_responded)),
            tuple(masks[b] for b in row(s.votes_granted)),
            tuple(map(row, row(s.next_index))),
            tuple(map(row, row(s.match_index))),
            tuple(sorted(((m[0], m[1], name[m[2]], name[m[3]], *m[4:]), c) for m, c in s.messages)),
            tuple(sorted((t, name[i]) for t, i in s.elected)),
            s.committed,
            _one_side(masks[s.cut], len(name) - 1),
        )

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        """The state whose server k is `s`'s server order[k]."""
        return State(*self._renamed(s, self._renaming[order]))

    # ------------------------------------------------------------ for reports

    def describe_state(self, s: State) -> Mapping[str, Any]:
        servers = {}
        for i in range(self.n):
            servers[server(i)] = {
                "term": s.term[i],
                "role": ROLE_NAMES[s.role[i]],
                "votedFor": None if s.voted_for[i] == NIL else server(s.voted_for[i]),
                "log": [f"term {t} v{v}" for t, v in s.log[i]],
                "commitIndex": s.commit_index[i],
                "votesGranted": [server(j) for j in _bits(s.votes_granted[i], self.n)],
                "votesResponded": [server(j) for j in _bits(s.votes_responded[i], self.n)],
                "nextIndex": {server(j): x for j, x in enumerate(s.next_index[i])},
                "matchIndex": {server(j): x for j, x in enumerate(s.match_index[i])},
            }
        data: dict[str, Any] = {
            "servers": servers,
            "messages": {describe_message(m): c for m, c in s.messages if c},
        }
        if s.cut:
            sides = [j for j in range(self.n) if s.cut >> j & 1], [j for j in range(self.n) if not s.cut >> j & 1]
            data["partition"] = " | ".join(", ".join(map(server, side)) for side in sides)
        if self.history:
            data["elected"] = [f"{server(i)} in term {t}" for t, i in s.elected]
            data["committed"] = [f"index {x}: term {t} v{v} (committed in term {ct})" for x, t, v, ct in s.committed]
        return data

    def config_data(self) -> Mapping[str, Any]:
        c = self.config
        return {
            "servers": c.servers,
            "values": c.values,
            "max_term": c.max_term,
            "max_log": c.max_log,
            "max_msgs": c.max_msgs,
            "history": c.history,
            "restarts": c.restarts,
            "split": c.split,
            "heal": c.heal,
            "bugs": sorted(c.bugs),
        }


def _side_size(cut: int, i: int, n: int) -> int:
    """How many servers are on server i's side of the partition (n when there is none)."""
    if not cut:
        return n
    return cut.bit_count() if cut >> i & 1 else n - cut.bit_count()


def _one_side(cut: int, n: int) -> int:
    """A partition named by the side holding s1: S and its complement cut the same links."""
    return cut if not cut or cut & 1 else ((1 << n) - 1) ^ cut


@attrs.frozen
class _Renaming:
    """A renaming of servers, precomputed for the symmetry hot path: new server k is
    old server order[k]; `name` maps an old number (or NIL) to the new one."""

    identity: bool
    row: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    name: tuple[int, ...]
    masks: tuple[int, ...]

    @classmethod
    def of(cls, order: tuple[int, ...]) -> _Renaming:
        n = len(order)
        name = [0] * n
        for k, old in enumerate(order):
            name[old] = k
        masks = tuple(sum(1 << name[j] for j in range(n) if b >> j & 1) for b in range(1 << n))
        return cls(order == tuple(range(n)), itemgetter(*order), (*name, NIL), masks)


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
) -> State:
    """`s` with some fields replaced: the successor of a step (TLA+'s UNCHANGED for the rest)."""
    return State(
        s.term if term is None else term,
        s.role if role is None else role,
        s.voted_for if voted_for is None else voted_for,
        s.log if log is None else log,
        s.commit_index if commit_index is None else commit_index,
        s.votes_responded if votes_responded is None else votes_responded,
        s.votes_granted if votes_granted is None else votes_granted,
        s.next_index if next_index is None else next_index,
        s.match_index if match_index is None else match_index,
        s.messages if messages is None else messages,
        s.elected if elected is None else elected,
        s.committed if committed is None else committed,
        s.cut if cut is None else cut,
    )
