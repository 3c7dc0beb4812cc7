"""How a Raft trace is drawn as a sequence diagram (model/kernel.py `Exchange`): one lifeline
per server; a request or response sent is a dashed arrow, delivered a solid one, lost a
cross; a server's own step (a timeout, a restart, winning an election) a mark on its line.
"""

from __future__ import annotations

from model.kernel import Exchange
from model.raft.actions import (
    Action,
    BetweenServers,
    ClientRequest,
    CutLink,
    Demote,
    DropMessage,
    DuplicateMessage,
    Heal,
    HealLink,
    IgnoreRemoved,
    OnMessage,
    OnServer,
    Promote,
    UpdateTerm,
)
from model.raft.state import MSG_NAMES, Msg, describe_message, server


class Diagram:
    """`lifelines` and `exchange`, for reports."""

    n: int

    def lifelines(self) -> list[str]:
        return [server(i) for i in range(self.n)]

    def exchange(self, action: Action) -> Exchange:
        if isinstance(action, OnServer):
            return Exchange(server(action.i), type(action).__name__)
        if isinstance(action, ClientRequest):
            return Exchange(server(action.i), f"ClientRequest v{action.v}")
        if isinstance(action, BetweenServers):
            kind = type(action).__name__
            return Exchange(server(action.i), f"{kind}Request", server(action.j), sent=True)
        if isinstance(action, DropMessage | DuplicateMessage):
            m = action.m
            lost = isinstance(action, DropMessage)
            what = "" if lost else "duplicated: "
            return Exchange(server(m[2]), what + short(m), server(m[3]), sent=not lost, lost=lost)
        if isinstance(action, UpdateTerm):  # the message stays in the bag, to be handled next
            m = action.m
            return Exchange(server(m[3]), f"UpdateTerm to {m[1]}, seen in a {MSG_NAMES[m[0]]} from {server(m[2])}")
        if isinstance(action, IgnoreRemoved):
            m = action.m
            return Exchange(server(m[2]), "ignored, from a removed member: " + short(m), server(m[3]))
        if isinstance(action, OnMessage):
            m = action.m
            return Exchange(server(m[2]), short(m), server(m[3]))
        if isinstance(action, Promote | Demote):
            verb = "adds" if isinstance(action, Promote) else "removes"
            return Exchange(server(action.i), f"{type(action).__name__}: configuration {verb} {server(action.j)}")
        if isinstance(action, CutLink | HealLink):
            what = "cut" if isinstance(action, CutLink) else "healed"
            return Exchange(server(action.i), f"link to {server(action.j)} {what}")
        assert isinstance(action, Heal)
        return Exchange(server(0), "the partition heals")


def short(m: Msg) -> str:
    """A message without its endpoints (the arrow shows them)."""
    text = describe_message(m)
    return f"{MSG_NAMES[m[0]]} term {m[1]}" + text.split(f"term {m[1]}", 1)[1]
