"""The command line: list, check, bugs, prove, simulate, conformance, validate, replay.
Exit 0 holds, 1 violated or missed, 2 bad input."""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from swarmcheck import registry
from swarmcheck.conformance.command import add_commands as add_conformance
from swarmcheck.engines.replay import NotReplayable, Outcome, rerun
from swarmcheck.engines.result import ModelError
from swarmcheck.engines.stateful import PROFILES
from swarmcheck.outputs.model_error import model_error_text
from swarmcheck.outputs.replay import ReplayError, load
from swarmcheck.outputs.report import summary_table
from swarmcheck.paths import output_folder
from swarmcheck.plan import plan
from swarmcheck.registry import Entry, InputError
from swarmcheck.running import INTERRUPTED, Asked, Budgets, run_jobs, version

ENGINES = ("explore", "hypothesis", "walks", "all")
MODEL_FAILED = 3  # the model or a property raised: no verdict


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
        return INTERRUPTED
    except ModelError as error:
        print(model_error_text(error), file=sys.stderr)
        return MODEL_FAILED


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> Any:
        raise InputError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="swarmcheck", description="Model checking for a Docker-Swarm-style control plane.")
    parser.add_argument("--version", action="version", version=f"swarmcheck {version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("list", help="models, their properties and seeded bugs")
    listing.add_argument(
        "--model", action="append", default=[], metavar="MODULE:FACTORY", help="a model of your own (docs/api.md)"
    )
    listing.set_defaults(run=run_list)

    check = commands.add_parser("check", help="check models at their default bounds (all models if none named)")
    check.add_argument("models", nargs="*", metavar="MODEL")
    check.add_argument(
        "--model", action="append", default=[], metavar="MODULE:FACTORY", help="a model of your own (docs/api.md)"
    )
    check.add_argument("--set", action="append", default=[], metavar="K=V", help="override a bound or option")
    check.add_argument("--bug", action="append", default=[], metavar="NAME", help="switch on a seeded bug")
    check.add_argument("--property", action="append", default=[], metavar="NAME", help="check only these")
    check.add_argument(
        "--engine",
        choices=ENGINES,
        default="explore",
        help="explore: every state (the main job walks only the configurations past its reach); "
        "hypothesis: shrinking random search; walks: seeded random walks (TLC's simulation mode)",
    )
    check.add_argument("--profile", choices=sorted(PROFILES), default="ci", help="Hypothesis settings profile")
    check.add_argument(
        "--max-examples",
        type=_positive,
        default=None,
        metavar="N",
        help="Hypothesis: runs of the model; walks: how many walks",
    )
    check.add_argument(
        "--seed",
        type=int,
        default=None,
        help="Hypothesis and walks: a random stream of your own (default: derandomized, walks: seed 0)",
    )
    check.add_argument("--max-states", type=_positive, default=None, metavar="N")
    check.add_argument("--max-depth", type=_positive, default=None, metavar="N", help="walks: steps per walk")
    check.add_argument(
        "--time", type=_positive_float, default=None, metavar="S", help="time budget per run, in seconds"
    )
    check.add_argument("--no-symmetry", action="store_true", help="explore every state, not one per orbit")
    check.add_argument(
        "--workers", type=_worker_count, default=1, metavar="N", help="explorer processes sharing the search (1..64)"
    )
    check.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="configurations checked at once, each in its own process (default: one per core, over --workers)",
    )
    check.add_argument(
        "--backend",
        choices=("processes", "ray"),
        default="processes",
        help="where the workers run: processes on this machine, or Ray actors (pip install -e '.[ray]')",
    )
    check.add_argument("--address", default=None, metavar="HOST:PORT", help="with --backend ray: a running cluster")
    check.add_argument(
        "--checkpoint",
        type=_folder,
        default=None,
        metavar="DIR",
        help="save each search there as it goes, and on Ctrl-C",
    )
    check.add_argument(
        "--checkpoint-every", type=_positive_float, default=300.0, metavar="S", help="seconds between checkpoints"
    )
    check.add_argument("--resume", type=_folder, default=None, metavar="DIR", help="continue the searches saved there")
    check.add_argument("--reports", type=_folder, default=Path("reports"), metavar="DIR")
    check.add_argument("--quiet", action="store_true", help="no progress lines")
    check.add_argument(
        "--junit", type=_file_name, default=None, metavar="FILE", help="also write the verdicts as JUnit XML"
    )
    check.add_argument(
        "--fail-fast", action="store_true", help="stop after the first configuration that fails (as pytest -x)"
    )
    check.add_argument(
        "--oracle",
        action="store_true",
        help="also scan the scheduler's states for greedy placement strands z3 would place (reports/placement/)",
    )
    check.set_defaults(run=run_check)

    bugs = commands.add_parser("bugs", help="every seeded bug must be caught by every engine")
    bugs.add_argument("models", nargs="*", metavar="MODEL")
    bugs.add_argument(
        "--model", action="append", default=[], metavar="MODULE:FACTORY", help="a model of your own (docs/api.md)"
    )
    bugs.add_argument("--engine", choices=ENGINES, default="all")
    bugs.add_argument("--reports", type=_folder, default=Path("reports"), metavar="DIR")
    bugs.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N", help="hunts at once")
    bugs.set_defaults(run=run_bugs)

    prove = commands.add_parser("prove", help="quorum theorems proved with z3, for every cluster size")
    prove.add_argument("--max-n", type=_positive, default=64, metavar="N", help="largest cluster checked one by one")
    prove.add_argument("--reports", type=_folder, default=Path("reports"), metavar="DIR")
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
    simulate.add_argument("--reports", type=_folder, default=Path("reports"), metavar="DIR")
    simulate.set_defaults(run=run_simulate)

    add_conformance(commands, _folder, _positive)

    again = commands.add_parser("replay", help="re-run reports' steps and confirm their violations")
    again.add_argument("files", type=Path, nargs="+", metavar="FILE")
    again.add_argument(
        "--model", action="append", default=[], metavar="MODULE:FACTORY", help="a model of your own (docs/api.md)"
    )
    again.set_defaults(run=run_replay)
    return parser


