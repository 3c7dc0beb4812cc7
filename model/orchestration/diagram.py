"""How a scheduler trace is drawn as a sequence diagram (model/kernel.py `Exchange`): the
user, the manager (its orchestrators, scheduler, reaper, discovery) and each node's agent.
A user's command is an arrow to the manager, an assignment one from the manager to the
node; the rest are marks on the line of whoever acts.
"""

from __future__ import annotations

from model.kernel import Exchange
from model.orchestration.state import Step
from model.orchestration.tasks import NO_NODE

# Steps a node (its agent, or the world around it) takes.
ON_A_NODE = frozenset(
    {"AgentStart", "AgentStop", "Healthy", "HealthCheckFails", "TaskFails", "TaskExits", "NodeDown", "NodeUp", "Join"}
)


class Diagram:
    """`lifelines` and `exchange`, for reports."""

    n: int
    USER_KINDS: tuple[str, ...]

    def lifelines(self) -> list[str]:
        return ["user", "manager", *(f"n{i + 1}" for i in range(self.n))]

    def exchange(self, step: Step) -> Exchange:
        label = str(step)
        where = f"n{step.node + 1}" if step.node != NO_NODE else None
        if step.rule in self.USER_KINDS:
            return Exchange("user", label, "manager")
        if step.rule == "Schedule" and where is not None:
            return Exchange("manager", label, where)
        if step.rule in ON_A_NODE and where is not None:
            return Exchange(where, label)
        return Exchange("manager", label)
