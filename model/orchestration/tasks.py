"""The records the orchestration model keeps, in swarmkit's own numbers (reference A.1, A.2).

Tasks are plain tuples (id, service, slot, node, desired, observed, spec version, awaited task), so a
state hashes and compares fast, and "a state never goes back" is a comparison of
swarmkit's state numbers. The predicates here are A.1's own definitions.
"""

from __future__ import annotations

# Task states (A.1), in swarmkit's numbering.
NEW, PENDING, ASSIGNED, STARTING, RUNNING, COMPLETE, SHUTDOWN, FAILED, REJECTED, REMOVE, ORPHANED = (
    0,
    64,
    192,
    448,
    512,
    576,
    640,
    704,
    768,
    800,
    832,
)
# As a desired state, READY means "prepare, do not start": a replacement waiting for its
# predecessor to stop (A.1, A.9). Named apart from the node status READY.
PREPARE = 384
STATE_NAME = {
    NEW: "NEW",
    PENDING: "PENDING",
    ASSIGNED: "ASSIGNED",
    PREPARE: "READY",
    STARTING: "STARTING",
    RUNNING: "RUNNING",
    COMPLETE: "COMPLETE",
    SHUTDOWN: "SHUTDOWN",
    FAILED: "FAILED",
    REJECTED: "REJECTED",
    REMOVE: "REMOVE",
    ORPHANED: "ORPHANED",
}
# Node status and availability (A.2).
READY, DOWN, GONE, OUTSIDE = 0, 1, 2, 3  # GONE: removed (`docker node rm --force`); OUTSIDE: not joined yet
STATUS = ("ready", "down", "removed", "not joined")
ACTIVE, PAUSE, DRAIN = 0, 1, 2
AVAILABILITY = ("active", "pause", "drain")
# Node roles: current role, and a promotion or demotion the role manager has yet to finish.
WORKER, MANAGER, PROMOTING, DEMOTING = 0, 1, 2, 3
ROLE = ("worker", "manager", "worker, promotion pending", "manager, demotion pending")
WEB, AGENT = 0, 1  # the replicated and the global service
SERVICE = ("web", "agent")
NO_NODE = -1
NO_TASK = -1  # a task that waits for none
SPREAD_LABEL, SPREAD_VALUE = "zone", "a"  # the label the spread preference reads, and the value nodes get
# Restart conditions (A.9).
NONE, ON_FAILURE, ANY = "none", "on-failure", "any"

# (id, service, slot, node, desired, observed, spec version, the task a replacement waits for or -1)
Task = tuple[int, int, int, int, int, int, int, int]
ID, SVC, SLOT, NODE, DESIRED, OBSERVED, VERSION, AWAITS = range(8)
# Update orders (A.11) and the updater's state.
STOP_FIRST, START_FIRST = "stop-first", "start-first"
IDLE, UPDATING, UPDATE_PAUSED = 0, 1, 2
UPDATE_STATE = ("idle", "updating", "paused")


def runnable(t: Task) -> bool:
    """A.1: desired state at most RUNNING."""
    return t[DESIRED] <= RUNNING


def tracked(t: Task) -> bool:
    """The scheduler tracks a task on its node (nodeinfo.go addTask, scheduler.go updateTask) from
    ASSIGNED until its observed state passes RUNNING or it is deleted, and holds its reservation
    all that time, whatever its desired state; a preassigned (global) task only once ASSIGNED (A.6)."""
    return t[NODE] != NO_NODE and ASSIGNED <= t[OBSERVED] <= RUNNING


def active_on_node(t: Task) -> bool:
    """A.1: a tracked task with desired <= COMPLETE: what ActiveTasksCount (nodeLess, MaxReplicas) counts."""
    return tracked(t) and t[DESIRED] <= COMPLETE


def with_field(t: Task, field: int, value: int) -> Task:
    return t[:field] + (value,) + t[field + 1 :]  # type: ignore[return-value]


def task_names(ids: tuple[int, ...]) -> str:
    """Task ids as a report reads them: {t0, t3}."""
    return "{" + ", ".join(f"t{i}" for i in ids) + "}"


def still_running(t: Task, status: tuple[int, ...]) -> bool:
    """A task whose container may be up on a node that answers: assigned, not yet stopped,
    on a node that is READY (DelayStart's wait ends when it stops or its node goes)."""
    return ASSIGNED <= t[OBSERVED] <= RUNNING and t[NODE] != NO_NODE and status[t[NODE]] == READY
