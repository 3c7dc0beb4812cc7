"""Every Raft property holds on the correct model, every `sometimes` is reached,
and every seeded bug is caught by both engines."""

import attrs
import pytest
from bounds import bounds_off_the_suite, violations_without_the_bug

from model.raft import BUGS, SUITE, Config, Raft
from properties.raft import properties
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS, REACHED
from swarmcheck.engines.stateful import hunt
from swarmcheck.registry import MODELS

ENTRY = MODELS["raft"]


@pytest.mark.parametrize("name", ["two-terms", "reference"])
def test_correct_model_holds_and_reaches_everything(name: str) -> None:
    config = SUITE[name]
    result = explore(Raft(config), properties(config))
    assert result.verdict == HOLDS, result.verdicts
    assert set(result.verdicts.values()) <= {HOLDS, REACHED}


def test_conflicting_entries_are_removed_with_three_servers_and_three_terms() -> None:
    # The state space is millions of states; the explorer stops once the one question is answered.
    config = Config(servers=3, max_term=3, max_log=1, max_msgs=1, restarts=False)
    wanted = [p for p in properties(config) if p.name == "conflicting_entry_removed"]
    result = explore(Raft(config), wanted, max_states=1_000_000)
    assert result.verdicts == {"conflicting_entry_removed": REACHED}


def test_conflicting_entries_need_three_servers() -> None:
    # With two servers every leader holds the other's vote: no conflict can arise.
    two = Config(servers=2, max_term=3, max_log=2, max_msgs=1, restarts=False)
    assert "conflicting_entry_removed" not in {p.name for p in properties(two)}
    removal = [p for p in properties(attrs.evolve(two, servers=3)) if p.name == "conflicting_entry_removed"]
    result = explore(Raft(two), removal)
    assert result.verdicts == {"conflicting_entry_removed": "vacuous"}


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_explorer_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = explore(Raft(config), properties(config))
    assert result.violations, f"{bug} was not caught at {config}"


@pytest.mark.parametrize("bug", bounds_off_the_suite(ENTRY))
def test_correct_model_holds_at_each_bugs_bounds(bug: str) -> None:
    violations = violations_without_the_bug(ENTRY, bug, max_states=60_000)
    assert not violations, violations[0].message


@pytest.mark.parametrize("bug", ["half_is_quorum", "forget_term_on_restart"])
def test_hypothesis_catch_becomes_a_readable_trace(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = hunt(Raft(config), properties(config))
    trace = result.violations[0].trace
    assert trace is not None and trace.steps[0][0] is None
    assert all("(" in str(action) and "=" not in str(action) for action in trace.actions)


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_hypothesis_catches_seeded_bug(bug: str) -> None:
    config = ENTRY.bug_config(bug)
    result = hunt(Raft(config), properties(config))
    assert result.violations, f"{bug} was not caught by the ci profile at {config}"
    trace = result.violations[0].trace
    assert trace is not None and len(trace) >= 2
