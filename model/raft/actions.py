"""raft.tla's actions as values: each prints as a person reads it in a trace,
`HandleRequestVoteRequest(RequestVoteRequest s1->s2 term 2 lastLog (index 0, term 0))`.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from model.raft.state import Msg, describe_message, server


@attrs.frozen(repr=False)
class OnServer:
    """An action of one server."""

    i: int

    def __str__(self) -> str:
        return f"{type(self).__name__}({server(self.i)})"

    __repr__ = __str__  # Hypothesis prints a drawn action as a person reads it


@attrs.frozen(repr=False)
class BetweenServers:
    """An action of server i towards server j."""

    i: int
    j: int

    def __str__(self) -> str:
        return f"{type(self).__name__}({server(self.i)} -> {server(self.j)})"

    __repr__ = __str__


@attrs.frozen(repr=False)
class OnMessage:
    """An action on one message of the bag."""

    m: Msg

    def __str__(self) -> str:
        return f"{type(self).__name__}({describe_message(self.m)})"

    __repr__ = __str__


class Restart(OnServer): ...


class Timeout(OnServer): ...


class RequestVote(BetweenServers): ...


class BecomeLeader(OnServer): ...


@attrs.frozen(repr=False)
class ClientRequest:
    i: int
    v: int

    def __str__(self) -> str:
        return f"ClientRequest({server(self.i)}, v{self.v})"

    __repr__ = __str__


class AdvanceCommitIndex(OnServer): ...


class AppendEntries(BetweenServers): ...


class UpdateTerm(OnMessage): ...


class HandleRequestVoteRequest(OnMessage): ...


class HandleRequestVoteResponse(OnMessage): ...


class HandleAppendEntriesRequest(OnMessage): ...


class HandleAppendEntriesResponse(OnMessage): ...


class DropStaleResponse(OnMessage): ...


class DuplicateMessage(OnMessage): ...


class DropMessage(OnMessage): ...


@attrs.frozen(repr=False)
class Heal:
    """The network partition ends: every link works again."""

    def __str__(self) -> str:
        return "Heal()"

    __repr__ = __str__


ACTION_KINDS = (
    Timeout, Restart, RequestVote, BecomeLeader, ClientRequest, AdvanceCommitIndex, AppendEntries,
    UpdateTerm, HandleRequestVoteRequest, HandleRequestVoteResponse, HandleAppendEntriesRequest,
    HandleAppendEntriesResponse, DropStaleResponse, DuplicateMessage, DropMessage, Heal,
)  # fmt: skip


# Swarm's Raft (membership, links, timers): steps raft.tla does not have.


@attrs.frozen(repr=False)
class ServerPair:
    """A step about servers i and j that sends nothing; `shown` says how a trace prints it."""

    i: int
    j: int
    shown: ClassVar[str] = "{i}, {j}"

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.shown.format(i=server(self.i), j=server(self.j))})"

    __repr__ = __str__


class Promote(ServerPair):
    """Leader i appends a configuration adding worker j (swarmkit: a node promoted to manager)."""

    shown = "{i} adds {j}"


class Demote(ServerPair):
    """Leader i appends a configuration removing manager j (swarmkit: `docker node demote`)."""

    shown = "{i} removes {j}"


class Apply(OnServer):
    """A server applies its committed entries (apply-time membership: the configuration moves here)."""


class IgnoreRemoved(OnMessage):
    """A message from a removed Raft member is dropped unread (swarmkit's blacklist)."""


class Tick(OnServer):
    """An election timeout passes for server i: its timer expires; a leader with CheckQuorum
    steps down unless a quorum answered it since the last tick."""


class LateTick(OnServer):
    """Tick(i) although i's leader can reach it (for a leader with CheckQuorum: although a
    quorum of its term can): heartbeats slower than the election timeout, which Raft's
    timing requirement (broadcastTime << electionTimeout, §5.6) rules out. The same step as
    Tick for safety; a fault that stops, for liveness."""


class LateTimeout(OnServer):
    """Timeout(i) although a leader of i's term can reach it (or, i a follower, a candidate of
    its term can): i's timer expired just as an election ended, a race that randomized
    timeouts make rare (§5.2). The same step as Timeout for safety; a fault that stops, for liveness."""


class CutLink(ServerPair):
    """The link between servers i and j fails (both directions)."""

    shown = "{i} -x- {j}"


class HealLink(ServerPair):
    """The link between servers i and j works again."""

    shown = "{i} --- {j}"


class PreVote(BetweenServers):
    """Pre-candidate i asks j whether it would vote for it in the next term (Raft thesis §9.6)."""


class BecomeCandidate(OnServer):
    """A pre-candidate holding a quorum of pre-votes starts its real campaign."""


class HandlePreVoteRequest(OnMessage): ...


class HandlePreVoteResponse(OnMessage): ...


SWARM_ACTION_KINDS = (
    Promote, Demote, Apply, IgnoreRemoved, Tick, LateTick, LateTimeout, CutLink, HealLink,
    PreVote, BecomeCandidate, HandlePreVoteRequest, HandlePreVoteResponse,
)  # fmt: skip


Action = OnServer | BetweenServers | OnMessage | ClientRequest | Heal | Promote | Demote | CutLink | HealLink
