"""Hypothesis drives a pysyncobj cluster one environment event at a time and the rules judge
every step; what breaks is shrunk to a shortest run of events (issue 17, item 3).

Each rule picks among what can happen now by index (a busy link, a message on it, a running
node), so every drawn step is possible and shrinking moves towards the first choice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import attrs
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from swarmcheck.conformance.checked import CheckedCluster, Step
from swarmcheck.conformance.cluster import Event
from swarmcheck.conformance.rules import Finding

HEARTBEAT = 0.2  # seconds: more than pysyncobj's appendEntriesPeriod (0.1)
TIMEOUT = 1.5  # seconds: more than its longest election timeout (1.4)


@attrs.frozen
class Setup:
    nodes: int = 3
    mode: str = "fifo"
    seed: int = 0
    examples: int = 2000
    steps: int = 30  # events per run
    ignore: tuple[str, ...] = ()  # rules not judged (known findings), to look past them


class Broken(AssertionError):
    """A step broke a rule; carries the run up to it."""

    def __init__(self, finding: Finding, steps: list[Step], logged: list[str]) -> None:
        super().__init__(f"{finding.rule}: {finding.message}")
        self.finding, self.steps, self.logged = finding, steps, logged


@attrs.frozen
class Outcome:
    """A conformance run: how many events it judged and, if a rule broke, the shrunk run."""

    setup: Setup
    events: int
    finding: Finding | None = None
    steps: tuple[Step, ...] = ()
    logged: tuple[str, ...] = ()  # what pysyncobj logged at ERROR and above, on the shrunk run


class Collected(logging.Handler):
    """pysyncobj's own complaints (it logs CRITICAL when it truncates applied entries)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


@contextmanager
def collected() -> Iterator[Collected]:
    logger = logging.getLogger("pysyncobj")
    handler, propagate = Collected(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # said in the report, not on the terminal
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def machine(setup: Setup, counter: list[int], handler: Collected) -> type[RuleBasedStateMachine]:
    n = setup.nodes

    class Conformance(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.run = CheckedCluster(n, setup.mode, setup.seed, setup.ignore)
            self.value = 0
            handler.lines.clear()

        def _do(self, event: Event) -> None:
            counter[0] += 1
            if self.run.step(event):
                assert self.run.finding is not None
                raise Broken(self.run.finding, list(self.run.steps), list(handler.lines))

        def _up(self, choice: int, up: bool = True) -> int:
            nodes = [i for i in range(n) if self.run.cluster.up[i] == up]
            return nodes[choice % len(nodes)]

        def _link(self, choice: int, position: int) -> tuple[int, int, int]:
            network = self.run.cluster.network
            busy = network.busy()
            a, b = busy[choice % len(busy)]
            return a, b, position % network.choices((a, b))

        @precondition(lambda self: any(self.run.cluster.up))
        @rule(node=st.integers(0, n - 1))
        def tick(self, node: int) -> None:
            """A heartbeat period passes on one node: a leader sends AppendEntries."""
            self._do(Event("tick", self._up(node), advance=HEARTBEAT))

        @precondition(lambda self: any(self.run.cluster.up))
        @rule(node=st.integers(0, n - 1))
        def timeout(self, node: int) -> None:
            """More than any election timeout passes on one node: a follower stands for election."""
            self._do(Event("tick", self._up(node), advance=TIMEOUT))

        @precondition(lambda self: self.run.cluster.network.busy())
        @rule()
        def flush(self) -> None:
            """Every message now in flight arrives, oldest first (one step each)."""
            network = self.run.cluster.network
            for a, b in network.busy():
                for _ in range(len(network.links[(a, b)])):
                    self._do(Event("deliver", a, b, 0))

        @precondition(lambda self: self.run.cluster.network.busy())
        @rule(link=st.integers(0, n * n), position=st.integers(0, 3))
        def deliver(self, link: int, position: int) -> None:
            a, b, k = self._link(link, position)
            self._do(Event("deliver", a, b, k))

        @precondition(lambda self: self.run.cluster.network.busy())
        @rule(link=st.integers(0, n * n), position=st.integers(0, 3))
        def drop(self, link: int, position: int) -> None:
            a, b, k = self._link(link, position)
            self._do(Event("drop", a, b, k))

        @precondition(lambda self: self.run.cluster.network.busy() and self.run.cluster.network.mode == "duplicate")
        @rule(link=st.integers(0, n * n), position=st.integers(0, 3))
        def duplicate(self, link: int, position: int) -> None:
            a, b, k = self._link(link, position)
            self._do(Event("duplicate", a, b, k))

        @precondition(lambda self: all(self.run.cluster.up))  # one node down at a time: a quorum stays
        @rule(node=st.integers(0, n - 1))
        def crash(self, node: int) -> None:
            self._do(Event("crash", node))

        @precondition(lambda self: not all(self.run.cluster.up))
        @rule(node=st.integers(0, n - 1))
        def restart(self, node: int) -> None:
            self._do(Event("restart", self._up(node, up=False)))

        @precondition(lambda self: any(self.run.cluster.up))
        @rule(node=st.integers(0, n - 1))
        def request(self, node: int) -> None:
            self.value += 1
            self._do(Event("request", self._up(node), value=self.value))

    return Conformance


def check(setup: Setup) -> Outcome:
    """Run Hypothesis over the cluster (derandomized: the same setup gives the same outcome)."""
    counter = [0]
    with collected() as handler:
        profile = settings(
            max_examples=setup.examples,
            stateful_step_count=setup.steps,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        try:
            # Seeded by --seed. Hypothesis also mines constants from the modules loaded, so the
            # same command gives the same outcome, but a program importing more may not.
            run_state_machine_as_test(seed(setup.seed)(machine(setup, counter, handler)), settings=profile)
        except Broken as broken:
            handler.lines.clear()
            run = minimized(setup, [s.event for s in broken.steps], broken.finding.rule)
            assert run.finding is not None
            return Outcome(setup, counter[0], run.finding, tuple(run.steps), tuple(handler.lines))
    return Outcome(setup, counter[0])


def minimized(setup: Setup, events: list[Event], rule: str) -> CheckedCluster:
    """Hypothesis's shrunk run, shorter still where it can be: each event, last first, is left
    out (then each pair) if the same rule still breaks without it (Hypothesis cannot always drop a step whose
    absence changes what a later index-based choice picks). The run with the finding."""
    kept = list(events)
    for width in (1, 2):  # single events, then pairs (a crash with its restart)
        for k in range(len(kept) - width, -1, -1):
            trial = kept[:k] + kept[k + width :]
            run = CheckedCluster(setup.nodes, setup.mode, setup.seed, setup.ignore)
            try:
                finding = run.run(trial)
            except ValueError:  # a later event cannot happen without these
                continue
            if finding is not None and finding.rule == rule:
                kept = trial[: len(run.steps)]
    run = CheckedCluster(setup.nodes, setup.mode, setup.seed, setup.ignore)
    run.run(kept)
    return run
