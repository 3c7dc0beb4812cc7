"""A node's life in the cluster (reference C.5 Leave, C.6 Join) and the faults the world
brings: crash and restart, graceful leave, a slow node, message loss, link cuts and heals,
under the configuration's fault budget.

Reads: up, left, outside, slow, network, cut, faults. Writes: those, and a restarted node's
whole local state.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from model.gossip.dissemination import Dissemination
from model.gossip.state import (
    ALIVE,
    CRASHED,
    CUT,
    DEAD_MSG,
    LEFT_GRACEFULLY,
    LOST,
    SLOWED,
    UNKNOWN,
    Entry,
    State,
    Step,
    evolve,
    without,
)
from model.kernel import put


class Lifecycle(Dissemination):
    """Join, restart, leave, and the faults."""

    def fresh_view(self, i: int) -> tuple[Entry, ...]:
        """A node that has not joined knows only itself."""
        return tuple((ALIVE, 1) if x == i else (UNKNOWN, 0) for x in range(self.n))

    def join(self, s: State, i: int, k: int) -> State:
        """Memberlist.Join: a push-pull with one member (C.6); the member then gossips i's alive."""
        return self.push_pull(evolve(s, outside=put(s.outside, i, 0)), i, k)

    def restart(self, s: State, i: int) -> State:
        """A crashed node comes back with incarnation 1 (not persisted, C.5) and an empty
        membership; it must join again, and meets its old accusation there."""
        return evolve(
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
                yield Step("LoseMessage", (k,), m), self.fault(s, LOST, network=without(s.network, (k, m)))
        for (i, j), bit in self._pairs.items():
            if s.cut >> bit & 1:
                yield Step("HealLink", (i, j)), evolve(s, cut=s.cut & ~(1 << bit))
            elif budget:
                yield Step("CutLink", (i, j)), self.fault(s, CUT, cut=s.cut | 1 << bit)

    def fault(self, s: State, kind: int, **changes: Any) -> State:
        return evolve(s, faults=s.faults + 1, broken=s.broken | kind, **changes)
