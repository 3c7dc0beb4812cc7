"""Every Raft property holds on the correct model, every `sometimes` is reached,
and every seeded bug is caught by both engines."""

import attrs
import pytest

from model.raft import BUGS, SUITE, Config, Raft
from properties.raft import properties
from swarmcheck.explore import explore
from swarmcheck.registry import MODELS
from swarmcheck.result import HOLDS, REACHED
from swarmcheck.stateful import hunt

ENTRY = MODELS["raft"]


@pytest.mark.parametrize("name", ["two-terms", "reference"])
def test_correct_model_holds_and_reaches_everything(name: str) -> None:
    config = SUITE[name]
    result = explore(Raft(config), properties(config))
    assert result.verdict == HOLDS, result.verdicts
    assert set(result.verdicts.values()) <= {HOLDS, REACHED}


def test_conflicting_entries_are_removed_with_three_servers_and_three_terms() -> None:
    config = Config(servers=3, max_term=3, max_log=1, max_msgs=1, restarts=False)
    wanted = [p for p in properties(config) if p.name == "conflicting_entry_removed"]
    result = hunt(Raft(config), wanted)
    assert result.verdicts == {"conflicting_entry_removed": REACHED}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_explorer_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = explore(Raft(config), properties(config))
    assert result.violations, f"{bug} was not caught at {config}"
    clean = explore(Raft(attrs.evolve(config, bugs=frozenset())), properties(config), max_states=50_000)
    assert not clean.violations, f"the correct model fails at {bug}'s bounds: {clean.violations[0].message}"


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_hypothesis_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = hunt(Raft(config), properties(config))
    assert result.violations, f"{bug} was not caught by the ci profile at {config}"
    trace = result.violations[0].trace
    assert trace is not None and len(trace) >= 2
