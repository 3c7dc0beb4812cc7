"""Each node's agent (swarmkit agent/, reference A.1): it starts assigned tasks, reports
them healthy, and stops those the managers no longer want. A down node's agent waits.

Reads: tasks, status. Writes: tasks' observed states.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    ASSIGNED,
    DESIRED,
    ID,
    NO_NODE,
    NODE,
    OBSERVED,
    READY,
    RUNNING,
    SHUTDOWN,
    STARTING,
    with_field,
)


class Agents(Cluster):
    """Every node's agent, each task a step."""

    def agents(self, s: State) -> Iterator[tuple[Step, State]]:
        for t in s.tasks:
            node = t[NODE]
            if node == NO_NODE or s.status[node] != READY:
                continue  # a down node's agent does nothing until it is back
            if t[OBSERVED] == ASSIGNED and t[DESIRED] == RUNNING:  # desired READY: prepared, not started
                started = STARTING if self.has_health_check(t) else RUNNING
                yield Step("AgentStart", node, t[ID]), self.replace(s, with_field(t, OBSERVED, started))
            elif t[OBSERVED] == STARTING and (t[DESIRED] <= RUNNING or "healthy_after_shutdown" in self.bugs):
                yield Step("Healthy", node, t[ID]), self.replace(s, with_field(t, OBSERVED, RUNNING))
            elif t[OBSERVED] <= RUNNING and t[DESIRED] >= SHUTDOWN and t[OBSERVED] >= ASSIGNED:
                yield Step("AgentStop", node, t[ID]), self.replace(s, with_field(t, OBSERVED, SHUTDOWN))
