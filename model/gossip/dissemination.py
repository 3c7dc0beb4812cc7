"""Dissemination (reference C.6): a queued broadcast is piggybacked to one peer at a time
within its retransmit budget; a received message is merged; push-pull exchanges whole views.

Reads: queue, network, view, cut. Writes: queue, network, and views through Membership.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.gossip.detection import FailureDetector
from model.gossip.state import (
    ALIVE,
    DEAD,
    DEAD_MSG,
    LEFT,
    SUSPECT,
    UNKNOWN,
    Msg,
    State,
    as_message,
    evolve,
    without,
)
from model.kernel import put


class Dissemination(FailureDetector):
    """Gossip, receive and push-pull."""

    def gossip_sends(self, s: State) -> Iterator[tuple[int, int, Msg]]:
        """(sender, peer, broadcast): each queued broadcast to each member a node may gossip to;
        a leaving node still drains its broadcasts (C.5 Leave)."""
        targets = (ALIVE, SUSPECT, DEAD, LEFT) if "gossip_to_left" in self.bugs else (ALIVE, SUSPECT, DEAD)
        n = len(s.up)
        for i in range(n):
            if s.up[i] and not s.outside[i]:
                for m, _ in s.queue[i]:
                    for k in range(n):
                        if k != i and s.view[i][k][0] in targets:
                            yield i, k, m

    def carries(self, s: State, i: int, k: int) -> bool:
        """Whether a gossip send from i reaches k's inbox: a cut link loses it."""
        return self.linked(s, i, k) or "cut_link_carries_gossip" in self.bugs

    def gossip(self, s: State, i: int, k: int, m: Msg) -> State:
        """Send one queued broadcast to k; each has a retransmit budget. A cut link loses it."""
        spent = 0 if "retransmit_not_spent" in self.bugs else 1
        queue = tuple((q, left - spent if q == m else left) for q, left in s.queue[i])
        queue = tuple(entry for entry in queue if entry[1] > 0)
        network = tuple(sorted((*s.network, (k, m)))) if self.carries(s, i, k) else s.network
        return evolve(s, queue=put(s.queue, i, queue), network=network)

    def receive_and_handle(self, s: State, k: int, m: Msg) -> State:
        return self.handle(evolve(s, network=without(s.network, (k, m))), k, m)

    def push_pull(self, s: State, i: int, k: int) -> State:
        """C.6 anti-entropy: each merges the other's view; a remote Dead arrives as suspect."""
        theirs, mine = s.view[k], s.view[i]
        left_out = (UNKNOWN, DEAD) if "dead_left_out_of_push_pull" in self.bugs else (UNKNOWN,)
        for x, (status, inc) in enumerate(theirs):
            if status not in left_out:
                s = self.handle(s, i, self.merged_as(x, status, inc, i))
        for x, (status, inc) in enumerate(mine):
            if status not in left_out:
                s = self.handle(s, k, self.merged_as(x, status, inc, k))
        return s

    def merged_as(self, x: int, status: int, inc: int, receiver: int) -> Msg:
        """A pushed entry as the message the receiver merges (state.as_message)."""
        if status == DEAD and "remote_dead_taken_as_dead" in self.bugs:
            return (DEAD_MSG, x, inc, receiver)
        return as_message(x, status, inc, receiver)
