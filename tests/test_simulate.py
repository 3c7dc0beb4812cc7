"""The gossip simulation: the figures it prints come from the model and agree with SWIM."""

import random

from swarmcheck.studies.gossip_simulation import (
    SlowNodeRun,
    detection_periods,
    run,
    spread_rounds,
    swim_detection_formula,
)


def test_random_target_detection_matches_swims_formula_at_32_nodes() -> None:
    rng = random.Random(7)
    mean = sum(detection_periods(32, "random", rng) for _ in range(3000)) / 3000
    assert abs(mean - swim_detection_formula(31 / 32)) / swim_detection_formula(31 / 32) < 0.15


def test_round_robin_never_waits_more_than_a_walk() -> None:
    rng = random.Random(7)
    assert max(detection_periods(16, "round-robin", rng) for _ in range(500)) <= 15


def test_a_refutation_reaches_every_node_in_few_rounds() -> None:
    rng = random.Random(3)
    assert all(spread_rounds(n, rng) <= 3 * n.bit_length() for n in (8, 32))


def test_lifeguard_removes_the_slow_nodes_false_deaths() -> None:
    without = SlowNodeRun(8, lifeguard=False, delay=10.0, rng=random.Random(1)).run(60.0)
    with_lifeguard = SlowNodeRun(8, lifeguard=True, delay=10.0, rng=random.Random(1)).run(60.0)
    assert without.declarations > 0
    assert with_lifeguard.declarations == 0
    assert with_lifeguard.suspicions < without.suspicions  # awareness slows the slow prober down


def test_same_seed_same_figures() -> None:
    first = list(run((8,), seed=5, runs=200, slow_delay=10.0, seconds=30.0))
    second = list(run((8,), seed=5, runs=200, slow_delay=10.0, seconds=30.0))
    assert first == second
