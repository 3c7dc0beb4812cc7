"""Symmetry reduction for Raft: servers are interchangeable, so a state stands for every
renaming of it. The canonical form sorts servers by a signature no renaming changes and
tries only the orders that tie.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from itertools import permutations, product
from operator import itemgetter
from typing import Any

import attrs

from model.raft.state import (
    NIL,
    State,
)


class ServerSymmetry:
    """The canonical form of a state under server renamings."""

    n: int
    _renaming: dict[tuple[int, ...], Renaming]

    def canonical(self, s: State) -> Hashable:
        """The least permuted field tuple among the permutations that sort servers by a
        permutation-free signature: the same value for every state in an orbit."""
        if self.n == 1:
            return s.fields()
        sig = [self._signature(s, i) for i in range(self.n)]
        order = sorted(range(self.n), key=sig.__getitem__)
        ties = [k for k in range(1, self.n) if sig[order[k]] == sig[order[k - 1]]]
        if not ties:
            return self._renamed(s, self._renaming[tuple(order)])
        best: tuple[Any, ...] | None = None
        for arrangement in self._tied_arrangements(order, sig):
            candidate = self._renamed(s, self._renaming[arrangement])
            if best is None or candidate < best:
                best = candidate
        assert best is not None
        return best

    def _tied_arrangements(self, order: list[int], sig: list[Any]) -> Iterator[tuple[int, ...]]:
        """Every server order consistent with the sorted signatures (ties in any order)."""
        groups: list[list[int]] = []
        for i in order:
            if groups and sig[groups[-1][0]] == sig[i]:
                groups[-1].append(i)
            else:
                groups.append([i])
        for choice in product(*(permutations(g) for g in groups)):
            yield tuple(i for g in choice for i in g)

    def _signature(self, s: State, i: int) -> tuple[Any, ...]:
        """What server i looks like without naming any server."""
        vote = s.voted_for[i]
        return (
            s.term[i],
            s.role[i],
            0 if vote == NIL else (1 if vote == i else 2),
            s.log[i],
            s.commit_index[i],
            s.votes_responded[i].bit_count(),
            s.votes_granted[i].bit_count(),
            sum(s.next_index[i]),  # any renaming-free summary will do: ties are tried out
            sum(s.match_index[i]),
            side_size(s.cut, i, self.n),
        )

    def _renamed(self, s: State, r: Renaming) -> tuple[Any, ...]:
        """The fields of `s` with its servers renamed by `r`; identity costs nothing."""
        if r.identity:
            return s.fields()
        row, name, masks = r.row, r.name, r.masks
        return (
            row(s.term),
            row(s.role),
            tuple(name[v] for v in row(s.voted_for)),
            row(s.log),
            row(s.commit_index),
            tuple(masks[b] for b in row(s.votes_responded)),
            tuple(masks[b] for b in row(s.votes_granted)),
            tuple(map(row, row(s.next_index))),
            tuple(map(row, row(s.match_index))),
            tuple(sorted(((m[0], m[1], name[m[2]], name[m[3]], *m[4:]), c) for m, c in s.messages)),
            tuple(sorted((t, name[i]) for t, i in s.elected)),
            s.committed,
            one_side(masks[s.cut], len(name) - 1),
        )

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        """The state whose server k is `s`'s server order[k]."""
        return State(*self._renamed(s, self._renaming[order]))


def side_size(cut: int, i: int, n: int) -> int:
    """How many servers are on server i's side of the partition (n when there is none)."""
    if not cut:
        return n
    return cut.bit_count() if cut >> i & 1 else n - cut.bit_count()


def one_side(cut: int, n: int) -> int:
    """A partition named by the side holding s1: S and its complement cut the same links."""
    return cut if not cut or cut & 1 else ((1 << n) - 1) ^ cut


@attrs.frozen
class Renaming:
    """A renaming of servers, precomputed for the symmetry hot path: new server k is
    old server order[k]; `name` maps an old number (or NIL) to the new one."""

    identity: bool
    row: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    name: tuple[int, ...]
    masks: tuple[int, ...]

    @classmethod
    def of(cls, order: tuple[int, ...]) -> Renaming:
        n = len(order)
        name = [0] * n
        for k, old in enumerate(order):
            name[old] = k
        masks = tuple(sum(1 << name[j] for j in range(n) if b >> j & 1) for b in range(1 << n))
        return cls(order == tuple(range(n)), itemgetter(*order), (*name, NIL), masks)
