"""The gossip model's state (each node's view, broadcast queue and incarnation; the network;
the ghost history), its messages and steps as a person reads them.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import attrs

# Statuses in a view (C.1) and message kinds.
ALIVE, SUSPECT, DEAD, LEFT, UNKNOWN = 0, 1, 2, 3, 4
STATUS = ("alive", "suspect", "dead", "left", "unknown")
ALIVE_MSG, SUSPECT_MSG, DEAD_MSG = 0, 1, 2
KIND = ("alive", "suspect", "dead")

Msg = tuple[int, int, int, int]  # (kind, about, incarnation, accuser)
Entry = tuple[int, int]  # (status, incarnation)

# Ghost record of which kinds of fault have happened: accuracy speaks of runs without some.
CRASHED, LOST, CUT, SLOWED, LEFT_GRACEFULLY = 1, 2, 4, 8, 16
HARMFUL = CRASHED | LOST | CUT  # faults after which a healthy node may rightly be declared dead


@attrs.frozen(order=True)
class State:
    up: tuple[int, ...]  # 1 while the node runs
    left: tuple[int, ...]  # 1 once the node has left gracefully
    outside: tuple[int, ...]  # 1 until the node has joined (again, after a restart)
    slow: tuple[int, ...]  # 1 once the node is slow: it misses ack deadlines
    incarnation: tuple[int, ...]  # each node's own incarnation
    view: tuple[tuple[Entry, ...], ...]  # view[i][x]
    queue: tuple[tuple[tuple[Msg, int], ...], ...]  # broadcasts waiting, with sends left
    network: tuple[tuple[int, Msg], ...]  # (receiver, message), sorted; duplicates allowed
    accusers: tuple[tuple[int, ...], ...]  # accusers[i][x]: bit a set if a suspects x, as i has heard
    cut: int = 0  # bit (i, j) set: the link between i and j is down
    # Ghost history
    faults: int = 0
    broken: int = 0  # the kinds of fault so far (CRASHED, LOST, ...)
    highest: tuple[int, ...] = ()  # the highest incarnation each node ever had
    death_seen: tuple[tuple[int, ...], ...] = ()  # death_seen[i][x]: the highest dead(x) incarnation i heard

    def fields(self) -> tuple[Any, ...]:
        return _all_fields(self)


def node(i: int) -> str:
    return f"n{i + 1}"


def describe_message(m: Msg) -> str:
    kind, about, inc, accuser = m
    by = "" if kind == ALIVE_MSG else f" by {node(accuser)}"
    return f"{KIND[kind]}({node(about)}, incarnation {inc}{by})"


@attrs.frozen(repr=False)
class Step:
    """An action: its rule name, the nodes involved, and a message if any."""

    rule: str
    nodes: tuple[int, ...] = ()
    message: Msg | None = None

    def __str__(self) -> str:
        parts = [" -> ".join(map(node, self.nodes))] if self.nodes else []
        if self.message is not None:
            parts.append(describe_message(self.message))
        return f"{self.rule}({', '.join(parts)})"

    __repr__ = __str__


RULES = (
    "ProbeFails",
    "SuspicionTimeout",
    "SuspicionMaxTimeout",
    "Gossip",
    "Receive",
    "PushPull",
    "Join",
    "ReapDead",
    "Crash",
    "Restart",
    "Leave",
    "SlowDown",
    "LoseMessage",
    "CutLink",
    "HealLink",
)


def as_message(x: int, status: int, inc: int, receiver: int) -> Msg:
    """A push-pull entry as the message it is merged as (C.6): Dead arrives as suspect,
    accused by the receiver itself (memberlist's mergeState sets From to the local node)."""
    if status == ALIVE:
        return (ALIVE_MSG, x, inc, x)
    if status == LEFT:
        return (DEAD_MSG, x, inc, x)
    return (SUSPECT_MSG, x, inc, receiver)


FIELDS = tuple(f.name for f in attrs.fields(State))
_all_fields = attrgetter(*FIELDS)  # several times faster than attrs.astuple, on the hot path


def evolve(s: State, **changes: Any) -> State:
    """attrs.evolve, without its per-call introspection (the model's hot path)."""
    return State(*[changes[name] if name in changes else getattr(s, name) for name in FIELDS])


def without(network: tuple[tuple[int, Msg], ...], item: tuple[int, Msg]) -> tuple[tuple[int, Msg], ...]:
    k = network.index(item)
    return network[:k] + network[k + 1 :]
