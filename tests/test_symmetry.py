"""Symmetry reduction: one canonical form per orbit of server renamings."""

from itertools import permutations

from hypothesis import given
from hypothesis import strategies as st
from walks import reachable_states

from model.raft import DEFAULT, Raft, State

MODEL = Raft(DEFAULT)


@given(reachable_states(MODEL, 25), st.sampled_from(list(permutations(range(DEFAULT.servers)))))
def test_renamed_states_share_a_canonical_form(state: State, order: tuple[int, ...]) -> None:
    assert MODEL.canonical(MODEL.permuted(state, order)) == MODEL.canonical(state)


@given(reachable_states(MODEL, 25), st.sampled_from(list(permutations(range(DEFAULT.servers)))))
def test_renaming_preserves_the_successor_count(state: State, order: tuple[int, ...]) -> None:
    renamed = MODEL.permuted(state, order)
    assert len(list(MODEL.next_steps(renamed))) == len(list(MODEL.next_steps(state)))


def test_states_in_different_orbits_differ() -> None:
    init = next(iter(MODEL.init_states()))
    successors = {MODEL.canonical(t) for _, t in MODEL.next_steps(init)}
    # Any one server timing out is one orbit; restarts of fresh followers change nothing.
    assert len(successors) == 2
