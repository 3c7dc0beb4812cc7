"""`swarmcheck check scheduler --oracle`: a scan of the model's states for greedy strands.

swarmkit places one task at a time and never moves a placed one (A.5). On nodes of
different sizes, with a global service that reserves CPU, that can leave a task
pending although the whole workload fits: a replica took the room the node's agent
needed. z3 (`properties.orchestration.placement_oracle.global_assignment`) decides whether the
workload fits at once. The scan is a report, not a gate: this is swarmkit's design,
and the gating `placement_oracle_agrees` checks the scheduler against its own rules.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from model.orchestration import SUITE, Orchestration, State
from properties.base import always
from properties.orchestration import on_request
from properties.orchestration.placement_oracle import greedy_example, greedy_strand, waiting_for_room
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import Result
from swarmcheck.outputs.report import counterexample, write_atomically, write_report

SCANNED = "uneven-nodes"


@attrs.define
class Scan:
    """What the scan found: settled states with a task waiting for room, and the strands among them."""

    result: Result | None = None
    settled_with_pending: int = 0
    strands: int = 0
    report: Path | None = None


def scan(reports: Path) -> Scan:
    """Explore the scanned configuration; count settled states with a task waiting for room and
    those z3 could fully place; write the shortest trace to a strand as a counterexample report."""
    model = Orchestration(SUITE[SCANNED])
    found = Scan()

    def tally(s: State) -> str | None:
        """A visitor in the shape of an invariant: it counts and never fails."""
        if waiting_for_room(model, s) and model.quiescent(s):
            found.settled_with_pending += 1
            found.strands += greedy_strand(model, s) is not None
        return None

    [strand] = on_request(model.config)
    props = [strand, always("tally", tally, "swarmcheck/studies/placement_strands.py")]
    for stale in (reports / "placement" / model.name).glob(f"{strand.name}-*"):
        stale.unlink()  # an older model's trace: the summary links only this run's
    found.result = explore(model, props, stop_at_first=False)
    for violation in found.result.violations:
        assert violation.trace is not None
        data = counterexample(model, strand, violation, "explore", violation.trace)
        found.report = write_report(data, reports / "placement")
    return found


def write_scan(found: Scan, summary: Path) -> None:
    """Append the scan's figures and the link to its shortest strand to the worked example."""
    assert found.result is not None and found.result.stats is not None
    config = SUITE[SCANNED]
    lines = [
        "",
        "## Strands in the model's own states",
        "",
        f"Configuration `{SCANNED}`: {config.nodes} nodes (n1 with {config.first_node_cpus} CPUs, the others "
        f"{config.cpus}), web reserves {config.reservation} CPU per replica, the global agent service "
        f"{config.agent_reservation} CPUs per node. Every state was explored "
        f"({found.result.stats.distinct_states:,} states; n1 is kept out of renamings).",
        "",
        "| settled states with a task waiting for room | of which z3 places every task at once (greedy strands) |",
        "|---:|---:|",
        f"| {found.settled_with_pending:,} | {found.strands:,} |",
        "",
    ]
    if found.report is not None:
        relative = found.report.relative_to(summary.parent).with_suffix(".md")
        lines += [
            f"The shortest way there is in [{relative}]({relative}). The replica is scheduled before the",
            "global orchestrator has created the agent task of the smaller node, and nodeLess sends it there",
            "(fewer tasks than n1, whose agent is already assigned). The agent then no longer fits. z3 would",
            "put the replica on n1. swarmkit never moves a placed task (A.5), so the agent stays pending until",
            "something else frees the room. Not gated: it is the design.",
            "",
        ]
    write_atomically(summary, summary.read_text() + "\n".join(lines))


def run(reports: Path) -> tuple[Path, Scan]:
    """The worked example, then the scan; returns the summary's path and the scan."""
    summary = write_greedy_example(reports)
    found = scan(reports)
    write_scan(found, summary)
    return summary, found


def write_greedy_example(reports: Path) -> Path:
    nodes, demands, chosen, answer = greedy_example()
    assert answer.nodes is not None

    def where(i: int | None) -> str:
        return "pending: no suitable node" if i is None else nodes[i].name

    lines = [
        "# Greedy placement strands a task that a global assignment places",
        "",
        "swarmkit's scheduler (reference A.5) places the tasks of a batch one at a time: each goes to the",
        "eligible node with the fewest tasks, and a choice is never revisited. With tasks of different sizes",
        "that order can leave a task pending although the cluster has room for the whole batch.",
        "",
        "| node | CPUs |",
        "|---|---:|",
        *[f"| {n.name} | {n.cpus} |" for n in nodes],
        "",
        "| task | CPUs reserved | greedy (swarmkit's order) | z3 (every filter, most even) |",
        "|---|---:|---|---|",
        *[f"| t{k} | {d} | {where(chosen[k])} | {nodes[answer.nodes[k]].name} |" for k, d in enumerate(demands)],
        "",
        "Why: both nodes start empty, so t0 goes to the first of the tied nodes (Go's map order; here",
        "`big`). That leaves 1 CPU on each node, and t1 needs 2. z3 sees the batch whole and puts t1 on",
        "`big`, t0 on `small`. This is not a swarmkit bug: the scheduler is greedy by design. Whether it",
        "follows its own rules is gated separately: `placement_oracle_agrees` holds at every quiescent state",
        "(no single node could take a task the scheduler left pending).",
        "",
    ]
    path = reports / "placement" / "greedy-strands.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, "\n".join(lines))
    return path
