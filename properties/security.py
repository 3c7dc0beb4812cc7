"""What swarm's security must promise (reference F.7's P1 to P17, cut to the model's scope), and
where its design does not: a property swarm's own design breaks is judged as a `sometimes`
witness where the gap is open (the report shows the way there) and as a gate where the hardened
rule that closes it is on. Each cites its F section.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.security.config import Config
from model.security.state import (
    ASSIGNED,
    MANAGER,
    NAMES,
    NEEDS_MANAGER,
    NODES,
    OU_NAMES,
    ROLE_NAMES,
    RUNNING,
    W1,
    J,
    State,
    Step,
    bit,
    secret_names,
    secret_of,
)
from properties.base import Property, always, sometimes, sometimes_step, transition
from properties.security_steps import step_rules


def _name(n: int) -> str:
    return NAMES[n]


# ---------------------------------------------------------------- joining (F.2)


def rotated_token_refused(before: State, action: Step, after: State) -> str | None:
    """P2: once the CA has observed a rotation, a join with an older token is refused (F.2.5)."""
    if action.rule != "Join":
        return None
    kind, version = action.token
    if version < before.observed[kind]:
        return (
            f"the attacker joined with the {ROLE_NAMES[kind]} token v{version} after the CA had observed "
            f"v{before.observed[kind]}"
        )
    return None


def join_role_is_the_tokens(before: State, action: Step, after: State) -> str | None:
    """P3: a join's certificate and record carry the role of the token used (F.2.2)."""
    if action.rule != "Join":
        return None
    kind = action.token[0]
    if after.role[J] != kind or after.cert[J] != kind + 1:
        return (
            f"a join with the {ROLE_NAMES[kind]} token made a {ROLE_NAMES[after.role[J]]} with a "
            f"{OU_NAMES[after.cert[J]]} certificate"
        )
    return None


# ---------------------------------------------------------------- certificates (F.1)


def certificate_role_from_store(before: State, action: Step, after: State) -> str | None:
    """P4: every certificate signed has the OU of the node's role in the store at signing (F.1.6)."""
    if action.rule != "Renew":
        return None
    n = action.node
    if after.cert[n] != before.role[n] + 1:
        return (
            f"{_name(n)} renewed into a {OU_NAMES[after.cert[n]]} certificate while the store says "
            f"{ROLE_NAMES[before.role[n]]}"
        )
    return None


# ---------------------------------------------------------------- authorization (F.3, F.4)


def identity_is_the_callers(before: State, action: Step, after: State) -> str | None:
    """P7: a call is authorized as the certificate its caller presented, however it was forwarded (F.3.2)."""
    if action.rule == "Call" and action.effective != action.cert:
        cn, ou = action.cert
        who, as_ = action.effective
        hops = " -> ".join(map(_name, action.via))
        return (
            f"a {action.api} call with {_name(cn)}'s {OU_NAMES[ou]} certificate through {hops} was authorized as "
            f"{_name(who)}, {OU_NAMES[as_]}"
        )
    return None


def manager_rights_follow_the_store(before: State, action: Step, after: State) -> str | None:
    """P8: a manager-only call is authorized only for a node the store says is a manager (F.4.10)."""
    if action.rule != "Call" or action.api not in NEEDS_MANAGER:
        return None
    cn = action.effective[0]
    if not (before.exists[cn] and before.role[cn] == MANAGER):
        now = ROLE_NAMES[before.role[cn]] if before.exists[cn] else "removed"
        return f"a {action.api} call was authorized as {_name(cn)}, a manager by its certificate but {now} in the store"
    return None


def removed_node_shut_out(before: State, action: Step, after: State) -> str | None:
    """P6, P10: a manager that has applied a node's removal accepts no call authenticated as it (F.4.3)."""
    if action.rule != "Call":
        return None
    cn, at = action.effective[0], action.via[-1]
    if before.applied[at] & bit(cn):
        hops = " -> ".join(map(_name, action.via))
        return f"{_name(at)} had applied {_name(cn)}'s removal, yet authorized its {action.api} call through {hops}"
    return None


def raft_members_are_managers(s: State) -> str | None:
    """P9: every Raft member is a node the store says is a manager (F.3.6, F.4.8)."""
    for n in NODES:
        if s.member[n] and not (s.exists[n] and s.role[n] == MANAGER):
            return f"{_name(n)} is a Raft member but {'a worker' if s.exists[n] else 'removed'} in the store"
    return None


