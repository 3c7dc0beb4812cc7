"""The orchestration model, composed of swarmkit's components.

Each component is a module of its own, named after swarmkit's package: the control API
(users), faults, the role manager, the replicated and global orchestrators, the
constraint enforcer, the updater, the restart supervisor, the scheduler, the agents,
the task reaper and service discovery. This class puts them together: the initial
state, the order of the steps (users, then faults, then the control loop), bounds,
and what a report shows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from operator import attrgetter
from typing import Any, ClassVar

import attrs

from model.orchestration.agent import Agents
from model.orchestration.constraintenforcer import ConstraintEnforcer
from model.orchestration.controlapi import ControlAPI
from model.orchestration.diagram import Diagram
from model.orchestration.discovery import ServiceDiscovery
from model.orchestration.faults import Faults
from model.orchestration.global_ import GlobalOrchestrator
from model.orchestration.replicated import ReplicatedOrchestrator
from model.orchestration.restart import RestartSupervisor
from model.orchestration.rolemanager import RoleManager
from model.orchestration.scheduler import TaskScheduler
from model.orchestration.state import State, Step
from model.orchestration.symmetry import NodeSymmetry
from model.orchestration.taskreaper import TaskReaper
from model.orchestration.tasks import (
    ACTIVE,
    AVAILABILITY,
    DESIRED,
    ID,
    MANAGER,
    NO_NODE,
    NODE,
    OBSERVED,
    OUTSIDE,
    READY,
    SERVICE,
    SLOT,
    STATE_NAME,
    STATUS,
    SVC,
    UPDATE_STATE,
    VERSION,
    WEB,
    WORKER,
)
from model.orchestration.update import Updater

_all_fields = attrgetter(*(f.name for f in attrs.fields(State)))  # faster than attrs.astuple

# What users do (one user operation each), as against faults and the control loop.
USER_KINDS = (
    "UpdateService",
    "RemoveService",
    "Activate",
    "Pause",
    "Drain",
    "Scale",
    "AddLabel",
    "RemoveLabel",
    "Promote",
    "Demote",
    "Join",
    "RemoveNode",
)


class Orchestration(
    ControlAPI,
    Faults,
    RoleManager,
    ReplicatedOrchestrator,
    GlobalOrchestrator,
    ConstraintEnforcer,
    Updater,
    RestartSupervisor,
    TaskScheduler,
    Agents,
    TaskReaper,
    ServiceDiscovery,
    NodeSymmetry,
    Diagram,
):
    """swarmkit's orchestration for a `Config` (the model the command line calls `scheduler`)."""

    name = "scheduler"
    # Keys and canonical forms are tuples of ints no lower than -1 (model/kernel.py): hash() fingerprints.
    hash_fingerprints = True
    # Where describe_state shows each field (reports mark the fields a property reads).
    described_as: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **dict.fromkeys(("status", "availability", "labels", "roles"), ("nodes.*",)),
        **dict.fromkeys(("replicas", "version", "update", "update_slot", "update_task"), ("web",)),
        "tasks": ("tasks.*",),
        "restart_requests": ("restart requests",),
        "dns": ("dns tasks.web.*",),
        "backends": ("lb backends.*",),
    }
    USER_KINDS = USER_KINDS
    fault_kinds = ("NodeDown", "NodeUp", "TaskFails", "TaskExits", "HealthCheckFails")

    def init_states(self) -> Iterator[State]:
        n = self.n
        joined = n - self.config.joiners
        yield State(
            status=(READY,) * joined + (OUTSIDE,) * self.config.joiners,
            availability=(ACTIVE,) * n,
            replicas=self.config.replicas,
            tasks=(),
            created=0,
            restart_requests=(),
            dns=((),) * n,
            backends=((),) * n,
            labels=self.initial_labels(),
            roles=self.initial_roles(),
            replicated_due=1,  # the services were just created
            node_due=((1,) * joined if self.config.global_service else (0,) * joined) + (0,) * self.config.joiners,
            restarts=(0,) * (self.config.max_replicas + n),
        )

    def initial_labels(self) -> tuple[int, ...]:
        """Only n1 has the label under ==, all but the last under !=: one node fits either way."""
        c = self.constraint
        if c is not None and c.label is not None and not c.equal:
            return (1,) * (self.n - 1) + (0,)
        if (c is not None and c.label is not None) or self.config.spread:
            return (1,) + (0,) * (self.n - 1)
        return (0,) * self.n

    def initial_roles(self) -> tuple[int, ...]:
        """Every node a manager (a small swarm's usual shape, and symmetric), except under a role
        constraint: then the last node is a worker, so node.role!=manager fits one node."""
        if self.constraint is None or self.constraint.subject != "role" or self.n == 1:
            return (MANAGER,) * self.n
        return (MANAGER,) * (self.n - 1) + (WORKER,)

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
        """Users, then the world, then the control loop: in this order, every run."""
        yield from self.user_actions(s)
        yield from self.faults(s)
        yield from self.control_loop(s)

    def control_loop(self, s: State) -> Iterator[tuple[Step, State]]:
        """The manager's and agents' own steps, each enabled while it has work."""
        yield from self.role_manager(s)
        yield from self.replicated_reconcile(s)
        yield from self.global_reconcile(s)
        yield from self.constraint_enforcer(s)
        yield from self.updater(s)
        yield from self.restart_supervisor(s)
        yield from self.schedule(s)
        yield from self.agents(s)
        yield from self.task_reaper(s)
        yield from self.service_discovery(s)

    def quiescent(self, s: State) -> bool:
        """No control-loop step is enabled: what the cluster converges to."""
        return next(iter(self.control_loop(s)), None) is None

    def within_bounds(self, s: State) -> bool:
        return s.created <= self.config.max_tasks

    def key(self, s: State) -> Hashable:
        return _all_fields(s)

    def from_key(self, key: tuple[Any, ...]) -> State:
        return State(*key)

    def switched_off(self) -> frozenset[str]:
        """The action kinds this configuration makes impossible (coverage: "off", not "never reached")."""
        c, constraint = self.config, self.constraint
        off = set()
        if not c.max_user_ops:
            off |= set(USER_KINDS)
        if not c.max_faults:
            off |= set(self.fault_kinds)
        if not c.joiners:
            off.add("Join")
        if not c.removals:
            off.add("RemoveNode")
        if not ((constraint is not None and constraint.subject == "label") or c.spread):
            off |= {"AddLabel", "RemoveLabel"}
        if constraint is None or constraint.subject != "role":
            off |= {"Promote", "Demote", "RoleChange"}
        if not self.enforcer_watches:
            off.add("EnforceConstraints")
        if not c.updates:
            off |= {"UpdateService", "UpdateSlot", "SlotUpdated", "MonitorElapsed", "UpdatePaused", "UpdateDone"}
        if not c.service_removal:
            off.add("RemoveService")
        if not c.health_check:
            off |= {"HealthCheckFails", "Healthy"}
        if not c.global_service:
            off.add("ReconcileGlobal")
        return frozenset(off)

    def action_kinds(self) -> list[str]:
        return [
            "Activate",
            "Pause",
            "Drain",
            "Scale",
            "Join",
            "RemoveNode",
            "NodeDown",
            "NodeUp",
            "TaskFails",
            "TaskExits",
            "HealthCheckFails",
            "Healthy",
            "AddLabel",
            "RemoveLabel",
            "Promote",
            "Demote",
            "RoleChange",
            "ReconcileReplicated",
            "ReconcileGlobal",
            "EnforceConstraints",
            "UpdateService",
            "RemoveService",
            "UpdateSlot",
            "SlotUpdated",
            "MonitorElapsed",
            "UpdatePaused",
            "UpdateDone",
            "Restart",
            "StartReplacement",
            "Schedule",
            "AgentStart",
            "AgentStop",
            "Reap",
            "DiscoverySync",
        ]

    def rate(self, kind: str) -> int:
        return 1 if kind in self.fault_kinds or kind in USER_KINDS else 10

    def describe_state(self, s: State) -> Mapping[str, Any]:
        return {
            "nodes": {
                f"n{i + 1}": f"{STATUS[s.status[i]]}, {AVAILABILITY[s.availability[i]]}"
                + (f", {self.node_facts(s, i)}" if self.node_facts(s, i) else "")
                for i in range(self.n)
            },
            "web": f"{s.replicas} replicas"
            + (f", spec {s.version}" if s.version else ", removed")
            + (f", update {UPDATE_STATE[s.update]}" if self.config.updates else "")
            + (f" (slot {s.update_slot}, waiting on t{s.update_task})" if s.update_slot else ""),
            "tasks": {
                f"t{t[ID]}": f"{SERVICE[t[SVC]]}"
                + (f" slot {t[SLOT]}" if t[SVC] == WEB else "")
                + (f" on n{t[NODE] + 1}" if t[NODE] != NO_NODE else "")
                + (f", spec {t[VERSION]}" if t[SVC] == WEB and self.config.updates else "")
                + f", desired {STATE_NAME[t[DESIRED]]}, observed {STATE_NAME[t[OBSERVED]]}"
                for t in s.tasks
            },
            "restart requests": [f"t{i}" for i in s.restart_requests],
            "dns tasks.web": {f"n{i + 1}": [f"t{x}" for x in s.dns[i]] for i in range(self.n)},
            "lb backends": {f"n{i + 1}": [f"t{x}" for x in s.backends[i]] for i in range(self.n)},
        }

    def config_data(self) -> Mapping[str, Any]:
        data = attrs.asdict(self.config)
        data["bugs"] = sorted(self.config.bugs)
        return data
