"""swarm's security rules as one state machine: the actions of identity.py, calls.py and
secrets.py in F.7's order, the initial cluster, and how a person reads a state."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Any, ClassVar

import attrs

from model.kernel import Exchange
from model.security.calls import Calls
from model.security.config import DEFAULT, Config
from model.security.identity import Identities
from model.security.secrets import Secrets
from model.security.state import (
    M3,
    MANAGERS,
    NAMES,
    NODES,
    NOWHERE,
    OU_NAMES,
    PENDING,
    ROLE_NAMES,
    STATE_NAMES,
    W1,
    G,
    J,
    R,
    State,
    Step,
    secret_names,
)

RULES = (
    "LeakToken",
    "RotateToken",
    "CAObserve",
    "Join",
    "Renew",
    "Demote",
    "RoleManagerStep",
    "RestartManager",
    "RemoveNode",
    "ApplyBlacklist",
    "AgentClosesSession",
    "LeaderChange",
    "LearnLeader",
    "Compromise",
    "Call",
    "Schedule",
    "TaskRuns",
    "TaskCompletes",
    "Dispatch",
    "AgentApplies",
    "Leave",
    "RotateKeys",
)


class Security(Identities, Calls, Secrets):
    """swarm's join, certificate, authorization, removal, secret and key rules for a `Config`."""

    name = "security"
    # Keys and canonical forms are tuples of ints no lower than -1 (model/kernel.py): hash() fingerprints.
    hash_fingerprints = True
    described_as: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **dict.fromkeys(("exists", "role", "desired", "member", "cert", "left"), ("nodes.*",)),
        **dict.fromkeys(("blacklist", "applied"), ("blacklist",)),
        **dict.fromkeys(("leader", "view"), ("leadership",)),
        **dict.fromkeys(("tokens", "ca_cache"), ("tokens",)),
        **dict.fromkeys(
            ("stolen", "att_tokens", "att_kek", "att_sessions", "att_known", "commanded", "attached"), ("attacker",)
        ),
        **dict.fromkeys(("tasks",), ("tasks",)),
        **dict.fromkeys(("sent", "held", "batch", "sessions", "known"), ("nodes.*",)),
        "ring": ("network keys",),
    }

    def __init__(self, config: Config = DEFAULT) -> None:
        self.config = config

    def init_states(self) -> Iterator[State]:
        tasks = ((R, NOWHERE, PENDING), (G, 3, PENDING)) if self.config.secrets else ()
        yield State(
            exists=(1, 1, 1, 1, 0),
            role=(1, 1, 1, 0, 0),
            desired=(1, 1, 1, 0, 0),
            member=(1, 1, 1, 0, 0),
            cert=(2, 2, 2, 1, 0),
            blacklist=0,
            applied=(0, 0, 0),
            leader=0,
            view=(0, 0, 0),
            tokens=(0, 0),
            ca_cache=(0, 0),
            stolen=0,
            legit=0,
            att_tokens=0,
            att_kek=0,
            tasks=tasks,
            sent=(0,) * 5,
            held=(0,) * 5,
            batch=(0,) * 5,
            left=(0,) * 5,
            sessions=(1, 1, 1, 1, 0),
            att_sessions=0,
            known=(0, 0, 0, 0, -1),
            att_known=-1,
            ring=0,
        )

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
        c = self.config
        if c.tokens:
            yield from self.leak_token(s)
            yield from self.rotate_token(s)
            yield from self.ca_observe(s)
            yield from self.join(s)
        if c.roles:  # F.8 2 and 3 demote m3; w1 and j renew too
            yield from self.demote(s, M3)
            yield from self.role_manager(s, M3)
            yield from self.restart_manager(s, M3)
            for n in (M3, W1, J):
                yield from self.renew(s, n)
        if c.removal:  # F.8 4 and 5 remove w1
            yield from self.remove_node(s, W1)
            yield from self.agent_notices_removal(s, W1)
            for m in MANAGERS:
                yield from self.apply_blacklist(s, m)
        for m in MANAGERS:
            yield from self.leader_change(s, m)
            yield from self.learn_leader(s, m)
        for n in NODES:
            yield from self.compromise(s, n)
        yield from self.calls(s)
        if self.config.secrets:
            for k in range(len(s.tasks)):
                yield from self.schedule(s, k)
                yield from self.task_runs(s, k)
                yield from self.task_completes(s, k)
            for n in NODES:
                yield from self.dispatch(s, n)
                yield from self.agent_applies(s, n)
                yield from self.leave(s, n)
        yield from self.rotate_keys(s)

    def within_bounds(self, s: State) -> bool:
        return True  # every bound is in the guards

    def key(self, s: State) -> Hashable:
        return tuple(s)

    def canonical(self, s: State) -> Hashable:
        return tuple(s)  # no symmetry: every node has its own part

    def from_key(self, key: tuple[Any, ...]) -> State:
        return State(*key)

    def action_kinds(self) -> list[str]:
        return list(RULES)

    def switched_off(self) -> frozenset[str]:
        c = self.config
        off = set()
        if not c.tokens:
            off |= {"LeakToken", "RotateToken", "CAObserve", "Join"}
        if not c.roles:
            off |= {"Demote", "RoleManagerStep", "RestartManager", "Renew"}
        if not c.removal:
            off |= {"RemoveNode", "ApplyBlacklist", "AgentClosesSession"}
        if not c.calls:
            off.add("Call")
        if not c.secrets:
            off |= {"Schedule", "TaskRuns", "TaskCompletes", "Dispatch", "AgentApplies", "Leave"}
        if not c.leader_changes:
            off |= {"LeaderChange", "LearnLeader"}
        if not c.max_key_rotations:
            off.add("RotateKeys")
        if not c.max_compromises:
            off.add("Compromise")
        return frozenset(off)

    def describe_state(self, s: State) -> Mapping[str, Any]:
        nodes = {}
        for n in NODES:
            if not s.exists[n] and not s.blacklist >> n & 1 and n != J:
                continue
            record = "removed" if s.blacklist >> n & 1 else "no record" if not s.exists[n] else ROLE_NAMES[s.role[n]]
            facts = {
                "record": record
                + (f", wants {ROLE_NAMES[s.desired[n]]}" if s.exists[n] and s.desired[n] != s.role[n] else ""),
                "certificate": OU_NAMES[s.cert[n]],
                "raft member": bool(s.member[n]),
                "session": bool(s.sessions[n]),
                "newest key": s.known[n],
            }
            if self.config.secrets:
                facts |= {"left": bool(s.left[n]), "sent": secret_names(s.sent[n]), "holds": secret_names(s.held[n])}
            nodes[NAMES[n]] = facts
        stolen = [f"{NAMES[cn]}/{OU_NAMES[ou]}" for cn in NODES for ou in (1, 2) if s.stolen >> (2 * cn + ou - 1) & 1]
        data: dict[str, Any] = {
            "nodes": nodes,
            "leadership": f"{NAMES[s.leader]} leads; views "
            + ", ".join(f"{NAMES[m]}->{NAMES[s.view[m]]}" for m in MANAGERS),
            "tokens": f"store worker v{s.tokens[0]}, CA cache v{s.ca_cache[0]}",
            "blacklist": {
                "committed": [NAMES[n] for n in NODES if s.blacklist >> n & 1],
                **{f"applied on {NAMES[m]}": [NAMES[n] for n in NODES if s.applied[m] >> n & 1] for m in MANAGERS},
            },
            "attacker": {
                "certificates": stolen,
                "tokens": [f"{ROLE_NAMES[b // 2]} v{b % 2}" for b in range(4) if s.att_tokens >> b & 1],
                "unlock key": bool(s.att_kek),
                "sessions as": [NAMES[n] for n in NODES if s.att_sessions >> n & 1],
                "commanded as": [NAMES[n] for n in NODES if s.commanded >> n & 1],
                "attached as": [NAMES[n] for n in NODES if s.attached >> n & 1],
                "newest key": s.att_known,
            },
            "network keys": f"ring {max(0, s.ring - 2)}..{s.ring}",
        }
        if self.config.secrets:
            data["tasks"] = [
                f"{'R' if svc == R else 'G'} on {NAMES[node] if node != NOWHERE else '-'}: {STATE_NAMES[st]}"
                for svc, node, st in s.tasks
            ]
        return data

    def config_data(self) -> Mapping[str, Any]:
        data = attrs.asdict(self.config)
        data["bugs"] = sorted(self.config.bugs)
        return data

    # ------------------------------------------------------------ sequence diagrams

    def lifelines(self) -> list[str]:
        return ["attacker", *NAMES]

    def exchange(self, step: Step) -> Exchange:
        if step.rule == "Call":
            return Exchange("attacker", f"{step.api} as {NAMES[step.cert[0]]}", NAMES[step.via[0]])
        if step.rule == "Join":
            return Exchange("attacker", f"join with {step.detail}", NAMES[0])
        if step.rule in ("LeakToken", "Compromise"):
            return Exchange("attacker", f"{step.rule} {NAMES[step.node] if step.node != NOWHERE else step.detail}")
        where = NAMES[step.node] if step.node != NOWHERE else "m1"
        return Exchange(where, str(step))
