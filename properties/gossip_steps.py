"""What each of memberlist's steps may do, as its source states it: a probe fails only without
an ack (C.2), a suspicion timer fires only on a live suspicion and after Lifeguard's k
confirmations (C.3), gossip goes only to members and only while its retransmits last, a
push-pull merges a peer's view by mergeState's table, and news is broadcast only when it
changed something (C.6). Written from the reference, not from the model's helpers.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations
from typing import Any

from model.gossip import ALIVE, DEAD, LEFT, STATUS, SUSPECT, UNKNOWN, Config, State, node
from properties.base import Property, transition

C2 = "swarm-semantics.md C.2 (memberlist state.go probeNode: direct, then indirect through k alive helpers)"
C3 = "swarm-semantics.md C.3 (memberlist state.go suspectNode, suspicion.go: k = SuspicionMult - 2)"
C6 = "swarm-semantics.md C.6 (memberlist state.go gossip, mergeState; queue.go TransmitLimitedQueue)"
SUSPICION_MULT = 4  # memberlist's LAN default
RULES = {"Receive", "PushPull", "Join"}  # the steps that merge news into a view


def _rule(action: Any) -> str:
    return str(getattr(action, "rule", ""))


def _runs(s: State, x: int) -> bool:
    return bool(s.up[x]) and not s.left[x] and not s.outside[x]


@cache
def _link_bits(n: int) -> dict[tuple[int, int], int]:
    """Which bit of the cut mask is each link (pairs in order, as the state encodes them)."""
    return {pair: k for k, pair in enumerate(combinations(range(n), 2))}


def _link_up(s: State, a: int, b: int) -> bool:
    return a == b or not s.cut >> _link_bits(len(s.up))[(min(a, b), max(a, b))] & 1


def _acked(s: State, i: int, j: int) -> bool:
    """C.2: j answers i directly, or through a helper i holds alive, that runs, linked to both."""
    if not _runs(s, j):
        return False
    if _link_up(s, i, j):
        return True
    return any(
        h not in (i, j) and s.view[i][h][0] == ALIVE and _runs(s, h) and _link_up(s, i, h) and _link_up(s, h, j)
        for h in range(len(s.up))
    )


def probe_fails_only_without_ack(before: State, action: Any, after: State) -> str | None:
    """A member alive or suspect to i is suspected only when no ack reaches i in time: no path
    directly or through a helper, or i is slow (its own deadline passes, E.10)."""
    if _rule(action) != "ProbeFails":
        return None
    i, j = action.nodes
    status = before.view[i][j][0]
    if status not in (ALIVE, SUSPECT):
        return f"{node(i)} probed {node(j)}, which it holds {STATUS[status]}: only alive and suspect members are probed"
    if not before.slow[i] and _acked(before, i, j):
        return f"{node(i)} suspected {node(j)} though {node(j)} can answer it, directly or through a helper"
    return None


def expected_confirmations(s: State, i: int, lifeguard: bool) -> int:
    """suspectNode's k: SuspicionMult - 2, or none if the members i knows, less two, fall short of it."""
    if not lifeguard:
        return 0
    k = SUSPICION_MULT - 2
    known = sum(1 for status, _ in s.view[i] if status != UNKNOWN)
    return 0 if known - 2 < k else k


def suspicion_timer(config: Config) -> Any:
    def suspicion_timer_fires_on_a_live_suspicion(before: State, action: Any, after: State) -> str | None:
        """A suspicion timer fires only while its suspicion stands (an alive deletes the timer),
        declares the member dead at the incarnation suspected, and fires at the short timeout
        once k other members have confirmed it, at the long one only before that (k as
        memberlist estimates it from the members the node knows)."""
        rule = _rule(action)
        if rule not in ("SuspicionTimeout", "SuspicionMaxTimeout"):
            return None
        i, j = action.nodes
        status, inc = before.view[i][j]
        if status != SUSPECT:
            return f"{node(i)}'s timer on {node(j)} fired, but {node(i)} holds {node(j)} {STATUS[status]}@{inc}"
        new_status, new_inc = after.view[i][j]
        if new_status not in (DEAD, LEFT) or new_inc != inc:  # Left versus Dead: left_only_after_leave's
            return f"{node(i)}'s timer on {node(j)}@{inc} left it {STATUS[new_status]}@{new_inc}, not dead@{inc}"
        confirmed = max(bin(before.accusers[i][j]).count("1") - 1, 0)  # the first accuser is i itself
        k = expected_confirmations(before, i, config.lifeguard)
        if rule == "SuspicionTimeout" and confirmed < k:
            return (
                f"{node(i)}'s suspicion of {node(j)} expired at the short timeout with {confirmed} of {k} confirmations"
            )
        if rule == "SuspicionMaxTimeout" and confirmed >= k:
            return (
                f"{node(i)}'s suspicion of {node(j)} ran to the long timeout with {confirmed} of {k} confirmations "
                "(k = 0: one flat timeout, the short one)"
            )
        return None

    return suspicion_timer_fires_on_a_live_suspicion


