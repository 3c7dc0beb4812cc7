"""Gossip membership: how swarm nodes learn who is alive (memberlist's SWIM).

Follows ../shared/reference/swarm-semantics.md section C; each action names its
rule. Timers are abstract: a probe fails, or a suspicion times out, whenever its
condition holds, so the explorer sees every interleaving. A probe stands for
memberlist's whole probe round (direct ping, then indirect pings through the
other nodes): it fails only if no path reaches the target, or if the prober is
too slow to see the ack (C.2). Lifeguard is not modelled yet.

Node i's view holds, for every node x, (status, incarnation). Messages are
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

from model.kernel import validate

# Statuses in a view (C.1) and message kinds.
ALIVE, SUSPECT, DEAD, LEFT = 0, 1, 2, 3
STATUS = ("alive", "suspect", "dead", "left")
ALIVE_MSG, SUSPECT_MSG, DEAD_MSG = 0, 1, 2
KIND = ("alive", "suspect", "dead")

Msg = tuple[int, int, int, int]  # (kind, about, incarnation, accuser)
Entry = tuple[int, int]  # (status, incarnation)

BUGS: dict[str, str] = {
    "stale_alive_revives_dead": "a death report about a node already dead does not raise its stored incarnation, "
    "so an older alive revives it (reference E.8; al8n/memberlist#197, inherited from deadNode/suspectNode)",
    "suspect_lower_incarnation": "a suspect message with an older incarnation is accepted (C.5: accept iff j >= i)",
    "anyone_refutes": "a node refutes a suspicion about another node, raising that node's incarnation "
    "(C.5: only the node itself increments its incarnation)",
    "no_refute": "a node takes an accusation about itself like one about any other node: it marks itself "
    "suspect or dead instead of refuting (C.5: suspect or dead about self is refuted)",
}


@attrs.frozen
class Config:
    """Sizes, bounds and options of the gossip model."""

    nodes: int = 3
    max_incarnation: int = 2
    max_msgs: int = 1
    retransmits: int = 2  # RetransmitMult x ceil(log10(n+1)), cut down for exhaustive search
    max_faults: int = 1  # crashes, losses, link cuts and leaves together
    restarts: bool = True
    push_pull: bool = True
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {
            "nodes": (2, 5),
            "max_incarnation": (1, 6),
            "max_msgs": (0, 6),
            "retransmits": (1, 4),
            "max_faults": (0, 4),
        }
        validate("gossip", self, limits, BUGS)


DEFAULT = Config()
SUITE = {"three-nodes": DEFAULT}


@attrs.frozen(order=True)
class State:
    up: tuple[int, ...]  # 1 while the node runs
    left: tuple[int, ...]  # 1 once the node has left gracefully
    incarnation: tuple[int, ...]  # each node's own incarnation
    view: tuple[tuple[Entry, ...], ...]  # view[i][x]
    queue: tuple[tuple[tuple[Msg, int], ...], ...]  # broadcasts waiting, with sends left
    network: tuple[tuple[int, Msg], ...]  # (receiver, message), sorted; duplicates allowed
    cut: int = 0  # bit (i, j) set: the link between i and j is down
    # Ghost history
    faults: int = 0
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
    "Crash",
    "Restart",
    "Leave",
    "LoseMessage",
    "CutLink",
    "HealLink",
)


class Gossip:
    """memberlist's membership protocol for a `Config`."""

    name = "gossip"
    fault_kinds = ("Crash", "Restart", "Leave", "LoseMessage", "CutLink", "HealLink")

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.nodes
        self.bugs = config.bugs
        self._pairs = {pair: k for k, pair in enumerate(combinations(range(self.n), 2))}
        self._orders = list(permutations(range(self.n)))

    # ------------------------------------------------------------ Init

    def init_states(self) -> Iterator[State]:
        n = self.n
        yield State(
            up=(1,) * n,
            left=(0,) * n,
            incarnation=(1,) * n,  # a node's first alive carries incarnation >= 1 (C.5)
            view=(((ALIVE, 1),) * n,) * n,
            queue=((),) * n,
            network=(),
            highest=(1,) * n,
            death_seen=((0,) * n,) * n,
        )

    # ------------------------------------------------------------ helpers

    def linked(self, s: State, i: int, j: int) -> bool:
        return i == j or not s.cut >> self._pairs[(min(i, j), max(i, j))] & 1

    def running(self, s: State, i: int) -> bool:
        return bool(s.up[i]) and not s.left[i]

    def reachable(self, s: State, i: int, j: int) -> bool:
        """A probe round from i reaches j: directly, or through a helper (C.2 steps 2-3)."""
        if not self.running(s, j):
            return False
        if self.linked(s, i, j):
            return True
        return any(
            k not in (i, j) and self.running(s, k) and self.linked(s, i, k) and self.linked(s, k, j)
            for k in range(self.n)
        )

    def enqueue(self, s: State, i: int, m: Msg) -> State:
        """Queue a broadcast at i; it invalidates any queued one about the same node (C.6)."""
        kept = tuple(q for q in s.queue[i] if q[0][1] != m[1])
        queue = tuple(sorted((*kept, (m, self.config.retransmits))))
        return attrs.evolve(s, queue=_put(s.queue, i, queue))

    def set_view(self, s: State, i: int, x: int, entry: Entry) -> State:
        return attrs.evolve(s, view=_put(s.view, i, _put(s.view[i], x, entry)))

    # ------------------------------------------------------------ Next

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
        n = self.n
        for i in range(n):
            if not self.running(s, i):
                continue
            for j in range(n):
                if j != i and s.view[i][j][0] in (ALIVE, SUSPECT) and not self.reachable(s, i, j):
                    yield Step("ProbeFails", (i, j)), self.probe_fails(s, i, j)
        for i in range(n):
            if self.running(s, i):
                for j in range(n):
                    if s.view[i][j][0] == SUSPECT:
                        yield Step("SuspicionTimeout", (i, j)), self.suspicion_timeout(s, i, j)
        for i in range(n):
            if s.up[i]:  # a leaving node still drains its broadcasts (C.5 Leave)
                for m, _ in s.queue[i]:
                    for k in range(n):
                        if k != i and s.view[i][k][0] != LEFT:
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
        yield from self.faults(s)

    def faults(self, s: State) -> Iterator[tuple[Step, State]]:
        n = self.n
        budget = s.faults < self.config.max_faults
        for i in range(n):
            if budget and self.running(s, i):
                yield Step("Crash", (i,)), attrs.evolve(s, up=_put(s.up, i, 0), faults=s.faults + 1)
                yield Step("Leave", (i,)), self.leave(s, i)
            if self.config.restarts and not s.up[i] and not s.left[i]:
                yield Step("Restart", (i,)), self.restart(s, i)
        if budget:
            for k, m in sorted(set(s.network)):
                yield (
                    Step("LoseMessage", (k,), m),
                    attrs.evolve(s, network=_without(s.network, (k, m)), faults=s.faults + 1),
                )
        for (i, j), bit in self._pairs.items():
            if s.cut >> bit & 1:
                yield Step("HealLink", (i, j)), attrs.evolve(s, cut=s.cut & ~(1 << bit))
            elif budget:
                yield Step("CutLink", (i, j)), attrs.evolve(s, cut=s.cut | 1 << bit, faults=s.faults + 1)

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
        return attrs.evolve(s, queue=_put(s.queue, i, queue), network=network)

    def receive_and_handle(self, s: State, k: int, m: Msg) -> State:
        return self.handle(attrs.evolve(s, network=_without(s.network, (k, m))), k, m)

    def push_pull(self, s: State, i: int, k: int) -> State:
        """C.6 anti-entropy: each merges the other's view; a remote Dead arrives as suspect."""
        theirs, mine = s.view[k], s.view[i]
        for x, (status, inc) in enumerate(theirs):
            s = self.handle(s, i, _as_message(x, status, inc))
        for x, (status, inc) in enumerate(mine):
            s = self.handle(s, k, _as_message(x, status, inc))
        return s

    # ------------------------------------------------------------ node lifecycle

    def restart(self, s: State, i: int) -> State:
        """A crashed node comes back: incarnation is not persisted (C.5), its view starts afresh,
        and it announces itself alive."""
        s = attrs.evolve(
            s,
            up=_put(s.up, i, 1),
            incarnation=_put(s.incarnation, i, 1),
            view=_put(s.view, i, ((ALIVE, 1),) * self.n),
            queue=_put(s.queue, i, ()),
            death_seen=_put(s.death_seen, i, (0,) * self.n),
        )
        return self.enqueue(s, i, (ALIVE_MSG, i, 1, i))

    def leave(self, s: State, i: int) -> State:
        """Memberlist.Leave: broadcast dead(self) with From = self; peers record Left."""
        s = attrs.evolve(s, left=_put(s.left, i, 1), faults=s.faults + 1)
        return self.enqueue(s, i, (DEAD_MSG, i, s.incarnation[i], i))

    # ------------------------------------------------------------ handlers (C.5)

    def handle(self, s: State, r: int, m: Msg) -> State:
        """Node r processes a message (received, or raised by itself)."""
        kind, x, j, _ = m
        if kind == DEAD_MSG:
            seen = s.death_seen[r]
            s = attrs.evolve(s, death_seen=_put(s.death_seen, r, _put(seen, x, max(seen[x], j))))
        if x == r and "no_refute" not in self.bugs:
            return self.about_self(s, r, m)
        status, i = s.view[r][x]
        if kind == ALIVE_MSG:
            return self.alive_node(s, r, m, status, i)
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
        s = attrs.evolve(
            s,
            incarnation=_put(s.incarnation, r, new),
            highest=_put(s.highest, r, max(s.highest[r], new)),
        )
        return self.enqueue(s, r, (ALIVE_MSG, r, new, r))

    def alive_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """aliveNode: accept iff j > i, from any status (Dead is not absolute in memberlist)."""
        if m[2] <= i:
            return s
        return self.enqueue(self.set_view(s, r, m[1], (ALIVE, m[2])), r, m)

    def suspect_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """suspectNode: an Alive node is suspected iff j >= i; a Suspect one only gains a
        confirmation; Dead and Left ignore it."""
        _, x, j, _ = m
        if "anyone_refutes" in self.bugs and status != DEAD:
            s = self.enqueue(s, r, (ALIVE_MSG, x, j + 1, r))
        if status != ALIVE:
            return s
        if j < i and "suspect_lower_incarnation" not in self.bugs:
            return s
        return self.enqueue(self.set_view(s, r, x, (SUSPECT, j)), r, m)

    def dead_node(self, s: State, r: int, m: Msg, status: int, i: int) -> State:
        """deadNode: Alive or Suspect become Dead (Left if From = the node) iff j >= i. An
        already dead node keeps its status but takes the newer incarnation: the fix for E.8."""
        _, x, j, accuser = m
        if status in (DEAD, LEFT):
            if j > i and "stale_alive_revives_dead" not in self.bugs:
                return self.set_view(s, r, x, (status, j))
            return s
        if j < i:
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
        """The least renamed field tuple over every renaming of nodes (n <= 5)."""
        return min(self._renamed(s, order) for order in self._orders)

    def _renamed(self, s: State, order: tuple[int, ...]) -> tuple[Any, ...]:
        """Fields with new node k = old node order[k]."""
        name = [0] * self.n
        for k, old in enumerate(order):
            name[old] = k

        def msg(m: Msg) -> Msg:
            return (m[0], name[m[1]], m[2], name[m[3]])

        def row(t: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(t[old] for old in order)

        cut = 0
        for (i, j), bit in self._pairs.items():
            if s.cut >> bit & 1:
                a, b = sorted((name[i], name[j]))
                cut |= 1 << self._pairs[(a, b)]
        return (
            row(s.up),
            row(s.left),
            row(s.incarnation),
            tuple(row(v) for v in row(s.view)),
            tuple(tuple(sorted((msg(m), left) for m, left in q)) for q in row(s.queue)),
            tuple(sorted((name[k], msg(m)) for k, m in s.network)),
            cut,
            s.faults,
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
        marks = sum(status != ALIVE for row in s.view for status, _ in row)
        return {"progress": 2.0 * marks + sum(s.incarnation) + s.faults}

    # ------------------------------------------------------------ for reports

    def describe_state(self, s: State) -> Mapping[str, Any]:
        nodes = {}
        for i in range(self.n):
            nodes[node(i)] = {
                "running": "left" if s.left[i] else ("up" if s.up[i] else "crashed"),
                "incarnation": s.incarnation[i],
                "view": {node(x): f"{STATUS[st]}@{inc}" for x, (st, inc) in enumerate(s.view[i])},
                "queued": [f"{describe_message(m)} x{left}" for m, left in s.queue[i]],
            }
        cut = [f"{node(i)}-{node(j)}" for (i, j), bit in self._pairs.items() if s.cut >> bit & 1]
        return {
            "nodes": nodes,
            "network": [f"to {node(k)}: {describe_message(m)}" for k, m in s.network],
            "links cut": cut,
            "faults so far": s.faults,
        }

    def config_data(self) -> Mapping[str, Any]:
        data = attrs.asdict(self.config)
        data["bugs"] = sorted(self.config.bugs)
        return data


def _as_message(x: int, status: int, inc: int) -> Msg:
    """A push-pull entry as the message it is merged as (C.6): Dead arrives as suspect."""
    if status == ALIVE:
        return (ALIVE_MSG, x, inc, x)
    if status == LEFT:
        return (DEAD_MSG, x, inc, x)
    return (SUSPECT_MSG, x, inc, x)


def _put(t: tuple[Any, ...], i: int, v: Any) -> tuple[Any, ...]:
    return t[:i] + (v,) + t[i + 1 :]


def _without(network: tuple[tuple[int, Msg], ...], item: tuple[int, Msg]) -> tuple[tuple[int, Msg], ...]:
    k = network.index(item)
    return network[:k] + network[k + 1 :]
