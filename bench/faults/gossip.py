"""Gossip faults: each a one-line change mimicking a bug a SWIM or memberlist implementation had."""

from __future__ import annotations

from faults.fault import faults_of

MB, DT, DS = "model/gossip/membership.py", "model/gossip/detection.py", "model/gossip/dissemination.py"
LC, GM, ST = "model/gossip/lifecycle.py", "model/gossip/model.py", "model/gossip/state.py"

_g = faults_of("gossip")


GOSSIP = [
    _g(
        "invalidate_identical_only",
        MB,
        "tuple(q for q in s.queue[i] if q[0][1] != m[1])",
        "tuple(q for q in s.queue[i] if q[0] != m)",
        "a broadcast invalidates only an identical one, not older news about the same node "
        "(memberlist queue.go: Invalidates compares the node's name)",
    ),
    _g(
        "refute_at_same_incarnation",
        MB,
        "new = j + past if j >= own + 1 else own + past",
        "new = j if j >= own + 1 else own",
        "a refutation repeats the accused incarnation instead of exceeding it, so it never overrides the "
        "suspicion (SWIM §4.2; memberlist refute: inc = accusedInc + 1); since made the seeded bug "
        "refute_at_accused_incarnation, news_only_when_something_changed's witness",
    ),
    _g(
        "refute_only_newer_accusations",
        MB,
        "if j < own or s.left[r] or (kind == ALIVE_MSG and j == own):",
        "if j <= own or s.left[r] or (kind == ALIVE_MSG and j == own):",
        "an accusation at the node's current incarnation is not refuted (memberlist suspectNode: "
        "refute when the accusation is about the local node, whatever its incarnation)",
    ),
    _g(
        "refutation_not_gossiped",
        MB,
        "        return self.enqueue(s, r, (ALIVE_MSG, r, new, r))",
        "        return s",
        "the refuting alive is not queued for broadcast, so only push-pull can spread it "
        "(memberlist refute: encodeAndBroadcast)",
    ),
    _g(
        "left_node_refutes",
        MB,
        "if j < own or s.left[r] or (kind == ALIVE_MSG and j == own):",
        "if j < own or (kind == ALIVE_MSG and j == own):",
        "a node that has left refutes the news of its own departure and rejoins by accident "
        "(memberlist deadNode: a leaving node does not refute)",
        "a node that left handles no message at all here: receipt, probes and push-pull need it running",
    ),
    _g(
        "alive_at_same_incarnation_accepted",
        MB,
        '        if m[2] < i or (m[2] == i and not (status == SUSPECT and "alive_clears_suspicion" in self.bugs)):\n'
        "            return s",
        "        if m[2] < i:\n            return s",
        "an alive at the same incarnation clears a suspicion (SWIM §4.2: only a higher incarnation overrides); "
        "its narrower form, on a suspect only, is the seeded bug alive_clears_suspicion, precedence's witness",
    ),
    _g(
        "dead_at_same_incarnation_ignored",
        MB,
        '        if j < i and "dead_is_final" not in self.bugs:',
        '        if j <= i and "dead_is_final" not in self.bugs:',
        "a death report at the member's own incarnation is dropped, so a suspected node never dies "
        "(memberlist deadNode: ignore only if dead.Incarnation < state.Incarnation)",
    ),
    _g(
        "left_node_suspected",
        MB,
        "        if status != ALIVE:\n            return s",
        "        if status == DEAD:\n            return s",
        "a node that left can be suspected again, turning Left back into Suspect (memberlist suspectNode: "
        "ignore unless alive)",
    ),
    _g(
        "suspect_at_same_incarnation_ignored",
        MB,
        '        if j < i and "suspect_lower_incarnation" not in self.bugs:',
        '        if j <= i and "suspect_lower_incarnation" not in self.bugs:',
        "a suspicion at the member's current incarnation is ignored (memberlist suspectNode: "
        "ignore only if s.Incarnation < state.Incarnation)",
    ),
    _g(
        "confirmation_counted_twice",
        MB,
        "if accusers >> accuser & 1 or self.confirmations(s, r, x) >= expected:",
        "if self.confirmations(s, r, x) >= expected:",
        "the same accuser confirms a suspicion twice (Lifeguard suspicion.Confirm keeps a set of "
        "confirmers; memberlist #207's duplicate-confirmation class)",
    ),
    _g(
        "k_from_configured_size",
        MB,
        "known = sum(1 for status, _ in s.view[i] if status != UNKNOWN)",
        "known = self.n",
        "Lifeguard's k from the configured cluster size, not the members the node knows "
        "(memberlist suspectNode: estNumNodes)",
    ),
    _g(
        "k_estimate_off_by_one",
        MB,
        "return 0 if known - 2 < self.k else self.k",
        "return 0 if known - 1 < self.k else self.k",
        "the cluster-size guard on confirmations off by one (memberlist: if n-2 < k then k = 0)",
    ),
    _g(
        "left_node_declared_dead",
        MB,
        "        if status in (DEAD, LEFT):\n            if j > i",
        "        if status == DEAD:\n            if j > i",
        "a later death report turns a Left member into Dead (memberlist deadNode: ignore if already dead or left)",
    ),
    _g(
        "death_evidence_overwritten",
        MB,
        '            if j > seen[x] or (j != seen[x] and "death_evidence_overwritten" in self.bugs):',
        "            if j != seen[x]:",
        "the highest death incarnation heard is overwritten by an older one (E.8's evidence); since made the "
        "seeded bug death_evidence_overwritten, death_evidence_only_grows's witness",
    ),
    _g(
        "timeout_one_confirmation_short",
        DT,
        "        return self.confirmations(s, i, j) >= expected",
        "        return self.confirmations(s, i, j) >= expected - 1",
        "the suspicion expires at the short timeout one confirmation early (Lifeguard §IV-B: "
        "the timeout falls to the minimum only after k confirmations)",
    ),
    _g(
        "long_timeout_beats_refutation",
        DT,
        "        return self.config.long_timeout_race or not self.can_answer(s, i, j)",
        "        return True",
        "the suspicion timer is not stopped by a refutation (memberlist: a suspicion timer that outlives "
        "the alive that refuted it); the same line is now the seeded bug max_timeout_unscaled, no_false_death's "
        "witness",
    ),
    _g(
        "no_indirect_probes",
        DT,
        "        view = s.view[i]\n        return any(",
        "        view = s.view[i]\n        return False and any(",
        "no indirect probes through k helpers, so one cut link makes a node suspect (SWIM §4.1, memberlist "
        "IndirectChecks = 0)",
    ),
    _g(
        "indirect_probe_through_dead_helper",
        DT,
        "            and view[k][0] == ALIVE\n            and self.running(s, k)",
        "            and view[k][0] != 4  # UNKNOWN",
        "an indirect probe is counted as answered through a helper that is down (memberlist kRandomNodes "
        "must skip dead nodes)",
    ),
    _g(
        "slow_prober_not_late",
        DT,
        "        return self.reachable(s, i, j) and not s.slow[i]",
        "        return self.reachable(s, i, j)",
        "a prober's own lag is not modelled: a slow node's late acks count as on time (Lifeguard E.10)",
    ),
    _g(
        "timeout_at_new_incarnation",
        DT,
        "        return self.handle(s, i, (DEAD_MSG, j, s.view[i][j][1], i))",
        "        return self.handle(s, i, (DEAD_MSG, j, s.view[i][j][1] + 1, i))",
        "the death declared at expiry carries a higher incarnation than the suspicion (memberlist "
        "suspicion timeout: dead at the suspected incarnation)",
    ),
    _g(
        "probe_suspects_next_incarnation",
        DT,
        "        return self.handle(s, i, (SUSPECT_MSG, j, known, i))",
        "        return self.handle(s, i, (SUSPECT_MSG, j, s.view[i][j][1] + 1, i))",
        "a failed probe suspects the node at an incarnation it never had (memberlist probeNode: "
        "suspect at the known incarnation); since made the seeded bug suspect_next_incarnation, only_owner_raises's "
        "witness",
    ),
    _g(
        "gossip_crosses_cut",
        DS,
        "network = tuple(sorted((*s.network, (k, m)))) if self.carries(s, i, k) else s.network",
        "network = tuple(sorted((*s.network, (k, m))))",
        "a cut link still carries gossip (a partition test that forgot UDP: the model of the network "
        "is wrong, not the protocol); since made the seeded bug cut_link_carries_gossip, cut_link_carries_nothing's "
        "witness",
    ),
    _g(
        "retransmits_never_spent",
        DS,
        "queue = tuple((q, left - spent if q == m else left) for q, left in s.queue[i])",
        "queue = tuple((q, left) for q, left in s.queue[i])",
        "a broadcast is retransmitted forever (memberlist TransmitLimitedQueue: transmits counted per message); "
        "since made the seeded bug retransmit_not_spent, broadcast_within_retransmits's witness",
    ),
    _g(
        "push_pull_one_way",
        DS,
        "        for x, (status, inc) in enumerate(mine):\n            if status not in left_out:\n"
        "                s = self.handle(s, k, self.merged_as(x, status, inc, k))\n",
        "",
        "push-pull merges only the remote state, not the local one into the peer (memberlist pushPull "
        "is a two-way exchange)",
    ),
    _g(
        "remote_dead_taken_as_dead",
        ST,
        "    return (SUSPECT_MSG, x, inc, receiver)",
        "    return (DEAD_MSG, x, inc, receiver)",
        "push-pull takes a remote Dead as a local death, not a suspicion (memberlist mergeState: "
        "StateDead becomes suspect, so the node gets a chance to refute); since made the seeded bug "
        "remote_dead_taken_as_dead, push_pull_merges_by_the_table's witness",
    ),
    _g(
        "remote_left_as_suspect",
        ST,
        "    if status == LEFT:\n        return (DEAD_MSG, x, inc, x)",
        "    if status == LEFT:\n        return (SUSPECT_MSG, x, inc, receiver)",
        "push-pull takes a remote Left as a suspicion, so a node that left is treated as failed "
        "(memberlist mergeState: StateLeft is merged as a dead from the node itself)",
    ),
    _g(
        "restart_keeps_membership",
        LC,
        "            outside=put(s.outside, i, 1),\n            slow=put(s.slow, i, 0),",
        "            slow=put(s.slow, i, 0),",
        "a restarted node acts as a member without joining again (memberlist: state is not persisted; a "
        "node must Join)",
    ),
    _g(
        "leave_from_wrong_node",
        LC,
        "        return self.enqueue(s, i, (DEAD_MSG, i, s.incarnation[i], i))",
        "        return self.enqueue(s, i, (DEAD_MSG, i, s.incarnation[i], (i + 1) % self.n))",
        "a leave is broadcast with another node as its sender, so peers record a failure "
        "(memberlist Leave: d.From = m.config.Name)",
    ),
    _g(
        "leave_at_old_incarnation",
        LC,
        "(DEAD_MSG, i, s.incarnation[i], i))",
        "(DEAD_MSG, i, s.incarnation[i] - 1, i))",
        "a leave carries an incarnation older than the node's, so peers ignore it and later declare "
        "the node failed (memberlist Leave: Incarnation = m.incarnation)",
    ),
    _g(
        "gossip_to_dead_forever",
        DS,
        "if k != i and s.view[i][k][0] in targets:",
        "if k != i and s.view[i][k][0] != UNKNOWN:",
        "gossip goes to members that left (memberlist gossip: left members are not gossip targets); "
        "since made the seeded bug gossip_to_left, gossip_goes_to_members's witness",
    ),
    _g(
        "probe_the_dead",
        GM,
        "if j != i and s.view[i][j][0] in (ALIVE, SUSPECT) and not self.probe_succeeds(s, i, j):",
        "if j != i and s.view[i][j][0] != UNKNOWN and not self.probe_succeeds(s, i, j):",
        "dead and left members are still probed and suspected (memberlist probe: skips dead nodes)",
    ),
    _g(
        "timeout_after_refutation",
        GM,
        "                    if s.view[i][j][0] != SUSPECT:\n                        continue",
        "                    if s.view[i][j][0] not in (SUSPECT, ALIVE):\n                        continue",
        "the suspicion timer still fires after the node is alive again (memberlist: a timer that "
        "outlives the refutation; suspicion is deleted on alive)",
    ),
    _g(
        "reap_alive_members",
        GM,
        "if x != i and self.running(s, i) and s.view[i][x][0] in (DEAD, LEFT):",
        "if x != i and self.running(s, i) and s.view[i][x][0] != UNKNOWN:",
        "members are reaped whatever their state (memberlist resetNodes: only dead and left ones)",
    ),
    _g(
        "push_pull_with_suspects_only",
        GM,
        "                        and s.view[i][k][0] == ALIVE\n                        and self.linked(s, i, k)",
        "                        and s.view[i][k][0] == SUSPECT\n                        and self.linked(s, i, k)",
        "push-pull picks only suspect peers (memberlist pushPull: a random alive node)",
    ),
]
