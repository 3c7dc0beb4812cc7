"""Orchestration: swarmkit's orchestrators, restart supervisor, updater, constraint
enforcer, scheduler, agents and service discovery, as separate steps so that their
interleavings are explored.

Follows ../shared/reference/swarm-semantics.md sections A and D; each rule names its
section. One replicated service (`web`, N replicas in slots 1..N) and, optionally,
one global service (`agent`, one task per eligible node). Tasks are the store's
records: (id, service, slot, node, desired, observed, spec version), with swarmkit's
state numbers, so "never goes back" is a comparison. Control-loop work is triggered
the way swarmkit triggers it, by events: a node or task change queues a restart
request, processed later by its own step, possibly after the store has moved on
(A.7, A.9).

The records (task states, node facts, the task tuple and A.1's predicates) live in
`model.tasks`; constraints (A.4) in `model.constraint`.

Simplifications, each stated:
- the allocator is folded into task creation (tasks are born PENDING);
- the agent's ACCEPTED..STARTING are one step to RUNNING, or to STARTING when web has a
  health check (the agent reports RUNNING once healthy, swarmd/dockerexec Start);
- no clock: the restart delay and Window are zero, and DelayStart's one-minute timeout
  never fires (a replacement waits, desired READY, until the older tasks of its slot have
  stopped or lost their node; see `start_when`);
- the task reaper keeps one task per slot (TaskHistoryRetentionLimit 1; swarm's default
  is 5, and only the newest matters to the orchestrator), or MaxAttempts + 1 as swarmkit
  forces;
- tasks are scheduled one at a time (swarmkit fills a batch; its spread tree and
  bounded heap reduce to the per-task choice for one task);
- updates: web only, parallelism 1, no delay, failure action pause with ratio 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from itertools import pairwise, permutations
from typing import Any

import attrs

from model import constraint as placement
from model.kernel import put, validate
from model.tasks import (
    ACTIVE,
    AGENT,
    ANY,
    ASSIGNED,
    AVAILABILITY,
    COMPLETE,
    DEMOTING,
    DESIRED,
    DOWN,
    DRAIN,
    FAILED,
    GONE,
    ID,
    IDLE,
    MANAGER,
    NO_NODE,
    NODE,
    NONE,
    OBSERVED,
    ON_FAILURE,
    ORPHANED,
    OUTSIDE,
    PAUSE,
    PENDING,
    PREPARE,
    PROMOTING,
    READY,
    REJECTED,
    REMOVE,
    ROLE,
    RUNNING,
    SERVICE,
    SHUTDOWN,
    SLOT,
    SPREAD_LABEL,
    SPREAD_VALUE,
    START_FIRST,
    STARTING,
    STATE_NAME,
    STATUS,
    STOP_FIRST,
    SVC,
    UPDATE_PAUSED,
    UPDATE_STATE,
    UPDATING,
    VERSION,
    WEB,
    WORKER,
    Task,
    active_on_node,
    runnable,
    still_running,
    task_names,
    with_field,
)

BUGS: dict[str, str] = {
    "no_restart_guard": "the restart supervisor does not refuse a task whose desired state is already past "
    "COMPLETED, so two restart requests for one task make two replacements (E.11, moby/swarmkit#575)",
    "ignore_availability": "the scheduler's ready filter checks only the node's status, not drain or pause (A.3)",
    "overcommit": "the resource filter is off by one: a task fits if it exceeds the free CPUs by one (A.3)",
    "global_duplicate_task": "the global reconcile counts a failed task as no task on its node and adds one, "
    "while the restart supervisor adds the replacement too (E.12, moby/swarmkit#1822)",
    "global_on_down_node": "the global orchestrator's candidate nodes leave out drained nodes but not down "
    "ones, so a down node gets a task that can never run (E.13, moby/swarmkit#2321)",
    "global_gap_never_refilled": "a global task that exits is shut down and not replaced: its node keeps "
    "no task (E.14, moby/swarmkit#2705)",
    "enforcer_shuts_down": "the constraint enforcer sets the desired state to SHUTDOWN instead of rejecting the "
    "task, so the orchestrator never replaces it (E.15, moby/moby#31014, fixed by swarmkit PR #1958)",
    "undrain_ignored": "making a drained node active again is no event for the global orchestrator, so the "
    "node is never refilled (E.16, moby/swarmkit#524)",
    "dead_backend": "when a node is removed, the mesh's delete events for its tasks are never generated, "
    "so its dead tasks stay load-balancer backends on every other node (E.20, moby/moby#35548)",
    "strict_resource_check": "the resource filter refuses a task that would exactly fill the node "
    "(reservation < free instead of <=), so a task stays pending on a cluster with room (A.3)",
    "missing_label_equals_any": "a node without the label satisfies node.labels.zone==a (A.4: a missing label "
    "compares as the empty string)",
    "missing_label_fails_not_equal": "a node without the label fails node.labels.zone!=a, so web stays pending "
    "though such a node fits (A.4: a missing label compares as the empty string, which differs from a)",
    "constraint_uses_desired_role": "node.role is matched against the node's desired role, so a manager whose "
    "demotion is still pending takes tasks constrained to workers (A.4: the current role)",
    "max_replicas_counts_running_only": "the max-replicas filter counts only the node's RUNNING tasks of the "
    "service, not those assigned and not yet started, so two tasks land on a node allowed one (A.3)",
    "route_before_healthy": "service discovery publishes a web task as soon as its container starts, before "
    "its health check passes, so the mesh routes to a task that is still STARTING (D; dockerexec waits for healthy)",
    "update_forgets_old_task": "the updater never shuts down a slot's old task: at once under stop-first, or "
    "once the new one runs under start-first, so the slot keeps two runnable tasks (A.11 removeOldTasks)",
    "removed_service_tasks_kept": "a service delete sets its tasks' desired state to SHUTDOWN instead of REMOVE, "
    "so the reaper keeps them as history of a service that no longer exists (A.1: REMOVE means delete)",
    "spread_skips_unlabelled_nodes": "the spread preference leaves nodes without the label out of the tree "
    'instead of grouping them under "", so replicas pile onto the labelled nodes (A.5 placement preferences)',
    "restart_without_waiting": "the restart supervisor starts a replacement at once, although the old task "
    "still runs on a node that answers, so two containers of one slot run together (A.9: DelayStart waits "
    "for the old task to stop unless its node is down)",
    "max_attempts_off_by_one": "shouldRestart compares the slot's restart count with <= MaxAttempts instead of <, "
    "so a slot is restarted once more than its policy allows (A.9)",
}


@attrs.frozen
class Config:
    """Sizes, bounds and options of the orchestration model."""

    nodes: int = 3
    replicas: int = 2
    max_replicas: int = 2  # the most a scale can ask for
    global_service: bool = True
    restart: str = ANY
    max_attempts: int = 0  # A.9 MaxAttempts per slot (web) or node (agent); 0 is unlimited
    constraint: str = ""  # web's placement constraint (A.4), e.g. node.labels.zone==a; "" for none
    removals: bool = False  # a user may remove a node (`docker node rm --force`), one of the user actions
    joiners: int = 0  # the last nodes start outside the swarm and may join (`docker swarm join`)
    cpus: int = 2  # per node
    first_node_cpus: int = 0  # n1's CPUs when nodes differ (0: as the others); n1 is then kept out of renamings
    reservation: int = 1  # per web task; 0 switches the resource filter off (A.3)
    agent_reservation: int = 0  # per agent task: preassigned tasks pass the resource filter too (A.6)
    max_per_node: int = 0  # web's Placement.MaxReplicas (A.3 MaxReplicasFilter); 0 is no limit
    spread: bool = False  # web has --placement-pref spread=node.labels.zone (A.5)
    health_check: bool = False  # web has a HEALTHCHECK: STARTING until healthy; a failed check is a fault
    updates: bool = False  # a user may update web's spec once (`docker service update`): a rolling update
    update_order: str = STOP_FIRST  # A.11 UpdateConfig.Order; parallelism 1, failure action pause
    service_removal: bool = False  # a user may remove web (`docker service rm`)
    max_tasks: int = 6  # task records ever created: bounds the search
    max_user_ops: int = 1  # drains, pauses, activations, scales
    max_faults: int = 1  # node down, task failure
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {
            "nodes": (1, 4),
            "replicas": (0, self.max_replicas),
            "max_replicas": (0, 4),
            "cpus": (0, 4),
            "first_node_cpus": (0, 8),
            "reservation": (0, 4),
            "agent_reservation": (0, 4),
            "max_tasks": (1, 12),
            "max_user_ops": (0, 4),
            "max_faults": (0, 4),
            "max_attempts": (0, 3),
            "max_per_node": (0, 4),
            "joiners": (0, self.nodes - 1),
        }
        validate("scheduler", self, limits, BUGS)
        if self.restart not in (NONE, ON_FAILURE, ANY):
            raise ValueError(f"scheduler: restart={self.restart!r}; known: none, on-failure, any")
        if self.update_order not in (STOP_FIRST, START_FIRST):
            raise ValueError(f"scheduler: update_order={self.update_order!r}; known: stop-first, start-first")
        if self.constraint:
            label = placement.parse(self.constraint).label
            if self.spread and label not in (None, SPREAD_LABEL):
                raise ValueError(f"scheduler: spread is over {SPREAD_LABEL}; a constraint may only read that label")


DEFAULT = Config(replicas=1, max_replicas=1, max_tasks=5)
ROLLING = attrs.evolve(DEFAULT, nodes=2, replicas=2, max_replicas=2, global_service=False, updates=True)
# One kind of event per configuration: with a user action and a fault together the
# interleavings of the control loop pass a million states.
SUITE = {
    "drain-pause-activate": attrs.evolve(DEFAULT, max_faults=0),
    "node-down-task-fails": attrs.evolve(DEFAULT, max_user_ops=0),
    # Each constraint fits one node at the start, so one user action can leave web nowhere to go.
    "labels-and-constraints": attrs.evolve(DEFAULT, constraint="node.labels.zone==a", max_faults=0),
    "label-not-equal": attrs.evolve(DEFAULT, constraint="node.labels.zone!=a", max_faults=0),
    "role-constraint": attrs.evolve(DEFAULT, constraint="node.role!=manager", max_faults=0),
    "hostname-constraint": attrs.evolve(DEFAULT, constraint="node.hostname==n3", max_faults=0),
    "node-removal": attrs.evolve(DEFAULT, removals=True, max_faults=0),
    # n1 alone runs both replicas; n2 or n3 joins and gets the agent but no replica.
    "node-join": attrs.evolve(DEFAULT, joiners=2, replicas=2, max_replicas=2, max_tasks=6, max_faults=0),
    # Two nodes at MaxReplicas 1: a drain leaves a replica pending with CPU free (three pass 1.2M states).
    "max-replicas-per-node": attrs.evolve(DEFAULT, nodes=2, replicas=2, max_replicas=2, max_per_node=1, max_faults=0),
    "health-checks": attrs.evolve(DEFAULT, health_check=True, max_user_ops=0),
    # Rolling updates (A.11) on two nodes without the agent: three nodes and two replicas pass 230k states.
    "rolling-update": attrs.evolve(ROLLING, max_faults=0),
    "rolling-update-start-first": attrs.evolve(ROLLING, update_order=START_FIRST, max_faults=0),
    "update-failure": attrs.evolve(ROLLING, replicas=1, max_replicas=1),
    "service-removal": attrs.evolve(DEFAULT, service_removal=True, max_faults=0),
    # Nodes of different sizes and an agent that reserves CPU: where greedy placement strands (check --oracle).
    "uneven-nodes": attrs.evolve(DEFAULT, nodes=2, first_node_cpus=3, agent_reservation=2, max_faults=0),
    # n1 alone carries zone=a: spread gives it one replica of two (with the agent too: 1.2M states).
    "spread-preference": attrs.evolve(
        DEFAULT, spread=True, replicas=2, max_replicas=2, global_service=False, max_faults=0
    ),
    "restart-none": attrs.evolve(DEFAULT, restart=NONE, max_faults=0),
    # Two nodes: with the agent's per-node history too, three nodes pass 290k states.
    "restart-max-attempts": attrs.evolve(DEFAULT, nodes=2, max_attempts=1, max_faults=2, max_user_ops=0),
}


@attrs.frozen(order=True)
class State:
    status: tuple[int, ...]  # READY or DOWN, per node (A.2)
    availability: tuple[int, ...]  # ACTIVE, PAUSE or DRAIN, per node
    replicas: int  # the web service's spec
    tasks: tuple[Task, ...]  # the store, by id
    created: int  # task records created so far
    restart_requests: tuple[int, ...]  # task ids queued for the restart supervisor (A.7 events)
    dns: tuple[tuple[int, ...], ...]  # per node: the task ids `tasks.web` resolves to (D)
    backends: tuple[tuple[int, ...], ...]  # per node: the routing mesh's backends for web (D)
    labels: tuple[int, ...]  # per node: 1 if it has the constraint's label (e.g. zone=a), 0 if missing
    roles: tuple[int, ...]  # per node: WORKER, MANAGER, PROMOTING or DEMOTING
    replicated_due: int  # 1 while a service event waits for the replicated orchestrator (A.7)
    global_due: tuple[int, ...]  # per node: 1 while a node event waits for the global orchestrator (A.8)
    # The restart supervisor's history (A.9): replacements made per web slot 1..max_replicas, then
    # per node for the agent; kept only when MaxAttempts is set, as swarmkit does.
    restarts: tuple[int, ...] = ()
    version: int = 1  # web's spec version; 0 once the service is removed
    update: int = IDLE  # the updater (A.11): IDLE, UPDATING or UPDATE_PAUSED
    update_slot: int = 0  # the slot being updated (parallelism 1), 0 for none
    update_task: int = -1  # the new task the updater waits on to reach RUNNING
    user_ops: int = 0
    faults: int = 0


@attrs.frozen(repr=False)
class Step:
    rule: str
    node: int = NO_NODE
    task: int = -1
    detail: str = ""

    def __str__(self) -> str:
        parts = []
        if self.task >= 0:
            parts.append(f"t{self.task}")
        if self.node != NO_NODE:
            parts.append(f"n{self.node + 1}")
        if self.detail:
            parts.append(self.detail)
        return f"{self.rule}({', '.join(parts)})"

    __repr__ = __str__


class Scheduler:
    """swarmkit's orchestration for a `Config`."""

    name = "scheduler"
    fault_kinds = ("NodeDown", "NodeUp", "TaskFails", "TaskExits", "HealthCheckFails")

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config
        self.n = config.nodes
        self.bugs = config.bugs
        self.constraint = placement.parse(config.constraint) if config.constraint else None
        # A hostname names a node: renamings must leave it in place.
        pinned = [
            i
            for i in range(self.n)
            if self.constraint
            and self.constraint.subject == "hostname"
            and self.hostname(i).lower() == self.constraint.value.lower()
        ]
        if config.first_node_cpus:
            pinned.append(0)
        self._orders = [p for p in permutations(range(self.n)) if all(p[i] == i for i in pinned)]
        self._free = [i for i in range(self.n) if i not in pinned]

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
            global_due=((1,) * joined if self.config.global_service else (0,) * joined) + (0,) * self.config.joiners,
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

    # ------------------------------------------------------------ helpers

    @staticmethod
    def hostname(node: int) -> str:
        return f"n{node + 1}"

    def facts(self, s: State, node: int, desired_role: bool = False) -> placement.NodeFacts:
        """What A.4 can see of a node: hostname, current role, the constraint's label."""
        role = s.roles[node]
        manager = role in ((MANAGER, PROMOTING) if desired_role else (MANAGER, DEMOTING))
        labels = (self.label(),) if s.labels[node] else ()
        return placement.NodeFacts(self.hostname(node), "manager" if manager else "worker", labels)

    def label(self) -> tuple[str, str]:
        """The one label nodes may carry: the constraint's, or the spread preference's."""
        c = self.constraint
        return (c.label, c.value) if c is not None and c.label is not None else (SPREAD_LABEL, SPREAD_VALUE)

    def invalid_node(self, s: State, node: int) -> bool:
        """A.2 orchestrator.InvalidNode: deleted, DOWN or DRAIN (PAUSE is valid)."""
        return s.status[node] != READY or s.availability[node] == DRAIN

    def cpus(self, node: int) -> int:
        return self.config.first_node_cpus if node == 0 and self.config.first_node_cpus else self.config.cpus

    def reservation(self, t: Task) -> int:
        return self.config.reservation if t[SVC] == WEB else self.config.agent_reservation

    def used(self, s: State, node: int) -> int:
        """The CPUs reserved by the node's active tasks (A.1, nodeinfo.addTask)."""
        return sum(self.reservation(t) for t in s.tasks if t[NODE] == node and active_on_node(t))

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

    def new_task(self, s: State, service: int, slot: int, node: int, desired: int = RUNNING) -> State:
        """NewTask (A.1): desired RUNNING (or READY, to wait), the service's current spec; the
        allocator's NEW -> PENDING is folded in."""
        task = (s.created, service, slot, node, desired, PENDING, s.version if service == WEB else 1)
        return attrs.evolve(s, tasks=(*s.tasks, task), created=s.created + 1)

    def replace(self, s: State, task: Task) -> State:
        return attrs.evolve(s, tasks=tuple(task if t[ID] == task[ID] else t for t in s.tasks))

    def request_restart(self, s: State, task_id: int) -> State:
        return attrs.evolve(s, restart_requests=tuple(sorted((*s.restart_requests, task_id))))

    def slots(self, s: State) -> dict[int, list[Task]]:
        found: dict[int, list[Task]] = {}
        for t in s.tasks:
            if t[SVC] == WEB:
                found.setdefault(t[SLOT], []).append(t)
        return found

    def updatable_slots(self, s: State) -> list[int]:
        """A.7: slots the orchestrator counts as filled (see `updatable`)."""
        return sorted(slot for slot, tasks in self.slots(s).items() if self.updatable(s, tasks))

    def updatable(self, s: State, tasks: list[Task]) -> bool:
        """UpdatableTasksInSlot (A.7): a runnable task, or a newest task that stopped for good."""
        return any(runnable(t) for t in tasks) or not self.should_restart(s, max(tasks))

    def given_up(self, s: State, tasks: list[Task]) -> bool:
        """A slot (or a node's agent tasks) the policy will not restart: no runnable task left."""
        return bool(tasks) and not any(runnable(t) for t in tasks) and not self.should_restart(s, max(tasks))

    def history_index(self, t: Task) -> int:
        """Where the supervisor keeps a task's restart count: by slot (web) or node (agent)."""
        return t[SLOT] - 1 if t[SVC] == WEB else self.config.max_replicas + t[NODE]

    def should_restart(self, s: State, t: Task) -> bool:
        """A.9 shouldRestart: none never; on-failure not after COMPLETE; any always; then,
        with MaxAttempts set, only while the slot's (node's) restarts are below it."""
        if self.config.restart == NONE:
            return False
        if self.config.restart == ON_FAILURE and t[OBSERVED] == COMPLETE:
            return False
        if not self.config.max_attempts:
            return True
        made = s.restarts[self.history_index(t)]
        if "max_attempts_off_by_one" in self.bugs:
            return made <= self.config.max_attempts
        return made < self.config.max_attempts

    # ------------------------------------------------------------ Next

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
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
        yield from self.service_discovery(s)

    # ------------------------------------------------------------ users (A.2)

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
                scaled = attrs.evolve(s, replicas=replicas, replicated_due=1, user_ops=s.user_ops + 1)
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
        labelled = attrs.evolve(s, labels=put(s.labels, node, 1 - s.labels[node]), user_ops=s.user_ops + 1)
        return Step(rule, node, detail="=".join(self.label())), self.global_event(labelled, node)

    def change_role(self, s: State, node: int, role: int) -> State:
        """`docker node promote/demote` sets the desired role; the role manager finishes it later.
        Demoting the last manager is refused (swarm keeps a quorum, B)."""
        return attrs.evolve(s, roles=put(s.roles, node, role), user_ops=s.user_ops + 1)

    def service_actions(self, s: State) -> Iterator[tuple[Step, State]]:
        """`docker service update` (one new spec) and `docker service rm` for web."""
        if self.config.updates and s.version == 1:
            updated = attrs.evolve(s, version=2, update=UPDATING, replicated_due=1, user_ops=s.user_ops + 1)
            yield Step("UpdateService", detail="spec 2"), updated
        if self.config.service_removal and s.version:
            yield Step("RemoveService"), self.remove_service(s)

    def remove_service(self, s: State) -> State:
        """controlapi RemoveService: every task of the service gets desired REMOVE; the reaper
        deletes each once it has stopped (A.1); the updater stops with it."""
        end = SHUTDOWN if "removed_service_tasks_kept" in self.bugs else REMOVE
        tasks = tuple(with_field(t, DESIRED, max(t[DESIRED], end)) if t[SVC] == WEB else t for t in s.tasks)
        return attrs.evolve(
            s, tasks=tasks, version=0, update=IDLE, update_slot=0, update_task=-1, user_ops=s.user_ops + 1
        )

    def set_availability(self, s: State, node: int, availability: int) -> State:
        """`docker node update --availability`; an invalid node's web tasks get restart
        requests (A.7 node events); PAUSE triggers nothing."""
        ignored = s.availability[node] == DRAIN and "undrain_ignored" in self.bugs
        s = attrs.evolve(s, availability=put(s.availability, node, availability), user_ops=s.user_ops + 1)
        return self.node_event(s, node, to_global=not ignored)

    def join(self, s: State, node: int) -> State:
        """`docker swarm join`: the node is created READY and ACTIVE; a node create is an event
        for the global orchestrator (A.8) and a scheduler tick (A.5); nothing moves to it."""
        s = attrs.evolve(s, status=put(s.status, node, READY), user_ops=s.user_ops + 1)
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
        s = attrs.evolve(
            s,
            status=put(s.status, node, GONE),
            tasks=tuple(tasks),
            global_due=put(s.global_due, node, 0),
            dns=put(s.dns, node, ()),
            backends=put(s.backends, node, ()),
            user_ops=s.user_ops + 1,
        )
        return self.node_event(s, node, to_global=False)

    def global_event(self, s: State, node: int) -> State:
        """A.8 node events: the global orchestrator will reconcile this node."""
        if not self.config.global_service:
            return s
        return attrs.evolve(s, global_due=put(s.global_due, node, 1))

    def node_event(self, s: State, node: int, to_global: bool = True) -> State:
        """A node changed: its runnable web tasks are restarted if it became invalid (A.7),
        and the global orchestrator gets the node event (A.8)."""
        if to_global:
            s = self.global_event(s, node)
        if not self.invalid_node(s, node):
            return s
        for t in s.tasks:
            if t[SVC] == WEB and t[NODE] == node and runnable(t):
                s = self.request_restart(s, t[ID])
        return s

    # ------------------------------------------------------------ faults

    def faults(self, s: State) -> Iterator[tuple[Step, State]]:
        if s.faults >= self.config.max_faults:
            return
        for node in range(self.n):
            if s.status[node] in (GONE, OUTSIDE):
                continue
            if s.status[node] == READY:
                down = attrs.evolve(s, status=put(s.status, node, DOWN), faults=s.faults + 1)
                yield Step("NodeDown", node), self.node_event(down, node)
            else:
                up = attrs.evolve(s, status=put(s.status, node, READY), faults=s.faults + 1)
                yield Step("NodeUp", node), self.node_event(up, node)
        for t in s.tasks:
            if t[OBSERVED] == RUNNING:
                for rule, end in (("TaskFails", FAILED), ("TaskExits", COMPLETE)):
                    ended = attrs.evolve(self.replace(s, with_field(t, OBSERVED, end)), faults=s.faults + 1)
                    yield Step(rule, t[NODE], t[ID]), self.task_event(ended, t)
            if self.has_health_check(t) and t[OBSERVED] in (STARTING, RUNNING) and s.status[t[NODE]] == READY:
                yield Step("HealthCheckFails", t[NODE], t[ID]), self.unhealthy(s, t)

    def has_health_check(self, t: Task) -> bool:
        return t[SVC] == WEB and self.config.health_check

    def unhealthy(self, s: State, t: Task) -> State:
        """health_status: unhealthy: the agent shuts the container down and reports FAILED
        (swarmd/dockerexec, ErrContainerUnhealthy), while starting or later."""
        failed = attrs.evolve(self.replace(s, with_field(t, OBSERVED, FAILED)), faults=s.faults + 1)
        return self.task_event(failed, t)

    def task_event(self, s: State, t: Task) -> State:
        """A.7, A.8 task events: a runnable task that stopped goes to the restart supervisor."""
        if t[SVC] == AGENT and "global_duplicate_task" in self.bugs:
            s = self.global_event(s, t[NODE])  # and, in the bug, to a reconcile of its node
        return self.request_restart(s, t[ID])

    # ------------------------------------------------------------ role manager

    def role_manager(self, s: State) -> Iterator[tuple[Step, State]]:
        """swarmkit's role manager moves a node's current role to its desired role (raft
        membership first); the node update is an event for the orchestrators (A.8, A.10)."""
        for node, role in enumerate(s.roles):
            if role in (PROMOTING, DEMOTING):
                done = attrs.evolve(s, roles=put(s.roles, node, MANAGER if role == PROMOTING else WORKER))
                yield Step("RoleChange", node, detail=ROLE[done.roles[node]]), self.global_event(done, node)

    # ------------------------------------------------------------ replicated orchestrator (A.7)

    def replicated_reconcile(self, s: State) -> Iterator[tuple[Step, State]]:
        """A.7 reconcile, on a service event: create the missing slots (lowest numbers first)
        or remove the extra ones, in one transaction."""
        if not s.replicated_due or not s.version:
            return
        after = attrs.evolve(s, replicated_due=0)
        updatable = self.updatable_slots(s)
        created = []
        while len(updatable) < s.replicas and after.created < self.config.max_tasks:
            free = next(slot for slot in range(1, len(updatable) + 2) if slot not in updatable)
            after = self.new_task(after, WEB, free, NO_NODE)
            updatable = sorted((*updatable, free))
            created.append(free)
        removed = []
        while len(updatable) > s.replicas:
            slot = self.slot_to_remove(after, updatable)
            for t in self.slots(after)[slot]:
                if t[DESIRED] < REMOVE:
                    after = self.replace(after, with_field(t, DESIRED, REMOVE))
            updatable.remove(slot)
            removed.append(slot)
        what = f"create slots {created}" if created else f"remove slots {removed}" if removed else "nothing to do"
        yield Step("ReconcileReplicated", detail=what), after

    def slot_to_remove(self, s: State, updatable: list[int]) -> int:
        """A.7 scale-down: keep running slots, spread per node, lower slot numbers; remove the last."""
        slots = self.slots(s)
        per_node: dict[int, int] = {}

        def rank(slot: int) -> tuple[int, int, int]:
            tasks = slots[slot]
            running = any(t[OBSERVED] == RUNNING for t in tasks)
            node = tasks[0][NODE] if len(tasks) == 1 else NO_NODE
            copies = per_node.get(node, 0)
            if node != NO_NODE:
                per_node[node] = copies + 1
            return (copies if node != NO_NODE else self.n, 0 if running else 1, slot)

        ordered = sorted(
            sorted(updatable, key=lambda slot: (not any(t[OBSERVED] == RUNNING for t in slots[slot]), slot)), key=rank
        )
        return ordered[-1]

    # ------------------------------------------------------------ updater (A.11)

    def dirty_slots(self, s: State) -> list[int]:
        """Slots whose updatable tasks (A.7) include one of an older spec than web's."""
        dirty = []
        for slot, tasks in sorted(self.slots(s).items()):
            current = [t for t in tasks if runnable(t)] or ([max(tasks)] if self.given_up(s, tasks) else [])
            if any(t[VERSION] != s.version for t in current):
                dirty.append(slot)
        return dirty

    def updater(self, s: State) -> Iterator[tuple[Step, State]]:
        """Parallelism 1: one dirty slot at a time (picked in Go map order: any), then wait for its
        new task to reach RUNNING or beyond; a failure pauses the update (MaxFailureRatio 0)."""
        if s.update != UPDATING:
            return
        if s.update_slot:
            yield from self.slot_updated(s)
            return
        dirty = self.dirty_slots(s)
        if not dirty:
            yield Step("UpdateDone"), attrs.evolve(s, update=IDLE)
        for slot in dirty:
            yield from self.update_slot(s, slot)

    def update_slot(self, s: State, slot: int) -> Iterator[tuple[Step, State]]:
        """The updater's worker: reuse a clean task already in the slot (the restart supervisor may
        have made one), else create one of the new spec; stop-first shuts the old one down now."""
        tasks = self.slots(s)[slot]
        clean = [t for t in tasks if runnable(t) and t[VERSION] == s.version]
        if clean:
            after = self.remove_old_tasks(s, slot, keep=clean[0][ID])
            yield Step("UpdateSlot", task=clean[0][ID], detail=f"slot {slot}, already on spec {s.version}"), after
            return
        if s.created >= self.config.max_tasks:
            return
        new_id = s.created
        if self.config.update_order == STOP_FIRST:  # DelayStart with waitStop: the old one stops first
            waits = any(runnable(t) and still_running(t, s.status) for t in tasks)
            after = self.new_task(s, WEB, slot, NO_NODE, PREPARE if waits else RUNNING)
            after = self.remove_old_tasks(after, slot, keep=new_id)
        else:
            after = self.new_task(s, WEB, slot, NO_NODE)
        after = attrs.evolve(after, update_slot=slot, update_task=new_id)
        yield Step("UpdateSlot", task=new_id, detail=f"slot {slot}, {self.config.update_order}"), after

    def slot_updated(self, s: State) -> Iterator[tuple[Step, State]]:
        """The new task reached RUNNING (start-first: now stop the old one) or failed (pause)."""
        new = next((t for t in s.tasks if t[ID] == s.update_task), None)
        if new is not None and new[OBSERVED] < RUNNING:
            return  # no timeout: the updater waits (A.11)
        done = attrs.evolve(s, update_slot=0, update_task=-1)
        if new is None or new[OBSERVED] > RUNNING:
            paused = attrs.evolve(done, update=UPDATE_PAUSED)
            yield Step("UpdatePaused", task=s.update_task, detail="the new task failed"), paused
            return
        if self.config.update_order == START_FIRST:
            done = self.remove_old_tasks(done, s.update_slot, keep=new[ID])
        yield Step("SlotUpdated", task=new[ID], detail=f"slot {s.update_slot}"), done

    def remove_old_tasks(self, s: State, slot: int, keep: int) -> State:
        """removeOldTasks: every other runnable task of the slot gets desired SHUTDOWN."""
        if "update_forgets_old_task" in self.bugs:
            return s
        for t in self.slots(s)[slot]:
            if t[ID] != keep and runnable(t):
                s = self.replace(s, with_field(t, DESIRED, SHUTDOWN))
        return s

    # ------------------------------------------------------------ global orchestrator (A.8)

    def global_reconcile(self, s: State) -> Iterator[tuple[Step, State]]:
        """A.8, on a node event: a candidate (not drained, not down), active node gets a task
        if it has none; a non-candidate node's tasks are shut down; PAUSE: nothing."""
        for node in range(self.n):
            if not s.global_due[node]:
                continue
            after = attrs.evolve(s, global_due=put(s.global_due, node, 0))
            mine = [t for t in s.tasks if t[SVC] == AGENT and t[NODE] == node]
            tasks = [t for t in mine if runnable(t)]
            if "global_duplicate_task" in self.bugs:
                tasks = [t for t in tasks if t[OBSERVED] <= RUNNING]  # a failed task counted as none
            elif self.given_up(s, mine):
                tasks = [max(mine)]  # UpdatableTasksInSlot: stopped for good still fills the node
            candidate = s.availability[node] != DRAIN
            if "global_on_down_node" not in self.bugs:
                candidate = candidate and s.status[node] == READY
            what = "nothing to do"
            if candidate and s.availability[node] != PAUSE and not tasks and s.created < self.config.max_tasks:
                after, what = self.new_task(after, AGENT, 0, node), "create"
            elif not candidate and any(runnable(t) for t in tasks):
                for t in filter(runnable, tasks):
                    after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                what = "shut down"
            yield Step("ReconcileGlobal", node, detail=what), after

    # ------------------------------------------------------------ constraint enforcer (A.10)

    def constraint_enforcer(self, s: State) -> Iterator[tuple[Step, State]]:
        """On an active, ready node, tasks that no longer match are REJECTED (observed state),
        and so restarted elsewhere by the orchestrator."""
        for node in range(self.n):
            if s.status[node] != READY or s.availability[node] != ACTIVE:
                continue
            stale = [
                t
                for t in s.tasks
                if t[NODE] == node
                and runnable(t)
                and ASSIGNED <= t[OBSERVED] < COMPLETE
                and not self.matches(s, t, node)
            ]
            if not stale:
                continue
            after = s
            for t in stale:
                if "enforcer_shuts_down" in self.bugs:
                    after = self.replace(after, with_field(t, DESIRED, SHUTDOWN))
                else:
                    after = self.task_event(self.replace(after, with_field(t, OBSERVED, REJECTED)), t)
            yield Step("EnforceConstraints", node), after

    # ------------------------------------------------------------ restart supervisor (A.9)

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

    def group(self, s: State, t: Task) -> list[Task]:
        """The tasks sharing t's slot (web) or node (agent): one replica's history."""
        where = SLOT if t[SVC] == WEB else NODE
        return [u for u in s.tasks if u[SVC] == t[SVC] and u[where] == t[where]]

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

    # ------------------------------------------------------------ scheduler (A.3, A.5, A.6)

    def schedule(self, s: State) -> Iterator[tuple[Step, State]]:
        """A tick: preassigned (global) tasks that fit their node first (A.6), then the others."""
        pending = [t for t in s.tasks if t[OBSERVED] == PENDING and runnable(t)]
        preassigned = [t for t in pending if t[NODE] != NO_NODE and self.fits(s, t, t[NODE])]
        for t in preassigned:
            yield Step("Schedule", t[NODE], t[ID]), self.replace(s, with_field(t, OBSERVED, ASSIGNED))
        if preassigned:
            return
        for t in pending:
            if t[NODE] != NO_NODE:
                continue  # its node does not fit it: it waits (A.6)
            for node in self.best_nodes(s, t):
                assigned = with_field(with_field(t, NODE, node), OBSERVED, ASSIGNED)
                yield Step("Schedule", node, t[ID]), self.replace(s, assigned)

    def best_nodes(self, s: State, t: Task) -> list[int]:
        """A.5: the spread preference's least-loaded branches first, then nodeLess (fewer tasks of
        this service, then fewer tasks in all); ties are a choice."""
        eligible = [node for node in range(self.n) if self.fits(s, t, node)]
        if not eligible:
            return []
        if t[SVC] == WEB and self.config.spread:
            eligible = self.least_loaded_branches(s, eligible)

        def load(node: int) -> tuple[int, int]:
            mine = sum(1 for u in s.tasks if u[NODE] == node and u[SVC] == t[SVC] and u[DESIRED] <= COMPLETE)
            every = sum(1 for u in s.tasks if u[NODE] == node and u[DESIRED] <= COMPLETE)
            return mine, every

        best = min(load(node) for node in eligible)
        return [node for node in eligible if load(node) == best]

    def least_loaded_branches(self, s: State, eligible: list[int]) -> list[int]:
        """Placement preference spread=node.labels.zone, for one task: the eligible nodes of the
        branches (label values; a missing label is the "" branch) holding the fewest web tasks."""
        if "spread_skips_unlabelled_nodes" in self.bugs and any(s.labels[node] for node in eligible):
            eligible = [node for node in eligible if s.labels[node]]
        count = {branch: 0 for branch in (s.labels[node] for node in eligible)}
        for u in s.tasks:
            if u[SVC] == WEB and u[NODE] in eligible and u[DESIRED] <= COMPLETE:
                count[s.labels[u[NODE]]] += 1
        fewest = min(count.values())
        return [node for node in eligible if count[s.labels[node]] == fewest]

    # ------------------------------------------------------------ agents

    def agents(self, s: State) -> Iterator[tuple[Step, State]]:
        for t in s.tasks:
            node = t[NODE]
            if node == NO_NODE or s.status[node] != READY:
                continue  # a down node's agent does nothing until it is back
            if t[OBSERVED] == ASSIGNED and t[DESIRED] == RUNNING:  # desired READY: prepared, not started
                started = STARTING if self.has_health_check(t) else RUNNING
                yield Step("AgentStart", node, t[ID]), self.replace(s, with_field(t, OBSERVED, started))
            elif t[OBSERVED] == STARTING and t[DESIRED] <= RUNNING:
                yield Step("Healthy", node, t[ID]), self.replace(s, with_field(t, OBSERVED, RUNNING))
            elif t[OBSERVED] <= RUNNING and t[DESIRED] >= SHUTDOWN and t[OBSERVED] >= ASSIGNED:
                yield Step("AgentStop", node, t[ID]), self.replace(s, with_field(t, OBSERVED, SHUTDOWN))
        yield from self.task_reaper(s)

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

    # ------------------------------------------------------------ service discovery (D)

    def service_discovery(self, s: State) -> Iterator[tuple[Step, State]]:
        """Each ready node's DNS records and load-balancer backends catch up with the running
        web tasks, a node at a time (D: endpoint_table events, handled by each node's agent)."""
        live = tuple(sorted(self.discoverable(s)))
        for node in range(self.n):
            if (
                s.status[node] == READY
                and (s.dns[node] != live or s.backends[node] != live)
                and (self.sync(s, node, live) != s)
            ):
                yield Step("DiscoverySync", node, detail=task_names(live)), self.sync(s, node, live)

    def sync(self, s: State, node: int, live: tuple[int, ...]) -> State:
        """The node's agent applies the endpoint table: DNS records and mesh backends."""
        backends = live
        if "dead_backend" in self.bugs:  # no delete event for the tasks of a removed node
            store = {t[ID]: t for t in s.tasks}
            lost = [x for x in s.backends[node] if x not in store or s.status[store[x][NODE]] == GONE]
            backends = tuple(sorted({*live, *lost}))
        return attrs.evolve(s, dns=put(s.dns, node, live), backends=put(s.backends, node, backends))

    def discoverable(self, s: State) -> set[int]:
        """D: RUNNING web tasks not disabled (desired past RUNNING disables the entry)."""
        started = (STARTING, RUNNING) if "route_before_healthy" in self.bugs else (RUNNING,)
        return {t[ID] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] in started and runnable(t)}

    # ------------------------------------------------------------ quiescence

    def quiescent(self, s: State) -> bool:
        """No control-loop step is enabled: what the cluster converges to."""
        return next(iter(self.control_loop(s)), None) is None

    # ------------------------------------------------------------ bounds, symmetry, reports

    def within_bounds(self, s: State) -> bool:
        return s.created <= self.config.max_tasks

    def key(self, s: State) -> Hashable:
        return attrs.astuple(s, recurse=False)

    def canonical(self, s: State) -> Hashable:
        """Nodes are symmetric, and a task id only orders the tasks of one slot (or one node,
        for the global service): the least relabelling over node renamings, with ids
        renumbered by (service, slot or node, old id). Exact: equal forms are isomorphic.
        Only the renamings that sort the free nodes by a renaming-invariant signature are
        tried (as in the gossip model): isomorphic states sort the same way."""
        sig = [self._signature(s, node) for node in range(self.n)]
        free = self._free
        return min(
            self._relabelled(s, order)
            for order in self._orders
            if all(sig[order[a]] <= sig[order[b]] for a, b in pairwise(free))
        )

    def _signature(self, s: State, node: int) -> tuple[Any, ...]:
        """What a renaming cannot change about a node: its own fields and its tasks, without ids."""
        tasks = sorted((t[SVC], t[SLOT], t[DESIRED], t[OBSERVED], t[VERSION]) for t in s.tasks if t[NODE] == node)
        return (
            s.status[node],
            s.availability[node],
            s.labels[node],
            s.roles[node],
            s.global_due[node],
            s.restarts[self.config.max_replicas + node],
            len(s.dns[node]),
            len(s.backends[node]),
            tasks,
        )

    def _relabelled(self, s: State, order: tuple[int, ...]) -> tuple[Any, ...]:
        name = {old: new for new, old in enumerate(order)}
        name[NO_NODE] = NO_NODE
        moved = [(t[ID], t[SVC], t[SLOT], name[t[NODE]], t[DESIRED], t[OBSERVED], t[VERSION]) for t in s.tasks]
        moved.sort(key=lambda t: (t[SVC], t[SLOT] if t[SVC] == WEB else t[NODE], t[ID]))
        new_id = {t[ID]: k for k, t in enumerate(moved)}
        # Records of reaped tasks may linger in DNS or the mesh: they keep their order, below 0.
        awaited = (s.update_task,) if s.update_task >= 0 else ()
        gone = sorted({i for table in (*s.dns, *s.backends, awaited) for i in table} - new_id.keys())
        new_id.update({i: k - len(gone) for k, i in enumerate(gone)})
        tasks = tuple((new_id[t[ID]], *t[1:]) for t in moved)

        def ids(table: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(sorted(new_id[i] for i in table))

        return (
            tuple(s.status[old] for old in order),
            tuple(s.availability[old] for old in order),
            s.replicas,
            tasks,
            s.created,
            ids(s.restart_requests),
            tuple(ids(s.dns[old]) for old in order),
            tuple(ids(s.backends[old]) for old in order),
            tuple(s.labels[old] for old in order),
            tuple(s.roles[old] for old in order),
            s.replicated_due,
            tuple(s.global_due[old] for old in order),
            s.restarts[: self.config.max_replicas] + tuple(s.restarts[self.config.max_replicas + old] for old in order),
            s.version,
            s.update,
            s.update_slot,
            new_id[s.update_task] if awaited else -1,
            s.user_ops,
            s.faults,
        )

    def permuted(self, s: State, order: tuple[int, ...]) -> State:
        fields = list(self._relabelled(s, order))
        fields[3] = tuple(sorted(fields[3]))  # the store keeps tasks by id
        return State(*fields)

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
        user = (
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
        return 1 if kind in self.fault_kinds or kind in user else 10

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
