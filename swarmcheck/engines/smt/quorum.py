"""Quorum theorems about manager counts, proved with z3.

Each theorem is checked twice: for every cluster size N up to a bound, and,
where linear integer arithmetic allows, for every N at once. Both count managers
by Venn region (how many are in quorum A only, B only, both, neither): one
boolean per manager would turn each disjointness question into a pigeonhole
problem, exponential for a SAT-based solver already at a few dozen managers. A theorem whose claim is an existence
("an even N can split with no quorum on either side") is shown by z3's model,
the witness, for each N.

Sources: Raft paper §5.2 and thesis §4 (majorities, single-server changes,
joint consensus); Docker admin guide and swarmkit `CanRemoveMember`
(../shared/reference/swarm-semantics.md, section B).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import z3

PROVED, COUNTEREXAMPLE, UNKNOWN = "proved", "counterexample", "unknown"


@attrs.frozen
class Verdict:
    """What z3 said of one theorem."""

    theorem: str
    claim: str
    verdict: str  # proved, counterexample (expected or not), unknown
    expected: str  # the verdict the theorem should get
    sizes: str  # the cluster sizes covered
    seconds: float
    detail: str = ""
    witness: dict[str, Any] | None = None

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected


def majority(n: int) -> int:
    """The smallest number of managers that is more than half of n."""
    return n // 2 + 1


def _unsat(*facts: z3.BoolRef) -> bool:
    solver = z3.Solver()
    solver.add(*facts)
    result = solver.check()
    if result == z3.unknown:
        raise RuntimeError(f"z3 could not decide: {solver.reason_unknown()}")
    return bool(result == z3.unsat)


def _model(*facts: z3.BoolRef) -> z3.ModelRef | None:
    solver = z3.Solver()
    solver.add(*facts)
    return solver.model() if solver.check() == z3.sat else None


# ---------------------------------------------------------------- any two majorities meet


def majorities_intersect(n: int | None = None) -> bool:
    """No two majorities of n managers (of any n, when None) are disjoint. Over region
    sizes: managers in A only, B only, both, neither; disjoint means 'both' is empty."""
    only_a, only_b, both, neither, size = z3.Ints("only_a only_b both neither size")
    return _unsat(
        *[v >= 0 for v in (only_a, only_b, both, neither)],
        size == only_a + only_b + both + neither,
        size >= 1 if n is None else size == n,
        2 * (only_a + both) > size,
        2 * (only_b + both) > size,
        both == 0,
    )


# ---------------------------------------------------------------- failures tolerated


def tolerance(n: int) -> int:
    """The most managers that can fail with a majority left: found by z3, not by formula."""
    failed = z3.Int("failed")
    best = z3.Optimize()
    best.add(failed >= 0, failed <= n, 2 * (n - failed) > n)
    best.maximize(failed)
    assert best.check() == z3.sat
    return int(best.model()[failed].as_long())


def tolerance_formula_for_all_n() -> bool:
    """For every N >= 1, N - f is a majority iff f <= (N-1)/2 (integer division)."""
    n, f = z3.Ints("n f")
    return _unsat(n >= 1, f >= 0, f <= n, (2 * (n - f) > n) != (f <= (n - 1) / 2))


def even_tolerates_no_more_for_all_n() -> bool:
    """For every k >= 1, 2k managers tolerate exactly as many failures as 2k-1."""
    k, f = z3.Ints("k f")
    n_even, n_odd = 2 * k, 2 * k - 1
    return _unsat(k >= 1, f >= 0, (2 * (n_even - f) > n_even) != (2 * (n_odd - f) > n_odd))


# ---------------------------------------------------------------- partitions


def split_without_quorum(n: int) -> dict[str, Any] | None:
    """A partition of n managers into two sides where neither side has a majority, or None."""
    left = z3.Int("left")
    model = _model(left >= 0, left <= n, 2 * left <= n, 2 * (n - left) <= n)
    if model is None:
        return None
    k = model[left].as_long()
    return {"left": _labels(range(k)), "right": _labels(range(k, n))}


def _labels(indexes: Iterable[int]) -> list[str]:
    return [f"m{i + 1}" for i in indexes]


def odd_split_has_one_quorum_for_all_n() -> bool:
    """For every odd N and every split, exactly one side holds a majority."""
    n, k, left = z3.Ints("n k left")
    one_side = 2 * left > n
    other_side = 2 * (n - left) > n
    return _unsat(n == 2 * k + 1, k >= 0, left >= 0, left <= n, one_side == other_side)


def even_split_exists_for_all_n() -> bool:
    """For every even N >= 2, the half-and-half split leaves no side a majority."""
    n, k = z3.Ints("n k")
    left = k
    return _unsat(n == 2 * k, k >= 1, z3.Or(2 * left > n, 2 * (n - left) > n))


# ---------------------------------------------------------------- membership changes


def change_keeps_overlap(old: int, added: int, removed: int, joint: bool = False) -> dict[str, Any] | None:
    """The old configuration has `old` managers; the new one drops `removed` of them and
    adds `added`. Returns two disjoint quorums, or None. Plainly the first is a majority
    of the old configuration and the second of the new; with `joint` (joint consensus)
    each must be a majority of both. Counted by region: for each kind of manager (kept,
    leaving, joining), how many are in the first quorum only, the second only, neither."""
    kinds = {"kept": old - removed, "leaving": removed, "joining": added}
    first = {k: z3.Int(f"first_{k}") for k in kinds}
    second = {k: z3.Int(f"second_{k}") for k in kinds}
    facts: list[z3.BoolRef] = []
    for k, size in kinds.items():
        facts += [first[k] >= 0, second[k] >= 0, first[k] + second[k] <= size]  # disjoint
    old_kinds, new_kinds = ("kept", "leaving"), ("kept", "joining")

    def majority_of(q: dict[str, z3.ArithRef], members: tuple[str, ...]) -> z3.BoolRef:
        return 2 * z3.Sum([q[k] for k in members]) > sum(kinds[k] for k in members)

    if joint:
        facts += [majority_of(q, m) for q in (first, second) for m in (old_kinds, new_kinds)]
    else:
        facts += [majority_of(first, old_kinds), majority_of(second, new_kinds)]
        facts += [first["joining"] == 0, second["leaving"] == 0]
    model = _model(*facts)
    if model is None:
        return None
    names = {"kept": _labels(range(kinds["kept"]))}
    names["leaving"] = _labels(range(kinds["kept"], old))
    names["joining"] = _labels(range(old, old + added))

    def pick(q: dict[str, z3.ArithRef], skip: dict[str, int]) -> list[str]:
        return [n for k in kinds for n in names[k][skip.get(k, 0) : skip.get(k, 0) + model[q[k]].as_long()]]

    first_counts = {k: model[first[k]].as_long() for k in kinds}
    return {
        "old configuration": names["kept"] + names["leaving"],
        "new configuration": names["kept"] + names["joining"],
        "one quorum": pick(first, {}),
        "another quorum": pick(second, first_counts),
    }


def single_change_overlaps_for_all_n() -> bool:
    """Adding one server to n: a majority of n and a majority of n+1 always meet.
    Regions: q_old ∩ C, q_new ∩ C, their overlap (must be 0), and the new server in q_new."""
    n, a, b, both, new = z3.Ints("n a b both new")
    return _unsat(
        n >= 1,
        a >= 0,
        b >= 0,
        both == 0,
        new >= 0,
        new <= 1,
        a + b - both <= n,  # q_old and q_new∩C inside C
        2 * a > n,  # q_old a majority of n
        2 * (b + new) > n + 1,  # q_new a majority of n+1
    )


# ---------------------------------------------------------------- swarm's removal rule


def _removal_allowed(m: z3.ArithRef, reachable: z3.ArithRef) -> z3.BoolRef:
    """raft.go CanRemoveMember's test: floor((|M|-1)/2) + 1 reachable members besides x."""
    return reachable >= (m - 1) / 2 + 1


