"""What a Raft report shows: each server and the network as a person reads them, the
configuration, which action kinds a configuration turns off, and how far a behaviour has
got (random search climbs it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from model.raft.actions import ACTION_KINDS, SWARM_ACTION_KINDS
from model.raft.config import Config
from model.raft.links import cut_pairs
from model.raft.state import (
    LEADER,
    NIL,
    ROLE_NAMES,
    State,
    bits,
    describe_entry,
    describe_message,
    last_term,
    server,
    up_to_date,
)


class Reading:
    """`described_as`, `describe_state`, `config_data`, `switched_off`, `action_kinds`, `progress`."""

    config: Config
    n: int
    history: bool
    _changes: bool

    configuration: Callable[[State, int], int]  # membership.py
    linked: Callable[[State, int, int], bool]  # links.py

    # Where describe_state shows each field (reports mark the fields a property reads).
    described_as: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "term": ("servers.*.term",),
        "role": ("servers.*.role",),
        "voted_for": ("servers.*.votedFor",),
        "log": ("servers.*.log",),
        "commit_index": ("servers.*.commitIndex",),
        "votes_responded": ("servers.*.votesResponded",),
        "votes_granted": ("servers.*.votesGranted",),
        "next_index": ("servers.*.nextIndex",),
        "match_index": ("servers.*.matchIndex",),
        "messages": ("messages",),
        "elected": ("elected",),
        "committed": ("committed",),
        "cut": ("partition",),
        "applied": ("servers.*.applied",),
        "recent": ("servers.*.heardSinceTick",),
        "links": ("cut links",),
    }

    def progress(self, s: State) -> dict[str, float]:
        """How far a behaviour has got: leaders, votes, entries held and committed; and,
        apart, how many servers lead at once (a stale leader beside a new one).
        Random search (the Hypothesis bridge) climbs each, towards the rarer states."""
        leading = sum(role == LEADER for role in s.role)
        leaders = len({t for t, _ in s.elected}) + leading
        votes = sum(mask.bit_count() for mask in s.votes_granted)
        found = {
            "progress": 8.0 * leaders + votes + 2.0 * sum(map(len, s.log)) + 4.0 * sum(s.commit_index),
            "leaders at once": leading,
        }
        if self._changes:  # towards servers that disagree on who the members are
            changes = sum(1 for *_, value, _ in s.committed if value < 0)
            views = len({self.configuration(s, i) for i in range(self.n)})
            found["membership"] = 4.0 * changes + views + len({t for t, _ in s.elected})
        if self.config.pre_vote:  # towards servers that talk, one with the later term, the other the better log
            found["term beside a better log"] = max(
                (
                    s.term[j] - s.term[i]
                    for i in range(self.n)
                    for j in range(self.n)
                    if not up_to_date(last_term(s.log[j]), len(s.log[j]), s.log[i]) and self.linked(s, i, j)
                ),
                default=0,
            )
        return found

    def _swarm_config_data(self) -> dict[str, Any]:
        """Swarm's settings (all off in raft.tla's configurations)."""
        c = self.config
        return {
            "managers": c.managers,
            "membership": c.membership,
            "max_cuts": c.max_cuts,
            "ticks": c.ticks,
            "check_quorum": c.check_quorum,
            "pre_vote": c.pre_vote,
            "partial": c.partial,
            "relative_terms": c.relative_terms,
        }

    def switched_off(self) -> frozenset[str]:
        """The action kinds this configuration makes impossible (coverage: "off", not "never reached")."""
        off = set()
        if not self.config.restarts:
            off.add("Restart")
        if not (self.config.split and self.config.heal):
            off.add("Heal")
        if not self.config.values:
            off.add("ClientRequest")
        c = self.config
        if not c.swarm:
            return frozenset(off)
        off.update(k.__name__ for k in SWARM_ACTION_KINDS)
        if c.membership != "off":
            off -= {"Promote", "Demote", "IgnoreRemoved"}
        if c.membership == "apply":
            off.discard("Apply")
        if c.ticks:
            off -= {"Tick", "LateTick", "LateTimeout"}
        if c.pre_vote:
            off -= {"PreVote", "BecomeCandidate", "HandlePreVoteRequest", "HandlePreVoteResponse"}
        if c.max_cuts:
            off -= {"CutLink", "HealLink"}
        return frozenset(off)

    def action_kinds(self) -> list[str]:
        """Every kind of action this model has, for coverage."""
        kinds = (*ACTION_KINDS, *SWARM_ACTION_KINDS) if self.config.swarm else ACTION_KINDS
        return [k.__name__ for k in kinds]

    def describe_state(self, s: State) -> Mapping[str, Any]:
        servers = {}
        for i in range(self.n):
            servers[server(i)] = {
                "term": s.term[i],
                "role": ROLE_NAMES[s.role[i]],
                "votedFor": None if s.voted_for[i] == NIL else server(s.voted_for[i]),
                "log": [describe_entry(e) for e in s.log[i]],
                "commitIndex": s.commit_index[i],
                "votesGranted": [server(j) for j in bits(s.votes_granted[i], self.n)],
                "votesResponded": [server(j) for j in bits(s.votes_responded[i], self.n)],
                "nextIndex": {server(j): x for j, x in enumerate(s.next_index[i])},
                "matchIndex": {server(j): x for j, x in enumerate(s.match_index[i])},
            }
            if s.applied:
                servers[server(i)]["applied"] = s.applied[i]
            if s.recent:
                servers[server(i)]["heardSinceTick"] = [server(j) for j in bits(s.recent[i], self.n)]
            if self._changes:
                servers[server(i)]["members"] = [server(j) for j in bits(self.configuration(s, i), self.n)]
        data: dict[str, Any] = {
            "servers": servers,
            "messages": {describe_message(m): c for m, c in s.messages if c},
        }
        if s.cut:
            sides = [j for j in range(self.n) if s.cut >> j & 1], [j for j in range(self.n) if not s.cut >> j & 1]
            data["partition"] = " | ".join(", ".join(map(server, side)) for side in sides)
        if s.links:
            data["cut links"] = [f"{server(i)} -x- {server(j)}" for i, j in cut_pairs(s.links, self.n)]
        if self.history:
            data["elected"] = [f"{server(i)} in term {t}" for t, i in s.elected]
            data["committed"] = [
                f"index {x}: {describe_entry((t, v))} (committed in term {ct})" for x, t, v, ct in s.committed
            ]
        return data

    def config_data(self) -> Mapping[str, Any]:
        c = self.config
        return {
            "servers": c.servers,
            "values": c.values,
            "max_term": c.max_term,
            "max_log": c.max_log,
            "max_msgs": c.max_msgs,
            "history": c.history,
            "restarts": c.restarts,
            "split": c.split,
            "heal": c.heal,
            **self._swarm_config_data(),
            "bugs": sorted(c.bugs),
        }
