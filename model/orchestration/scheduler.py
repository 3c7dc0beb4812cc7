"""The scheduler (swarmkit manager/scheduler, reference A.3, A.5, A.6): a tick places
pending tasks, preassigned (global) ones first, each on one of the best nodes that pass
the filters: the spread preference's least-loaded branch, then nodeLess.

Reads: tasks, status, availability, labels. Writes: tasks (node, observed ASSIGNED).
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.filters import Filters
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    ASSIGNED,
    DOWN,
    ID,
    NO_NODE,
    NODE,
    OBSERVED,
    PENDING,
    READY,
    SVC,
    WEB,
    Task,
    active_on_node,
    runnable,
    with_field,
)


class TaskScheduler(Filters):
    """A.5: one task at a time, ties a choice."""

    def schedule(self, s: State) -> Iterator[tuple[Step, State]]:
        """A tick: preassigned (global) tasks that fit their node first (A.6), then the others."""
        pending = [t for t in s.tasks if t[OBSERVED] == PENDING and runnable(t)]
        preassigned = [t for t in pending if t[NODE] != NO_NODE and self.fits(s, t, t[NODE])]
        for t in preassigned:
            yield Step("Schedule", t[NODE], t[ID]), self.replace(s, with_field(t, OBSERVED, ASSIGNED))
        if preassigned:
            return
        for t in pending:
            if t[NODE] != NO_NODE:
                continue  # its node does not fit it: it waits (A.6)
            for node in self.best_nodes(s, t):
                assigned = with_field(with_field(t, NODE, node), OBSERVED, ASSIGNED)
                yield Step("Schedule", node, t[ID]), self.replace(s, assigned)

    def best_nodes(self, s: State, t: Task) -> list[int]:
        """A.5: the spread preference's least-loaded branches first, then nodeLess (fewer active
        tasks of this service, then fewer in all, as ActiveTasksCount counts them: tasks the
        scheduler tracks, so neither a preassigned pending task nor one that has ended); ties
        are a choice."""
        eligible = [node for node in range(self.n) if self.fits(s, t, node)]
        if not eligible:
            return []
        if t[SVC] == WEB and self.config.spread:
            eligible = self.least_loaded_branches(s, eligible)

        def load(node: int) -> tuple[int, int]:
            here = [u for u in s.tasks if u[NODE] == node and active_on_node(u)]
            return sum(1 for u in here if u[SVC] == t[SVC]), len(here)

        least = max if "node_order_most_loaded" in self.bugs else min
        best = least(load(node) for node in eligible)
        return [node for node in eligible if load(node) == best]

    def least_loaded_branches(self, s: State, eligible: list[int]) -> list[int]:
        """Placement preference spread=node.labels.zone, for one task (nodeset.go tree): each
        branch (a label value; a missing label is the "" branch) counts the web tasks on *every*
        node of the swarm in it, and the task goes to an eligible node of a branch holding the
        fewest among those with an eligible node (the others have no room)."""
        members = [node for node in range(self.n) if s.status[node] in (READY, DOWN)]
        if "spread_skips_unlabelled_nodes" in self.bugs and any(s.labels[node] for node in eligible):
            eligible = [node for node in eligible if s.labels[node]]
            members = [node for node in members if s.labels[node]]
        count = {branch: 0 for branch in (s.labels[node] for node in eligible)}
        for u in s.tasks:
            if u[SVC] == WEB and u[NODE] in members and active_on_node(u) and s.labels[u[NODE]] in count:
                count[s.labels[u[NODE]]] += 1
        fewest = min(count.values())
        return [node for node in eligible if count[s.labels[node]] == fewest]
