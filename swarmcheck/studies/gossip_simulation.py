"""Random timed runs of the gossip model, for the numbers the SWIM and Lifeguard papers give.

The exhaustive explorer treats timers as abstract; here they get memberlist's LAN
defaults (swarm-semantics.md C.2, C.3, C.6): a 1 s probe interval, 200 ms gossip
to 3 nodes, 4 x ceil(log10(n+1)) retransmits, suspicion timeouts from 4 s
(x log10 n) up to 6 times that. Every view change still goes through the model's
own rule methods (`probe_fails`, `suspicion_timeout`, `gossip`, `handle`), so the
runs are runs of the same model; this module only decides *when* each rule fires.

Three experiments:
- spread: gossip rounds until a refutation reaches every node (SWIM: O(log n));
- detection: time to the first detection of a crash, with SWIM's random probe
  target and with memberlist's round-robin order, beside T' / (1 - e^(-q_f));
- false deaths: a slow node (its acks arrive past its deadlines, messages reach it
  late) among healthy ones, with and without Lifeguard.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import attrs

from model.gossip import ALIVE, DEAD, SLOWED, SUSPECT, SUSPECT_MSG, Config, Gossip, State

PROBE_INTERVAL = 1.0  # seconds (C.6, LAN)
GOSSIP_INTERVAL = 0.2
GOSSIP_NODES = 3
INDIRECT_CHECKS = 3
SUSPICION_MULT, MAX_TIMEOUT_MULT = 4, 6
AWARENESS_MAX = 8
LATENCY = 0.002  # one-way, on a LAN


def retransmits(n: int) -> int:
    """C.6: RetransmitMult x ceil(log10(n + 1)), RetransmitMult = 4 on LAN."""
    return 4 * math.ceil(math.log10(n + 1))


def model_for(n: int, lifeguard: bool = True) -> Gossip:
    config = Config(nodes=n, retransmits=retransmits(n), lifeguard=lifeguard, slow=True, simulated=True)
    return Gossip(config)


def swim_detection_formula(q_f: float) -> float:
    """SWIM section 3.1: expected time to the first detection, in protocol periods."""
    return 1 / (1 - math.exp(-q_f))


# ---------------------------------------------------------------- spread


def spread_rounds(n: int, rng: random.Random) -> int:
    """Gossip rounds until every node holds node 0 alive at its new incarnation."""
    model = model_for(n)
    s = next(iter(model.init_states()))
    s = model.about_self(s, 0, (SUSPECT_MSG, 0, 1, 1))  # node 0 refutes: alive(n1, 2) is queued
    rounds = 0
    while any(s.view[o][0] != (ALIVE, 2) for o in range(1, n)):
        rounds += 1
        sent = []
        for i in range(n):
            for m, _ in s.queue[i]:
                for k in rng.sample([k for k in range(n) if k != i], GOSSIP_NODES):
                    s = model.gossip(s, i, k, m)
                    sent.append((k, m))
        s = _clear_network(s)
        for k, m in sent:  # delivered within the round: a LAN round trip is far below 200 ms
            s = model.handle(s, k, m)
        if rounds > 100:
            break  # the broadcast died out before reaching everyone
    return rounds


def _clear_network(s: State) -> State:
    """Messages in flight live in the simulator's event queue, with their arrival times."""
    return attrs.evolve(s, network=())


# ---------------------------------------------------------------- first detection


def detection_periods(n: int, order: str, rng: random.Random) -> int:
    """Protocol periods from a crash until some member probes the crashed node.

    SWIM's analysis: each period every one of the n - 1 live members probes one target.
    `random` picks it uniformly among the n - 1 others (the paper). `round-robin` walks a
    shuffled list of them from wherever the member is in its walk (memberlist, C.2), so
    the crashed node comes up at a uniform place in the next n - 1 periods.
    """
    members = n - 1
    if order == "round-robin":
        return min(rng.randrange(1, members + 1) for _ in range(members))
    period = 1
    while not any(rng.randrange(members) == 0 for _ in range(members)):
        period += 1
    return period


# ---------------------------------------------------------------- false deaths under a slow node


@dataclass
class FalseDeaths:
    declarations: int  # times a node declared a healthy node dead
    suspicions: int
    seconds: float


