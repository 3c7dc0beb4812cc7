"""Which steps of a server Raft allows, judged on the implementation's views (issue 17).

A step of the cluster is one event: a node ticks, receives one message, crashes, restarts,
or takes a client request. Raft (Fig. 2, as raft.tla's actions) says how that event may
change the node's variables; `judge` checks each rule below, in the order of Fig. 2, then the
Raft model's own safety properties on the cluster as a model state (`views.model_state`).
Two departures of pysyncobj from raft.tla that are safe are allowed and said so where they
are: a leader steps down when it has not heard from a majority (pysyncobj's
`leaderFallbackTimeout`, CheckQuorum), and a follower drops the entries past the end of what
the leader of that term holds (Raft keeps them; they cannot be committed, by Leader
Completeness). Deleting an entry the leader holds at that index is not allowed: that is
AppendEntries rule 3.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

import attrs

from model.raft.config import Config
from model.raft.state import CANDIDATE, FOLLOWER, LEADER, NIL, server
from properties.base import Kind, Property
from properties.raft import properties as raft_properties
from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.views import Entry, History, ServerView, model_state

FIG2 = "Raft Fig. 2"
# Every rule judge() names, besides the model's properties (a user may --ignore any).
RULES = frozenset(
    {
        "one_server_per_step",
        "current_term_persists",
        "one_vote_per_term",
        "vote_for_up_to_date_log",
        "candidate_by_timeout",
        "leader_by_quorum",
        "leader_append_only",
        "log_changes_by_append_entries",
        "append_entries_rule_2",
        "append_entries_rule_3",
        "append_entries_rule_4",
        "commit_index_never_decreases",
        "append_entries_rule_5",
        "applied_values_are_the_committed_log",
    }
)


@attrs.frozen
class Finding:
    """A rule the implementation broke: its name, its source, and what happened."""

    rule: str
    source: str
    message: str


def model_properties(servers: int) -> list[Property[Any]]:
    """The Raft model's safety properties (invariants and step properties) that a state
    without messages can judge."""
    config = Config(servers=servers, history=True)
    return [p for p in raft_properties(config) if p.kind in (Kind.ALWAYS, Kind.TRANSITION)]


def actor(event: Event) -> int | None:
    """The one server an event may change: a message's receiver, else the node named."""
    if event.kind == "deliver":
        return event.to
    return None if event.kind in ("drop", "duplicate") else event.node


def judge(
    before: Sequence[ServerView],
    event: Event,
    message: dict[str, Any] | None,
    after: Sequence[ServerView],
    history: History,
    properties: Sequence[Property[Any]],
    ignore: Collection[str] = (),
) -> Finding | None:
    """The first rule the step breaks, or None; `history` is the ghost record after the step,
    `ignore` the rules not to judge (findings already known, to look past them)."""
    return next(
        (f for f in _findings(before, event, message, after, history, properties) if f.rule not in ignore), None
    )


def _findings(
    before: Sequence[ServerView],
    event: Event,
    message: dict[str, Any] | None,
    after: Sequence[ServerView],
    history: History,
    properties: Sequence[Property[Any]],
) -> Iterator[Finding]:
    """Every rule the step breaks, in Fig. 2's order, then the model's properties' order."""
    i = actor(event)
    for j, (old, new) in enumerate(zip(before, after, strict=True)):
        if j != i and old != new:
            yield Finding("one_server_per_step", "raft.tla: every action changes one server", f"{server(j)} changed")
    if i is not None:
        old, new = before[i], after[i]
        yield from filter(
            None,
            (
                _term(old, new, i, event),
                _vote(old, new, i, message),
                _role(old, new, i, event, history, len(before)),
                _log(old, new, i, event, message, history),
                _commit(old, new, i, event, message),
                _applied(new, i),
            ),
        )
    yield from _model(before, event, after, history, properties)


def _term(old: ServerView, new: ServerView, i: int, event: Event) -> Finding | None:
    if new.term < old.term:
        return Finding(
            "current_term_persists",
            f"{FIG2}, persistent state",
            f"{server(i)}'s currentTerm went back from {old.term} to {new.term} on {event.kind}",
        )
    return None


