"""The models the command line knows, with their properties, seeded bugs and bounds."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from model import gossip, orchestration, raft, security
from model.kernel import Model
from properties import gossip as gossip_properties
from properties import orchestration as orchestration_properties
from properties import raft as raft_properties
from properties import security as security_properties
from properties.base import Property
from swarmcheck.witnesses import UNWITNESSED, WITNESSES


class InputError(ValueError):
    """Bad input from the user: reported as one line, exit code 2."""


@attrs.frozen
class Entry:
    """A model as the command line sees it."""

    name: str
    summary: str
    default: Any  # the configuration that --set and --bug start from
    suite: Mapping[str, Any]  # the configurations `swarmcheck check` runs when nothing is set
    build: Callable[[Any], Model[Any, Any]]
    properties: Callable[[Any], list[Property[Any]]]
    bugs: Mapping[str, str]
    # The configuration each seeded bug is hunted at: the default unless stated.
    bug_bounds: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    # Properties checked only when named (`--property`, replay): reports, not gates.
    on_request: Callable[[Any], list[Property[Any]]] = lambda config: []
    # Settings that exist for another command and would make a check never end, with why.
    not_checkable: Mapping[str, str] = attrs.field(factory=dict)
    # Per suite configuration: actions it enables but never reaches, with why (coverage).
    unreached: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    # Suite configurations past the explorer's reach, checked by seeded random walks instead
    # (engines/walks.py): name -> (walks, steps per walk).
    walked: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    # Each property that can fail -> the seeded bug that it alone catches at the bug's hunt
    # bounds: proof the property has teeth (`swarmcheck bugs` fails if another property also
    # catches the bug, or none does: a property swapped for one that always holds).
    witnesses: Mapping[str, str] = attrs.field(factory=dict)
    # Each property that can fail and has no witness yet -> why (tests/test_witnesses.py holds
    # the two lists to every such property: a new property must join one of them).
    unwitnessed: Mapping[str, str] = attrs.field(factory=dict)

    def witness_of(self, bug: str) -> str | None:
        """The property `bug` is the witness of, if any."""
        return next((prop for prop, witness in self.witnesses.items() if witness == bug), None)

    def config(self, settings: Mapping[str, str] | None = None, bugs: frozenset[str] = frozenset()) -> Any:
        """The default configuration with `--set k=v` overrides and bugs applied."""
        changes: dict[str, Any] = {name: _parse(self, name, text) for name, text in (settings or {}).items()}
        try:  # the configuration rejects bounds out of range and unknown bugs
            return attrs.evolve(self.default, bugs=frozenset(bugs), **changes)
        except ValueError as error:
            raise InputError(str(error)) from None

    def bug_config(self, bug: str) -> Any:
        return attrs.evolve(self.default, bugs=frozenset([bug]), **self.bug_bounds.get(bug, {}))


def _parse(entry: Entry, name: str, text: str) -> Any:
    fields = {f.name: f for f in attrs.fields(type(entry.default)) if f.name != "bugs"}
    if name not in fields:
        raise InputError(f"{entry.name}: unknown setting {name!r}; known: {', '.join(fields)}")
    if name in entry.not_checkable:
        raise InputError(f"{entry.name}: {name} is not for checking: {entry.not_checkable[name]}")
    current = getattr(entry.default, name)
    if isinstance(current, str):
        return text  # the configuration checks the value (e.g. a restart condition)
    if isinstance(current, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise InputError(f"{entry.name}: {name} takes true or false, not {text!r}")
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{entry.name}: {name} takes a whole number, not {text!r}") from None


def differing(config: Any, default: Any) -> dict[str, Any]:
    """The settings of `config` that differ from `default` (bugs aside)."""
    return {
        f.name: getattr(config, f.name)
        for f in attrs.fields(type(config))
        if f.name != "bugs" and getattr(config, f.name) != getattr(default, f.name)
    }


def _suite_bounds(module: Any, name: str) -> dict[str, Any]:
    """A suite configuration as the settings that differ from the module's default: a bug
    hunted where the main job checks the rule it breaks, without a second copy to drift."""
    return differing(module.SUITE[name], module.DEFAULT)


_MEMBERSHIP = {"managers": 2, "membership": "append", "values": 0, "max_log": 3, "restarts": False}
# Two servers with etcd's timers and PreVote, elections only, terms three apart at most.
_PRE_VOTE_PAIR = dict(
    servers=2, values=0, max_log=0, restarts=False, history=False, ticks=True, pre_vote=True, relative_terms=True,
    max_term=3,
)  # fmt: skip
# Gossip at two nodes with one crash or leave and nothing else: no loss, cut, restart or push-pull.
_GOSSIP_PAIR = {"nodes": 2, "network_faults": False, "restarts": False, "push_pull": False}
# Gossip at three nodes without loss or cuts, one retransmit, one incarnation.
_GOSSIP_THREE_LOSSLESS = {"network_faults": False, "retransmits": 1, "max_incarnation": 1}

MODELS: dict[str, Entry] = {
    "raft": Entry(
        name="raft",
        summary="the managers' Raft (a port of raft.tla), bag network with loss, duplication, reordering",
        default=raft.DEFAULT,
        suite=raft.SUITE,
        build=raft.Raft,
        properties=raft_properties.properties,
        bugs=raft.BUGS,
        unreached=raft.UNREACHED,
        walked=raft.WALKED,
        bug_bounds={
            "figure8": {"servers": 2, "max_term": 3},
            "half_is_quorum": {"servers": 2},
            "truncate_without_conflict": {"servers": 2, "max_msgs": 2},
            "forget_term_on_restart": {"servers": 2},
            # Three servers for two candidates of one term; entries add nothing (244,944 states, 25 s).
            "forget_vote_on_restart": {"max_log": 0},
            "skip_log_check_on_vote": {"max_term": 3, "restarts": False},
            # A message of term 2 arriving at a server of term 3 (2,412 states).
            "older_term_adopted": {"servers": 2, "max_term": 3, "restarts": False},
            # A candidate of term 3 holding term 2's entry (2,066 states).
            "vote_request_names_current_term": {"servers": 2, "max_term": 3, "restarts": False},
            "accept_stale_append": {"max_term": 3, "restarts": False},
            "leader_commit_uncapped": {"max_log": 2, "restarts": False},
            # Two entries, one value: the liveness graph's 39,349 states (two values: 6 times more).
            "no_next_index_backoff": {**_suite_bounds(raft, "two-entries"), "values": 1},
            # Figure 2's rules, each at two servers and three terms (about 15,000 states).
            **dict.fromkeys(
                (
                    "vote_kept_on_new_term",
                    "restart_keeps_role",
                    "vote_in_any_term",
                    "follower_commit_unbounded",
                    "prev_term_is_current_term",
                    "match_index_kept_on_election",
                ),
                _suite_bounds(raft, "two-terms"),
            ),
            # Two managers and a worker, append-time (the smallest space where each shows).
            "two_changes_at_once": _MEMBERSHIP,
            "pending_change_unchecked": _MEMBERSHIP,  # a promotion, then a demotion before it commits: 7,172 states
            "demote_without_check": {**_MEMBERSHIP, "max_cuts": 1},  # a cut link makes a manager unreachable
            # One manager, two workers, one cut: a worker joins unreached and {s1, s2} needs both (at two
            # servers leader_commits_entries fails too: the leader never commits again).
            "join_without_health_check": {**_MEMBERSHIP, "managers": 1, "max_cuts": 1},
            "removed_member_heard": {**_MEMBERSHIP, "max_term": 3},  # the removed manager campaigns
            # E.3: a second leader changes the membership on its predecessor's commits alone.
            "change_before_own_term_commit": {**_MEMBERSHIP, "max_term": 3},
            # The worker s3 times out at once; apply-time with two entries, 22,900 states to explore.
            "non_member_campaigns": {**_MEMBERSHIP, "membership": "apply", "max_log": 2},
            # E.4: s2 knows the promotion of s3 committed, has not applied it, and times out (7,000 states).
            "campaign_with_unapplied_change": {**_MEMBERSHIP, "membership": "apply", "max_log": 2, "max_term": 3},
            # A demotion applied: the leader's own configuration no longer counts the demoted replica.
            "commit_recounted": _suite_bounds(raft, "promote-demote"),
            # E.7 at its rule: two servers, s2 two terms ahead of s1 (it won s1's pre-votes without
            # s1 hearing its vote requests); s1's pre-vote for the term between goes unanswered.
            "pre_vote_lower_term_ignored": _PRE_VOTE_PAIR,
            # E.6: s1-s3 cut, and s2 votes for whoever asks: leaders deposed forever (a lasso).
            "lease_ignored": _suite_bounds(raft, "partial-partition"),
        },
        on_request=raft_properties.on_request,
        witnesses=WITNESSES["raft"],
        unwitnessed=UNWITNESSED["raft"],
    ),
    "gossip": Entry(
        name="gossip",
        summary="how nodes learn who is alive: memberlist's SWIM with Lifeguard, crashes, loss, cuts, a slow node",
        default=gossip.DEFAULT,
        suite=gossip.SUITE,
        build=gossip.Gossip,
        properties=gossip_properties.properties,
        not_checkable={
            "simulated": "it lifts the node limit for `swarmcheck simulate gossip`, past any exhaustive search"
        },
        bugs=gossip.BUGS,
        witnesses=WITNESSES["gossip"],
        unwitnessed=UNWITNESSED["gossip"],
        unreached=gossip.UNREACHED,
        bug_bounds={
            # A newer death report needs a refutation first: a slow node gives both cheaply.
            "stale_alive_revives_dead": gossip.SLOW_BOUNDS,
            "no_lifeguard": gossip.LIFEGUARD_BOUNDS,
            # A slow node's first suspicion, at four nodes with nothing in flight (11 states).
            "max_timeout_unscaled": {**gossip.LIFEGUARD_BOUNDS, "max_msgs": 0},
            "death_evidence_overwritten": gossip.SLOW_BOUNDS,  # two death reports out of order: 128,297 states
            "retransmit_not_spent": {"nodes": 2},  # a crash gives a suspicion to gossip: 266 states
            "cut_link_carries_gossip": {"nodes": 2},  # a cut, then gossip across it: 6,948 states
            # A death pushed to a third node: no message loss (4,085 states).
            "remote_dead_taken_as_dead": {"network_faults": False, "retransmits": 1},
            # A crash's suspicion reaches the accused by gossip alone (1,143 states).
            "refute_at_accused_incarnation": {"network_faults": False, "retransmits": 1, "push_pull": False},
            "suspect_next_incarnation": {"network_faults": False, "retransmits": 1, "push_pull": False},  # 468 states
            # A leave, and its news gossiped back to the node that left (26 states; with message
            # loss, the left node's lost alive also breaks running_node_eventually_alive).
            "gossip_to_left": _GOSSIP_PAIR,
            # A crash taken for a leave, or a leave for a crash, at two nodes without loss (20 and 26 states).
            "death_always_left": _GOSSIP_PAIR,
            "leave_taken_as_death": _GOSSIP_PAIR,
            # A restart after a crash and push-pull, at three nodes: two cannot keep the property
            # through a healed split even when correct (502 states with the liveness graph).
            "dead_left_out_of_push_pull": _GOSSIP_THREE_LOSSLESS,
            # A crash's suspicion, then the node's own earlier alive (351 states).
            "alive_clears_suspicion": {"nodes": 2, "network_faults": False},
            # A suspicion about a node gossiped back to it (1,552 states; with restarts at two nodes the
            # node also times itself out, breaking the suspicion timer's rule).
            "self_suspicion_taken": _GOSSIP_THREE_LOSSLESS,
            # A crash at three nodes, where k = 0 (51 states with the liveness graph).
            "timeout_without_confirmations_infinite": {**_GOSSIP_THREE_LOSSLESS, "restarts": False, "push_pull": False},
            # A suspicion and then its death about one node, both queued (29 states).
            "no_invalidation": {"nodes": 2, "network_faults": False, "restarts": False},
            # A cut link and a helper to probe through: three nodes, one incarnation (1,485 states).
            "no_indirect_probe": {
                "crashes": False,
                "restarts": False,
                "push_pull": False,
                "retransmits": 1,
                "max_incarnation": 1,
                "lifeguard": False,
            },
        },
    ),
    "scheduler": Entry(
        name="scheduler",
        summary="swarmkit's orchestrators, restart supervisor, updater, scheduler, agents and service discovery",
        default=orchestration.DEFAULT,
        suite=orchestration.SUITE,
        build=orchestration.Orchestration,
        properties=orchestration_properties.properties,
        on_request=orchestration_properties.on_request,
        bugs=orchestration.BUGS,
        witnesses=WITNESSES["scheduler"],
        unwitnessed=UNWITNESSED["scheduler"],
        unreached=orchestration.UNREACHED,
        bug_bounds={
            # Two restart requests for one task: a drain and a node going down (2,564 states).
            "no_restart_guard": {"nodes": 2, "global_service": False},
            "ignore_availability": {"max_faults": 0},
            "overcommit": {"nodes": 1, "replicas": 2, "max_replicas": 2, "cpus": 1},
            "global_duplicate_task": {"max_user_ops": 0},
            "global_on_down_node": {"max_user_ops": 0},
            "global_gap_never_refilled": {"max_user_ops": 0},
            "lost_task_not_replaced": {"nodes": 2, "max_user_ops": 0},  # two nodes: liveness is judged there
            # Two user actions on one node; two nodes keep the search to seconds (three: minutes).
            "enforcer_shuts_down": {
                "nodes": 2,
                "constraint": "node.labels.zone==a",
                "max_faults": 0,
                "max_user_ops": 2,
            },  # remove the label, add it back
            "undrain_ignored": {"nodes": 2, "max_faults": 0, "max_user_ops": 2},  # a drain, then an activate
            # Placement alone: two nodes, one unlabelled, one replica placed (12 states).
            "missing_label_equals_any": {
                "constraint": "node.labels.zone==a",
                "max_faults": 0,
                "nodes": 2,
                "global_service": False,
                "max_user_ops": 0,
            },
            "missing_label_fails_not_equal": {"constraint": "node.labels.zone!=a", "max_faults": 0},
            # A demotion still pending while web's task fails and is placed again.
            "constraint_uses_desired_role": {"constraint": "node.role!=manager"},
            "dead_backend": {"removals": True, "max_faults": 0},
            "strict_resource_check": {"cpus": 1, "max_faults": 0},
            "max_replicas_counts_running_only": _suite_bounds(orchestration, "max-replicas-per-node"),
            "route_before_healthy": {"health_check": True, "max_user_ops": 0, "max_faults": 0},
            "update_forgets_old_task": _suite_bounds(orchestration, "rolling-update"),
            "pause_is_invalid": {"max_faults": 0},  # a pause, under a running replica
            "failure_action_ignored": _suite_bounds(orchestration, "update-failure"),
            "removed_service_tasks_kept": {"service_removal": True, "max_faults": 0},
            "spread_skips_unlabelled_nodes": _suite_bounds(orchestration, "spread-preference"),
            "restart_without_waiting": {"max_faults": 0},  # a drain: the old task still runs
            # A task fails twice: one restart is allowed, the bug makes a second.
            "max_attempts_off_by_one": {"max_attempts": 1, "max_faults": 2, "max_user_ops": 0, "global_service": False},
            # Two replicas on two nodes, nothing else: the second goes where the first is (35 states).
            "node_order_most_loaded": {
                "nodes": 2,
                "replicas": 2,
                "max_replicas": 2,
                "global_service": False,
                "max_faults": 0,
                "max_user_ops": 0,
            },
            # A node paused before its global task is made (3,328 states).
            "global_on_paused_node": {"nodes": 2, "max_faults": 0},
            # A replica fails and its own record is scheduled again (102 states).
            "task_reused_on_restart": {"nodes": 2, "global_service": False, "max_user_ops": 0},
            # A health-checked task told to stop while starting (2,508 states).
            "healthy_after_shutdown": {"health_check": True, "nodes": 2, "global_service": False},
            # One replica updated start-first on two nodes (630 states).
            "start_first_keeps_old_task": {
                "nodes": 2,
                "global_service": False,
                "updates": True,
                "update_order": "start-first",
                "max_faults": 0,
            },
        },
    ),
    "security": Entry(
        name="security",
        summary="who may join, command, hold a secret or a key: tokens, certificates, proxies, removal (reference F)",
        default=security.DEFAULT,
        suite=security.SUITE,
        build=security.Security,
        properties=security_properties.properties,
        bugs=security.BUGS,
        unreached=security.UNREACHED,
        bug_bounds=security.BUG_BOUNDS,
        on_request=security_properties.on_request,
        witnesses=WITNESSES["security"],
        unwitnessed=UNWITNESSED["security"],
    ),
}


def load_user_model(spec: str) -> Entry:
    """`package.module:factory`: import the module (the user's own code, as pytest imports a
    test module), call the factory, and add the `Entry` it returns beside the built-in models."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise InputError(f"--model takes package.module:factory, not {spec!r}")
    if os.getcwd() not in sys.path:  # as `python -m` would: the user's package beside them
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module may fail in any way: one line, exit 2
        raise InputError(f"--model {spec}: cannot import {module_name} ({type(error).__name__}: {error})") from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise InputError(f"--model {spec}: {module_name} has no function {attribute!r}")
    try:
        entry = factory()
    except Exception as error:
        raise InputError(f"--model {spec}: {attribute}() failed ({type(error).__name__}: {error})") from None
    if not isinstance(entry, Entry):
        raise InputError(
            f"--model {spec}: {attribute}() must return a swarmcheck.api.Entry, not {type(entry).__name__}"
        )
    known = MODELS.get(entry.name)
    if known is not None and known is not entry and entry.name in BUILT_IN:
        raise InputError(f"--model {spec}: the name {entry.name!r} is a built-in model's")
    MODELS[entry.name] = entry
    return entry


