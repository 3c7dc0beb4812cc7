"""One part of a breadth-first search: the states it owns, and how it expands a level.

The seen set is split by fingerprint into `parts` (one per worker; one in a single
process): part k owns the states whose fingerprint is k modulo `parts`. A part expands its
own frontier, decides at once about successors it owns, and asks the owners about the
others with (fingerprint, parent) pairs; a state its owner finds new is kept and expanded
by the part that found it, so states cross between processes only to even out the
frontiers. As TLC does, a part keeps one fingerprint and one parent fingerprint per state,
and a trace is rebuilt on demand.
"""

from __future__ import annotations

import marshal
import traceback
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from hashlib import blake2b
from pathlib import Path
from typing import Any

import attrs

from model.kernel import Model, action_kind
from properties.base import Kind, Property
from swarmcheck.engines.result import Violation

Frontier = list[tuple[int, Any]]  # (fingerprint, state), in the order found
# A state found here that another part owns: its fingerprint -> (parent fingerprint, state).
Candidates = dict[int, tuple[int, Any]]
Tick = Callable[[int], bool]  # told how many states are known; True stops the level


class ModelRaised(Exception):
    """The model, or a property judging it, raised while a state's next steps were listed and
    judged; `fp` is that state's fingerprint. Its text names the innermost line of the traceback."""

    def __init__(self, fp: int, error: Exception) -> None:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        self.fp, self.error = fp, error
        super().__init__(
            f"{type(error).__name__}: {error} ({Path(frame.filename).name}:{frame.lineno} in {frame.name})"
        )


def fingerprint_function(model: Model[Any, Any]) -> Callable[[Hashable], int]:
    """hash() where the model says its keys allow it (ints no lower than -1 in tuples: about
    ten times cheaper than marshalling), the marshal fingerprint everywhere else."""
    return hash if getattr(model, "hash_fingerprints", False) else fingerprint_of


def fingerprint_of(key: Hashable) -> int:
    """A state's 64-bit fingerprint. Not hash(key): CPython hashes -1 and -2 alike, so tuples
    that differ only there always collide, and distinct states were merged (16 of 17,996 in one
    orchestration configuration). BLAKE2b over the value's marshal form (version 2: no
    back-references, so equal values give equal bytes) does not, and, unlike hash() of bytes,
    gives the same number in every process (a checkpoint is resumed by another); a key
    marshal cannot encode falls back to hash()."""
    try:
        data = marshal.dumps(key, 2)  # type: ignore[arg-type]  # a ValueError says it cannot
    except ValueError:
        return hash(key)
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "little", signed=True)


