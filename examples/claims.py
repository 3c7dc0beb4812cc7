"""Two schedulers race to claim one pending task in a shared store (docs/api.md).

Each reads the task, sees it unassigned, and writes its claim. With compare-and-set the
second write fails and that scheduler backs off; the seeded bug `blind_write` writes
anyway, so both schedulers believe they run the task (swarmkit's scheduler commits
assignments in a store transaction for exactly this reason).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from swarmcheck.api import Entry, always, put, sometimes

IDLE, SAW_FREE, OWNS = 0, 1, 2  # a scheduler's phase
State = tuple[int, tuple[int, ...]]  # (the store's owner of the task, -1 for none; each phase)


@attrs.frozen
class Config:
    schedulers: int = 2
    bugs: frozenset[str] = frozenset()


@attrs.frozen
class Step:
    rule: str  # coverage counts actions by their rule
    scheduler: int

    def __str__(self) -> str:
        return f"{self.rule}(s{self.scheduler + 1})"


class Claims:
    name = "claims"

    def __init__(self, config: Config = Config()) -> None:
        self.config = config

    def init_states(self) -> Iterator[State]:
        yield (-1, (IDLE,) * self.config.schedulers)

    def next_steps(self, s: State) -> Iterator[tuple[Step, State]]:
        owner, phase = s
        for i, p in enumerate(phase):
            if p == IDLE and owner == -1:  # the task looks unassigned
                yield Step("Read", i), (owner, put(phase, i, SAW_FREE))
            if p == SAW_FREE and (owner == -1 or "blind_write" in self.config.bugs):
                yield Step("Claim", i), (i, put(phase, i, OWNS))  # compare-and-set succeeds
            elif p == SAW_FREE:
                yield Step("BackOff", i), (owner, put(phase, i, IDLE))  # it fails: someone was first

    def action_kinds(self) -> list[str]:
        return ["Read", "Claim", "BackOff"]  # coverage: each must fire, or the run says which did not

    def within_bounds(self, s: State) -> bool:
        return True  # the space is finite as it is

    def key(self, s: State) -> State:
        return s

    def canonical(self, s: State) -> State:
        return s  # no symmetry reduction

    def describe_state(self, s: State) -> Mapping[str, Any]:
        names = ("idle", "saw it free", "owns it")
        return {"owner": None if s[0] < 0 else f"s{s[0] + 1}", **{f"s{i + 1}": names[p] for i, p in enumerate(s[1])}}

    def config_data(self) -> Mapping[str, Any]:
        return {"schedulers": self.config.schedulers, "bugs": sorted(self.config.bugs)}


def one_owner(s: State) -> str | None:
    owners = [f"s{i + 1}" for i, p in enumerate(s[1]) if p == OWNS]
    return f"{' and '.join(owners)} both run the task" if len(owners) > 1 else None


def entry() -> Entry:
    """What `swarmcheck check --model examples.claims:entry` loads."""
    return Entry(
        name="claims",
        summary="two schedulers claim one task by compare-and-set",
        default=Config(),
        suite={"two-schedulers": Config()},
        build=Claims,
        properties=lambda config: [
            always("one_owner", one_owner, "swarmkit: assignments commit in a store transaction"),
            sometimes("task_claimed", lambda s: s[0] >= 0, "a claim can succeed"),
        ],
        bugs={"blind_write": "a scheduler writes its claim without compare-and-set"},
    )
