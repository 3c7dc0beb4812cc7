"""Symmetry reduction for Raft: servers are interchangeable, so a state stands for every
renaming of it. The canonical form sorts servers by a signature no renaming changes and
tries only the orders that tie.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import permutations, product
from operator import itemgetter
from typing import Any

import attrs

from model.raft.state import AE_REQ, NIL, Bag, Log, State


class ServerSymmetry:
    """The canonical form of a state under server renamings."""

    n: int
    _renaming: dict[tuple[int, ...], Renaming]
    _changes: bool  # membership changes on (membership.py)

    def canonical(self, s: State) -> Hashable:
        """The least permuted field tuple among the permutations that sort servers by a
        permutation-free signature: the same value for every state in an orbit."""
        if self.n == 1:
            return tuple(s)
        sig = self._signatures(s)
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

    def _signatures(self, s: State) -> list[tuple[Any, ...]]:
        """What each server looks like without naming any server (built column by column:
        this runs for every new successor)."""
        n, cut = self.n, s.cut
        vote_kind = [0 if v == NIL else (1 if v == i else 2) for i, v in enumerate(s.voted_for)]
        return list(
            zip(
                s.term,
                s.role,
                vote_kind,
                s.log,
                s.commit_index,
                map(int.bit_count, s.votes_responded),
                map(int.bit_count, s.votes_granted),
                map(sum, s.next_index),  # any renaming-free summary will do: ties are tried out
                map(sum, s.match_index),
                [side_size(cut, i, n) for i in range(n)] if cut else (n,) * n,
                strict=True,
            )
        )

    def _renamed(self, s: State, r: Renaming) -> tuple[Any, ...]:
        """The fields of `s` with its servers renamed by `r`; identity costs nothing."""
        if r.identity:
            return tuple(s)  # a plain tuple, as every other renaming gives: one form, one fingerprint
        row, name, masks = r.row, r.name, r.masks
        # A row's renaming is looked up, not rebuilt: few distinct rows recur in millions of states.
        voted_for = r.votes.get(s.voted_for) or r.remember(r.votes, s.voted_for)
        responded = r.tallies.get(s.votes_responded) or r.remember(r.tallies, s.votes_responded)
        granted = r.tallies.get(s.votes_granted) or r.remember(r.tallies, s.votes_granted)
        next_index = r.indexes.get(s.next_index) or r.remember(r.indexes, s.next_index)
        match_index = r.indexes.get(s.match_index) or r.remember(r.indexes, s.match_index)
        return (
            row(s.term),
            row(s.role),
            voted_for,
            row(s.log),
            row(s.commit_index),
            responded,
            granted,
            next_index,
            match_index,
            self._renamed_messages(s.messages, name) if s.messages else (),
            tuple(sorted((t, name[i]) for t, i in s.elected)) if s.elected else (),
            s.committed,
            one_side(masks[s.cut], len(name) - 1) if s.cut else 0,
            *s[13:],  # swarm's fields: empty, and never renamed (model.canonical keeps swarm states whole)
        )

    def swarm_canonical(self, s: State, renamings: Iterable[Renaming]) -> Hashable:
        """Swarm's additions: the least of the given renamings of every field, swarm's included
        (n! orders at most: swarm's configurations are small). With membership changes only
        renamings that keep the initial managers managers are given, and configurations
        inside log entries, messages and the history are renamed too."""
        return min(self._swarm_renamed(s, r) for r in renamings)

    def _swarm_renamed(self, s: State, r: Renaming) -> tuple[Any, ...]:
        fields = list(self._renamed(s, r)[:13])
        if self._changes:
            masks = r.masks
            fields[3] = tuple(renamed_log(log, masks) for log in fields[3])
            fields[9] = tuple(
                sorted(((*m[:6], renamed_log(m[6], masks), m[7]) if m[0] == AE_REQ else m, c) for m, c in fields[9])
            )
            fields[11] = tuple(sorted((x, term, -masks[-v] if v < 0 else v, ct) for x, term, v, ct in fields[11]))
        recent = r.row(tuple(r.masks[b] for b in s.recent)) if s.recent else ()
        links = 0
        n = self.n
        for i in range(n):
            for j in range(i + 1, n):
                if s.links >> (i * n + j) & 1:
                    a, b = sorted((r.name[i], r.name[j]))
                    links |= 1 << (a * n + b)
        return (*fields, r.row(s.applied) if s.applied else (), recent, links)

    @staticmethod
    def _renamed_messages(messages: Bag, name: tuple[int, ...]) -> Bag:
        """The bag with sender and receiver renamed, sorted again (a bag has one form)."""
        renamed = [((m[0], m[1], name[m[2]], name[m[3]], *m[4:]), c) for m, c in messages]
        if len(renamed) > 1:
            renamed.sort()
        return tuple(renamed)

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        """The state whose server k is `s`'s server order[k]."""
        return State._make(self._renamed(s, self._renaming[order]))


def renamed_log(log: Log, masks: tuple[int, ...]) -> Log:
    """A log whose configuration entries `(term, -members)` name the renamed members."""
    return tuple((term, -masks[-v]) if v < 0 else (term, v) for term, v in log)


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
    # What this renaming made of each per-server row seen so far, by kind of row.
    votes: dict[tuple[Any, ...], tuple[Any, ...]] = attrs.field(factory=dict, eq=False)
    tallies: dict[tuple[Any, ...], tuple[Any, ...]] = attrs.field(factory=dict, eq=False)
    indexes: dict[tuple[Any, ...], tuple[Any, ...]] = attrs.field(factory=dict, eq=False)

    def remember(self, memo: dict[tuple[Any, ...], tuple[Any, ...]], row: tuple[Any, ...]) -> tuple[Any, ...]:
        """`row` renamed, computed the first time it is seen (a row of votes, of vote tallies
        as bitmasks, or of index rows), remembered in `memo` for the next."""
        row_of = self.row
        if memo is self.votes:
            renamed = tuple(self.name[v] for v in row_of(row))
        elif memo is self.tallies:
            renamed = tuple(self.masks[b] for b in row_of(row))
        else:
            renamed = tuple(map(row_of, row_of(row)))
        memo[row] = renamed
        return renamed

    @classmethod
    def of(cls, order: tuple[int, ...]) -> Renaming:
        n = len(order)
        name = [0] * n
        for k, old in enumerate(order):
            name[old] = k
        masks = tuple(sum(1 << name[j] for j in range(n) if b >> j & 1) for b in range(1 << n))
        return cls(order == tuple(range(n)), itemgetter(*order), (*name, NIL), masks)
