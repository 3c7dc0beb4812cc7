"""The restart supervisor (swarmkit manager/orchestrator/restart, reference A.9): a stopped
task is shut down and, as the policy says, replaced in its slot (web) or on its node
(agent); DelayStart holds the replacement until its predecessor has stopped.

Reads: restart_requests, tasks, status, availability, restarts.
Writes: restart_requests, tasks, created, restarts.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    AGENT,
    COMPLETE,
    DESIRED,
    ID,
    NO_NODE,
    NODE,
    OBSERVED,
    PAUSE,
    PREPARE,
    RUNNING,
    SHUTDOWN,
    SLOT,
    SVC,
    WEB,
    Task,
    still_running,
    with_field,
)


class RestartSupervisor(Cluster):
    """A.9 Restart, DelayStart and the restart history."""

    def restart_supervisor(self, s: State) -> Iterator[tuple[Step, State]]:
        for task_id in sorted(set(s.restart_requests)):
            yield Step("Restart", task=task_id), self.restart(s, task_id)
        yield from self.delayed_starts(s)

    def restart(self, s: State, task_id: int) -> State:
        """Supervisor.Restart: refuse a task already past COMPLETED; shut the old one down;
        if the policy says so, a replacement in the same slot (web) or node (agent)."""
        k = s.restart_requests.index(task_id)
        s = attrs.evolve(s, restart_requests=s.restart_requests[:k] + s.restart_requests[k + 1 :])
        old = next((t for t in s.tasks if t[ID] == task_id), None)
        if old is None:
            return s  # reaped meanwhile
        if old[DESIRED] > COMPLETE and "no_restart_guard" not in self.bugs:
            return s  # "time travel is not allowed": a second request for one task
        if old[DESIRED] < SHUTDOWN:
            s = self.replace(s, with_field(old, DESIRED, SHUTDOWN))
        if not self.should_restart(s, old) or s.created >= self.config.max_tasks:
            return s
        if old[SVC] == AGENT:
            node = old[NODE]
            if old[OBSERVED] == COMPLETE and "global_gap_never_refilled" in self.bugs:
                return s
            if s.availability[node] == PAUSE or self.invalid_node(s, node):
                return s  # A.8 task failure: a gap until the node is active again
            return self.record_restart(self.new_task(s, AGENT, 0, node, self.start_when(s, old)), old)
        return self.record_restart(self.new_task(s, WEB, old[SLOT], NO_NODE, self.start_when(s, old)), old)

    def start_when(self, s: State, old: Task) -> int:
        """DelayStart (A.9): the replacement waits (desired READY) while the old task still runs
        on a node that answers; it does not wait for a stopped task or a down node. The model
        waits for every older task of the slot (node), not only the one restarted: they differ
        only when a waiting replacement is itself restarted, and the older ones are stopping."""
        if "restart_without_waiting" in self.bugs:
            return RUNNING
        return PREPARE if any(still_running(u, s.status) for u in self.group(s, old)) else RUNNING

    def delayed_starts(self, s: State) -> Iterator[tuple[Step, State]]:
        """DelayStart's wait ends: every older task of the slot (node, for the agent) has
        stopped, or its node is down or gone; the replacement gets desired RUNNING."""
        for t in s.tasks:
            if t[DESIRED] != PREPARE:
                continue
            if not any(u[ID] < t[ID] and still_running(u, s.status) for u in self.group(s, t)):
                yield Step("StartReplacement", t[NODE], t[ID]), self.replace(s, with_field(t, DESIRED, RUNNING))

    def record_restart(self, s: State, old: Task) -> State:
        """RecordRestartHistory: counted only when MaxAttempts is set, as in swarmkit."""
        if not self.config.max_attempts:
            return s
        k = self.history_index(old)
        return attrs.evolve(s, restarts=put(s.restarts, k, s.restarts[k] + 1))