def removal_rule_is_safe_for_all_n() -> bool:
    """swarmkit CanRemoveMember: with m members, removing x is allowed iff the reachable
    members other than x number at least majority(m-1). When allowed, those reachable
    members form a majority of the new configuration of m-1."""
    m, reachable = z3.Ints("m reachable")
    new_quorum = 2 * reachable > m - 1
    return _unsat(m >= 2, reachable >= 0, reachable <= m - 1, _removal_allowed(m, reachable), z3.Not(new_quorum))


def removal_allowed(members: int, reachable: int) -> bool:
    """The same test on numbers, decided by z3 (what a model's rule is cross-checked against)."""
    return bool(z3.is_true(z3.simplify(_removal_allowed(z3.IntVal(members), z3.IntVal(reachable)))))


def smallest_refused_removal() -> dict[str, Any]:
    """The smallest cluster where a majority is up, yet the rule refuses to remove a
    healthy manager: the demotion that would lose quorum."""
    m, up = z3.Ints("m up")
    best = z3.Optimize()
    reachable_after = up - 1  # the healthy manager removed was reachable
    best.add(m >= 2, up >= 2, up <= m, 2 * up > m, reachable_after < (m - 1) / 2 + 1)
    best.minimize(m)
    assert best.check() == z3.sat
    model = best.model()
    size, healthy = model[m].as_long(), model[up].as_long()
    return {
        "managers": size,
        "up": healthy,
        "down": size - healthy,
        "removing": "a healthy manager",
        "reachable after": healthy - 1,
        "majority of the new configuration": majority(size - 1),
    }