def _vote(old: ServerView, new: ServerView, i: int, message: dict[str, Any] | None) -> Finding | None:
    """RequestVote receiver (Fig. 2): one vote per term, for a candidate whose log is at least
    as up to date (§5.4.1); a new term clears the vote; a candidate votes for itself."""
    if (new.voted_for == old.voted_for and new.term == old.term) or new.voted_for in (NIL, i):
        return None
    source = f"{FIG2}, RequestVote RPC receiver 2; §5.2, §5.4.1"
    if new.term == old.term and old.voted_for != NIL:
        return Finding(
            "one_vote_per_term",
            source,
            f"{server(i)} voted for {server(old.voted_for)} and then {server(new.voted_for)} in term {new.term}",
        )
    if message is None or message.get("type") != "request_vote" or message["term"] != new.term:
        return Finding("one_vote_per_term", source, f"{server(i)} voted for {server(new.voted_for)} unasked")
    last_term, last_index = message["last_log_term"], message["last_log_index"] - 1
    mine = old.log[-1][0] if old.log else 0
    if last_term < mine or (last_term == mine and last_index < len(old.log)):
        return Finding(
            "vote_for_up_to_date_log",
            source,
            f"{server(i)} voted for {server(new.voted_for)} in term {new.term}, whose log (last term {last_term}, "
            f"length {last_index}) is behind its own (last term {mine}, length {len(old.log)})",
        )
    return None


def _role(old: ServerView, new: ServerView, i: int, event: Event, history: History, n: int) -> Finding | None:
    if (new.role == old.role and new.term == old.term) or new.role == FOLLOWER:
        return None  # stepping down is always allowed (a higher term, a current leader, CheckQuorum)
    if new.role == CANDIDATE:
        if event.kind == "tick" and new.term == old.term + 1 and new.voted_for == i:
            return None  # raft.tla Timeout
        return Finding(
            "candidate_by_timeout",
            "raft.tla Timeout; Fig. 2 Rules for Servers, Candidates",
            f"{server(i)} became candidate in term {new.term} on {event.kind} (was term {old.term})",
        )
    voters = history.voters(new.term, i)
    if old.role == CANDIDATE and old.term == new.term and 2 * len(voters) > n:
        return None  # raft.tla BecomeLeader
    names = ", ".join(map(server, sorted(voters))) or "nobody"
    return Finding(
        "leader_by_quorum",
        "raft.tla BecomeLeader; Fig. 2 Rules for Servers, Candidates; §5.2",
        f"{server(i)} became leader of term {new.term} with votes from {names} of {n} servers",
    )


def _log(
    old: ServerView, new: ServerView, i: int, event: Event, message: dict[str, Any] | None, history: History
) -> Finding | None:
    if new.log == old.log:
        return None
    if new.role == LEADER:
        appended = new.log[len(old.log) :]
        if new.log[: len(old.log)] == old.log and all(term == new.term for term, _ in appended):
            return None  # raft.tla ClientRequest (and pysyncobj's no-op on election)
        return Finding(
            "leader_append_only",
            f"{FIG2}, Leader Append-Only; raft.tla ClientRequest",
            f"leader {server(i)} changed its log from {_show(old.log)} to {_show(new.log)}",
        )
    if message is None or message.get("type") != "append_entries" or "prevLogIdx" not in message:
        return Finding(
            "log_changes_by_append_entries",
            f"{FIG2}, AppendEntries RPC",
            f"{server(i)}'s log changed from {_show(old.log)} to {_show(new.log)} on {event.kind}",
        )
    return _append_entries(old, new, i, message, history)


