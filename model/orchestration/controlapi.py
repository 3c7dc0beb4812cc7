"""What users do through the managers' control API (reference A.2): join and remove nodes,
drain, pause and activate them, scale, label, promote and demote, update and remove a
service. Each is one user operation of the configuration's budget.

Reads: status, availability, roles, labels, replicas, version, tasks.
Writes: those, plus the events they raise (replicated_due, node_due, restart_requests).
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    ACTIVE,
    AGENT,
    DEMOTING,
    DESIRED,
    DRAIN,
    GONE,
    IDLE,
    MANAGER,
    NODE,
    OBSERVED,
    ORPHANED,
    OUTSIDE,
    PAUSE,
    PROMOTING,
    READY,
    REMOVE,
    RUNNING,
    SHUTDOWN,
    SVC,
    UPDATING,
    WEB,
    WORKER,
    with_field,
)


class ControlAPI(Cluster):
    """`docker node ...`, `docker service ...` and `docker swarm join`."""

    def user_actions(self, s: State) -> Iterator[tuple[Step, State]]:
        if s.user_ops >= self.config.max_user_ops:
            return
        for node in range(self.n):
            if s.status[node] == OUTSIDE:
                yield Step("Join", node), self.join(s, node)
            if s.status[node] in (GONE, OUTSIDE):
                continue
            if self.config.removals:
                yield Step("RemoveNode", node), self.remove_node(s, node)
            for availability, rule in ((ACTIVE, "Activate"), (PAUSE, "Pause"), (DRAIN, "Drain")):
                if s.availability[node] != availability:
                    yield Step(rule, node), self.set_availability(s, node, availability)
        yield from self.service_actions(s)
        for replicas in range(self.config.max_replicas + 1):
            if replicas != s.replicas and s.version:
                scaled = s.evolve(replicas=replicas, replicated_due=1, user_ops=s.user_ops + 1)
                yield Step("Scale", detail=f"{replicas} replicas"), scaled
        c = self.constraint
        labelled = (c is not None and c.subject == "label") or self.config.spread
        for node in range(self.n):
            if s.status[node] in (GONE, OUTSIDE):
                continue
            if labelled:
                yield self.toggle_label(s, node)
            if c is None:
                continue
            if c.subject == "role" and s.roles[node] == WORKER:
                yield Step("Promote", node), self.change_role(s, node, PROMOTING)
            if c.subject == "role" and s.roles[node] == MANAGER and s.roles.count(MANAGER) > 1:
                yield Step("Demote", node), self.change_role(s, node, DEMOTING)

    def toggle_label(self, s: State, node: int) -> tuple[Step, State]:
        """`docker node update --label-add/--label-rm`: a node update (A.8, A.10)."""
        rule = "RemoveLabel" if s.labels[node] else "AddLabel"
        labelled = s.evolve(labels=put(s.labels, node, 1 - s.labels[node]), user_ops=s.user_ops + 1)
        return Step(rule, node, detail="=".join(self.label())), self.node_updated(labelled, node)

    def change_role(self, s: State, node: int, role: int) -> State:
        """`docker node promote/demote` sets the desired role; the role manager finishes it later.
        Demoting the last manager is refused (swarm keeps a quorum, B)."""
        return s.evolve(roles=put(s.roles, node, role), user_ops=s.user_ops + 1)

    def service_actions(self, s: State) -> Iterator[tuple[Step, State]]:
        """`docker service update` (one new spec) and `docker service rm` for web."""
        if self.config.updates and s.version == 1:
            updated = s.evolve(version=2, update=UPDATING, replicated_due=1, user_ops=s.user_ops + 1)
            yield Step("UpdateService", detail="spec 2"), updated
        if self.config.service_removal and s.version:
            yield Step("RemoveService"), self.remove_service(s)

    def remove_service(self, s: State) -> State:
        """controlapi RemoveService: every task of the service gets desired REMOVE; the reaper
        deletes each once it has stopped (A.1); the updater stops with it."""
        end = SHUTDOWN if "removed_service_tasks_kept" in self.bugs else REMOVE
        tasks = tuple(with_field(t, DESIRED, max(t[DESIRED], end)) if t[SVC] == WEB else t for t in s.tasks)
        return s.evolve(tasks=tasks, version=0, update=IDLE, update_slot=0, update_task=-1, user_ops=s.user_ops + 1)

    def set_availability(self, s: State, node: int, availability: int) -> State:
        """`docker node update --availability`; an invalid node's web tasks get restart
        requests (A.7 node events); PAUSE triggers nothing."""
        ignored = s.availability[node] == DRAIN and "undrain_ignored" in self.bugs
        s = s.evolve(availability=put(s.availability, node, availability), user_ops=s.user_ops + 1)
        return self.node_event(s, node, to_global=not ignored)

    def join(self, s: State, node: int) -> State:
        """`docker swarm join`: the node is created READY and ACTIVE; a node create is an event
        for the global orchestrator (A.8) and a scheduler tick (A.5); nothing moves to it."""
        s = s.evolve(status=put(s.status, node, READY), user_ops=s.user_ops + 1)
        return self.global_event(s, node)

    def remove_node(self, s: State, node: int) -> State:
        """controlapi RemoveNode --force: the node's non-terminal tasks are ORPHANED (A.1), its
        global tasks deleted (A.8), its web tasks restarted (A.7); NetworkDB deletes every entry
        the node owned, so the others drop its tasks from DNS and the mesh (D)."""
        tasks = []
        for t in s.tasks:
            if t[NODE] == node and t[SVC] == AGENT:
                continue
            tasks.append(with_field(t, OBSERVED, ORPHANED) if t[NODE] == node and t[OBSERVED] <= RUNNING else t)
        s = s.evolve(
            status=put(s.status, node, GONE),
            tasks=tuple(tasks),
            node_due=put(s.node_due, node, 0),
            dns=put(s.dns, node, ()),
            backends=put(s.backends, node, ()),
            user_ops=s.user_ops + 1,
        )
        return self.node_event(s, node, to_global=False)
