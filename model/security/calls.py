"""The attacker's RPCs (F.3): any certificate it holds, sent straight to a manager or through a
follower's proxy. Authorization reads the role from the certificate and checks the CN against
the blacklist of the replica that authorizes (F.3.1); a follower's proxy authorizes nothing and
forwards to the manager it believes leads, naming the caller in the metadata; the leader then
checks the forwarder and takes the forwarded identity (F.3.2). A call that is refused is no
step; an accepted one has its effect (F.3 table):

- `control`: any Control API call (manager; runs where it lands, not proxied);
- `unlock`: CA.GetUnlockKey (manager): the attacker gets the KEK;
- `raft_join`: RaftMembership.Join (manager): the identity becomes a Raft member (F.3.6);
- `issue`: NodeCA.IssueNodeCertificate on the renewal path: a certificate for the attacker's
  key, with the CN authorized and the store's role for it (F.2.3, F.1.6);
- `session`: Dispatcher.Session (worker or manager): a session as that node, which is pushed
  the network keys (F.6.3);
- `attach`: ResourceAllocator.AttachNetwork (worker or manager): an attachment task and an IP
  for that node; it does not check that the node's record exists (F.3.3).
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.security.config import Config
from model.security.state import (
    APIS,
    MANAGER,
    MANAGER_CERT,
    MANAGERS,
    NEEDS_MANAGER,
    NO_CERT,
    NODES,
    PROXIED,
    State,
    Step,
    bit,
    cert_bit,
)

Steps = Iterator[tuple[Step, State]]
Identity = tuple[int, int]  # (cn, ou)


class Calls:
    config: Config

    def calls(self, s: State) -> Steps:
        """Every call the attacker can make that some manager accepts."""
        if not self.config.calls:
            return
        for cn in NODES:
            for ou in (1, 2):
                if not s.stolen & cert_bit(cn, ou):
                    continue
                for api in APIS:
                    for first in MANAGERS:
                        route = self._route(s, api, first)
                        if route is None:
                            continue
                        effective = self._authorized(s, api, (cn, ou), route)
                        if effective is not None:
                            step = Step("Call", api=api, cert=(cn, ou), via=route, effective=effective)
                            yield step, self._effect(s, api, effective)

    def _route(self, s: State, api: str, first: int) -> tuple[int, ...] | None:
        """The managers a call sent to `first` goes through: itself alone for the Control API (not
        proxied) or at the leader; a follower's proxy adds where it believes the leader is, and
        one more hop when that manager is not the leader either and its guard is lost."""
        if api not in PROXIED or first == s.leader:
            return (first,)
        second = s.view[first]
        if second == first:
            return None
        if second == s.leader:
            return (first, second)
        guard = "redirect_guard_lost" not in self.config.bugs
        third = s.view[second]
        if guard or third != s.leader or third in (first, second):
            return None  # the redirect guard refuses a second hop
        return (first, second, third)

    def _authorized(self, s: State, api: str, cert: Identity, route: tuple[int, ...]) -> Identity | None:
        """The identity the last manager on the route authorizes the call as, or None."""
        at = route[-1]
        if len(route) == 1:
            return cert if self._allowed(s, api, cert, at, forwarded=False) else None
        forwarder = route[-2]
        # A second hop rebuilds the metadata from its direct peer: the first proxy, a manager.
        identity = cert if len(route) == 2 else (route[0], s.cert[route[0]])
        trusted = s.cert[forwarder] == MANAGER_CERT or "forwarder_role_unchecked" in self.config.bugs
        if not trusted or s.applied[at] & bit(forwarder):
            return None  # the forwarder must be a manager the leader has not blacklisted
        return identity if self._allowed(s, api, identity, at, forwarded=True) else None

    def _allowed(self, s: State, api: str, identity: Identity, at: int, forwarded: bool) -> bool:
        cn, ou = identity
        managers_only = api in NEEDS_MANAGER and not (api == "unlock" and "unlock_key_to_workers" in self.config.bugs)
        if ou == NO_CERT or (managers_only and ou != MANAGER_CERT):
            return False
        checks_blacklist = not forwarded or (
            self.config.forwarded_blacklist_check and "forwarded_cn_not_blacklisted" not in self.config.bugs
        )
        if checks_blacklist and s.applied[at] & bit(cn):
            return False
        store_role = self.config.store_role_check and not (
            api == "control" and "manager_rpc_trusts_certificate" in self.config.bugs
        )
        if api in NEEDS_MANAGER and store_role and not (s.exists[cn] and s.role[cn] == MANAGER):
            return False
        return not (api in ("issue", "session") and not s.exists[cn])  # the record must exist (F.1.6, F.3.3)

    def _effect(self, s: State, api: str, identity: Identity) -> State:
        cn, _ = identity
        if api == "unlock":
            return s._replace(att_kek=1)
        if api == "raft_join":
            return s._replace(member=put(s.member, cn, 1))
        if api == "issue":
            role = s.desired[cn] if "issue_signs_desired_role" in self.config.bugs else s.role[cn]
            return s._replace(stolen=s.stolen | cert_bit(cn, role + 1))
        if api == "attach":
            return s._replace(attached=s.attached | bit(cn))
        if api == "session":
            return s._replace(att_sessions=s.att_sessions | bit(cn), att_known=max(s.att_known, s.ring))
        return s._replace(commanded=s.commanded | bit(cn))  # what the cluster runs changes; noted once per CN
