"""The replicated orchestrator (swarmkit manager/orchestrator/replicated, reference A.7): on
a service event, create the missing slots or remove the extra ones.

Reads: replicated_due, replicas, version, tasks. Writes: tasks, created, replicated_due.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    DESIRED,
    NO_NODE,
    NODE,
    OBSERVED,
    REMOVE,
    RUNNING,
    SLOT,
    SVC,
    WEB,
    with_field,
)


class ReplicatedOrchestrator(Cluster):
    """A.7 reconcile and its scale-down choice."""

    def replicated_reconcile(self, s: State) -> Iterator[tuple[Step, State]]:
        """A.7 reconcile, on a service event: create the missing slots (lowest numbers first)
        or remove the extra ones, and delete the tasks of dead slots, in one transaction."""
        if not s.replicated_due or not s.version:
            return
        after = s.evolve(replicated_due=0)
        updatable = self.updatable_slots(s)
        created = []
        while len(updatable) < s.replicas and after.created < self.config.max_tasks:
            free = next(slot for slot in range(1, len(updatable) + 2) if slot not in updatable)
            after = self.new_task(after, WEB, free, NO_NODE)
            updatable = sorted((*updatable, free))
            created.append(free)
        # deleteTasksMap: the dead slots' tasks leave the store, save a slot addTasks just reused.
        dead = [slot for slot in self.slots(s) if slot not in updatable and slot not in created]
        after = after.evolve(tasks=tuple(t for t in after.tasks if t[SVC] != WEB or t[SLOT] not in dead))
        removed = []
        while len(updatable) > s.replicas:
            slot = self.slot_to_remove(after, updatable)
            for t in self.slots(after)[slot]:
                if t[DESIRED] < REMOVE:
                    after = self.replace(after, with_field(t, DESIRED, REMOVE))
            updatable.remove(slot)
            removed.append(slot)
        what = f"create slots {created}" if created else f"remove slots {removed}" if removed else "nothing to do"
        what += f", delete dead slots {dead}" if dead else ""
        yield Step("ReconcileReplicated", detail=what), after

    def slot_to_remove(self, s: State, updatable: list[int]) -> int:
        """A.7 scale-down: keep running slots, spread per node, lower slot numbers; remove the last."""
        slots = self.slots(s)
        per_node: dict[int, int] = {}

        def rank(slot: int) -> tuple[int, int, int]:
            tasks = slots[slot]
            running = any(t[OBSERVED] == RUNNING for t in tasks)
            node = tasks[0][NODE] if len(tasks) == 1 else NO_NODE
            copies = per_node.get(node, 0)
            if node != NO_NODE:
                per_node[node] = copies + 1
            return (copies if node != NO_NODE else self.n, 0 if running else 1, slot)

        ordered = sorted(
            sorted(updatable, key=lambda slot: (not any(t[OBSERVED] == RUNNING for t in slots[slot]), slot)), key=rank
        )
        return ordered[-1]
