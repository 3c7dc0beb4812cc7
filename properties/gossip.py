"""What memberlist's membership protocol guarantees (reference section C.5), on `model.gossip`.

Every invariant has a `sometimes` partner and a seeded bug in `model.gossip.BUGS`
that breaks it.

Accuracy is checked in a stronger form than "no death without any fault" (which
holds vacuously: without a fault no probe fails): a slow node is allowed, since
it is what makes a probe fail without any node being down (E.10), and what
Lifeguard is for. It applies only where Lifeguard's confirmations are in play
(4 nodes or more: below that memberlist expects none, k = 0, and its timeout is
the flat minimum, so a slow node can rightly kill a peer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from model.gossip import ALIVE, DEAD, DEAD_MSG, HARMFUL, LEFT, STATUS, SUSPECT, UNKNOWN, Config, State, node
from properties.base import Property, always, fair, leads_to, sometimes, sometimes_step, transition
from properties.gossip_steps import step_rules

C5 = "swarm-semantics.md C.5 (memberlist state.go aliveNode/suspectNode/deadNode)"


def _restarted(action: Any) -> set[int]:
    return set(action.nodes) if getattr(action, "rule", "") == "Restart" else set()


def _reaped(action: Any) -> tuple[int, int] | None:
    """(i, x) when i dropped dead x from its list (GossipToTheDeadTime), which C.5 does not cover."""
    return action.nodes if getattr(action, "rule", "") == "ReapDead" else None


def _allowed(old: tuple[int, int], new: tuple[int, int]) -> bool:
    """One view change, as C.5's precedence table allows it."""
    (before, i), (after, j) = old, new
    if before == UNKNOWN:
        return after == ALIVE and j > i  # only an alive adds a node (C.5 table, first row)
    if after == ALIVE:
        return j > i
    if after == SUSPECT:
        return before == ALIVE and j >= i
    if before in (DEAD, LEFT):
        return after == before and j > i  # a newer death report raises the incarnation
    return after != UNKNOWN and j >= i


def precedence(before: State, action: Any, after: State) -> str | None:
    """Every view update obeys the precedence table of C.5."""
    fresh, reaped = _restarted(action), _reaped(action)
    for o, (old_row, new_row) in enumerate(zip(before.view, after.view, strict=True)):
        if o in fresh or old_row is new_row:  # a row no step touched is shared, not copied
            continue
        for x, (old, new) in enumerate(zip(old_row, new_row, strict=True)):
            if (o, x) == reaped and old[0] in (DEAD, LEFT) and new == (UNKNOWN, 0):
                continue  # resetNodes forgets a member dead or left long enough
            if old != new and not _allowed(old, new):
                return (
                    f"{node(o)} changed its view of {node(x)} from {STATUS[old[0]]}@{old[1]} "
                    f"to {STATUS[new[0]]}@{new[1]} on {action}"
                )
    return None


def incarnation_never_decreases(before: State, action: Any, after: State) -> str | None:
    """A stored incarnation never goes down, except through the owner's own restart (C.5)."""
    fresh, reaped = _restarted(action), _reaped(action)
    for x, (old, new) in enumerate(zip(before.incarnation, after.incarnation, strict=True)):
        if new < old and x not in fresh:
            return f"{node(x)}'s own incarnation went from {old} to {new} on {action}"
    for o, (old_row, new_row) in enumerate(zip(before.view, after.view, strict=True)):
        if o in fresh or old_row is new_row:
            continue
        for x, (was, now) in enumerate(zip(old_row, new_row, strict=True)):
            if now[1] < was[1] and (o, x) != reaped:
                return f"{node(o)}'s view of {node(x)} went from incarnation {was[1]} to {now[1]} on {action}"
    return None


def only_owner_raises(s: State) -> str | None:
    """Only a node raises its own incarnation: no view holds more than its owner ever had."""
    for o, row in enumerate(s.view):
        for x, (status, inc) in enumerate(row):
            if inc > s.highest[x]:
                return f"{node(o)} holds {node(x)} {STATUS[status]}@{inc}, but {node(x)} never went past {s.highest[x]}"
    return None


def never_self_suspect(s: State) -> str | None:
    """A running node never holds itself suspect or dead: it refutes instead (C.5)."""
    for i, row in enumerate(s.view):
        if s.up[i] and not s.left[i] and row[i][0] != ALIVE:
            return f"{node(i)} holds itself {STATUS[row[i][0]]}@{row[i][1]}"
    return None


