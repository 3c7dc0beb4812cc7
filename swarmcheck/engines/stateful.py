"""The Hypothesis bridge: one rule-based state machine for any model.

One rule takes one enabled action within the bounds; `always` properties are
checked after every step, `transition` properties on every step, and `sometimes`
hits are recorded as events. The machine also draws, once per run, a set of
set of the model's fault kinds (`fault_kinds`: for Raft, restarts, lost and
duplicated messages) to switch off for that run, each with probability 1/2
(swarm testing, Groce et al. ISSTA 2012): runs without message loss go deeper
into elections and commits; runs with faults find what the faults break. Each
step picks a kind of action at the model's `rate` (timers fire rarely next to
message deliveries), then one action of that kind; Hypothesis's `target()`
climbs the model's `progress` measures towards rarer states.
A hunt stops at its first failure and shrinks it by replaying fewer steps on the model
alone (runs.py: Hypothesis's own shrinker, re-running the machine, took a minute where
this takes a second); it comes back as the same `Trace` the explorer gives, so one
report writer serves both engines.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, event, seed, settings, target
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from model.kernel import Model, action_kind
from properties.base import Kind, Property
from swarmcheck.engines.choices import steps_by_kind
from swarmcheck.engines.result import HuntStats, Result, Trace, Violation
from swarmcheck.engines.runs import Checks, PropertyViolated, Steps, shrink

_COMMON = {
    "deadline": None,
    "report_multiple_bugs": False,  # one failure, shrunk: the report speaks of one bug
    "database": None,
    "print_blob": False,
    "suppress_health_check": list(HealthCheck),
    # No explain phase: it re-runs the shrunk example hundreds of times to annotate a
    # traceback the report never shows (on gossip it was 95% of a hunt's time).
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
}
PROFILES = {
    # Gating: derandomized, so CI sees the same examples every run.
    "ci": settings(max_examples=4000, stateful_step_count=60, derandomize=True, **_COMMON),  # type: ignore[arg-type]
    # Exploring: random, many more and longer runs (nightly, or by hand).
    "deep": settings(max_examples=3000, stateful_step_count=200, derandomize=False, **_COMMON),  # type: ignore[arg-type]
}
for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)


@attrs.define
class Tally:
    """What a hunt has done so far, kept by the machine as it runs."""

    examples: int = 0
    steps: int = 0
    coverage: Counter[str] = attrs.field(factory=Counter)


def machine_for(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    tally: Tally | None = None,
    on_step: Callable[[], None] = lambda: None,
) -> type[RuleBasedStateMachine]:
    """A RuleBasedStateMachine class that walks `model` and checks `properties`; `tally`
    counts examples, steps and actions, `on_step` runs before each step (budgets, progress)."""
    counts: Tally = Tally() if tally is None else tally
    checks = Checks(model, properties)
    sometimes = [p for p in properties if p.kind is Kind.SOMETIMES]
    sometimes_steps = [p for p in properties if p.kind is Kind.SOMETIMES_STEP]
    init_states = list(model.init_states())
    faults = sorted(getattr(model, "fault_kinds", ()))
    rate: Callable[[str], int] = getattr(model, "rate", lambda kind: 1)
    reached: set[str] = set()
    # How far a run got, by the model's own measures (leaders, commits...): Hypothesis
    # climbs each measure separately, towards the rarer states where bugs live.
    progress: Callable[[Any], Mapping[str, float]] | None = getattr(model, "progress", None)

    class ModelMachine(RuleBasedStateMachine):
        @initialize(
            state=st.sampled_from(init_states),
            faults_on=st.lists(st.booleans(), min_size=len(faults), max_size=len(faults)),
        )
        def start(self, state: Any, faults_on: list[bool]) -> None:
            counts.examples += 1
            self.state = state
            self.switched_off = {kind for kind, on in zip(faults, faults_on, strict=True) if not on}
            self.trace: list[tuple[Any, Any]] = [(None, state)]
            self.failed = False
            self.progress: dict[str, float] = {}
            self._observe(state)

        @rule(data=st.data())
        def step(self, data: st.DataObject) -> None:
            on_step()
            by_kind = steps_by_kind(model, self.state, self.switched_off)
            if not by_kind:
                return  # deadlock within the bounds: nothing to do
            # Kind first, at the model's rates, then which one: a bag full of messages
            # does not drown out the rest, and timers fire rarely, as in a real cluster.
            weighted = [kind for kind in sorted(by_kind) for _ in range(rate(kind))]
            kind = data.draw(st.sampled_from(weighted), label="kind")
            successor = dict(by_kind[kind])
            action = data.draw(st.sampled_from(list(successor)), label="action")
            after = successor[action]
            before, self.state = self.state, after
            self.trace.append((action, after))
            counts.steps += 1
            counts.coverage[action_kind(action)] += 1
            event(action_kind(action))
            self._judge(checks.in_step)
            for p in sometimes_steps:
                if p.name not in reached and p.check(before, action, after):
                    reached.add(p.name)
            self._observe(after)

        def _observe(self, state: Any) -> None:
            if progress is not None:
                for label, value in progress(state).items():
                    self.progress[label] = max(self.progress.get(label, value), value)
            for p in sometimes:
                if p.name not in reached and p.check(state):
                    reached.add(p.name)
                    event(f"reached {p.name}")

        def _judge(self, check: Callable[[Steps], None]) -> None:
            try:
                check(self.trace)
            except PropertyViolated:
                self.failed = True  # no liveness is judged after a failure
                raise

        def teardown(self) -> None:
            for label, value in self.progress.items():
                target(value, label=label)
            if not self.failed:
                checks.at_the_end(self.trace)

        @invariant()
        def always_holds(self) -> None:
            self._judge(checks.in_state)

    ModelMachine.__name__ = ModelMachine.__qualname__ = f"{model.name.capitalize()}Machine"
    ModelMachine.reached = reached
    return ModelMachine


TIMED_BATCH = 50  # examples between looks at the clock under --time


def _with(profile: settings, max_examples: int | None, seed_value: int | None) -> settings:
    """The profile for a hunt: no shrink phase (runs.shrink does it), the user's example
    count, and with a seed of theirs, not derandomized."""
    chosen = settings(profile, phases=[p for p in profile.phases if p is not Phase.shrink])
    if max_examples is not None:
        chosen = settings(chosen, max_examples=max_examples)
    return chosen if seed_value is None else settings(chosen, derandomize=False)


def _seeded(machine: type[RuleBasedStateMachine], seed_value: int | None) -> type[RuleBasedStateMachine]:
    return machine if seed_value is None else seed(seed_value)(machine)


def hunt(
    model: Model[Any, Any],
    properties: Sequence[Property[Any]],
    profile: str = "ci",
    *,
    max_examples: int | None = None,
    seed_value: int | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    progress_every: float = 10.0,
) -> Result:
    """Run the machine under a profile (its example count, or `max_examples`; its derandomized
    stream, or `seed_value`); a failure comes back shrunk, as a Violation with a Trace. A
    `time_limit` that stops the search early makes the run incomplete, never a pass."""
    tally = Tally()
    started = time.perf_counter()
    last = [started]

    def on_step() -> None:
        now = time.perf_counter()
        if progress is not None and now - last[0] >= progress_every:
            last[0] = now
            progress(
                f"[{model.name}] hypothesis: {tally.examples:,} examples, {tally.steps:,} steps, {now - started:.0f} s"
            )

    machine = machine_for(model, properties, tally, on_step)
    chosen = PROFILES[profile]
    asked = max_examples or chosen.max_examples
    violations: list[Violation] = []
    budget_hit = None
    try:
        if time_limit is None:
            run_state_machine_as_test(_seeded(machine, seed_value), settings=_with(chosen, max_examples, seed_value))  # type: ignore[no-untyped-call,unused-ignore]
        else:
            # Hypothesis has no time budget, and an exception that stops it mid-example makes
            # it replay (and call the model flaky): run seeded batches, and look at the clock
            # between them. The stream differs from an untimed run's; it is the same every run.
            for batch, first in enumerate(range(0, asked, TIMED_BATCH)):
                if time.perf_counter() - started > time_limit:
                    budget_hit = f"time {time_limit:g} s: {tally.examples:,} of {asked:,} examples"
                    break
                size = min(TIMED_BATCH, asked - first)
                batch_seed = (seed_value or 0) * 1_000_003 + batch
                run_state_machine_as_test(_seeded(machine, batch_seed), settings=_with(chosen, size, batch_seed))  # type: ignore[no-untyped-call,unused-ignore]
    except PropertyViolated as found:
        failure = shrink(Checks(model, properties), found)
        trace = Trace(failure.steps, failure.loop)
        violations.append(Violation(failure.prop.name, failure.prop.kind, failure.message, 0, trace))
    except Flaky as flaky:  # pragma: no cover - a nondeterministic model is a bug in the model
        raise RuntimeError(f"{model.name}: Hypothesis saw a flaky failure: {flaky}") from flaky
    reached: set[str] = machine.reached  # type: ignore[attr-defined]
    stats = HuntStats(
        tally.examples, asked, tally.steps, time.perf_counter() - started, dict(sorted(tally.coverage.items()))
    )
    return Result.judge(
        model_name=model.name,
        properties=properties,
        violations=violations,
        reached=reached,
        stats=None,
        complete=False,  # random runs prove nothing holds; they only find violations
        budget_hit=budget_hit,
        engine="hypothesis",
        hunt_stats=stats,
    )
