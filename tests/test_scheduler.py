"""The orchestration model (issue 4, first part): the suite holds and reaches every
`sometimes`, every seeded bug is caught at its registered bounds, and the symmetry
reduction is sound."""

from itertools import permutations
from pathlib import Path

import attrs
import pytest
from bounds import bounds_off_the_suite, violations_without_the_bug
from hypothesis import given, settings
from hypothesis import strategies as st
from walks import reachable_states

from model.orchestration import BUGS, DEFAULT, SUITE, Orchestration, State
from model.orchestration.tasks import DOWN, ID, NODE, OBSERVED, READY, RUNNING, runnable
from properties.orchestration import properties
from properties.orchestration.placement_oracle import Node, greedy_example, place
from swarmcheck.cli import replay
from swarmcheck.engines.explore import explore
from swarmcheck.engines.stateful import hunt
from swarmcheck.registry import MODELS

ENTRY = MODELS["scheduler"]
CAUGHT_BY = {
    "no_restart_guard": "one_runnable_task_per_slot",
    "task_reused_on_restart": "task_history_moves_forward",
    "global_on_paused_node": "new_task_only_on_an_active_node",
    "ignore_availability": "assignment_passes_filters",
    "overcommit": "assignment_passes_filters",
    "global_duplicate_task": "one_global_task_per_node",
    "global_on_down_node": "new_task_only_on_an_active_node",
    "global_gap_never_refilled": "converged",
    "enforcer_shuts_down": "converged",
    "undrain_ignored": "converged",
    "missing_label_equals_any": "assignment_passes_filters",
    "dead_backend": "converged",
    "strict_resource_check": "converged",
    "max_attempts_off_by_one": "restarts_within_max_attempts",
    "restart_without_waiting": "replacement_waits_for_its_predecessor",
    "spread_skips_unlabelled_nodes": "placement_follows_spread",
    "update_forgets_old_task": "old_task_stopped_when_slot_updated",
    "removed_service_tasks_kept": "converged",
    "route_before_healthy": "routes_only_to_healthy_tasks",
    "max_replicas_counts_running_only": "assignment_passes_filters",
    "missing_label_fails_not_equal": "converged",  # its capacity reads the reference, not the buggy filter; z3 agrees
    "constraint_uses_desired_role": "assignment_passes_filters",
    "pause_is_invalid": "paused_node_keeps_its_tasks",
    "failure_action_ignored": "update_pauses_on_failure",
    "lost_task_not_replaced": "converged",  # and service_heals, with a lasso (tests/test_liveness.py)
    "node_order_most_loaded": "placement_follows_node_order",
    "healthy_after_shutdown": "runs_only_while_wanted",
    "start_first_keeps_old_task": "old_task_stopped_when_slot_updated",
}


# Every suite configuration holding and reaching each `sometimes` is the main job's gate (tox's
# check env runs them all, liveness and coverage included): not repeated here.


def test_every_seeded_bug_has_a_property_that_names_it() -> None:
    assert sorted(CAUGHT_BY) == sorted(BUGS)


# The bugs env hunts every seeded bug (`swarmcheck bugs`) and checks each catch's property
# (tests/test_bug_reports.py); this is the same hunt, for a run of your own (pytest -m slow).
@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_explorer_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = explore(Orchestration(config), properties(config))
    assert [v.property for v in result.violations][:1] == [CAUGHT_BY[bug]], result.violations


@pytest.mark.parametrize("bug", bounds_off_the_suite(ENTRY))
def test_correct_model_holds_at_each_bugs_bounds(bug: str) -> None:
    violations = violations_without_the_bug(ENTRY, bug, max_states=15_000)
    assert not violations, violations[0].message


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_hypothesis_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = hunt(Orchestration(config), properties(config))
    assert [v.property for v in result.violations] == [CAUGHT_BY[bug]]


def test_overcommit_also_breaks_the_resource_invariant() -> None:
    config = ENTRY.bug_config("overcommit")
    wanted = [p for p in properties(config) if p.name == "resources_never_overcommitted"]
    assert [v.property for v in explore(Orchestration(config), wanted).violations] == ["resources_never_overcommitted"]


def test_the_oracle_alone_catches_a_scheduler_that_refuses_a_fitting_task() -> None:
    config = ENTRY.bug_config("strict_resource_check")
    oracle = [p for p in properties(config) if p.name == "placement_oracle_agrees"]
    result = explore(Orchestration(config), oracle)
    assert [v.property for v in result.violations] == ["placement_oracle_agrees"]
    assert "z3" in result.violations[0].message


