"""The Raft model's configuration: sizes, bounds and options, the seeded bugs it can switch on
(each one line: what goes wrong, and where it was seen), TLC's reference configuration
and the suite the main job checks.
"""

from __future__ import annotations

import attrs

from model.kernel import validate

BUGS: dict[str, str] = {
    "figure8": "a leader commits an earlier term's entry by counting replicas (Raft §5.4.2, Fig. 8; logcabin#44)",
    "forget_vote_on_restart": "votedFor is not kept across a restart, so a server votes twice in a term "
    "(Raft Fig. 2 'persistent state'; cornerstone#65, akka-raft#56)",
    "half_is_quorum": "half the servers count as a quorum: why even manager counts are dangerous "
    "(Docker admin guide, 'odd number of managers')",
    "skip_log_check_on_vote": "a vote is granted without the up-to-date log check (Raft §5.4.1)",
    "truncate_without_conflict": "a follower deletes everything after prevLogIndex on every AppendEntries, "
    "as one Python Raft library does: unsafe once messages reorder (Raft §5.3, Fig. 2 rule 3)",
    "accept_stale_append": "an AppendEntries of an older term is accepted as if current (Raft Fig. 2, AppendEntries rule 1)",
    "leader_commit_uncapped": "the leader's commit index goes out uncapped by the entries it sends, so a follower "
    "behind commits past its own log (Raft Fig. 2 AppendEntries rule 5: min(leaderCommit, index of last new entry))",
    "no_next_index_backoff": "a leader refused by a follower retries from the same nextIndex instead of one lower, "
    "so a follower missing an earlier entry never catches up and the leader's new entries are never committed "
    "(Raft §5.3: 'After a rejection, the leader decrements nextIndex and retries'): a liveness bug",
    "forget_term_on_restart": "currentTerm is not kept across a restart "
    "(Raft Fig. 2 'persistent state'; ongardie/raft.tla Raft_Term_Not_Persisted.tla)",
    # Figure 2's rules, one each (the witnesses of properties/raft_steps.py: each breaks its rule alone).
    "older_term_adopted": "a server adopts the term of any message whose term differs from its own, older ones "
    "too, so its currentTerm goes back (Raft Fig. 2 'Rules for All Servers': only if T > currentTerm)",
    "vote_kept_on_new_term": "votedFor is not cleared when a newer term is seen, so the server refuses every "
    "candidate of that term (Raft Fig. 2 'Rules for All Servers'; etcd raft.go becomeFollower resets Vote)",
    "restart_keeps_role": "a restarted leader or candidate resumes its role: volatile state survives the crash "
    "(Raft Fig. 2 'State')",
    "vote_in_any_term": "a vote is granted to a candidate of an older term (Raft Fig. 2 RequestVote rule 1)",
    "follower_commit_unbounded": "a follower commits its whole log, past the leader's commit index "
    "(Raft Fig. 2 AppendEntries rule 5)",
    "vote_request_names_current_term": "a RequestVote carries the candidate's current term as lastLogTerm, not the "
    "term of its last entry, so a candidate with a stale log looks up to date (Raft Fig. 2 RequestVote arguments, "
    "§5.4.1)",
    "match_index_kept_on_election": "matchIndex is not reset when a new leadership begins, so a leader counts "
    "replicas a follower confirmed in its earlier term (Raft Fig. 2 'Volatile state on leaders: reinitialized "
    "after election')",
    "prev_term_is_current_term": "an AppendEntries carries the leader's current term as prevLogTerm, not the "
    "term of the entry at prevLogIndex (Raft Fig. 2 AppendEntries arguments)",
    # Swarm's Raft: membership changes (reference B and E.3-E.4; model/raft/membership.py).
    "two_changes_at_once": "one demotion removes two managers in a single entry, so the old and the new "
    "configuration need not share a majority (Raft thesis §4.1: one server at a time)",
    "demote_without_check": "a manager is demoted without swarmkit's CanRemoveMember check, leaving the "
    "reachable managers short of a quorum of the new configuration (swarmkit raft.go, role_manager.go)",
    "change_before_own_term_commit": "a leader proposes a configuration change before it has committed an entry "
    "of its own term, only earlier terms' (Ongaro's 2015 single-server change bug, reference E.3)",
    "pending_change_unchecked": "a leader proposes a configuration change while an earlier one is still "
    "uncommitted (etcd/raft pendingConfIndex: one change at a time; Raft thesis §4.1)",
    "join_without_health_check": "a worker is promoted without the leader reaching it first, so a configuration "
    "can grow by a member nobody reaches and lose its quorum (swarmkit raft.go Join: the joiner's address passes "
    "a health check before the member is added)",
    "removed_member_heard": "messages from a removed Raft member are handled, not ignored, so its terms still "
    "reach the members (swarmkit design/raft.md: removed IDs are blacklisted; moby/swarmkit#1364)",
    "non_member_campaigns": "a server outside its own configuration, a worker or a removed manager, still times "
    "out and campaigns (etcd/raft promotable(): only a member campaigns; moby/swarmkit#1364's disruptive server)",
    "campaign_with_unapplied_change": "with apply-time changes a server campaigns while a committed configuration "
    "change is still unapplied, counting votes with a configuration two changes old (reference E.4: "
    "etcd-io/etcd#7625 and #11284; etcd/raft's hup() refuses while hasUnappliedConfChanges)",
    "commit_recounted": "a leader recounts its commit index from the agreement of its configuration as it is now, "
    "as raft.tla's AdvanceCommitIndex does, so a demotion that shrinks the configuration takes the index back "
    "(Raft Fig. 2: commitIndex increases monotonically; etcd raft_log.go maybeCommit only raises it)",
    # Swarm's Raft: timers (reference B, E.5-E.7; model/raft/timers.py).
    "pre_vote_lower_term_ignored": "a pre-vote request of a term lower than the receiver's is dropped unanswered, "
    "so a server with the better log never learns the later term of one that refuses it: the two refuse each "
    "other forever and no leader is elected (reference E.7: etcd-io/etcd#8243, fixed by answering with a "
    "refusal in the receiver's term; the same deadlock in canonical/raft#279)",
    "lease_ignored": "a server that hears from a live leader still grants a newer term's vote request: CheckQuorum's "
    "lease is lost (etcd raft.go Step, inLease), so a server cut off from the leader but not from the others "
    "deposes it again and again (reference E.6; the Cloudflare 2020 etcd outage ran without the lease)",
}

