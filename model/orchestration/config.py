"""The orchestration model's configuration: its sizes and options, the seeded bugs it can
switch on (each one line: what goes wrong, and where it was seen), and the suite the
main job checks, one kind of event per configuration.
"""

from __future__ import annotations

import attrs

from model.kernel import validate
from model.orchestration import constraint as placement
from model.orchestration.tasks import (
    ANY,
    NONE,
    ON_FAILURE,
    SPREAD_LABEL,
    START_FIRST,
    STOP_FIRST,
)

BUGS: dict[str, str] = {
    "global_on_paused_node": "the global orchestrator makes a task for a paused node that has none, as for an "
    "active one (A.8: a paused node takes no new tasks; reconcileOneNode does nothing on pause)",
    "task_reused_on_restart": "a replica that stopped is itself sent back to the scheduler, pending on no node, "
    "instead of a new task in its slot, so a task's history runs backwards (A.1, A.9: a task only moves "
    "forward; Docker docs 'a task is a one-directional mechanism': the orchestrator creates a new task)",
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
    "pause_is_invalid": "orchestrator.InvalidNode counts a paused node like a drained one, so pausing a node "
    "restarts its replicas elsewhere (A.2: PAUSE takes no new tasks but keeps its own; InvalidNode checks only "
    "nil, DOWN and DRAIN)",
    "failure_action_ignored": "the updater takes a slot whose new task failed as updated and moves on, as if the "
    "failure action were continue, though the service's is pause (A.11 FailureAction, MaxFailureRatio 0)",
    "update_forgets_old_task": "the updater never shuts down a slot's old task: at once under stop-first, or "
    "once the new one runs under start-first, so the slot keeps two runnable tasks (A.11 removeOldTasks)",
    "removed_service_tasks_kept": "a service delete sets its tasks' desired state to SHUTDOWN instead of REMOVE, "
    "so the reaper keeps them as history of a service that no longer exists (A.1: REMOVE means delete)",
    "spread_skips_unlabelled_nodes": "the spread preference leaves nodes without the label out of the tree "
    'instead of grouping them under "", so replicas pile onto the labelled nodes (A.5 placement preferences)',
    "restart_without_waiting": "the restart supervisor starts a replacement at once, although the old task "
    "still runs on a node that answers, so two containers of one slot run together (A.9: DelayStart waits "
    "for the old task to stop unless its node is down)",
    "lost_task_not_replaced": "a node going down is no event for the replicated orchestrator (swarmkit's "
    "restartTasksByNodeID is skipped for DOWN nodes), so the tasks lost with it are never replaced and the "
    "service stays short for good (A.7): a liveness bug",
    "max_attempts_off_by_one": "shouldRestart compares the slot's restart count with <= MaxAttempts instead of <, "
    "so a slot is restarted once more than its policy allows (A.9)",
    "node_order_most_loaded": "the scheduler's node heap is ordered backwards, so the busiest eligible node gets "
    "the next task (A.5 nodeLess: the fewest of the service's tasks, then the fewest tasks)",
    "start_first_keeps_old_task": "a start-first update never stops the old task once the new one runs, so the old "
    "version keeps running beside the new (A.11 start-first: the old task stops when the new one is running)",
    "healthy_after_shutdown": "the agent reports a starting task healthy, so running, after the manager told it to "
    "stop (A.1: the agent reads the desired state first; a task past RUNNING never starts)",
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
    # Two user actions, so a drained or paused node is activated again (two nodes: three pass 500k states).
    "drain-then-activate": attrs.evolve(DEFAULT, nodes=2, max_faults=0, max_user_ops=2),
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
    # Start-first with a fault: the new task may be lost and restarted beside the old one (A.12 S1
    # allows two per slot), and removeOldTasks must spare that replacement (issue 19's false alarm).
    "start-first-with-faults": attrs.evolve(ROLLING, replicas=1, max_replicas=1, update_order=START_FIRST),
    "service-removal": attrs.evolve(DEFAULT, service_removal=True, max_faults=0),
    # Nodes of different sizes and an agent that reserves CPU: where greedy placement strands (check --oracle).
    "uneven-nodes": attrs.evolve(DEFAULT, nodes=2, first_node_cpus=3, agent_reservation=2, max_faults=0),
    # n1 alone carries zone=a: spread gives it one replica of two (with the agent too: 1.2M states).
    "spread-preference": attrs.evolve(
        DEFAULT, spread=True, replicas=2, max_replicas=2, global_service=False, max_faults=0
    ),
    "restart-none": attrs.evolve(DEFAULT, restart=NONE, max_faults=0),
    # restart on-failure: a task that exits cleanly stays down, a failed one is replaced (A.9).
    "restart-on-failure": attrs.evolve(DEFAULT, restart=ON_FAILURE, max_user_ops=0),
    # Two nodes: with the agent's per-node history too, three nodes pass 290k states.
    "restart-max-attempts": attrs.evolve(DEFAULT, nodes=2, max_attempts=1, max_faults=2, max_user_ops=0),
}

ONE_USER_ACTION = "one user action: a node is activated only after a drain or a pause"
ONE_FAULT = "one fault: a node that went down cannot come back"
ONLY_FAULTS = "no user action: a task stops only by failing, or on a down node whose agent cannot act"
NO_WAITING = "no user action: a task is restarted once it has stopped or lost its node, so no replacement waits"
# Actions a suite configuration enables but its bounds never reach, and why: coverage fails
# the main job on any other action that never fires.
UNREACHED: dict[str, dict[str, str]] = {
    **{
        name: {"Activate": ONE_USER_ACTION}
        for name in (
            "drain-pause-activate",
            "labels-and-constraints",
            "hostname-constraint",
            "label-not-equal",
            "role-constraint",
            "node-removal",
            "node-join",
            "max-replicas-per-node",
            "service-removal",
            "uneven-nodes",
            "spread-preference",
        )
    },
    "node-down-task-fails": {"AgentStop": ONLY_FAULTS, "NodeUp": ONE_FAULT, "StartReplacement": NO_WAITING},
    "health-checks": {"AgentStop": ONLY_FAULTS, "NodeUp": ONE_FAULT, "StartReplacement": NO_WAITING},
    "rolling-update": {"Activate": ONE_USER_ACTION, "UpdatePaused": "no fault: the new task never fails"},
    "rolling-update-start-first": {"Activate": ONE_USER_ACTION, "UpdatePaused": "no fault: the new task never fails"},
    "update-failure": {"Activate": "one user action, the update itself", "NodeUp": ONE_FAULT},
    "start-first-with-faults": {"Activate": "one user action, the update itself", "NodeUp": ONE_FAULT},
    "restart-none": {"Activate": ONE_USER_ACTION, "StartReplacement": "restart none: no replacement is ever made"},
    "restart-on-failure": {"AgentStop": ONLY_FAULTS, "NodeUp": ONE_FAULT, "StartReplacement": NO_WAITING},
    "restart-max-attempts": {
        "Reap": "MaxAttempts 1: a slot (or node) holds its task and one replacement, within the retention of 2",
    },
}
