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


def evolve(
    s: State,
    *,
    up: tuple[int, ...] | None = None,
    left: tuple[int, ...] | None = None,
    outside: tuple[int, ...] | None = None,
    slow: tuple[int, ...] | None = None,
    incarnation: tuple[int, ...] | None = None,
    view: tuple[tuple[Entry, ...], ...] | None = None,
    queue: tuple[tuple[tuple[Msg, int], ...], ...] | None = None,
    network: tuple[tuple[int, Msg], ...] | None = None,
    accusers: tuple[tuple[int, ...], ...] | None = None,
    cut: int | None = None,
    faults: int | None = None,
    broken: int | None = None,
    highest: tuple[int, ...] | None = None,
    death_seen: tuple[tuple[int, ...], ...] | None = None,
) -> State:
    """`s` with the fields given changed: attrs.evolve written out, because the explorer calls
    it millions of times (it skips attrs' walk over the fields; no field is ever None)."""
    return State(
        s.up if up is None else up,
        s.left if left is None else left,
        s.outside if outside is None else outside,
        s.slow if slow is None else slow,
        s.incarnation if incarnation is None else incarnation,
        s.view if view is None else view,
        s.queue if queue is None else queue,
        s.network if network is None else network,
        s.accusers if accusers is None else accusers,
        s.cut if cut is None else cut,
        s.faults if faults is None else faults,
        s.broken if broken is None else broken,
        s.highest if highest is None else highest,
        s.death_seen if death_seen is None else death_seen,
    )


def without(network: tuple[tuple[int, Msg], ...], item: tuple[int, Msg]) -> tuple[tuple[int, Msg], ...]:
    k = network.index(item)
    return network[:k] + network[k + 1 :]
