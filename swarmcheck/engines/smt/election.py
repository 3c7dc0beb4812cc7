"""An inductive proof of Raft's Election Safety, in the style of Ivy and mypyvy.

The election part of Raft as a transition relation over uninterpreted servers
and quorums (a quorum is any set that meets every other: the only fact of
majorities the proof needs) and integer terms. z3 checks that the invariant
holds initially and that every transition preserves it, for every cluster size
at once. Each conjunct has a name; dropping one (`--drop`) makes the rest
non-inductive, and z3's counterexample to induction is printed as a pre-state,
the step, and the post-state that breaks the invariant.

State (per Raft Figure 2, votes kept as history as the TLA+ proof does):
  term(n)            currentTerm of server n
  voted(n, t)        n has voted in term t;  vote(n, t) whom it voted for
  granted(n, c, t)   n's vote for c in term t is in the network
  tallied(c, t, n)   candidate c has counted n's vote in term t
  leader(c, t)       c became leader in term t
"""

from __future__ import annotations

import time
from typing import Any

import attrs
import z3

Server = z3.DeclareSort("Server")
Quorum = z3.DeclareSort("Quorum")
member = z3.Function("member", Server, Quorum, z3.BoolSort())


@attrs.frozen
class Vocabulary:
    """One copy of the state symbols (pre-state or post-state)."""

    term: Any
    voted: Any
    vote: Any
    granted: Any
    tallied: Any
    leader: Any

    @classmethod
    def named(cls, suffix: str) -> Vocabulary:
        S, Int, B = Server, z3.IntSort(), z3.BoolSort()
        return cls(
            term=z3.Function(f"term{suffix}", S, Int),
            voted=z3.Function(f"voted{suffix}", S, Int, B),
            vote=z3.Function(f"vote{suffix}", S, Int, S),
            granted=z3.Function(f"granted{suffix}", S, S, Int, B),
            tallied=z3.Function(f"tallied{suffix}", S, Int, S, B),
            leader=z3.Function(f"leader{suffix}", S, Int, B),
        )


n, m, c, c2 = z3.Consts("n m c c2", Server)
t = z3.Int("t")
q = z3.Const("q", Quorum)


def quorum_axiom() -> z3.BoolRef:
    """Any two quorums share a server (proved for majorities by `swarmcheck prove`)."""
    q1, q2 = z3.Consts("q1 q2", Quorum)
    return z3.ForAll([q1, q2], z3.Exists([n], z3.And(member(n, q1), member(n, q2))))


# ---------------------------------------------------------------- the invariant


def invariant(v: Vocabulary) -> dict[str, z3.BoolRef]:
    """The inductive invariant, conjunct by conjunct; `election_safety` is the goal."""
    return {
        "election_safety": z3.ForAll([c, c2, t], z3.Implies(z3.And(v.leader(c, t), v.leader(c2, t)), c == c2)),
        "one_vote_per_term": z3.ForAll(
            [n, c, t], z3.Implies(v.granted(n, c, t), z3.And(v.voted(n, t), v.vote(n, t) == c))
        ),
        "tallied_votes_were_granted": z3.ForAll([c, t, n], z3.Implies(v.tallied(c, t, n), v.granted(n, c, t))),
        "leaders_hold_a_quorum": z3.ForAll(
            [c, t],
            z3.Implies(v.leader(c, t), z3.Exists([q], z3.ForAll([n], z3.Implies(member(n, q), v.tallied(c, t, n))))),
        ),
    }


def initial(v: Vocabulary) -> z3.BoolRef:
    return z3.And(
        z3.ForAll([n], v.term(n) == 1),
        z3.ForAll([n, t], z3.Not(v.voted(n, t))),
        z3.ForAll([n, c, t], z3.Not(v.granted(n, c, t))),
        z3.ForAll([c, t, n], z3.Not(v.tallied(c, t, n))),
        z3.ForAll([c, t], z3.Not(v.leader(c, t))),
    )


# ---------------------------------------------------------------- transitions


