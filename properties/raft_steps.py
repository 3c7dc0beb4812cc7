"""What each of Raft's steps may do, as Figure 2 of the paper states it: a vote is granted by
RequestVote's receiver rules, a vote request names the candidate's last entry, a newer term
leaves no vote cast, a restart loses the volatile state, a new leader starts its followers'
indexes afresh, and an AppendEntries is answered by its receiver rules 1 to 5.

Each rule is judged at the step that takes it, so a fault shows where it happens, not only
when it has grown into a broken invariant (which takes logs that disagree: three servers,
three terms and two entries, past the main job's bounds). Written from the paper, not from
the model's helpers (tests/test_property_independence.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from model.kernel import action_kind
from model.raft import (
    AE_REQ,
    AE_RESP,
    FOLLOWER,
    NIL,
    PV_RESP,
    ROLE_NAMES,
    RV_REQ,
    RV_RESP,
    Config,
    Log,
    Msg,
    State,
    server,
)
from properties.base import Property, transition
from properties.raft_swarm import names

FIG2 = "Raft paper (Ongaro & Ousterhout 2014), Figure 2"


def _sent(before: State, after: State) -> Iterator[Msg]:
    """The messages this step put into the bag (a copy more of each counts)."""
    old = dict(before.messages)
    for m, count in after.messages:
        if count > old.get(m, 0):
            yield m


def _sent_to(before: State, after: State, kind: int, i: int, j: int) -> Msg | None:
    return next((m for m in _sent(before, after) if m[0] == kind and m[2] == i and m[3] == j), None)


def _last(log: Log) -> tuple[int, int]:
    """(last term, last index): §5.4.1 compares the last terms first, then the lengths."""
    return (log[-1][0] if log else 0, len(log))


def show_entry(term: int, value: int) -> str:
    """An entry as a person reads it: `term 2 v1`, `term 3 no-op`, `term 3 config {s1, s2}`."""
    if value > 0:
        return f"term {term} v{value}"
    if value == 0:
        return f"term {term} no-op"
    return f"term {term} config {names(-value, (-value).bit_length())}"


def show_log(log: Log) -> str:
    """A log as a person reads it: `[term 2 v1, term 3 v1]`."""
    return "[" + ", ".join(show_entry(t, v) for t, v in log) + "]"


# ---------------------------------------------------------------- RequestVote


def vote_granted_by_the_rules(before: State, action: Any, after: State) -> str | None:
    """RequestVote's receiver: reply false if term < currentTerm; grant if votedFor is null or
    the candidate and the candidate's log is at least as up to date (§5.4.1); nothing else."""
    if action_kind(action) != "HandleRequestVoteRequest":
        return None
    _, mterm, j, i, m_last_term, m_last_index = action.m
    reply = _sent_to(before, after, RV_RESP, i, j)
    if reply is None:
        return f"{server(i)} handled {server(j)}'s vote request without answering it"
    term, voted, log = before.term[i], before.voted_for[i], before.log[i]
    fresh = (m_last_term, m_last_index) >= _last(log)
    due = mterm == term and voted in (NIL, j) and fresh
    if bool(reply[4]) != due:
        why = (
            f"the request is of term {mterm}, {server(i)} is in term {term}"
            if mterm != term
            else f"{server(i)} already voted for {server(voted)}"
            if voted not in (NIL, j)
            else f"{server(j)}'s log ends at (term {m_last_term}, index {m_last_index}), {server(i)}'s "
            f"at (term {_last(log)[0]}, index {len(log)}): {'' if fresh else 'not '}at least as up to date"
        )
        said = "granted" if reply[4] else "refused"
        return f"{server(i)} {said} its vote to {server(j)} against RequestVote's rules: {why}"
    if reply[1] != term:
        return f"{server(i)} answered {server(j)} with term {reply[1]}, not its current term {term}"
    if due and after.voted_for[i] != j:
        return f"{server(i)} granted its vote to {server(j)} but did not record it (votedFor)"
    return None


def vote_request_names_the_last_entry(before: State, action: Any, after: State) -> str | None:
    """RequestVote's arguments: the candidate's term, lastLogIndex and lastLogTerm (§5.4.1)."""
    if action_kind(action) != "RequestVote":
        return None
    i, j = action.i, action.j
    m = _sent_to(before, after, RV_REQ, i, j)
    log = before.log[i]
    if m is not None and (m[1], m[4], m[5]) != (before.term[i], *_last(log)):
        return (
            f"{server(i)} asked {server(j)} for a vote in term {m[1]} with lastLog (term {m[4]}, index "
            f"{m[5]}), but is in term {before.term[i]} with log {show_log(log)}"
        )
    return None


