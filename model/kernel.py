"""The interface every model implements, after Stateright's `Model`.

A model is a pure state machine: initial states, the enabled actions of a state
with their successors, the state constraint that bounds the search, and the
canonical representative of a state under symmetry. No engine is imported here,
and no model knows an engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

import attrs

S = TypeVar("S")
A = TypeVar("A", covariant=True)


class Model(Protocol[S, A]):
    """What an engine needs of a protocol.

    Two optional class attributes let the explorer skip work on its hot path; a model sets
    them only when they hold (tests/test_capacity.py checks both for every model that does):
    `successors_within_bounds = True`: `next_steps` never yields a successor outside
    `within_bounds` (the bounds are in the guards), so no successor need be checked;
    `hash_fingerprints = True`: `key` and `canonical` hold only tuples, booleans and ints no
    lower than -1, so `hash()` tells states apart (CPython hashes -1 and -2 alike).
    Optional methods: `from_key(key)`, the state whose `key` this is, lets a search be
    saved and resumed (`check --checkpoint`). `withheld_steps(s)`, the (action, bound name)
    pairs of the steps from `s` that guards in `next_steps` kept out for a bound, is required
    for liveness where `successors_within_bounds` holds, and where a model guards some bounds
    itself and leaves the rest to `within_bounds` (the explorer sees the rest fail it;
    `bound_crossed(t)` may name the bound a successor crosses). A model whose `key` is a view
    of the state (two states one key, as TLC's VIEW: the Raft model's relative terms) gives
    `action_key(s, action)`, the action as a step from the key's state, so liveness's
    fairness to an action is the same in every state the view makes one. A class attribute
    `described_as`, each state field to the `describe_state` paths that show it
    (`"term": ("servers.*.term",)`), lets reports mark the fields a property reads.
    """

    name: str

    def init_states(self) -> Iterable[S]:
        """Every initial state."""
        ...

    def next_steps(self, s: S) -> Iterable[tuple[A, S]]:
        """Every enabled action of `s` and the state it leads to, in a fixed order."""
        ...

    def within_bounds(self, s: S) -> bool:
        """The state constraint (TLC's CONSTRAINT): states outside are discarded."""
        ...

    def key(self, s: S) -> Hashable:
        """`s` as a plain value (ints, tuples, booleans) that hashes the same in every process."""
        ...

    def canonical(self, s: S) -> Hashable:
        """A representative of `s` under symmetry; equal for states in one orbit.

        The explorer fingerprints this value, so it must hash the same in every
        process: build it from ints, tuples and booleans, never strings or None.
        """
        ...

    def describe_state(self, s: S) -> Mapping[str, Any]:
        """The state as plain JSON data, keyed the way a person reads it."""
        ...

    def config_data(self) -> Mapping[str, Any]:
        """The configuration as plain JSON data (for reports and replay)."""
        ...


@attrs.frozen
class Exchange:
    """How a sequence diagram draws one step: a message from `source` to `target` (`sent`: put
    on the network, not yet delivered; `lost`: it never arrives), or, with no target, a mark
    on `source`'s lifeline. Models that can say it give `lifelines()` (the participants, in
    order) and `exchange(action)` (reports draw them: swarmcheck/outputs/sequence.py)."""

    source: str
    label: str
    target: str | None = None
    sent: bool = False
    lost: bool = False


def put(t: tuple[Any, ...], i: int, v: Any) -> tuple[Any, ...]:
    """`t` with element i replaced by v (TLA+'s [f EXCEPT ![i] = v]): states are tuples.
    `t` itself when it already holds v there, so unchanged parts stay shared between states."""
    if t[i] == v:
        return t
    return t[:i] + (v,) + t[i + 1 :]


def action_kind(action: object) -> str:
    """The name coverage counts an action under: its `rule` if it has one, else its class name."""
    rule = getattr(action, "rule", None)
    return rule if isinstance(rule, str) else type(action).__name__


def validate(model: str, config: Any, limits: Mapping[str, tuple[int, int]], bugs: Mapping[str, str]) -> None:
    """Reject a configuration with a bound out of range or an unknown seeded bug (ValueError)."""
    for name, (low, high) in limits.items():
        value = getattr(config, name)
        if not low <= value <= high:
            raise ValueError(f"{model}: {name}={value} is out of range ({low}..{high})")
    unknown = sorted(config.bugs - bugs.keys())
    if unknown:
        raise ValueError(f"{model}: unknown bug {unknown[0]!r}; known: {', '.join(bugs)}")


def action_data(action: object) -> dict[str, Any]:
    """An action as plain JSON data, for reports and replay: its kind and its fields (an attrs
    class), or its kind and text (anything else). Replay matches actions by this, not by how
    they print, so a change to an action's text does not break saved reports."""
    fields = getattr(type(action), "__attrs_attrs__", None)
    if fields is None:
        return {"kind": type(action).__name__, "text": str(action)}
    return {"kind": type(action).__name__, **{f.name: _plain(getattr(action, f.name)) for f in fields}}


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively: what JSON gives back."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
