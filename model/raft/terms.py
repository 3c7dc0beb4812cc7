"""Relative terms (TLC's VIEW): two states that differ only by a constant added to every term
are one state, so a behaviour whose terms rise forever can close a cycle.

Raft never compares a term with a constant, only terms with terms (a 0 in lastLogTerm or
prevLogTerm means "no entry" and is not a term), so adding d to every term maps a
behaviour to a behaviour: what one state does, the shifted one does, shifted. A state's
key subtracts its lowest term less one from every term; `max_term` then bounds the spread
of terms, not their size. This is what lets the explorer show a livelock of elections
(reference E.6: leaders deposed forever) as a lasso. Off in raft.tla's configurations.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import attrs

from model.raft.actions import OnMessage
from model.raft.config import Config
from model.raft.state import AE_REQ, CANDIDATE, PRECANDIDATE, PV_REQ, RV_REQ, Log, Msg, State, s_with


def lowest_term(s: State) -> int:
    """The lowest term anywhere in s: a server's, an entry's, a message's."""
    low = min(s.term)
    for log in s.log:
        if log:
            low = min(low, min(t for t, _ in log))
    for m, _ in s.messages:
        low = min(low, m[1])
        if m[0] == AE_REQ and m[6]:
            low = min(low, min(t for t, _ in m[6]))
    return low


def shift_log(log: Log, d: int) -> Log:
    return tuple((t - d, v) for t, v in log)


def shift_message(m: Msg, d: int) -> Msg:
    """m with every term d lower (a 0 that means "no entry" stays 0)."""
    kind, term = m[0], m[1] - d
    if kind in (RV_REQ, PV_REQ):
        return (kind, term, m[2], m[3], m[4] - d if m[4] else 0, m[5])
    if kind == AE_REQ:
        return (kind, term, m[2], m[3], m[4], m[5] - d if m[5] else 0, shift_log(m[6], d), m[7])
    return (kind, term, *m[2:])


def shift_state(s: State, d: int) -> State:
    """s with every term d lower (the ghost history is off with relative terms)."""
    return s_with(
        s,
        term=tuple(t - d for t in s.term),
        log=tuple(shift_log(log, d) for log in s.log),
        messages=tuple(sorted((shift_message(m, d), count) for m, count in s.messages)),
    )


class RelativeTerms:
    """The key and the term bound of a model whose terms count only relative to each other."""

    config: Config

    def setup_terms(self) -> None:
        self._relative = self.config.relative_terms

    def term_ceiling(self, s: State) -> int:
        """The highest term a server may reach in s: max_term, or with relative terms
        max_term above the lowest term less one (the spread bound)."""
        if not self._relative:
            return self.config.max_term
        return self.config.max_term + lowest_term(s) - 1

    def key(self, s: State) -> Hashable:
        """The state as the search tells states apart: itself, or with relative terms its shift."""
        return self.relative(s) if self._relative else s

    def relative(self, s: State) -> State:
        """s with its lowest term made 1, and the vote tallies of servers not campaigning
        cleared: raft.tla keeps a candidate's tallies after it steps down, but only a
        campaign reads them and a campaign starts them afresh (s itself without relative terms)."""
        if not self._relative:
            return s
        d = lowest_term(s) - 1
        if d:
            s = shift_state(s, d)
        campaigning = [role in (CANDIDATE, PRECANDIDATE) for role in s.role]
        if all(campaigning):
            return s
        return s_with(
            s,
            votes_responded=tuple(v if c else 0 for v, c in zip(s.votes_responded, campaigning, strict=True)),
            votes_granted=tuple(v if c else 0 for v, c in zip(s.votes_granted, campaigning, strict=True)),
        )

    def view_note(self, first: State, last: State) -> str:
        """How a cycle's last state differs from its first where only relative terms make them one."""
        return f"the same state with every term {lowest_term(last) - lowest_term(first)} higher: terms are relative"

    def action_key(self, s: State, action: Any) -> Any:
        """The action as a step from `relative(s)`: a message's terms lowered with the state's,
        so fairness to one message is fairness to it in every shifted copy of the state."""
        if not self._relative or not isinstance(action, OnMessage):
            return action
        d = lowest_term(s) - 1
        return attrs.evolve(action, m=shift_message(action.m, d)) if d else action
