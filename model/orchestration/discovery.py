"""Service discovery (reference D, libnetwork): each ready node's DNS records for
`tasks.web` and its routing-mesh backends catch up with the running web tasks.

Reads: tasks, status, dns, backends. Writes: dns, backends.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    GONE,
    ID,
    NODE,
    OBSERVED,
    READY,
    RUNNING,
    STARTING,
    SVC,
    WEB,
    runnable,
    task_names,
)


class ServiceDiscovery(Cluster):
    """Each node's endpoint table: DNS and load-balancer backends."""

    def service_discovery(self, s: State) -> Iterator[tuple[Step, State]]:
        """Each ready node's DNS records and load-balancer backends catch up with the running
        web tasks, a node at a time (D: endpoint_table events, handled by each node's agent)."""
        live = tuple(sorted(self.discoverable(s)))
        for node in range(self.n):
            if s.status[node] == READY and (s.dns[node] != live or s.backends[node] != live):
                synced = self.sync(s, node, live)
                if synced != s:
                    yield Step("DiscoverySync", node, detail=task_names(live)), synced

    def sync(self, s: State, node: int, live: tuple[int, ...]) -> State:
        """The node's agent applies the endpoint table: DNS records and mesh backends."""
        backends = live
        if "dead_backend" in self.bugs:  # no delete event for the tasks of a removed node
            store = {t[ID]: t for t in s.tasks}
            lost = [x for x in s.backends[node] if x not in store or s.status[store[x][NODE]] == GONE]
            backends = tuple(sorted({*live, *lost}))
        return s.evolve(dns=put(s.dns, node, live), backends=put(s.backends, node, backends))

    def discoverable(self, s: State) -> set[int]:
        """D: RUNNING web tasks not disabled (desired past RUNNING disables the entry)."""
        started = (STARTING, RUNNING) if "route_before_healthy" in self.bugs else (RUNNING,)
        return {t[ID] for t in s.tasks if t[SVC] == WEB and t[OBSERVED] in started and runnable(t)}
