"""The security model (issue 15, reference F): as swarm ships, each design gap is reached (a
witness); with the hardened rules each holds; every property catches a seeded bug on its own;
an open gap asked for by name is a report of the way through."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from model.security import BUGS, SUITE, Security
from model.security.state import MANAGERS
from properties.security import GAPS, on_request, properties
from swarmcheck import registry
from swarmcheck.cli import main
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import HOLDS, REACHED, VIOLATED


def test_as_shipped_every_design_gap_is_reached_and_the_rest_holds() -> None:
    config = SUITE["as-shipped"]
    result = explore(Security(config), properties(config))
    witnesses = {gap.witness for gap in GAPS.values()}
    assert {name for name in result.verdicts if name in witnesses} == witnesses
    assert all(result.verdicts[w] == REACHED for w in witnesses)
    assert result.passed and not any(v == VIOLATED for v in result.verdicts.values())


def test_hardened_every_gap_is_a_gate_and_holds() -> None:
    config = SUITE["hardened"]
    result = explore(Security(config), properties(config))
    assert all(result.verdicts[name] == HOLDS for name in GAPS) and result.passed
    assert on_request(config) == []


def _bug_run(bug: str, only: str | None = None) -> dict[str, str]:
    entry = registry.lookup("security")
    config = entry.bug_config(bug)
    props = [p for p in properties(config) if only is None or p.name == only]
    return explore(Security(config), props).verdicts


@pytest.mark.parametrize(
    ("bug", "prop"),
    [
        ("redirect_guard_lost", "identity_is_the_callers"),
        ("redirect_guard_lost", "unlock_key_only_to_managers"),  # the minted certificate, then the KEK
        ("manager_rpc_trusts_certificate", "manager_rights_follow_the_store"),
        ("demoted_manager_restarts", "raft_members_are_managers"),
        ("forwarded_cn_not_blacklisted", "removed_node_shut_out"),
        ("session_outlives_removal", "keys_only_to_nodes_in_the_swarm"),
        ("leave_keeps_secrets", "left_node_holds_no_secret"),
        ("secret_before_assigned", "no_secret_before_assignment"),
        ("secret_not_released", "secrets_follow_tasks"),
        ("renewal_keeps_certificate_role", "certificate_role_from_store"),
        ("token_cache_stale", "rotated_token_refused"),
        ("token_secret_unchecked", "join_presents_a_held_token"),
        ("worker_token_grants_manager", "join_role_is_the_tokens"),
        ("demoted_leader_keeps_leading", "leader_is_a_member"),
        ("task_runs_after_leave", "nothing_starts_after_leave"),
        ("dispatch_without_session", "assignments_only_over_a_session"),
        ("agent_keeps_released_secrets", "agent_holds_what_it_was_sent"),
        ("keys_to_closed_sessions", "keys_only_over_open_sessions"),
        ("forwarder_role_unchecked", "forwarders_are_managers"),
        ("raft_join_without_certificate", "raft_join_needs_a_manager_certificate"),
        ("issue_signs_desired_role", "issued_certificate_role_from_store"),
        ("unlock_key_to_workers", "unlock_key_only_to_managers"),
    ],
)
def test_each_property_catches_a_seeded_bug_on_its_own(bug: str, prop: str) -> None:
    assert _bug_run(bug, only=prop) == {prop: VIOLATED}
    config = attrs.evolve(registry.lookup("security").bug_config(bug), bugs=frozenset())
    fixed = explore(Security(config), [p for p in properties(config) if p.name == prop])
    assert fixed.verdicts[prop] == HOLDS  # the same bounds without the bug: it holds


def test_every_seeded_bug_is_listed_above() -> None:
    named = {bug for bug, _ in test_each_property_catches_a_seeded_bug_on_its_own.pytestmark[0].args[1]}
    assert named == set(BUGS)


def test_an_active_manager_is_never_what_the_attacker_takes() -> None:
    config = SUITE["as-shipped"]
    model = Security(config)
    (state,) = model.init_states()
    assert not any(a.rule == "Compromise" and a.node in MANAGERS for a, _ in model.next_steps(state))


def test_an_open_gap_named_is_a_report_of_the_way_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "security", "--property", "manager_rights_follow_the_store", "--reports", str(tmp_path)]
    assert main([*argv, "--quiet"]) == 1
    (report,) = (tmp_path / "security").glob("manager_rights_follow_the_store-*.json")
    data = json.loads(report.read_text())
    assert [s["act"]["rule"] for s in data["steps"][1:]][-1] == "Call"
    assert "manager by its certificate but worker in the store" in data["violation"]
    capsys.readouterr()
    assert main(["replay", str(report)]) == 0
    assert capsys.readouterr().out.startswith("reproduced")


def test_every_seeded_bugs_reports_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bugs", "security", "--reports", str(tmp_path), "--jobs", "1"]) == 0
    reports = sorted((tmp_path / "security").glob("*.json"))
    assert len(reports) >= len(BUGS)  # one per bug and engine, fewer where both engines found one trace
    capsys.readouterr()
    assert main(["replay", *map(str, reports)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(reports) and all(": reproduced" in line for line in lines)


def test_the_committed_design_gap_reports_still_replay(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/security-gaps, linked from the README: regenerate them when the model changes."""
    reports = sorted(Path(__file__).parent.parent.joinpath("docs", "security-gaps", "security").glob("*.json"))
    assert {json.loads(p.read_text())["property"] for p in reports} == set(GAPS)
    assert main(["replay", *map(str, reports)]) == 0
    assert capsys.readouterr().out.count(": reproduced") == len(GAPS)