# ---------------------------------------------------------------- the table


def _proved(
    theorem: str, claim: str, sizes: str, *checks: Callable[[], bool], detail: str = "", witness: Any = None
) -> Verdict:
    """A theorem that holds iff every check (per-N sweeps, all-N proofs) is true."""
    started = time.perf_counter()
    holds = all(check() for check in checks)
    seconds = time.perf_counter() - started
    return Verdict(theorem, claim, PROVED if holds else COUNTEREXAMPLE, PROVED, sizes, seconds, detail, witness)


def theorems(max_n: int = 64) -> list[Verdict]:
    """Every theorem, judged by z3, in the order `swarmcheck prove` prints them."""
    sizes = f"1..{max_n} and all N"
    each = range(1, max_n + 1)
    four = split_without_quorum(4)
    out = [
        _proved(
            "majorities_intersect",
            "any two majorities of N managers share a manager",
            sizes,
            lambda: all(majorities_intersect(n) for n in each),
            majorities_intersect,
        ),
        _proved(
            "failures_tolerated",
            "N managers tolerate floor((N-1)/2) failures; 2k tolerate exactly as many as 2k-1",
            sizes,
            lambda: all(tolerance(n) == (n - 1) // 2 for n in each),
            lambda: all(tolerance(2 * k) == tolerance(2 * k - 1) for k in range(1, max_n // 2 + 1)),
            tolerance_formula_for_all_n,
            even_tolerates_no_more_for_all_n,
            detail="; ".join(f"N={n}: {tolerance(n)}" for n in range(1, 8)),
        ),
        _proved(
            "partition_even_splits_odd_does_not",
            "a 2-way partition: even N can leave no side a quorum; odd N always leaves exactly one",
            sizes,
            lambda: all((split_without_quorum(n) is None) == (n % 2 == 1) for n in each),
            even_split_exists_for_all_n,
            odd_split_has_one_quorum_for_all_n,
            detail=f"N=4 split: {four}",
            witness={"N": 4, **four} if four else None,
        ),
        _proved(
            "single_server_change_overlaps",
            "adding or removing one server: every old majority meets every new majority",
            f"2..{max_n} and all N (add)",
            lambda: all(
                change_keeps_overlap(n, 1, 0) is None and change_keeps_overlap(n, 0, 1) is None for n in each if n >= 2
            ),
            single_change_overlaps_for_all_n,
        ),
    ]

    started = time.perf_counter()
    added = next((w for n in each if (w := change_keeps_overlap(n, 2, 0))), None)
    removed = next((w for n in each if n >= 3 and (w := change_keeps_overlap(n, 0, 2))), None)
    out.append(
        Verdict(
            "two_server_change_can_split",
            "two servers added, or two removed, at once: two disjoint majorities exist (the smallest shown)",
            COUNTEREXAMPLE if added and removed else PROVED,
            COUNTEREXAMPLE,
            f"1..{max_n}",
            time.perf_counter() - started,
            detail=f"added: {added}; removed: {removed}",
            witness={"two added": added, "two removed": removed} if added and removed else None,
        )
    )

    smallest = smallest_refused_removal()
    out += [
        _proved(
            "joint_consensus_overlaps",
            "joint consensus (a majority of both configurations) always meets, two servers changed at once",
            f"1..{max_n}",
            lambda: all(change_keeps_overlap(n, 2, 0, joint=True) is None for n in each),
            lambda: all(change_keeps_overlap(n, 0, 2, joint=True) is None for n in each if n >= 3),
        ),
        _proved(
            "swarm_removal_rule_keeps_quorum",
            "CanRemoveMember allows a demotion only if the reachable rest is a majority of the new size",
            "all N",
            removal_rule_is_safe_for_all_n,
            detail=f"smallest refused: {smallest}",
            witness=smallest,
        ),
    ]
    return out
