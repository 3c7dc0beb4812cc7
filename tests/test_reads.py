"""Reports mark the fields a property reads (issue 16): found by running the check again on
states that note what is read, never guessed from the property's text."""

from __future__ import annotations

from typing import Any

from model.raft import Raft
from properties.base import always
from swarmcheck import registry
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import Trace
from swarmcheck.outputs.html import html_report
from swarmcheck.outputs.reads import fields_read, is_read, paths_read
from swarmcheck.outputs.report import counterexample, markdown


def _report(bug: str) -> dict[str, Any]:
    entry = registry.lookup("raft")
    config = entry.bug_config(bug)
    model = Raft(config)
    props = entry.properties(config)
    (violation, *_) = explore(model, props).violations
    assert violation.trace is not None
    prop = next(p for p in props if p.name == violation.property)
    return counterexample(model, prop, violation, "explore", violation.trace)


def test_a_term_property_reads_the_term_alone_and_its_changes_are_marked() -> None:
    data = _report("forget_term_on_restart")
    assert data["property"] == "current_term_monotonic" and data["reads"] == ["servers.*.term"]
    text = markdown(data)
    assert "- the property reads: `servers.*.term`" in text
    rows = [line for line in text.splitlines() if line.startswith("| 2 ")]
    assert rows and "**servers.s1.term: 2 → 1**" in rows[0] and "| servers.s1.role: Candidate → Follower;" in rows[0]
    page = html_report(data)
    assert '<mark class="read">servers.s1.term: 2 → 1</mark>' in page
    assert '<mark class="read">servers.s1.role' not in page


def test_election_safety_reads_roles_terms_and_the_elections_won() -> None:
    assert _report("forget_vote_on_restart")["reads"] == ["elected", "servers.*.role", "servers.*.term"]


def test_a_check_that_unpacks_the_state_marks_nothing_rather_than_guess() -> None:
    model = Raft(registry.lookup("raft").default)
    (init,) = model.init_states()
    unpacking = always("unpacks", lambda s: None if len(tuple(s)) else "empty", "test")
    reading = always("reads", lambda s: None if s.term[0] >= 0 else "negative", "test")
    trace = Trace([(None, init)])
    assert fields_read(reading, trace) == {"term"} and paths_read(model, reading, trace) == ["servers.*.term"]
    assert fields_read(unpacking, trace) == set()


def test_a_pattern_names_a_field_and_everything_under_it() -> None:
    patterns = ["servers.*.nextIndex", "messages"]
    assert is_read("servers.s1.nextIndex.s2", patterns) and is_read("messages", patterns)
    assert not is_read("servers.s1.matchIndex.s2", patterns) and not is_read("servers.s1.next", patterns)
