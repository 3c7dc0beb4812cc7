"""The command line: list, check, bugs, replay. Exit 0 holds, 1 violated or missed, 2 bad input."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from swarmcheck import registry
from swarmcheck.engines.explore import explore, stderr_progress
from swarmcheck.engines.replay import NotReplayable, Outcome, rerun
from swarmcheck.engines.result import HOLDS, Result, Violation
from swarmcheck.engines.stateful import PROFILES, hunt
from swarmcheck.outputs.replay import ReplayError, load
from swarmcheck.outputs.report import counterexample, summary_table, write_atomically, write_report
from swarmcheck.registry import Entry, InputError

ENGINES = ("explore", "hypothesis", "all")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.run(args)
        return code
    except InputError as error:
        print(f"swarmcheck: {error}", file=sys.stderr)
        return 2
    except ReplayError as error:
        print(f"swarmcheck replay: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("swarmcheck: interrupted; no report was left half written", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> Any:
        raise InputError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="swarmcheck", description="Model checking for a Docker-Swarm-style control plane.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("list", help="models, their properties and seeded bugs")
    listing.set_defaults(run=run_list)

    check = commands.add_parser("check", help="check models at their default bounds (all models if none named)")
    check.add_argument("models", nargs="*", metavar="MODEL")
    check.add_argument("--set", action="append", default=[], metavar="K=V", help="override a bound or option")
    check.add_argument("--bug", action="append", default=[], metavar="NAME", help="switch on a seeded bug")
    check.add_argument("--property", action="append", default=[], metavar="NAME", help="check only these")
    check.add_argument("--engine", choices=ENGINES, default="explore")
    check.add_argument("--profile", choices=sorted(PROFILES), default="ci", help="Hypothesis settings profile")
    check.add_argument("--max-states", type=_positive, default=None, metavar="N")
    check.add_argument("--max-depth", type=_positive, default=None, metavar="N")
    check.add_argument("--time", type=_positive_float, default=None, metavar="S", help="time budget in seconds")
    check.add_argument("--no-symmetry", action="store_true", help="explore every state, not one per orbit")
    check.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR")
    check.add_argument("--quiet", action="store_true", help="no progress lines")
    check.add_argument(
        "--oracle",
        action="store_true",
        help="also scan the scheduler's states for greedy placement strands z3 would place (reports/placement/)",
    )
    check.set_defaults(run=run_check)

    bugs = commands.add_parser("bugs", help="every seeded bug must be caught by every engine")
    bugs.add_argument("models", nargs="*", metavar="MODEL")
    bugs.add_argument("--engine", choices=ENGINES, default="all")
    bugs.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR")
    bugs.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N", help="hunts at once")
    bugs.set_defaults(run=run_bugs)

    prove = commands.add_parser("prove", help="quorum theorems proved with z3, for every cluster size")
    prove.add_argument("--max-n", type=_positive, default=64, metavar="N", help="largest cluster checked one by one")
    prove.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR")
    prove.add_argument(
        "--drop", action="append", default=[], metavar="CONJUNCT", help="weaken the election-safety invariant"
    )
    prove.set_defaults(run=run_prove)

    simulate = commands.add_parser("simulate", help="timed random runs of a model, for the papers' figures")
    simulate.add_argument("model", choices=["gossip"])
    simulate.add_argument("--sizes", type=_sizes, default=(8, 16, 32, 64, 128), metavar="N,N,...")
    simulate.add_argument("--runs", type=_positive, default=2000, metavar="N", help="crashes per size")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--slow-delay", type=_positive_float, default=10.0, metavar="S", help="slow node's lag")
    simulate.add_argument("--seconds", type=_positive_float, default=300.0, metavar="S", help="slow-node run length")
    simulate.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR")
    simulate.set_defaults(run=run_simulate)

    again = commands.add_parser("replay", help="re-run reports' steps and confirm their violations")
    again.add_argument("files", type=Path, nargs="+", metavar="FILE")
    again.set_defaults(run=run_replay)
    return parser


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of node counts") from None
    if not all(4 <= n <= 256 for n in sizes):
        raise argparse.ArgumentTypeError("node counts run from 4 to 256")
    return sizes


def _positive(text: str) -> int:
    return int(_positive_number(text, int, "a whole number"))


def _positive_float(text: str) -> float:
    return _positive_number(text, float, "a number")


def _positive_number(text: str, kind: Callable[[str], float], noun: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be positive")
    return value


def _entries(names: Sequence[str]) -> list[Entry]:
    return [registry.lookup(name) for name in names] if names else list(registry.MODELS.values())


# ---------------------------------------------------------------- list


def run_list(args: argparse.Namespace) -> int:
    for entry in registry.MODELS.values():
        config = entry.default
        print(f"{entry.name}: {entry.summary}")
        for name, member in entry.suite.items():
            print(f"  checked at ({name}): {_bounds(member)}")
        print("  properties (each where its configuration makes it apply):")
        shown: dict[str, Any] = {}
        for member in (config, *entry.suite.values()):
            shown.update({p.name: p for p in entry.properties(member) if p.name not in shown})
        reports = entry.on_request(config)
        width = max(len(name) for name in [*shown, *(p.name for p in reports), *entry.bugs])
        for p in shown.values():
            print(f"    {p.name:{width}} {p.kind.value:18} {p.source}")
        for p in reports:
            print(f"    {p.name:{width}} {'report, on request':18} {p.source}")
        print("  seeded bugs:")
        for name, text in entry.bugs.items():
            print(f"    {name:{width}} {text}")
    return 0


def _bounds(config: Any) -> str:
    import attrs

    return ", ".join(f"{f.name}={getattr(config, f.name)}" for f in attrs.fields(type(config)) if f.name != "bugs")


# ---------------------------------------------------------------- check


def _settings(items: Sequence[str]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--set takes K=V, not {item!r}")
        settings[key.strip()] = value.strip()
    return settings


def run_check(args: argparse.Namespace) -> int:
    entries = _entries(args.models)
    settings = _settings(args.set)
    jobs = []
    for entry in entries:  # validate everything before running anything
        if settings or args.bug:
            configs = [entry.config(settings, frozenset(args.bug))]
        else:
            configs = list(entry.suite.values())
        for config in configs:
            jobs.append((entry, config, registry.select_properties(entry, config, args.property)))
    if args.oracle:
        from swarmcheck.studies import placement_strands as strands

        summary, found = strands.run(args.reports)
        print(
            f"greedy placement vs z3 (not gating): {found.strands:,} of {found.settled_with_pending:,} settled "
            f"states with a task waiting for room are greedy strands; {summary}"
        )
    rows: list[list[Any]] = []
    worst = 0
    for entry, config, props in jobs:
        model = entry.build(config)
        for engine in ("explore", "hypothesis") if args.engine == "all" else (args.engine,):
            result = _run_engine(engine, model, props, args)
            paths = _write_reports(model, props, result, args.reports)
            rows.append(_summary_row(entry, config, result))
            _print_details(result, paths)
            worst = max(worst, 0 if _acceptable(result) else 1)
    header = ["model", "engine", "bounds", "verdict", "states", "transitions", "depth", "seconds", "states/s"]
    print()
    print(summary_table(rows, header))
    summary = _write_summary(rows, header, args.reports)
    print(f"\nsummary for CI: {summary}")
    return worst


def _write_summary(rows: list[list[Any]], header: list[str], directory: Path) -> Path:
    """The run as a Markdown table (a CI job summary), beside the reports."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "# swarmcheck check",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
        "",
    ]
    path = directory / "check-summary.md"
    write_atomically(path, "\n".join(lines))
    return path


