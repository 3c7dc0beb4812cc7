"""Raft among the swarm managers: a port of Ongaro's raft.tla, one method per action.

Reference mode (`history=False`, no bugs) follows raft.tla (ongardie/raft.tla,
without the proof-only history variables) exactly, so the explorer's state counts
match TLC's (`../shared/reference/raft.md`). Outside reference mode a ghost
history records who led which term and what was committed, for the properties
that speak of the whole past.

Servers are numbered 0..n-1 and are symmetric. Per-server data sits in tuples
indexed by server, so a permutation of servers is a re-indexing. Messages are
plain int tuples (see `Msg`), kept in a bag: a sorted tuple of (message, count)
with every count positive. (raft.tla's function-as-bag would keep a received
message at count 0; TLC's reference counts, 22,231 states, are those of a true
multiset, which is what is modelled here: a count-0 key would make states that
differ only in history distinct and let a receive drive a count negative.)

The package: `config` (sizes, bounds, seeded bugs, the suite), `state` (variables, messages,
the bag), `actions` (what a trace shows), `model` (Init and Next, one method per action),
`handlers` (Receive), `symmetry` (server renamings).
"""

from model.raft.actions import (
    ACTION_KINDS,
    SWARM_ACTION_KINDS,
    Action,
    AdvanceCommitIndex,
    AppendEntries,
    BecomeLeader,
    BetweenServers,
    ClientRequest,
    DropMessage,
    DropStaleResponse,
    DuplicateMessage,
    HandleAppendEntriesRequest,
    HandleAppendEntriesResponse,
    HandleRequestVoteRequest,
    HandleRequestVoteResponse,
    Heal,
    OnMessage,
    OnServer,
    RequestVote,
    Restart,
    Timeout,
    UpdateTerm,
)
from model.raft.config import (
    BUGS,
    DEFAULT,
    FLAKY_LINK,
    PARTIAL_PARTITION,
    REFERENCE,
    SUITE,
    UNREACHED,
    WALKED,
    Config,
)
from model.raft.model import (
    Raft,
)
from model.raft.state import (
    AE_REQ,
    AE_RESP,
    CANDIDATE,
    FOLLOWER,
    LEADER,
    MSG_NAMES,
    NIL,
    PV_REQ,
    PV_RESP,
    ROLE_NAMES,
    RV_REQ,
    RV_RESP,
    Bag,
    Entry,
    Log,
    Msg,
    State,
    bits,
    describe_message,
    last_term,
    s_with,
    server,
    with_message,
    without_message,
)

__all__ = [
    "ACTION_KINDS",
    "AE_REQ",
    "AE_RESP",
    "BUGS",
    "CANDIDATE",
    "DEFAULT",
    "FLAKY_LINK",
    "FOLLOWER",
    "LEADER",
    "MSG_NAMES",
    "NIL",
    "PARTIAL_PARTITION",
    "PV_REQ",
    "PV_RESP",
    "REFERENCE",
    "ROLE_NAMES",
    "RV_REQ",
    "RV_RESP",
    "SUITE",
    "SWARM_ACTION_KINDS",
    "UNREACHED",
    "WALKED",
    "Action",
    "AdvanceCommitIndex",
    "AppendEntries",
    "Bag",
    "BecomeLeader",
    "BetweenServers",
    "ClientRequest",
    "Config",
    "DropMessage",
    "DropStaleResponse",
    "DuplicateMessage",
    "Entry",
    "HandleAppendEntriesRequest",
    "HandleAppendEntriesResponse",
    "HandleRequestVoteRequest",
    "HandleRequestVoteResponse",
    "Heal",
    "Log",
    "Msg",
    "OnMessage",
    "OnServer",
    "Raft",
    "RequestVote",
    "Restart",
    "State",
    "Timeout",
    "UpdateTerm",
    "bits",
    "describe_message",
    "last_term",
    "s_with",
    "server",
    "with_message",
    "without_message",
]
