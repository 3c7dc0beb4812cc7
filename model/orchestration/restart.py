"""The restart supervisor (swarmkit manager/orchestrator/restart, reference A.9): a stopped
task is shut down and, as the policy says, replaced in its slot (web) or on its node
(agent); DelayStart holds the replacement until the task it replaces has stopped.

Reads: restart_requests, tasks, status, availability, restarts.
Writes: restart_requests, tasks, created, restarts.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    AGENT,
    AWAITS,
    COMPLETE,
    DESIRED,
    ID,
    NO_NODE,
    NO_TASK,
    NODE,
    OBSERVED,
    PAUSE,
    PENDING,
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
        s = s.evolve(restart_requests=s.restart_requests[:k] + s.restart_requests[k + 1 :])
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
            return self.record_restart(self.new_task(s, AGENT, 0, node, self.awaited(s, old)), old)
        if "task_reused_on_restart" in self.bugs and old[OBSERVED] >= SHUTDOWN:
            return self.record_restart(self.replace(s, self.restarted_in_place(old)), old)
        return self.record_restart(self.new_task(s, WEB, old[SLOT], NO_NODE, self.awaited(s, old)), old)

    def restarted_in_place(self, old: Task) -> Task:
        """The seeded bug task_reused_on_restart: the stopped task itself is sent back to the
        scheduler (pending, wanted running, on no node) instead of a new task in its slot."""
        return with_field(with_field(with_field(old, NODE, NO_NODE), OBSERVED, PENDING), DESIRED, RUNNING)

    def awaited(self, s: State, old: Task) -> Task | None:
        """DelayStart (A.9): the replacement waits (desired READY) for the task it replaces while
        that one still runs on a node that answers; not for a stopped task or a down node."""
        if "restart_without_waiting" in self.bugs or not still_running(old, s.status):
            return None
        return old

    def delayed_starts(self, s: State) -> Iterator[tuple[Step, State]]:
        """DelayStart's wait ends: the task it waits for has stopped, or its node is down or
        gone, or it was deleted; the replacement gets desired RUNNING."""
        by_id = {t[ID]: t for t in s.tasks}
        for t in s.tasks:
            if t[DESIRED] != PREPARE:
                continue
            old = by_id.get(t[AWAITS])
            if old is None or not still_running(old, s.status):
                started = with_field(with_field(t, DESIRED, RUNNING), AWAITS, NO_TASK)
                yield Step("StartReplacement", t[NODE], t[ID]), self.replace(s, started)

    def record_restart(self, s: State, old: Task) -> State:
        """RecordRestartHistory: counted only when MaxAttempts is set, as in swarmkit."""
        if not self.config.max_attempts:
            return s
        k = self.history_index(old)
        return s.evolve(restarts=put(s.restarts, k, s.restarts[k] + 1))