BUILT_IN = frozenset(MODELS)


def lookup(name: str) -> Entry:
    if name not in MODELS:
        raise InputError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name]


def recorded_config(entry: Entry, recorded: Mapping[str, Any]) -> Any:
    """The configuration a report recorded (its `config` data), checked like `--set`."""
    fields = {f.name for f in attrs.fields(type(entry.default))}
    unknown = sorted(recorded.keys() - fields)
    if unknown:
        raise InputError(f"config field {unknown[0]!r} is not a {entry.name} setting")
    missing = sorted(fields - recorded.keys())
    if missing:  # a default taken silently would replay another configuration
        raise InputError(f"config field {missing[0]!r} is missing; a report records every setting")
    bugs = recorded.get("bugs", [])
    if not isinstance(bugs, list) or not all(isinstance(b, str) for b in bugs):
        raise InputError("config field 'bugs' must be a list of bug names")
    settings = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in recorded.items()
        # A setting not for checking is recorded at its default by every report: nothing to set.
        if k != "bugs" and not (k in entry.not_checkable and v == getattr(entry.default, k))
    }
    return entry.config(settings, frozenset(bugs))


def suite_bounds(entry: Entry, name: str) -> dict[str, Any]:
    """A suite configuration of `entry` as the settings that differ from its default."""
    return differing(entry.suite[name], entry.default)


def property_names(entry: Entry, config: Any = None) -> set[str]:
    """The properties judged at `config`, or anywhere in the model's suite and default."""
    configs = [config] if config is not None else [entry.default, *entry.suite.values()]
    return {p.name for c in configs for p in [*entry.properties(c), *entry.on_request(c)]}


def select_properties(entry: Entry, config: Any, names: list[str] | None) -> list[Property[Any]]:
    """The model's properties, or only those named (bad names are input errors)."""
    available = entry.properties(config)
    if not names:
        return available
    by_name = {p.name: p for p in [*available, *entry.on_request(config)]}
    for name in names:
        if name not in by_name:
            raise InputError(f"{entry.name}: unknown property {name!r}; known: {', '.join(by_name)}")
    return [by_name[name] for name in names]