def test_greedy_order_strands_what_z3_places() -> None:
    _, demands, chosen, answer = greedy_example()
    assert None in chosen  # swarmkit's one-at-a-time order leaves a task pending
    assert answer.nodes is not None and len(answer.nodes) == len(demands)


def test_z3_finds_no_placement_when_nothing_fits() -> None:
    assert place([Node("n1", 1)], [2], [0]).nodes is None
    assert place([Node("n1", 4, matches=False)], [1], [0]).nodes is None
    assert place([Node("n1", 2), Node("n2", 2)], [1, 1], [0, 0]).max_load == 1


def test_a_double_restart_request_is_refused_by_the_guard() -> None:
    """E.11's fix: the second request for one task finds it past COMPLETED and does nothing."""
    model = Orchestration(DEFAULT)
    s = next(iter(model.init_states()))
    s = model.new_task(s, 0, 1, 0)
    s = model.request_restart(model.request_restart(s, 0), 0)
    once = model.restart(s, 0)
    twice = model.restart(once, 0)
    assert len(once.tasks) == 2 and twice.tasks == once.tasks


MODEL = Orchestration(DEFAULT)


@given(reachable_states(MODEL, 20), st.sampled_from(list(permutations(range(3)))))
def test_renamed_states_share_a_canonical_form(state: State, order: tuple[int, ...]) -> None:
    assert MODEL.canonical(MODEL.permuted(state, order)) == MODEL.canonical(state)


def test_reaper_keeps_the_newest_task_of_a_slot() -> None:
    """TaskHistoryRetentionLimit: a stopped task is reaped only once a newer one shares its slot,
    so a slot restart `none` gave up on keeps its task and is not refilled (moby#32979)."""
    model = Orchestration(attrs.evolve(DEFAULT, restart="none"))
    s = next(iter(model.init_states()))
    s = model.new_task(s, 0, 1, 0)
    s = model.replace(s, (0, 0, 1, 0, 640, 704, 1))  # desired SHUTDOWN, observed FAILED
    assert [step.rule for step, _ in model.task_reaper(s)] == []
    assert model.updatable_slots(s) == [1]
    s = model.new_task(s, 0, 1, -1)
    assert [str(step) for step, _ in model.task_reaper(s)] == ["Reap(t0, n1)"]


def test_max_attempts_stops_restarts_at_the_limit() -> None:
    model = Orchestration(attrs.evolve(DEFAULT, max_attempts=1, global_service=False))
    s = model.new_task(next(iter(model.init_states())), 0, 1, 0)
    s = model.replace(s, (0, 0, 1, 0, 512, 704, 1))
    once = model.restart(model.request_restart(s, 0), 0)
    assert len(once.tasks) == 2 and once.restarts[0] == 1
    failed = model.replace(once, (1, 0, 1, 0, 512, 704, 1))
    twice = model.restart(model.request_restart(failed, 1), 1)
    assert len(twice.tasks) == 2 and model.given_up(twice, list(twice.tasks))


def test_a_hostname_constraint_keeps_its_node_out_of_renamings() -> None:
    pinned = Orchestration(attrs.evolve(DEFAULT, constraint="node.hostname==n3"))
    assert all(order[2] == 2 for order in pinned._orders) and len(pinned._orders) == 2
    assert len(Orchestration(attrs.evolve(DEFAULT, constraint="node.labels.zone==a"))._orders) == 6


def test_a_demotion_counts_only_once_the_role_manager_finishes_it() -> None:
    """A.4: node.role is the current role; a pending demotion still reads as manager."""
    model = Orchestration(attrs.evolve(DEFAULT, constraint="node.role!=manager"))
    s = next(iter(model.init_states()))
    demoting = model.change_role(s, 0, 3)
    web = (0, 0, 1, -1, 512, 64, 1)
    assert not model.matches(demoting, web, 0)
    [(step, done)] = list(model.role_manager(demoting))
    assert str(step) == "RoleChange(n1, worker)" and model.matches(done, web, 0)


