"""Raft among the swarm managers: raft.tla's Init and Next, one method per action in the
spec's order (message handlers in `handlers`, symmetry in `symmetry`), the state
constraint, and what a report shows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from itertools import permutations
from operator import itemgetter
from typing import Any

from model.kernel import put
from model.raft.actions import (
    Action,
    AdvanceCommitIndex,
    AppendEntries,
    BecomeLeader,
    ClientRequest,
    DropMessage,
    DuplicateMessage,
    Heal,
    IgnoreRemoved,
    PreVote,
    RequestVote,
    Restart,
)
from model.raft.bounds import Bounds
from model.raft.config import DEFAULT, Config
from model.raft.diagram import Diagram
from model.raft.handlers import MessageHandlers
from model.raft.links import Links, pair_bit
from model.raft.membership import Membership
from model.raft.reading import Reading
from model.raft.state import (
    AE_REQ,
    CANDIDATE,
    FOLLOWER,
    LEADER,
    NIL,
    PRECANDIDATE,
    PV_REQ,
    RV_REQ,
    State,
    last_term,
    s_with,
    with_message,
    without_message,
)
from model.raft.symmetry import Renaming, ServerSymmetry
from model.raft.terms import RelativeTerms
from model.raft.timers import Timers

# Timers and an operator's acts: rare in random search next to sending and delivering messages.
RARE = frozenset({"Timeout", "LateTimeout", "Tick", "LateTick", "Promote", "Demote"})


class Raft(MessageHandlers, ServerSymmetry, Bounds, Diagram, Links, Membership, Timers, RelativeTerms, Reading):
    """Raft's state machine for a `Config`; see the package docstring."""

    name = "raft"
    # What the explorer may rely on (model/kernel.py): every guard below holds the bounds, and
    # a state is ints (none below NIL = -1) in tuples, so hash() is its fingerprint.
    successors_within_bounds = True
    hash_fingerprints = True
    # Swarm testing: random search may switch the environment's faults off for a run.
    fault_kinds: tuple[str, ...] = ("Restart", "DuplicateMessage", "DropMessage")

    def rate(self, kind: str) -> int:
        """How often random search takes an action of this kind, relative to others:
        timers, faults and an operator's promotions and demotions are rare next to sending
        and delivering messages (so runs reach a second leader before the log fills)."""
        return 1 if kind in RARE or kind in self.fault_kinds else 10

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
        self._keeps_match_index = "match_index_kept_on_election" in self.bugs
        self._keeps_what_persists = not self.bugs & {"forget_vote_on_restart", "forget_term_on_restart"}
        self._fresh_next = (1,) * self.n
        self._fresh_match = (0,) * self.n
        self._renaming = {order: Renaming.of(order) for order in permutations(range(self.n))}
        self._swarm = config.swarm
        if config.max_cuts:  # random search may switch link failures off for a run, too
            self.fault_kinds = (*Raft.fault_kinds, "CutLink")
        self.setup_membership()
        self.setup_timers()
        self.setup_terms()
        # Renamings that keep the initial managers managers (all of them without workers).
        self._swarm_renamings = [r for r in self._renaming.values() if r.masks[self._initial] == self._initial]

    def is_quorum(self, mask: int) -> bool:
        return self._quorum[mask]

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
            applied=(0,) * n if self.config.membership == "apply" else (),
            recent=tuple(1 << i for i in range(n)) if self.config.ticks else (),  # timers start running
            links=pair_bit(n, 0, 2) if self.config.partial else 0,
        )

    def next_steps(self, s: State) -> Iterator[tuple[Action, State]]:
        """Next, in the order raft.tla lists its disjuncts, then swarm's own steps (membership,
        apply, ticks, links) where the configuration turns them on. The state constraint is
        folded into the guards of the steps that raise a bounded quantity (a term, a log's
        length, the bag's size), so no successor outside the bounds is ever built."""
        n, c = self.n, self.config
        servers = range(n)
        role, term, messages = s.role, s.term, s.messages
        swarm = self._swarm
        room = sum(map(itemgetter(1), messages)) < c.max_msgs
        ceiling = self.term_ceiling(s)
        for i in servers:  # with PreVote no term rises before BecomeCandidate, which the bound guards instead
            if role[i] != LEADER and (term[i] < ceiling or self._pre_vote) and (not swarm or self.may_time_out(s, i)):
                yield self.timeout_action(s, i), self.timeout(s, i)
        if c.restarts:
            for i in servers:
                yield Restart(i), self.restart(s, i)
        candidates = [i for i in servers if role[i] == CANDIDATE]
        if room:
            for i in candidates:
                members = self.within_reach(s, i, self.configuration(s, i)) if swarm else self._initial
                for j in self.still_to_ask(s, RV_REQ, i, members):
                    yield RequestVote(i, j), self.request_vote(s, i, j)
        for i in candidates:
            if self.has_quorum(s, i, s.votes_granted[i]) if swarm else self._quorum[s.votes_granted[i]]:
                yield BecomeLeader(i), self.become_leader(s, i)
        if self._pre_vote:
            yield from self._pre_vote_steps(s, room)
        leaders = [i for i in servers if role[i] == LEADER]
        for i in leaders:
            if len(s.log[i]) < c.max_log:
                for v in range(1, c.values + 1):
                    yield ClientRequest(i, v), self.client_request(s, i, v)
        for i in leaders:
            yield AdvanceCommitIndex(i), self.advance_commit_index(s, i)
        if room:
            for i in leaders:
                members = self.within_reach(s, i, self.configuration(s, i)) if swarm else self._initial
                for j in servers:
                    if i != j and members >> j & 1:
                        yield AppendEntries(i, j), self.append_entries(s, i, j)
        cut = s.cut
        for m, _ in messages:
            if swarm:
                if not self.deliverable(s, m):
                    continue
                if self.removed_sender(s, m):
                    yield IgnoreRemoved(m), s_with(s, messages=without_message(m, messages))
                    continue
            elif cut and (cut >> m[2] & 1) != (cut >> m[3] & 1):
                continue  # no message crosses the partition
            step = self.receive(s, m)
            if step is not None:
                yield step
        if room:
            for m, _ in messages:
                yield DuplicateMessage(m), s_with(s, messages=with_message(m, messages))
        for m, _ in messages:
            yield DropMessage(m), s_with(s, messages=without_message(m, messages))
        if cut and c.heal:
            yield Heal(), s_with(s, cut=0)
        if swarm:
            yield from self._swarm_steps(s, leaders)

    def may_time_out(self, s: State, i: int) -> bool:
        """Swarm's guards on Timeout: the election timer expired, and i may campaign."""
        return self.timer_expired(s, i) and self.may_campaign(s, i)

    def _pre_vote_steps(self, s: State, room: bool) -> Iterator[tuple[Action, State]]:
        """PreVote(i, j) and BecomeCandidate(i) (timers.py), beside RequestVote and BecomeLeader."""
        for i in range(self.n):
            if s.role[i] != PRECANDIDATE:
                continue
            if room:
                members = self.within_reach(s, i, self.configuration(s, i))
                for j in self.still_to_ask(s, PV_REQ, i, members):
                    yield PreVote(i, j), self.pre_vote_request(s, i, j)
            if self.has_quorum(s, i, s.votes_granted[i]) and s.term[i] < self.term_ceiling(s):
                yield self.become_candidate(s, i)

    def _swarm_steps(self, s: State, leaders: list[int]) -> Iterator[tuple[Action, State]]:
        """Membership changes, applying, election timers and links failing (swarm's Raft)."""
        for i in leaders:
            yield from self.membership_steps(s, i)
        yield from self.apply_steps(s)
        yield from self.tick_steps(s)
        if self.config.max_cuts:
            yield from self.link_steps(s)

    def timeout(self, s: State, i: int) -> State:
        """Timeout(i): a follower or candidate starts an election in the next term (with
        PreVote, it first asks in its current term whether it could win; timers.py)."""
        if self._ticks:
            s = s_with(s, recent=put(s.recent, i, 1 << i))  # its timer starts again
        if self._pre_vote:
            own = self._own_vote[i]
            return s_with(
                s,
                role=put(s.role, i, PRECANDIDATE),
                votes_responded=put(s.votes_responded, i, own),
                votes_granted=put(s.votes_granted, i, own),
            )
        return self.campaign(s, i)

    def campaign(self, s: State, i: int) -> State:
        """i stands for the next term (Timeout's effect in raft.tla; with PreVote,
        BecomeCandidate's): in raft.tla a candidate that has voted for nobody yet and asks
        itself by message; with ticks (swarm's etcd/raft: campaign polls its own vote) one
        that has voted for itself."""
        own = self._own_vote[i]
        return s_with(
            s,
            role=put(s.role, i, CANDIDATE),
            term=put(s.term, i, s.term[i] + 1),
            voted_for=put(s.voted_for, i, i if own else NIL),
            votes_responded=put(s.votes_responded, i, own),
            votes_granted=put(s.votes_granted, i, own),
        )

    def restart(self, s: State, i: int) -> State:
        """Restart(i): everything but currentTerm, votedFor and log is lost."""
        if self._keeps_what_persists and self._nothing_volatile(s, i):
            return s
        if self._ticks:  # a restarted server's timer starts afresh; a leader's followers are forgotten
            s = s_with(s, recent=put(s.recent, i, 1 << i))
        voted_for = put(s.voted_for, i, NIL) if "forget_vote_on_restart" in self.bugs else s.voted_for
        term = put(s.term, i, 1) if "forget_term_on_restart" in self.bugs else s.term
        after = s_with(
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
        if "restart_keeps_role" in self.bugs:  # seeded: the role survives a restart
            return s_with(after, role=s.role)
        return after

    def _nothing_volatile(self, s: State, i: int) -> bool:
        """A follower with nothing but what persists: a restart changes nothing."""
        return (
            s.role[i] == FOLLOWER
            and not s.commit_index[i]
            and not s.votes_responded[i]
            and not s.votes_granted[i]
            and s.next_index[i] == self._fresh_next
            and s.match_index[i] == self._fresh_match
            and (not self._ticks or s.recent[i] == 1 << i)
        )

    def request_vote(self, s: State, i: int, j: int) -> State:
        """RequestVote(i, j): candidate i asks j (itself included) for its vote."""
        log = s.log[i]
        last = s.term[i] if log and "vote_request_names_current_term" in self.bugs else last_term(log)
        m = (RV_REQ, s.term[i], i, j, last, len(log))
        return s_with(s, messages=with_message(m, s.messages))

    def become_leader(self, s: State, i: int) -> State:
        """BecomeLeader(i): a candidate holding a quorum of votes leads its term (with
        membership changes on, it appends its term's no-op, as etcd/raft does)."""
        elected = tuple(sorted({*s.elected, (s.term[i], i)})) if self.history else s.elected
        if self._ticks:
            s = s_with(s, recent=put(s.recent, i, 1 << i))
        return s_with(
            s,
            log=self.election_no_op(s, i),
            role=put(s.role, i, LEADER),
            next_index=put(s.next_index, i, (len(s.log[i]) + 1,) * self.n),
            match_index=s.match_index if self._keeps_match_index else put(s.match_index, i, (0,) * self.n),
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
        swarm = self._swarm
        # etcd/raft's maybeCommit only raises it; raft.tla recounts, so a smaller configuration lowers it.
        floor = new_commit if swarm and "commit_recounted" not in self.bugs else 0
        for index in range(len(log), floor, -1):
            agree = 1 << i
            for k in range(self.n):
                if match[k] >= index:
                    agree |= 1 << k
            if self.has_quorum(s, i, agree) if swarm else self._quorum[agree]:
                if log[index - 1][0] == s.term[i] or "figure8" in self.bugs:
                    new_commit = index
                break
        if new_commit == s.commit_index[i]:
            return s
        committed = newly_committed(s, i, new_commit) if self.history else s.committed
        return s_with(s, commit_index=put(s.commit_index, i, new_commit), committed=committed)

    def append_entries(self, s: State, i: int, j: int) -> State:
        """AppendEntries(i, j): the leader sends j at most one entry, from nextIndex[i][j]."""
        log = s.log[i]
        # nextIndex stays within the log in every correct run; a seeded bug that shrinks a
        # leader's log (accept_stale_append) must not crash the model.
        next_index = min(s.next_index[i][j], len(log) + 1)
        prev_index = next_index - 1
        prev_term = log[prev_index - 1][0] if prev_index > 0 else 0
        if "prev_term_is_current_term" in self.bugs and prev_index > 0:  # seeded: the wrong term sent
            prev_term = s.term[i]
        last_entry = min(len(log), next_index)
        entries = log[next_index - 1 : last_entry]
        commit = s.commit_index[i] if "leader_commit_uncapped" in self.bugs else min(s.commit_index[i], last_entry)
        m = (AE_REQ, s.term[i], i, j, prev_index, prev_term, entries, commit)
        return s_with(s, messages=with_message(m, s.messages))

    def canonical(self, s: State) -> Hashable:
        """raft.tla's fast canonical form; with swarm's additions, the least renaming that
        keeps managers managers (symmetry.py `swarm_canonical`); with relative terms, of the
        state shifted to its lowest term (terms.py), as `key` is."""
        if self._relative:
            s = self.relative(s)
        if not self._swarm:
            return ServerSymmetry.canonical(self, s)
        return self.swarm_canonical(s, self._swarm_renamings)

    def from_key(self, key: tuple[Any, ...]) -> State:
        return State._make(key)


def newly_committed(s: State, i: int, new_commit: int) -> tuple[tuple[int, int, int, int], ...]:
    """The history of commits once leader i's commit index moves to `new_commit`: each entry
    it commits for the first time, with the term of the leader that committed it."""
    log, committed = s.log[i], s.committed
    fresh = {(x, log[x - 1][0], log[x - 1][1]) for x in range(s.commit_index[i] + 1, new_commit + 1)}
    known = {c[:3] for c in committed}
    additions = [(*c, s.term[i]) for c in fresh - known]
    return tuple(sorted((*committed, *additions))) if additions else committed
