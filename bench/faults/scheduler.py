"""Orchestration faults: each a one-line change mimicking a bug swarmkit (or a scheduler like
it) had, or one its design rules out."""

from __future__ import annotations

from faults.fault import faults_of

ORCH = "model/orchestration/"
FI, SC, RS, CL = ORCH + "filters.py", ORCH + "scheduler.py", ORCH + "restart.py", ORCH + "cluster.py"
AG, DI, GL, TR = ORCH + "agent.py", ORCH + "discovery.py", ORCH + "global_.py", ORCH + "taskreaper.py"
RE, UP, CA, FA, CE = (
    ORCH + "replicated.py",
    ORCH + "update.py",
    ORCH + "controlapi.py",
    ORCH + "faults.py",
    ORCH + "constraintenforcer.py",
)

_s = faults_of("scheduler")


SCHEDULER = [
    _s(
        "ready_filter_takes_down_nodes",
        FI,
        '        if s.status[node] != READY:\n            return "ready filter',
        '        if s.status[node] == 2:  # GONE\n            return "ready filter',
        "the ready filter lets tasks onto a down node (swarmkit filter.go ReadyFilter: status READY)",
    ),
    _s(
        "paused_node_takes_tasks",
        FI,
        'if s.availability[node] != ACTIVE and "ignore_availability" not in self.bugs:',
        'if s.availability[node] == DRAIN and "ignore_availability" not in self.bugs:',
        "a paused node still gets new tasks (A.3 ReadyFilter: availability ACTIVE; docs: pause takes no new tasks)",
    ),
    _s(
        "max_replicas_off_by_one",
        FI,
        "            if here >= self.config.max_per_node:",
        "            if here > self.config.max_per_node:",
        "MaxReplicas lets one task too many onto a node (filter.go MaxReplicasFilter: count < max)",
    ),
    _s(
        "max_replicas_counts_every_service",
        FI,
        "return sum(1 for t in s.tasks if t[SVC] == WEB and t[NODE] == node and active_on_node(t))",
        "return sum(1 for t in s.tasks if t[NODE] == node and active_on_node(t))",
        "MaxReplicas counts other services' tasks too (it is per service: ActiveTasksCountByService)",
    ),
    _s(
        "constraint_filter_skipped",
        FI,
        '        if not self.matches(s, t, node):\n            return f"constraint filter',
        '        if False:\n            return f"constraint filter',
        "the constraint filter is left out of the pipeline (moby/moby#24640-style: constraints not honoured)",
    ),
    _s(
        "reservation_counts_running_only",
        CL,
        "return sum(self.reservation(t) for t in s.tasks if t[NODE] == node and tracked(t))",
        "return sum(self.reservation(t) for t in s.tasks if t[NODE] == node and t[OBSERVED] == RUNNING)",
        "a node's reserved CPUs count only running tasks, so tasks assigned but not started overcommit it "
        "(nodeinfo.go: reserved from ASSIGNED on)",
    ),
    _s(
        "preassigned_placed_without_fit",
        SC,
        "preassigned = [t for t in pending if t[NODE] != NO_NODE and self.fits(s, t, t[NODE])]",
        "preassigned = [t for t in pending if t[NODE] != NO_NODE]",
        "a global task is placed on its node without the filters (A.6: preassigned tasks pass the pipeline; "
        "moby/swarmkit#2034)",
    ),
    _s(
        "node_order_ignores_service",
        SC,
        "            return sum(1 for u in here if u[SVC] == t[SVC]), len(here)",
        "            return len(here), 0",
        "nodeLess compares only the total task count, not the service's own (A.5 nodeLess: service count first)",
    ),
    _s(
        "node_order_most_loaded",
        SC,
        "        best = least(load(node) for node in eligible)",
        "        best = max(load(node) for node in eligible)",
        "the node heap ordered backwards: the busiest node gets the task (A.5); since made the seeded bug "
        "node_order_most_loaded, placement_follows_node_order's witness",
    ),
    _s(
        "node_order_counts_ended_tasks",
        SC,
        "here = [u for u in s.tasks if u[NODE] == node and active_on_node(u)]",
        "here = [u for u in s.tasks if u[NODE] == node]",
        "nodeLess counts failed and shut-down tasks, so a node with history looks busy "
        "(ActiveTasksCount counts desired <= COMPLETE)",
    ),
    _s(
        "spread_to_most_loaded_branch",
        SC,
        "        fewest = min(count.values())",
        "        fewest = max(count.values())",
        "the spread preference's direction inverted (nodeset.go tree: the branch with the fewest tasks)",
    ),
    _s(
        "spread_counts_eligible_nodes_only",
        SC,
        "members = [node for node in range(self.n) if s.status[node] in (READY, DOWN)]",
        "members = eligible",
        "a branch counts only tasks on its eligible nodes, so a full or paused node's tasks are forgotten "
        "(nodeset.go tree counts every node)",
    ),
    _s(
        "preassigned_moved_elsewhere",
        SC,
        "                continue  # its node does not fit it: it waits (A.6)",
        "                pass",
        "a global task that does not fit its node is scheduled on another (A.6: it waits on its node)",
    ),
    _s(
        "global_restarted_on_paused_node",
        RS,
        "            if s.availability[node] == PAUSE or self.invalid_node(s, node):",
        "            if self.invalid_node(s, node):",
        "a failed global task is replaced on a paused node (A.8: pause takes no new tasks)",
    ),
    _s(
        "global_restarted_on_drained_node",
        RS,
        "            if s.availability[node] == PAUSE or self.invalid_node(s, node):",
        "            if s.availability[node] == PAUSE:",
        "a failed global task is replaced on a drained or down node (A.8 restartTask: InvalidNode)",
    ),
    _s(
        "delay_start_waits_on_down_node",
        RS,
        "            if old is None or not still_running(old, s.status):",
        "            if old is None or old[OBSERVED] > RUNNING:",
        "a replacement waits for a task on a node that went down, which never reports (moby/swarmkit#2097: "
        "tasks stuck in READY)",
    ),
    _s(
        "replacement_pinned_to_old_node",
        RS,
        "return self.record_restart(self.new_task(s, WEB, old[SLOT], NO_NODE, self.awaited(s, old)), old)",
        "return self.record_restart(self.new_task(s, WEB, old[SLOT], old[NODE], self.awaited(s, old)), old)",
        "a replicated task's replacement stays on the node it failed on (A.9: the slot, not the node)",
    ),
    _s(
        "old_task_not_shut_down",
        RS,
        "        if old[DESIRED] < SHUTDOWN:\n            s = self.replace(s, with_field(old, DESIRED, SHUTDOWN))",
        "        if False:\n            s = self.replace(s, with_field(old, DESIRED, SHUTDOWN))",
        "Restart creates the replacement without shutting the old task down (restart.go: desired SHUTDOWN first)",
    ),
    _s(
        "restarts_never_counted",
        RS,
        "        return s.evolve(restarts=put(s.restarts, k, s.restarts[k] + 1))",
        "        return s",
        "the restart history is not recorded, so MaxAttempts never stops restarts (restart.go RecordRestartHistory)",
    ),
    _s(
        "on_failure_restarts_completed",
        CL,
        "if self.config.restart == ON_FAILURE and t[OBSERVED] == COMPLETE:",
        "if self.config.restart == ON_FAILURE and t[OBSERVED] == 704:  # FAILED",
        "on-failure inverted: a task that exits cleanly is restarted, a failed one is not (A.9 shouldRestart)",
    ),
    _s(
        "restart_none_restarts",
        CL,
        "        if self.config.restart == NONE:\n            return False",
        '        if self.config.restart == "any":\n            return False',
        "restart condition none read as any (A.9 shouldRestart)",
    ),
    _s(
        "drain_leaves_tasks",
        CL,
        "return s.status[node] != READY or s.availability[node] == DRAIN",
        "return s.status[node] != READY",
        "drain does not make a node invalid, so its tasks stay (A.2 InvalidNode; docs: drain moves tasks away)",
    ),
    _s(
        "down_node_keeps_tasks",
        CL,
        "return s.status[node] != READY or s.availability[node] == DRAIN",
        "return s.status[node] == GONE or s.availability[node] == DRAIN",
        "a down node's tasks are not rescheduled (A.7: a node DOWN is invalid; moby/swarmkit#1346-style)",
    ),
    _s(
        "agent_starts_waiting_task",
        AG,
        "            if t[OBSERVED] == ASSIGNED and t[DESIRED] == RUNNING:",
        "            if t[OBSERVED] == ASSIGNED and t[DESIRED] <= RUNNING:",
        "the agent starts a task prepared to wait (desired READY) before its predecessor stops (A.9 DelayStart)",
    ),
    _s(
        "agent_ignores_shutdown",
        AG,
        "elif t[OBSERVED] <= RUNNING and t[DESIRED] >= SHUTDOWN and t[OBSERVED] >= ASSIGNED:",
        "elif t[OBSERVED] <= RUNNING and t[DESIRED] > SHUTDOWN and t[OBSERVED] >= ASSIGNED:",
        "the agent stops only removed tasks, not ones told to shut down (agent/exec: desired >= SHUTDOWN)",
    ),
    _s(
        "healthy_after_shutdown",
        AG,
        '            elif t[OBSERVED] == STARTING and (t[DESIRED] <= RUNNING or "healthy_after_shutdown" in self.bugs):',
        "            elif t[OBSERVED] == STARTING:",
        "a starting task reported healthy after the manager told it to stop (agent: desired state first); since "
        "made the seeded bug healthy_after_shutdown, runs_only_while_wanted's witness",
    ),
    _s(
        "dns_keeps_stopping_tasks",
        DI,
        "return {t[ID] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] in started and runnable(t)}",
        "return {t[ID] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] in started}",
        "a task told to stop stays in DNS until it has stopped (D: desired > RUNNING disables the entry; "
        "moby/moby#30321, connections to stopping tasks)",
    ),
    _s(
        "global_task_on_paused_node",
        GL,
        "if candidate and not paused and not tasks and s.created < self.config.max_tasks:",
        "if candidate and not tasks and s.created < self.config.max_tasks:",
        "the global orchestrator puts a task on a paused node (A.8: pause takes no new tasks); since made the "
        "seeded bug global_on_paused_node, new_task_only_on_an_active_node's witness",
    ),
    _s(
        "global_keeps_drained_tasks",
        GL,
        "            elif not candidate and any(runnable(t) for t in tasks):",
        "            elif False:",
        "a drained node keeps its global task (A.8 reconcileOneNode: shut down on a non-candidate)",
    ),
    _s(
        "global_keeps_extra_tasks",
        GL,
        "            elif candidate and s.availability[node] != PAUSE and len(tasks) > 1:",
        "            elif candidate and s.availability[node] != PAUSE and len(tasks) > 2:",
        "a node keeps a second global task (A.8 reconcileOneNode: one task per node)",
    ),
    _s(
        "reaper_deletes_running_tasks",
        TR,
        "            if not (ended or never_runs) or t[ID] in s.restart_requests:",
        "            if t[ID] in s.restart_requests:",
        "the reaper deletes tasks still running (taskreaper.go: only terminal tasks)",
    ),
    _s(
        "reconcile_one_too_many",
        RE,
        "        while len(updatable) < s.replicas and after.created < self.config.max_tasks:",
        "        while len(updatable) <= s.replicas and after.created < self.config.max_tasks:",
        "reconcile creates one slot beyond the replica count (A.7)",
    ),
    _s(
        "scale_down_removes_first",
        RE,
        "        return ordered[-1]",
        "        return ordered[0]",
        "scale-down removes the slot it should keep: a running, spread one (A.7)",
    ),
    _s(
        "update_does_not_wait",
        UP,
        "        if new is not None and new[OBSERVED] < RUNNING:\n            return",
        "        if new is not None and new[OBSERVED] < 192:  # ASSIGNED\n            return",
        "the updater moves on before the new task runs (A.11: wait for RUNNING; parallelism 1)",
    ),
    _s(
        "start_first_keeps_old_task",
        UP,
        "            done = self.remove_old_tasks(done, s.update_slot, keep=new[ID], captured_before=new[ID])",
        "            pass",
        "start-first never stops the old task (A.11 start-first: the old one stops once the new runs); since made "
        "the seeded bug start_first_keeps_old_task, old_task_stopped_when_slot_updated's witness",
    ),
    _s(
        "removed_node_tasks_stay",
        CA,
        "tasks.append(with_field(t, OBSERVED, ORPHANED) if t[NODE] == node and t[OBSERVED] <= RUNNING else t)",
        "tasks.append(t)",
        "a removed node's tasks keep their state, so they look alive (A.1 ORPHANED; moby/swarmkit#2244)",
    ),
    _s(
        "availability_change_raises_no_event",
        CA,
        "        return self.node_event(s, node, to_global=not ignored)",
        "        return s",
        "a drain changes the node but raises no event, so its tasks stay (A.7 node events)",
    ),
    _s(
        "node_up_raises_no_event",
        FA,
        '            yield Step("NodeUp", node), self.node_event(up, node)',
        '            yield Step("NodeUp", node), up',
        "a node coming back raises no event, so the global orchestrator never fills it again (A.8)",
    ),
    _s(
        "enforcer_ignores_resources",
        CE,
        "            if not self.matches(s, t, node) or need > available:",
        "            if not self.matches(s, t, node):",
        "the constraint enforcer checks constraints only, not reservations (constraint_enforcer.go: both)",
    ),
    _s(
        "rejected_task_not_replaced",
        CE,
        "                        after = self.task_event(self.replace(after, with_field(t, OBSERVED, REJECTED)), t)",
        "                        after = self.replace(after, with_field(t, OBSERVED, REJECTED))",
        "a task the enforcer rejects is not handed to the restart supervisor, so it is never replaced (A.10)",
    ),
]