def death_evidence_kept(s: State) -> str | None:
    """The stored incarnation is at least the highest death evidence heard: no node is
    revived by an alive older than its latest death report (reference E.8)."""
    for o, row in enumerate(s.view):
        for x, (status, inc) in enumerate(row):
            if x != o and inc < s.death_seen[o][x]:
                return (
                    f"{node(o)} holds {node(x)} {STATUS[status]}@{inc} after hearing dead({node(x)}, "
                    f"incarnation {s.death_seen[o][x]})"
                )
    return None


def accuracy(before: State, action: Any, after: State) -> str | None:
    """What Lifeguard promises (paper sections 2-3; C.3): with no crash, loss or cut so far, no
    healthy node (running, not slow) is declared dead at the short timeout, even with a slow
    node about: that takes k = 2 confirmations from other accusers, and a healthy prober does
    not accuse a healthy node. The long timeout may still expire before a refutation arrives
    (`false_death_at_long_timeout`): Lifeguard narrows that window, it does not close it."""
    if getattr(action, "rule", "") != "SuspicionTimeout" or before.broken & HARMFUL:
        return None
    i, j = action.nodes
    if _healthy(before, j):
        return f"{node(i)} declared healthy {node(j)} dead at the short timeout on {action}"
    return None


def no_false_death(s: State) -> str | None:
    """With no crash, loss or cut so far, no healthy node is declared dead at all, if every
    refutation that can be sent beats the long timeout (`long_timeout_race` off)."""
    if s.broken & HARMFUL:
        return None
    for o, row in enumerate(s.view):
        for x, (status, inc) in enumerate(row):
            if status == DEAD and _healthy(s, x):
                return f"{node(o)} declared {node(x)} dead@{inc}, but {node(x)} runs and is not slow"
    return None


def false_death_at_long_timeout(before: State, action: Any, after: State) -> bool:
    """A healthy node declared dead when the long timeout beat its refutation (the cost Lifeguard leaves)."""
    return getattr(action, "rule", "") == "SuspicionMaxTimeout" and _healthy(before, action.nodes[1])


def _healthy(s: State, x: int) -> bool:
    return bool(s.up[x]) and not s.left[x] and not s.outside[x] and not s.slow[x]


# ---------------------------------------------------------------- reachability


def healthy_node_suspected_without_harm(s: State) -> bool:
    """A false suspicion, with no crash, loss or cut: the states accuracy speaks of."""
    return not s.broken & HARMFUL and any(
        row[x][0] == SUSPECT and _healthy(s, x) for row in s.view for x in range(len(row))
    )


def _entry_changes(before: State, after: State) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Every view entry, before and after a step."""
    for old, new in zip(before.view, after.view, strict=True):
        yield from zip(old, new, strict=True)


def dead_node_revived(before: State, action: Any, after: State) -> bool:
    """A node held dead is alive again in some view: memberlist's rejoin (C.5)."""
    return any(b[0] == DEAD and a[0] == ALIVE for b, a in _entry_changes(before, after))


def joiner_known_everywhere(s: State) -> bool:
    joined = [x for x in range(len(s.up)) if s.up[x] and not s.outside[x]]
    return len(joined) == len(s.up) and all(s.view[o][x][0] == ALIVE for o in joined for x in joined)


def suspicion_refuted(before: State, action: Any, after: State) -> bool:
    return any(b[0] == SUSPECT and a[0] == ALIVE for b, a in _entry_changes(before, after))


def crashed_node_dead_everywhere(s: State) -> bool:
    live = [o for o in range(len(s.up)) if s.up[o] and not s.left[o] and not s.outside[o]]
    return any(not s.up[x] and live and all(s.view[o][x][0] == DEAD for o in live) for x in range(len(s.up)))


def push_pull_repairs(before: State, action: Any, after: State) -> bool:
    return getattr(action, "rule", "") == "PushPull" and before.view != after.view


def node_suspected(s: State) -> bool:
    return any(status == SUSPECT for row in s.view for status, _ in row)


def incarnation_raised(s: State) -> bool:
    return any(inc > 1 for inc in s.incarnation)


def newer_death_recorded(before: State, action: Any, after: State) -> bool:
    return any(b[0] in (DEAD, LEFT) and a[0] == b[0] and a[1] > b[1] for b, a in _entry_changes(before, after))


# ---------------------------------------------------------------- liveness

# After the faults: no crash, restart, leave, slowdown, loss or cut again; a cut link heals;
# every node's probes, suspicion timers, gossip, receipts, push-pulls and joins go on (each
# pair of nodes, each message, on its own). Timers are abstract, so "eventually" stands for
# "after some probe periods".
AFTER_FAULTS = fair(
    weak=("ProbeFails", "SuspicionTimeout", "SuspicionMaxTimeout", "Gossip", "Receive", "PushPull", "Join", "HealLink"),
    stops=("Crash", "Restart", "Leave", "SlowDown", "LoseMessage", "CutLink"),
)