class SlowNodeRun:
    """One timed run: node 0 is slow, every other node is healthy; nothing crashes."""

    def __init__(self, n: int, lifeguard: bool, delay: float, rng: random.Random) -> None:
        self.model = model_for(n, lifeguard)
        self.n, self.lifeguard, self.delay, self.rng = n, lifeguard, delay, rng
        s = next(iter(self.model.init_states()))
        self.state = self.model.fault(s, SLOWED, slow=(1,) + (0,) * (n - 1))
        self.events: list[tuple[float, int, str, tuple[int, ...], object]] = []
        self.seq = 0
        self.awareness = [0] * n
        self.deadline: dict[tuple[int, int], float] = {}
        self.suspected_at: dict[tuple[int, int], float] = {}
        self.walk = [self._shuffled(i) for i in range(n)]
        self.cursor = [0] * n
        self.result = FalseDeaths(0, 0, 0.0)
        for i in range(n):
            self.at(rng.uniform(0, PROBE_INTERVAL), "probe", (i,))
            self.at(rng.uniform(0, GOSSIP_INTERVAL), "gossip", (i,))

    def _shuffled(self, i: int) -> list[int]:
        others = [x for x in range(self.n) if x != i]
        self.rng.shuffle(others)
        return others

    def at(self, t: float, kind: str, nodes: tuple[int, ...], payload: object = None) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, kind, nodes, payload))

    def run(self, seconds: float) -> FalseDeaths:
        while self.events and self.events[0][0] <= seconds:
            t, _, kind, nodes, payload = heapq.heappop(self.events)
            getattr(self, f"on_{kind}")(t, *nodes, payload)
        self.result.seconds = seconds
        return self.result

    def arrival(self, t: float, k: int) -> float:
        """Messages reach the slow node late (its receive path lags, E.10)."""
        return t + LATENCY + (self.delay if self.state.slow[k] else 0.0)

    # C.2: one probe per (awareness-scaled) interval, round-robin over known live nodes.
    def on_probe(self, t: float, i: int, _: object) -> None:
        s, model = self.state, self.model
        target = self._next_target(i)
        if target is not None:
            if self.lifeguard and s.view[i][target][0] == SUSPECT:  # buddy: tell the accused at once
                self.at(self.arrival(t, target), "deliver", (target,), (SUSPECT_MSG, target, s.view[i][target][1], i))
            if model.probe_succeeds(s, i, target):
                self.awareness[i] = max(0, self.awareness[i] - 1)
            else:
                # A slow prober misses its helpers' nacks too: Lifeguard reads that as its own fault.
                missing = INDIRECT_CHECKS if s.slow[i] else 0
                self.awareness[i] = min(AWARENESS_MAX - 1, self.awareness[i] + (missing if self.lifeguard else 0))
                self._suspect(t, i, target)
        scale = self.awareness[i] + 1 if self.lifeguard else 1
        self.at(t + PROBE_INTERVAL * scale, "probe", (i,))

    def _next_target(self, i: int) -> int | None:
        for _ in range(self.n - 1):
            x = self.walk[i][self.cursor[i] % (self.n - 1)]
            self.cursor[i] += 1
            if self.state.view[i][x][0] in (ALIVE, SUSPECT):
                return x
        return None

    def _suspect(self, t: float, i: int, j: int) -> None:
        before = self.state.view[i][j][0]
        self.state = self.model.probe_fails(self.state, i, j)
        self._after_change(t, i, j, before)

    def _after_change(self, t: float, i: int, j: int, before: int) -> None:
        """Start or shorten i's suspicion timer of j (C.3), and count what became of j."""
        status = self.state.view[i][j][0]
        if status == SUSPECT:
            if before != SUSPECT:
                self.result.suspicions += 1
                self.suspected_at[(i, j)] = t
            due = self.suspected_at[(i, j)] + self._timeout(i, j)
            self.deadline[(i, j)] = due
            self.at(max(t, due), "timeout", (i, j), due)
        elif status == DEAD and before != DEAD and not self.state.slow[j]:
            self.result.declarations += 1

    def _timeout(self, i: int, j: int) -> float:
        """C.3: from max down to min as independent confirmations arrive."""
        low = SUSPICION_MULT * max(1.0, math.log10(max(1, self.n))) * PROBE_INTERVAL
        k = self.model.k
        if not self.lifeguard or k == 0:
            return low
        high = MAX_TIMEOUT_MULT * low
        c = min(k, bin(self.state.accusers[i][j]).count("1") - 1)
        return max(low, high - (math.log(c + 1) / math.log(k + 1)) * (high - low))

    def on_timeout(self, t: float, i: int, j: int, due: object) -> None:
        if self.state.view[i][j][0] == SUSPECT and self.deadline.get((i, j)) == due:
            before = self.state.view[i][j][0]
            self.state = self.model.suspicion_timeout(self.state, i, j)
            self._after_change(t, i, j, before)

    # C.6: every 200 ms, pending broadcasts go to 3 random live-or-suspect nodes.
    def on_gossip(self, t: float, i: int, _: object) -> None:
        s = self.state
        candidates = [k for k in range(self.n) if k != i and s.view[i][k][0] in (ALIVE, SUSPECT)]
        targets = self.rng.sample(candidates, min(GOSSIP_NODES, len(candidates)))
        for m, _left in s.queue[i]:
            for k in targets:
                s = self.model.gossip(s, i, k, m)
                self.at(self.arrival(t, k), "deliver", (k,), m)
        self.state = _clear_network(s)
        self.at(t + GOSSIP_INTERVAL, "gossip", (i,))

    def on_deliver(self, t: float, k: int, m: object) -> None:
        assert isinstance(m, tuple)
        x = m[1]
        before = self.state.view[k][x][0]
        self.state = self.model.handle(self.state, k, m)
        if x != k:
            self._after_change(t, k, x, before)


# ---------------------------------------------------------------- the table


@dataclass
class Row:
    nodes: int
    spread_rounds: float
    log2_n: float
    detect_random: float
    detect_round_robin: float
    formula: float
    false_deaths_off: float
    false_deaths_on: float


def run(sizes: Sequence[int], seed: int, runs: int, slow_delay: float, seconds: float) -> Iterator[Row]:
    rng = random.Random(seed)
    for n in sizes:
        spread = sum(spread_rounds(n, rng) for _ in range(max(1, runs // 20))) / max(1, runs // 20)
        random_periods = sum(detection_periods(n, "random", rng) for _ in range(runs)) / runs
        rr_periods = sum(detection_periods(n, "round-robin", rng) for _ in range(runs)) / runs
        q_f = (n - 1) / n
        deaths = {}
        for lifeguard in (False, True):
            result = SlowNodeRun(n, lifeguard, slow_delay, rng).run(seconds)
            deaths[lifeguard] = result.declarations / (seconds / 60)
        yield Row(
            nodes=n,
            spread_rounds=spread,
            log2_n=math.log2(n),
            detect_random=random_periods * PROBE_INTERVAL,
            detect_round_robin=rr_periods * PROBE_INTERVAL,
            formula=swim_detection_formula(q_f) * PROBE_INTERVAL,
            false_deaths_off=deaths[False],
            false_deaths_on=deaths[True],
        )
