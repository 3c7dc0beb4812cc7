"""The security model's state: the store (node records, roles, tokens, the blacklist), each
manager's replica and view of the leader, certificates held, what the attacker has, tasks
and secrets on nodes, dispatcher sessions and network keys (F.7's state, cut to its scope).

A plain tuple underneath (NamedTuple); the names below are the nodes' indices.
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

M1, M2, M3, W1, J = range(5)  # three managers, a worker, and the slot a joiner takes
NODES = (M1, M2, M3, W1, J)
MANAGERS = (M1, M2, M3)
NAMES = ("m1", "m2", "m3", "w1", "j")
WORKER, MANAGER = 0, 1  # roles (store) and token kinds
NO_CERT, WORKER_CERT, MANAGER_CERT = 0, 1, 2  # the OU of a certificate a node holds
OU_NAMES = ("none", "swarm-worker", "swarm-manager")
ROLE_NAMES = ("worker", "manager")
# Tasks: (service, node, state). Service R (replicated, secret S1) and G (global, secret S2).
R, G = 0, 1
S1, S2 = 1, 2  # secret bits; a service's secret is 1 << service
PENDING, ASSIGNED, RUNNING, COMPLETE = 0, 1, 2, 3
STATE_NAMES = ("pending", "assigned", "running", "complete")
NOWHERE = -1
# The attacker's RPCs (F.3): what each needs at the authorization wrapper.
APIS = ("control", "unlock", "raft_join", "issue", "session", "attach")
NEEDS_MANAGER = frozenset({"control", "unlock", "raft_join"})
PROXIED = frozenset({"unlock", "raft_join", "issue", "session", "attach"})  # Control on TCP is not (F.3 table)


class State(NamedTuple):
    exists: tuple[int, ...]  # per node: its record is in the store
    role: tuple[int, ...]  # per node: node.Role in the store
    desired: tuple[int, ...]  # per node: Spec.DesiredRole
    member: tuple[int, ...]  # per node: a Raft member
    cert: tuple[int, ...]  # per node: the OU of the certificate it holds itself
    blacklist: int  # bit n: node n's CN is blacklisted (committed)
    applied: tuple[int, ...]  # per manager: the blacklist its replica has applied
    leader: int
    view: tuple[int, ...]  # per manager: whom it believes leads (where its proxy forwards)
    tokens: tuple[int, int]  # store versions of the (worker, manager) join tokens
    ca_cache: tuple[int, int]  # the versions the leader's CA compares against
    stolen: int  # bit 2 * cn + (ou - 1): a certificate for that CN and OU the attacker can use
    legit: int  # the stolen bits the attacker got by compromise or join, not through an RPC
    att_tokens: int  # bit 2 * role + version: a join token the attacker holds
    att_kek: int  # 1 once the attacker has the unlock key
    tasks: tuple[tuple[int, int, int], ...]
    sent: tuple[int, ...]  # per node: the secrets the dispatcher has sent it
    held: tuple[int, ...]  # per node: the secrets it holds
    batch: tuple[int, ...]  # per node: an assignment batch in flight
    left: tuple[int, ...]  # per node: it has left the swarm (swarm leave)
    sessions: tuple[int, ...]  # per node: its own dispatcher session is open
    att_sessions: int  # bit n: the attacker holds a session as node n
    known: tuple[int, ...]  # per node: the newest network key it knows (-1: none)
    att_known: int
    ring: int  # the newest key's tag; the ring holds ring-2 .. ring
    # Ghost history
    observed: tuple[int, int] = (0, 0)  # the token versions the CA has observed (CAObserve)
    assigned_ever: tuple[int, ...] = (0, 0, 0, 0, 0)  # per node: secrets of tasks ever assigned to it
    leader_changes: int = 0
    compromises: int = 0
    commanded: int = 0  # bit n: a Control API call was authorized as node n
    attached: int = 0  # bit n: a network attachment was made as node n
    renewed_for: tuple[int, ...] = (1, 1, 1, 0, 0)  # per node: the store role its last certificate was signed for


@attrs.frozen(repr=False)
class Step:
    """An action: its rule, the node it is about, and, for an RPC, what was called how.

    `cert` is the certificate the caller presented (cn, ou); `via` the managers the call went
    through, in order; `effective` the identity the last manager authorized (cn, ou)."""

    rule: str
    node: int = NOWHERE
    api: str = ""
    cert: tuple[int, int] = (NOWHERE, NO_CERT)
    via: tuple[int, ...] = ()
    effective: tuple[int, int] = (NOWHERE, NO_CERT)
    token: tuple[int, int] = (NOWHERE, NOWHERE)  # a join's token: (kind, version)
    detail: str = ""

    def __str__(self) -> str:
        if self.api:
            path = " -> ".join(NAMES[m] for m in self.via)
            cn, ou = self.cert
            who, as_ = self.effective
            return (
                f"{self.rule}({self.api}, certificate {NAMES[cn]}/{OU_NAMES[ou]}, via {path}, "
                f"authorized as {NAMES[who]}/{OU_NAMES[as_]})"
            )
        parts = [NAMES[self.node]] if self.node != NOWHERE else []
        if self.detail:
            parts.append(self.detail)
        return f"{self.rule}({', '.join(parts)})"


def bit(n: int) -> int:
    return 1 << n


def cert_bit(cn: int, ou: int) -> int:
    return 1 << (2 * cn + ou - 1)


def secret_of(service: int) -> int:
    """The secret a service's tasks need: S1 for R, S2 for G."""
    return 1 << service


def secret_names(bits: int) -> list[str]:
    return [name for b, name in ((S1, "S1"), (S2, "S2")) if bits & b]
