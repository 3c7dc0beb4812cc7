"""The gossip model's configuration: sizes, bounds and options, the seeded bugs it can switch
on (each one line: what goes wrong, and where it was seen), and the suite the main job checks.
"""

from __future__ import annotations

from typing import Any

import attrs

from model.kernel import validate

BUGS: dict[str, str] = {
    "stale_alive_revives_dead": "a death report about a node already dead does not raise its stored incarnation, "
    "so an older alive revives it (reference E.8; al8n/memberlist#197, inherited from deadNode/suspectNode)",
    "suspect_lower_incarnation": "a suspect message with an older incarnation is accepted (C.5: accept iff j >= i)",
    "anyone_refutes": "a node refutes a suspicion about another node, raising that node's incarnation "
    "(C.5: only the node itself increments its incarnation)",
    "no_refute": "a node takes an accusation about itself like one about any other node: it marks itself "
    "suspect or dead instead of refuting (C.5: suspect or dead about self is refuted)",
    "self_suspicion_taken": "suspectNode lacks its check for the local node (deadNode keeps its own): a node "
    "takes a suspicion about itself like one about any other node and holds itself suspect instead of refuting "
    "(C.5: suspect about self is refuted; memberlist suspectNode: if s.Node == m.config.Name, refute)",
    "timeout_without_confirmations_infinite": "Lifeguard's timeout formula without its k < 1 case: it divides by "
    "log(k + 1) = 0, so where no confirmations are expected (fewer than 4 nodes) a suspicion never expires and a "
    "crashed node is never declared dead (C.3; memberlist suspicion.go newSuspicion: if k < 1, the minimum)",
    "alive_clears_suspicion": "an alive at the incarnation a node is suspected at clears the suspicion, so a stale "
    "alive still in flight undoes an accusation the node never refuted (SWIM section 4.2, C.5: only an alive of a "
    "higher incarnation overrides a suspect)",
    "max_timeout_unscaled": "Lifeguard's long timeout is not scaled up (SuspicionMaxTimeoutMult taken as 1), so a "
    "suspicion short of k confirmations expires before the accused node's refutation can arrive (C.3: the timer "
    "starts at 6 x the minimum and shrinks with each confirmation)",
    "dead_is_final": "the SWIM paper's rule in place of memberlist's: a death report overrides every status "
    "whatever its incarnation, and a dead node is never revived (C.5, SWIM paper section 4.2), so a stale "
    "death kills a node that has refuted, and a restarted node can never rejoin",
    "no_invalidation": "a new broadcast about a node is queued beside the older ones about it instead of "
    "replacing them, so stale news keeps being gossiped (C.6; memberlist queue.go NamedBroadcast.Invalidates)",
    "dead_left_out_of_push_pull": "push-pull sends only the members it does not hold dead, so a restarted "
    "node never hears the accusation it must refute and stays dead in its accusers' views, whose ears are shut "
    "to its older alive (E.9's outcome, hashicorp/memberlist#311, by a shorter path): a liveness bug",
    "death_always_left": "deadNode records every death as Left, not only a node's own leave (From = the node), "
    "so a crashed node looks like one that left gracefully (C.5 deadNode: Left iff dead.Node == dead.From)",
    "leave_taken_as_death": "deadNode ignores From and records a graceful leave as Dead, so a node that left "
    "looks failed (C.5 deadNode; memberlist.go Leave broadcasts dead about itself)",
    "no_indirect_probe": "a failed direct probe is not retried through helpers, so one cut link makes a live "
    "node suspect (SWIM section 3.1's ping-req; memberlist probeNode: indirect pings via IndirectChecks members)",
    "gossip_to_left": "gossip goes to members that left as well as to the live and the recently dead "
    "(C.6; memberlist gossip(): kRandomNodes skips a node in StateLeft)",
    "retransmit_not_spent": "a send does not spend the broadcast's retransmit budget, so a piggybacked "
    "message is gossiped for ever and crowds out newer news (C.6; memberlist queue.go GetBroadcasts "
    "counts each transmit and drops a broadcast past RetransmitMult x log(n+1))",
    "remote_dead_taken_as_dead": "push-pull merges a remote Dead as a death of its own, not a suspicion, so the "
    "accused node never gets the chance to refute (C.6; memberlist mergeState: StateDead becomes suspectNode)",
    "refute_at_accused_incarnation": "a refutation repeats the accused incarnation instead of exceeding it, so it "
    "overrides nothing and is gossiped as news all the same (SWIM section 4.2; memberlist refute: accusedInc + 1)",
    "suspect_next_incarnation": "a failed probe suspects the node at one past the incarnation the prober knows, "
    "one the node never had, so the prober raises another node's incarnation (C.2; memberlist probeNode: "
    "suspect at the known incarnation; C.5: only the owner raises it)",
    "death_evidence_overwritten": "the highest death incarnation a node has heard is overwritten by an older "
    "report, so the evidence E.8's fix keeps against a stale alive can shrink (reference E.8)",
    "cut_link_carries_gossip": "a cut link still carries gossip: a partition drill that forgot UDP (memberlist "
    "gossips over UDP, probes too), so a test believes a partition it never made",
    "no_lifeguard": "the suspicion timeout is fixed: no confirmations, no awareness, no buddy (E.10), "
    "so a slow node's unconfirmed suspicion expires before the accused node's refutation arrives",
}


