"""Which seeded bug each property alone catches (issue 18), and, for a property with none, why.
`swarmcheck bugs` explores each witness bug to the end at its hunt bounds and fails if any
other property catches it too, or none does (the property swapped for one that always holds).
A property without a witness bug has a witness step instead (tests/witness_steps.py): a step,
of a seeded bug's run where one exists, that it alone flags, so swapping it fails a test too.
tests/test_witnesses.py holds the two tables to every property that can fail."""

from __future__ import annotations

NO_BUG = "no seeded bug breaks it alone yet: mutants caught by it alone are in bench/faults"
SHARED = "its seeded bug also breaks {}"
DEAR = "{} breaks it alone ({}), but a full exploration of that hunt does not fit CI's time yet"

WITNESSES: dict[str, dict[str, str]] = {
    "raft": {
        "election_safety": "forget_vote_on_restart",
        "leader_commits_entries": "no_next_index_backoff",
        "leader_starts_followers_afresh": "match_index_kept_on_election",
        "vote_request_names_the_last_entry": "vote_request_names_current_term",
        "change_after_own_term_commit": "pending_change_unchecked",
        "current_term_monotonic": "older_term_adopted",
        "commit_by_current_term": "figure8",
        "commit_needs_quorum": "truncate_without_conflict",
        "newer_term_leaves_no_vote": "vote_kept_on_new_term",
        "restart_forgets_volatile_state": "restart_keeps_role",
        "vote_granted_by_the_rules": "vote_in_any_term",
        "append_entries_received_by_the_rules": "follower_commit_unbounded",
        "append_request_describes_the_log": "prev_term_is_current_term",
        "configurations_overlap": "two_changes_at_once",
        "demotion_keeps_quorum": "demote_without_check",
        "only_members_campaign": "non_member_campaigns",
        "leadership_stable": "lease_ignored",
        "campaign_with_changes_applied": "campaign_with_unapplied_change",
        "commit_index_only_grows": "commit_recounted",
        "promotion_keeps_quorum": "join_without_health_check",
        "pre_vote_answered": "pre_vote_lower_term_ignored",
    },
    "gossip": {
        "death_evidence_kept": "stale_alive_revives_dead",
        "broadcast_within_retransmits": "retransmit_not_spent",
        "gossip_goes_to_members": "gossip_to_left",
        "probe_fails_only_without_ack": "no_indirect_probe",
        "cut_link_carries_nothing": "cut_link_carries_gossip",
        "push_pull_merges_by_the_table": "remote_dead_taken_as_dead",
        "news_only_when_something_changed": "refute_at_accused_incarnation",
        "only_owner_raises": "suspect_next_incarnation",
        "death_evidence_only_grows": "death_evidence_overwritten",
        "left_only_after_leave": "death_always_left",
        "leave_recorded_as_left": "leave_taken_as_death",
        "running_node_eventually_alive": "dead_left_out_of_push_pull",
        "never_self_suspect": "self_suspicion_taken",
        "precedence": "alive_clears_suspicion",
        "no_false_death": "max_timeout_unscaled",
        "crash_eventually_detected": "timeout_without_confirmations_infinite",
        "one_broadcast_per_subject": "no_invalidation",
    },
    "scheduler": {
        "one_global_task_per_node": "global_duplicate_task",
        "converged": "global_gap_never_refilled",
        "routes_only_to_healthy_tasks": "route_before_healthy",
        "paused_node_keeps_its_tasks": "pause_is_invalid",
        "update_pauses_on_failure": "failure_action_ignored",
        "placement_follows_spread": "spread_skips_unlabelled_nodes",
        "replacement_waits_for_its_predecessor": "restart_without_waiting",
        "restarts_within_max_attempts": "max_attempts_off_by_one",
        "placement_follows_node_order": "node_order_most_loaded",
        "runs_only_while_wanted": "healthy_after_shutdown",
        "old_task_stopped_when_slot_updated": "start_first_keeps_old_task",
        "task_history_moves_forward": "task_reused_on_restart",
        "assignment_passes_filters": "missing_label_equals_any",
        "one_runnable_task_per_slot": "no_restart_guard",
        "new_task_only_on_an_active_node": "global_on_paused_node",
    },
    "security": {
        "manager_rights_follow_the_store": "manager_rpc_trusts_certificate",
        "raft_members_are_managers": "demoted_manager_restarts",
        "removed_node_shut_out": "forwarded_cn_not_blacklisted",
        "keys_only_to_nodes_in_the_swarm": "session_outlives_removal",
        "left_node_holds_no_secret": "leave_keeps_secrets",
        "secrets_follow_tasks": "secret_not_released",
        "certificate_role_from_store": "renewal_keeps_certificate_role",
        "rotated_token_refused": "token_cache_stale",
        "join_role_is_the_tokens": "worker_token_grants_manager",
        "leader_is_a_member": "demoted_leader_keeps_leading",
        "nothing_starts_after_leave": "task_runs_after_leave",
        "assignments_only_over_a_session": "dispatch_without_session",
        "agent_holds_what_it_was_sent": "agent_keeps_released_secrets",
        "keys_only_over_open_sessions": "keys_to_closed_sessions",
        "forwarders_are_managers": "forwarder_role_unchecked",
        "raft_join_needs_a_manager_certificate": "raft_join_without_certificate",
        "issued_certificate_role_from_store": "issue_signs_desired_role",
        "unlock_key_only_to_managers": "unlock_key_to_workers",
        "join_presents_a_held_token": "token_secret_unchecked",
    },
}

