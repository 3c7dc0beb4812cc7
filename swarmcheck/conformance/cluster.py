"""N pysyncobj nodes in one process: our network, our clock, our randomness, no threads.

pysyncobj reads time through `pysyncobj.syncobj.monotonicTime` and draws election timeouts
from the module's `random`; both are swapped for ours around every call into a node, so a
run is a function of its seed and its events. Each node has a clock of its own (pysyncobj
only measures durations on one node), and only a tick of that node moves it: so one node can
time out while the others have not, as with real timers. Each node is a `SyncObj` with one replicated
method (`append`) over a register of applied values; ticks are ours (`autoTick=False`),
forking and log compaction are off. A crash keeps what pysyncobj's journal persists (its log,
currentTerm and votedFor: the node's in-memory journal is handed to its next life, as a journal
file would be) and loses the rest: role, commit index, applied values, nextIndex/matchIndex,
queued commands; its connections close, so what was in flight to or from it is lost.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pysyncobj.pickle as sync_pickle
import pysyncobj.syncobj as syncobj_module
from pysyncobj import SyncObj, SyncObjConf, replicated
from pysyncobj.journal import MemoryJournal
from pysyncobj.node import Node
from pysyncobj.transport import Transport

from swarmcheck.conformance.network import Link, Network

NO_OP, REGULAR = 1, 0  # pysyncobj's _COMMAND_TYPE
ELECTION_TIMEOUT = (0.4, 1.4)  # pysyncobj's defaults, in (virtual) seconds


class Server(Node):  # type: ignore[misc]
    """A node named by its index, which hashes the same in every process (a string id would
    not, and pysyncobj iterates over sets of nodes: the order of its sends would vary)."""

    def __str__(self) -> str:
        return f"s{self.id + 1}"


class Wire(Transport):  # type: ignore[misc]
    """pysyncobj's transport, handing every message to the harness."""

    def __init__(self, send: Callable[[int, dict[str, Any]], None]) -> None:
        super().__init__(None, None, [])
        self._send = send

    def send(self, node: Server, message: dict[str, Any]) -> bool:
        self._send(node.id, message)
        return True

    def receive(self, node: Server, message: dict[str, Any]) -> None:
        self._onMessageReceived(node, message)

    def connect(self, node: Server) -> None:
        self._onNodeConnected(node)


class Journal(MemoryJournal):  # type: ignore[misc]
    """pysyncobj's in-memory journal, counting its changes so a view of it is read only when
    it has changed (the views are most of the harness's cost otherwise)."""

    def __init__(self) -> None:
        super().__init__()
        self.version = 0
        self.read: tuple[tuple[int, int], ...] = ()  # the views' reading of it (views.log_view)
        self.read_at = 0  # the version it was read at

    def add(self, command: bytes, idx: int, term: int) -> None:
        self.version += 1
        super().add(command, idx, term)

    def clear(self) -> None:
        self.version += 1
        super().clear()

    def deleteEntriesFrom(self, entryFrom: int) -> None:
        self.version += 1
        super().deleteEntriesFrom(entryFrom)

    def deleteEntriesTo(self, entryTo: int) -> None:
        self.version += 1
        super().deleteEntriesTo(entryTo)


class Register(SyncObj):  # type: ignore[misc]
    """The replicated state machine: the values applied, in order."""

    def __init__(self, me: int, nodes: int, conf: SyncObjConf, wire: Wire) -> None:
        self.applied: list[int] = []
        others = [Server(j) for j in range(nodes) if j != me]
        super().__init__(Server(me), others, conf, transport=wire)

    @replicated  # type: ignore[untyped-decorator]
    def append(self, value: int) -> None:
        self.applied.append(value)


@attrs.frozen
class Event:
    """One step of the environment: `kind` is tick, deliver, drop, duplicate, crash, restart
    or request; `node` the node acting (or the link's source), `to` a link's destination,
    `position` which message of the link, `advance` the seconds a tick lets pass, `value` a
    request's value."""

    kind: str
    node: int
    to: int = -1
    position: int = 0
    advance: float = 0.0
    value: int = 0

    @property
    def link(self) -> Link:
        return (self.node, self.to)

    @classmethod
    def from_data(cls, data: Any) -> Event:
        """An event read back from a report or trace (ValueError if it is not one)."""
        names = {f.name for f in attrs.fields(cls)}
        if not isinstance(data, dict) or not set(data) <= names or not isinstance(data.get("kind"), str):
            raise ValueError(f"not an event this version knows: {str(data)[:80]}")
        if not all(isinstance(v, int | float | str) and not isinstance(v, bool) for v in data.values()):
            raise ValueError(f"an event field has the wrong type: {str(data)[:80]}")
        return cls(**data)


