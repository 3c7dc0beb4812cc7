"""What Raft guarantees (Raft paper, Figure 3 and §5), checked on `model.raft`.

Invariants return a sentence naming what is wrong, or None. Every invariant has
a `sometimes` partner showing that the states it speaks of are reachable, and a
seeded bug in `model.raft.BUGS` that breaks it (see `CATCHES` in the tests).
Properties marked `needs_history` read the ghost history and are checked only
when the model keeps it (`Config.history`).
"""

from __future__ import annotations

from typing import Any

from model.raft import CANDIDATE, LEADER, Config, State, server
from properties import raft_swarm
from properties.base import Property, always, fair, leads_to, sometimes, sometimes_step, transition
from properties.raft_steps import show_entry, show_log, step_rules

FIG3 = "Raft paper (Ongaro & Ousterhout 2014), Figure 3"


def _majority(count: int, n: int) -> bool:
    """A true majority, whatever quorum rule the model under test uses."""
    return 2 * count > n


# ---------------------------------------------------------------- Election Safety


def election_safety(s: State) -> str | None:
    """At most one leader can be elected in a given term (§5.2), over the whole history."""
    by_term: dict[int, int] = {}
    for term, i in s.elected:
        if term in by_term and by_term[term] != i:
            return f"{server(by_term[term])} and {server(i)} were both elected leader in term {term}"
        by_term[term] = i
    return _two_current_leaders(s)


def _two_current_leaders(s: State) -> str | None:
    leaders: dict[int, int] = {}
    for i, role in enumerate(s.role):
        if role == LEADER:
            if s.term[i] in leaders:
                return f"{server(leaders[s.term[i]])} and {server(i)} are both leader in term {s.term[i]}"
            leaders[s.term[i]] = i
    return None


def leader_elected(s: State) -> bool:
    return LEADER in s.role


# ---------------------------------------------------------------- Leader Append-Only


def leader_append_only(before: State, action: Any, after: State) -> str | None:
    """A leader never overwrites or deletes entries in its log; it only appends (§5.3)."""
    for i, role in enumerate(before.role):
        if role == LEADER and after.role[i] == LEADER and before.term[i] == after.term[i]:
            old, new = before.log[i], after.log[i]
            if new[: len(old)] != old:
                return f"leader {server(i)} of term {before.term[i]} changed its log from {show_log(old)} to {show_log(new)}"
    return None


def leader_appends(before: State, action: Any, after: State) -> bool:
    return any(
        role == LEADER and len(after.log[i]) > len(before.log[i]) and after.role[i] == LEADER
        for i, role in enumerate(before.role)
    )


# ---------------------------------------------------------------- Log Matching


def log_matching(s: State) -> str | None:
    """Two logs holding an entry with the same index and term are identical up to it (§5.3)."""
    n = len(s.log)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = s.log[i], s.log[j]
            for k in range(min(len(a), len(b)), 0, -1):
                if a[k - 1][0] == b[k - 1][0]:
                    if a[:k] != b[:k]:
                        return (
                            f"{server(i)} and {server(j)} both hold term {a[k - 1][0]} at index {k} "
                            f"but differ before it: {show_log(a[:k])} vs {show_log(b[:k])}"
                        )
                    break
    return None


def shared_entry(s: State) -> bool:
    return any(a and b and a[0] == b[0] for k, a in enumerate(s.log) for b in s.log[k + 1 :])


# ---------------------------------------------------------------- Leader Completeness


def leader_completeness(s: State) -> str | None:
    """An entry committed in a term is in the log of every leader of a later term (§5.4)."""
    for i, role in enumerate(s.role):
        if role != LEADER:
            continue
        log = s.log[i]
        for index, term, value, commit_term in s.committed:
            if s.term[i] > commit_term and (len(log) < index or log[index - 1] != (term, value)):
                return (
                    f"leader {server(i)} of term {s.term[i]} lacks index {index} ({show_entry(term, value)}), "
                    f"committed in term {commit_term}; its log is {show_log(log)}"
                )
    return None


def later_leader_after_commit(s: State) -> bool:
    return any(
        role == LEADER and s.term[i] > commit_term for i, role in enumerate(s.role) for *_, commit_term in s.committed
    )


# ---------------------------------------------------------------- State Machine Safety


