"""The scheduler and the constraint enforcer as swarmkit's code counts (issue 19): each test
builds the state where the old model and swarmkit part ways and shows the new behaviour.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.orchestration import DEFAULT, SUITE, Orchestration, State
from model.orchestration.tasks import (
    AGENT,
    ASSIGNED,
    DOWN,
    FAILED,
    NO_NODE,
    PAUSE,
    PENDING,
    REJECTED,
    RUNNING,
    SHUTDOWN,
    WEB,
    Task,
)


def cluster(model: Orchestration, *tasks: Task, **fields: Any) -> State:
    (s,) = model.init_states()
    return attrs.evolve(s, tasks=tasks, created=len(tasks), replicated_due=0, node_due=(0,) * model.n, **fields)


def web(task_id: int, slot: int, node: int, desired: int = RUNNING, observed: int = RUNNING) -> Task:
    return (task_id, WEB, slot, node, desired, observed, 1, -1)


def agent(task_id: int, node: int, desired: int = RUNNING, observed: int = RUNNING) -> Task:
    return (task_id, AGENT, 0, node, desired, observed, 1, -1)


def test_a_task_told_to_stop_keeps_its_reservation_until_it_has() -> None:
    """nodeinfo.go: the reservation is released when the observed state passes RUNNING, not
    when the desired state does (the old model freed n1's CPU at once and placed t2 there)."""
    model = Orchestration(attrs.evolve(DEFAULT, nodes=2, cpus=1, global_service=False, replicas=2, max_replicas=2))
    stopping = web(0, 1, 0, desired=SHUTDOWN)
    s = cluster(model, stopping, web(1, 2, 1), web(2, 1, NO_NODE, observed=PENDING))
    assert model.used(s, 0) == 1
    assert model.best_nodes(s, s.tasks[2]) == []
    stopped = model.replace(s, web(0, 1, 0, desired=SHUTDOWN, observed=SHUTDOWN))
    assert model.best_nodes(stopped, s.tasks[2]) == [0]


def test_node_order_counts_neither_ended_nor_preassigned_tasks() -> None:
    """ActiveTasksCount holds tracked tasks only: a failed task awaiting its restart and a
    preassigned pending task do not make a node busier (the old model sent t3 to n3 alone)."""
    model = Orchestration(attrs.evolve(DEFAULT, replicas=2, max_replicas=2))
    pending = web(3, 2, NO_NODE, observed=PENDING)
    s = cluster(model, web(0, 1, 0, observed=FAILED), agent(1, 1, observed=PENDING), agent(2, 2), pending)
    assert model.best_nodes(s, pending) == [0, 1]  # n3 runs t2; n1's t0 ended, n2's t1 waits


def test_spread_counts_the_tasks_of_every_node_in_a_branch() -> None:
    """nodeset.go tree: a branch's count covers all its nodes, a paused one's too, and only
    branches with an eligible node compete (the old model counted eligible nodes only, saw
    zone=a empty and gave it the task)."""
    config = SUITE["spread-preference"]
    model = Orchestration(config)
    pending = web(1, 2, NO_NODE, observed=PENDING)
    s = cluster(model, web(0, 1, 0), pending, availability=(PAUSE, 0, 0), labels=(1, 1, 0))
    assert model.best_nodes(s, pending) == [2]  # zone=a holds t0 on the paused n1, "" holds none


def test_enforcer_rejects_what_no_longer_fits_in_either_order() -> None:
    """A.10: on a node update the enforcer also sums reservations in FindTasks order (unsorted,
    so each order is a run): the agent task the scheduler does not count while it is
    preassigned, or the replica it let in, is rejected (the old enforcer checked the
    constraint only, and ran only on a mismatch)."""
    config = attrs.evolve(SUITE["labels-and-constraints"], agent_reservation=2)
    model = Orchestration(config)
    s = cluster(model, agent(0, 0, observed=PENDING), web(1, 1, 0, observed=ASSIGNED), agent(2, 1), labels=(1, 0, 0))
    s = model.node_updated(s, 0)
    outcomes = sorted(tuple(t[0] for t in after.tasks if t[5] == REJECTED) for _, after in model.constraint_enforcer(s))
    assert outcomes == [(0,), (1,)]


def test_enforcer_looks_at_an_active_node_whatever_its_status() -> None:
    """constraint_enforcer.go checks availability only: a down node that lost its label still
    has its task rejected, so the orchestrator replaces it (the old enforcer skipped it)."""
    model = Orchestration(SUITE["labels-and-constraints"])
    s = cluster(model, web(0, 1, 0), status=(DOWN, 0, 0), labels=(0, 0, 0))
    assert list(model.constraint_enforcer(s)) == []  # no node update yet: the enforcer has not run
    s = model.node_updated(s, 0)
    assert [str(step) for step, _ in model.constraint_enforcer(s)] == ["EnforceConstraints(n1, reject {t0})"]


def test_the_reaper_may_delete_any_ended_task_of_a_crowded_slot() -> None:
    """taskreaper.go deletes ended tasks in status-timestamp order, whatever their desired state
    (the old model deleted only the lowest id, and only once its desired state was SHUTDOWN)."""
    model = Orchestration(attrs.evolve(DEFAULT, global_service=False))
    s = cluster(model, web(0, 1, 0, SHUTDOWN, SHUTDOWN), web(1, 1, 0, RUNNING, FAILED), web(2, 1, 1))
    assert [str(step) for step, _ in model.task_reaper(s)] == ["Reap(t0, n1)", "Reap(t1, n1)"]
    (_, after) = list(model.task_reaper(s))[1]
    assert after.replicated_due == 1  # a runnable task deleted: the orchestrator reconciles (A.7)
    queued = attrs.evolve(s, restart_requests=(1,))
    assert [str(step) for step, _ in model.task_reaper(queued)] == ["Reap(t0, n1)"]


def test_reconcile_deletes_the_tasks_of_dead_slots_it_does_not_reuse() -> None:
    """replicated/services.go reconcile: deleteTasksMap(deadSlots), save a slot addTasks reused
    (the old model left a dead slot's tasks in the store)."""
    config = attrs.evolve(DEFAULT, global_service=False, replicas=2, max_replicas=2, max_tasks=8)
    model = Orchestration(config)
    ended = [web(0, 1, 0, SHUTDOWN, FAILED), web(1, 3, 1, SHUTDOWN, FAILED)]  # slots 1 and 3 dead
    s = attrs.evolve(cluster(model, *ended, web(2, 2, 2)), replicated_due=1)
    [(step, after)] = list(model.replicated_reconcile(s))
    assert str(step) == "ReconcileReplicated(create slots [1], delete dead slots [3])"
    assert sorted(t[0] for t in after.tasks) == [0, 2, 3]  # t1 deleted; t0 kept under t3 in slot 1


def test_global_reconcile_shuts_down_extra_clean_tasks() -> None:
    """global.go reconcileOneNode: one clean task is kept, the extras are shut down."""
    model = Orchestration(DEFAULT)
    s = attrs.evolve(cluster(model, agent(0, 0), agent(1, 0)), node_due=(1, 0, 0))
    [(step, after)] = list(model.global_reconcile(s))
    assert str(step) == "ReconcileGlobal(n1, shut down extra tasks)"
    assert [t[4] for t in after.tasks] == [RUNNING, SHUTDOWN]


def test_a_failure_within_the_monitor_window_pauses_the_update() -> None:
    """updater.go failureTriggersAction: a task the update started that fails within Monitor of
    running counts as a failure; the updater keeps watching the last slot's task after it runs
    (the old model forgot it at once and completed the update)."""
    model = Orchestration(SUITE["update-failure"])
    updated = (1, WEB, 1, 0, RUNNING, FAILED, 2, -1)
    s = cluster(model, web(0, 1, 1, SHUTDOWN, SHUTDOWN), updated, version=2, update=1, update_task=1)
    assert [str(step) for step, _ in model.updater(s)] == ["UpdatePaused(t1, failed within the monitor window)"]
    running = model.replace(s, (1, WEB, 1, 0, RUNNING, RUNNING, 2, -1))
    assert [str(step) for step, _ in model.updater(running)] == ["MonitorElapsed(t1)"]  # then UpdateDone