def _running(s: State) -> list[int]:
    return [o for o in range(len(s.up)) if s.up[o] and not s.left[o] and not s.outside[o]]


def crash_undetected(s: State) -> bool:
    """A crashed node some running member still holds alive or suspect."""
    live = _running(s)
    return any(
        not s.up[x] and not s.left[x] and any(s.view[o][x][0] in (ALIVE, SUSPECT) for o in live)
        for x in range(len(s.up))
    )


def running_node_not_alive_somewhere(s: State) -> bool:
    """A running member some other running member does not hold alive."""
    live = _running(s)
    return any(s.view[o][x][0] != ALIVE for x in live for o in live if o != x)


def liveness(config: Config) -> list[Property[Any]]:
    """Completeness (SWIM §3-4: every crash is eventually detected by every member) and
    eventual accuracy (reference E.9: a running node is eventually alive in every member's
    view), after the faults. Accuracy is left out with a slow node: a slow prober may
    suspect a healthy node again and again (E.10), until the incarnation bound; and without
    push-pull: a broadcast that ran out of retransmits over a cut link is never repaired (the
    main job found a join lost so in `join-lossy`: memberlist relies on push-pull, C.6)."""
    found: list[Property[Any]] = []
    if config.crashes and config.max_faults:
        found.append(
            leads_to(
                "crash_eventually_detected",
                crash_undetected,
                lambda s: not crash_undetected(s),
                AFTER_FAULTS,
                "SWIM paper §3-4 (strong completeness); swarm-semantics.md C.2, C.3",
                "Every crashed node is eventually suspected, then dead, in every running member's view.",
            )
        )
    if not config.slow and config.push_pull:
        found.append(
            leads_to(
                "running_node_eventually_alive",
                running_node_not_alive_somewhere,
                lambda s: not running_node_not_alive_somewhere(s),
                AFTER_FAULTS,
                "swarm-semantics.md E.9 (hashicorp/memberlist#311); C.5 refute, C.6 push-pull",
                "Once the faults stop, every running member is alive in every other running member's "
                "view: a suspected or restarted node refutes its accusation, and the news spreads.",
            )
        )
        found.append(sometimes("member_not_alive_somewhere", running_node_not_alive_somewhere, "C.5"))
    return found


def left_only_after_leave(s: State) -> str | None:
    """C.5 deadNode: a member is recorded Left only if it left (its own dead message, From = the
    node); a crash or a timeout leaves it Dead."""
    for o, row in enumerate(s.view):
        for x, (status, inc) in enumerate(row):
            if status == LEFT and not s.left[x]:
                return f"{node(o)} holds {node(x)} left@{inc}, but {node(x)} never left"
    return None


def leave_recorded_as_left(before: State, action: Any, after: State) -> str | None:
    """C.5 deadNode: a node that takes a leave (a dead message its subject sent about itself)
    records the subject Left, never Dead."""
    m = getattr(action, "message", None)
    if getattr(action, "rule", "") != "Receive" or m is None or m[0] != DEAD_MSG or m[3] != m[1]:
        return None
    (receiver,), x = action.nodes, m[1]
    status = after.view[receiver][x][0]
    if status == DEAD and before.view[receiver][x] != after.view[receiver][x]:
        return f"{node(receiver)} took {node(x)}'s leave as a death on {action}"
    return None


def node_left_gracefully(s: State) -> bool:
    """Some member holds a node Left: the states the two properties above speak of."""
    return any(status == LEFT for row in s.view for status, _ in row)


def confirmed_suspicion_expires(before: State, action: Any, after: State) -> bool:
    """A suspicion that k = 2 other accusers confirmed expires (Lifeguard's short timeout, C.3)."""
    if getattr(action, "rule", "") != "SuspicionTimeout":
        return False
    i, j = action.nodes
    return bin(before.accusers[i][j]).count("1") - 1 >= 2


def dead_member_reaped(before: State, action: Any, after: State) -> bool:
    """A member dead or left for GossipToTheDeadTime is dropped from a node's list (resetNodes)."""
    return getattr(action, "rule", "") == "ReapDead"


def one_broadcast_per_subject(s: State) -> str | None:
    """A node's queue holds at most one broadcast about each node: a newer one replaces the
    older (C.6; memberlist queue.go, a NamedBroadcast invalidates those of the same name)."""
    for i, queue in enumerate(s.queue):
        subjects = [m[1] for m, _ in queue]
        for x in set(subjects):
            if subjects.count(x) > 1:
                return f"{node(i)} queues {subjects.count(x)} broadcasts about {node(x)}"
    return None


