"""memberlist's membership protocol composed: the initial state, the order of the steps
(probes, suspicion timeouts, gossip, receipt, push-pull, joins, then the faults), bounds,
and what a report shows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from itertools import combinations
from typing import Any, ClassVar

import attrs

from model.gossip.config import DEFAULT, Config
from model.gossip.diagram import Diagram
from model.gossip.lifecycle import Lifecycle
from model.gossip.state import (
    ALIVE,
    DEAD,
    LEFT,
    RULES,
    STATUS,
    SUSPECT,
    UNKNOWN,
    Entry,
    State,
    Step,
    describe_message,
    node,
)
from model.gossip.symmetry import NodeSymmetry


class Gossip(Lifecycle, NodeSymmetry, Diagram):
    """memberlist's membership protocol for a `Config`."""

    name = "gossip"
    # Keys and canonical forms are tuples of ints no lower than -1 (model/kernel.py): hash() fingerprints.
    hash_fingerprints = True
    # Where describe_state shows each field (reports mark the fields a property reads).
    described_as: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **dict.fromkeys(("up", "left", "outside", "slow"), ("nodes.*.running",)),
        "incarnation": ("nodes.*.incarnation",),
        "view": ("nodes.*.view",),
        "accusers": ("nodes.*.view",),
        "queue": ("nodes.*.queued",),
        "network": ("network",),
        "cut": ("links cut",),
        "faults": ("faults so far",),
    }
    fault_kinds = ("Crash", "Restart", "Leave", "SlowDown", "LoseMessage", "CutLink", "HealLink")

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.nodes
        self.bugs = config.bugs
        self.k = config.confirmations_needed if config.lifeguard else 0
        self.upstream_dead_node = config.upstream_dead_node or "stale_alive_revives_dead" in config.bugs
        self._pairs = {pair: k for k, pair in enumerate(combinations(range(self.n), 2))}

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
                    if s.view[i][j][0] != SUSPECT:
                        continue
                    if self.timeout_due(s, i, j):
                        yield Step("SuspicionTimeout", (i, j)), self.suspicion_timeout(s, i, j)
                    elif self.long_timeout_due(s, i, j):
                        yield Step("SuspicionMaxTimeout", (i, j)), self.suspicion_timeout(s, i, j)
        full = len(s.network) >= self.config.max_msgs
        for i, k, m in self.gossip_sends(s):
            if not (full and self.carries(s, i, k)):  # else one message past max_msgs: withheld_steps
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
        if self.config.reap:
            for i in range(n):
                for x in range(n):
                    if x != i and self.running(s, i) and s.view[i][x][0] in (DEAD, LEFT):
                        yield Step("ReapDead", (i, x)), self.reap_dead(s, i, x)
        yield from self.faults(s)

    def withheld_steps(self, s: State) -> Iterator[tuple[Step, str]]:
        """The gossip next_steps guards out: a send over a live link into a full network. The
        other bounds (incarnations) are left to within_bounds (model/kernel.py)."""
        if len(s.network) >= self.config.max_msgs:
            for i, k, m in self.gossip_sends(s):
                if self.carries(s, i, k):
                    yield Step("Gossip", (i, k), m), "max_msgs"

    def within_bounds(self, s: State) -> bool:
        c = self.config
        return (
            max(s.highest) <= c.max_incarnation
            and len(s.network) <= c.max_msgs
            and all(inc <= c.max_incarnation for row in s.view for _, inc in row)
        )

    def key(self, s: State) -> Hashable:
        return s.fields()

    def from_key(self, key: tuple[Any, ...]) -> State:
        return State(*key)

    def switched_off(self) -> frozenset[str]:
        """The action kinds this configuration makes impossible (coverage: "off", not "never reached")."""
        c = self.config
        faults = c.max_faults > 0
        off = set()
        if not (c.crashes and faults):
            off |= {"Crash", "Leave", "Restart"}
        if not c.restarts:
            off.add("Restart")
        if not (c.slow and faults):
            off.add("SlowDown")
        if not (c.network_faults and faults):
            off |= {"LoseMessage", "CutLink", "HealLink"}
        if not c.push_pull:
            off.add("PushPull")
        if not c.reap:
            off.add("ReapDead")
        if not (c.lifeguard and c.confirmations_needed):
            off.add("SuspicionMaxTimeout")  # k = 0: one flat timeout
        if not c.joiners and "Restart" in off:  # a restarted node joins again
            off.add("Join")
        return frozenset(off)

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