def state_machine_safety(s: State) -> str | None:
    """No two servers apply different entries at one index (§5.4.3); with history, no
    server's committed prefix differs from what was committed, and nothing committed changes."""
    applied = [log[: min(c, len(log))] for log, c in zip(s.log, s.commit_index, strict=True)]
    for i, a in enumerate(applied):
        for j in range(i + 1, len(applied)):
            b = applied[j]
            for k in range(min(len(a), len(b))):
                if a[k] != b[k]:
                    return (
                        f"{server(i)} applied {show_entry(*a[k])} at index {k + 1} "
                        f"but {server(j)} applied {show_entry(*b[k])}"
                    )
    chosen: dict[int, tuple[int, int]] = {}
    for index, term, value, _ in s.committed:
        if chosen.setdefault(index, (term, value)) != (term, value):
            old = chosen[index]
            return f"index {index} was committed twice: {show_entry(*old[:2])}, then {show_entry(term, value)}"
    for i, a in enumerate(applied):
        for k, entry in enumerate(a):
            if chosen.get(k + 1, entry) != entry:
                t, v = chosen[k + 1]
                return (
                    f"{server(i)} applied {show_entry(*entry)} at index {k + 1}, where {show_entry(t, v)} was committed"
                )
    return None


def two_servers_applied(s: State) -> bool:
    return sum(1 for c, log in zip(s.commit_index, s.log, strict=True) if c and log) >= 2


# ---------------------------------------------------------------- quorums and commits


def commit_needs_quorum(s: State) -> str | None:
    """Nothing is committed without a majority, and a committed entry stays on one
    (§5.3 'replicated it on a majority'; the heart of the §5.4.3 safety argument)."""
    n = len(s.log)
    for index, term, value, _ in s.committed:
        holders = [i for i, log in enumerate(s.log) if len(log) >= index and log[index - 1] == (term, value)]
        if not _majority(len(holders), n):
            names = ", ".join(map(server, holders)) or "no server"
            return f"index {index} ({show_entry(term, value)}) is committed but only {names} of {n} hold it"
    return None


def entry_committed(s: State) -> bool:
    return any(s.commit_index)


def commit_by_current_term(before: State, action: Any, after: State) -> str | None:
    """A leader commits by counting replicas only an entry of its current term (§5.4.2, Fig. 8)."""
    for i, role in enumerate(after.role):
        old, new = before.commit_index[i], after.commit_index[i]
        if role == LEADER and before.role[i] == LEADER and new > old:
            entry_term = after.log[i][new - 1][0]
            if entry_term != after.term[i]:
                return (
                    f"leader {server(i)} of term {after.term[i]} committed index {new}, an entry of term "
                    f"{entry_term}, by counting replicas"
                )
    return None


def leader_commits(before: State, action: Any, after: State) -> bool:
    return any(role == LEADER and after.commit_index[i] > before.commit_index[i] for i, role in enumerate(after.role))


# ---------------------------------------------------------------- terms


def current_term_monotonic(before: State, action: Any, after: State) -> str | None:
    """currentTerm never decreases, restarts included: it is persistent state (Fig. 2)."""
    for i, (old, new) in enumerate(zip(before.term, after.term, strict=True)):
        if new < old:
            return f"{server(i)}'s currentTerm went back from {old} to {new} on {action}"
    return None


def term_rises_on_restart_path(before: State, action: Any, after: State) -> bool:
    """A restarted server's term is seen again after the restart (terms survive restarts)."""
    return type(action).__name__ == "Restart" and any(after.term[i] > 1 for i in range(len(after.term)))


# ---------------------------------------------------------------- partitions


def _sides(s: State) -> tuple[list[int], list[int]]:
    n = len(s.term)
    return [i for i in range(n) if s.cut >> i & 1], [i for i in range(n) if not s.cut >> i & 1]


def no_commit_without_majority_side(s: State) -> str | None:
    """While the managers are split and neither side holds a majority, nothing commits:
    an even count can split evenly and stop (Docker admin guide; Raft §5.2-5.3)."""
    if not s.cut:
        return None
    left, right = _sides(s)
    n = len(s.term)
    if _majority(len(left), n) or _majority(len(right), n):
        return None
    for i, commit in enumerate(s.commit_index):
        if commit:
            sides = " | ".join(", ".join(map(server, side)) for side in (left, right))
            return f"{server(i)} committed index {commit} while split {sides}, no side a majority"
    return None


def majority_side_commits(s: State) -> bool:
    left, right = _sides(s)
    n = len(s.term)
    side = left if _majority(len(left), n) else right
    return bool(s.cut) and any(s.commit_index[i] for i in side)


# ---------------------------------------------------------------- vacuity


def candidates_share_term(s: State) -> bool:
    terms = [s.term[i] for i, role in enumerate(s.role) if role == CANDIDATE]
    return len(terms) != len(set(terms))


def conflicting_entry_removed(before: State, action: Any, after: State) -> bool:
    return any(len(b) > len(a) for b, a in zip(before.log, after.log, strict=True))


