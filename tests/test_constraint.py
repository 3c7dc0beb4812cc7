"""A.4: placement constraints parse and match as swarmkit's constraint package does."""

import subprocess
import sys

import pytest

from model.orchestration.constraint import NodeFacts, matches, parse

WORKER = NodeFacts("n2", "worker")
LABELLED = NodeFacts("n1", "manager", (("zone", "a"),))


def test_keys_and_values_are_trimmed() -> None:
    c = parse(" node.labels.x != a b ")
    assert (c.key, c.equal, c.value) == ("node.labels.x", False, "a b")


def test_equal_is_looked_for_before_not_equal() -> None:
    with pytest.raises(ValueError, match=r"key 'node\.labels\.x!=a' is invalid"):
        parse("node.labels.x!=a==b")


@pytest.mark.parametrize(
    "text", ["node.role", "node.role=worker", "1node.role==worker", "node.role==<x>", "a==b", "node.role=="]
)
def test_malformed_constraints_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="constraint"):
        parse(text)


def test_a_missing_label_compares_as_the_empty_string() -> None:
    assert not matches(parse("node.labels.zone==a"), WORKER)
    assert matches(parse("node.labels.zone!=a"), WORKER)


def test_values_compare_case_insensitively_and_label_names_do_not() -> None:
    assert matches(parse("NODE.LABELS.zone==A"), LABELLED)
    assert not matches(parse("node.labels.Zone==a"), LABELLED)
    assert matches(parse("node.role==MANAGER"), LABELLED)
    assert matches(parse("node.hostname!=n1"), WORKER)


def test_an_unknown_key_never_matches() -> None:
    assert not matches(parse("node.colour==blue"), WORKER)
    assert not matches(parse("node.colour!=blue"), WORKER)


def test_a_bad_constraint_is_one_line_and_exit_2() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "swarmcheck", "check", "scheduler", "--set", "constraint=node.role=worker"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "operator" in run.stderr
