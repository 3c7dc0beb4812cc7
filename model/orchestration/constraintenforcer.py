"""The constraint enforcer (swarmkit manager/orchestrator/constraintenforcer, reference A.10):
a task whose node no longer meets its constraint, or whose reservation no longer fits beside
the tasks before it, is rejected, so the orchestrator replaces it elsewhere.

Reads: node_due, availability, labels, roles, tasks. Writes: tasks, restart_requests, node_due.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

from model.kernel import put
from model.orchestration.filters import Filters
from model.orchestration.state import ENFORCER_DUE, State, Step
from model.orchestration.tasks import (
    ACTIVE,
    ASSIGNED,
    COMPLETE,
    DESIRED,
    ID,
    NODE,
    OBSERVED,
    REJECTED,
    SHUTDOWN,
    Task,
    task_names,
    with_field,
)


class ConstraintEnforcer(Filters):
    """A.10: reject what no longer matches, or no longer fits."""

    def constraint_enforcer(self, s: State) -> Iterator[tuple[Step, State]]:
        """On a node update (as swarmkit runs it), if the node is active (whatever its status):
        the tasks bound to it (desired ASSIGNED to COMPLETED, not yet ended: a preassigned
        pending task too) that no longer match, or no longer fit in the node's CPUs counted in
        FindTasks order (any order: it is unsorted), are REJECTED (observed state), and so
        restarted by the orchestrator."""
        for node in range(self.n):
            if not s.node_due[node] & ENFORCER_DUE:
                continue
            handled = s.evolve(node_due=put(s.node_due, node, s.node_due[node] & ~ENFORCER_DUE))
            bound = [
                t for t in s.tasks if t[NODE] == node and ASSIGNED <= t[DESIRED] <= COMPLETE and t[OBSERVED] < COMPLETE
            ]
            active = s.availability[node] == ACTIVE
            outcomes = {self.noncompliant(s, node, order) for order in permutations(bound)} if active else {()}
            if outcomes == {()}:
                yield Step("EnforceConstraints", node, detail="nothing to reject"), handled
                continue
            for stale in sorted(outcomes):
                after = handled
                for t in (u for u in bound if u[ID] in stale):
                    if "enforcer_shuts_down" in self.bugs:
                        after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                    else:
                        after = self.task_event(self.replace(after, with_field(t, OBSERVED, REJECTED)), t)
                yield Step("EnforceConstraints", node, detail=f"reject {task_names(stale)}"), after

    def noncompliant(self, s: State, node: int, order: tuple[Task, ...]) -> tuple[int, ...]:
        """rejectNoncompliantTasks' loop: a task that fails the constraint, or whose reservation
        exceeds what the tasks before it left of the node's CPUs; the ids, sorted."""
        available = self.cpus(node)
        rejected = []
        for t in order:
            need = self.reservation(t)
            if not self.matches(s, t, node) or need > available:
                rejected.append(t[ID])
            else:
                available -= need
        return tuple(sorted(rejected))