def commit_within_log(s: State) -> str | None:
    """No server's commit index passes its own log: what it has committed, it holds."""
    for i, (commit, log) in enumerate(zip(s.commit_index, s.log, strict=True)):
        if commit > len(log):
            return f"{server(i)} has committed {commit} entries but holds {len(log)}"
    return None


def whole_log_committed(s: State) -> bool:
    return any(0 < commit == len(log) for commit, log in zip(s.commit_index, s.log, strict=True))


def entry_added_to_a_log(before: State, action: Any, after: State) -> bool:
    """A follower appends an entry after one it holds: the consistency check on prevLogIndex
    and prevLogTerm passed with a non-empty log (Raft §5.3, Figure 2 AppendEntries rule 2)."""
    return any(
        0 < len(b) < len(a) and before.role[i] != LEADER
        for i, (b, a) in enumerate(zip(before.log, after.log, strict=True))
    )


def next_index_backs_off(before: State, action: Any, after: State) -> bool:
    """A leader lowers its nextIndex for a follower that refused an AppendEntries of the
    leader's own term: the follower's log did not match at prevLogIndex (Raft §5.3)."""
    return any(
        before.role[i] == LEADER
        and after.role[i] == LEADER
        and any(a < b for b, a in zip(before.next_index[i], after.next_index[i], strict=True))
        for i in range(len(before.role))
    )


def two_entries_committed(s: State) -> bool:
    return max(s.commit_index) >= 2


# ---------------------------------------------------------------- liveness

# A stable leader, after the faults: no server times out again, no server restarts and the
# network neither loses nor duplicates another message; every message left is delivered and
# every leader step is taken (each message and each pair of servers on its own). Raft's own
# liveness rests on randomized timeouts that eventually stop splitting votes (§5.2, §9.3),
# which no untimed model can show; what it can show is that a stable leader gets its log
# committed.
STABLE_LEADER = fair(
    weak=(
        "RequestVote", "BecomeLeader", "AdvanceCommitIndex", "AppendEntries", "UpdateTerm",
        "HandleRequestVoteRequest", "HandleRequestVoteResponse", "HandleAppendEntriesRequest",
        "HandleAppendEntriesResponse", "DropStaleResponse", "Heal",
    ),
    stops=("Timeout", "Restart", "DropMessage", "DuplicateMessage"),
)  # fmt: skip
# Elections under the same assumptions, with timeouts weakly fair instead of stopping.
ELECTIONS = fair(weak=(*STABLE_LEADER.weak, "Timeout"), stops=("Restart", "DropMessage", "DuplicateMessage"))


def leader_holds_uncommitted_entry(s: State) -> bool:
    """Some leader holds an entry of its own term above its commit index."""
    return any(
        role == LEADER and any(t == s.term[i] for t, _ in s.log[i][s.commit_index[i] :])
        for i, role in enumerate(s.role)
    )


def leaders_entries_committed(s: State) -> bool:
    return not leader_holds_uncommitted_entry(s)


def leader_commits_entries() -> Property[Any]:
    return leads_to(
        "leader_commits_entries",
        leader_holds_uncommitted_entry,
        leaders_entries_committed,
        STABLE_LEADER,
        "Raft §5.3 (a leader retries AppendEntries until every follower stores its entries) and §8",
        "A value handed to a leader is committed: once the faults stop and no server times out "
        "again, every entry a leader appended in its own term is eventually committed (or the "
        "leader is gone). Violated by a leader that never brings a follower up to date.",
    )


def leader_eventually_elected() -> Property[Any]:
    return leads_to(
        "leader_eventually_elected",
        lambda s: LEADER not in s.role,
        lambda s: LEADER in s.role,
        ELECTIONS,
        "Raft §5.2 and §9.3 (randomized election timeouts)",
        "A leaderless cluster elects a leader, once the faults stop. Asked for by name only: "
        "without timing, split votes may go on until the term bound, so the answer is "
        "`incomplete (bounds: max_term)`, Raft's real dependence on randomized timeouts.",
    )


def on_request(config: Config) -> list[Property[Any]]:
    """Properties judged only when named: liveness where its graph is dear (three servers or
    more: the graph keeps every state without symmetry), and elections."""
    found = [leader_eventually_elected()]
    if config.servers >= 3:
        found.append(leader_commits_entries())
    return found


# ---------------------------------------------------------------- the set


