"""The Raft model in reference mode against TLC's counts on raft.tla (../shared/reference/raft.md)."""

import attrs

from model.raft import REFERENCE, Raft
from swarmcheck.engines.explore import explore


def test_reference_counts_match_tlc_without_symmetry() -> None:
    result = explore(Raft(REFERENCE), [], symmetry=False)
    assert (result.stats.distinct_states, result.stats.depth) == (22_231, 33)


def test_reference_counts_match_tlc_with_symmetry() -> None:
    result = explore(Raft(REFERENCE), [], symmetry=True)
    assert (result.stats.distinct_states, result.stats.depth) == (11_139, 33)


def test_every_action_kind_but_stale_responses_fires_in_reference_mode() -> None:
    # With two terms no response can outlive its term before it is handled: TLC agrees
    # (DropStaleResponse has no coverage at these bounds). Heal needs a partition (not in raft.tla).
    result = explore(Raft(REFERENCE), [], symmetry=False)
    assert result.stats is not None
    assert result.stats.never_fired == ["DropStaleResponse", "Heal"]  # swarm's kinds are not raft.tla's


def test_stale_responses_are_dropped_once_a_third_term_exists() -> None:
    config = attrs.evolve(REFERENCE, max_term=3, max_msgs=1)
    result = explore(Raft(config), [], symmetry=True)
    assert "DropStaleResponse" in result.stats.coverage


def test_successors_outside_the_bounds_are_neither_counted_nor_expanded() -> None:
    model = Raft(REFERENCE)
    result = explore(model, [], symmetry=False, max_depth=3)
    # Depth 3 from the initial state: timeouts, then a candidate's RequestVotes or a second timeout.
    init = next(iter(model.init_states()))
    level2 = {t for _, t in model.next_steps(init) if model.within_bounds(t) and t != init}
    level3 = {u for t in level2 for _, u in model.next_steps(t) if model.within_bounds(u)} - level2 - {init}
    assert result.stats.distinct_states == 1 + len(level2) + len(level3)
    assert all(max(s.term) <= REFERENCE.max_term for s in level3)
