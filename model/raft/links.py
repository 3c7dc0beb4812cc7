"""Links that fail and heal while the cluster runs (reference E.5, E.6): a per-link fault
budget, in place of (or beside) raft.tla-style one partition from the start. A cut link
carries nothing either way: a request sent over it is lost at once (so none is sent), and
what was in flight when it failed waits in the bag (or is lost by DropMessage).
"""

from __future__ import annotations

from collections.abc import Iterator

from model.raft.actions import CutLink, HealLink
from model.raft.config import Config
from model.raft.state import Msg, State, s_with


def pair_bit(n: int, i: int, j: int) -> int:
    """The bit of `State.links` for the link between i and j."""
    a, b = (i, j) if i < j else (j, i)
    return 1 << (a * n + b)


def cut_pairs(links: int, n: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(n) for j in range(i + 1, n) if links & pair_bit(n, i, j)]


class Links:
    """Which pairs of servers can talk, and the steps that cut and heal links."""

    config: Config
    n: int

    def linked(self, s: State, i: int, k: int) -> bool:
        """Whether i and k can talk: neither the partition nor a cut link separates them."""
        if i == k:
            return True
        if s.cut and (s.cut >> i & 1) != (s.cut >> k & 1):
            return False
        return not s.links & pair_bit(self.n, i, k)

    def within_reach(self, s: State, i: int, members: int) -> int:
        """`members` less those a cut link separates from i (whom i's requests never reach)."""
        if not s.links:
            return members
        n = self.n
        return sum(1 << k for k in range(n) if members >> k & 1 and (k == i or not s.links & pair_bit(n, i, k)))

    def deliverable(self, s: State, m: Msg) -> bool:
        return self.linked(s, m[2], m[3])

    def link_steps(self, s: State) -> Iterator[tuple[CutLink | HealLink, State]]:
        """CutLink(i, j) within the budget of links cut at once; HealLink(i, j) for a cut one.
        `partial`'s cut s1-s3 is for good: it never heals and takes none of the budget."""
        n = self.n
        fixed = pair_bit(n, 0, 2) if self.config.partial else 0
        room = (s.links & ~fixed).bit_count() < self.config.max_cuts
        for i in range(n):
            for j in range(i + 1, n):
                bit = pair_bit(n, i, j)
                if bit == fixed:
                    continue
                if s.links & bit:
                    yield HealLink(i, j), s_with(s, links=s.links & ~bit)
                elif room:
                    yield CutLink(i, j), s_with(s, links=s.links | bit)
