"""The explorer's workers as Ray actors, on a local two-worker cluster this test starts:
the same counts, depth, coverage and verdicts as one process. Skipped without Ray (tox's
`ray` environment installs it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from swarmcheck.engines.explore import explore
from swarmcheck.registry import MODELS

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install -e '.[ray]' (tox -e ray)")


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize(
    ("name", "configuration", "symmetry"), [("raft", "reference", False), ("gossip", "four-nodes-lifeguard", True)]
)
def test_ray_workers_find_what_one_process_finds(cluster: None, name: str, configuration: str, symmetry: bool) -> None:
    entry = MODELS[name]
    config = entry.suite[configuration]
    one = explore(entry.build(config), entry.properties(config), symmetry=symmetry)
    two = explore(entry.build(config), entry.properties(config), symmetry=symmetry, workers=2, backend="ray")
    assert one.stats is not None and two.stats is not None
    assert (two.stats.distinct_states, two.stats.transitions, two.stats.depth) == (
        one.stats.distinct_states,
        one.stats.transitions,
        one.stats.depth,
    )
    assert two.stats.coverage == one.stats.coverage and two.verdicts == one.verdicts


def test_ray_workers_catch_a_seeded_bug_with_a_shortest_trace(cluster: None) -> None:
    entry = MODELS["raft"]
    config = entry.bug_config("figure8")
    one = explore(entry.build(config), entry.properties(config))
    two = explore(entry.build(config), entry.properties(config), workers=2, backend="ray")
    assert two.verdict == one.verdict == "violated"
    assert two.violations[0].trace is not None and one.violations[0].trace is not None
    assert len(two.violations[0].trace) == len(one.violations[0].trace)