def _acceptable(result: Result) -> bool:
    """A clean explorer run holds; a Hypothesis run can only fail to find a violation."""
    return result.verdict == HOLDS or (result.engine == "hypothesis" and not result.violations)


def _run_engine(engine: str, model: Any, props: list[Any], args: argparse.Namespace) -> Result:
    if engine == "hypothesis":
        return hunt(model, props, profile=args.profile)
    return explore(
        model,
        props,
        max_states=args.max_states,
        max_depth=args.max_depth,
        time_limit=args.time,
        symmetry=not args.no_symmetry,
        progress=None if args.quiet else stderr_progress,
    )


def _write_reports(model: Any, props: list[Any], result: Result, directory: Path) -> list[Path]:
    by_name = {p.name: p for p in props}
    paths = []
    for violation in result.violations:
        assert violation.trace is not None
        data = counterexample(model, by_name[violation.property], violation, result.engine, violation.trace)
        paths.append(write_report(data, directory))
    return paths


def _summary_row(entry: Entry, config: Any, result: Result) -> list[Any]:
    stats = result.stats
    verdict = (
        result.verdict
        if not result.budget_hit or result.engine != "explore"
        else f"{result.verdict} ({result.budget_hit})"
    )
    if stats is None:
        return [entry.name, result.engine, _bounds(config), verdict, "-", "-", "-", "-", "-"]
    return [
        entry.name,
        result.engine,
        _bounds(config),
        verdict,
        f"{stats.distinct_states:,}",
        f"{stats.transitions:,}",
        stats.depth,
        f"{stats.seconds:.1f}",
        f"{stats.states_per_second:,.0f}",
    ]


