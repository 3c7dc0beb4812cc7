"""Every property that can fail has a witness: a seeded bug that it alone catches at the bug's
hunt bounds (`swarmcheck bugs` explores each witness to the end and fails if another property
catches it too, or if none does, as when the property is swapped for one that always holds).
Here: the registry's two lists, witnessed and not yet, cover every such property exactly."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from properties.base import Kind
from swarmcheck.engines.explore import explore
from swarmcheck.registry import MODELS, Entry

CAN_FAIL = {Kind.ALWAYS, Kind.TRANSITION, Kind.LEADS_TO, Kind.EVENTUALLY}


def failing_properties(entry: Entry) -> set[str]:
    """The properties of every configuration the main job and the hunts check that can fail."""
    configs: list[Any] = [entry.default, *entry.suite.values(), *(entry.bug_config(b) for b in entry.bugs)]
    return {p.name for config in configs for p in entry.properties(config) if p.kind in CAN_FAIL}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_property_that_can_fail_is_witnessed_or_listed(name: str) -> None:
    entry = MODELS[name]
    names = failing_properties(entry)
    assert set(entry.witnesses).isdisjoint(entry.unwitnessed)
    assert set(entry.witnesses) | set(entry.unwitnessed) == names
    assert all(reason for reason in entry.unwitnessed.values())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_witness_is_a_seeded_bug_hunted_where_its_property_applies(name: str) -> None:
    entry = MODELS[name]
    assert len(set(entry.witnesses.values())) == len(entry.witnesses)  # one property a bug
    for prop, bug in entry.witnesses.items():
        assert bug in entry.bugs
        assert prop in {p.name for p in entry.properties(entry.bug_config(bug))}
        assert entry.witness_of(bug) == prop


SECURITY = MODELS["security"]


@pytest.mark.parametrize("prop", sorted(SECURITY.witnesses))
def test_a_property_swapped_for_one_that_always_holds_misses_its_witness(prop: str) -> None:
    """What `swarmcheck bugs` checks for every witness, here on security's (each under a second):
    with the property the hunt fails on it alone; swapped for a property that always holds, on nothing."""
    config = SECURITY.bug_config(SECURITY.witnesses[prop])
    model = SECURITY.build(config)
    props = SECURITY.properties(config)
    caught = explore(model, props, stop_at_first=False)
    assert sorted({v.property for v in caught.violations}) == [prop]
    swapped = [attrs.evolve(p, check=lambda *state: None) if p.name == prop else p for p in props]
    assert explore(model, swapped, stop_at_first=False).violations == []