def newer_term_leaves_no_vote(before: State, action: Any, after: State) -> str | None:
    """Rules for all servers: a message of a newer term sets currentTerm to it and makes the
    server a follower; votedFor is the vote of the current term, so the new term starts with
    none (raft.tla's UpdateTerm; a library may vote in the same step, which this leaves alone)."""
    if action_kind(action) != "UpdateTerm":
        return None
    mterm, i = action.m[1], action.m[3]
    if (after.term[i], after.role[i], after.voted_for[i]) != (mterm, FOLLOWER, NIL):
        kept = f"its vote for {server(after.voted_for[i])}" if after.voted_for[i] != NIL else "no vote"
        return f"{server(i)} took term {mterm} from {action} but is in term {after.term[i]}, {ROLE_NAMES[after.role[i]]}, with {kept}"
    return None


# ---------------------------------------------------------------- volatile state


def restart_forgets_volatile_state(before: State, action: Any, after: State) -> str | None:
    """State: commitIndex and the role are volatile (a server starts as a follower)."""
    if action_kind(action) != "Restart":
        return None
    i = action.i
    if after.role[i] != FOLLOWER or after.commit_index[i] != 0:
        return f"{server(i)} restarted with its role or commitIndex kept (commitIndex {after.commit_index[i]})"
    return None


def commit_index_only_grows(before: State, action: Any, after: State) -> str | None:
    """State: commitIndex, the highest entry known committed, increases monotonically (a
    restart alone resets it: it is volatile)."""
    restarted = action.i if action_kind(action) == "Restart" else None
    for i, (old, new) in enumerate(zip(before.commit_index, after.commit_index, strict=True)):
        if new < old and i != restarted:
            return f"{server(i)}'s commitIndex went back from {old} to {new}: it increases monotonically"
    return None


def leader_starts_followers_afresh(before: State, action: Any, after: State) -> str | None:
    """State on leaders, reinitialized after election: nextIndex to its last log index + 1,
    matchIndex to 0, for every other server."""
    if action_kind(action) != "BecomeLeader":
        return None
    i = action.i
    start = len(before.log[i]) + 1
    for j in range(len(after.term)):
        if j != i and (after.next_index[i][j], after.match_index[i][j]) != (start, 0):
            return (
                f"{server(i)} became leader of term {after.term[i]} with nextIndex {after.next_index[i][j]} and "
                f"matchIndex {after.match_index[i][j]} for {server(j)}, not {start} and 0"
            )
    return None


# ---------------------------------------------------------------- AppendEntries


def append_request_describes_the_log(before: State, action: Any, after: State) -> str | None:
    """AppendEntries' arguments: the leader's term, prevLogIndex (an index of its log, 0 for
    none) with the term of the entry there, the entries that follow it, and leaderCommit."""
    if action_kind(action) != "AppendEntries":
        return None
    i, j = action.i, action.j
    m = _sent_to(before, after, AE_REQ, i, j)
    if m is None:
        return None
    _, mterm, _, _, prev, prev_term, entries, commit = m
    log = before.log[i]
    if not 0 <= prev <= len(log):
        return f"{server(i)} sent {server(j)} prevLogIndex {prev}, outside its log {show_log(log)}"
    if (prev_term, entries) != ((log[prev - 1][0] if prev else 0), log[prev : prev + len(entries)]):
        return (
            f"{server(i)} sent {server(j)} prevLogIndex {prev}, prevLogTerm {prev_term} and entries "
            f"{show_log(entries)}, which its log {show_log(log)} does not hold there"
        )
    if mterm != before.term[i] or commit > before.commit_index[i]:
        return f"{server(i)} sent term {mterm} and leaderCommit {commit}; it is in term {before.term[i]}, commit {before.commit_index[i]}"
    return None