MEMBERSHIP_STYLES = ("off", "append", "apply")


@attrs.frozen
class Config:
    """Sizes, bounds and options of a Raft model; `bugs` are the seeded bugs switched on."""

    servers: int = 3
    values: int = 1
    max_term: int = 2
    max_log: int = 1
    max_msgs: int = 1
    history: bool = True
    restarts: bool = True  # servers may crash and restart (raft.tla's Restart)
    split: int = 0  # if > 0: servers s1..s{split} start cut off from the rest (a network partition)
    heal: bool = False  # the partition may heal (a Heal action)
    # Swarm's Raft, all off by default (raft.tla's fixed membership):
    managers: int = 0  # if > 0: s1..s{managers} start as Raft members, the rest are workers to promote
    membership: str = "off"  # "append" (the Raft thesis) or "apply" (etcd/raft, swarmkit): when a change counts
    max_cuts: int = 0  # links fail and heal during the run, at most this many cut at once
    ticks: bool = False  # an abstract election timer: a Tick step; a server campaigns only after one
    check_quorum: bool = False  # on Tick a leader not heard from by a quorum steps down (on in swarm)
    pre_vote: bool = False  # a PreVote round before a campaign raises a term (off in swarm)
    partial: bool = False  # the link s1-s3 is cut from the start: s2 reaches both (reference E.6's three-node form)
    relative_terms: bool = False  # states equal up to a shift of every term are one; max_term bounds the spread
    bugs: frozenset[str] = frozenset()

    def __attrs_post_init__(self) -> None:
        limits = {"servers": (1, 7), "values": (0, 5), "max_term": (1, 20), "max_log": (0, 10), "max_msgs": (0, 20)}
        validate("raft", self, limits, BUGS)
        if not 0 <= self.split < self.servers:
            raise ValueError(f"raft: split={self.split} must leave servers on both sides (0..{self.servers - 1})")
        if self.membership not in MEMBERSHIP_STYLES:
            raise ValueError(f"raft: membership={self.membership!r} is not one of: off, append, apply")
        if not 0 <= self.managers <= self.servers:
            raise ValueError(f"raft: managers={self.managers} must be 0 (every server) up to servers={self.servers}")
        if self.managers and self.membership == "off":
            raise ValueError("raft: managers needs membership=append or membership=apply (workers join by promotion)")
        if not 0 <= self.max_cuts <= self.servers * (self.servers - 1) // 2:
            raise ValueError(f"raft: max_cuts={self.max_cuts} is out of range (0..the number of links)")
        if (self.check_quorum or self.pre_vote) and not self.ticks:
            raise ValueError("raft: check_quorum and pre_vote need ticks=true (they are about election timeouts)")
        if self.partial and self.servers < 3:
            raise ValueError("raft: partial=true cuts the link s1-s3 and needs servers=3 or more")
        if self.relative_terms and (self.history or "forget_term_on_restart" in self.bugs):
            raise ValueError(
                "raft: relative_terms needs history=false and no forget_term_on_restart (both name terms absolutely)"
            )

    @property
    def swarm(self) -> bool:
        """Whether any of swarm's additions is on: raft.tla's symmetric fast paths are not for them."""
        return self.membership != "off" or bool(self.max_cuts or self.ticks or self.partial)


REFERENCE = Config(servers=2, values=1, max_term=2, max_log=1, max_msgs=2, history=False)


DEFAULT = Config(servers=3, values=1, max_term=2, max_log=1, max_msgs=1, history=True)


