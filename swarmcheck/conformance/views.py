"""A pysyncobj node read as the Raft model's server variables, and the cluster as a model state.

pysyncobj's log starts with a no-op at index 1 (term 0) that every node holds from birth; the
view leaves it out, so view index k is pysyncobj's k + 1, and commit indexes shift alike. A
leader's no-op at election stays, as an entry with value 0. A crashed node shows what it
persists (term, vote, log) with nothing committed or applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from model.raft.state import CANDIDATE, FOLLOWER, LEADER, NIL, ROLE_NAMES, State, server
from swarmcheck.conformance.cluster import Cluster, Register

ROLES = {0: FOLLOWER, 1: CANDIDATE, 2: LEADER}  # pysyncobj's _RAFT_STATE, in the model's numbers

Entry = tuple[int, int]  # (term, value)


@attrs.frozen
class ServerView:
    up: bool
    term: int
    role: int
    voted_for: int  # NIL for none
    log: tuple[Entry, ...]
    commit_index: int
    applied: tuple[int, ...]  # the values the state machine applied, in order


def _private(node: Register, name: str) -> Any:
    return getattr(node, f"_SyncObj__{name}")


def log_view(cluster: Cluster, i: int) -> tuple[Entry, ...]:
    """Node i's log as (term, value), past pysyncobj's first no-op; read again only if changed."""
    journal = cluster.journals[i]
    if journal.read_at != journal.version:
        journal.read = tuple((term, cluster.value_of(command)) for command, _, term in list(journal)[1:])
        journal.read_at = journal.version
    return journal.read


def server_view(cluster: Cluster, i: int) -> ServerView:
    node = cluster.nodes[i]
    journal = cluster.journals[i]
    log = log_view(cluster, i)
    voted = journal.getVotedForNodeId()
    vote = NIL if voted is None else int(voted)
    if not cluster.up[i]:
        return ServerView(False, journal.getCurrentTerm(), FOLLOWER, vote, log, 0, ())
    return ServerView(
        True,
        _private(node, "raftCurrentTerm"),
        ROLES[_private(node, "raftState")],
        vote,
        log,
        max(0, _private(node, "raftCommitIndex") - 1),
        tuple(node.applied),
    )


def cluster_view(cluster: Cluster) -> tuple[ServerView, ...]:
    return tuple(server_view(cluster, i) for i in range(cluster.n))


def message_view(cluster: Cluster, message: dict[str, Any]) -> dict[str, Any]:
    """A message as plain data: an AppendEntries' entries as (term, value), as the views give
    them (pysyncobj's entries are (command bytes, index, term))."""
    plain = {k: v for k, v in message.items() if k not in ("entries", "command", "data", "serialized")}
    if "entries" in message:
        plain["entries"] = [[term, cluster.value_of(command)] for command, _, term in message["entries"]]
    return plain


def describe_message(message: dict[str, Any]) -> str:
    """One line a person reads: `append_entries term 1 prev 1/1 [term 1 v7] commit 2`."""
    kind = message.get("type", "?")
    if kind == "append_entries":
        entries = ", ".join(f"term {t} " + ("no-op" if v == 0 else f"v{v}") for t, v in message.get("entries", []))
        return (
            f"append_entries term {message['term']} prevLogIndex {message.get('prevLogIdx', 1) - 1} "
            f"prevLogTerm {message.get('prevLogTerm')} [{entries}] leaderCommit {message['commit_index'] - 1}"
        )
    if kind == "request_vote":
        return (
            f"request_vote term {message['term']} lastLogIndex {message['last_log_index'] - 1} "
            f"lastLogTerm {message['last_log_term']}"
        )
    if kind == "next_node_idx":
        verdict = "success" if message["success"] else "refused"
        return f"next_node_idx {verdict} nextIndex {message['next_node_idx'] - 1}" + (
            " reset" if message["reset"] else ""
        )
    rest = " ".join(f"{k} {v}" for k, v in message.items() if k != "type")
    return f"{kind} {rest}".strip()


@attrs.frozen
class History:
    """What the model's ghost variables record, kept from the views one step at a time: who
    was elected in which term, what was committed (index, term, value, term of the commit),
    each term's leader's longest log, and who voted for whom in each term."""

    elected: tuple[tuple[int, int], ...] = ()
    committed: tuple[tuple[int, int, int, int], ...] = ()
    leader_logs: tuple[tuple[int, tuple[Entry, ...]], ...] = ()
    votes: tuple[tuple[int, int, int], ...] = ()  # (term, voter, candidate)

    def leader_log(self, term: int) -> tuple[Entry, ...] | None:
        return dict(self.leader_logs).get(term)

    def voters(self, term: int, candidate: int) -> set[int]:
        return {v for t, v, c in self.votes if t == term and c == candidate}

    def after(self, before: tuple[ServerView, ...], views: tuple[ServerView, ...]) -> History:
        elected, committed = set(self.elected), set(self.committed)
        logs, votes = dict(self.leader_logs), set(self.votes)
        known = {c[:3] for c in committed}
        for i, (old, new) in enumerate(zip(before, views, strict=True)):
            if new.voted_for != NIL:
                votes.add((new.term, i, new.voted_for))
            if new.role != LEADER:
                continue
            elected.add((new.term, i))
            if len(new.log) >= len(logs.get(new.term, ())):
                logs[new.term] = new.log
            if old.role == LEADER and old.term == new.term and new.commit_index > old.commit_index:
                for x in range(old.commit_index + 1, new.commit_index + 1):
                    entry = (x, *new.log[x - 1])
                    if entry not in known:
                        committed.add((*entry, new.term))
        return History(
            tuple(sorted(elected)), tuple(sorted(committed)), tuple(sorted(logs.items())), tuple(sorted(votes))
        )


def model_state(views: tuple[ServerView, ...], history: History) -> State:
    """The views as a state of the Raft model (no messages: the network is the library's), so
    the model's own properties can judge it."""
    n = len(views)
    zeros = (0,) * n
    return State(
        term=tuple(v.term for v in views),
        role=tuple(v.role for v in views),
        voted_for=tuple(v.voted_for for v in views),
        log=tuple(v.log for v in views),
        commit_index=tuple(v.commit_index for v in views),
        votes_responded=zeros,
        votes_granted=zeros,
        next_index=(zeros,) * n,
        match_index=(zeros,) * n,
        messages=(),
        elected=history.elected,
        committed=history.committed,
    )


def describe(views: tuple[ServerView, ...]) -> Mapping[str, Any]:
    """The views as a report shows a state (the model's names, pysyncobj's no-op as `no-op`)."""
    return {
        "servers": {
            server(i): {
                "running": "up" if v.up else "crashed",
                "term": v.term,
                "role": ROLE_NAMES[v.role],
                "votedFor": None if v.voted_for == NIL else server(v.voted_for),
                "log": [f"term {t} " + ("no-op" if value == 0 else f"v{value}") for t, value in v.log],
                "commitIndex": v.commit_index,
                "applied": list(v.applied),
            }
            for i, v in enumerate(views)
        }
    }
