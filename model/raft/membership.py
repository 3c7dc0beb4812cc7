"""Swarm's managers come and go: single-server membership changes (Raft thesis §4.1; etcd/raft
and swarmkit, reference B), one method per rule.

A configuration is the set of Raft members, a bitmask. It travels in the log as an entry
`(term, -mask)`; a leader's first entry of its term is a no-op `(term, 0)`, as etcd/raft
appends one. Which configuration a server uses depends on the style:
- `append` (the thesis): the latest configuration entry in its log, committed or not;
- `apply` (etcd/raft, swarmkit): the latest one it has applied (`State.applied`).
Servers s1..s{managers} start as members; the others are workers a leader may promote.
Raft IDs are never reused: a server that was a member once is never added again, and
messages from a member its configuration removed are dropped unread (swarmkit's blacklist).
Not modelled: TransferLeadership (a leader never demotes itself here: swarmkit's role
manager transfers leadership first) and `docker swarm leave` (a manager's leave is its
demotion, through the leader, under the same CanRemoveMember check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from model.kernel import put
from model.raft.actions import Apply, Demote, Promote
from model.raft.config import Config
from model.raft.state import Log, Msg, State, s_with


def configurations(log: Log) -> Iterator[tuple[int, int]]:
    """(index, members) of every configuration entry in a log, in order."""
    for index, (_, value) in enumerate(log, 1):
        if value < 0:
            yield index, -value


def latest_configuration(log: Log, initial: int) -> int:
    """The members named by the last configuration entry of `log` (the initial ones if none)."""
    for _, value in reversed(log):
        if value < 0:
            return -value
    return initial


def ever_members(log: Log, initial: int) -> int:
    """Every server some configuration of `log` (or the initial one) named: IDs never reused."""
    known = initial
    for _, members in configurations(log):
        known |= members
    return known


def has_majority(members: int, mask: int, half_counts: bool = False) -> bool:
    """Whether `mask` holds a majority of `members` (half of them, with `half_is_quorum`)."""
    present = 2 * (mask & members).bit_count()
    return present >= members.bit_count() if half_counts else present > members.bit_count()


class Membership:
    """Which configuration each server uses, and the steps that change it."""

    config: Config
    n: int
    bugs: frozenset[str]
    linked: Callable[[State, int, int], bool]  # links.py

    def setup_membership(self) -> None:
        c = self.config
        self._initial = (1 << (c.managers or c.servers)) - 1
        self._applying = c.membership == "apply"
        self._changes = c.membership != "off"

    # ------------------------------------------------------------ what a server uses

    def used_log(self, s: State, i: int) -> Log:
        """The part of i's log its configuration comes from: all of it, or what it applied."""
        return s.log[i][: s.applied[i]] if self._applying else s.log[i]

    def configuration(self, s: State, i: int) -> int:
        return latest_configuration(self.used_log(s, i), self._initial) if self._changes else self._initial

    def has_quorum(self, s: State, i: int, mask: int) -> bool:
        """Whether `mask` is a quorum of the configuration server i counts with."""
        return has_majority(self.configuration(s, i), mask, "half_is_quorum" in self.bugs)

    def removed_sender(self, s: State, m: Msg) -> bool:
        """Whether the receiver's configuration removed the message's sender (its ID blacklisted)."""
        if not self._changes or "removed_member_heard" in self.bugs:
            return False
        i, j = m[3], m[2]
        used = self.used_log(s, i)
        gone = ever_members(used, self._initial) & ~latest_configuration(used, self._initial)
        return bool(gone >> j & 1)

    def may_campaign(self, s: State, i: int) -> bool:
        """etcd's promotable(): only a member campaigns; with apply-time changes, not while a
        committed change is still unapplied (raft.go hasUnappliedConfChanges)."""
        if not self.configuration(s, i) >> i & 1 and "non_member_campaigns" not in self.bugs:
            return False
        if self._applying and "campaign_with_unapplied_change" not in self.bugs:
            committed = s.log[i][s.applied[i] : s.commit_index[i]]
            return all(value >= 0 for _, value in committed)
        return True

    # ------------------------------------------------------------ a leader changes the membership

    def change_allowed(self, s: State, i: int) -> bool:
        """A leader proposes a change only with none pending (etcd pendingConfIndex) and after it
        has committed an entry of its own term (the fix of Ongaro's 2015 single-server bug)."""
        log = s.log[i]
        if len(log) >= self.config.max_log:
            return False
        settled = s.applied[i] if self._applying else s.commit_index[i]
        if any(value < 0 for _, value in log[settled:]) and "pending_change_unchecked" not in self.bugs:
            return False
        if "change_before_own_term_commit" in self.bugs:  # seeded: E.3, Ongaro's 2015 bug
            return settled > 0
        return settled > 0 and log[settled - 1][0] == s.term[i]

    def membership_steps(self, s: State, i: int) -> Iterator[tuple[Promote | Demote, State]]:
        """Promote and Demote for leader i: a worker never a member joins once the leader reaches
        it (swarmkit raft.go Join checks the joiner's address first); a member other than the
        leader leaves if CanRemoveMember allows it."""
        if not self.change_allowed(s, i):
            return
        members = self.configuration(s, i)
        known = ever_members(s.log[i], self._initial)
        check_health = "join_without_health_check" not in self.bugs
        for j in range(self.n):
            if not known >> j & 1 and (not check_health or self.linked(s, i, j)):
                yield Promote(i, j), self._append_configuration(s, i, members | 1 << j)
        if members.bit_count() < 2:
            return  # "attempting to demote the last manager of the swarm"
        for j in range(self.n):
            if j != i and members >> j & 1 and self.can_remove_member(s, i, j, members):
                gone = 1 << j
                if "two_changes_at_once" in self.bugs:
                    others = [k for k in range(self.n) if members >> k & 1 and k not in (i, j)]
                    gone |= 1 << others[0] if others else 0
                yield Demote(i, j), self._append_configuration(s, i, members & ~gone)

    def can_remove_member(self, s: State, i: int, j: int, members: int) -> bool:
        """swarmkit raft.go CanRemoveMember: the members other than j that leader i reaches
        (itself always) number at least a majority of the new size, floor((|M| - 1) / 2) + 1."""
        if "demote_without_check" in self.bugs:
            return True
        reachable = sum(1 for k in range(self.n) if k != j and members >> k & 1 and self.linked(s, i, k))
        return reachable >= (members.bit_count() - 1) // 2 + 1

    def _append_configuration(self, s: State, i: int, members: int) -> State:
        return s_with(s, log=put(s.log, i, s.log[i] + ((s.term[i], -members),)))

    def election_no_op(self, s: State, i: int) -> tuple[Log, ...]:
        """The logs after leader i appends its term's no-op (etcd/raft becomeLeader), room permitting."""
        if not self._changes or len(s.log[i]) >= self.config.max_log:
            return s.log
        return put(s.log, i, s.log[i] + ((s.term[i], 0),))

    # ------------------------------------------------------------ apply-time

    def apply_steps(self, s: State) -> Iterator[tuple[Apply, State]]:
        """Apply(i): server i applies what it has committed (its configuration moves here)."""
        if not self._applying:
            return
        for i in range(self.n):
            if s.commit_index[i] > s.applied[i]:
                yield Apply(i), s_with(s, applied=put(s.applied, i, s.commit_index[i]))