def unlock_key_only_to_managers(s: State) -> str | None:
    """P14: the unlock key reaches only a holder of a manager identity it did not forge (F.5.6)."""
    got_manager = any(s.legit >> (2 * n + 1) & 1 for n in NODES)
    if s.att_kek and not got_manager:
        return "the attacker holds the unlock key, having compromised or joined no manager"
    return None


# ---------------------------------------------------------------- secrets (F.5)


def _task_secrets(s: State, n: int) -> int:
    return sum({secret_of(svc) for svc, node, state in s.tasks if node == n and ASSIGNED <= state <= RUNNING})


def secrets_follow_tasks(before: State, action: Step, after: State) -> str | None:
    """P11: a batch sends a node the secrets of its tasks from ASSIGNED to RUNNING, and no others (F.5.1-2)."""
    if action.rule != "Dispatch":
        return None
    n = action.node
    extra = after.sent[n] & ~_task_secrets(before, n)
    if extra:
        return (
            f"the dispatcher sent {_name(n)} {_secrets(extra)} with no task of its from ASSIGNED to RUNNING needing it"
        )
    return None


def no_secret_before_assignment(s: State) -> str | None:
    """P12: no secret reaches a node before a task needing it is assigned there (F.5.1)."""
    for n in NODES:
        early = (s.held[n] | s.sent[n]) & ~s.assigned_ever[n]
        if early:
            return f"{_name(n)} was sent {_secrets(early)} before any task needing it was assigned to it"
    return None


def left_node_holds_no_secret(s: State) -> str | None:
    """P13: a node that has left the swarm holds no secret (swarmkit#1758, F.4.6)."""
    for n in NODES:
        if s.left[n] and s.held[n]:
            return f"{_name(n)} left the swarm but still holds {_secrets(s.held[n])}"
    return None


def _secrets(bits: int) -> str:
    return " and ".join(secret_names(bits))


# ---------------------------------------------------------------- network keys (F.6)


def keys_only_to_nodes_in_the_swarm(before: State, action: Step, after: State) -> str | None:
    """P15: a key rotation is pushed only to sessions of nodes whose record exists (F.6.3)."""
    if action.rule != "RotateKeys":
        return None
    for n in NODES:
        if not before.exists[n] and (before.sessions[n] or before.att_sessions & bit(n)):
            holder = "the attacker's" if before.att_sessions & bit(n) else "its own"
            return f"key {after.ring} was pushed to {_name(n)}, removed from the swarm, over {holder} open session"
    return None


# ---------------------------------------------------------------- witnesses


def joined_after_rotation(s: State) -> bool:
    return bool(s.exists[J] and s.tokens[0] == 1 and s.observed[0] == 1)


def manager_demoted_and_renewed(s: State) -> bool:
    return s.role[2] != MANAGER and s.renewed_for[2] != MANAGER


def removal_applied_everywhere(s: State) -> bool:
    return all(a & bit(W1) for a in s.applied)


def attacker_called(s: State) -> bool:
    return bool(s.commanded or s.att_sessions or s.att_kek)


def call_through_a_follower(before: State, action: Step, after: State) -> bool:
    return action.rule == "Call" and len(action.via) == 2 and before.leader_changes > 0


def keys_rotated(s: State) -> bool:
    return s.ring >= 1


def secret_held_then_left(s: State) -> bool:
    return bool(s.left[W1] and s.assigned_ever[W1])


def secret_held(s: State) -> bool:
    return bool(s.held[W1])


# ---------------------------------------------------------------- assembly


@attrs.frozen
class Gap:
    """A promise swarm's design breaks, the hardened rule that keeps it, and its witness."""

    name: str  # the property, judged as a gate where the gap is closed
    witness: str  # the `sometimes` that shows the gap reached where it is open
    check: Any
    source: str
    doc: str
    kind: str = "transition"

    def gate(self) -> Property[Any]:
        return (always if self.kind == "always" else transition)(self.name, self.check, self.source, self.doc)

    def reached(self) -> Property[Any]:
        if self.kind == "always":
            return sometimes(self.witness, lambda s: self.check(s) is not None, self.source, self.doc)
        return sometimes_step(self.witness, lambda b, a, t: self.check(b, a, t) is not None, self.source, self.doc)


