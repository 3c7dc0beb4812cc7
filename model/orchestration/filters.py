"""The scheduler's filters (reference A.3: ready, resources, MaxReplicas, constraint) and
A.4's constraint as a node's facts show it. The constraint enforcer uses the same match.

Reads: status, availability, tasks, labels, roles. Writes: nothing.
"""

from __future__ import annotations

from model.orchestration import constraint as placement
from model.orchestration.cluster import Cluster
from model.orchestration.state import State
from model.orchestration.tasks import (
    ACTIVE,
    AVAILABILITY,
    DEMOTING,
    MANAGER,
    NODE,
    OBSERVED,
    PROMOTING,
    READY,
    ROLE,
    RUNNING,
    STATUS,
    SVC,
    WEB,
    Task,
    active_on_node,
    runnable,
)


class Filters(Cluster):
    """swarmkit's manager/scheduler/filter.go pipeline, in its order."""

    def facts(self, s: State, node: int, desired_role: bool = False) -> placement.NodeFacts:
        """What A.4 can see of a node: hostname, current role, the constraint's label."""
        role = s.roles[node]
        manager = role in ((MANAGER, PROMOTING) if desired_role else (MANAGER, DEMOTING))
        labels = (self.label(),) if s.labels[node] else ()
        return placement.NodeFacts(self.hostname(node), "manager" if manager else "worker", labels)

    def web_tasks_on(self, s: State, node: int) -> int:
        """ActiveTasksCountByService: the node's web tasks the scheduler counts (A.1, A.3)."""
        if "max_replicas_counts_running_only" in self.bugs:
            return sum(
                1 for t in s.tasks if t[SVC] == WEB and t[NODE] == node and t[OBSERVED] == RUNNING and runnable(t)
            )
        return sum(1 for t in s.tasks if t[SVC] == WEB and t[NODE] == node and active_on_node(t))

    def fits(self, s: State, t: Task, node: int) -> bool:
        return self.unfit(s, t, node) is None

    def unfit(self, s: State, t: Task, node: int) -> str | None:
        """A.3's pipeline, in order (the filters this model has); the first that fails, or None."""
        if s.status[node] != READY:
            return "ready filter: the node is " + STATUS[s.status[node]]
        if s.availability[node] != ACTIVE and "ignore_availability" not in self.bugs:
            return f"ready filter: the node's availability is {AVAILABILITY[s.availability[node]]}"
        need = self.reservation(t)
        if need:
            slack = 1 if "overcommit" in self.bugs else -1 if "strict_resource_check" in self.bugs else 0
            free = self.cpus(node) - self.used(s, node)
            if need > free + slack:
                return f"resource filter: {free} CPU free, {need} reserved"
        if t[SVC] == WEB and self.config.max_per_node:
            here = self.web_tasks_on(s, node)
            if here >= self.config.max_per_node:
                return (
                    f"max replicas filter: n{node + 1} has {here} web tasks, MaxReplicas is {self.config.max_per_node}"
                )
        if not self.matches(s, t, node):
            return f"constraint filter: {self.constraint} does not hold on {self.describe_node(s, node)}"
        return None

    def matches(self, s: State, t: Task, node: int) -> bool:
        """A.4: web's constraint against the node's facts."""
        c = self.constraint
        if t[SVC] != WEB or c is None:
            return True
        missing = c.label is not None and not s.labels[node]
        if missing and c.equal and "missing_label_equals_any" in self.bugs:
            return True
        if missing and not c.equal and "missing_label_fails_not_equal" in self.bugs:
            return False
        desired = "constraint_uses_desired_role" in self.bugs
        return placement.matches(c, self.facts(s, node, desired_role=desired))

    def node_facts(self, s: State, node: int) -> str:
        """What web's constraint or spread reads of a node: `no zone label`, `manager, demotion pending`."""
        c = self.constraint
        if (c is not None and c.label is not None) or self.config.spread:
            name, value = self.label()
            return f"{name}={value}" if s.labels[node] else f"no {name} label"
        return ROLE[s.roles[node]] if c is not None and c.subject == "role" else ""

    def describe_node(self, s: State, node: int) -> str:
        """The node as web's constraint sees it: `n2 (no zone label)`."""
        facts = self.node_facts(s, node)
        return f"{self.hostname(node)} ({facts})" if facts else self.hostname(node)
