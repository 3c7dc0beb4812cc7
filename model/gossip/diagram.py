"""How a gossip trace is drawn as a sequence diagram (model/kernel.py `Exchange`): one
lifeline per node; a probe that fails is a lost arrow, a broadcast sent a dashed one, a
push-pull or a join a solid one; a receipt, a timeout or a fault a mark on the node's line
(the network does not record who sent what it holds).
"""

from __future__ import annotations

from model.gossip.state import Step, describe_message, node
from model.kernel import Exchange

# Steps between two nodes, drawn as arrows, and how: (sent, lost).
ARROWS = {"ProbeFails": (False, True), "Gossip": (True, False), "PushPull": (False, False), "Join": (False, False)}


class Diagram:
    """`lifelines` and `exchange`, for reports."""

    n: int

    def lifelines(self) -> list[str]:
        return [node(i) for i in range(self.n)]

    def exchange(self, step: Step) -> Exchange:
        first = node(step.nodes[0]) if step.nodes else node(0)
        what = describe_message(step.message) if step.message is not None else ""
        if step.rule in ARROWS and len(step.nodes) == 2:
            sent, lost = ARROWS[step.rule]
            label = what or ("probe fails" if step.rule == "ProbeFails" else step.rule)
            return Exchange(first, label, node(step.nodes[1]), sent=sent, lost=lost)
        if step.rule == "Receive":
            return Exchange(first, f"receives {what}")
        if step.rule == "LoseMessage":
            return Exchange(first, f"loses {what}")
        if step.rule in ("SuspicionTimeout", "SuspicionMaxTimeout"):
            how = "at last" if step.rule == "SuspicionMaxTimeout" else "confirmed"
            return Exchange(first, f"suspicion of {node(step.nodes[1])} times out ({how})")
        if step.rule in ("CutLink", "HealLink"):
            return Exchange(first, f"link to {node(step.nodes[1])} {'cut' if step.rule == 'CutLink' else 'heals'}")
        return Exchange(first, step.rule)