GAPS = {
    "manager_rights_follow_the_store": Gap(
        "manager_rights_follow_the_store",
        "demoted_manager_commands",
        manager_rights_follow_the_store,
        "F.7 P8; F.4.10; swarmkit#1655; F.8 2",
        "A demoted manager's kept certificate still commands the cluster: the role is read from the certificate "
        "alone (F.3.1). Kept by checking the store's role for manager RPCs (store_role_check).",
    ),
    "removed_node_shut_out": Gap(
        "removed_node_shut_out",
        "removed_node_calls_through_a_follower",
        removed_node_shut_out,
        "F.7 P6, P10; F.3.2; F.8 4",
        "A removed node's call through a follower is accepted: the leader checks the forwarding manager against "
        "the blacklist, not the forwarded CN. Kept by forwarded_blacklist_check.",
    ),
    "raft_members_are_managers": Gap(
        "raft_members_are_managers",
        "demoted_manager_back_in_raft",
        raft_members_are_managers,
        "F.7 P9; F.3.6; swarmkit#1991; F.8 2, 3",
        "A demoted manager's kept certificate rejoins Raft under a new ID: Join takes any manager certificate. "
        "Kept by checking the store's role for Raft joins (store_role_check).",
        kind="always",
    ),
    "keys_only_to_nodes_in_the_swarm": Gap(
        "keys_only_to_nodes_in_the_swarm",
        "keys_pushed_to_a_removed_node",
        keys_only_to_nodes_in_the_swarm,
        "F.7 P15; F.6.3; F.4.4; F.8 5",
        "A removed node's open session keeps being pushed the network keys: the dispatcher does not react to node "
        "deletion. Kept by close_sessions_on_removal.",
    ),
}


def _gaps(config: Config) -> dict[str, bool]:
    """Each design gap this configuration judges, and whether its hardened rule closes it (the
    attacker's kept certificate is the only way through P8 and P9; bugs aside)."""
    c = config
    kept_certificate = c.calls and c.max_compromises > 0 and c.roles
    found: dict[str, bool] = {}
    if c.calls and c.roles:
        found["manager_rights_follow_the_store"] = c.store_role_check or not kept_certificate
    if c.calls and c.removal:
        found["removed_node_shut_out"] = c.forwarded_blacklist_check
    if c.roles or c.calls:
        found["raft_members_are_managers"] = c.store_role_check or not kept_certificate
    if c.removal and c.max_key_rotations:
        found["keys_only_to_nodes_in_the_swarm"] = c.close_sessions_on_removal
    return found


def properties(config: Config) -> list[Property[Any]]:
    """Every property judged at `config`: the design gaps as gates where closed, as witnesses where open."""
    c = config
    found: list[Property[Any]] = []
    if c.tokens:
        found += [
            transition("rotated_token_refused", rotated_token_refused, "F.7 P2; F.2.5"),
            transition("join_role_is_the_tokens", join_role_is_the_tokens, "F.7 P3; F.2.2"),
            sometimes("joined_after_rotation", joined_after_rotation, "F.2.5"),
        ]
    if c.roles:
        found += [
            transition("certificate_role_from_store", certificate_role_from_store, "F.7 P4; F.1.6"),
            sometimes("manager_demoted_and_renewed", manager_demoted_and_renewed, "F.4.7-9"),
        ]
    if c.calls:
        found += [
            transition("identity_is_the_callers", identity_is_the_callers, "F.7 P7; F.3.2; F.8 1"),
            always("unlock_key_only_to_managers", unlock_key_only_to_managers, "F.7 P14; F.5.6"),
            sometimes("attacker_called", attacker_called, "F.3"),
        ]
        if c.leader_changes:
            found.append(sometimes_step("call_through_a_follower", call_through_a_follower, "F.3.2"))
    found += [GAPS[name].gate() if closed else GAPS[name].reached() for name, closed in _gaps(c).items()]
    if c.removal:
        found.append(sometimes("removal_applied_everywhere", removal_applied_everywhere, "F.4.2-3"))
    if c.max_key_rotations:
        found.append(sometimes("keys_rotated", keys_rotated, "F.6.2"))
    if c.secrets:
        found += [
            transition("secrets_follow_tasks", secrets_follow_tasks, "F.7 P11; F.5.1-2"),
            always("no_secret_before_assignment", no_secret_before_assignment, "F.7 P12; F.5.1"),
            always("left_node_holds_no_secret", left_node_holds_no_secret, "F.7 P13; moby#28929; swarmkit#1758"),
            sometimes("secret_held", secret_held, "F.5.1"),
            sometimes("secret_held_then_left", secret_held_then_left, "F.4.6"),
        ]
    return found + step_rules(c)


def on_request(config: Config) -> list[Property[Any]]:
    """The open design gaps as gates, for `--property NAME`: a report of the way through each."""
    return [GAPS[name].gate() for name, closed in _gaps(config).items() if not closed]