def _unchanged(a: Vocabulary, b: Vocabulary, *keep: str) -> list[z3.BoolRef]:
    frames = {
        "term": z3.ForAll([n], b.term(n) == a.term(n)),
        "voted": z3.ForAll([n, t], b.voted(n, t) == a.voted(n, t)),
        "vote": z3.ForAll([n, t], b.vote(n, t) == a.vote(n, t)),
        "granted": z3.ForAll([n, c, t], b.granted(n, c, t) == a.granted(n, c, t)),
        "tallied": z3.ForAll([c, t, n], b.tallied(c, t, n) == a.tallied(c, t, n)),
        "leader": z3.ForAll([c, t], b.leader(c, t) == a.leader(c, t)),
    }
    return [frames[k] for k in keep]


def timeout(a: Vocabulary, b: Vocabulary, s: Any, new_term: Any) -> z3.BoolRef:
    """Timeout(s): s moves to a later term to campaign (its own vote comes as any other's)."""
    return z3.And(
        new_term > a.term(s),
        z3.ForAll([n], b.term(n) == z3.If(n == s, new_term, a.term(n))),
        *_unchanged(a, b, "voted", "vote", "granted", "tallied", "leader"),
    )


def grant_vote(a: Vocabulary, b: Vocabulary, s: Any, cand: Any, vote_term: Any) -> z3.BoolRef:
    """HandleRequestVoteRequest, granting: s adopts the term if newer and votes once in it."""
    return z3.And(
        vote_term >= a.term(s),
        z3.Not(a.voted(s, vote_term)),
        z3.ForAll([n], b.term(n) == z3.If(n == s, vote_term, a.term(n))),
        z3.ForAll([n, t], b.voted(n, t) == z3.Or(a.voted(n, t), z3.And(n == s, t == vote_term))),
        z3.ForAll([n, t], b.vote(n, t) == z3.If(z3.And(n == s, t == vote_term), cand, a.vote(n, t))),
        z3.ForAll(
            [n, c, t], b.granted(n, c, t) == z3.Or(a.granted(n, c, t), z3.And(n == s, c == cand, t == vote_term))
        ),
        *_unchanged(a, b, "tallied", "leader"),
    )


def tally_vote(a: Vocabulary, b: Vocabulary, cand: Any, voter: Any, vote_term: Any) -> z3.BoolRef:
    """HandleRequestVoteResponse: a granted vote in the network is counted by its candidate."""
    return z3.And(
        a.granted(voter, cand, vote_term),
        z3.ForAll(
            [c, t, n], b.tallied(c, t, n) == z3.Or(a.tallied(c, t, n), z3.And(c == cand, t == vote_term, n == voter))
        ),
        *_unchanged(a, b, "term", "voted", "vote", "granted", "leader"),
    )


def become_leader(a: Vocabulary, b: Vocabulary, cand: Any, lead_term: Any, votes: Any) -> z3.BoolRef:
    """BecomeLeader: a candidate that has counted the votes of a quorum leads its term."""
    return z3.And(
        z3.ForAll([n], z3.Implies(member(n, votes), a.tallied(cand, lead_term, n))),
        z3.ForAll([c, t], b.leader(c, t) == z3.Or(a.leader(c, t), z3.And(c == cand, t == lead_term))),
        *_unchanged(a, b, "term", "voted", "vote", "granted", "tallied"),
    )


def transitions(a: Vocabulary, b: Vocabulary) -> dict[str, tuple[z3.BoolRef, list[Any]]]:
    """Each transition with its parameters (existentially chosen by z3)."""
    s, cand = z3.Consts("s cand", Server)
    k = z3.Int("k")
    votes = z3.Const("votes", Quorum)
    return {
        "Timeout": (timeout(a, b, s, k), [s, k]),
        "GrantVote": (grant_vote(a, b, s, cand, k), [s, cand, k]),
        "TallyVote": (tally_vote(a, b, cand, s, k), [cand, s, k]),
        "BecomeLeader": (become_leader(a, b, cand, k, votes), [cand, k, votes]),
    }


# ---------------------------------------------------------------- checking


@attrs.frozen
class Check:
    """One proof obligation and what z3 said."""

    obligation: str  # "initiation" or "consecution of <transition>"
    holds: bool
    seconds: float
    counterexample: str = ""


