"""The quorum theorems: z3 proves each, finds the expected counterexamples, and the
integer-arithmetic proofs can fail (a wrong quorum rule is refuted)."""

import z3

from swarmcheck.cli import main
from swarmcheck.engines.smt import quorum


def test_every_theorem_gets_its_expected_verdict() -> None:
    verdicts = quorum.theorems(max_n=16)
    assert [v.theorem for v in verdicts if not v.as_expected] == []


def test_two_servers_added_at_once_split_the_smallest_cluster() -> None:
    witness = quorum.change_keeps_overlap(1, 2, 0)
    assert witness is not None
    assert set(witness["one quorum"]).isdisjoint(witness["another quorum"])
    assert witness["new configuration"] == ["m1", "m2", "m3"]


def test_two_servers_removed_at_once_split_too() -> None:
    witness = quorum.change_keeps_overlap(3, 0, 2)
    assert witness is not None
    assert witness["new configuration"] == ["m1"]
    assert set(witness["one quorum"]).isdisjoint(witness["another quorum"])


def test_one_server_at_a_time_never_splits() -> None:
    assert all(quorum.change_keeps_overlap(n, 1, 0) is None for n in range(1, 20))
    assert all(quorum.change_keeps_overlap(n, 0, 1) is None for n in range(2, 20))


def test_the_proofs_can_fail_half_is_not_a_quorum() -> None:
    # The same region encoding, with half counting as a quorum: z3 finds disjoint "majorities".
    only_a, only_b, n = z3.Ints("only_a only_b n")
    solver = z3.Solver()
    solver.add(only_a >= 0, only_b >= 0, n == only_a + only_b, n >= 1, 2 * only_a >= n, 2 * only_b >= n)
    assert solver.check() == z3.sat


def test_even_splits_and_odd_does_not() -> None:
    assert quorum.split_without_quorum(4) == {"left": ["m1", "m2"], "right": ["m3", "m4"]}
    assert quorum.split_without_quorum(5) is None


def test_swarm_refuses_the_demotion_that_would_lose_quorum() -> None:
    smallest = quorum.smallest_refused_removal()
    assert (smallest["managers"], smallest["up"]) == (3, 2)


def test_prove_command_writes_the_witnesses(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["prove", "--max-n", "8", "--reports", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "two_server_change_can_split" in out and "counterexample" in out
    assert (tmp_path / "quorum" / "two_server_change_can_split.json").exists()
