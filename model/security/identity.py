"""Who a node is and may become: join tokens (F.2), certificates and renewal (F.1), demotion
and the role manager (F.4.7-9), removal and the blacklist (F.4.1-3), leadership and the views
followers' proxies forward by (F.3.2), and the attacker copying a node (F.7 Compromise)."""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.security.config import Config
from model.security.state import (
    MANAGER,
    MANAGER_CERT,
    MANAGERS,
    PENDING,
    WORKER,
    G,
    J,
    State,
    Step,
    bit,
    cert_bit,
)

Steps = Iterator[tuple[Step, State]]


class Identities:
    config: Config

    # ------------------------------------------------------------ F.2 join tokens

    def leak_token(self, s: State) -> Steps:
        """The worker token leaks to the attacker (a token in a CI log, F.2.7)."""
        version = s.tokens[WORKER]
        if not s.att_tokens & bit(2 * WORKER + version):
            yield (
                Step("LeakToken", detail=f"worker token v{version}"),
                s._replace(att_tokens=s.att_tokens | bit(2 * WORKER + version)),
            )

    def rotate_token(self, s: State) -> Steps:
        """`docker swarm join-token --rotate worker`: a new secret in the store (F.2.5), once."""
        if s.tokens[WORKER] == 0:
            yield Step("RotateToken", detail="worker"), s._replace(tokens=put(s.tokens, WORKER, 1))

    def ca_observe(self, s: State) -> Steps:
        """The leader's CA server copies the store's tokens into its cache (F.2.5's CAObserve)."""
        if s.observed != s.tokens:
            cache = s.ca_cache if "token_cache_stale" in self.config.bugs else s.tokens
            yield Step("CAObserve"), s._replace(ca_cache=cache, observed=s.tokens)

    def join(self, s: State) -> Steps:
        """The attacker joins as a new node with a token it holds: the whole token is compared with
        the CA's cached manager token, then the worker token; the token's role is the node's (F.2.2,
        F.1.4). The node gets slot j: IDs are never reused (F.4.5)."""
        if s.exists[J] or s.blacklist & bit(J):
            return
        for kind in (MANAGER, WORKER):
            version = s.ca_cache[kind]
            if not s.att_tokens & bit(2 * kind + version) and "token_secret_unchecked" not in self.config.bugs:
                continue
            role = 1 - kind if "worker_token_grants_manager" in self.config.bugs else kind
            tasks = s.tasks + ((G, J, PENDING),) if self.config.secrets else s.tasks
            name = f"{'manager' if kind else 'worker'} token v{version}"
            yield (
                Step("Join", J, token=(kind, version), detail=name),
                s._replace(
                    exists=put(s.exists, J, 1),
                    role=put(s.role, J, role),
                    desired=put(s.desired, J, role),
                    cert=put(s.cert, J, role + 1),
                    stolen=s.stolen | cert_bit(J, role + 1),
                    legit=s.legit | cert_bit(J, role + 1),
                    att_sessions=s.att_sessions | bit(J),
                    att_known=max(s.att_known, s.ring),
                    tasks=tasks,
                ),
            )

    # ------------------------------------------------------------ F.1 certificates

    def renew(self, s: State, n: int) -> Steps:
        """A node renews once its role has changed (forced by the desired-role change): the new
        certificate's role is the store's node.Role, not the old certificate's (F.1.6)."""
        if s.exists[n] and not s.left[n] and s.renewed_for[n] != s.role[n]:
            ou = s.cert[n] if "renewal_keeps_certificate_role" in self.config.bugs else s.role[n] + 1
            yield Step("Renew", n), s._replace(cert=put(s.cert, n, ou), renewed_for=put(s.renewed_for, n, s.role[n]))

    # ------------------------------------------------------------ F.4 demotion

    def demote(self, s: State, n: int) -> Steps:
        """`docker node demote`: UpdateNode refuses the last manager, a non-member, and a removal
        that would lose quorum (CanRemoveMember); else only the desired role changes (F.4.7)."""
        # Every member is reachable here, so CanRemoveMember refuses only the last one.
        if s.desired[n] == MANAGER and s.member[n] and sum(s.desired[m] == MANAGER for m in MANAGERS) >= 2:
            yield Step("Demote", n), s._replace(desired=put(s.desired, n, WORKER))

    def role_manager(self, s: State, n: int) -> Steps:
        """The leader's role manager removes the Raft member (the leader hands over first), then
        sets node.Role = Worker (F.4.8)."""
        others = [m for m in MANAGERS if m != n and s.member[m] and s.role[m] == MANAGER]
        if s.desired[n] == WORKER and s.role[n] == MANAGER and s.exists[n] and others:
            hands_over = n == s.leader and "demoted_leader_keeps_leading" not in self.config.bugs
            leader = others[0] if hands_over else s.leader
            yield (
                Step("RoleManagerStep", n),
                s._replace(
                    member=put(s.member, n, 0),
                    role=put(s.role, n, WORKER),
                    leader=leader,
                    view=put(s.view, leader, leader),
                ),
            )

    def restart_manager(self, s: State, n: int) -> Steps:
        """A demoted node whose worker certificate has not come within roleChangeTimeout restarts its
        manager (F.4.9): first a forced renewal (swarmkit#1992), then, with a manager certificate
        still, RaftMembership.Join, which takes any manager certificate (F.3.6)."""
        if not (s.exists[n] and s.desired[n] == WORKER and s.cert[n] == MANAGER_CERT and not s.member[n]):
            return
        cert = s.cert[n] if "demoted_manager_restarts" in self.config.bugs else s.role[n] + 1
        certified = cert == MANAGER_CERT or "raft_join_without_certificate" in self.config.bugs
        joins = certified and (not self.config.store_role_check or s.role[n] == MANAGER)
        yield Step("RestartManager", n), s._replace(cert=put(s.cert, n, cert), member=put(s.member, n, int(joins)))

    # ------------------------------------------------------------ F.4 removal

    def remove_node(self, s: State, n: int) -> Steps:
        """`docker node rm --force`: refused for a manager still in Raft; else the CN is
        blacklisted, the node's tasks orphaned, its record deleted (F.4.1-2). Sessions stay open
        unless the hardened rule closes them (F.4.4)."""
        if not s.exists[n] or (s.desired[n] == MANAGER and s.member[n]):
            return
        close = self.config.close_sessions_on_removal and "session_outlives_removal" not in self.config.bugs
        yield (
            Step("RemoveNode", n),
            s._replace(
                exists=put(s.exists, n, 0),
                blacklist=s.blacklist | bit(n),
                tasks=tuple(t for t in s.tasks if t[1] != n),
                sessions=put(s.sessions, n, 0) if close else s.sessions,
                att_sessions=s.att_sessions & ~bit(n) if close else s.att_sessions,
            ),
        )

    def apply_blacklist(self, s: State, m: int) -> Steps:
        """Manager m's replica applies the committed blacklist (F.4 window W4)."""
        if s.applied[m] != s.blacklist:
            yield Step("ApplyBlacklist", m), s._replace(applied=put(s.applied, m, s.blacklist))

    def agent_notices_removal(self, s: State, n: int) -> Steps:
        """A well-behaved removed node closes its own session once its heartbeats fail (F.4.4)."""
        if not s.exists[n] and s.sessions[n]:
            yield Step("AgentClosesSession", n), s._replace(sessions=put(s.sessions, n, 0))

    # ------------------------------------------------------------ leadership and views

    def leader_change(self, s: State, m: int) -> Steps:
        """Another Raft member becomes leader; only it knows at once (F.3.2's stale views)."""
        if s.leader_changes < self.config.leader_changes and m != s.leader and s.member[m]:
            yield (
                Step("LeaderChange", m),
                s._replace(leader=m, view=put(s.view, m, m), leader_changes=s.leader_changes + 1),
            )

    def learn_leader(self, s: State, m: int) -> Steps:
        """Manager m learns who leads now: its proxy forwards there from now on (F.3.2)."""
        if s.view[m] != s.leader and s.member[m]:
            yield Step("LearnLeader", m), s._replace(view=put(s.view, m, s.leader))

    # ------------------------------------------------------------ the attacker

    def compromise(self, s: State, n: int) -> Steps:
        """The attacker copies node n's certificate and key, the secrets it holds and the network
        keys it knows (F.7 Compromise): a worker, or a manager being demoted; an active manager
        holds everything by design (F.0), so taking one teaches nothing."""
        if s.compromises >= self.config.max_compromises or not s.exists[n] or not s.cert[n] or s.desired[n] != WORKER:
            return
        got = cert_bit(n, s.cert[n])
        if s.stolen & got:
            return
        yield (
            Step("Compromise", n),
            s._replace(
                stolen=s.stolen | got,
                legit=s.legit | got,
                att_known=max(s.att_known, s.known[n]),
                compromises=s.compromises + 1,
            ),
        )
