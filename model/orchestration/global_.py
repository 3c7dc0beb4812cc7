"""The global orchestrator (swarmkit manager/orchestrator/global, reference A.8): on a node
event, an eligible node gets its task; an ineligible node's tasks are shut down.
(`global` is a Python keyword, hence the underscore.)

Reads: node_due, status, availability, tasks. Writes: tasks, created, node_due.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import GLOBAL_DUE, State, Step
from model.orchestration.tasks import (
    AGENT,
    DESIRED,
    DRAIN,
    NODE,
    OBSERVED,
    PAUSE,
    READY,
    RUNNING,
    SHUTDOWN,
    SVC,
    runnable,
    with_field,
)


class GlobalOrchestrator(Cluster):
    """A.8 reconcile, one node at a time."""

    def global_reconcile(self, s: State) -> Iterator[tuple[Step, State]]:
        """A.8, on a node event: a candidate (not drained, not down), active node gets a task
        if it has none; a non-candidate node's tasks are shut down; PAUSE: nothing."""
        for node in range(self.n):
            if not s.node_due[node] & GLOBAL_DUE:
                continue
            after = s.evolve(node_due=put(s.node_due, node, s.node_due[node] & ~GLOBAL_DUE))
            mine = [t for t in s.tasks if t[SVC] == AGENT and t[NODE] == node]
            tasks = [t for t in mine if runnable(t)]
            if "global_duplicate_task" in self.bugs:
                tasks = [t for t in tasks if t[OBSERVED] <= RUNNING]  # a failed task counted as none
            elif self.given_up(s, mine):
                tasks = [max(mine)]  # UpdatableTasksInSlot: stopped for good still fills the node
            candidate = s.availability[node] != DRAIN
            if "global_on_down_node" not in self.bugs:
                candidate = candidate and s.status[node] == READY
            what = "nothing to do"
            paused = s.availability[node] == PAUSE and "global_on_paused_node" not in self.bugs
            if candidate and not paused and not tasks and s.created < self.config.max_tasks:
                after, what = self.new_task(after, AGENT, 0, node), "create"
            elif not candidate and any(runnable(t) for t in tasks):
                for t in filter(runnable, tasks):
                    after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                what = "shut down"
            elif candidate and s.availability[node] != PAUSE and len(tasks) > 1:
                for t in tasks[1:]:  # reconcileOneNode keeps the first clean task (FindTasks order: any)
                    after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                what = "shut down extra tasks"
            yield Step("ReconcileGlobal", node, detail=what), after
