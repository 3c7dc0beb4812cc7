"""What swarm's Raft adds to Raft's promises (reference B; Raft thesis §4): membership
changes keep quorums overlapping, swarm's demotion rule keeps a quorum reachable, removed
members stay out; and witnesses that links failing and CheckQuorum's step-downs happen.

Written from the reference, not from the model's helpers: configurations are read back from
the log entries (`(term, -members)`), quorums counted here.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import Any

from model.raft import LEADER, Config, Log, State, server
from model.raft.links import pair_bit
from properties.base import (
    Property,
    always,
    fair,
    finitely_often,
    recoverable,
    sometimes,
    sometimes_step,
    transition,
)

THESIS = "Raft thesis (Ongaro 2014) §4.1, single-server changes"
# The steps that start an election: a timer's (on time, or late) and the one after a PreVote round.
TIMEOUTS = ("Timeout", "LateTimeout")
CAMPAIGNS = (*TIMEOUTS, "BecomeCandidate")
SWARM = "swarmkit manager/state/raft/raft.go (CanRemoveMember) and design/raft.md"


def majority(size: int) -> int:
    """floor(size / 2) + 1 (the Docker admin guide's table)."""
    return size // 2 + 1


def names(members: int, n: int) -> str:
    return "{" + ", ".join(server(k) for k in range(n) if members >> k & 1) + "}"


def disjoint_majorities(a: int, b: int) -> bool:
    """Whether a majority of configuration a and a majority of b can share no server: each
    takes its own servers first, then the shared ones must be enough for both."""
    shared = (a & b).bit_count()
    need_a = max(0, majority(a.bit_count()) - (a & ~b).bit_count())
    need_b = max(0, majority(b.bit_count()) - (b & ~a).bit_count())
    return need_a + need_b <= shared


def initial_members(config: Config) -> int:
    return (1 << (config.managers or config.servers)) - 1


def members_in(log: Log, initial: int) -> int:
    """The configuration the last configuration entry of a log names."""
    for _, value in reversed(log):
        if value < 0:
            return -value
    return initial


def used_log(s: State, i: int, applying: bool) -> Log:
    """The part of i's log its configuration comes from: what it applied (apply-time changes,
    etcd/raft and swarmkit), or all of it (append-time, the thesis)."""
    return s.log[i][: s.applied[i]] if applying else s.log[i]


# ---------------------------------------------------------------- configurations


def configurations_overlap(config: Config) -> Callable[[State], str | None]:
    """Two successive committed configurations share a majority (thesis §4.1): what makes
    one server at a time safe, and what two at once breaks."""
    initial, n = initial_members(config), config.servers

    def check(s: State) -> str | None:
        previous = initial
        for index, term, value, _ in sorted(s.committed):
            if value >= 0:
                continue
            members = -value
            if disjoint_majorities(previous, members):
                return (
                    f"index {index} (term {term}) committed configuration {names(members, n)} after "
                    f"{names(previous, n)}: a majority of each can be disjoint"
                )
            previous = members
        return None

    check.__doc__ = configurations_overlap.__doc__
    return check


def configuration_committed(s: State) -> bool:
    return any(value < 0 for _, _, value, _ in s.committed)


def _linked(s: State, n: int, i: int, k: int) -> bool:
    if i == k:
        return True
    if s.cut and (s.cut >> i & 1) != (s.cut >> k & 1):
        return False
    return not s.links & pair_bit(n, i, k)


def _reached(s: State, n: int, i: int, members: int) -> int:
    """How many of `members` server i can talk to (itself included)."""
    return sum(1 for k in range(n) if members >> k & 1 and _linked(s, n, i, k))


def _short_of_a_majority(after: State, n: int, action: Any, verb: str, members: int) -> str | None:
    """Why the leader of a membership change reaches too few of the new configuration, if it does."""
    i, reached = action.i, _reached(after, n, action.i, members)
    if reached >= majority(members.bit_count()):
        return None
    return (
        f"{server(i)} {verb} {server(action.j)}: the new configuration {names(members, n)} needs "
        f"{majority(members.bit_count())}, but {server(i)} reaches only {reached} of them"
    )


def demotion_keeps_quorum(config: Config) -> Callable[[State, Any, State], str | None]:
    """A demotion swarm allowed leaves the members the leader reaches a majority of the new
    configuration (CanRemoveMember; the demotion that would lose quorum is refused)."""
    n = config.servers

    def check(before: State, action: Any, after: State) -> str | None:
        if type(action).__name__ != "Demote":
            return None
        return _short_of_a_majority(after, n, action, "demoted", members_in(after.log[action.i], 0))

    check.__doc__ = demotion_keeps_quorum.__doc__
    return check


def promotion_keeps_quorum(config: Config) -> Callable[[State, Any, State], str | None]:
    """A promotion never takes a leader that reaches a majority of its configuration to one that
    does not reach a majority of the new configuration (swarmkit raft.go Join: the joiner's
    address passes a health check before the member is added)."""
    n, initial = config.servers, initial_members(config)

    def check(before: State, action: Any, after: State) -> str | None:
        if type(action).__name__ != "Promote":
            return None
        i = action.i
        old, new = members_in(before.log[i], initial), members_in(after.log[i], initial)
        if _reached(before, n, i, old) < majority(old.bit_count()):
            return None
        return _short_of_a_majority(after, n, action, "promoted", new)

    check.__doc__ = promotion_keeps_quorum.__doc__
    return check


def demotion_refused(config: Config) -> Callable[[State], bool]:
    """Some leader has a member it may not demote: the rest it reaches are short of a new majority."""
    n, initial = config.servers, initial_members(config)

    def check(s: State) -> bool:
        for i, role in enumerate(s.role):
            if role != LEADER:
                continue
            members = members_in(s.log[i], initial)
            for j in range(n):
                rest = members & ~(1 << j)
                if j != i and members >> j & 1 and _reached(s, n, i, rest) < majority(members.bit_count() - 1):
                    return True
        return False

    check.__doc__ = demotion_refused.__doc__
    return check


def step_named(*kinds: str) -> Callable[[State, Any, State], bool]:
    def check(before: State, action: Any, after: State) -> bool:
        return type(action).__name__ in kinds

    check.__doc__ = f"A {' or '.join(kinds)} step is taken."
    return check


def removed_member_ignored(config: Config) -> Callable[[State, Any, State], str | None]:
    """No server acts on a message from a member its configuration removed (swarmkit keeps
    removed Raft IDs in a blacklist and ignores their RPCs)."""
    initial = initial_members(config)
    applying = config.membership == "apply"

    def check(before: State, action: Any, after: State) -> str | None:
        m = getattr(action, "m", None)
        if m is None or type(action).__name__ in ("DropMessage", "DuplicateMessage", "IgnoreRemoved"):
            return None
        sender, receiver = m[2], m[3]
        log = used_log(before, receiver, applying)
        ever = initial
        for _, value in log:
            if value < 0:
                ever |= -value
        if ever >> sender & 1 and not members_in(log, initial) >> sender & 1:
            return f"{server(receiver)} handled a message from {server(sender)}, which it knows was removed: {action}"
        return None

    check.__doc__ = removed_member_ignored.__doc__
    return check


def change_after_own_term_commit(before: State, action: Any, after: State) -> str | None:
    """A leader proposes a configuration change only after it has committed an entry of its
    own term (the fix of Ongaro's 2015 single-server bug, reference E.3) and while no earlier
    change is uncommitted (etcd/raft's pendingConfIndex: one change at a time)."""
    if type(action).__name__ not in ("Promote", "Demote"):
        return None
    i = action.i
    log, term, commit = before.log[i], before.term[i], before.commit_index[i]
    if not any(t == term for t, _ in log[:commit]):
        return f"leader {server(i)} of term {term} proposed {action} before committing an entry of its own term"
    if any(value < 0 for _, value in log[commit:]):
        return f"leader {server(i)} proposed {action} while an earlier change is uncommitted"
    return None


def only_members_campaign(config: Config) -> Callable[[State, Any, State], str | None]:
    """Only a member of its own configuration starts an election (etcd/raft promotable()): a
    worker, or a manager its configuration removed, never campaigns (moby/swarmkit#1364)."""
    initial = initial_members(config)
    applying = config.membership == "apply"

    def check(before: State, action: Any, after: State) -> str | None:
        if type(action).__name__ not in CAMPAIGNS:
            return None
        i = action.i
        log = used_log(before, i, applying)
        members = members_in(log, initial)
        if not members >> i & 1:
            return f"{server(i)} campaigned ({action}) though its configuration is {names(members, config.servers)}"
        return None

    check.__doc__ = only_members_campaign.__doc__
    return check


def campaign_with_changes_applied(before: State, action: Any, after: State) -> str | None:
    """With apply-time changes a server campaigns only once it has applied every configuration
    change it knows committed (etcd/raft hup(): hasUnappliedConfChanges), so it never counts votes
    with a configuration two changes behind the committed one (reference E.4)."""
    if type(action).__name__ not in TIMEOUTS:
        return None
    i, applied, commit = action.i, before.applied[action.i], before.commit_index[action.i]
    unapplied = [index for index, (_, value) in enumerate(before.log[i], 1) if value < 0 and applied < index <= commit]
    if unapplied:
        return (
            f"{server(i)} campaigned ({action}) with the configuration change at index {unapplied[0]} committed "
            f"but not applied (applied up to {applied}, committed up to {commit})"
        )
    return None


# ---------------------------------------------------------------- links and timers


def leader_deposed_while_connected(config: Config) -> Callable[[State, Any, State], bool]:
    """A leader loses leadership to a newer term although it still reaches a majority of its
    configuration (reference E.5, E.6: a disruptive server; PreVote is off in swarm)."""
    n, initial = config.servers, initial_members(config)

    def check(before: State, action: Any, after: State) -> bool:
        for i, role in enumerate(before.role):
            if role == LEADER and after.role[i] != LEADER and after.term[i] > before.term[i]:
                members = members_in(before.log[i], initial)
                if _reached(before, n, i, members) >= majority(members.bit_count()):
                    return True
        return False

    check.__doc__ = leader_deposed_while_connected.__doc__
    return check


# Elections as they run when Raft's timing requirement holds (§5.6: broadcastTime << election
# timeout): once the faults stop (links, restarts, lost or duplicated messages, and ticks that
# outrun a reachable leader's heartbeats), every message is delivered and every timer and
# election step taken. Votes may still split forever (no untimed model can rule that out), so
# what is promised is not that a leader comes, but that one who reaches a majority stays.
# The faults of swarm's Raft, and the late timers Raft's timing rule makes rare (§5.6).
SWARM_FAULTS = (
    "LateTick", "LateTimeout", "CutLink", "HealLink", "Restart", "DropMessage", "DuplicateMessage", "ClientRequest", "Promote",
    "Demote",
)  # fmt: skip
STABLE_TIMING = fair(
    weak=(
        "Timeout", "Tick", "RequestVote", "BecomeLeader", "AppendEntries", "AdvanceCommitIndex", "UpdateTerm",
        "HandleRequestVoteRequest", "HandleRequestVoteResponse", "HandleAppendEntriesRequest",
        "HandleAppendEntriesResponse", "DropStaleResponse", "PreVote", "BecomeCandidate", "HandlePreVoteRequest",
        "HandlePreVoteResponse", "Apply", "IgnoreRemoved", "Heal",
    ),
    stops=SWARM_FAULTS,
)  # fmt: skip


def leadership_stable(config: Config) -> Property[Any]:
    return finitely_often(
        "leadership_stable",
        leader_deposed_while_connected(config),
        STABLE_TIMING,
        "reference E.6 (the Cloudflare 2020 etcd outage); etcd raft.go CheckQuorum and inLease; Raft thesis §9.6",
        "A leader that reaches a majority is deposed only finitely often: after the faults stop, "
        "with heartbeats faster than election timeouts, a server cut off from the leader alone "
        "cannot depose it again and again. Violated by leaders deposed forever through a server "
        "that reaches both sides (reference E.6), as without CheckQuorum's lease. Judged with "
        "relative terms, where a livelock of rising terms closes a cycle.",
    )


# ---------------------------------------------------------------- recovery

# The faults stopped as they are (E.7's "after the leader is isolated"): swarm's faults, and
# the partition from the start does not heal either (a repair, weakly fair under STABLE_TIMING).
AS_THEY_ARE = (*SWARM_FAULTS, "Heal")


def connected_majority(config: Config) -> Callable[[State], bool]:
    """A majority of some server's configuration can all talk to each other."""
    n, initial, applying = config.servers, initial_members(config), config.membership == "apply"

    def check(s: State) -> bool:
        for i in range(n):
            members = members_in(used_log(s, i, applying), initial)
            group = [k for k in range(n) if members >> k & 1]
            for together in combinations(group, majority(len(group))):
                if all(_linked(s, n, a, b) for a, b in combinations(together, 2)):
                    return True
        return False

    return check


def leader_reaches_majority(config: Config) -> Callable[[State], bool]:
    """A leader talks to a majority of its configuration, all of them in its term."""
    n, initial, applying = config.servers, initial_members(config), config.membership == "apply"

    def check(s: State) -> bool:
        for i, role in enumerate(s.role):
            if role == LEADER:
                members = members_in(used_log(s, i, applying), initial)
                near = [k for k in range(n) if members >> k & 1 and s.term[k] == s.term[i] and _linked(s, n, i, k)]
                if len(near) >= majority(members.bit_count()):
                    return True
        return False

    return check


def leader_electable(config: Config) -> Property[Any]:
    return recoverable(
        "leader_electable",
        connected_majority(config),
        leader_reaches_majority(config),
        AS_THEY_ARE,
        "reference E.7: etcd-io/etcd#8243, canonical/raft#279; Raft §5.2",
        "Wherever a majority of the managers can talk to each other, they can still elect a leader: "
        "with the faults stopped as they are, some way on leads to a leader that reaches a majority "
        "in its term. Violated by a trap no timing escapes, such as a server with the better log "
        "and one with the later term refusing each other's pre-votes forever (reference E.7).",
    )


def commit_with_link_cut(s: State) -> bool:
    return bool(s.links) and any(s.commit_index)


# ---------------------------------------------------------------- the set


def properties(config: Config) -> list[Property[Any]]:
    """The properties of swarm's additions that this configuration turns on."""
    found: list[Property[Any]] = []
    if config.membership != "off":
        found += [
            transition("removed_member_ignored", removed_member_ignored(config), SWARM),
            sometimes_step("manager_promoted", step_named("Promote"), SWARM),
            sometimes_step("manager_demoted", step_named("Demote"), SWARM),
            transition("demotion_keeps_quorum", demotion_keeps_quorum(config), SWARM),
            transition("promotion_keeps_quorum", promotion_keeps_quorum(config), "swarmkit raft.go Join"),
            transition("change_after_own_term_commit", change_after_own_term_commit, "reference E.3; " + SWARM),
            transition("only_members_campaign", only_members_campaign(config), "etcd/raft promotable(); " + SWARM),
        ]
        if config.membership == "apply":
            found.append(
                transition(
                    "campaign_with_changes_applied",
                    campaign_with_changes_applied,
                    "reference E.4; etcd-io/etcd#7625; etcd/raft raft.go hup()",
                )
            )
        if config.history:
            found += [
                always("configurations_overlap", configurations_overlap(config), THESIS),
                sometimes("configuration_committed", configuration_committed, THESIS),
            ]
        if config.max_cuts or config.split:
            found.append(sometimes("demotion_refused", demotion_refused(config), SWARM))
    if config.max_cuts:
        found.append(sometimes("commit_with_link_cut", commit_with_link_cut, "Raft §5.3; reference E.6"))
    if config.check_quorum:
        found.append(sometimes_step("check_quorum_step_down", _check_quorum_step_down, "etcd raft.go CheckQuorum"))
    if config.ticks and config.relative_terms:
        found += [leadership_stable(config), leader_electable(config)]
    if (
        config.ticks
        and (config.max_cuts or config.partial)
        and not config.pre_vote
        and (config.max_term >= 3 or config.relative_terms)
    ):
        found.append(
            sometimes_step(
                "leader_deposed_while_connected",
                leader_deposed_while_connected(config),
                "reference E.5, E.6; moby/swarmkit#1364",
            )
        )
    return found


def _check_quorum_step_down(before: State, action: Any, after: State) -> bool:
    return type(action).__name__ == "Tick" and before.role[action.i] == LEADER and after.role[action.i] != LEADER


def commit_on_a_quorum(config: Config) -> Callable[[State], str | None]:
    """Membership's form of `commit_needs_quorum`: a committed entry is held by a majority of
    some configuration: one committed at or before its index, or one still in a log (append-time
    leaders count with their latest configuration, committed or not)."""
    initial, n = initial_members(config), config.servers

    def check(s: State) -> str | None:
        committed = sorted(s.committed)
        for index, term, value, _ in committed:
            holders = 0
            for k, log in enumerate(s.log):
                if len(log) >= index and log[index - 1] == (term, value):
                    holders |= 1 << k
            options = [initial] + [-v for x, _, v, _ in committed if v < 0 and x <= index]
            options += [-v for log in s.log for _, v in log[index - 1 :] if v < 0]
            if not any(2 * (holders & members).bit_count() > members.bit_count() for members in options):
                return (
                    f"index {index} (term {term}) is committed but only {names(holders, n)} hold it, "
                    f"a majority of none of the configurations {', '.join(names(m, n) for m in options)}"
                )
        return None

    check.__doc__ = commit_on_a_quorum.__doc__
    return check
