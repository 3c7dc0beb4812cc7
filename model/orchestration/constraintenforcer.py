"""The constraint enforcer (swarmkit manager/orchestrator/constraintenforcer, reference A.10):
a task whose node no longer meets its constraint is rejected, so the orchestrator
replaces it elsewhere.

Reads: status, availability, labels, roles, tasks. Writes: tasks, restart_requests.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.filters import Filters
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    ACTIVE,
    ASSIGNED,
    COMPLETE,
    DESIRED,
    NODE,
    OBSERVED,
    READY,
    REJECTED,
    SHUTDOWN,
    runnable,
    with_field,
)


class ConstraintEnforcer(Filters):
    """A.10: reject what no longer matches."""

    def constraint_enforcer(self, s: State) -> Iterator[tuple[Step, State]]:
        """On an active, ready node, tasks that no longer match are REJECTED (observed state),
        and so restarted elsewhere by the orchestrator."""
        for node in range(self.n):
            if s.status[node] != READY or s.availability[node] != ACTIVE:
                continue
            stale = [
                t
                for t in s.tasks
                if t[NODE] == node
                and runnable(t)
                and ASSIGNED <= t[OBSERVED] < COMPLETE
                and not self.matches(s, t, node)
            ]
            if not stale:
                continue
            after = s
            for t in stale:
                if "enforcer_shuts_down" in self.bugs:
                    after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                else:
                    after = self.task_event(self.replace(after, with_field(t, OBSERVED, REJECTED)), t)
            yield Step("EnforceConstraints", node), after