def gossip_goes_to_members(before: State, action: Any, after: State) -> str | None:
    """memberlist gossips to members alive, suspect, or dead for less than GossipToTheDeadTime:
    never to one that left or one it does not know."""
    if _rule(action) != "Gossip":
        return None
    i, k = action.nodes
    status = before.view[i][k][0]
    if status not in (ALIVE, SUSPECT, DEAD):
        return f"{node(i)} gossiped to {node(k)}, which it holds {STATUS[status]}"
    return None


def cut_link_carries_nothing(before: State, action: Any, after: State) -> str | None:
    """The fault model: a message sent over a cut link is lost (nothing reaches the network)."""
    if _rule(action) != "Gossip":
        return None
    i, k = action.nodes
    if not _link_up(before, i, k) and after.network != before.network:
        return f"{node(i)}'s gossip reached {node(k)} over a cut link"
    return None


def broadcast_within_retransmits(before: State, action: Any, after: State) -> str | None:
    """TransmitLimitedQueue: each send of a broadcast spends one of its retransmits; the last
    send drops it from the queue."""
    if _rule(action) != "Gossip":
        return None
    i = action.nodes[0]
    left = dict(before.queue[i]).get(action.message)
    now = dict(after.queue[i]).get(action.message)
    if left is None:
        return f"{node(i)} gossiped a broadcast it had not queued"
    if (now or 0) != left - 1:
        return f"{node(i)} sent a broadcast with {left} sends left, and {now or 0} remain"
    return None


def _merged(peer: tuple[int, int], new: tuple[int, int]) -> bool:
    """mergeState: what a peer's entry may turn the local one into. Alive stays alive, suspect
    and dead arrive as suspect (so the member may refute), left arrives as left."""
    theirs, became = peer[0], new[0]
    if became == ALIVE:
        return theirs == ALIVE
    if became == SUSPECT:
        return theirs in (SUSPECT, DEAD)
    if became == LEFT:
        return theirs == LEFT
    return False  # a push-pull never declares a member dead


def push_pull_merges_by_the_table(before: State, action: Any, after: State) -> str | None:
    """A push-pull (a join is one) changes a member's status on either side only as mergeState
    allows, from the other side's entry: a remote death is never a local death."""
    if _rule(action) not in ("PushPull", "Join"):
        return None
    i, k = action.nodes
    for a, b in ((i, k), (k, i)):
        for x, (old, new) in enumerate(zip(before.view[a], after.view[a], strict=True)):
            if x == a or old[0] == new[0]:
                continue
            if not _merged(before.view[b][x], new):
                peer = before.view[b][x]
                return (
                    f"a push-pull with {node(b)} (holding {node(x)} {STATUS[peer[0]]}@{peer[1]}) turned "
                    f"{node(a)}'s {node(x)} from {STATUS[old[0]]} into {STATUS[new[0]]}"
                )
    return None


def news_only_when_something_changed(before: State, action: Any, after: State) -> str | None:
    """aliveNode, suspectNode and deadNode broadcast only what changed the receiver's state (a
    new status, incarnation or confirmation); a message that changes nothing is not passed on."""
    if _rule(action) != "Receive":
        return None
    r = action.nodes[0]
    same = (
        before.view[r] == after.view[r]
        and before.accusers[r] == after.accusers[r]
        and before.incarnation[r] == after.incarnation[r]
    )
    if same and after.queue[r] != before.queue[r]:
        return f"{node(r)} queued news for broadcast on {action}, which changed nothing it holds"
    return None


def death_evidence_only_grows(before: State, action: Any, after: State) -> str | None:
    """The highest death incarnation a node has heard of a member never falls (E.8's evidence),
    except when the node restarts or reaps the member."""
    if before.death_seen == after.death_seen:
        return None  # nearly every step: nothing to compare
    rule, nodes = _rule(action), getattr(action, "nodes", ())
    for o, (old_row, new_row) in enumerate(zip(before.death_seen, after.death_seen, strict=True)):
        if rule == "Restart" and o in nodes:
            continue
        for x, (old, new) in enumerate(zip(old_row, new_row, strict=True)):
            if new < old and not (rule == "ReapDead" and nodes == (o, x)):
                return f"{node(o)}'s evidence of {node(x)}'s death fell from incarnation {old} to {new} on {action}"
    return None


def step_rules(config: Config) -> list[Property[Any]]:
    """The step properties a configuration makes apply."""
    found: list[Property[Any]] = [
        transition("probe_fails_only_without_ack", probe_fails_only_without_ack, C2),
        transition("suspicion_timer_fires_on_a_live_suspicion", suspicion_timer(config), C3),
        transition("gossip_goes_to_members", gossip_goes_to_members, C6),
        transition("broadcast_within_retransmits", broadcast_within_retransmits, C6),
        transition("news_only_when_something_changed", news_only_when_something_changed, C6),
        transition("death_evidence_only_grows", death_evidence_only_grows, "swarm-semantics.md E.8"),
    ]
    if config.network_faults and config.max_faults:
        found.append(transition("cut_link_carries_nothing", cut_link_carries_nothing, "the fault model: C.2"))
    if config.push_pull or config.joiners or config.restarts:
        found.append(transition("push_pull_merges_by_the_table", push_pull_merges_by_the_table, C6))
    return found
