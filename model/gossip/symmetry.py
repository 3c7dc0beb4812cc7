"""Symmetry reduction for gossip: nodes are interchangeable, so a state stands for every
renaming of it; only the renamings that sort nodes by an invariant signature are tried.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import permutations
from typing import Any

from model.gossip.state import (
    Msg,
    State,
)


class NodeSymmetry:
    """The canonical form of a state under node renamings."""

    n: int
    _pairs: dict[tuple[int, int], int]

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
