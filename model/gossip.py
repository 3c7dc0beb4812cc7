"""Gossip membership: how swarm nodes learn who is alive (memberlist's SWIM).

Follows ../shared/reference/swarm-semantics.md section C; each action names its
rule. Timers are abstract: a probe fails, or a suspicion times out, whenever its
condition holds, so the explorer sees every interleaving. A probe stands for
memberlist's whole probe round (direct ping, then indirect pings through the
other nodes): it fails only if no path reaches the target, or if the prober is
slow, so that the ack misses its deadline (C.2, E.10).

Lifeguard (C.3, C.4) is the `lifeguard` option. Its suspicion confirmations are
modelled as memberlist has them: the timeout waits for k = SuspicionMult - 2
independent accusers (k = 0 below 4 nodes). Its other two parts, nacks with the
awareness score and the buddy piggyback, are about *time*: they slow an unhealthy
prober down and tell the accused at once, so that an unconfirmed suspicion's long
timeout outlasts the refutation. With abstract timers that becomes one condition:
an unconfirmed suspicion of a node that can still answer (running, a path to it,
no message lost so far) does not expire. Without Lifeguard the timeout is fixed,
and a slow node's late processing lets it expire before the refutation arrives.

Node i's view holds, for every node x, (status, incarnation); a node not yet
joined is `unknown` to the others. Messages are
(kind, about, incarnation, sender-of-the-accusation) tuples; each node keeps a
broadcast queue with a retransmit budget (C.6), and the network holds
(receiver, message) pairs. The ghost part records faults, the highest
incarnation each node ever had, and the death evidence each node has seen.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from itertools import combinations, permutations
from typing import Any

import attrs

from model.kernel import put, validate

# Statuses in a view (C.1) and message kinds.
ALIVE, SUSPECT, DEAD, LEFT, UNKNOWN = 0, 1, 2, 3, 4
STATUS = ("alive", "suspect", "dead", "left", "unknown")
ALIVE_MSG, SUSPECT_MSG, DEAD_MSG = 0, 1, 2
KIND = ("alive", "suspect", "dead")

Msg = tuple[int, int, int, int]  # (kind, about, incarnation, accuser)
Entry = tuple[int, int]  # (status, incarnation)

# Ghost record of which kinds of fault have happened: accuracy speaks of runs without some.
CRASHED, LOST, CUT, SLOWED, LEFT_GRACEFULLY = 1, 2, 4, 8, 16
HARMFUL = CRASHED | LOST | CUT  # faults after which a healthy node may rightly be declared dead

BUGS: dict[str, str] = {
    "stale_alive_revives_dead": "a death report about a node already dead does not raise its stored incarnation, "
    "so an older alive revives it (reference E.8; al8n/memberlist#197, inherited from deadNode/suspectNode)",
    "suspect_lower_incarnation": "a suspect message with an older incarnation is accepted (C.5: accept iff j >= i)",
    "anyone_refutes": "a node refutes a suspicion about another node, raising that node's incarnation "
    "(C.5: only the node itself increments its incarnation)",
    "no_refute": "a node takes an accusation about itself like one about any other node: it marks itself "
    "suspect or dead instead of refuting (C.5: suspect or dead about self is refuted)",
    "dead_is_final": "the SWIM paper's rule in place of memberlist's: a death report overrides every status "
    "whatever its incarnation, and a dead node is never revived (C.5, SWIM paper section 4.2), so a stale "
    "death kills a node that has refuted, and a restarted node can never rejoin",
    "no_lifeguard": "the suspicion timeout is fixed: no confirmations, no awareness, no buddy (E.10), "
    "so a slow node's unconfirmed suspicion expires before the accused node's refutation arrives",
}


@attrs.frozen
class Config:
    """Sizes, bounds and options of the gossip model."""

    nodes: int = 3
    max_incarnation: int = 2
    max_msgs: int = 1
    retransmits: int = 2  # RetransmitMult x ceil(log10(n+1)), cut down for exhaustive search
    max_faults: int = 1  # crashes, losses, link cuts, slow nodes and leaves together
    restarts: bool = True
    push_pull: bool = True
    crashes: bool = True  # the crash and leave faults
    network_faults: bool = True  # the message-loss and link-cut faults
    slow: bool = False  # the slow-node fault (E.10): on where the bounds afford it
    lifeguard: bool = True
    joiners: int = 0  # the last `joiners` nodes start outside the cluster and join (C.6)
    simulated: bool = False  # lifts the node limit, for `swarmcheck simulate` only (too many states to check)
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {
            "nodes": (2, 256 if self.simulated else 5),
            "max_incarnation": (1, 6),
            "max_msgs": (0, 6),
            "retransmits": (1, 16 if self.simulated else 4),
            "max_faults": (0, 4),
            "joiners": (0, self.nodes - 1),
        }
        validate("gossip", self, limits, BUGS)

    @property
    def confirmations_needed(self) -> int:
        """C.3: k = SuspicionMult - 2 = 2 with LAN defaults, and 0 if n - 2 < k."""
        k = 4 - 2
        return 0 if self.nodes - 2 < k else k


DEFAULT = Config()
# A slow node among three and nothing else: no confirmations (k = 0), so it may kill a
# peer, which refutes; deaths and refutations come without spending the fault budget.
SLOW_BOUNDS: dict[str, Any] = {
    "retransmits": 1,
    "crashes": False,
    "network_faults": False,
    "restarts": False,
    "push_pull": False,
    "slow": True,
}
# Lifeguard's confirmations start at 4 nodes (k = 2); one slow node and nothing else.
# Incarnation 1 keeps the search exhaustive: with refutations, 4 nodes pass a million states.
LIFEGUARD_BOUNDS: dict[str, Any] = {**SLOW_BOUNDS, "nodes": 4, "max_incarnation": 1}
SUITE = {
    "three-nodes": DEFAULT,
    "four-nodes-lifeguard": Config(**LIFEGUARD_BOUNDS),
    "three-nodes-slow": Config(**SLOW_BOUNDS),
    # A node joins a running cluster (faults with joins are covered by restart, which rejoins).
    "join": Config(joiners=1, max_faults=0),
}


@attrs.frozen(order=True)
class State:
    up: tuple[int, ...]  # 1 while the node runs
    left: tuple[int, ...]  # 1 once the node has left gracefully
    outside: tuple[int, ...]  # 1 until the node has joined (again, after a restart)
    slow: tuple[int, ...]  # 1 once the node is slow: it misses ack deadlines
    incarnation: tuple[int, ...]  # each node's own incarnation
    view: tuple[tuple[Entry, ...], ...]  # view[i][x]
    queue: tuple[tuple[tuple[Msg, int], ...], ...]  # broadcasts waiting, with sends left
    network: tuple[tuple[int, Msg], ...]  # (receiver, message), sorted; duplicates allowed
    accusers: tuple[tuple[int, ...], ...]  # accusers[i][x]: bit a set if a suspects x, as i has heard
    cut: int = 0  # bit (i, j) set: the link between i and j is down
    # Ghost history
    faults: int = 0
    broken: int = 0  # the kinds of fault so far (CRASHED, LOST, ...)
    highest: tuple[int, ...] = ()  # the highest incarnation each node ever had
    death_seen: tuple[tuple[int, ...], ...] = ()  # death_seen[i][x]: the highest dead(x) incarnation i heard

    def fields(self) -> tuple[Any, ...]:
        return attrs.astuple(self, recurse=False)


# ---------------------------------------------------------------- actions


def node(i: int) -> str:
    return f"n{i + 1}"


def describe_message(m: Msg) -> str:
    kind, about, inc, accuser = m
    by = "" if kind == ALIVE_MSG else f" by {node(accuser)}"
    return f"{KIND[kind]}({node(about)}, incarnation {inc}{by})"


@attrs.frozen(repr=False)
class Step:
    """An action: its rule name, the nodes involved, and a message if any."""

    rule: str
    nodes: tuple[int, ...] = ()
    message: Msg | None = None

    def __str__(self) -> str:
        parts = [" -> ".join(map(node, self.nodes))] if self.nodes else []
        if self.message is not None:
            parts.append(describe_message(self.message))
        return f"{self.rule}({', '.join(parts)})"

    __repr__ = __str__


RULES = (
    "ProbeFails",
    "SuspicionTimeout",
    "Gossip",
    "Receive",
    "PushPull",
    "Join",
    "Crash",
    "Restart",
    "Leave",
    "SlowDown",
    "LoseMessage",
    "CutLink",
    "HealLink",
)


class Gossip:
    """memberlist's membership protocol for a `Config`."""

    name = "gossip"
    fault_kinds = ("Crash", "Restart", "Leave", "SlowDown", "LoseMessage", "CutLink", "HealLink")

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.nodes
        self.bugs = config.bugs
        self.k = config.confirmations_needed if config.lifeguard else 0
        self._pairs = {pair: k for k, pair in enumerate(combinations(range(self.n), 2))}

    # ------------------------------------------------------------ Init

    def init_states(self) -> Iterator[State]:
        n = self.n
        members = n - self.config.joiners
        outside = tuple(int(i >= members) for i in range(n))
        yield State(
            up=(1,) * n,
            left=(0,) * n,
            outside=outside,
            slow=(0,) * n,
            incarnation=(1,) * n,  # a node's first alive carries incarnation >= 1 (C.5)
            view=tuple(self.fresh_view(i) if outside[i] else self.members_view(outside) for i in range(n)),
            queue=((),) * n,
            network=(),
            accusers=((0,) * n,) * n,
            highest=(1,) * n,
            death_seen=((0,) * n,) * n,
        )

    def members_view(self, outside: tuple[int, ...]) -> tuple[Entry, ...]:
        return tuple((UNKNOWN, 0) if out else (ALIVE, 1) for out in outside)

    def fresh_view(self, i: int) -> tuple[Entry, ...]:
        """A node that has not joined knows only itself."""
        return tuple((ALIVE, 1) if x == i else (UNKNOWN, 0) for x in range(self.n))

    # ------------------------------------------------------------ helpers

    def linked(self, s: State, i: int, j: int) -> bool:
        return i == j or not s.cut >> self._pairs[(min(i, j), max(i, j))] & 1

    def running(self, s: State, i: int) -> bool:
        """Up, a member, and not gone: the node takes part in the protocol."""
        return bool(s.up[i]) and not s.left[i] and not s.outside[i]

    def reachable(self, s: State, i: int, j: int) -> bool:
        """Some path from i to j: directly, or through a helper (C.2 steps 2-3)."""
        if not self.running(s, j):
            return False
        if self.linked(s, i, j):
            return True
        return any(
            k not in (i, j) and self.running(s, k) and self.linked(s, i, k) and self.linked(s, k, j)
            for k in range(self.n)
        )

    def probe_succeeds(self, s: State, i: int, j: int) -> bool:
        """An ack comes back in time: a path exists and the prober is not slow. A slow node
        is E.10's: its receive path lags, so acks miss *its* deadlines (C.2, E.10)."""
        return self.reachable(s, i, j) and not s.slow[i]

    def can_answer(self, s: State, i: int, j: int) -> bool:
        """j's refutation will reach i before Lifeguard's long timeout: j runs, a path
        exists, and no message has been lost so far."""
        return self.reachable(s, i, j) and not s.broken & LOST

    def timeout_due(self, s: State, i: int, j: int) -> bool:
        """C.3: may i's suspicion of j expire now?"""
        if self.k == 0 or "no_lifeguard" in self.bugs:
            return True  # a fixed timeout: a slow node lets it expire before any refutation
        confirmations = bin(s.accusers[i][j]).count("1") - 1
        return confirmations >= self.k or not self.can_answer(s, i, j)

    def enqueue(self, s: State, i: int, m: Msg) -> State:
        """Queue a broadcast at i; it invalidates any queued one about the same node (C.6)."""
        kept = tuple(q for q in s.queue[i] if q[0][1] != m[1])
        queue = tuple(sorted((*kept, (m, self.config.retransmits))))
        return _evolve(s, queue=put(s.queue, i, queue))

    def set_view(self, s: State, i: int, x: int, entry: Entry, accusers: int = 0) -> State:
        """i's view of x becomes `entry`; accusers are kept only while x is suspect (C.3)."""
        accusers = accusers if self.k else 0
        return _evolve(
            s,
            view=put(s.view, i, put(s.view[i], x, entry)),
            accusers=s.accusers
            if s.accusers[i][x] == accusers
            else put(s.accusers, i, put(s.accusers[i], x, accusers)),
        )

    # ------------------------------------------------------------ Next

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
        n = self.n
        for i in range(n):
            if not self.running(s, i):
                continue
            for j in range(n):
                if j != i and s.view[i][j][0] in (ALIVE, SUSPECT) and not self.probe_succeeds(s, i, j):
                    yield Step("ProbeFails", (i, j)), self.probe_fails(s, i, j)
        for i in range(n):
            if self.running(s, i):
                for j in range(n):
                    if s.view[i][j][0] == SUSPECT and self.timeout_due(s, i, j):
                        yield Step("SuspicionTimeout", (i, j)), self.suspicion_timeout(s, i, j)
        for i in range(n):
            if s.up[i] and not s.outside[i]:  # a leaving node still drains its broadcasts (C.5 Leave)
                for m, _ in s.queue[i]:
                    for k in range(n):
                        if k != i and s.view[i][k][0] in (ALIVE, SUSPECT, DEAD):
                            yield Step("Gossip", (i, k), m), self.gossip(s, i, k, m)
        for k, m in sorted(set(s.network)):
            if self.running(s, k):
                yield Step("Receive", (k,), m), self.receive_and_handle(s, k, m)
        if self.config.push_pull:
            for i in range(n):
                for k in range(n):
                    if (
                        i != k
                        and self.running(s, i)
                        and self.running(s, k)
                        and s.view[i][k][0] == ALIVE
                        and self.linked(s, i, k)
                    ):
                        yield Step("PushPull", (i, k)), self.push_pull(s, i, k)
        for i in range(n):
            if s.up[i] and s.outside[i]:
                for k in range(n):
                    if k != i and self.running(s, k) and self.linked(s, i, k):
                        yield Step("Join", (i, k)), self.join(s, i, k)
        yield from self.faults(s)

    def faults(self, s: State) -> Iterator[tuple[Step, State]]:
        n = self.n
        budget = s.faults < self.config.max_faults
        for i in range(n):
            if budget and self.running(s, i):
                if self.config.crashes:
                    yield Step("Crash", (i,)), self.fault(s, CRASHED, up=put(s.up, i, 0))
                    yield Step("Leave", (i,)), self.leave(s, i)
                if self.config.slow and not s.slow[i]:
                    yield Step("SlowDown", (i,)), self.fault(s, SLOWED, slow=put(s.slow, i, 1))
            if self.config.restarts and not s.up[i] and not s.left[i]:
                yield Step("Restart", (i,)), self.restart(s, i)
        if not self.config.network_faults:
            return
        if budget:
            for k, m in sorted(set(s.network)):
                yield Step("LoseMessage", (k,), m), self.fault(s, LOST, network=_without(s.network, (k, m)))
        for (i, j), bit in self._pairs.items():
            if s.cut >> bit & 1:
                yield Step("HealLink", (i, j)), _evolve(s, cut=s.cut & ~(1 << bit))
            elif budget:
                yield Step("CutLink", (i, j)), self.fault(s, CUT, cut=s.cut | 1 << bit)

    def fault(self, s: State, kind: int, **changes: Any) -> State:
        return _evolve(s, faults=s.faults + 1, broken=s.broken | kind, **changes)

    # ------------------------------------------------------------ failure detection (C.2, C.3)

    def probe_fails(self, s: State, i: int, j: int) -> State:
        """C.2 step 4: no ack directly or indirectly: i suspects j at its known incarnation."""
        return self.handle(s, i, (SUSPECT_MSG, j, s.view[i][j][1], i))

    def suspicion_timeout(self, s: State, i: int, j: int) -> State:
        """C.3 on expiry: still suspect, so i declares j dead at the stored incarnation."""
        return self.handle(s, i, (DEAD_MSG, j, s.view[i][j][1], i))

    # ------------------------------------------------------------ dissemination (C.6)

    def gossip(self, s: State, i: int, k: int, m: Msg) -> State:
        """Send one queued broadcast to k; each has a retransmit budget. A cut link loses it."""
        queue = tuple((q, left - 1 if q == m else left) for q, left in s.queue[i])
        queue = tuple(entry for entry in queue if entry[1] > 0)
        network = s.network if not self.linked(s, i, k) else tuple(sorted((*s.network, (k, m))))
        return _evolve(s, queue=put(s.queue, i, queue), network=network)

    def receive_and_handle(self, s: State, k: int, m: Msg) -> State:
        return self.handle(_evolve(s, network=_without(s.network, (k, m))), k, m)

    def push_pull(self, s: State, i: int, k: int) -> State:
        """C.6 anti-entropy: each merges the other's view; a remote Dead arrives as suspect."""
        theirs, mine = s.view[k], s.view[i]
        for x, (status, inc) in enumerate(theirs):
            if status != UNKNOWN:
                s = self.handle(s, i, _as_message(x, status, inc, i))
        for x, (status, inc) in enumerate(mine):
            if status != UNKNOWN:
                s = self.handle(s, k, _as_message(x, status, inc, k))
        return s

    # ------------------------------------------------------------ node lifecycle

    def join(self, s: State, i: int, k: int) -> State:
        """Memberlist.Join: a push-pull with one member (C.6); the member then gossips i's alive."""
        return self.push_pull(_evolve(s, outside=put(s.outside, i, 0)), i, k)

    def restart(self, s: State, i: int) -> State:
        """A crashed node comes back with incarnation 1 (not persisted, C.5) and an empty
        membership; it must join again, and meets its old accusation there."""
        return _evolve(
            s,
            up=put(s.up, i, 1),
            outside=put(s.outside, i, 1),
            slow=put(s.slow, i, 0),
            incarnation=put(s.incarnation, i, 1),
            view=put(s.view, i, self.fresh_view(i)),
            queue=put(s.queue, i, ()),
            accusers=put(s.accusers, i, (0,) * self.n),
            death_seen=put(s.death_seen, i, (0,) * self.n),
        )

    def leave(self, s: State, i: int) -> State:
        """Memberlist.Leave: broadcast dead(self) with From = self; peers record Left."""
        s = self.fault(s, LEFT_GRACEFULLY, left=put(s.left, i, 1))
        return self.enqueue(s, i, (DEAD_MSG, i, s.incarnation[i], i))

    # ------------------------------------------------------------ handlers (C.5)

    def handle(self, s: State, r: int, m: Msg) -> State:
        """Node r processes a message (received, or raised by itself)."""
        kind, x, j, _ = m
        if kind == DEAD_MSG and s.view[r][x][0] != UNKNOWN:  # news of an unknown node is dropped
            seen = s.death_seen[r]
            if j > seen[x]:
                s = _evolve(s, death_seen=put(s.death_seen, r, put(seen, x, j)))
        if x == r and "no_refute" not in self.bugs:
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
        """Accusations about r: refuted with an incarnation past the accusation (C.5 refute)."""
        kind, _, j, _ = m
        own = s.incarnation[r]
        if kind == ALIVE_MSG or j < own or s.left[r]:
            return s
        new = j + 1 if j >= own + 1 else own + 1
        s = _evolve(
            s,
            incarnation=put(s.incarnation, r, new),
            highest=put(s.highest, r, max(s.highest[r], new)),
        )
        return self.enqueue(s, r, (ALIVE_MSG, r, new, r))

    def alive_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """aliveNode: accept iff j > i, from any status (Dead is not absolute in memberlist)."""
        if m[2] <= i:
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
        if status == SUSPECT and j >= i and self.k:
            accusers = s.accusers[r][x]
            if accusers >> accuser & 1:
                return s
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
            if j > i and "stale_alive_revives_dead" not in self.bugs:
                return self.set_view(s, r, x, (status, j))
            return s
        if j < i and "dead_is_final" not in self.bugs:
            return s
        return self.enqueue(self.set_view(s, r, x, (LEFT if accuser == x else DEAD, j)), r, m)

    # ------------------------------------------------------------ bounds and symmetry

    def within_bounds(self, s: State) -> bool:
        c = self.config
        return (
            max(s.highest) <= c.max_incarnation
            and len(s.network) <= c.max_msgs
            and all(inc <= c.max_incarnation for row in s.view for _, inc in row)
        )

    def key(self, s: State) -> Hashable:
        return s.fields()

    def canonical(self, s: State) -> Hashable:
        """The least renamed field tuple over the renamings that sort nodes by a signature
        no renaming changes: exact, and a handful of renamings instead of n!."""
        return min(self._renamed(s, order) for order in self._sorting_orders(s))

    def _sorting_orders(self, s: State) -> list[tuple[int, ...]]:
        groups: dict[Any, list[int]] = {}
        for x in range(self.n):
            groups.setdefault(self._signature(s, x), []).append(x)
        orders: list[tuple[int, ...]] = [()]
        for key in sorted(groups):
            orders = [order + tail for order in orders for tail in permutations(groups[key])]
        return orders

    def _signature(self, s: State, x: int) -> tuple[Any, ...]:
        """What node x looks like, with no node named."""
        return (
            s.up[x],
            s.left[x],
            s.outside[x],
            s.slow[x],
            s.incarnation[x],
            s.highest[x],
            s.view[x][x],
            tuple(sorted(s.view[x][y] for y in range(self.n) if y != x)),
            tuple(sorted(s.view[y][x] for y in range(self.n) if y != x)),
            tuple(sorted((m[0], m[2], left) for m, left in s.queue[x])),
            sum(k == x for k, _ in s.network),
        )

    def _renamed(self, s: State, order: tuple[int, ...]) -> tuple[Any, ...]:
        """Fields with new node k = old node order[k]."""
        name = [0] * self.n
        for k, old in enumerate(order):
            name[old] = k

        def msg(m: Msg) -> Msg:
            return (m[0], name[m[1]], m[2], name[m[3]])

        def row(t: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(t[old] for old in order)

        def bits(mask: int) -> int:
            return sum(1 << name[a] for a in range(self.n) if mask >> a & 1) if mask else 0

        cut = 0
        for (i, j), bit in self._pairs.items():
            if s.cut >> bit & 1:
                a, b = sorted((name[i], name[j]))
                cut |= 1 << self._pairs[(a, b)]
        return (
            row(s.up),
            row(s.left),
            row(s.outside),
            row(s.slow),
            row(s.incarnation),
            tuple(row(v) for v in row(s.view)),
            tuple(tuple(sorted((msg(m), left) for m, left in q)) for q in row(s.queue)),
            tuple(sorted((name[k], msg(m)) for k, m in s.network)),
            tuple(tuple(bits(a) for a in row(r)) for r in row(s.accusers)),
            cut,
            s.faults,
            s.broken,
            row(s.highest),
            tuple(row(d) for d in row(s.death_seen)),
        )

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        return State(*self._renamed(s, order))

    def action_kinds(self) -> list[str]:
        return list(RULES)

    def rate(self, kind: str) -> int:
        """Random search: faults are rare next to probing and gossip."""
        return 1 if kind in self.fault_kinds else 10

    def progress(self, s: State) -> dict[str, float]:
        """Suspicions, deaths and incarnations reached: climbed by the Hypothesis bridge."""
        marks = sum(status in (SUSPECT, DEAD, LEFT) for row in s.view for status, _ in row)
        return {
            "progress": 2.0 * marks + sum(s.incarnation) + s.faults,
            "death evidence": float(sum(map(sum, s.death_seen))),
        }

    # ------------------------------------------------------------ for reports

    def describe_state(self, s: State) -> Mapping[str, Any]:
        nodes = {}
        for i in range(self.n):
            if s.left[i]:
                running = "left"
            elif not s.up[i]:
                running = "crashed"
            else:
                running = ("not joined" if s.outside[i] else "up") + (", slow" if s.slow[i] else "")
            nodes[node(i)] = {
                "running": running,
                "incarnation": s.incarnation[i],
                "view": {node(x): self._entry_text(s, i, x) for x in range(self.n)},
                "queued": [f"{describe_message(m)} x{left}" for m, left in s.queue[i]],
            }
        cut = [f"{node(i)}-{node(j)}" for (i, j), bit in self._pairs.items() if s.cut >> bit & 1]
        return {
            "nodes": nodes,
            "network": [f"to {node(k)}: {describe_message(m)}" for k, m in s.network],
            "links cut": cut,
            "faults so far": s.faults,
        }

    def _entry_text(self, s: State, i: int, x: int) -> str:
        status, inc = s.view[i][x]
        text = f"{STATUS[status]}@{inc}"
        if status == SUSPECT and s.accusers[i][x]:
            text += " by " + ",".join(node(a) for a in range(self.n) if s.accusers[i][x] >> a & 1)
        return text

    def config_data(self) -> Mapping[str, Any]:
        data = attrs.asdict(self.config)
        data["bugs"] = sorted(self.config.bugs)
        return data


def _as_message(x: int, status: int, inc: int, receiver: int) -> Msg:
    """A push-pull entry as the message it is merged as (C.6): Dead arrives as suspect,
    accused by the receiver itself (memberlist's mergeState sets From to the local node)."""
    if status == ALIVE:
        return (ALIVE_MSG, x, inc, x)
    if status == LEFT:
        return (DEAD_MSG, x, inc, x)
    return (SUSPECT_MSG, x, inc, receiver)


_FIELDS = tuple(f.name for f in attrs.fields(State))


def _evolve(s: State, **changes: Any) -> State:
    """attrs.evolve, without its per-call introspection (the model's hot path)."""
    return State(*[changes[name] if name in changes else getattr(s, name) for name in _FIELDS])


def _without(network: tuple[tuple[int, Msg], ...], item: tuple[int, Msg]) -> tuple[tuple[int, Msg], ...]:
    k = network.index(item)
    return network[:k] + network[k + 1 :]