class Cluster:
    """The nodes under test, their network and clock; `step(event)` runs one event."""

    def __init__(self, nodes: int = 3, mode: str = "fifo", seed: int = 0) -> None:
        self.n = nodes
        self.network = Network(nodes, mode)
        self.clocks = [0.0] * nodes
        self.random = random.Random(seed)
        self.journals = [Journal() for _ in range(nodes)]
        self.up = [True] * nodes
        self.commands: dict[bytes, int] = {}  # a request's log command -> its value
        self.lost = 0
        self.nodes: list[Register] = []
        for i in range(nodes):
            with self.controlled(i):
                self.nodes.append(self._start(i))

    def _start(self, i: int) -> Register:
        conf = SyncObjConf(
            autoTick=False,
            useFork=False,
            logCompactionMinEntries=10**9,
            logCompactionMinTime=10**9,
            raftMinTimeout=ELECTION_TIMEOUT[0],
            raftMaxTimeout=ELECTION_TIMEOUT[1],
        )
        wire = Wire(lambda to, message: self._send(i, to, message))
        saved = syncobj_module.createJournal
        syncobj_module.createJournal = lambda _file=None: self.journals[i]  # its journal survives a crash
        try:
            node = Register(i, self.n, conf, wire)
        finally:
            syncobj_module.createJournal = saved
        for j in range(self.n):
            if j != i:
                wire.connect(Server(j))
        node._wire = wire
        return node

    def _send(self, source: int, to: int, message: dict[str, Any]) -> None:
        if self.up[source] and self.up[to]:
            self.network.send(source, to, message)

    @contextlib.contextmanager
    def controlled(self, i: int) -> Iterator[None]:
        """pysyncobj's clock (node i's) and randomness are ours while node i runs."""
        saved = syncobj_module.monotonicTime, syncobj_module.random
        syncobj_module.monotonicTime = lambda: self.clocks[i]
        syncobj_module.random = self.random
        try:
            yield
        finally:
            syncobj_module.monotonicTime, syncobj_module.random = saved

    # ------------------------------------------------------------ what may happen next

    def possible(self, event: Event) -> bool:
        """Whether `event` can happen now (a step on a crashed node, or on an empty link, cannot)."""
        if event.kind in ("tick", "request", "crash"):
            return self.up[event.node]
        if event.kind == "restart":
            return not self.up[event.node]
        if event.kind in ("deliver", "drop", "duplicate"):
            if event.kind == "duplicate" and self.network.mode != "duplicate":
                return False
            return event.link in self.network.links and event.position < self.network.choices(event.link)
        return False

    # ------------------------------------------------------------ the events

    def step(self, event: Event) -> dict[str, Any] | None:
        """Run one possible event; the message it delivers, drops or duplicates, if any."""
        with self.controlled(event.to if event.kind == "deliver" else event.node):
            if event.kind == "tick":
                self.clocks[event.node] += event.advance
                self.nodes[event.node].doTick(0.0)
            elif event.kind == "deliver":
                message = self.network.take(event.link, event.position)
                self.nodes[event.to]._wire.receive(Server(event.node), message)
                return message
            elif event.kind == "drop":
                return self.network.take(event.link, event.position)
            elif event.kind == "duplicate":
                return self.network.duplicate(event.link, event.position)
            elif event.kind == "crash":
                self.up[event.node] = False
                self.lost += self.network.cut_off(event.node)
            elif event.kind == "restart":
                self.up[event.node] = True
                self.nodes[event.node] = self._start(event.node)
            elif event.kind == "request":
                self._request(event.node, event.value)
        return None

    def _request(self, i: int, value: int) -> None:
        node = self.nodes[i]
        command = bytes([REGULAR]) + sync_pickle.dumps((node._methodToID[node._getFuncName("append")], (value,)))
        self.commands[command] = value
        node.append(value)  # queued; the node's next tick appends it (leader) or forwards it

    def value_of(self, command: bytes) -> int:
        """A log entry's value: 0 for pysyncobj's no-op, the request's value, -1 if unknown."""
        if command[:1] == bytes([NO_OP]):
            return 0
        return self.commands.get(bytes(command), -1)
