"""Symmetry reduction for the orchestration model: nodes are interchangeable (unless a
hostname constraint or a different size pins one), and a task id only orders the tasks
of one slot or node. Renamings that sort nodes by an invariant signature are tried.

Reads: every field. Writes: nothing (a canonical form, or a renamed state for tests).
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import pairwise
from typing import Any

from model.orchestration.cluster import Cluster
from model.orchestration.state import State
from model.orchestration.tasks import (
    AWAITS,
    DESIRED,
    ID,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PREPARE,
    SLOT,
    SVC,
    VERSION,
    WEB,
)


class NodeSymmetry(Cluster):
    """The canonical form of a state under node renamings."""

    def canonical(self, s: State) -> Hashable:
        """Nodes are symmetric, and a task id only orders the tasks of one slot (or one node,
        for the global service): the least relabelling over node renamings, with ids
        renumbered by (service, slot or node, old id). Exact: equal forms are isomorphic.
        Only the renamings that sort the free nodes by a renaming-invariant signature are
        tried (as in the gossip model): isomorphic states sort the same way."""
        sig = [self._signature(s, node) for node in range(self.n)]
        free = self._free
        return min(
            self._relabelled(s, order)
            for order in self._orders
            if all(sig[order[a]] <= sig[order[b]] for a, b in pairwise(free))
        )

    def _signature(self, s: State, node: int) -> tuple[Any, ...]:
        """What a renaming cannot change about a node: its own fields and its tasks, without ids."""
        tasks = sorted((t[SVC], t[SLOT], t[DESIRED], t[OBSERVED], t[VERSION]) for t in s.tasks if t[NODE] == node)
        return (
            s.status[node],
            s.availability[node],
            s.labels[node],
            s.roles[node],
            s.node_due[node],
            s.restarts[self.config.max_replicas + node],
            len(s.dns[node]),
            len(s.backends[node]),
            tasks,
        )

    def _relabelled(self, s: State, order: tuple[int, ...]) -> tuple[Any, ...]:
        name = {old: new for new, old in enumerate(order)}
        name[NO_NODE] = NO_NODE
        moved = [
            (t[ID], t[SVC], t[SLOT], name[t[NODE]], t[DESIRED], t[OBSERVED], t[VERSION], t[AWAITS]) for t in s.tasks
        ]
        moved.sort(key=lambda t: (t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE], t[ID]))
        new_id = {t[ID]: k for k, t in enumerate(moved)}
        # Records of reaped tasks may linger in DNS or the mesh: they keep their order, below 0.
        awaited = (s.update_task,) if s.update_task >= 0 else ()
        gone = sorted({i for table in (*s.dns, *s.backends, awaited) for i in table} - new_id.keys())
        new_id.update({i: k - len(gone) for k, i in enumerate(gone)})
        # Only a waiting replacement's awaited task matters; a deleted one is no wait (-1).
        tasks = tuple(
            (new_id[t[ID]], *t[1:AWAITS], new_id.get(t[AWAITS], NO_TASK) if t[DESIRED] == PREPARE else NO_TASK)
            for t in moved
        )

        def ids(table: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(sorted(new_id[i] for i in table))

        return (
            tuple(s.status[old] for old in order),
            tuple(s.availability[old] for old in order),
            s.replicas,
            tasks,
            s.created,
            ids(s.restart_requests),
            tuple(ids(s.dns[old]) for old in order),
            tuple(ids(s.backends[old]) for old in order),
            tuple(s.labels[old] for old in order),
            tuple(s.roles[old] for old in order),
            s.replicated_due,
            tuple(s.node_due[old] for old in order),
            s.restarts[: self.config.max_replicas] + tuple(s.restarts[self.config.max_replicas + old] for old in order),
            s.version,
            s.update,
            s.update_slot,
            new_id[s.update_task] if awaited else -1,
            s.user_ops,
            s.faults,
        )

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        fields = list(self._relabelled(s, order))
        fields[3] = tuple(sorted(fields[3]))  # the store keeps tasks by id
        return State(*fields)
