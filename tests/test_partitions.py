"""Partitions: an even manager count can split with no side able to commit; an odd one
always leaves a majority side that still commits (issue 5, from the explorer's side)."""

import attrs
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from model.raft import SUITE, Config, Raft
from properties.raft import properties
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS, REACHED
from swarmcheck.engines.stateful import PROFILES, hunt, machine_for


def test_four_managers_split_two_two_never_commit() -> None:
    config = SUITE["split-four"]
    result = explore(Raft(config), properties(config))
    assert result.verdict == HOLDS, result.verdicts
    assert result.verdicts["no_commit_without_majority_side"] == HOLDS


def test_three_managers_still_commit_on_the_majority_side() -> None:
    config = SUITE["split-three"]
    result = explore(Raft(config), properties(config))
    assert result.verdicts["majority_side_commits"] == REACHED


def test_five_managers_still_commit_on_the_majority_side() -> None:
    # Too many states to exhaust here; a witness from random search is a proof of reachability.
    config = Config(servers=5, split=2, max_term=2, max_log=1, max_msgs=1, restarts=False)
    wanted = [p for p in properties(config) if p.name == "majority_side_commits"]
    machine = machine_for(Raft(config), wanted)
    run_state_machine_as_test(machine, settings=settings(PROFILES["ci"], max_examples=300))
    assert "majority_side_commits" in machine.reached  # type: ignore[attr-defined]


def test_half_is_quorum_commits_in_an_even_split() -> None:
    config = attrs.evolve(SUITE["split-four"], bugs=frozenset(["half_is_quorum"]))
    by_explorer = explore(Raft(config), properties(config))
    assert "no_commit_without_majority_side" in [v.property for v in by_explorer.violations]
    by_hypothesis = hunt(Raft(config), properties(config))
    assert by_hypothesis.violations, "the ci profile missed half_is_quorum in a 2-2 split"


def test_no_message_crosses_the_partition() -> None:
    healed = SUITE["split-three"]  # the main job's partition heals
    config = attrs.evolve(healed, heal=False)
    result = explore(Raft(config), [], symmetry=False)
    assert result.stats is not None and "Heal" in result.stats.never_fired
    assert "Heal" in explore(Raft(healed), [], max_states=20_000).stats.coverage  # type: ignore[union-attr]


def test_a_partition_is_named_by_one_side() -> None:
    model = Raft(SUITE["split-four"])
    init = next(iter(model.init_states()))
    assert model.canonical(model.permuted(init, (2, 3, 0, 1))) == model.canonical(init)
