"""Which fields of a state a property reads, so a report can mark them (issue 16).

The property is run again over the counterexample's states, each wrapped so that every
field it touches is noted; the model's `described_as` maps those fields to the dotted paths
of its `describe_state` (`term` -> `servers.*.term`). Nothing is guessed from the property's
text: a field is marked only if the check really read it on this trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from properties.base import Kind, Property
from swarmcheck.engines.result import Trace


def recording(cls: type, read: set[str]) -> type:
    """A subclass of a state class whose instances note, in `read`, each field read from them.
    A subclass rather than a wrapper, so `attrs.evolve` and `_replace` keep working (and keep
    noting) when a property computes successors."""
    fields = frozenset(getattr(cls, "_fields", ()) or (a.name for a in getattr(cls, "__attrs_attrs__", ())))

    def __getattribute__(self: Any, name: str) -> Any:  # the hook Python calls
        if name in fields:
            read.add(name)
        return object.__getattribute__(self, name)  # states define no hook of their own

    return type(cls.__name__, (cls,), {"__getattribute__": __getattribute__, "__slots__": ()})


def noting(state: Any, sub: type) -> Any:
    """`state` as an instance of its recording subclass `sub`."""
    if isinstance(state, tuple):
        return tuple.__new__(sub, state)
    copy: Any = object.__new__(sub)
    for name in (a.name for a in getattr(type(state), "__attrs_attrs__", ())):
        object.__setattr__(copy, name, getattr(state, name))
    return copy


def fields_read(prop: Property[Any], trace: Trace) -> set[str]:
    """The state fields `prop` reads when judged on each state (or step) of `trace`; empty
    when a judgement on the noting copies differs from the one on the states themselves."""
    read: set[str] = set()
    states = [s for _, s in trace.steps]
    if not states or not (getattr(type(states[0]), "_fields", None) or hasattr(type(states[0]), "__attrs_attrs__")):
        return read
    sub = recording(type(states[0]), read)
    try:
        if prop.kind in (Kind.TRANSITION, Kind.SOMETIMES_STEP):
            for k, (action, after) in enumerate(trace.steps[1:]):
                if prop.check(noting(states[k], sub), action, noting(after, sub)) != prop.check(
                    states[k], action, after
                ):
                    return set()
        else:
            judges = [prop.check] if prop.trigger is None else [prop.check, prop.trigger]
            if any(judge(noting(s, sub)) != judge(s) for s in states for judge in judges):
                return set()
    except Exception:  # a check that will not run on a copy: mark nothing rather than guess
        return set()
    return read


def paths_read(model: Any, prop: Property[Any], trace: Trace) -> list[str]:
    """The `describe_state` paths (patterns, `*` for any server or node) of the fields `prop`
    reads on `trace`; empty for a model that does not say how its fields are described."""
    described: Mapping[str, Sequence[str]] | None = getattr(model, "described_as", None)
    if not described:
        return []
    fields = fields_read(prop, trace)
    return sorted({path for name in fields for path in described.get(name, ())})


def is_read(path: str, patterns: Sequence[str]) -> bool:
    """Whether a changed path (`servers.s1.nextIndex.s2`) is one a pattern names, or lies under one."""
    return any(fnmatchcase(path, p) or fnmatchcase(path, p + ".*") for p in patterns)