@pytest.mark.parametrize(
    "name", ["role-constraint", "rolling-update-start-first", "uneven-nodes", "restart-max-attempts", "node-removal"]
)
def test_renamed_states_share_a_canonical_form_in(name: str) -> None:
    model = Orchestration(SUITE[name])

    @settings(max_examples=60, deadline=None)
    @given(reachable_states(model, 25), st.sampled_from(model._orders))
    def renamed(state: State, order: tuple[int, ...]) -> None:
        assert model.canonical(model.permuted(state, order)) == model.canonical(state)

    renamed()


def test_the_explorer_finds_one_state_per_orbit() -> None:
    """Against brute force: every concrete state, grouped by the least form over all renamings."""
    model = Orchestration(SUITE["node-join"])
    seen = {model.key(s): s for s in model.init_states()}
    frontier = list(seen.values())
    while frontier:
        frontier = [t for s in frontier for _, t in model.next_steps(s) if model.within_bounds(t)]
        frontier = [seen.setdefault(model.key(t), t) for t in frontier if model.key(t) not in seen]
    orbits = {min(model._relabelled(s, order) for order in model._orders) for s in seen.values()}
    result = explore(model, [])
    assert result.stats is not None and result.stats.distinct_states == len(orbits)


def test_counting_running_tasks_only_also_breaks_max_replicas() -> None:
    config = ENTRY.bug_config("max_replicas_counts_running_only")
    wanted = [p for p in properties(config) if p.name == "max_replicas_per_node_respected"]
    assert [v.property for v in explore(Orchestration(config), wanted).violations] == [
        "max_replicas_per_node_respected"
    ]


def test_the_oracle_scan_finds_a_strand_and_its_trace_ends_in_one(tmp_path: Path) -> None:
    from properties.orchestration.placement_oracle import greedy_strand
    from swarmcheck.studies import placement_strands as strands

    found = strands.scan(tmp_path)
    assert 0 < found.strands <= found.settled_with_pending
    assert found.result is not None and found.report is not None and found.report.exists()
    [violation] = found.result.violations
    assert violation.trace is not None
    model = Orchestration(SUITE[strands.SCANNED])
    assert greedy_strand(model, violation.trace.steps[-1][1]) is not None
    assert replay(found.report).reproduced  # the report-only property is known by name


def test_report_only_properties_never_gate_the_main_job() -> None:
    from swarmcheck.studies import placement_strands as strands

    assert "greedy_never_strands" not in [p.name for p in properties(SUITE[strands.SCANNED])]


def test_preassigned_tasks_are_scheduled_before_the_others() -> None:
    """A.6: in a tick, a global task that fits its node goes first, so the replica sees its load."""
    model = Orchestration(SUITE["uneven-nodes"])
    s = next(iter(model.init_states()))
    s = model.new_task(model.new_task(s, 0, 1, -1), 1, 0, 0)
    assert [str(step) for step, _ in model.schedule(s)] == ["Schedule(t1, n1)"]


def test_spread_and_a_label_constraint_must_read_one_label() -> None:
    with pytest.raises(ValueError, match="spread"):
        attrs.evolve(DEFAULT, spread=True, constraint="node.labels.disk==ssd")
    assert attrs.evolve(DEFAULT, spread=True, constraint="node.labels.zone!=a").spread


def test_a_replacement_waits_while_its_predecessor_runs_on_a_live_node() -> None:
    """A.9 DelayStart: desired READY until the old task stops; no wait when its node is down."""
    model = Orchestration(DEFAULT)
    s = model.new_task(next(iter(model.init_states())), 0, 1, 0)
    s = model.replace(s, (0, 0, 1, 0, 512, 512, 1, -1))  # t0 runs on n1
    drained = model.restart(model.request_restart(s, 0), 0)
    assert [t[4] for t in drained.tasks] == [640, 384]  # old SHUTDOWN, new READY
    assert list(model.delayed_starts(drained)) == []
    stopped = model.replace(drained, (0, 0, 1, 0, 640, 640, 1, -1))
    assert [str(step) for step, _ in model.delayed_starts(stopped)] == ["StartReplacement(t1)"]
    down = attrs.evolve(s, status=(1, 0, 0))
    assert [t[4] for t in model.restart(model.request_restart(down, 0), 0).tasks] == [640, 512]


# ---------------------------------------------------------------- start-first with a fault (issue 19)

