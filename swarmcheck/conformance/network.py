"""The network between the nodes under test: one queue per directed link, under our control.

`fifo` links deliver and lose only their oldest message, as a TCP connection does (a lost
message is a connection reset); `reorder` links deliver or lose any message in flight, as
datagrams may; `duplicate` is `fifo` that may also send a message twice. Messages are
copied on sending, so no node shares a mutable object with another.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

MODES = ("fifo", "reorder", "duplicate")

Link = tuple[int, int]  # (source, destination)


class Network:
    """Messages in flight, per link, oldest first."""

    def __init__(self, nodes: int, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown network mode {mode!r}; known: {', '.join(MODES)}")
        self.mode = mode
        self.links: dict[Link, list[dict[str, Any]]] = {
            (a, b): [] for a in range(nodes) for b in range(nodes) if a != b
        }

    def send(self, source: int, destination: int, message: dict[str, Any]) -> None:
        self.links[(source, destination)].append(copy.deepcopy(message))

    def busy(self) -> list[Link]:
        """The links with a message in flight, in a fixed order."""
        return [link for link, queue in self.links.items() if queue]

    def choices(self, link: Link) -> int:
        """How many of the link's messages may go next: all in `reorder`, else the oldest."""
        return len(self.links[link]) if self.mode == "reorder" else min(1, len(self.links[link]))

    def take(self, link: Link, position: int) -> dict[str, Any]:
        """Remove and return a message (the oldest unless the links reorder)."""
        return self.links[link].pop(self._position(link, position))

    def duplicate(self, link: Link, position: int) -> dict[str, Any]:
        """Send a message in flight once more (at the back of its link)."""
        message = copy.deepcopy(self.links[link][self._position(link, position)])
        self.links[link].append(message)
        return message

    def cut_off(self, node: int) -> int:
        """A crashed node's connections close: what was in flight to or from it is lost."""
        lost = 0
        for (a, b), queue in self.links.items():
            if node in (a, b):
                lost += len(queue)
                queue.clear()
        return lost

    def in_flight(self) -> Iterator[tuple[Link, dict[str, Any]]]:
        for link, queue in self.links.items():
            for message in queue:
                yield link, message

    def _position(self, link: Link, position: int) -> int:
        if not 0 <= position < self.choices(link):
            raise IndexError(f"no message {position} may go next on link {link} ({self.mode})")
        return position
