"""swarmkit's role manager (manager/role_manager.go): a node's current role follows its
desired role once Raft membership is changed; a node update for the orchestrators.

Reads: roles. Writes: roles, node_due.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.kernel import put
from model.orchestration.cluster import Cluster
from model.orchestration.state import State, Step
from model.orchestration.tasks import (
    DEMOTING,
    MANAGER,
    PROMOTING,
    ROLE,
    WORKER,
)


class RoleManager(Cluster):
    """Moves a pending promotion or demotion to its end."""

    def role_manager(self, s: State) -> Iterator[tuple[Step, State]]:
        """swarmkit's role manager moves a node's current role to its desired role (raft
        membership first); the node update is an event for the orchestrators (A.8, A.10)."""
        for node, role in enumerate(s.roles):
            if role in (PROMOTING, DEMOTING):
                done = s.evolve(roles=put(s.roles, node, MANAGER if role == PROMOTING else WORKER))
                yield Step("RoleChange", node, detail=ROLE[done.roles[node]]), self.node_updated(done, node)
