"""The security model's configuration: what the environment may do, swarm's build and the
hardened rules (each a setting, off as swarm ships), the seeded bugs (each one line: what goes
wrong, and its F.8 entry in ../shared/reference/swarm-security.md), and the suite.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.kernel import validate

BUGS: dict[str, str] = {
    "redirect_guard_lost": "a follower's proxy drops the redirect guard and a second hop overwrites the forwarded "
    "identity with its own peer's, a manager: a worker's renewal mints a manager certificate for the worker's key "
    "(F.8 1, CVE-2026-115539 as the reference reads it)",
    "manager_rpc_trusts_certificate": "with the store-role rule on, the Control API still reads the role from the "
    "certificate alone, so a demoted manager's kept certificate commands the cluster (F.8 2, swarmkit#1655)",
    "demoted_manager_restarts": "a demoted manager whose worker certificate is late restarts its manager without the "
    "forced renewal and rejoins Raft under a new ID (F.8 3, swarmkit#1991, fixed by #1992)",
    "forwarded_cn_not_blacklisted": "with the forwarded-blacklist rule on, the leader still checks the blacklist for "
    "the forwarding manager only, so a removed node's call through a follower is accepted (F.8 4)",
    "session_outlives_removal": "with sessions closed on removal, the dispatcher's markNodeNotReady still returns "
    "early for a deleted node, so its session stays and keeps receiving network keys (F.8 5)",
    "leave_keeps_secrets": "swarm leave does not clear the worker's assignments, so a node that left still holds its "
    "secrets (F.8 6, moby#28929, fixed by swarmkit#1758)",
    "secret_before_assigned": "the dispatcher's `state < ASSIGNED` guard is dropped, so a preassigned global task's "
    "secret reaches its node before the scheduler assigns it (F.8 6a)",
    "secret_not_released": "releaseTaskDependencies is skipped when a task's observed state passes RUNNING, so the "
    "dispatcher keeps a finished task's secret on its node (F.8 6b)",
    "renewal_keeps_certificate_role": "a renewal signs the role of the certificate presented, not the store's "
    "node.Role, so a demoted manager renews into a manager again (F.1.6: 'the role in the new certificate is "
    "node.Role from the store')",
    "token_secret_unchecked": "the CA checks only a join token's swarm part (the CA digest, public to anyone who "
    "can reach the swarm), not its secret, so a node joins with a token it never held (F.2.2: the CA compares the "
    "whole token)",
    "token_cache_stale": "the leader's CA refreshes its token cache only when the root CA changes, so a rotated join "
    "token keeps working (F.8 9)",
    "worker_token_grants_manager": "IssueNodeCertificate maps the tokens to roles the wrong way round, so the worker "
    "token yields a manager (F.8 9)",
    "demoted_leader_keeps_leading": "a leader demoting itself is removed from Raft without handing leadership over "
    "first, so a non-member leads (F.4.8: the role manager transfers leadership before removing the leader)",
    "task_runs_after_leave": "the agent of a node that left still starts an assigned task (F.4.6: swarm leave stops "
    "the agent; moby#28929's class)",
    "dispatch_without_session": "the dispatcher pushes assignments to a node with no open session, a node that left "
    "included (F.5.1: assignments travel over the node's session stream)",
    "agent_keeps_released_secrets": "the agent adds what a batch brings but never removes a released secret (F.5.2: "
    "an assignment batch is the node's complete set)",
    "raft_join_without_certificate": "RaftMembership.Join admits a restarting demoted node that now holds only a "
    "worker certificate (F.3.6: Join needs a manager certificate)",
    "issue_signs_desired_role": "IssueNodeCertificate signs the role the node is to have (Spec.DesiredRole), not "
    "the one the role manager has set (node.Role), so during a demotion the attacker's call is signed a role the "
    "store does not hold yet (F.1.6; swarmkit#1655's window)",
    "unlock_key_to_workers": "CA.GetUnlockKey is served to any certificate, a worker's included, so a compromised "
    "worker reads the key that unlocks the managers' Raft data (F.5.6: manager only)",
    "forwarder_role_unchecked": "the leader takes forwarded metadata from a peer with any certificate, not only a "
    "manager's, so a worker poses as a proxy (F.3.2: forwarded identity is trusted only from managers)",
    "keys_to_closed_sessions": "a rotated network key is pushed to every node ever known, sessions closed or not "
    "(F.6.3: keys go out over open dispatcher sessions only)",
}


@attrs.frozen
class Config:
    """What may happen, how swarm is built, and which hardened rules are on.

    The cluster is three managers (m1 leads at first) and one worker, w1; a node slot `j` lets
    the attacker join with a token (node IDs are never reused, F.4.5)."""

    tokens: bool = False  # join tokens leaking and rotating, the CA's cache, joins (F.2)
    roles: bool = True  # demoting m3, the role manager, renewals, a demoted manager restarting (F.1, F.4.7-9)
    removal: bool = True  # removing w1, replicas applying the blacklist (F.4.1-4)
    calls: bool = True  # the attacker's RPCs with the certificates it holds (F.3)
    secrets: bool = False  # tasks, assignments, secrets on nodes, swarm leave (F.5)
    leader_changes: int = 0  # how often leadership may move (stale views for proxy hops, F.3.2)
    max_key_rotations: int = 2  # network key rotations (F.6.2)
    max_compromises: int = 1  # nodes whose certificate, secrets and keys the attacker copies
    # The hardened rules (off as swarm ships; each makes a design-gap property hold):
    store_role_check: bool = False  # manager RPCs and Raft joins need the store's role too (P8, P9)
    forwarded_blacklist_check: bool = False  # the forwarded CN is checked against the blacklist (P6, P10)
    close_sessions_on_removal: bool = False  # RemoveNode closes the node's dispatcher sessions (P15)
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {"leader_changes": (0, 3), "max_key_rotations": (0, 3), "max_compromises": (0, 2)}
        validate("security", self, limits, BUGS)

    @property
    def hardened(self) -> bool:
        return self.store_role_check and self.forwarded_blacklist_check and self.close_sessions_on_removal


DEFAULT = Config()
HARDENED: dict[str, Any] = {
    "store_role_check": True,
    "forwarded_blacklist_check": True,
    "close_sessions_on_removal": True,
}

# Each family of actions off: a configuration turns on the ones it is about.
NOTHING: dict[str, Any] = {
    "roles": False,
    "removal": False,
    "calls": False,
    "max_compromises": 0,
    "max_key_rotations": 0,
}

SUITE = {
    # swarm as it ships: the design gaps show as reached witnesses, the rest holds.
    "as-shipped": Config(),
    # the hardened rules: every authority property holds.
    "hardened": Config(**HARDENED),
    # joining: tokens leak and rotate, the CA's cache catches up (F.2).
    "join-tokens": Config(**{**NOTHING, "tokens": True}),
    # the audited snapshot's proxy (F.8 1): leadership moves twice, views lag.
    "snapshot-proxy": Config(**{**NOTHING, "calls": True, "max_compromises": 1, "leader_changes": 2}),
    # assignments and secrets (F.5): tasks, dispatch, agents, swarm leave.
    "secrets": Config(**{**NOTHING, "secrets": True}),
    # demotion while leadership moves: m3 may lead when it is demoted (F.4.8).
    "demote-the-leader": Config(**{**NOTHING, "roles": True, "leader_changes": 1}),
}

# As shipped, demotion and the attacker's calls only: no removal, no key rotation.
ROLES_AND_CALLS: dict[str, Any] = {"removal": False, "max_key_rotations": 0}

# Where each seeded bug is hunted: the smallest configuration F.8 gives.
BUG_BOUNDS: dict[str, dict[str, Any]] = {
    "redirect_guard_lost": {**NOTHING, "calls": True, "max_compromises": 1, "leader_changes": 2},
    "manager_rpc_trusts_certificate": {**NOTHING, "roles": True, "calls": True, "max_compromises": 1, **HARDENED},
    "demoted_manager_restarts": {**NOTHING, "roles": True},
    "forwarded_cn_not_blacklisted": {**NOTHING, "removal": True, "calls": True, "max_compromises": 1, **HARDENED},
    "session_outlives_removal": {**NOTHING, "removal": True, "max_key_rotations": 1, **HARDENED},
    "leave_keeps_secrets": {**NOTHING, "secrets": True},
    "secret_before_assigned": {**NOTHING, "secrets": True},
    "secret_not_released": {**NOTHING, "secrets": True},
    "renewal_keeps_certificate_role": {**NOTHING, "roles": True},
    "token_cache_stale": {**NOTHING, "tokens": True},
    "token_secret_unchecked": {**NOTHING, "tokens": True},
    "worker_token_grants_manager": {**NOTHING, "tokens": True},
    "demoted_leader_keeps_leading": {**NOTHING, "roles": True, "leader_changes": 1},
    "task_runs_after_leave": {**NOTHING, "secrets": True},
    "dispatch_without_session": {**NOTHING, "secrets": True},
    "agent_keeps_released_secrets": {**NOTHING, "secrets": True},
    "keys_to_closed_sessions": {**NOTHING, "removal": True, "max_key_rotations": 1},
    "forwarder_role_unchecked": ROLES_AND_CALLS,  # 241 states
    # Where a demoted manager in Raft is a design gap, not a failure: 218 states.
    "raft_join_without_certificate": ROLES_AND_CALLS,
    "unlock_key_to_workers": {**NOTHING, "calls": True, "max_compromises": 1},  # w1 compromised, then asks: 9 states
    "issue_signs_desired_role": ROLES_AND_CALLS,  # m3 demoted, then m3's call: 257 states
}

UNREACHED: dict[str, dict[str, str]] = {
    "hardened": {"AgentClosesSession": "RemoveNode closes the node's session itself (close_sessions_on_removal)"},
}