@attrs.define
class Part:
    """The seen states a part owns, with their parents, and what its expansions found."""

    model: Model[Any, Any]
    properties: Sequence[Property[Any]]
    symmetry: bool
    index: int = 0
    parts: int = 1
    parents: dict[int, int] = attrs.Factory(dict)
    coverage: Counter[str] = attrs.Factory(Counter)
    violations: dict[str, Violation] = attrs.Factory(dict)
    reached: set[str] = attrs.Factory(set)
    transitions: int = 0
    # Under symmetry, canonical forms are dear, and most successors are states generated
    # before: the fingerprints of states as generated skip canonicalizing those.
    seen_as_is: set[int] = attrs.Factory(set)
    # The fingerprints this part has asked other parts about: each is seen there from then on.
    asked_before: set[int] = attrs.Factory(set)
    # The properties judged per state and per step; a `sometimes` leaves once reached.
    always: list[Property[Any]] = attrs.field(init=False)
    steps: list[Property[Any]] = attrs.field(init=False)
    sometimes: list[Property[Any]] = attrs.field(init=False)
    sometimes_steps: list[Property[Any]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.always, self.steps = self._of_kind(Kind.ALWAYS), self._of_kind(Kind.TRANSITION)
        self.sometimes, self.sometimes_steps = self._of_kind(Kind.SOMETIMES), self._of_kind(Kind.SOMETIMES_STEP)

    def _of_kind(self, kind: Kind) -> list[Property[Any]]:
        return [p for p in self.properties if p.kind is kind]

    def fingerprint(self, s: Any) -> int:
        key: Hashable = self.model.canonical(s) if self.symmetry else self.model.key(s)
        return fingerprint_function(self.model)(key)

    def owns(self, fp: int) -> bool:
        return fp % self.parts == self.index

    @property
    def undecided(self) -> bool:
        """Something is left to decide: an invariant to judge, or a `sometimes` to reach."""
        return bool(self.always or self.steps or self.sometimes or self.sometimes_steps)

    @property
    def only_reachability(self) -> bool:
        return not self.always and not self.steps

    def start(self) -> Frontier:
        """The initial states within bounds that this part owns."""
        frontier: Frontier = []
        for s in self.model.init_states():
            if not self.model.within_bounds(s):
                continue
            fp = self.fingerprint(s)
            if self.owns(fp) and fp not in self.parents:
                self.parents[fp] = fp
                frontier.append((fp, s))
                self.judge_state(fp, s)
        return frontier

    def judge_state(self, fp: int, s: Any) -> None:
        """The `always` and `sometimes` properties, on a state seen for the first time."""
        for p in self.always:
            if p.name not in self.violations:
                message = p.check(s)
                if message:
                    self.violations[p.name] = Violation(p.name, p.kind, message, fp)
        for p in list(self.sometimes):
            if p.check(s):
                self.reached.add(p.name)
                self.sometimes.remove(p)

    def judge_step(self, fp: int, s: Any, action: Any, t: Any) -> None:
        """The `transition` and `sometimes_step` properties, on one step."""
        for p in self.steps:
            if p.name not in self.violations:
                message = p.check(s, action, t)
                if message:
                    self.violations[p.name] = Violation(p.name, p.kind, message, fp)
        for p in list(self.sometimes_steps):
            if p.check(s, action, t):
                self.reached.add(p.name)
                self.sometimes_steps.remove(p)

    def expand(self, frontier: Frontier, stop_at_first: bool, tick: Tick) -> tuple[Frontier, list[Candidates], int]:
        """Every successor of the frontier: the new states this part
        owns, in the order found; per other part, the states it should be asked about; and
        the position reached (short of the end when `tick` or a violation stopped the level).

        This is the hot path (tens of millions of steps): what it calls is bound to a local first."""
        model = self.model
        parents, coverage, violations = self.parents, self.coverage, self.violations
        fp_of = fingerprint_function(model)
        key_of = model.canonical if self.symmetry else model.key
        model_key = model.key
        next_steps = model.next_steps
        # A model whose guards hold its bounds spares a within_bounds call per successor.
        within_bounds = None if getattr(model, "successors_within_bounds", False) else model.within_bounds
        judge_steps = bool(self.steps or self.sometimes_steps)
        judge_states = bool(self.always or self.sometimes)
        parts, index = self.parts, self.index
        elsewhere: list[Candidates] = [{} for _ in range(parts)]
        asked_before = self.asked_before
        # Coverage is counted by class (a class is one kind of action), or by rule where each
        # action names its rule (model.kernel.action_kind): one dictionary update a step.
        by_class: dict[type, int] = {}
        named_by_rule: set[type] = set()
        exact = self.seen_as_is if self.symmetry else None
        transitions = 0
        following: Frontier = []
        position = 0
        for position in range(len(frontier)):
            fp, s = frontier[position]
            try:
                for action, t in next_steps(s):
                    if within_bounds is not None and not within_bounds(t):
                        continue
                    transitions += 1
                    cls = action.__class__
                    if cls in named_by_rule:
                        coverage[action.rule] += 1
                    else:
                        try:
                            by_class[cls] += 1
                        except KeyError:
                            _first_of_class(action, by_class, named_by_rule, coverage)
                    if judge_steps:
                        self.judge_step(fp, s, action, t)
                    if t is s:
                        continue  # a stuttering step: nothing new
                    if exact is not None:
                        # Seen this very state before: its orbit is known, skip canonicalizing.
                        seen_as_is = fp_of(model_key(t))
                        if seen_as_is in exact:
                            continue
                        exact.add(seen_as_is)
                    tfp = fp_of(key_of(t))
                    if parts > 1 and tfp % parts != index:
                        if tfp not in asked_before:  # an owner asked once has the state ever after
                            asked_before.add(tfp)
                            elsewhere[tfp % parts][tfp] = (fp, t)
                        continue
                    if tfp in parents:
                        continue
                    parents[tfp] = fp
                    following.append((tfp, t))
                    if judge_states:
                        self.judge_state(tfp, t)
            except Exception as error:  # the model or a property failed: reported with the run here
                raise ModelRaised(fp, error) from error
            if stop_at_first and violations:
                position += 1
                break
            if position & 1023 == 0:  # after the state: every call expands at least one
                self.transitions += transitions
                transitions = 0
                if tick(len(parents)):
                    position += 1
                    break
        else:
            position = len(frontier)
        self.transitions += transitions
        for cls, count in by_class.items():
            coverage[cls.__name__] += count
        return following, elsewhere, position

    def admit(self, asked: bytes) -> bytes:
        """Another part's (fingerprint, parent) pairs: one byte per pair, 1 where the state is
        new here (and is now seen, with that parent), 0 where it was seen before."""
        pairs = array("q")
        pairs.frombytes(asked)
        answers = bytearray(len(pairs) // 2)
        parents = self.parents
        for k in range(0, len(pairs), 2):
            fp = pairs[k]
            if fp not in parents:
                parents[fp] = pairs[k + 1]
                answers[k // 2] = 1
        return bytes(answers)

    def accept(self, candidates: Candidates, answers: bytes, following: Frontier) -> None:
        """The candidates their owner found new join this part's next frontier, judged here."""
        judge_states = bool(self.always or self.sometimes)
        for new, (fp, (_, t)) in zip(answers, candidates.items(), strict=True):
            if new:
                following.append((fp, t))
                if judge_states:
                    self.judge_state(fp, t)


def as_pairs(candidates: Candidates) -> bytes:
    """Candidates as the bytes of (fingerprint, parent) int64 pairs, in their order."""
    pairs = array("q")
    for fp, (parent, _) in candidates.items():
        pairs.append(fp)
        pairs.append(parent)
    return pairs.tobytes()


def _first_of_class(action: Any, by_class: dict[type, int], named_by_rule: set[type], coverage: Counter[str]) -> None:
    """The first step of its class: is the class one kind of action, or does each name its rule?"""
    kind = action_kind(action)
    if kind == type(action).__name__ and not hasattr(action, "rule"):
        by_class[type(action)] = 1
    else:
        named_by_rule.add(type(action))
        coverage[kind] += 1