def _append_entries(
    old: ServerView, new: ServerView, i: int, message: dict[str, Any], history: History
) -> Finding | None:
    """AppendEntries receiver rules 2 to 4: what the follower's log must become."""
    prev, prev_term = message["prevLogIdx"] - 1, message["prevLogTerm"]
    sent = [(term, value) for term, value in message.get("entries", [])]
    literal = list(old.log)
    if message["term"] < old.term or prev > len(literal) or (prev >= 1 and literal[prev - 1][0] != prev_term):
        return Finding(
            "append_entries_rule_2",
            f"{FIG2}, AppendEntries RPC receiver 1-2",
            f"{server(i)} changed its log on an AppendEntries it must refuse (prevLogIndex {prev}, term {prev_term})",
        )
    for k, entry in enumerate(sent):
        index = prev + 1 + k
        if index <= len(literal) and literal[index - 1][0] != entry[0]:
            del literal[index - 1 :]  # rule 3: a conflict deletes the entry and all that follow
        if index > len(literal):
            literal.append(entry)  # rule 4
    end = prev + len(sent)
    leader = history.leader_log(message["term"]) or ()
    if new.log == tuple(literal[: len(new.log)]) and len(new.log) >= end:
        dropped = [(x + 1, e) for x, e in enumerate(literal) if x >= len(new.log)]
        kept_by_leader = [(x, e) for x, e in dropped if x <= len(leader) and leader[x - 1] == e]
        if not kept_by_leader:
            return None  # at most the entries past the leader's: pysyncobj's safe shortcut
        x, e = kept_by_leader[0]
        return Finding(
            "append_entries_rule_3",
            f"{FIG2}, AppendEntries RPC receiver 3 ('if an existing entry conflicts with a new one')",
            f"{server(i)} deleted index {x} (term {e[0]} {_value(e[1])}) on an AppendEntries of term "
            f"{message['term']} with prevLogIndex {prev} and {len(sent)} entries, though nothing conflicts "
            f"with it and the leader holds it: its log went from {_show(old.log)} to {_show(new.log)}",
        )
    return Finding(
        "append_entries_rule_4",
        f"{FIG2}, AppendEntries RPC receiver 3-4",
        f"{server(i)}'s log went from {_show(old.log)} to {_show(new.log)} on an AppendEntries with prevLogIndex "
        f"{prev} and entries {_show(tuple(sent))}; Raft gives {_show(tuple(literal))}",
    )


def _commit(old: ServerView, new: ServerView, i: int, event: Event, message: dict[str, Any] | None) -> Finding | None:
    if new.commit_index == old.commit_index or (event.kind == "crash" and new.commit_index == 0):
        return None
    if new.commit_index < old.commit_index:
        return Finding(
            "commit_index_never_decreases",
            f"{FIG2} (commitIndex 'increases monotonically'); raft.tla",
            f"{server(i)}'s commit index went back from {old.commit_index} to {new.commit_index} on {event.kind}",
        )
    if new.role == LEADER:
        return None  # judged by the model's commit_needs_quorum and commit_by_current_term
    if message is not None and message.get("type") == "append_entries" and "prevLogIdx" in message:
        last_new = message["prevLogIdx"] - 1 + len(message.get("entries", []))
        if new.commit_index <= min(message["commit_index"] - 1, last_new):
            return None
        bound = f"min(leaderCommit {message['commit_index'] - 1}, index of last new entry {last_new})"
    else:
        bound = "no AppendEntries"
    return Finding(
        "append_entries_rule_5",
        f"{FIG2}, AppendEntries RPC receiver 5",
        f"{server(i)} raised its commit index from {old.commit_index} to {new.commit_index} with {bound}",
    )


def _applied(new: ServerView, i: int) -> Finding | None:
    """The state machine applies the committed entries in log order (Fig. 2, Rules for Servers)."""
    committed = [value for _, value in new.log[: new.commit_index] if value != 0]
    if list(new.applied) == committed[: len(new.applied)]:
        return None
    return Finding(
        "applied_values_are_the_committed_log",
        f"{FIG2}, Rules for Servers ('apply log[lastApplied] to state machine'); §5.4.3",
        f"{server(i)} applied {list(new.applied)} but its committed log holds {committed}: "
        "its state machine has diverged from its log",
    )


def _model(
    before: Sequence[ServerView],
    event: Event,
    after: Sequence[ServerView],
    history: History,
    properties: Sequence[Property[Any]],
) -> Iterator[Finding]:
    state = model_state(tuple(after), history)
    previous = model_state(tuple(before), history)
    for prop in properties:
        said = prop.check(state) if prop.kind is Kind.ALWAYS else prop.check(previous, event, state)
        if said:
            yield Finding(prop.name, prop.source, said)


def _value(value: int) -> str:
    return "no-op" if value == 0 else f"v{value}"


def _show(log: Sequence[Entry]) -> str:
    return "[" + ", ".join(f"term {t} {_value(v)}" for t, v in log) + "]"