# Reference E.6's three-node form with swarm's timers: the link s1-s3 is cut for good and s2
# reaches both; CheckQuorum on, PreVote off; elections only (no entries), terms relative (two
# apart at most), so a livelock of rising terms is a cycle. `leadership_stable` holds (26,440
# states, about 15 s with its graph); with check_quorum=false leaders are deposed forever.
PARTIAL_PARTITION = Config(
    servers=3, values=0, max_term=2, max_log=0, max_msgs=1, history=False, restarts=False,
    ticks=True, check_quorum=True, partial=True, relative_terms=True,
)  # fmt: skip

SUITE = {
    "three-managers": DEFAULT,
    "two-terms": Config(servers=2, values=1, max_term=3, max_log=1, max_msgs=1, history=True),
    "reference": REFERENCE,
    # A network partition from the start: 2 | 1 still commits on the majority side, and
    # heals; 2 | 2 can never commit (why odd manager counts are recommended).
    "split-three": Config(servers=3, max_term=2, max_log=1, max_msgs=1, restarts=False, split=1, heal=True),
    "split-four": Config(servers=4, max_term=2, max_log=1, max_msgs=1, restarts=False, split=2),
    # Logs longer than one entry: the consistency check on prevLogTerm, a follower's commit
    # index, the up-to-date vote rule's term-before-length order, nextIndex backing off, the
    # Figure 8 rule per entry are only exercised when a log can hold two or three entries.
    "two-entries": Config(servers=2, values=2, max_term=3, max_log=2, max_msgs=1, history=True),
    "three-entries": Config(servers=2, values=1, max_term=3, max_log=3, max_msgs=1, history=True),
    # Swarm's Raft. Two managers and a worker: the worker is promoted (three managers), then a
    # manager is demoted; apply-time, as swarmkit's etcd/raft; crashes allowed.
    "promote-demote": Config(
        servers=3, managers=2, membership="apply", values=0, max_term=2, max_log=3, max_msgs=1, restarts=True
    ),
    # E.6's three-node form with swarm's timers (PARTIAL_PARTITION above).
    "partial-partition": PARTIAL_PARTITION,
    # Three managers; any one link fails and heals while they elect and commit.
    "flaky-link": Config(servers=3, max_term=2, max_log=1, max_msgs=1, restarts=False, max_cuts=1),
    # Walked, not explored (WALKED below).
    "deep-logs": Config(servers=3, values=1, max_term=4, max_log=2, max_msgs=2, restarts=False, history=True),
    "deep-membership": Config(
        servers=3, managers=2, membership="apply", values=0, max_term=3, max_log=3, max_msgs=1, max_cuts=1
    ),
}
# Configurations past an exhaustive search's reach (tens of millions of states), checked by
# seeded random walks instead: (walks, steps per walk), the same walks every run. Three servers,
# four terms and two-entry logs: leaders of three terms whose logs disagree, where the rules
# on prevLogTerm, the up-to-date vote and lastLogTerm decide, and two messages in flight (a
# duplicated refusal backs nextIndex off twice). And swarm's membership past promote-demote:
# a third term, a link that fails, a restart, where the guards on a change and on who may
# campaign decide. bench/faults/raft.py has the faults they catch.
WALKED = {"deep-logs": (3_000, 80), "deep-membership": (3_000, 80)}

FLAKY_LINK = SUITE["flaky-link"]

ONE_TERM = "max_term 2 leaves one election term (all start in term 1): no response is older than its receiver"
ONE_MESSAGE = "max_msgs 1: a duplicate would be a second message in flight"
NO_LEADER = "2 | 2: neither side holds a quorum, so no leader is elected (what the configuration shows)"
# Actions a suite configuration enables but its bounds never reach, and why: coverage fails
# the main job on any other action that never fires.
UNREACHED: dict[str, dict[str, str]] = {
    "three-managers": {"DropStaleResponse": ONE_TERM, "DuplicateMessage": ONE_MESSAGE},
    "two-terms": {"DuplicateMessage": ONE_MESSAGE},
    "two-entries": {"DuplicateMessage": ONE_MESSAGE},
    "three-entries": {"DuplicateMessage": ONE_MESSAGE},
    "reference": {"DropStaleResponse": ONE_TERM},
    "split-three": {"DropStaleResponse": ONE_TERM, "DuplicateMessage": ONE_MESSAGE},
    "promote-demote": {"DropStaleResponse": ONE_TERM, "DuplicateMessage": ONE_MESSAGE},
    "partial-partition": {"DuplicateMessage": ONE_MESSAGE},
    "flaky-link": {"DropStaleResponse": ONE_TERM, "DuplicateMessage": ONE_MESSAGE},
    "split-four": {
        "DropStaleResponse": ONE_TERM,
        "DuplicateMessage": ONE_MESSAGE,
        **dict.fromkeys(
            (
                "BecomeLeader",
                "ClientRequest",
                "AdvanceCommitIndex",
                "AppendEntries",
                "HandleAppendEntriesRequest",
                "HandleAppendEntriesResponse",
            ),
            NO_LEADER,
        ),
    },
}
