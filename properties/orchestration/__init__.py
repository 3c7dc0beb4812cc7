"""What swarmkit's orchestration guarantees (reference A.12 and D), on `model.orchestration`.

Step invariants hold in every state. Convergence properties are checked only at
*quiescent* states, where no control-loop step is enabled: what the cluster settles
to once the orchestrators, scheduler, agents and discovery have caught up.

The properties live in `invariants` (every state or step), `convergence` (quiescent
states, with the z3 `placement_oracle`) and `witnesses` (`sometimes`); `properties`
chooses those that a configuration can speak of.
"""

from __future__ import annotations

from typing import Any

from model.orchestration import Config, Orchestration
from model.orchestration.tasks import START_FIRST
from properties.base import Property, always, sometimes, sometimes_step, transition
from properties.orchestration.convergence import (
    converged,
    greedy_never_strands,
    placement_oracle_agrees,
    service_heals,
)
from properties.orchestration.invariants import (
    assignment_passes_filters,
    max_replicas_per_node_respected,
    old_task_stopped_when_slot_updated,
    one_global_task_per_node,
    one_runnable_task_per_slot,
    paused_node_keeps_its_tasks,
    placement_follows_spread,
    replacement_waits_for_its_predecessor,
    resources_never_overcommitted,
    restarts_within_max_attempts,
    routes_only_to_healthy_tasks,
    task_history_moves_forward,
    update_pauses_on_failure,
)
from properties.orchestration.steps import (
    new_task_only_on_an_active_node,
    placement_follows_node_order,
    runs_only_while_wanted,
)
from properties.orchestration.witnesses import (
    all_replicas_running,
    drain_dips_below_replicas,
    max_replicas_leaves_task_pending,
    node_removed_under_a_running_task,
    old_and_new_run_side_by_side,
    paused_node_keeps_tasks,
    replaced_task_still_running_on_down_node,
    replacement_waits_for_the_old_task,
    replica_lost_with_restart_none,
    replicas_not_rebalanced,
    replicas_spread_over_both_branches,
    service_removed_cleanly,
    slot_given_up_after_max_attempts,
    slot_runs_twice_after_its_node_returns,
    task_failed_its_health_check_while_starting,
    task_left_pending,
    task_rejected_by_constraint,
    task_restarted_elsewhere,
    update_completed,
    update_paused_by_failure,
    update_stuck_on_a_task_that_cannot_start,
)

A12 = "swarm-semantics.md A.12"