UNWITNESSED: dict[str, dict[str, str]] = {
    "raft": {
        "leader_append_only": "implied by the step rules: a leader's log changes only by ClientRequest and its "
        "election's no-op, which append, or by handling an AppendEntries, which "
        "append_entries_received_by_the_rules judges (accept_stale_append: no step of its 4,469,902 states is "
        "flagged by leader_append_only alone)",
        "log_matching": NO_BUG,
        "state_machine_safety": SHARED.format("leader_completeness (skip_log_check_on_vote)"),
        "commit_within_log": SHARED.format("other properties (leader_commit_uncapped)"),
        "leader_completeness": SHARED.format("state_machine_safety (skip_log_check_on_vote)"),
        "no_commit_without_majority_side": "implied where it applies (a split from the start, so no entry crosses "
        "it): a commit on a side without a majority is one without a quorum, which commit_needs_quorum catches too "
        "(half_is_quorum at split-four breaks both, and election_safety)",
        "leader_electable": "pre_vote_lower_term_ignored breaks it (reference E.7), but its trap is 49 steps from "
        "the start, past both engines' reach: tests/test_recovery.py drives that run, and the search from its last "
        "state proves the trap (140 states reachable without faults, none with a leader), gone without the bug or "
        "with the property swapped; the hunt catches the bug at its rule, pre_vote_answered",
        "removed_member_ignored": "removed_member_heard breaks it alone at two entries and two terms (859,546 "
        "states, 85 s), but there Hypothesis's ci profile misses it (4,574 examples, 125 s), and every hunt needs "
        "both engines; at its hunt bounds (three terms, three entries), where Hypothesis catches it, a full "
        "exploration runs past 1.87 million states",
    },
    "gossip": {
        "incarnation_never_decreases": "on views precedence implies it (every C.5 transition keeps or raises the "
        "incarnation); a node's own counter moves only by refute, which raises it, and by restart, which is exempt, "
        "so no faithful one-line bug breaks it alone (suspect_lower_incarnation breaks both; no step of its 78,909 "
        "states is flagged by this property alone)",
        "accuracy": "implied by two step rules: a short timeout fires only after k confirmations "
        "(suspicion_timer_fires_on_a_live_suspicion), and a probe fails only without an ack "
        "(probe_fails_only_without_ack), so a healthy prober never accuses a healthy node; every bug that breaks "
        "it breaks one of those too (no_lifeguard: the timer's rule and no_false_death; no step of its 1,270,411 "
        "states is flagged by accuracy alone)",
        "suspicion_timer_fires_on_a_live_suspicion": "the model keeps no timer once a suspicion ends (accusers are "
        "cleared on alive, and none are kept while k = 0), so a timer outliving its refutation needs Lifeguard's 4 "
        "nodes; the bench fault timeout_after_refutation breaks it alone at 2 nodes (18,662 states) only by letting "
        "a node time out on itself",
    },
    "scheduler": {
        "max_replicas_per_node_respected": SHARED.format(
            "assignment_passes_filters (max_replicas_counts_running_only)"
        ),
        "resources_never_overcommitted": SHARED.format("assignment_passes_filters (overcommit)"),
        "service_heals": SHARED.format("converged (lost_task_not_replaced)"),
        "placement_oracle_agrees": SHARED.format("converged (strict_resource_check, missing_label_fails_not_equal)"),
    },
    "security": {
        "identity_is_the_callers": SHARED.format("unlock_key_only_to_managers (redirect_guard_lost)"),
        "no_secret_before_assignment": "implied by two step rules: a node's secrets change only by a Dispatch, "
        "which secrets_follow_tasks holds to the tasks then ASSIGNED to RUNNING there (so assigned), and by the "
        "agent applying exactly that batch (agent_holds_what_it_was_sent) or a leave clearing it; an early secret "
        "breaks one of those too (secret_before_assigned: secrets_follow_tasks)",
    },
}
