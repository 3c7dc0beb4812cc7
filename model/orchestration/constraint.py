"""Placement constraints as swarmkit parses and matches them (reference A.4).

`key==value` or `key!=value`; `==` is looked for first. Keys and values are trimmed
and checked against swarmkit's patterns. A node matches by its hostname, its
*current* role or a node label; a missing hostname or label compares as "", values
compare case-insensitively, label names case-sensitively, and any other key never
matches. Pure and bug-free: the model's scheduler and the z3 oracle both call it,
and a seeded bug lives in the scheduler's use of it, never here.
"""

from __future__ import annotations

import re

import attrs

OPERATORS = ("==", "!=")
KEY = re.compile(r"^[a-z_][a-z0-9\-_.]+$", re.IGNORECASE)
VALUE = re.compile(r"^[a-z0-9:\-_\s.*()?+\[\]\\^$|/]+$", re.IGNORECASE)
NODE_LABELS = "node.labels."


@attrs.frozen
class Constraint:
    key: str
    equal: bool
    value: str

    def __str__(self) -> str:
        return f"{self.key}{'==' if self.equal else '!='}{self.value}"

    @property
    def label(self) -> str | None:
        """The node label this constraint reads (name as written: label names are case-sensitive)."""
        if len(self.key) > len(NODE_LABELS) and self.key[: len(NODE_LABELS)].lower() == NODE_LABELS:
            return self.key[len(NODE_LABELS) :]
        return None

    @property
    def subject(self) -> str:
        """What the constraint is about: "label", "hostname", "role", or "other" (never matches)."""
        if self.label is not None:
            return "label"
        return {"node.hostname": "hostname", "node.role": "role"}.get(self.key.lower(), "other")


@attrs.frozen
class NodeFacts:
    """What a constraint can see of a node."""

    hostname: str
    role: str  # the current role: "manager" or "worker"
    labels: tuple[tuple[str, str], ...] = ()


def parse(text: str) -> Constraint:
    """swarmkit's constraint.Parse for one expression; ValueError says what is wrong."""
    for op in OPERATORS:
        if op not in text:
            continue
        key, value = (part.strip() for part in text.split(op, 1))
        if not KEY.match(key):
            raise ValueError(f"constraint {text!r}: key {key!r} is invalid")
        if not VALUE.match(value):
            raise ValueError(f"constraint {text!r}: value {value!r} is invalid")
        return Constraint(key, op == "==", value)
    raise ValueError(f"constraint {text!r}: expected one operator from ==, !=")


def matches(c: Constraint, node: NodeFacts) -> bool:
    """swarmkit's NodeMatches for one constraint."""
    if c.subject == "other":
        return False
    if c.subject == "label":
        actual = dict(node.labels).get(c.label or "", "")
    else:
        actual = node.hostname if c.subject == "hostname" else node.role
    return (actual.lower() == c.value.lower()) == c.equal
