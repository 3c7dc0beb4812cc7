"""What swarmkit's orchestration guarantees (reference A.12 and D), on `model.scheduler`.

Step invariants hold in every state. Convergence properties are checked only at
*quiescent* states, where no control-loop step is enabled: what the cluster settles
to once the orchestrators, scheduler, agents and discovery have caught up.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.orchestration import Config, Orchestration, State
from model.orchestration.tasks import (
    ACTIVE,
    AGENT,
    ASSIGNED,
    DESIRED,
    DOWN,
    DRAIN,
    ID,
    IDLE,
    NO_NODE,
    NODE,
    OBSERVED,
    PAUSE,
    PENDING,
    PREPARE,
    READY,
    RUNNING,
    SLOT,
    START_FIRST,
    STARTING,
    SVC,
    VERSION,
    WEB,
    active_on_node,
    runnable,
    still_running,
    task_names,
)
from properties.base import Property, always, sometimes, sometimes_step, transition

A12 = "swarm-semantics.md A.12"


def _two_runnable(s: State, service: int, field: int, allowed: int = -1) -> tuple[int, int, int] | None:
    """The first (slot or node, older id, newer id) holding two runnable tasks of a service;
    the task `allowed` is not counted."""
    seen: dict[int, int] = {}
    for t in s.tasks:
        if t[SVC] == service and runnable(t) and t[ID] != allowed:
            if t[field] in seen:
                return t[field], seen[t[field]], t[ID]
            seen[t[field]] = t[ID]
    return None


def one_runnable_task_per_slot(model: Orchestration) -> Any:
    start_first = model.config.update_order == START_FIRST

    def check(s: State) -> str | None:
        """S1: at most one runnable task per replicated slot; a start-first update may run the
        slot's new task beside the old one until the new one runs (A.11)."""
        found = _two_runnable(s, WEB, SLOT, allowed=s.update_task if start_first else -1)
        return found and f"slot {found[0]} has two runnable tasks, t{found[1]} and t{found[2]}"

    return check


def one_global_task_per_node(s: State) -> str | None:
    """S2: at most one runnable task of the global service per node."""
    found = _two_runnable(s, AGENT, NODE)
    return found and f"n{found[0] + 1} has two runnable agent tasks, t{found[1]} and t{found[2]}"


def task_history_moves_forward(before: State, action: Any, after: State) -> str | None:
    """S3: a node never changes once assigned; desired and observed states never go back."""
    old = {t[ID]: t for t in before.tasks}
    for t in after.tasks:
        was = old.get(t[ID])
        if was is None:
            continue
        if was[NODE] != NO_NODE and t[NODE] != was[NODE]:
            return f"t{t[ID]} moved from n{was[NODE] + 1} to n{t[NODE] + 1} on {action}"
        if t[OBSERVED] < was[OBSERVED] or t[DESIRED] < was[DESIRED]:
            return f"t{t[ID]}'s state went back on {action}"
        if t[OBSERVED] >= ASSIGNED and t[NODE] == NO_NODE:
            return f"t{t[ID]} is assigned to no node"
    return None


