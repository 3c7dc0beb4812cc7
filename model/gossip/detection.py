"""SWIM's failure detector with Lifeguard (reference C.2, C.3, E.10): a probe round that finds
no path (or a slow prober that misses its deadline) raises a suspicion, and a suspicion
expires into a death at the short timeout once Lifeguard's confirmations arrive, or at the long one.

Reads: up, left, outside, slow, cut, view, accusers, broken. Writes: through Membership.
"""

from __future__ import annotations

from model.gossip.membership import Membership
from model.gossip.state import (
    ALIVE,
    DEAD_MSG,
    LOST,
    SUSPECT_MSG,
    State,
)


class FailureDetector(Membership):
    """Probes, paths and suspicion timeouts."""

    _pairs: dict[tuple[int, int], int]

    def linked(self, s: State, i: int, j: int) -> bool:
        return i == j or not s.cut >> self._pairs[(min(i, j), max(i, j))] & 1

    def running(self, s: State, i: int) -> bool:
        """Up, a member, and not gone: the node takes part in the protocol."""
        return bool(s.up[i]) and not s.left[i] and not s.outside[i]

    def reachable(self, s: State, i: int, j: int) -> bool:
        """Some path from i to j: directly, or through a helper i holds alive (C.2 steps 2-3:
        memberlist's kRandomNodes picks indirect-probe helpers among Alive nodes only)."""
        if not self.running(s, j):
            return False
        if self.linked(s, i, j):
            return True
        if "no_indirect_probe" in self.bugs:
            return False
        view = s.view[i]
        return any(
            k not in (i, j)
            and view[k][0] == ALIVE
            and self.running(s, k)
            and self.linked(s, i, k)
            and self.linked(s, k, j)
            for k in range(self.n)
        )

    def probe_succeeds(self, s: State, i: int, j: int) -> bool:
        """An ack comes back in time: a path exists and the prober is not slow. A slow node
        is E.10's: its receive path lags, so acks miss *its* deadlines (C.2, E.10)."""
        return self.reachable(s, i, j) and not s.slow[i]

    def timeout_due(self, s: State, i: int, j: int) -> bool:
        """C.3: may i's suspicion of j expire at the short timeout now? With k confirmations
        (or k = 0, a flat timeout; or with the fixed timeout of no_lifeguard)."""
        expected = self.confirmations_expected(s, i)
        if expected == 0 and "timeout_without_confirmations_infinite" in self.bugs:
            return False
        if expected == 0 or "no_lifeguard" in self.bugs:
            return True
        return self.confirmations(s, i, j) >= expected

    def can_answer(self, s: State, i: int, j: int) -> bool:
        """j's refutation can reach i: j runs, a path exists, and no message has been lost so far."""
        return self.reachable(s, i, j) and not s.broken & LOST

    def long_timeout_due(self, s: State, i: int, j: int) -> bool:
        """C.3: with k >= 1 the timer starts at the maximum (6 x the short one) and expires with
        fewer than k confirmations if no refutation came first: the accused cannot answer, or
        (`long_timeout_race`) its answer is slower than the timeout."""
        expected = self.confirmations_expected(s, i)
        if not expected or "no_lifeguard" in self.bugs or self.confirmations(s, i, j) >= expected:
            return False
        if "max_timeout_unscaled" in self.bugs:
            return True
        return self.config.long_timeout_race or not self.can_answer(s, i, j)

    def probe_fails(self, s: State, i: int, j: int) -> State:
        """C.2 step 4: no ack directly or indirectly: i suspects j at its known incarnation."""
        known = s.view[i][j][1] + (1 if "suspect_next_incarnation" in self.bugs else 0)
        return self.handle(s, i, (SUSPECT_MSG, j, known, i))

    def suspicion_timeout(self, s: State, i: int, j: int) -> State:
        """C.3 on expiry: still suspect, so i declares j dead at the stored incarnation."""
        return self.handle(s, i, (DEAD_MSG, j, s.view[i][j][1], i))