def _print_details(result: Result, paths: list[Path]) -> None:
    print(f"== {result.model} ({result.engine}): {result.verdict}")
    for name, verdict in result.verdicts.items():
        print(f"   {verdict:10} {name}")
    for violation, path in zip(result.violations, paths, strict=True):
        length = len(violation.trace) - 1 if violation.trace else 0
        print(f"   violation of {violation.property} in {length} steps: {violation.message}")
        print(f"   report: {path} (and .md)")
    if result.stats is not None:
        coverage = ", ".join(f"{k} {v:,}" for k, v in result.stats.coverage.items())
        print(f"   actions fired: {coverage}")
        if result.stats.never_fired:
            print(f"   never fired: {', '.join(result.stats.never_fired)}")


# ---------------------------------------------------------------- bugs


def run_bugs(args: argparse.Namespace) -> int:
    entries = _entries(args.models)
    engines = ("explore", "hypothesis") if args.engine == "all" else (args.engine,)
    hunts = [
        (entry.name, bug, engine, str(args.reports)) for entry in entries for bug in entry.bugs for engine in engines
    ]
    # Hunts are independent and each is deterministic: run them on every core.
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = dict(zip(hunts, pool.map(_hunt_one, hunts), strict=True))
    rows: list[list[Any]] = []
    for entry in entries:
        for bug in entry.bugs:
            cells = [outcomes[(entry.name, bug, engine, str(args.reports))] for engine in engines]
            rows.append([entry.name, bug, _bounds(entry.bug_config(bug)), *cells])
    missed = sum(cell == "MISSED" for row in rows for cell in row[3:])
    print(summary_table(rows, ["model", "bug", "bounds", *(f"{e}: caught by (steps) report" for e in engines)]))
    print(f"\n{len(hunts) - missed} of {len(hunts)} bug hunts caught their bug")
    return 1 if missed else 0


def _hunt_one(job: tuple[str, str, str, str]) -> str:
    """One engine hunting one seeded bug at its stated bounds; the cell for the table."""
    name, bug, engine, reports = job
    entry = registry.lookup(name)
    config = entry.bug_config(bug)
    model = entry.build(config)
    props = entry.properties(config)
    result = hunt(model, props, profile="ci") if engine == "hypothesis" else explore(model, props)
    paths = _write_reports(model, props, result, Path(reports))
    cell = _caught(result.violations[0], paths[0]) if result.violations else "MISSED"
    print(f"{name}/{bug} ({engine}): {cell}", file=sys.stderr, flush=True)
    return cell