def check(drop: frozenset[str] = frozenset(), timeout_ms: int = 30_000) -> list[Check]:
    """Initiation and consecution of the invariant with `drop` conjuncts left out."""
    unknown = drop - invariant(Vocabulary.named("")).keys()
    if unknown:
        raise ValueError(
            f"unknown conjunct {sorted(unknown)[0]!r}; known: {', '.join(invariant(Vocabulary.named('')))}"
        )
    pre, post = Vocabulary.named(""), Vocabulary.named("'")
    kept = {k: f for k, f in invariant(pre).items() if k not in drop}
    kept_post = {k: f for k, f in invariant(post).items() if k not in drop}
    results = [_obligation("initiation", [quorum_axiom(), initial(pre)], kept, timeout_ms)]
    for name, (step, params) in transitions(pre, post).items():
        facts = [quorum_axiom(), *kept.values(), step]
        results.append(_obligation(f"consecution of {name}", facts, kept_post, timeout_ms, pre, post, params))
    return results


def _obligation(
    name: str,
    facts: list[z3.BoolRef],
    goals: dict[str, z3.BoolRef],
    timeout_ms: int,
    pre: Vocabulary | None = None,
    post: Vocabulary | None = None,
    params: list[Any] | None = None,
) -> Check:
    started = time.perf_counter()
    for goal_name, goal in goals.items():
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        solver.add(*facts, z3.Not(goal))
        verdict = solver.check()
        if verdict == z3.unknown:
            return Check(
                name, False, time.perf_counter() - started, f"z3 gave up on {goal_name}: {solver.reason_unknown()}"
            )
        if verdict == z3.sat:
            text = f"breaks {goal_name}"
            if pre is not None and post is not None:
                model = _smallest_model(solver) or solver.model()
                text += "\n" + describe_cti(model, pre, post, params or [])
            return Check(name, False, time.perf_counter() - started, text)
    return Check(name, True, time.perf_counter() - started)


def _smallest_model(solver: z3.Solver, most: int = 4) -> z3.ModelRef | None:
    """A model with as few servers and quorums as possible: a person reads 3 servers, not 11."""
    for size in range(1, most + 1):
        servers = z3.Consts(" ".join(f"server_{k}" for k in range(size)), Server)
        quorums = z3.Consts(" ".join(f"quorum_{k}" for k in range(size)), Quorum)
        solver.push()
        solver.add(z3.ForAll([n], z3.Or([n == x for x in servers])))
        solver.add(z3.ForAll([q], z3.Or([q == x for x in quorums])))
        found = solver.check() == z3.sat
        model = solver.model() if found else None
        solver.pop()
        if model is not None:
            return model
    return None


def describe_cti(model: z3.ModelRef, pre: Vocabulary, post: Vocabulary, params: list[Any]) -> str:
    """A counterexample to induction as a person reads it: the step, then both states."""
    servers = model.get_universe(Server) or []
    label = {str(s): f"s{k + 1}" for k, s in enumerate(servers)}

    def name(x: Any) -> str:
        value = model.eval(x, model_completion=True)
        return label.get(str(value), str(value))

    step = ", ".join(f"{p} = {name(p)}" for p in params)
    terms = sorted(
        {model.eval(v.term(s), model_completion=True).as_long() for v in (pre, post) for s in servers}
        | {model.eval(p, model_completion=True).as_long() for p in params if z3.is_int(p)}
    )

    def state(v: Vocabulary) -> list[str]:
        lines = [f"  term: {', '.join(f'{name(s)}={name(v.term(s))}' for s in servers)}"]
        for k in terms:
            votes = [f"{name(s)}->{name(v.vote(s, k))}" for s in servers if z3.is_true(model.eval(v.voted(s, k), True))]
            granted = [
                f"{name(s)}->{name(x)}"
                for s in servers
                for x in servers
                if z3.is_true(model.eval(v.granted(s, x, k), True))
            ]
            tallied = [
                f"{name(x)} counted {name(s)}"
                for x in servers
                for s in servers
                if z3.is_true(model.eval(v.tallied(x, k, s), True))
            ]
            leaders = [name(s) for s in servers if z3.is_true(model.eval(v.leader(s, k), True))]
            if votes or granted or tallied or leaders:
                lines.append(
                    f"  term {k}: voted {votes or '-'}; granted {granted or '-'}; tallied {tallied or '-'}; leaders {leaders or '-'}"
                )
        return lines

    return "\n".join([f"step with {step}", "pre-state:", *state(pre), "post-state:", *state(post)])


def proved(drop: frozenset[str] = frozenset()) -> tuple[bool, list[Check], float]:
    started = time.perf_counter()
    checks = check(drop)
    return all(x.holds for x in checks), checks, time.perf_counter() - started
