"""The task reaper (swarmkit manager/orchestrator/taskreaper): deletes removed tasks once
they have stopped, and old finished ones beyond the retention limit.

Reads: tasks, restart_requests. Writes: tasks.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

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
    SHUTDOWN,
    SLOT,
    SVC,
    WEB,
    Task,
)


class TaskReaper(Cluster):
    """taskreaper.go's retention, per slot or node."""

    def task_reaper(self, s: State) -> Iterator[tuple[Step, State]]:
        """taskreaper: a finished task is deleted if it was removed (desired REMOVE), or if it is
        the oldest finished one of a slot (node, for the agent) holding more than the retention."""
        retention = self.config.max_attempts + 1 if self.config.max_attempts else 1
        groups: dict[tuple[int, int], list[Task]] = {}
        for t in s.tasks:
            groups.setdefault((t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE]), []).append(t)
        for t in s.tasks:
            finished = t[OBSERVED] > RUNNING or t[OBSERVED] < ASSIGNED
            if t[DESIRED] < SHUTDOWN or not finished or t[ID] in s.restart_requests:
                continue
            group = groups[(t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE])]
            oldest = min(
                u for u in group if u[DESIRED] >= SHUTDOWN and (u[OBSERVED] > RUNNING or u[OBSERVED] < ASSIGNED)
            )
            if t[DESIRED] == REMOVE or (len(group) > retention and t == oldest):
                kept = tuple(u for u in s.tasks if u[ID] != t[ID])
                yield Step("Reap", t[NODE], t[ID]), attrs.evolve(s, tasks=kept)
