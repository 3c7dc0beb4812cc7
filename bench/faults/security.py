"""Security faults: each a one-line change mimicking a bug swarmkit's identity, authorization,
removal or secret handling had, or one its design rules out (reference F)."""

from __future__ import annotations

from faults.fault import faults_of

SE = "model/security/"
ID, CA, SC, ST = SE + "identity.py", SE + "calls.py", SE + "secrets.py", SE + "state.py"

_x = faults_of("security")


SECURITY = [
    _x(
        "old_token_accepted",
        ID,
        '            if not s.att_tokens & bit(2 * kind + version) and "token_secret_unchecked" not in self.config.bugs:\n'
        "                continue",
        "            if not s.att_tokens & (bit(2 * kind) | bit(2 * kind + 1)):\n                continue",
        "a join token is checked by its prefix only, so a rotated-out token still joins (F.2.5)",
    ),
    _x(
        "join_gets_manager_certificate",
        ID,
        "                    cert=put(s.cert, J, role + 1),",
        "                    cert=put(s.cert, J, MANAGER_CERT),",
        "a joining node's certificate is signed as a manager whatever its token (F.1.4, F.2.2)",
    ),
    _x(
        "removed_id_rejoins",
        ID,
        "        if s.exists[J] or s.blacklist & bit(J):",
        "        if s.exists[J]:",
        "a removed node's ID is given out again (F.4.5: node IDs are never reused)",
    ),
    _x(
        "renewal_signs_desired_role",
        ID,
        'ou = s.cert[n] if "renewal_keeps_certificate_role" in self.config.bugs else s.role[n] + 1',
        'ou = s.cert[n] if "renewal_keeps_certificate_role" in self.config.bugs else s.desired[n] + 1',
        "a renewal signs the desired role before the role manager has applied it (F.1.6: node.Role, "
        "not DesiredRole; swarmkit#1655's window)",
        "a renewal is forced only once the role manager has set node.Role, so desired and stored role agree whenever one is signed",
    ),
    _x(
        "renewal_never_forced",
        ID,
        "        if s.exists[n] and not s.left[n] and s.renewed_for[n] != s.role[n]:",
        "        if s.exists[n] and not s.left[n] and s.renewed_for[n] != s.role[n] and s.role[n]:",
        "a demotion does not force a renewal, so a demoted manager keeps its manager certificate (F.4.9, "
        "swarmkit#1992)",
    ),
    _x(
        "demote_the_last_manager",
        ID,
        "and sum(s.desired[m] == MANAGER for m in MANAGERS) >= 2:",
        "and sum(s.desired[m] == MANAGER for m in MANAGERS) >= 1:",
        "the last manager may be demoted (controlapi UpdateNode: refuses to demote the last manager)",
        "the model demotes m3 only, while m1 and m2 stay managers: the count never falls below two",
    ),
    _x(
        "demoted_manager_stays_member",
        ID,
        "                    member=put(s.member, n, 0),\n                    role=put(s.role, n, WORKER),",
        "                    role=put(s.role, n, WORKER),",
        "the role manager records a worker but leaves it in Raft (F.4.8: remove the member first)",
    ),
    _x(
        "demoted_leader_keeps_leading",
        ID,
        "            leader = others[0] if hands_over else s.leader",
        "            leader = s.leader",
        "a leader demoting itself keeps leading after it left Raft (F.4.8: it transfers leadership first); "
        "since made the seeded bug demoted_leader_keeps_leading, leader_is_a_member's witness",
    ),
    _x(
        "restarted_manager_joins_anyway",
        ID,
        "        joins = certified and (not self.config.store_role_check or s.role[n] == MANAGER)",
        "        joins = not self.config.store_role_check or s.role[n] == MANAGER",
        "a restarting demoted node rejoins Raft without a manager certificate (F.3.6 RaftMembership.Join); "
        "since made the seeded bug raft_join_without_certificate, raft_join_needs_a_manager_certificate's witness",
    ),
    _x(
        "member_removed_without_demotion",
        ID,
        "        if not s.exists[n] or (s.desired[n] == MANAGER and s.member[n]):",
        "        if not s.exists[n]:",
        "`docker node rm --force` removes a manager still in Raft (F.4.1: refused for managers)",
        "the model removes w1 only, never a manager",
    ),
    _x(
        "removal_not_blacklisted",
        ID,
        "                blacklist=s.blacklist | bit(n),",
        "                blacklist=s.blacklist,",
        "a removed node's CN is not blacklisted, so its certificate still works (F.4.2)",
    ),
    _x(
        "removed_node_tasks_kept",
        ID,
        "                tasks=tuple(t for t in s.tasks if t[1] != n),",
        "                tasks=s.tasks,",
        "a removed node's tasks stay assigned to it, so the dispatcher keeps its secrets there (F.4.2)",
        "the dispatcher serves only nodes whose record exists, so a removed node's kept tasks reach nothing",
    ),
    _x(
        "blacklist_never_applied",
        ID,
        "        if s.applied[m] != s.blacklist:",
        "        if s.applied[m] != s.blacklist and m == 0:",
        "only the first manager applies the committed blacklist (F.4.3: every replica applies it)",
    ),
    _x(
        "leadership_to_a_non_member",
        ID,
        "if s.leader_changes < self.config.leader_changes and m != s.leader and s.member[m]:",
        "if s.leader_changes < self.config.leader_changes and m != s.leader:",
        "a node outside Raft becomes leader (Raft: only members campaign)",
    ),
    _x(
        "manager_check_reads_nothing",
        CA,
        "        if ou == NO_CERT or (managers_only and ou != MANAGER_CERT):",
        "        if ou == NO_CERT:",
        "the manager-only APIs accept a worker certificate (F.3.1: authorization reads the OU)",
    ),
    _x(
        "blacklist_never_checked",
        CA,
        "        if checks_blacklist and s.applied[at] & bit(cn):",
        "        if False:",
        "authorization skips the blacklist (F.3.1: a removed CN is refused)",
    ),
    _x(
        "blacklist_checked_at_first_hop",
        CA,
        "        if checks_blacklist and s.applied[at] & bit(cn):",
        "        if checks_blacklist and s.applied[0] & bit(cn):",
        "the blacklist is read from one fixed replica, not the one that authorizes (F.3.1, F.4.3)",
    ),
    _x(
        "forwarder_role_unchecked",
        CA,
        "        if not trusted or s.applied[at] & bit(forwarder):",
        "        if s.applied[at] & bit(forwarder):",
        "the leader takes forwarded metadata from any certificate, not only a manager's (F.3.2); since made the "
        "seeded bug forwarder_role_unchecked, forwarders_are_managers's witness",
    ),
    _x(
        "forwarder_blacklist_unchecked",
        CA,
        "        if not trusted or s.applied[at] & bit(forwarder):",
        "        if not trusted:",
        "the leader takes forwarded metadata from a blacklisted forwarder (F.3.2)",
        "only w1 is ever removed and blacklisted, and a forwarder is always a manager",
    ),
    _x(
        "session_without_record",
        CA,
        '        return not (api in ("issue", "session") and not s.exists[cn])',
        '        return not (api == "issue" and not s.exists[cn])',
        "Dispatcher.Session opens for a node whose record is gone (F.3.3, F.4.4)",
    ),
    _x(
        "issue_signs_presented_role",
        CA,
        "            return s._replace(stolen=s.stolen | cert_bit(cn, role + 1))",
        "            return s._replace(stolen=s.stolen | cert_bit(cn, identity[1]))",
        "IssueNodeCertificate signs the role of the certificate presented, not the store's (F.1.6)",
        "the attacker can only present a certificate it already holds, so signing its role again adds nothing",
    ),
    _x(
        "unlock_key_to_workers",
        ST,
        'NEEDS_MANAGER = frozenset({"control", "unlock", "raft_join"})',
        'NEEDS_MANAGER = frozenset({"control", "raft_join"})',
        "CA.GetUnlockKey open to workers (F.5.6: manager only); since made the seeded bug unlock_key_to_workers, "
        "unlock_key_only_to_managers's witness",
    ),
    _x(
        "raft_join_open_to_workers",
        ST,
        'NEEDS_MANAGER = frozenset({"control", "unlock", "raft_join"})',
        'NEEDS_MANAGER = frozenset({"control", "unlock"})',
        "RaftMembership.Join open to workers (F.3.6: manager certificate required)",
    ),
    _x(
        "task_scheduled_on_manager",
        SC,
        "            if s.exists[n] and not s.left[n] and s.role[n] != MANAGER:",
        "            if s.exists[n] and not s.left[n]:",
        "a task lands on a drained manager, and its secret with it (F.5.1: managers are drained here)",
        "the model's tasks target w1 or the joiner only: no manager is ever a candidate",
    ),
    _x(
        "task_runs_after_leave",
        SC,
        '        if state == ASSIGNED and (not s.left[node] or "task_runs_after_leave" in self.config.bugs):',
        "        if state == ASSIGNED:",
        "a task starts on a node that has left the swarm (F.4.6); since made the seeded bug task_runs_after_leave, "
        "nothing_starts_after_leave's witness",
    ),
    _x(
        "dispatch_every_secret",
        SC,
        "            if node == n and lowest <= state <= RUNNING:",
        "            if lowest <= state <= RUNNING:",
        "the dispatcher sends a node the secrets of every task, not only its own (F.5.1: moby#26713 class)",
    ),
    _x(
        "dispatch_finished_tasks",
        SC,
        "            if node == n and lowest <= state <= RUNNING:",
        "            if node == n and lowest <= state:",
        "a finished task's secret is still sent (F.5.2 releaseTaskDependencies)",
    ),
    _x(
        "dispatch_without_session",
        SC,
        '        if not (s.exists[n] and (s.sessions[n] or "dispatch_without_session" in self.config.bugs)):',
        "        if not s.exists[n]:",
        "assignments are pushed to a node with no open session (F.5.1: per session); since made the seeded bug "
        "dispatch_without_session, assignments_only_over_a_session's witness",
    ),
    _x(
        "agent_applies_after_leave",
        SC,
        "        if s.batch[n] and not s.left[n]:",
        "        if s.batch[n]:",
        "an agent that left still applies a pending batch (F.4.6, moby#28929)",
        "leave clears the pending batch and closes the session, so a node that left has no batch to apply",
    ),
    _x(
        "leave_keeps_session",
        SC,
        "(left=put(s.left, n, 1), sessions=put(s.sessions, n, 0), held=held, batch=put(s.batch, n, 0))",
        "(left=put(s.left, n, 1), held=held, batch=put(s.batch, n, 0))",
        "swarm leave does not close the dispatcher session, so keys keep coming (F.4.6, F.6.3)",
    ),
    _x(
        "keys_to_closed_sessions",
        SC,
        "known = tuple(ring if open_ or to_all else k for open_, k in zip(s.sessions, s.known, strict=True))",
        "known = tuple(ring for k in s.known)",
        "a rotated key is pushed to every node ever known, sessions closed or not (F.6.3); since made the seeded "
        "bug keys_to_closed_sessions, keys_only_over_open_sessions's witness",
    ),
    _x(
        "keys_to_the_attacker_always",
        SC,
        "        att_known = ring if s.att_sessions else s.att_known",
        "        att_known = ring",
        "a rotated key reaches the attacker without a session (F.6.3: keys go to open sessions only)",
    ),
    _x(
        "record_never_checked",
        CA,
        '        return not (api in ("issue", "session") and not s.exists[cn])',
        "        return True",
        "IssueNodeCertificate and Dispatcher.Session serve a CN whose node record was deleted (F.1.6, F.3.3)",
    ),
    _x(
        "direct_calls_skip_blacklist",
        CA,
        "        checks_blacklist = not forwarded or (",
        "        checks_blacklist = forwarded and (",
        "the blacklist is checked on forwarded calls only, not on calls made straight to a manager (F.3.1)",
    ),
    _x(
        "removal_keeps_own_sessions",
        ID,
        "                sessions=put(s.sessions, n, 0) if close else s.sessions,",
        "                sessions=s.sessions,",
        "RemoveNode closes the attacker's copies of the node's session but not the node's own (F.4.4)",
    ),
    _x(
        "proxy_forwards_its_own_identity",
        CA,
        "        identity = cert if len(route) == 2 else (route[0], s.cert[route[0]])",
        "        identity = (route[0], s.cert[route[0]])",
        "a proxy forwards its own identity in place of the caller's, so a worker's call runs as a manager "
        "(F.3.2; the audited snapshot's redirect bug, F.8 1, in its plainest form)",
    ),
    _x(
        "batch_never_flagged",
        SC,
        '            yield Step("Dispatch", n), s._replace(sent=put(s.sent, n, wanted), batch=put(s.batch, n, 1))',
        '            yield Step("Dispatch", n), s._replace(sent=put(s.sent, n, wanted))',
        "the dispatcher records what it sent but never flushes the batch, so agents never get their secrets (F.5.1)",
    ),
    _x(
        "agent_keeps_released_secrets",
        SC,
        'held = s.held[n] | s.sent[n] if "agent_keeps_released_secrets" in self.config.bugs else s.sent[n]',
        "held = s.held[n] | s.sent[n]",
        "the agent adds what a batch brings but never removes a released secret (F.5.2: the batch is the full set); "
        "since made the seeded bug agent_keeps_released_secrets, agent_holds_what_it_was_sent's witness",
    ),
]