def assignment_passes_filters(model: Orchestration) -> Any:
    rules = Orchestration(attrs.evolve(model.config, bugs=frozenset()))  # the filters as A.3 and A.4 state them

    def check(before: State, action: Any, after: State) -> str | None:
        """S6: a task is assigned only to a node that passes every filter at that moment."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        failed = rules.unfit(before, task, action.node)
        if failed:
            return f"t{task[ID]} was assigned to n{action.node + 1}, which fails the {failed}"
        return None

    return check


def placement_follows_spread(model: Orchestration) -> Any:
    rules = Orchestration(attrs.evolve(model.config, bugs=frozenset()))  # A.5 as the reference states it

    def check(before: State, action: Any, after: State) -> str | None:
        """A.5: a replica goes to a node of the least-loaded spread branch (nodes without the
        label form the "" branch), and there to a node nodeLess ranks first."""
        if getattr(action, "rule", "") != "Schedule":
            return None
        task = next(t for t in before.tasks if t[ID] == action.task)
        if task[SVC] != WEB or action.node in rules.best_nodes(before, task):
            return None
        best = ", ".join(f"n{node + 1}" for node in rules.best_nodes(before, task))
        return f"t{task[ID]} was placed on n{action.node + 1}; the spread preference and node order pick {best}"

    return check


def replacement_waits_for_its_predecessor(model: Orchestration) -> Any:
    waiting_steps = {"Restart", "StartReplacement"}
    if model.config.update_order != START_FIRST:
        waiting_steps.add("UpdateSlot")  # start-first starts the new task at once, by design

    def check(before: State, action: Any, after: State) -> str | None:
        """A.9 DelayStart: a replacement (or a stop-first update's new task) is told to run only
        once the older tasks of its slot (node, for the agent) have stopped or lost their node."""
        if getattr(action, "rule", "") not in waiting_steps:
            return None
        was = {t[ID]: t for t in before.tasks}
        for t in after.tasks:
            if t[DESIRED] != RUNNING or (t[ID] in was and was[t[ID]][DESIRED] != PREPARE):
                continue  # not told to run on this step
            for u in model.group(after, t):
                if u[ID] < t[ID] and still_running(u, after.status):
                    return f"t{t[ID]} was told to run on {action} while t{u[ID]} before it still runs on n{u[NODE] + 1}"
        return None

    return check


def placement_oracle_agrees(model: Orchestration) -> Any:
    from swarmcheck.smt.placement import stranded_task  # z3 is loaded only when this runs

    def check(s: State) -> str | None:
        """Whenever the scheduler leaves a web task pending (quiescent state), z3 agrees
        that no node passing every filter can take it."""
        return stranded_task(model, s)

    return check


def greedy_never_strands(model: Orchestration) -> Any:
    from swarmcheck.smt.placement import greedy_strand  # z3 is loaded only when this runs

    def check(s: State) -> str | None:
        """A.5, a report: no settled state leaves a task waiting for room that z3 could place
        by placing the whole workload at once. swarmkit's design breaks it (`check --oracle`)."""
        return greedy_strand(model, s)

    return check


def resources_never_overcommitted(model: Orchestration) -> Any:
    def check(s: State) -> str | None:
        """S7: on every node the reservations of its active tasks fit its resources."""
        for node in range(model.n):
            used = model.used(s, node)
            if used > model.cpus(node):
                return f"n{node + 1} has {used} CPUs reserved of {model.cpus(node)}"
        return None

    return check


def converged(model: Orchestration) -> Any:
    def check(s: State) -> str | None:
        """At a quiescent state: S4 no runnable task on a drained or down node; S5 the replica
        count is met when capacity allows and the policy restarts; A.8 every eligible node runs
        its global task; D/LB1 every ready node's DNS and backends equal the running tasks."""
        if not model.quiescent(s):
            return None
        for t in s.tasks:
            if runnable(t) and t[NODE] != NO_NODE and (s.status[t[NODE]] != READY or s.availability[t[NODE]] == DRAIN):
                return f"t{t[ID]} is still runnable on n{t[NODE] + 1}, which is drained or down"
        running = _running_web(s)
        # Only where the bounds still let the orchestrator create a task: the search's edge is not a bug.
        room = s.created < model.config.max_tasks
        if not s.version:
            return _removed_service_left_over(s)
        # Slots the restart policy gave up on stay stopped, by design (A.7, A.9; moby#32979).
        wanted = s.replicas - len(_given_up_slots(model, s))
        if room and running < wanted and _capacity(model, s) >= wanted:
            return f"{running} of {s.replicas} web replicas run, though the cluster has room for them"
        if model.config.global_service and room:
            for node in range(model.n):
                eligible = s.status[node] == READY and s.availability[node] not in (DRAIN, PAUSE)
                mine = [t for t in s.tasks if t[SVC] == AGENT and t[NODE] == node]
                if eligible and not any(runnable(t) for t in mine) and not model.given_up(s, mine):
                    return f"n{node + 1} is eligible but runs no agent task"
        live = model.discoverable(s)
        for node in range(model.n):
            if s.status[node] == READY and (set(s.dns[node]) != live or set(s.backends[node]) != live):
                return f"n{node + 1} resolves tasks.web to {task_names(s.dns[node])} and balances over {task_names(s.backends[node])}, but {task_names(tuple(sorted(live)))} run"
        return None

    return check


def _removed_service_left_over(s: State) -> str | None:
    """A removed service's tasks are deleted once stopped (a down node's agent cannot stop them)."""
    for t in s.tasks:
        if t[SVC] == WEB and (t[NODE] == NO_NODE or s.status[t[NODE]] != DOWN):
            return f"t{t[ID]} of the removed web service is still in the store"
    return None


def _given_up_slots(model: Orchestration, s: State) -> list[int]:
    """Web slots whose newest task stopped and that the restart policy will not restart."""
    return [slot for slot, tasks in model.slots(s).items() if slot <= s.replicas and model.given_up(s, tasks)]


def routes_only_to_healthy_tasks(s: State) -> str | None:
    """D: a task with a health check is published (DNS, mesh) only once healthy, i.e. RUNNING;
    a task still STARTING is never a record or a backend."""
    starting = {t[ID] for t in s.tasks if t[OBSERVED] == STARTING}
    for node, (dns, backends) in enumerate(zip(s.dns, s.backends, strict=True)):
        early = sorted(starting & {*dns, *backends})
        if early:
            return f"n{node + 1} routes to {task_names(tuple(early))}, whose health check has not passed yet"
    return None


def task_failed_its_health_check_while_starting(before: State, action: Any, after: State) -> bool:
    """A task that never became healthy is failed and replaced, never published."""
    if getattr(action, "rule", "") != "HealthCheckFails":
        return False
    return any(t[ID] == action.task and t[OBSERVED] == STARTING for t in before.tasks)


def max_replicas_per_node_respected(model: Orchestration) -> Any:
    limit = model.config.max_per_node

    def check(s: State) -> str | None:
        """A.3 MaxReplicasFilter: no node holds more active web tasks than Placement.MaxReplicas."""
        for node in range(model.n):
            here = [t[ID] for t in s.tasks if t[SVC] == WEB and t[NODE] == node and active_on_node(t)]
            if len(here) > limit:
                return f"n{node + 1} holds {len(here)} web tasks {task_names(tuple(here))}; MaxReplicas is {limit}"
        return None

    return check


def max_replicas_leaves_task_pending(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.3: a web task stays pending although a ready, active node has the CPU for it,
        because every such node holds MaxReplicas web tasks already (expected)."""
        if not task_left_pending(model)(s):
            return False
        probe = (0, WEB, 0, NO_NODE, RUNNING, PENDING, 1)
        held = [model.unfit(s, probe, node) or "" for node in range(model.n)]
        return any(reason.startswith("max replicas") for reason in held)

    return check


def restarts_within_max_attempts(model: Orchestration) -> Any:
    limit = model.config.max_attempts

    def check(s: State) -> str | None:
        """A.9: with MaxAttempts set, a slot (or a node's agent) is restarted at most that often."""
        for k, made in enumerate(s.restarts):
            if made > limit:
                where = (
                    f"slot {k + 1}"
                    if k < model.config.max_replicas
                    else f"the agent on n{k - model.config.max_replicas + 1}"
                )
                return f"{where} was restarted {made} times; MaxAttempts is {limit}"
        return None

    return check


def _capacity(model: Orchestration, s: State) -> int:
    """How many web tasks the cluster could hold: ready, active, matching nodes, by the CPU its
    agent tasks leave, and MaxReplicas."""
    probe = (0, WEB, 0, NO_NODE, RUNNING, 0, 1)
    total = 0
    for node in range(model.n):
        if s.status[node] != READY or s.availability[node] != ACTIVE or not model.matches(s, probe, node):
            continue
        agents = sum(model.reservation(t) for t in s.tasks if t[SVC] == AGENT and t[NODE] == node and runnable(t))
        fit = (
            (model.cpus(node) - agents) // model.config.reservation
            if model.config.reservation
            else model.config.max_tasks
        )
        total += min(fit, model.config.max_per_node) if model.config.max_per_node else fit
    return total


# ---------------------------------------------------------------- expected behaviour, reachable


def task_left_pending(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.5 noSuitableNode: the cluster has settled with a web task pending (the oracle's subject)."""
        return any(t[SVC] == WEB and t[OBSERVED] == PENDING and runnable(t) for t in s.tasks) and model.quiescent(s)

    return check


def all_replicas_running(s: State) -> bool:
    return s.replicas > 0 and _running_web(s) == s.replicas


def drain_dips_below_replicas(s: State) -> bool:
    """docs#9917: a drain does not wait for replacements; running replicas dip (expected)."""
    drained = {node for node, availability in enumerate(s.availability) if availability == DRAIN}
    moved = any(t[SVC] == WEB and t[NODE] in drained and not runnable(t) for t in s.tasks)
    return moved and s.faults == 0 and _running_web(s) < s.replicas


def _running_web(s: State) -> int:
    return sum(1 for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING)


def task_restarted_elsewhere(before: State, action: Any, after: State) -> bool:
    """A.7: a failed or displaced replica is replaced by a new task in its slot."""
    return getattr(action, "rule", "") == "Restart" and len(after.tasks) > len(before.tasks)


def paused_node_keeps_tasks(s: State) -> bool:
    """A.2: PAUSE takes no new tasks, and the tasks already there keep running."""
    return any(
        s.availability[t[NODE]] == PAUSE and t[OBSERVED] == RUNNING and runnable(t)
        for t in s.tasks
        if t[NODE] != NO_NODE
    )


def task_rejected_by_constraint(before: State, action: Any, after: State) -> bool:
    """A.10: a label or role changed under a running task gets it rejected, and so moved."""
    return getattr(action, "rule", "") == "EnforceConstraints"


def node_removed_under_a_running_task(before: State, action: Any, after: State) -> bool:
    """E.20's setting: a node is removed while a web task runs there."""
    return getattr(action, "rule", "") == "RemoveNode" and any(
        t[SVC] == WEB and t[NODE] == action.node and t[OBSERVED] == RUNNING for t in before.tasks
    )


def replica_lost_with_restart_none(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """moby#32979: with restart none, a replica displaced by a drain or a down node is never
        replaced, and the settled cluster runs fewer replicas than the spec asks (expected)."""
        return bool(_given_up_slots(model, s)) and _running_web(s) < s.replicas and model.quiescent(s)

    return check


def slot_given_up_after_max_attempts(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.9: a slot that used its MaxAttempts keeps its stopped task, and nothing replaces it."""
        return any(s.restarts[slot - 1] == model.config.max_attempts for slot in _given_up_slots(model, s))

    return check


def replicas_not_rebalanced(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """swarmkit#1296: a node that joins (or recovers) gets no existing replica; the settled
        cluster runs two on one node and none on another that has room (expected)."""
        per_node = [
            sum(1 for t in s.tasks if t[SVC] == WEB and t[NODE] == node and runnable(t))
            for node in range(model.n)
            if s.status[node] == READY and s.availability[node] == ACTIVE
        ]
        return len(per_node) > 1 and max(per_node) - min(per_node) >= 2 and model.quiescent(s)

    return check


def replaced_task_still_running_on_down_node(s: State) -> bool:
    """A.7: a replica on a node that went down is replaced without waiting, while its container
    still runs on the cut-off worker (expected: count runnable tasks, not containers)."""
    for t in s.tasks:
        stale = t[SVC] == WEB and not runnable(t) and t[OBSERVED] == RUNNING and s.status[t[NODE]] == DOWN
        if stale and any(
            u[SVC] == WEB and u[SLOT] == t[SLOT] and runnable(u) and u[OBSERVED] == RUNNING for u in s.tasks
        ):
            return True
    return False


def replicas_spread_over_both_branches(s: State) -> bool:
    """A.5 spread: a labelled node and an unlabelled one (the "" branch) each run a replica."""
    branches = {s.labels[t[NODE]] for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING}
    return branches == {0, 1}


def replacement_waits_for_the_old_task(s: State) -> bool:
    """A.9: a replacement is prepared but not started while its predecessor still runs."""
    return any(t[DESIRED] == PREPARE for t in s.tasks)


def update_completed(s: State) -> bool:
    """A.11: the rolling update finished; every replica runs the new spec."""
    web = [t for t in s.tasks if t[SVC] == WEB and runnable(t)]
    return (
        s.version == 2
        and s.update == IDLE
        and len(web) == s.replicas > 0
        and all(t[VERSION] == 2 and t[OBSERVED] == RUNNING for t in web)
    )


def old_and_new_run_side_by_side(s: State) -> bool:
    """A.11 start-first: the slot's new task runs before the old one is stopped."""
    running = [t for t in s.tasks if t[SVC] == WEB and runnable(t) and t[OBSERVED] == RUNNING]
    return any(t[SLOT] == s.update_slot and t[VERSION] == 1 for t in running) and any(
        t[ID] == s.update_task for t in running
    )


def update_stuck_on_a_task_that_cannot_start(model: Orchestration) -> Any:
    def check(s: State) -> bool:
        """A.11: the updater waits for its new task with no timeout (updater.go's TODO), so a task
        stranded on a node that went down holds the update with the cluster otherwise settled."""
        awaited = [t for t in s.tasks if t[ID] == s.update_task and t[OBSERVED] < RUNNING]
        return bool(awaited) and model.quiescent(s)

    return check


def update_paused_by_failure(before: State, action: Any, after: State) -> bool:
    """A.11 failure action pause: a new task failed and the update stopped."""
    return getattr(action, "rule", "") == "UpdatePaused"


def service_removed_cleanly(s: State) -> bool:
    """`docker service rm`: the service's tasks are gone from the store and from every DNS."""
    return not s.version and not any(t[SVC] == WEB for t in s.tasks) and not any(s.dns)


def properties(config: Config) -> list[Property[Any]]:
    model = Orchestration(config)
    found: list[Property[Any]] = [
        always("one_runnable_task_per_slot", one_runnable_task_per_slot(model), f"{A12} S1; A.11"),
        transition("task_history_moves_forward", task_history_moves_forward, f"{A12} S3; A.1"),
        transition("assignment_passes_filters", assignment_passes_filters(model), f"{A12} S6; A.3, A.4"),
        transition(
            "replacement_waits_for_its_predecessor", replacement_waits_for_its_predecessor(model), "A.9 DelayStart"
        ),
        always("resources_never_overcommitted", resources_never_overcommitted(model), f"{A12} S7; A.3"),
        always("converged", converged(model), f"{A12} S4, S5; A.8; D DNS1, LB1"),
        always("placement_oracle_agrees", placement_oracle_agrees(model), "A.3, A.5; swarmcheck/smt/placement.py"),
        sometimes("all_replicas_running", all_replicas_running, "A.7"),
    ]
    if config.restart != "none":
        found.append(sometimes_step("task_restarted_elsewhere", task_restarted_elsewhere, "A.7, A.9"))
    if config.max_user_ops and config.restart != "none":  # a drain or an update (a failed task has stopped)
        found.append(sometimes("replacement_waits_for_the_old_task", replacement_waits_for_the_old_task, "A.9"))
    if config.max_faults and config.restart != "none":
        found.append(
            sometimes("replaced_task_still_running_on_down_node", replaced_task_still_running_on_down_node, "A.7")
        )
    if config.spread:
        found.append(
            transition("placement_follows_spread", placement_follows_spread(model), "A.5 placement preferences")
        )
        found.append(sometimes("replicas_spread_over_both_branches", replicas_spread_over_both_branches, "A.5"))
    if config.updates and config.max_user_ops:
        found.append(sometimes("update_completed", update_completed, "A.11"))
        if config.update_order == START_FIRST:
            found.append(sometimes("old_and_new_run_side_by_side", old_and_new_run_side_by_side, "A.11 START_FIRST"))
        if config.max_faults:
            found.append(sometimes_step("update_paused_by_failure", update_paused_by_failure, "A.11 FailureAction"))
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
    return found


def on_request(config: Config) -> list[Property[Any]]:
    """Checked only when named: what `check --oracle` reports, and its reports replay."""
    model = Orchestration(config)
    return [always("greedy_never_strands", greedy_never_strands(model), "A.5; swarmcheck/smt/placement.py")]
