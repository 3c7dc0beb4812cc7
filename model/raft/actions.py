"""raft.tla's actions as values: each prints as a person reads it in a trace,
`HandleRequestVoteRequest(RequestVoteRequest s1->s2 term 2 lastLog (index 0, term 0))`.
"""

from __future__ import annotations

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


Action = OnServer | BetweenServers | OnMessage | ClientRequest | Heal


ACTION_KINDS = (
    Timeout, Restart, RequestVote, BecomeLeader, ClientRequest, AdvanceCommitIndex, AppendEntries,
    UpdateTerm, HandleRequestVoteRequest, HandleRequestVoteResponse, HandleAppendEntriesRequest,
    HandleAppendEntriesResponse, DropStaleResponse, DuplicateMessage, DropMessage, Heal,
)  # fmt: skip