def _caught(violation: Violation, path: Path) -> str:
    length = len(violation.trace) - 1 if violation.trace else 0
    return f"{violation.property} ({length}) {path}"


# ---------------------------------------------------------------- prove


def run_simulate(args: argparse.Namespace) -> int:
    from swarmcheck.studies import gossip_figures as figures
    from swarmcheck.studies import gossip_simulation as simulate

    settings = {"seed": args.seed, "runs": args.runs, "slow_delay": args.slow_delay, "seconds": args.seconds}
    rows = []
    for row in simulate.run(args.sizes, args.seed, args.runs, args.slow_delay, args.seconds):
        rows.append(row)
        print(f"  {row.nodes} nodes done", file=sys.stderr)
    print(figures.table(rows))
    for path in figures.write(rows, settings, args.reports):
        print(f"written: {path}")
    large = [r for r in rows if r.nodes >= 32]
    worst = max((figures.off_by(r) for r in large), default=0.0)
    print(f"random-target detection vs SWIM's formula at 32+ nodes: worst {worst:.1%} (bar {figures.TOLERANCE:.0%})")
    return 0 if worst <= figures.TOLERANCE else 1


def run_prove(args: argparse.Namespace) -> int:
    from swarmcheck.engines.smt import election
    from swarmcheck.engines.smt.quorum import theorems
    from swarmcheck.outputs.proofs import write_witness

    try:
        inductive, checks, seconds = election.proved(frozenset(args.drop))
    except ValueError as error:
        raise InputError(str(error)) from None
    if args.drop:
        return _print_induction(checks, args.drop)
    verdicts = theorems(args.max_n)
    rows = []
    for v in verdicts:
        mark = "" if v.as_expected else f" (expected {v.expected})"
        rows.append([v.theorem, v.verdict + mark, v.sizes, f"{v.seconds:.2f}"])
    rows.append(["election_safety_inductive", "proved" if inductive else "not inductive", "all N", f"{seconds:.2f}"])
    print(summary_table(rows, ["theorem", "verdict", "cluster sizes", "seconds"]))
    print()
    for v in verdicts:
        print(f"{v.theorem}: {v.claim}")
        if v.witness is not None:
            path = write_witness(v, args.reports)
            print(f"   {v.detail}\n   report: {path} (and .md)")
    if not inductive:
        _print_induction(checks, [])
    return 0 if inductive and all(v.as_expected for v in verdicts) else 1


def _print_induction(checks: list[Any], dropped: list[str]) -> int:
    """The proof obligations of the election-safety invariant, and any counterexample."""
    weakened = f" without {', '.join(dropped)}" if dropped else ""
    print(f"Election Safety, inductive invariant{weakened}:")
    for check in checks:
        print(f"  {'holds' if check.holds else 'FAILS'}  {check.obligation} ({check.seconds:.2f} s)")
        if check.counterexample:
            print("    counterexample to induction: " + check.counterexample.replace("\n", "\n    "))
    return 0 if all(check.holds for check in checks) else 1


# ---------------------------------------------------------------- replay


def run_replay(args: argparse.Namespace) -> int:
    """Every file is checked before any is replayed: a bad one is exit 2, nothing else said."""
    outcomes = [(path, replay(path)) for path in args.files]
    for path, outcome in outcomes:
        print(outcome.summary if len(outcomes) == 1 else f"{path}: {outcome.summary}")
    return 0 if all(outcome.reproduced for _, outcome in outcomes) else 1


def replay(path: Path) -> Outcome:
    """A report file re-run on the model it names (ReplayError: not a report this version can replay)."""
    data = load(path)
    try:
        entry = registry.lookup(data["model"])
        config = registry.recorded_config(entry, data["config"])
        (prop,) = registry.select_properties(entry, config, [data["property"]])
        return rerun(entry.build(config), prop, data["steps"])
    except (InputError, NotReplayable) as error:
        raise ReplayError(str(error)) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