def broadcast_replaced(before: State, action: Any, after: State) -> bool:
    """A node queues news about a node it already had queued news about (the older is replaced)."""
    for old, new in zip(before.queue, after.queue, strict=True):
        was = {m[1]: m for m, _ in old}
        if any(m[1] in was and was[m[1]] != m for m, _ in new):
            return True
    return False


def properties(config: Config) -> list[Property[Any]]:
    """The gossip properties for a configuration."""
    found: list[Property[Any]] = [
        transition("precedence", precedence, C5),
        transition("incarnation_never_decreases", incarnation_never_decreases, f"{C5}; refute"),
        always("only_owner_raises", only_owner_raises, f"{C5}: only the node itself increments its incarnation"),
        always("never_self_suspect", never_self_suspect, f"{C5}: messages about the local node"),
        always("death_evidence_kept", death_evidence_kept, "swarm-semantics.md E.8 (al8n/memberlist#197)"),
        always("one_broadcast_per_subject", one_broadcast_per_subject, "swarm-semantics.md C.6; memberlist queue.go"),
    ]
    if config.max_faults >= 1:  # without a fault every probe succeeds
        found.append(sometimes("node_suspected", node_suspected, "swarm-semantics.md C.2 step 4"))
    if config.max_faults >= 1 and config.max_incarnation >= 2:  # a refutation raises the incarnation past 1
        found.append(sometimes("incarnation_raised", incarnation_raised, f"{C5} refute"))
        found.append(sometimes_step("suspicion_refuted", suspicion_refuted, f"{C5} refute"))
        # The refutation's alive replaces the queued suspicion (a news item about one node).
        found.append(sometimes_step("broadcast_replaced", broadcast_replaced, "swarm-semantics.md C.6"))
    if config.max_faults >= 2:
        # A second death report with a newer incarnation needs a refutation first, and so a
        # fault to cause the suspicion, then another to kill the node.
        found.append(sometimes_step("newer_death_recorded", newer_death_recorded, "swarm-semantics.md E.8"))
    if config.max_faults >= 1 and config.crashes:  # a leave is one of the crash faults
        found.append(always("left_only_after_leave", left_only_after_leave, f"{C5}; memberlist.go Leave"))
        found.append(transition("leave_recorded_as_left", leave_recorded_as_left, f"{C5}; memberlist.go Leave"))
        found.append(sometimes("node_left_gracefully", node_left_gracefully, f"{C5}; memberlist.go Leave"))
        found.append(sometimes("crashed_node_dead_everywhere", crashed_node_dead_everywhere, "SWIM §4; C.3"))
    if config.push_pull:
        found.append(sometimes_step("push_pull_repairs", push_pull_repairs, "swarm-semantics.md C.6 push-pull"))
    if (
        config.max_faults >= 1
        and config.crashes
        and config.restarts
        and config.push_pull
        and config.max_incarnation >= 2
    ):
        found.append(sometimes_step("dead_node_revived", dead_node_revived, f"{C5}: Dead is not absolute"))
    if config.lifeguard and config.slow and config.max_faults >= 1 and config.confirmations_needed:
        lifeguard = "Lifeguard paper sections 2-3; swarm-semantics.md C.3, C.4, E.10"
        found.append(transition("accuracy", accuracy, lifeguard))
        if config.long_timeout_race:
            found.append(sometimes_step("false_death_at_long_timeout", false_death_at_long_timeout, lifeguard))
        else:
            refuted = f"{lifeguard}; assumes a refutation beats the long timeout when it can be sent"
            found.append(always("no_false_death", no_false_death, refuted))
        found.append(sometimes("healthy_node_suspected_without_harm", healthy_node_suspected_without_harm, lifeguard))
    if config.lifeguard and config.confirmations_needed and config.crashes and config.max_faults >= 1:
        lifeguard_c3 = "swarm-semantics.md C.3 (suspicion.go Confirm)"
        found.append(sometimes_step("confirmed_suspicion_expires", confirmed_suspicion_expires, lifeguard_c3))
    if config.reap and config.crashes and config.max_faults >= 1:
        found.append(sometimes_step("dead_member_reaped", dead_member_reaped, "memberlist state.go resetNodes"))
    if config.joiners:
        found.append(sometimes("joiner_known_everywhere", joiner_known_everywhere, "swarm-semantics.md C.6 join"))
    return found + step_rules(config) + liveness(config)