def _folder(text: str) -> Path:
    """A folder name; Path("") would quietly be the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder name, not an empty string")
    return Path(text)


def _file_name(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, not an empty string")
    return Path(text)


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


def _worker_count(text: str) -> int:
    count = _positive(text)
    if count > 64:
        raise argparse.ArgumentTypeError(f"{count} workers is out of range (1..64)")
    return count


def _positive_float(text: str) -> float:
    return _positive_number(text, float, "a number")


def _positive_number(text: str, kind: Callable[[str], float], noun: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive, finite number")
    return value


def _entries(names: Sequence[str]) -> list[Entry]:
    return [registry.lookup(name) for name in names] if names else list(registry.MODELS.values())


def _with_user_models(args: argparse.Namespace) -> list[str]:
    """Load each --model; the model names to run: those named, else the loaded ones, else all."""
    loaded = [registry.load_user_model(spec).name for spec in args.model]
    return list(args.models) or loaded


# ---------------------------------------------------------------- list


def run_list(args: argparse.Namespace) -> int:
    for spec in args.model:
        registry.load_user_model(spec)
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
    _engine_options_fit(args)
    reports = output_folder(args.reports)
    if args.junit is not None:
        if args.junit.is_dir():
            raise InputError(f"--junit {args.junit}: is a folder; it takes a file name")
        output_folder(args.junit.parent, "--junit")
    if args.checkpoint is not None:
        output_folder(args.checkpoint, "--checkpoint")
    models = _with_user_models(args)
    jobs = plan(models, _settings(args.set), args.bug, args.property)  # every name checked first
    if args.oracle:
        from swarmcheck.studies import placement_strands as strands

        summary, found = strands.run(reports)
        print(
            f"greedy placement vs z3 (not gating): {found.strands:,} of {found.settled_with_pending:,} settled "
            f"states with a task waiting for room are greedy strands; {summary}"
        )
    budgets = Budgets(
        max_states=args.max_states,
        max_depth=args.max_depth,
        time=args.time,
        symmetry=not args.no_symmetry,
        workers=args.workers,
        backend=args.backend,
        address=args.address,
        checkpoint=args.checkpoint,
        checkpoint_every=args.checkpoint_every,
        resume=args.resume,
        profile=args.profile,
        max_examples=args.max_examples,
        seed=args.seed,
        quiet=args.quiet,
    )
    engines = ("explore", "hypothesis") if args.engine == "all" else (args.engine,)
    asked = Asked(tuple(models), tuple(_settings(args.set).items()), tuple(args.bug), tuple(args.property))
    processes = args.jobs or max(1, (os.cpu_count() or 1) // args.workers)
    if args.checkpoint or args.resume or args.backend == "ray":
        processes = 1  # Ctrl-C's last checkpoint and Ray's cluster belong to this process
    return run_jobs(jobs, engines, budgets, reports, args.junit, args.fail_fast, processes, asked, args.model)


def _engine_options_fit(args: argparse.Namespace) -> None:
    """An option the chosen engine does not have is an error, not silently dropped."""
    if (args.workers > 1 or args.backend == "ray") and (args.checkpoint or args.resume):
        raise InputError("--checkpoint and --resume save one worker's search: leave out --workers and --backend")
    if (args.jobs or 1) > 1 and (args.checkpoint or args.resume or args.backend == "ray"):
        raise InputError("--checkpoint, --resume and --backend ray run one configuration at a time: leave out --jobs")
    if args.address is not None and args.backend != "ray":
        raise InputError("--address names a Ray cluster: add --backend ray")
    if args.backend == "ray" and importlib.util.find_spec("ray") is None:
        raise InputError("--backend ray needs Ray: pip install -e '.[ray]'")
    if args.resume is not None and not args.resume.is_dir():
        raise InputError(f"--resume {args.resume}: no such folder")
    explorer_only = {
        "--max-states": args.max_states,
        "--max-depth": args.max_depth,
        "--no-symmetry": args.no_symmetry,
        "--workers": args.workers > 1,
        "--backend": args.backend != "processes",
        "--checkpoint": args.checkpoint,
        "--resume": args.resume,
    }
    random_only = {"--max-examples": args.max_examples, "--seed": args.seed}
    if args.engine == "hypothesis":
        given = [flag for flag, value in explorer_only.items() if value]
        if given:
            raise InputError(f"{given[0]} is the explorer's; Hypothesis takes --max-examples, --seed and --time")
    if args.engine == "walks":
        given = [flag for flag, value in explorer_only.items() if value and flag != "--max-depth"]
        given += ["--time"] if args.time is not None else []
        if given:
            raise InputError(f"{given[0]} is not the walks'; they take --max-examples (walks), --max-depth and --seed")
    if args.engine == "explore":
        given = [flag for flag, value in random_only.items() if value is not None]
        if given:
            raise InputError(f"{given[0]} is Hypothesis's (--engine hypothesis or all); the explorer is exhaustive")


# ---------------------------------------------------------------- bugs


def run_bugs(args: argparse.Namespace) -> int:
    from swarmcheck.hunting import run_bugs as hunt_all

    reports = output_folder(args.reports)
    engines = ("explore", "hypothesis") if args.engine == "all" else (args.engine,)
    return hunt_all(_entries(_with_user_models(args)), engines, reports, args.jobs, args.model)


# ---------------------------------------------------------------- prove


def run_simulate(args: argparse.Namespace) -> int:
    from swarmcheck.studies import gossip_figures as figures
    from swarmcheck.studies import gossip_simulation as simulate

    reports = output_folder(args.reports)
    settings = {"seed": args.seed, "runs": args.runs, "slow_delay": args.slow_delay, "seconds": args.seconds}
    rows = []
    for row in simulate.run(args.sizes, args.seed, args.runs, args.slow_delay, args.seconds):
        rows.append(row)
        print(f"  {row.nodes} nodes done", file=sys.stderr)
    print(figures.table(rows))
    for path in figures.write(rows, settings, reports):
        print(f"written: {path}")
    large = [r for r in rows if r.nodes >= 32]
    worst = max((figures.off_by(r) for r in large), default=0.0)
    print(f"random-target detection vs SWIM's formula at 32+ nodes: worst {worst:.1%} (bar {figures.TOLERANCE:.0%})")
    return 0 if worst <= figures.TOLERANCE else 1


def run_prove(args: argparse.Namespace) -> int:
    from swarmcheck.engines.smt import election
    from swarmcheck.engines.smt.quorum import theorems
    from swarmcheck.outputs.proofs import write_witness

    reports = output_folder(args.reports)
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
            path = write_witness(v, reports)
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
    """Each file on its own line, and on to the next: exit 2 if any was not a report this
    version can replay, else 1 if any violation no longer happens, else 0."""
    for spec in args.model:
        registry.load_user_model(spec)
    code = 0
    for path in args.files:
        prefix = f"{path}: " if len(args.files) > 1 else ""
        try:
            outcome = replay(path)
        except ReplayError as error:  # its text names the file
            print(f"swarmcheck replay: {error}", file=sys.stderr)
            code = 2
            continue
        print(prefix + outcome.summary)
        code = max(code, 0 if outcome.reproduced else 1)
    return code


def replay(path: Path) -> Outcome:
    """A report file re-run on the model it names (ReplayError: not a report this version can replay)."""
    data = load(path)
    if data["model"] == "pysyncobj":
        return _replay_conformance(path, data)
    try:
        entry = registry.lookup(data["model"])
        config = registry.recorded_config(entry, data["config"])
        (prop,) = registry.select_properties(entry, config, [data["property"]])
        loop = data.get("loop")
        if loop is not None and not isinstance(loop, int):
            raise InputError("the report's loop is not a step number")
        return rerun(entry.build(config), prop, data["steps"], loop)
    except (InputError, NotReplayable) as error:
        raise ReplayError(f"{path}: {error}") from None


def _replay_conformance(path: Path, data: dict[str, Any]) -> Outcome:
    """A conformance report re-run on the library (swarmcheck/conformance/reporting.py)."""
    try:
        from swarmcheck.conformance.reporting import replay as replay_conformance
    except ImportError:
        raise ReplayError(f"{path}: pysyncobj is not installed: pip install -e '.[conformance]'") from None
    try:
        return replay_conformance(data)
    except ValueError as error:
        raise ReplayError(f"{path}: {error}") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
