"""What each of swarm's security steps may do, as reference F states the rule: a join presents
a token the joiner holds (F.2.2), Raft is led and joined by managers only (F.3.6, F.4.8), a
proxy's forwarded identity is taken only from a manager (F.3.2), assignments go only over a
node's open session and a node that left starts nothing (F.4.6, F.5.1), and a rotated key
reaches only open sessions (F.6.3). Written from the reference, not from the model's helpers.
"""

from __future__ import annotations

from typing import Any

from model.security.config import Config
from model.security.state import MANAGER_CERT, NAMES, State, Step
from properties.base import Property, always, transition


def _signed(cn: int, ou: int) -> int:
    """The bit of the held-certificates mask for a certificate (cn, ou): the state's encoding."""
    return 1 << (2 * cn + ou - 1)


def join_presents_a_held_token(before: State, action: Step, after: State) -> str | None:
    """F.2.2: a node joins with a token it holds; the CA compares the whole token."""
    if action.rule != "Join":
        return None
    kind, version = action.token
    if not before.att_tokens >> (2 * kind + version) & 1:
        return f"the attacker joined with token v{version}, which it never held"
    return None


def leader_is_a_member(s: State) -> str | None:
    """F.4.8: the leader is a Raft member (a leader demoting itself hands leadership over first)."""
    if not s.member[s.leader]:
        return f"{NAMES[s.leader]} leads, but is no longer a Raft member"
    return None


def raft_join_needs_a_manager_certificate(before: State, action: Step, after: State) -> str | None:
    """F.3.6: RaftMembership.Join admits a node only with a manager certificate."""
    for n, (was, now) in enumerate(zip(before.member, after.member, strict=True)):
        if now and not was and after.cert[n] != MANAGER_CERT and action.rule != "Call":
            return f"{NAMES[n]} rejoined Raft on {action} without a manager certificate"
    return None


def forwarders_are_managers(before: State, action: Step, after: State) -> str | None:
    """F.3.2: the authorizer takes forwarded metadata only from a peer holding a manager
    certificate that it has not blacklisted."""
    if action.rule != "Call" or len(action.via) < 2:
        return None
    forwarder, at = action.via[-2], action.via[-1]
    if before.cert[forwarder] != MANAGER_CERT or before.applied[at] >> forwarder & 1:
        return f"{NAMES[at]} took a call forwarded by {NAMES[forwarder]}, which is no manager it trusts"
    return None


def issued_certificate_role_from_store(before: State, action: Step, after: State) -> str | None:
    """F.1.6 (P4) on the RPC path: IssueNodeCertificate signs the store's role for the CN."""
    if action.rule != "Call" or action.api != "issue":
        return None
    cn = action.effective[0]
    new = after.stolen & ~before.stolen
    if new & ~_signed(cn, before.role[cn] + 1):
        return f"a certificate was issued to {NAMES[cn]} with another role than the store's"
    return None


def nothing_starts_after_leave(before: State, action: Step, after: State) -> str | None:
    """F.4.6: a node that left the swarm starts no task."""
    if action.rule == "TaskRuns" and before.left[action.node]:
        return f"a task started on {NAMES[action.node]}, which had left the swarm"
    return None


def assignments_only_over_a_session(before: State, action: Step, after: State) -> str | None:
    """F.5.1: the dispatcher sends assignments over the node's open session; a node that left
    has none."""
    if action.rule != "Dispatch":
        return None
    n = action.node
    if not before.sessions[n] or before.left[n]:
        return f"assignments were sent to {NAMES[n]}, which has no open session"
    return None


def agent_holds_what_it_was_sent(before: State, action: Step, after: State) -> str | None:
    """F.5.2: an assignment batch is the node's whole set: applying it, the agent holds exactly
    the secrets sent, a released one removed."""
    if action.rule == "AgentApplies" and after.held[action.node] != before.sent[action.node]:
        return f"{NAMES[action.node]} applied its batch but holds other secrets than it was sent"
    return None


def keys_only_over_open_sessions(before: State, action: Step, after: State) -> str | None:
    """F.6.3: a rotated key is pushed only over open sessions, the attacker's included."""
    if action.rule != "RotateKeys":
        return None
    for n, (was, now) in enumerate(zip(before.known, after.known, strict=True)):
        if now != was and not before.sessions[n]:
            return f"key {after.ring} reached {NAMES[n]}, which has no open session"
    if after.att_known != before.att_known and not before.att_sessions:
        return f"key {after.ring} reached the attacker, which has no open session"
    return None


def step_rules(config: Config) -> list[Property[Any]]:
    """The step properties a configuration makes apply."""
    c = config
    found: list[Property[Any]] = []
    if c.tokens:
        found.append(transition("join_presents_a_held_token", join_presents_a_held_token, "F.2.2"))
    if c.roles:
        found.append(always("leader_is_a_member", leader_is_a_member, "F.4.8"))
        found.append(
            transition("raft_join_needs_a_manager_certificate", raft_join_needs_a_manager_certificate, "F.3.6")
        )
    if c.calls:
        found.append(transition("forwarders_are_managers", forwarders_are_managers, "F.3.2"))
        found.append(
            transition("issued_certificate_role_from_store", issued_certificate_role_from_store, "F.7 P4; F.1.6")
        )
    if c.secrets:
        found.append(transition("nothing_starts_after_leave", nothing_starts_after_leave, "F.4.6"))
        found.append(transition("assignments_only_over_a_session", assignments_only_over_a_session, "F.5.1"))
        found.append(transition("agent_holds_what_it_was_sent", agent_holds_what_it_was_sent, "F.5.2"))
    if c.max_key_rotations:
        found.append(transition("keys_only_over_open_sessions", keys_only_over_open_sessions, "F.6.3"))
    return found
