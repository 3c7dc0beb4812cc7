"""What the world does to the cluster: a node goes down or comes back, a container fails or
exits, a health check fails. Each is one fault of the configuration's budget.

Reads: status, tasks. Writes: status, tasks' observed states, and the events they raise.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    COMPLETE,
    DOWN,
    FAILED,
    GONE,
    ID,
    NODE,
    OBSERVED,
    OUTSIDE,
    READY,
    RUNNING,
    STARTING,
    Task,
    with_field,
)


class Faults(Cluster):
    """Node and task faults, and failed health checks (swarmd/dockerexec)."""

    def faults(self, s: State) -> Iterator[tuple[Step, State]]:
        if s.faults >= self.config.max_faults:
            return
        for node in range(self.n):
            if s.status[node] in (GONE, OUTSIDE):
                continue
            if s.status[node] == READY:
                down = s.evolve(status=put(s.status, node, DOWN), faults=s.faults + 1)
                yield Step("NodeDown", node), self.node_event(down, node)
            else:
                up = s.evolve(status=put(s.status, node, READY), faults=s.faults + 1)
                yield Step("NodeUp", node), self.node_event(up, node)
        for t in s.tasks:
            # Only an agent the managers hear from reports a container's end: on a DOWN node the
            # container may stop, but the store learns of it once the node is back (reference A.7).
            if t[OBSERVED] == RUNNING and s.status[t[NODE]] == READY:
                for rule, end in (("TaskFails", FAILED), ("TaskExits", COMPLETE)):
                    ended = self.replace(s, with_field(t, OBSERVED, end)).evolve(faults=s.faults + 1)
                    yield Step(rule, t[NODE], t[ID]), self.task_event(ended, t)
            if self.has_health_check(t) and t[OBSERVED] in (STARTING, RUNNING) and s.status[t[NODE]] == READY:
                yield Step("HealthCheckFails", t[NODE], t[ID]), self.unhealthy(s, t)

    def unhealthy(self, s: State, t: Task) -> State:
        """health_status: unhealthy: the agent shuts the container down and reports FAILED
        (swarmd/dockerexec, ErrContainerUnhealthy), while starting or later."""
        failed = self.replace(s, with_field(t, OBSERVED, FAILED)).evolve(faults=s.faults + 1)
        return self.task_event(failed, t)
