"""The gossip membership model (issue 3, first part): C.5's rules hold on the correct
model, every seeded bug is caught by the explorer, and symmetry is sound."""

from itertools import permutations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from walks import reachable_states

from model.gossip import ALIVE, BUGS, DEAD, DEFAULT, LEFT, SUSPECT, Config, Gossip, State
from properties.gossip import _allowed, properties
from swarmcheck.explore import explore
from swarmcheck.result import HOLDS, REACHED

# The bounds each bug is caught at: a newer death report needs two faults (see properties).
BUG_FAULTS = {"stale_alive_revives_dead": 2}
CAUGHT_BY = {
    "stale_alive_revives_dead": "death_evidence_kept",
    "suspect_lower_incarnation": "precedence",
    "anyone_refutes": "only_owner_raises",
    "no_refute": "never_self_suspect",
}


def test_correct_model_holds_and_reaches_everything() -> None:
    result = explore(Gossip(DEFAULT), properties(DEFAULT))
    assert result.verdict == HOLDS, result.verdicts
    # With one fault the budget is spent before any broadcast is in flight to lose.
    assert result.stats is not None and result.stats.never_fired == ["LoseMessage"]


def test_a_newer_death_report_raises_a_dead_nodes_incarnation() -> None:
    config = attrs.evolve(DEFAULT, max_faults=2)
    wanted = [p for p in properties(config) if p.name == "newer_death_recorded"]
    result = explore(Gossip(config), wanted, max_states=300_000)
    assert result.verdicts == {"newer_death_recorded": REACHED}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_explorer_catches_seeded_bug(bug: str) -> None:
    config = Config(max_faults=BUG_FAULTS.get(bug, 1), bugs=frozenset([bug]))
    result = explore(Gossip(config), properties(config))
    assert [v.property for v in result.violations][:1] == [CAUGHT_BY[bug]], result.violations


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ((ALIVE, 1), (ALIVE, 2), True),
        ((ALIVE, 2), (SUSPECT, 2), True),
        ((ALIVE, 2), (SUSPECT, 1), False),
        ((SUSPECT, 2), (SUSPECT, 3), False),
        ((SUSPECT, 2), (ALIVE, 2), False),
        ((SUSPECT, 2), (ALIVE, 3), True),
        ((DEAD, 1), (ALIVE, 2), True),
        ((DEAD, 1), (SUSPECT, 2), False),
        ((DEAD, 1), (DEAD, 2), True),
        ((LEFT, 1), (DEAD, 2), False),
        ((ALIVE, 1), (LEFT, 1), True),
    ],
)
def test_precedence_table(old: tuple[int, int], new: tuple[int, int], allowed: bool) -> None:
    assert _allowed(old, new) == allowed


MODEL = Gossip(Config(max_faults=2))


@given(reachable_states(MODEL, 15), st.sampled_from(list(permutations(range(3)))))
def test_renamed_states_share_a_canonical_form(state: State, order: tuple[int, ...]) -> None:
    assert MODEL.canonical(MODEL.permuted(state, order)) == MODEL.canonical(state)