def properties(config: Config) -> list[Property[Any]]:
    model = Orchestration(config)
    found: list[Property[Any]] = [
        always("one_runnable_task_per_slot", one_runnable_task_per_slot(model), f"{A12} S1; A.11"),
        transition(
            "old_task_stopped_when_slot_updated", old_task_stopped_when_slot_updated(model), "A.11 removeOldTasks"
        ),
        transition("task_history_moves_forward", task_history_moves_forward, f"{A12} S3; A.1"),
        transition("assignment_passes_filters", assignment_passes_filters(model), f"{A12} S6; A.3, A.4"),
        transition(
            "replacement_waits_for_its_predecessor", replacement_waits_for_its_predecessor(model), "A.9 DelayStart"
        ),
        always("resources_never_overcommitted", resources_never_overcommitted(model), f"{A12} S7; A.3"),
        always("converged", converged(model), f"{A12} S4, S5; A.8; D DNS1, LB1"),
        always(
            "placement_oracle_agrees",
            placement_oracle_agrees(model),
            "A.3, A.5; properties/orchestration/placement_oracle.py",
        ),
        sometimes("all_replicas_running", all_replicas_running, "A.7"),
    ]
    if config.nodes <= 2:  # on request above (`on_request`): the liveness graph keeps every state
        found.append(service_heals(model))
    if config.restart != "none":
        found.append(sometimes_step("task_restarted_elsewhere", task_restarted_elsewhere, "A.7, A.9"))
    if config.max_user_ops and config.restart != "none":  # a drain or an update (a failed task has stopped)
        found.append(sometimes("replacement_waits_for_the_old_task", replacement_waits_for_the_old_task, "A.9"))
    if config.max_faults >= 2 and config.restart != "none" and config.update_order != START_FIRST:
        found.append(sometimes("slot_runs_twice_after_its_node_returns", slot_runs_twice_after_its_node_returns, "A.7"))
    if config.max_faults and config.restart != "none":
        found.append(
            sometimes("replaced_task_still_running_on_down_node", replaced_task_still_running_on_down_node, "A.7")
        )
    if config.spread:
        found.append(
            transition("placement_follows_spread", placement_follows_spread(model), "A.5 placement preferences")
        )
        found.append(sometimes("replicas_spread_over_both_branches", replicas_spread_over_both_branches, "A.5"))
    else:  # with spread, placement_follows_spread judges nodeLess inside the branch
        found.append(transition("placement_follows_node_order", placement_follows_node_order(model), "A.5 nodeLess"))
    found.append(transition("runs_only_while_wanted", runs_only_while_wanted, "A.1"))
    if config.global_service:
        found.append(transition("new_task_only_on_an_active_node", new_task_only_on_an_active_node, "A.2, A.8, A.9"))
    if config.updates and config.max_user_ops:
        found.append(sometimes("update_completed", update_completed, "A.11"))
        if config.update_order == START_FIRST:
            found.append(sometimes("old_and_new_run_side_by_side", old_and_new_run_side_by_side, "A.11 START_FIRST"))
        if config.max_faults:
            found.append(sometimes_step("update_paused_by_failure", update_paused_by_failure, "A.11 FailureAction"))
            found.append(transition("update_pauses_on_failure", update_pauses_on_failure, "A.11 FailureAction"))
            stuck = update_stuck_on_a_task_that_cannot_start(model)
            found.append(sometimes("update_stuck_on_a_task_that_cannot_start", stuck, "A.11 updateTask"))
    if config.service_removal and config.max_user_ops:
        found.append(sometimes("service_removed_cleanly", service_removed_cleanly, "A.1 REMOVE; D"))
    if config.health_check:
        found.append(always("routes_only_to_healthy_tasks", routes_only_to_healthy_tasks, "D; swarmd/dockerexec Start"))
        if config.max_faults:
            found.append(
                sometimes_step(
                    "task_failed_its_health_check_while_starting", task_failed_its_health_check_while_starting, "D"
                )
            )
    if config.max_per_node:
        found.append(
            always("max_replicas_per_node_respected", max_replicas_per_node_respected(model), "A.3 MaxReplicasFilter")
        )
        if config.max_user_ops:
            found.append(sometimes("max_replicas_leaves_task_pending", max_replicas_leaves_task_pending(model), "A.3"))
    if config.max_attempts:
        found.append(always("restarts_within_max_attempts", restarts_within_max_attempts(model), "A.9 shouldRestart"))
        if config.max_faults > config.max_attempts:
            found.append(sometimes("slot_given_up_after_max_attempts", slot_given_up_after_max_attempts(model), "A.9"))
    if config.joiners and config.max_user_ops:
        found.append(sometimes("replicas_not_rebalanced", replicas_not_rebalanced(model), "swarmkit#1296"))
    if config.restart == "none" and (config.max_user_ops or config.max_faults):
        found.append(sometimes("replica_lost_with_restart_none", replica_lost_with_restart_none(model), "moby#32979"))
    if config.global_service:
        found.append(always("one_global_task_per_node", one_global_task_per_node, f"{A12} S2"))
    if model.constraint and config.max_user_ops:
        found.append(sometimes("task_left_pending", task_left_pending(model), "A.5 noSuitableNode"))
        if model.constraint.subject in ("label", "role"):  # a hostname never changes under a task
            found.append(sometimes_step("task_rejected_by_constraint", task_rejected_by_constraint, "A.10"))
    if config.removals and config.max_user_ops:
        found.append(sometimes_step("node_removed_under_a_running_task", node_removed_under_a_running_task, "E.20; D"))
    if config.max_user_ops:
        found.append(sometimes("drain_dips_below_replicas", drain_dips_below_replicas, "docs#9917"))
        found.append(sometimes("paused_node_keeps_tasks", paused_node_keeps_tasks, "A.2"))
        found.append(transition("paused_node_keeps_its_tasks", paused_node_keeps_its_tasks, "A.2; task.go InvalidNode"))
    return found


def on_request(config: Config) -> list[Property[Any]]:
    """Checked only when named: what `check --oracle` reports (its reports replay), and
    liveness at three nodes or more."""
    model = Orchestration(config)
    found = [
        always("greedy_never_strands", greedy_never_strands(model), "A.5; properties/orchestration/placement_oracle.py")
    ]
    if config.nodes > 2:  # liveness keeps every state, without symmetry: six times the safety search's
        found.append(service_heals(model))
    return found
