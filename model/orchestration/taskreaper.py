"""The task reaper (swarmkit manager/orchestrator/taskreaper): deletes removed tasks once
they have stopped, and old finished ones beyond the retention limit.

Reads: tasks, restart_requests. Writes: tasks.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    ASSIGNED,
    DESIRED,
    ID,
    NODE,
    OBSERVED,
    REMOVE,
    RUNNING,
    SLOT,
    SVC,
    WEB,
)


class TaskReaper(Cluster):
    """taskreaper.go's retention, per slot or node."""

    def task_reaper(self, s: State) -> Iterator[tuple[Step, State]]:
        """taskreaper.go tick: a removed task (desired REMOVE) is deleted once it has stopped or
        will never run; in a slot (node, for the agent) holding more tasks than the retention,
        any task that has ended (observed past RUNNING, whatever its desired state) or will never
        run may go, in whichever order the status timestamps put them. A task whose restart is
        still queued is left: swarmkit restarts it in the same event, before the reaper looks."""
        retention = self.config.max_attempts + 1 if self.config.max_attempts else 1
        groups: dict[tuple[int, int], int] = {}
        for t in s.tasks:
            key = (t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE])
            groups[key] = groups.get(key, 0) + 1
        for t in s.tasks:
            ended = t[OBSERVED] > RUNNING
            never_runs = t[OBSERVED] < ASSIGNED and t[DESIRED] > RUNNING
            if not (ended or never_runs) or t[ID] in s.restart_requests:
                continue
            crowded = groups[(t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE])] > retention
            if t[DESIRED] == REMOVE or crowded:
                after = s.evolve(tasks=tuple(u for u in s.tasks if u[ID] != t[ID]))
                if t[SVC] == WEB and t[DESIRED] <= RUNNING:
                    after = after.evolve(replicated_due=1)  # A.7: a runnable task deleted
                yield Step("Reap", t[NODE], t[ID]), after
