"""Secrets and network keys reaching nodes: tasks and their states, the dispatcher's assignment
batches and the agent applying them (F.5.1-2), swarm leave (F.4.6), and the network key ring
rotating and being pushed to every open session (F.6.2-3)."""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.security.config import Config
from model.security.state import (
    ASSIGNED,
    COMPLETE,
    MANAGER,
    NOWHERE,
    PENDING,
    RUNNING,
    W1,
    State,
    Step,
    secret_of,
)

Steps = Iterator[tuple[Step, State]]


class Secrets:
    config: Config

    # ------------------------------------------------------------ tasks

    def schedule(self, s: State, k: int) -> Steps:
        """The scheduler assigns a pending task: the replicated one to a worker that is up, a
        global one on the node it was preassigned to (managers are drained here); a task enters
        its node's assignment set from ASSIGNED on (F.5.1)."""
        service, node, state = s.tasks[k]
        if state != PENDING:
            return
        targets = [node] if node != NOWHERE else [n for n in (W1,) if s.exists[n] and not s.left[n]]
        for n in targets:
            if s.exists[n] and not s.left[n] and s.role[n] != MANAGER:
                yield (
                    Step("Schedule", n, detail=f"task {k}"),
                    s._replace(
                        tasks=put(s.tasks, k, (service, n, ASSIGNED)),
                        assigned_ever=put(s.assigned_ever, n, s.assigned_ever[n] | secret_of(service)),
                    ),
                )

    def task_runs(self, s: State, k: int) -> Steps:
        """The agent starts the task: still within ASSIGNED..RUNNING, its secrets stay (F.5.1)."""
        service, node, state = s.tasks[k]
        if state == ASSIGNED and (not s.left[node] or "task_runs_after_leave" in self.config.bugs):
            yield (
                Step("TaskRuns", node, detail=f"task {k}"),
                s._replace(tasks=put(s.tasks, k, (service, node, RUNNING))),
            )

    def task_completes(self, s: State, k: int) -> Steps:
        """The agent reports the task's observed state past RUNNING (F.5.2 releases here)."""
        service, node, state = s.tasks[k]
        if state == RUNNING:
            yield (
                Step("TaskCompletes", node, detail=f"task {k}"),
                s._replace(tasks=put(s.tasks, k, (service, node, COMPLETE))),
            )

    # ------------------------------------------------------------ assignments

    def dispatch(self, s: State, n: int) -> Steps:
        """The dispatcher sends node n a batch: the secrets of its tasks from ASSIGNED to RUNNING;
        a secret whose last holding task has moved on is removed (F.5.1-2)."""
        if not (s.exists[n] and (s.sessions[n] or "dispatch_without_session" in self.config.bugs)):
            return
        lowest = PENDING if "secret_before_assigned" in self.config.bugs else ASSIGNED
        wanted = 0
        for service, node, state in s.tasks:
            if node == n and lowest <= state <= RUNNING:
                wanted |= secret_of(service)
        if "secret_not_released" in self.config.bugs:
            wanted |= s.sent[n]
        if wanted != s.sent[n]:
            yield Step("Dispatch", n), s._replace(sent=put(s.sent, n, wanted), batch=put(s.batch, n, 1))

    def agent_applies(self, s: State, n: int) -> Steps:
        """The agent applies the batch: it holds exactly what it was sent (F.5.2)."""
        if s.batch[n] and not s.left[n]:
            held = s.held[n] | s.sent[n] if "agent_keeps_released_secrets" in self.config.bugs else s.sent[n]
            yield Step("AgentApplies", n), s._replace(held=put(s.held, n, held), batch=put(s.batch, n, 0))

    def leave(self, s: State, n: int) -> Steps:
        """`docker swarm leave` on a worker: its session ends and it clears its assignments, secrets
        included (swarmkit#1758, F.4.6)."""
        if s.exists[n] and not s.left[n] and s.role[n] != MANAGER:
            held = s.held if "leave_keeps_secrets" in self.config.bugs else put(s.held, n, 0)
            yield (
                Step("Leave", n),
                s._replace(left=put(s.left, n, 1), sessions=put(s.sessions, n, 0), held=held, batch=put(s.batch, n, 0)),
            )

    # ------------------------------------------------------------ network keys

    def rotate_keys(self, s: State) -> Steps:
        """The leader's key manager adds a key and drops the oldest; every open session is pushed the
        ring (F.6.2-3): the nodes' own, and the attacker's."""
        if s.ring >= self.config.max_key_rotations:
            return
        ring = s.ring + 1
        to_all = "keys_to_closed_sessions" in self.config.bugs
        known = tuple(ring if open_ or to_all else k for open_, k in zip(s.sessions, s.known, strict=True))
        att_known = ring if s.att_sessions else s.att_known
        yield Step("RotateKeys", detail=f"key {ring}"), s._replace(ring=ring, known=known, att_known=att_known)
