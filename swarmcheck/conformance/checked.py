"""A cluster judged at every step: the events so far, what each delivered, the views after
each, the ghost history, and the first rule broken."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import attrs

from swarmcheck.conformance.cluster import Cluster, Event
from swarmcheck.conformance.rules import Finding, judge, model_properties
from swarmcheck.conformance.views import History, ServerView, cluster_view, describe_message, message_view


@attrs.frozen
class Step:
    """One event, the message it moved (as plain data), and the views after it."""

    event: Event
    message: dict[str, Any] | None
    views: tuple[ServerView, ...]

    @property
    def text(self) -> str:
        """The step as a report's action column reads it."""
        e = self.event
        if e.kind in ("deliver", "drop", "duplicate"):
            what = describe_message(self.message or {})
            return f"{e.kind.capitalize()}(s{e.node + 1} -> s{e.to + 1}: {what})"
        if e.kind == "tick":
            return f"Tick(s{e.node + 1}, +{e.advance:g}s)"
        if e.kind == "request":
            return f"Request(s{e.node + 1}, v{e.value})"
        return f"{e.kind.capitalize()}(s{e.node + 1})"


class CheckedCluster:
    """A `Cluster` and its judge: `step` runs an event and returns the first broken rule."""

    def __init__(self, nodes: int = 3, mode: str = "fifo", seed: int = 0, ignore: Collection[str] = ()) -> None:
        self.cluster = Cluster(nodes, mode, seed)
        self.ignore = frozenset(ignore)  # rules not judged: known findings, to look past them
        self.properties = model_properties(nodes)
        self.initial = cluster_view(self.cluster)
        self.history = History().after(self.initial, self.initial)
        self.steps: list[Step] = []
        self.finding: Finding | None = None

    @property
    def views(self) -> tuple[ServerView, ...]:
        return self.steps[-1].views if self.steps else self.initial

    def step(self, event: Event) -> Finding | None:
        before = self.views
        moved = self.cluster.step(event)
        message = None if moved is None else message_view(self.cluster, moved)
        after = cluster_view(self.cluster)
        self.history = self.history.after(before, after)
        self.steps.append(Step(event, message, after))
        self.finding = judge(before, event, message, after, self.history, self.properties, self.ignore)
        return self.finding

    def run(self, events: Sequence[Event]) -> Finding | None:
        """Run the events in order (each must be possible), stopping at the first finding."""
        for event in events:
            if not self.cluster.possible(event):
                raise ValueError(f"event {len(self.steps) + 1} ({event}) cannot happen here")
            if self.step(event):
                return self.finding
        return None