def properties(config: Config) -> list[Property[Any]]:
    """Every Raft property that can be judged on a model with this configuration.

    A `sometimes` property is left out where the bounds make its states
    unreachable by construction, so that no run is called vacuous for them:
    conflicting entries need three servers and three terms (with two servers
    every leader holds the other's vote, so its log is the more up to date).
    """
    found: list[Property[Any]] = [
        always("election_safety", election_safety, f"{FIG3}, Election Safety; §5.2"),
        transition("leader_append_only", leader_append_only, f"{FIG3}, Leader Append-Only; §5.3"),
        always("log_matching", log_matching, f"{FIG3}, Log Matching; §5.3"),
        always("state_machine_safety", state_machine_safety, f"{FIG3}, State Machine Safety; §5.4.3"),
        transition("commit_by_current_term", commit_by_current_term, "Raft §5.4.2 and Figure 8"),
        transition("current_term_monotonic", current_term_monotonic, "Raft Figure 2, persistent state"),
        always(
            "commit_within_log", commit_within_log, "raft.tla (commitIndex <= Len(log)); Raft Fig. 2 AppendEntries 5"
        ),
    ]
    majority_side = _majority(config.split, config.servers) or _majority(config.servers - config.split, config.servers)
    if config.split and not config.heal and not majority_side:
        # Split evenly for good: no leader can ever be elected, which is the point.
        found += _partition_properties(config) + raft_swarm.properties(config) + step_rules(config)
        return found + _history_invariants(config)
    found.append(sometimes("leader_elected", leader_elected, "Raft §5.2"))
    entries = config.values >= 1 or config.membership != "off"  # else no entry exists to append: elections only
    if entries:
        found += [
            sometimes("entry_committed", entry_committed, "Raft §5.3"),
            sometimes("whole_log_committed", whole_log_committed, "Raft §5.3"),
            sometimes_step("leader_appends", leader_appends, "Raft §5.3"),
            sometimes_step("leader_commits", leader_commits, "Raft §5.3"),
        ]
    if config.servers >= 2:
        found.append(sometimes("candidates_share_term", candidates_share_term, "Raft §5.2 (split votes)"))
    if config.servers >= 2 and entries:
        found += [
            sometimes("shared_entry", shared_entry, "Raft §5.3"),
            sometimes("two_servers_applied", two_servers_applied, "Raft §5.4.3"),
        ]
    if config.servers >= 3 and config.max_term >= 3:
        found.append(sometimes_step("conflicting_entry_removed", conflicting_entry_removed, "Raft §5.3, Figure 7"))
    if config.restarts:
        found.append(sometimes_step("term_survives_restart", term_rises_on_restart_path, "Raft Figure 2"))
    if config.servers <= 2:  # on request at three servers and more (`on_request`)
        found += [
            leader_commits_entries(),
            sometimes("leader_holds_uncommitted_entry", leader_holds_uncommitted_entry, "Raft §5.3"),
        ]
    found += _longer_log_witnesses(config)
    found += step_rules(config)
    found += raft_swarm.properties(config)
    found += _partition_properties(config)
    found += _history_invariants(config)
    if config.history and config.max_term >= 3:
        found.append(sometimes("later_leader_after_commit", later_leader_after_commit, "Raft §5.4"))
    return found


def _longer_log_witnesses(config: Config) -> list[Property[Any]]:
    """The log rules that need more than one entry, or a second leader, to be exercised:
    a configuration that allows them must reach them, or its run is vacuous there."""
    found: list[Property[Any]] = []
    if config.max_log >= 2:
        found += [
            sometimes_step("entry_added_to_a_log", entry_added_to_a_log, "Raft §5.3, Figure 2 AppendEntries 2-4"),
            sometimes("two_entries_committed", two_entries_committed, "Raft §5.3"),
        ]
    if config.max_term >= 3 and config.restarts and not config.split:
        found.append(sometimes_step("next_index_backs_off", next_index_backs_off, "Raft §5.3, Figure 2 (leaders)"))
    return found


def _partition_properties(config: Config) -> list[Property[Any]]:
    if not config.split:
        return []
    found: list[Property[Any]] = [
        always(
            "no_commit_without_majority_side",
            no_commit_without_majority_side,
            "Docker admin guide (odd manager counts); Raft §5.2-5.3",
        )
    ]
    if _majority(config.split, config.servers) or _majority(config.servers - config.split, config.servers):
        found.append(sometimes("majority_side_commits", majority_side_commits, "Raft §5.3; Docker admin guide"))
    return found


def _history_invariants(config: Config) -> list[Property[Any]]:
    if not config.history:
        return []
    # With members coming and going, a quorum is one of a configuration, not of every server.
    on_a_quorum = commit_needs_quorum if config.membership == "off" else raft_swarm.commit_on_a_quorum(config)
    return [
        always("leader_completeness", leader_completeness, f"{FIG3}, Leader Completeness; §5.4"),
        always("commit_needs_quorum", on_a_quorum, "Raft §5.3, §5.4.3"),
    ]
