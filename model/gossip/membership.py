"""memberlist's state merge (reference C.5): how a node takes an alive, suspect or dead
message about a member (aliveNode, suspectNode, deadNode), refutes one about itself, and
queues what it accepted for dissemination (C.6's one broadcast per subject).

Reads: view, incarnation, left, accusers, death_seen. Writes: those, highest, queue.
"""

from __future__ import annotations

from model.gossip.config import Config
from model.gossip.state import (
    ALIVE,
    ALIVE_MSG,
    DEAD,
    DEAD_MSG,
    LEFT,
    SUSPECT,
    SUSPECT_MSG,
    UNKNOWN,
    Entry,
    Msg,
    State,
    evolve,
)
from model.kernel import put


class Membership:
    """The C.5 table, one method per message kind."""

    config: Config
    n: int
    bugs: frozenset[str]
    k: int
    upstream_dead_node: bool

    def enqueue(self, s: State, i: int, m: Msg) -> State:
        """Queue a broadcast at i; it invalidates any queued one about the same node (C.6)."""
        kept = s.queue[i] if "no_invalidation" in self.bugs else tuple(q for q in s.queue[i] if q[0][1] != m[1])
        queue = tuple(sorted((*kept, (m, self.config.retransmits))))
        return evolve(s, queue=put(s.queue, i, queue))

    def confirmations_expected(self, s: State, i: int) -> int:
        """C.3 suspectNode: k = SuspicionMult - 2, or 0 if estNumNodes - 2 < k, where memberlist
        estimates the cluster by the members i knows (in any state: dead ones stay until reaped)."""
        if not self.k:
            return 0
        known = sum(1 for status, _ in s.view[i] if status != UNKNOWN)
        return 0 if known - 2 < self.k else self.k

    def confirmations(self, s: State, i: int, j: int) -> int:
        """How many accusers besides i have confirmed i's suspicion of j (C.3)."""
        return bin(s.accusers[i][j]).count("1") - 1

    def set_view(self, s: State, i: int, x: int, entry: Entry, accusers: int = 0) -> State:
        """i's view of x becomes `entry`; accusers are kept only while x is suspect (C.3)."""
        accusers = accusers if self.k else 0
        return evolve(
            s,
            view=put(s.view, i, put(s.view[i], x, entry)),
            accusers=s.accusers
            if s.accusers[i][x] == accusers
            else put(s.accusers, i, put(s.accusers[i], x, accusers)),
        )

    def handle(self, s: State, r: int, m: Msg) -> State:
        """Node r processes a message (received, or raised by itself)."""
        kind, x, j, _ = m
        if kind == DEAD_MSG and s.view[r][x][0] != UNKNOWN:  # news of an unknown node is dropped
            seen = s.death_seen[r]
            if j > seen[x] or (j != seen[x] and "death_evidence_overwritten" in self.bugs):
                s = evolve(s, death_seen=put(s.death_seen, r, put(seen, x, j)))
        if (
            x == r
            and "no_refute" not in self.bugs
            and not (kind == SUSPECT_MSG and "self_suspicion_taken" in self.bugs)
        ):
            return self.about_self(s, r, m)
        status, i = s.view[r][x]
        if kind == ALIVE_MSG:
            return self.alive_node(s, r, m, status, i)
        if status == UNKNOWN:
            return s  # suspect and dead about a node not known are ignored (C.5 table)
        if kind == SUSPECT_MSG:
            return self.suspect_node(s, r, m, status, i)
        return self.dead_node(s, r, m, status, i)

    def about_self(self, s: State, r: int, m: Msg) -> State:
        """Messages about r itself (C.5 refute): an accusation at r's incarnation or later is
        refuted past it; so is an alive of a later incarnation than r's own (a restarted node
        meeting its old self: memberlist aliveNode refutes it), while alive at r's own
        incarnation or older is ignored."""
        kind, _, j, _ = m
        own = s.incarnation[r]
        if j < own or s.left[r] or (kind == ALIVE_MSG and j == own):
            return s
        past = 0 if "refute_at_accused_incarnation" in self.bugs else 1
        new = j + past if j >= own + 1 else own + past
        s = evolve(
            s,
            incarnation=put(s.incarnation, r, new),
            highest=put(s.highest, r, max(s.highest[r], new)),
            # refute sets me.Incarnation: r's own entry, which push-pull sends, carries it too
            view=put(s.view, r, put(s.view[r], r, (ALIVE, new))),
        )
        return self.enqueue(s, r, (ALIVE_MSG, r, new, r))

    def alive_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """aliveNode: accept iff j > i, from any status (Dead is not absolute in memberlist)."""
        if m[2] < i or (m[2] == i and not (status == SUSPECT and "alive_clears_suspicion" in self.bugs)):
            return s
        if status in (DEAD, LEFT) and "dead_is_final" in self.bugs:
            return s
        return self.enqueue(self.set_view(s, r, m[1], (ALIVE, m[2])), r, m)

    def suspect_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """suspectNode: an Alive node is suspected iff j >= i; a Suspect one gains a confirmation
        from a new accuser (re-gossiped, C.3); Dead and Left ignore it."""
        _, x, j, accuser = m
        if "anyone_refutes" in self.bugs and status != DEAD:
            s = self.enqueue(s, r, (ALIVE_MSG, x, j + 1, r))
        expected = self.confirmations_expected(s, r)
        if status == SUSPECT and j >= i and expected:
            accusers = s.accusers[r][x]
            if accusers >> accuser & 1 or self.confirmations(s, r, x) >= expected:
                return s  # suspicion.Confirm: a known accuser, or k confirmations already
            return self.enqueue(self.set_view(s, r, x, (SUSPECT, i), accusers | 1 << accuser), r, m)
        if status != ALIVE:
            return s
        if j < i and "suspect_lower_incarnation" not in self.bugs:
            return s
        return self.enqueue(self.set_view(s, r, x, (SUSPECT, j), 1 << accuser), r, m)

    def dead_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """deadNode: Alive or Suspect become Dead (Left if From = the node) iff j >= i. An
        already dead node keeps its status but takes the newer incarnation: the fix for E.8."""
        _, x, j, accuser = m
        if status in (DEAD, LEFT):
            if j > i and not self.upstream_dead_node:
                return self.set_view(s, r, x, (status, j))
            return s
        if j < i and "dead_is_final" not in self.bugs:
            return s
        left = accuser == x
        if "death_always_left" in self.bugs:
            left = True
        elif "leave_taken_as_death" in self.bugs:
            left = False
        return self.enqueue(self.set_view(s, r, x, (LEFT if left else DEAD, j)), r, m)

    def reap_dead(self, s: State, i: int, x: int) -> State:
        """resetNodes (state.go): GossipToTheDeadTime after x was declared dead or left, i drops it
        from its member list, forgetting its incarnation and the deaths heard of it; gossip to x
        stops with it (it is no longer a target)."""
        return evolve(
            s,
            view=put(s.view, i, put(s.view[i], x, (UNKNOWN, 0))),
            death_seen=put(s.death_seen, i, put(s.death_seen[i], x, 0)),
            accusers=s.accusers if not s.accusers[i][x] else put(s.accusers, i, put(s.accusers[i], x, 0)),
        )
