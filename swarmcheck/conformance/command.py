"""The command line's conformance doors: `conformance pysyncobj` (Hypothesis drives the library,
the rules judge it; a finding is a report, exit 1), with `--record TRACE` (a plain random run
written as a trace), and `validate TRACE` (exit 0: every step is a Raft step; 1: one is not,
named; 2: not a trace). The harness is imported only when asked for: pysyncobj is an extra."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from swarmcheck.conformance.network import MODES  # plain Python: no pysyncobj needed
from swarmcheck.registry import InputError

INSTALL = "pysyncobj is not installed: pip install -e '.[conformance]'"


def add_commands(commands: Any, folder: Callable[[str], Path], count: Callable[[str], int]) -> None:
    conformance = commands.add_parser("conformance", help="drive a real Raft library and judge it by the model's rules")
    conformance.add_argument("library", choices=("pysyncobj",))
    conformance.add_argument("--mode", choices=MODES, default="fifo", help="how links deliver (default: fifo, as TCP)")
    conformance.add_argument("--nodes", type=_nodes, default=3, metavar="N", help="cluster size (2..7)")
    conformance.add_argument("--examples", type=count, default=2000, metavar="N", help="runs Hypothesis tries")
    conformance.add_argument("--steps", type=count, default=30, metavar="N", help="events per run")
    conformance.add_argument("--seed", type=int, default=0, help="the library's randomness (election timeouts)")
    conformance.add_argument("--reports", type=folder, default=Path("reports"), metavar="DIR")
    conformance.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="a rule not to judge (a known finding), to look past it",
    )
    conformance.add_argument(
        "--record", type=Path, default=None, metavar="TRACE", help="instead: record a plain random run as a trace"
    )
    conformance.add_argument("--events", type=count, default=2000, metavar="N", help="with --record: events to run")
    conformance.set_defaults(run=run_conformance)

    validate = commands.add_parser("validate", help="check a recorded implementation trace against Raft's rules")
    validate.add_argument("trace", type=Path)
    validate.set_defaults(run=run_validate)


def _nodes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 2 <= value <= 7:
        raise argparse.ArgumentTypeError(f"--nodes must be a whole number from 2 to 7, not {text!r}")
    return value


def run_conformance(args: argparse.Namespace) -> int:
    try:
        from swarmcheck.conformance import reporting, rules, stateful
        from swarmcheck.conformance.checked import CheckedCluster
        from swarmcheck.conformance.traces import random_events, record
    except ImportError:
        raise InputError(INSTALL) from None
    if args.record is not None:
        run = CheckedCluster(args.nodes, args.mode, args.seed)
        args.record.parent.mkdir(parents=True, exist_ok=True)
        with args.record.open("w", encoding="utf-8") as out:
            steps = record(run, out, random_events(run, args.events, args.seed))
        print(f"recorded {steps} steps of a random run ({args.mode} links): {args.record}")
        return 0
    setup = stateful.Setup(args.nodes, args.mode, args.seed, args.examples, args.steps, tuple(args.ignore))
    unknown = sorted(set(args.ignore) - rules.RULES - {p.name for p in rules.model_properties(args.nodes)})
    if unknown:
        raise InputError(f"unknown rule {unknown[0]!r}; see swarmcheck/conformance/rules.py")
    started = time.process_time()
    outcome = stateful.check(setup)
    seconds = time.process_time() - started
    said = f"{outcome.events:,} events judged in {seconds:.1f} CPU s ({outcome.events / max(seconds, 1e-9):,.0f}/s)"
    if outcome.finding is None:
        print(f"pysyncobj ({args.mode} links, {args.nodes} nodes): no rule broken in {args.examples} runs; {said}")
        return 0
    path = reporting.write(outcome, args.reports, {"engine": "hypothesis", "examples": args.examples})
    print(
        f"pysyncobj ({args.mode} links, {args.nodes} nodes): {outcome.finding.rule} broken in {len(outcome.steps)} steps"
    )
    print(f"  {outcome.finding.message}")
    print(f"  report: {path}; {said}")
    return 1


def run_validate(args: argparse.Namespace) -> int:
    try:
        from swarmcheck.conformance.traces import TraceError, validate
    except ImportError:
        raise InputError(INSTALL) from None
    try:
        verdict = validate(args.trace)
    except TraceError as error:
        print(f"swarmcheck validate: {error}", file=sys.stderr)
        return 2
    if verdict.finding is None:
        print(f"{args.trace}: all {verdict.steps} steps are Raft steps")
        return 0
    finding = verdict.finding
    print(f"{args.trace}: step {verdict.steps} breaks {finding.rule} ({finding.source}): {finding.message}")
    return 1