@attrs.frozen
class Config:
    """Sizes, bounds and options of the gossip model."""

    nodes: int = 3
    max_incarnation: int = 2
    max_msgs: int = 1
    retransmits: int = 2  # RetransmitMult x ceil(log10(n+1)), cut down for exhaustive search
    max_faults: int = 1  # crashes, losses, link cuts, slow nodes and leaves together
    restarts: bool = True
    push_pull: bool = True
    crashes: bool = True  # the crash and leave faults
    network_faults: bool = True  # the message-loss and link-cut faults
    slow: bool = False  # the slow-node fault (E.10): on where the bounds afford it
    lifeguard: bool = True
    joiners: int = 0  # the last `joiners` nodes start outside the cluster and join (C.6)
    # deadNode exactly as hashicorp/memberlist ships it: a death report about a node already
    # dead or left is ignored, so its incarnation is not raised and E.8's hole is open (the
    # seeded bug stale_alive_revives_dead is the same line, named as a bug).
    upstream_dead_node: bool = False
    # Lifeguard's long timeout (6 x the short one) may expire before a refutation that could
    # still arrive: a race of times. Off, the model assumes the refutation wins whenever the
    # accused can answer (it runs, a path exists, nothing was lost); on, both outcomes.
    long_timeout_race: bool = False
    # memberlist's resetNodes: a member dead or left for GossipToTheDeadTime (30 s) is dropped
    # from the list and is no longer gossiped to; the node forgets it, its incarnation included.
    reap: bool = False
    simulated: bool = False  # lifts the node limit, for `swarmcheck simulate` only (too many states to check)
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {
            "nodes": (2, 256 if self.simulated else 5),
            "max_incarnation": (1, 6),
            "max_msgs": (0, 6),
            "retransmits": (1, 16 if self.simulated else 4),
            "max_faults": (0, 4),
            "joiners": (0, self.nodes - 1),
        }
        validate("gossip", self, limits, BUGS)

    @property
    def confirmations_needed(self) -> int:
        """C.3: k = SuspicionMult - 2 = 2 with LAN defaults, and 0 if n - 2 < k: the most a node
        expects, once it knows every node (`Membership.confirmations_expected` is its estimate)."""
        k = 4 - 2
        return 0 if self.nodes - 2 < k else k


DEFAULT = Config()


SLOW_BOUNDS: dict[str, Any] = {
    "retransmits": 1,
    "crashes": False,
    "network_faults": False,
    "restarts": False,
    "push_pull": False,
    "slow": True,
}


LIFEGUARD_BOUNDS: dict[str, Any] = {**SLOW_BOUNDS, "nodes": 4, "max_incarnation": 1}


SUITE = {
    "three-nodes": DEFAULT,
    "four-nodes-lifeguard": Config(**LIFEGUARD_BOUNDS),
    "three-nodes-slow": Config(**SLOW_BOUNDS),
    # A node joins a running cluster (faults with joins are covered by restart, which rejoins).
    "join": Config(joiners=1, max_faults=0),
    # A join's alive broadcast is a message in flight before any fault: it may be lost, or a
    # link cut under it. Crashes and push-pull off keep it small (3 nodes with them: millions).
    # Four nodes and a crash: the crashed node's suspicion gathers k = 2 confirmations from the
    # other accusers and expires at Lifeguard's short timeout (C.3); a leave, where Left is kept.
    "four-nodes-crash": Config(
        nodes=4, max_incarnation=1, retransmits=1, restarts=False, push_pull=False, network_faults=False
    ),
    # Crashes and leaves only, and each dead or left member reaped after GossipToTheDeadTime.
    "crash-and-reap": Config(reap=True, max_incarnation=1, restarts=False, push_pull=False, network_faults=False),
    "join-lossy": Config(joiners=1, max_faults=1, crashes=False, restarts=False, push_pull=False, retransmits=1),
}
NO_PROBE_FAILS = "no fault: every probe succeeds, so nothing is suspected"
# Actions a suite configuration enables but its bounds never reach, and why: coverage fails
# the main job on any other action that never fires.
UNREACHED: dict[str, dict[str, str]] = {
    "three-nodes": {
        "LoseMessage": "one fault: nothing is gossiped until a fault (a crash, cut or leave) has spent the budget",
    },
    "four-nodes-lifeguard": {
        "SuspicionTimeout": "Lifeguard: one slow accuser never gathers k = 2 confirmations",
        "SuspicionMaxTimeout": "every accused node can answer, and its refutation beats the long timeout "
        "(long_timeout_race off; tests/test_gossip.py runs the race)",
    },
    "join": {"ProbeFails": NO_PROBE_FAILS, "SuspicionTimeout": NO_PROBE_FAILS},
}
