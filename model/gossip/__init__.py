"""Gossip membership: how swarm nodes learn who is alive (memberlist's SWIM).

Follows ../shared/reference/swarm-semantics.md section C; each action names its
rule. Timers are abstract: a probe fails, or a suspicion times out, whenever its
condition holds, so the explorer sees every interleaving. A probe stands for
memberlist's whole probe round (direct ping, then indirect pings through the
other nodes): it fails only if no path reaches the target, or if the prober is
slow, so that the ack misses its deadline (C.2, E.10).

Lifeguard (C.3, C.4) is the `lifeguard` option. Its suspicion confirmations are
modelled as memberlist has them: the timeout waits for k = SuspicionMult - 2
independent accusers (k = 0 below 4 nodes). Its other two parts, nacks with the
awareness score and the buddy piggyback, are about *time*: they slow an unhealthy
prober down and tell the accused at once, so that an unconfirmed suspicion's long
timeout outlasts the refutation. With abstract timers that becomes one condition:
an unconfirmed suspicion of a node that can still answer (running, a path to it,
no message lost so far) does not expire. Without Lifeguard the timeout is fixed,
and a slow node's late processing lets it expire before the refutation arrives.

Node i's view holds, for every node x, (status, incarnation); a node not yet
joined is `unknown` to the others. Messages are
(kind, about, incarnation, sender-of-the-accusation) tuples; each node keeps a
broadcast queue with a retransmit budget (C.6), and the network holds
(receiver, message) pairs. The ghost part records faults, the highest
incarnation each node ever had, and the death evidence each node has seen.

The package: `config`, `state`, `membership` (C.5), `detection` (C.2, C.3), `dissemination`
(C.6), `lifecycle` (join, leave, restart, faults), `symmetry`, and `model`, which composes them.
"""

from model.gossip.config import (
    BUGS,
    DEFAULT,
    LIFEGUARD_BOUNDS,
    SLOW_BOUNDS,
    SUITE,
    UNREACHED,
    Config,
)
from model.gossip.model import (
    Gossip,
)
from model.gossip.state import (
    ALIVE,
    ALIVE_MSG,
    CRASHED,
    CUT,
    DEAD,
    DEAD_MSG,
    FIELDS,
    HARMFUL,
    KIND,
    LEFT,
    LEFT_GRACEFULLY,
    LOST,
    RULES,
    SLOWED,
    STATUS,
    SUSPECT,
    SUSPECT_MSG,
    UNKNOWN,
    Entry,
    Msg,
    State,
    Step,
    as_message,
    describe_message,
    evolve,
    node,
    without,
)

__all__ = [
    "ALIVE",
    "ALIVE_MSG",
    "BUGS",
    "CRASHED",
    "CUT",
    "DEAD",
    "DEAD_MSG",
    "DEFAULT",
    "FIELDS",
    "HARMFUL",
    "KIND",
    "LEFT",
    "LEFT_GRACEFULLY",
    "LIFEGUARD_BOUNDS",
    "LOST",
    "RULES",
    "SLOWED",
    "SLOW_BOUNDS",
    "STATUS",
    "SUITE",
    "SUSPECT",
    "SUSPECT_MSG",
    "UNKNOWN",
    "UNREACHED",
    "Config",
    "Entry",
    "Gossip",
    "Msg",
    "State",
    "Step",
    "as_message",
    "describe_message",
    "evolve",
    "node",
    "without",
]