# The trace behind two false alarms of the old model: start-first's new task t1 loses its node
# and is restarted as t2 beside the old task t0.
LOST_NEW_TASK = [
    "ReconcileReplicated(create slots [1])",
    "UpdateService(spec 2)",
    "ReconcileReplicated(nothing to do)",
    "UpdateSlot(t1, slot 1, start-first)",
    "Schedule(t1, n1)",
    "AgentStart(t1, n1)",
    "NodeDown(n1)",
    "Restart(t1)",
]


def follow(model: Orchestration, texts: list[str]) -> State:
    (s,) = model.init_states()
    for text in texts:
        (s,) = [t for a, t in model.next_steps(s) if str(a) == text]
    return s


def test_start_first_allows_a_restarted_new_task_beside_the_old_one() -> None:
    """A.12 S1: under START_FIRST a slot may hold two runnable tasks (the old model allowed only
    the task the updater waits on, and flagged t0 beside t2 after Restart(t1))."""
    config = SUITE["start-first-with-faults"]
    model = Orchestration(config)
    s = follow(model, LOST_NEW_TASK)
    assert sorted(t[0] for t in s.tasks if runnable(t)) == [0, 2]
    (s1,) = [p for p in properties(config) if p.name == "one_runnable_task_per_slot"]
    assert s1.check(s) is None
    stop_first = Orchestration(attrs.evolve(config, update_order="stop-first"))
    (strict,) = [p for p in properties(stop_first.config) if p.name == "one_runnable_task_per_slot"]
    assert strict.check(s) == "slot 1 has two runnable tasks, t0 and t2"


def test_remove_old_tasks_spares_a_replacement_made_after_the_new_task() -> None:
    """swarmkit's updater removes the slot's tasks as it took them (updater.go updateTask): the
    old model also shut down t2, leaving the service at 0 of 1 replicas (`converged` failed)."""
    model = Orchestration(SUITE["start-first-with-faults"])
    s = follow(model, [*LOST_NEW_TASK, "SlotUpdated(t1, slot 1)"])
    runnable_now = sorted(t[0] for t in s.tasks if runnable(t))
    assert runnable_now == [2]  # t0 (old spec) shut down, t2 (the replacement) kept


def test_start_first_with_faults_holds_and_the_forgetful_updater_is_caught() -> None:
    config = SUITE["start-first-with-faults"]
    assert explore(Orchestration(config), properties(config)).verdict == "holds"
    buggy = attrs.evolve(config, bugs=frozenset({"update_forgets_old_task"}))
    result = explore(Orchestration(buggy), properties(buggy))
    assert [v.property for v in result.violations] == ["old_task_stopped_when_slot_updated"]


def test_a_task_on_a_down_node_cannot_report_its_end() -> None:
    """An agent the managers do not hear from reports nothing: a container on a DOWN node may
    stop, but the store learns of it only once the node is back (issue 19; HealthCheckFails
    already needed a READY node)."""
    model = Orchestration(SUITE["restart-max-attempts"])  # two faults: a node down, then a task ending
    seen = set(model.init_states())
    frontier, judged = list(seen), 0
    while frontier and len(seen) < 5000:
        s = frontier.pop(0)
        for action, after in model.next_steps(s):
            if action.rule in ("TaskFails", "TaskExits", "HealthCheckFails"):
                (task,) = [t for t in s.tasks if t[ID] == action.task]
                assert s.status[task[NODE]] == READY, f"{action} on a node that is not READY"
                judged += 1
            if after not in seen and model.within_bounds(after):
                seen.add(after)
                frontier.append(after)
    assert judged and any(DOWN in s.status and any(t[OBSERVED] == RUNNING for t in s.tasks) for s in seen)


def test_delay_start_waits_for_the_restarted_task_only() -> None:
    """restart.go DelayStart waits on the task it replaces: under start-first, the new t1 lost
    with n1 is restarted as t2, which may run at once although the old t0 still runs on n2 (the
    old model made t2 wait for every older task of the slot, t0 included)."""
    model = Orchestration(SUITE["start-first-with-faults"])
    (s,) = model.init_states()
    old, new = (0, 0, 1, 1, RUNNING, RUNNING, 1, -1), (1, 0, 1, 0, RUNNING, RUNNING, 2, -1)
    s = attrs.evolve(s, tasks=(old, new), created=2, version=2, status=(DOWN, READY), replicated_due=0)
    after = model.restart(model.request_restart(s, 1), 1)
    t2 = next(t for t in after.tasks if t[ID] == 2)
    assert t2[4] == RUNNING and t2[7] == -1
