"""Every rule the conformance judge names can fail: one forged step each, judged exactly as a
run's steps are (no rule that cannot fail, issue 17). Views are (up, term, role, votedFor,
log, commitIndex, applied); message indexes are pysyncobj's (one above the views')."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

pytest.importorskip("pysyncobj", reason="pysyncobj is the conformance extra: pip install -e '.[conformance]'")

from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.rules import RULES, judge, model_properties
from swarmcheck.conformance.views import History, ServerView

F, C, L = 0, 1, 2
NONE = -1
IDLE = ServerView(True, 1, F, 1, ((1, 0),), 1, ())
LEADER = ServerView(True, 1, L, 1, ((1, 0),), 1, ())


def view(base: ServerView = IDLE, **changes: Any) -> ServerView:
    return attrs.evolve(base, **changes)


def append(prev: int, prev_term: int, entries: list[list[int]], commit: int = 1, term: int = 1) -> dict[str, Any]:
    return {
        "type": "append_entries",
        "term": term,
        "prevLogIdx": prev + 1,
        "prevLogTerm": prev_term,
        "entries": entries,
        "commit_index": commit + 1,
    }


TICK = Event("tick", 0, advance=0.2)
FROM_LEADER = Event("deliver", 1, 0)
CASES: dict[str, tuple[ServerView, Event, dict[str, Any] | None, ServerView]] = {
    "one_server_per_step": (IDLE, Event("tick", 1, advance=0.2), None, view(term=2)),  # s1 changes on s2's tick
    "current_term_persists": (view(term=2), TICK, None, view(term=1)),
    "one_vote_per_term": (
        view(voted_for=1),
        Event("deliver", 2, 0),
        {"type": "request_vote", "term": 1, "last_log_index": 2, "last_log_term": 1},
        view(voted_for=2),
    ),
    "vote_for_up_to_date_log": (
        view(voted_for=NONE),
        Event("deliver", 2, 0),
        {"type": "request_vote", "term": 1, "last_log_index": 1, "last_log_term": 0},
        view(voted_for=2),
    ),
    "candidate_by_timeout": (IDLE, FROM_LEADER, append(1, 1, []), view(role=C, term=2, voted_for=0)),
    "leader_by_quorum": (
        view(role=C, voted_for=0),
        FROM_LEADER,
        {"type": "response_vote", "term": 1},
        view(role=L, voted_for=0),
    ),
    "leader_append_only": (view(LEADER, log=((1, 0), (1, 5))), TICK, None, view(LEADER, log=((1, 0), (1, 6)))),
    "log_changes_by_append_entries": (IDLE, TICK, None, view(log=((1, 0), (1, 5)))),
    "append_entries_rule_2": (IDLE, FROM_LEADER, append(1, 7, [[1, 5]]), view(log=((1, 0), (1, 5)))),
    "append_entries_rule_3": (view(log=((1, 0), (1, 5))), FROM_LEADER, append(1, 1, []), IDLE),
    "append_entries_rule_4": (IDLE, FROM_LEADER, append(1, 1, [[1, 5]]), view(log=((1, 0), (1, 6)))),
    "commit_index_never_decreases": (view(commit_index=1), TICK, None, view(commit_index=0)),
    "append_entries_rule_5": (
        view(commit_index=0),
        FROM_LEADER,
        append(1, 1, [], commit=0),
        view(commit_index=1),
    ),
    "applied_values_are_the_committed_log": (
        view(log=((1, 0), (1, 5)), commit_index=2),
        TICK,
        None,
        view(log=((1, 0), (1, 5)), commit_index=2, applied=(6,)),
    ),
}
# s2 led term 1 with the log [no-op, v5] (for rule 3: the deleted entry is the leader's)
HISTORY = History(leader_logs=((1, ((1, 0), (1, 5))),))


def test_every_rule_has_a_forged_step() -> None:
    assert set(CASES) == RULES


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_catches_its_forged_step(rule: str) -> None:
    mine, event, message, after = CASES[rule]
    peer = view(voted_for=1)
    before_views = (mine, peer, peer)
    finding = judge(before_views, event, message, (after, peer, peer), HISTORY, model_properties(3))
    assert finding is not None and finding.rule == rule, finding


def test_the_forged_steps_pass_when_nothing_is_forged() -> None:
    """The same steps with the receiver unchanged are stutters: no rule breaks."""
    for rule, (mine, event, message, _) in CASES.items():
        views = (mine, view(voted_for=1), view(voted_for=1))
        assert judge(views, event, message, views, HISTORY, model_properties(3)) is None, rule