def append_entries_received_by_the_rules(before: State, action: Any, after: State) -> str | None:
    """AppendEntries' receiver: 1. reply false if term < currentTerm; 2. reply false if the log
    holds no entry at prevLogIndex of prevLogTerm; 3. delete an entry that conflicts with a new
    one; 4. append the new entries; 5. commitIndex up to min(leaderCommit, last new entry).
    A success answer reports prevLogIndex + the entries as matching."""
    if action_kind(action) != "HandleAppendEntriesRequest":
        return None
    m = action.m
    if m[0] != AE_REQ:
        return None
    _, mterm, j, i, prev, prev_term, entries, leader_commit = m
    log, term = before.log[i], before.term[i]
    matches = prev == 0 or (0 < prev <= len(log) and log[prev - 1][0] == prev_term)
    current = mterm == term
    reply = _sent_to(before, after, AE_RESP, i, j)
    if reply is None:
        return _changed_without_answer(before, after, m, current and matches)
    if not reply[4]:
        if current and matches and before.role[i] == FOLLOWER:
            return f"{server(i)} refused {server(j)}'s AppendEntries though its log matches at index {prev}"
        return None
    if not current:
        return f"{server(i)} in term {term} accepted an AppendEntries of term {mterm} (rule 1)"
    if not matches:
        return (
            f"{server(i)} accepted an AppendEntries at prevLogIndex {prev}, term {prev_term}, but holds {show_log(log)}"
        )
    held = after.log[i][prev : prev + len(entries)]
    if held != entries:
        return f"{server(i)} answered success but holds {show_log(held)} where {server(j)} sent {show_log(entries)}"
    if reply[5] != prev + len(entries):
        return f"{server(i)} reported index {reply[5]} as matching; the request covered up to {prev + len(entries)}"
    new_commit = after.commit_index[i]
    if new_commit > before.commit_index[i] and new_commit > min(leader_commit, prev + len(entries)):
        return (
            f"{server(i)} raised commitIndex to {new_commit}, past min(leaderCommit {leader_commit}, "
            f"last new entry {prev + len(entries)}) (rule 5)"
        )
    return None


def _changed_without_answer(before: State, after: State, m: Msg, accepted: bool) -> str | None:
    """raft.tla's steps of rules 3 and 4 (one entry at a time, the answer later): a conflicting
    last entry removed, or the new entry appended right after prevLogIndex."""
    i, prev, entries = m[3], m[4], m[6]
    old, new = before.log[i], after.log[i]
    if old == new:
        return None
    if not accepted:
        return f"{server(i)} changed its log from {show_log(old)} to {show_log(new)} on an AppendEntries it must refuse"
    if len(new) < len(old):
        if new != old[:-1] or not entries or len(old) <= prev or old[prev][0] == entries[0][0]:
            return (
                f"{server(i)} cut its log from {show_log(old)} to {show_log(new)} with no conflict at index {prev + 1}"
            )
        return None
    if new != old + entries or len(old) != prev:
        return (
            f"{server(i)} changed its log from {show_log(old)} to {show_log(new)}, not by appending {show_log(entries)}"
        )
    return None


def pre_vote_answered(before: State, action: Any, after: State) -> str | None:
    """Every pre-vote request handled is answered, a refusal in the receiver's term: so a
    pre-candidate behind in terms learns the later one (etcd-io/etcd#8243: unanswered, a server
    with the better log and one with the later term refuse each other forever)."""
    if type(action).__name__ != "HandlePreVoteRequest":
        return None
    _, mterm, j, i, *_ = action.m
    reply = _sent_to(before, after, PV_RESP, i, j)
    if reply is None:
        return f"{server(i)} handled {server(j)}'s pre-vote request for term {mterm} and sent no answer"
    granted, term = reply[4], reply[1]
    if not granted and term != before.term[i]:
        return f"{server(i)} refused {server(j)}'s pre-vote in term {term}, not its own term {before.term[i]}"
    return None


def step_rules(config: Config) -> list[Property[Any]]:
    """The step properties: every configuration exercises some of them. commitIndex only grows
    where the model follows etcd/raft (swarm's additions): raft.tla lowers it, a follower taking
    leaderCommit as sent and a leader recounting, and TLC's counts depend on that."""
    grows = [transition("commit_index_only_grows", commit_index_only_grows, f"{FIG2}, State")] if config.swarm else []
    if config.pre_vote:
        grows.append(
            transition(
                "pre_vote_answered",
                pre_vote_answered,
                "Raft thesis §9.6; etcd raft.go Step (a lower term's MsgPreVote is refused in r.Term: etcd-io/etcd#8243)",
            )
        )
    return grows + [
        transition("vote_granted_by_the_rules", vote_granted_by_the_rules, f"{FIG2}, RequestVote RPC; §5.4.1"),
        transition("vote_request_names_the_last_entry", vote_request_names_the_last_entry, f"{FIG2}, RequestVote RPC"),
        transition("newer_term_leaves_no_vote", newer_term_leaves_no_vote, f"{FIG2}, Rules for Servers, State"),
        transition("restart_forgets_volatile_state", restart_forgets_volatile_state, f"{FIG2}, State"),
        transition("leader_starts_followers_afresh", leader_starts_followers_afresh, f"{FIG2}, State (leaders)"),
        transition("append_request_describes_the_log", append_request_describes_the_log, f"{FIG2}, AppendEntries RPC"),
        transition(
            "append_entries_received_by_the_rules",
            append_entries_received_by_the_rules,
            f"{FIG2}, AppendEntries RPC, receiver rules 1-5",
        ),
    ]
