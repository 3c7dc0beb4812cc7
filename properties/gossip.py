"""What memberlist's membership protocol guarantees (reference section C.5), on `model.gossip`.

Every invariant has a `sometimes` partner and a seeded bug in `model.gossip.BUGS`
that breaks it. Accuracy ("no false deaths without faults") waits for the slow
node and Lifeguard, without which no fault-free run can even suspect a node.
"""

from __future__ import annotations

from typing import Any

from model.gossip import ALIVE, DEAD, LEFT, STATUS, SUSPECT, Config, State, node
from properties.base import Property, always, sometimes, sometimes_step, transition

C5 = "swarm-semantics.md C.5 (memberlist state.go aliveNode/suspectNode/deadNode)"


def _restarted(action: Any) -> set[int]:
    return set(action.nodes) if getattr(action, "rule", "") == "Restart" else set()


def _allowed(old: tuple[int, int], new: tuple[int, int]) -> bool:
    """One view change, as C.5's precedence table allows it."""
    (before, i), (after, j) = old, new
    if after == ALIVE:
        return j > i
    if after == SUSPECT:
        return before == ALIVE and j >= i
    if before in (DEAD, LEFT):
        return after == before and j > i  # a newer death report raises the incarnation
    return j >= i


def precedence(before: State, action: Any, after: State) -> str | None:
    """Every view update obeys the precedence table of C.5."""
    fresh = _restarted(action)
    for o, (old_row, new_row) in enumerate(zip(before.view, after.view, strict=True)):
        if o in fresh:
            continue
        for x, (old, new) in enumerate(zip(old_row, new_row, strict=True)):
            if old != new and not _allowed(old, new):
                return (
                    f"{node(o)} changed its view of {node(x)} from {STATUS[old[0]]}@{old[1]} "
                    f"to {STATUS[new[0]]}@{new[1]} on {action}"
                )
    return None


def incarnation_never_decreases(before: State, action: Any, after: State) -> str | None:
    """A stored incarnation never goes down, except through the owner's own restart (C.5)."""
    fresh = _restarted(action)
    for x, (old, new) in enumerate(zip(before.incarnation, after.incarnation, strict=True)):
        if new < old and x not in fresh:
            return f"{node(x)}'s own incarnation went from {old} to {new} on {action}"
    for o, (old_row, new_row) in enumerate(zip(before.view, after.view, strict=True)):
        if o in fresh:
            continue
        for x, (was, now) in enumerate(zip(old_row, new_row, strict=True)):
            if now[1] < was[1]:
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


# ---------------------------------------------------------------- reachability


def suspicion_refuted(before: State, action: Any, after: State) -> bool:
    return any(
        b[0] == SUSPECT and a[0] == ALIVE
        for old, new in zip(before.view, after.view, strict=True)
        for b, a in zip(old, new, strict=True)
    )


def crashed_node_dead_everywhere(s: State) -> bool:
    live = [o for o in range(len(s.up)) if s.up[o] and not s.left[o]]
    return any(not s.up[x] and live and all(s.view[o][x][0] == DEAD for o in live) for x in range(len(s.up)))


def push_pull_repairs(before: State, action: Any, after: State) -> bool:
    return getattr(action, "rule", "") == "PushPull" and before.view != after.view


def node_suspected(s: State) -> bool:
    return any(status == SUSPECT for row in s.view for status, _ in row)


def incarnation_raised(s: State) -> bool:
    return any(inc > 1 for inc in s.incarnation)


def newer_death_recorded(before: State, action: Any, after: State) -> bool:
    return any(
        b[0] in (DEAD, LEFT) and a[0] == b[0] and a[1] > b[1]
        for old, new in zip(before.view, after.view, strict=True)
        for b, a in zip(old, new, strict=True)
    )


def properties(config: Config) -> list[Property[Any]]:
    """The gossip properties for a configuration."""
    found: list[Property[Any]] = [
        transition("precedence", precedence, C5),
        transition("incarnation_never_decreases", incarnation_never_decreases, f"{C5}; refute"),
        always("only_owner_raises", only_owner_raises, f"{C5}: only the node itself increments its incarnation"),
        always("never_self_suspect", never_self_suspect, f"{C5}: messages about the local node"),
        always("death_evidence_kept", death_evidence_kept, "swarm-semantics.md E.8 (al8n/memberlist#197)"),
        sometimes("node_suspected", node_suspected, "swarm-semantics.md C.2 step 4"),
        sometimes("incarnation_raised", incarnation_raised, f"{C5} refute"),
        sometimes_step("suspicion_refuted", suspicion_refuted, f"{C5} refute"),
    ]
    if config.max_faults >= 2:
        # A second death report with a newer incarnation needs a refutation first, and so a
        # fault to cause the suspicion, then another to kill the node.
        found.append(sometimes_step("newer_death_recorded", newer_death_recorded, "swarm-semantics.md E.8"))
    if config.max_faults >= 1:
        found.append(sometimes("crashed_node_dead_everywhere", crashed_node_dead_everywhere, "SWIM §4; C.3"))
    if config.push_pull:
        found.append(sometimes_step("push_pull_repairs", push_pull_repairs, "swarm-semantics.md C.6 push-pull"))
    return found
