"""What the explorer's speed rests on: the promises a model makes about its successors and
keys (model/kernel.py) hold, and the shortcuts they allow change no count."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from collections.abc import Hashable, Iterator
from typing import Any

import pytest

from model.gossip.state import Step
from model.raft import BUGS, Config, Raft
from swarmcheck import registry
from swarmcheck.engines.explore import explore
from swarmcheck.engines.search import fingerprint_of


def _ints_no_lower_than_nil(value: Hashable) -> Iterator[str]:
    """Every part of a key that hash() could confuse with another."""
    if isinstance(value, tuple):
        for part in value:
            yield from _ints_no_lower_than_nil(part)
    elif not isinstance(value, int) or value < -1:
        yield repr(value)


def _reachable(model: Raft) -> Iterator[tuple[Any, bool]]:
    """Every successor in the bounded space, breadth-first, and whether it is met first here."""
    seen = {model.key(s) for s in model.init_states()}
    frontier = list(model.init_states())
    while frontier:
        following = []
        for s in frontier:
            for _, t in model.next_steps(s):
                new = model.key(t) not in seen
                yield t, new
                if new:
                    seen.add(model.key(t))
                    following.append(t)
        frontier = following


TWO_ENTRIES = Config(servers=2, max_term=3, max_log=2, max_msgs=1, values=1, history=True)
SMALL = [TWO_ENTRIES] + [Config(servers=2, max_term=2, max_log=1, max_msgs=1, bugs=frozenset({bug})) for bug in BUGS]


@pytest.mark.parametrize("config", SMALL, ids=["two-entries", *BUGS])
def test_raft_keeps_its_promises_to_the_explorer(config: Config) -> None:
    model = Raft(config)
    assert model.successors_within_bounds and model.hash_fingerprints
    pairs = 0
    for t, new in _reachable(model):
        pairs += 1
        assert model.within_bounds(t), f"a successor outside the bounds: {model.describe_state(t)}"
        for key in (model.key(t), model.canonical(t)) if new else ():  # a state's keys once
            assert not list(_ints_no_lower_than_nil(key)), f"hash() could merge states: {key}"
    assert pairs > 1_000


def _first_states(model: Any, most: int) -> Iterator[Any]:
    """The first `most` states of a breadth-first search."""
    seen = {model.key(s) for s in model.init_states()}
    frontier = deque(model.init_states())
    while frontier and len(seen) < most:
        s = frontier.popleft()
        yield s
        for _, t in model.next_steps(s):
            if model.key(t) not in seen:
                seen.add(model.key(t))
                frontier.append(t)


@pytest.mark.parametrize("name", ["gossip", "scheduler", "security"])
def test_every_model_keys_its_states_as_hash_can_tell_apart(name: str) -> None:
    """The other models promise hash() fingerprints too (their fields are tuples of ints built
    from constants no lower than -1): the first states of every main-job configuration."""
    entry = registry.lookup(name)
    for config in entry.suite.values():
        model = entry.build(config)
        assert model.hash_fingerprints
        for s in _first_states(model, 3_000):
            for key in (model.key(s), model.canonical(s)):
                assert not list(_ints_no_lower_than_nil(key)), f"hash() could merge states: {key}"


@pytest.mark.parametrize("config", sorted(registry.lookup("gossip").suite))
def test_gossip_withholds_exactly_the_sends_that_overflow_the_network(config: str) -> None:
    """Gossip guards max_msgs in next_steps: each send it leaves out is named by withheld_steps
    and would cross the bound; each it yields stays inside (the other bounds stay unguarded)."""
    entry = registry.lookup("gossip")
    model = entry.build(entry.suite[config])
    withheld_somewhere = 0
    for s in _first_states(model, 3_000):
        yielded = {a for a, _ in model.next_steps(s) if a.rule == "Gossip"}
        withheld = {a for a, bound in model.withheld_steps(s) if bound == "max_msgs"}
        withheld_somewhere += bool(withheld)
        assert not yielded & withheld
        for i, k, m in model.gossip_sends(s):
            action, t = Step("Gossip", (i, k), m), model.gossip(s, i, k, m)
            assert (action in withheld) == (len(t.network) > model.config.max_msgs), model.describe_state(s)
            assert (action in yielded) != (action in withheld)
    assert withheld_somewhere


class _Unpromised(Raft):
    """The same model, promising nothing: every successor checked, every key marshalled."""

    successors_within_bounds = False
    hash_fingerprints = False


@pytest.mark.parametrize("symmetry", [False, True])
def test_the_shortcuts_change_no_count(symmetry: bool) -> None:
    fast = explore(Raft(TWO_ENTRIES), [], symmetry=symmetry).stats
    slow = explore(_Unpromised(TWO_ENTRIES), [], symmetry=symmetry).stats
    assert fast is not None and slow is not None
    assert (fast.distinct_states, fast.transitions, fast.depth) == (slow.distinct_states, slow.transitions, slow.depth)
    assert fast.coverage == slow.coverage


def test_a_fingerprint_is_the_same_in_every_process() -> None:
    """A checkpoint is resumed by another process, and workers compare fingerprints."""
    key = ((1, -1, (2, 3)), (True, 0), ((4,),))
    here = (fingerprint_of(key), hash(key))
    code = "from swarmcheck.engines.search import fingerprint_of; k = ((1, -1, (2, 3)), (True, 0), ((4,),)); "
    code += "print(fingerprint_of(k), hash(k))"
    for seed in ("1", "2"):
        there = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}
        )
        assert tuple(map(int, there.stdout.split())) == here, there.stderr
