"""Running `check`'s jobs: each job on each engine, its reports written with their
provenance, a verdict that says what was and was not shown, and the summary (terminal and
Markdown for CI). Ctrl-C leaves the summary of what finished, marked interrupted."""

from __future__ import annotations

import contextlib
import functools
import io
import subprocess
import sys
import time
from collections.abc import Generator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

from properties.base import Property
from swarmcheck.engines.explore import explore, stderr_progress
from swarmcheck.engines.result import INCOMPLETE, NOT_FOUND, Result
from swarmcheck.engines.stateful import hunt
from swarmcheck.engines.walks import walk
from swarmcheck.outputs import checkpoint, junit
from swarmcheck.outputs.html import index_page
from swarmcheck.outputs.report import counterexample, summary_table, write_atomically, write_report
from swarmcheck.plan import Job, plan
from swarmcheck.pool import in_order
from swarmcheck.registry import InputError, differing

HEADER = ["model", "configuration", "engine", "verdict", "states", "transitions", "depth", "seconds", "states/s"]
DEFAULT_WALKS, DEFAULT_DEPTH = 10_000, 80  # --engine walks, unless --max-examples and --max-depth say
INTERRUPTED = 130  # the shell's code for a run ended by Ctrl-C


@attrs.frozen
class Budgets:
    """How far each engine may go, and how it reports as it goes."""

    max_states: int | None = None
    max_depth: int | None = None
    time: float | None = None
    symmetry: bool = True
    workers: int = 1
    backend: str = "processes"  # or "ray"
    address: str | None = None  # a Ray cluster to join
    checkpoint: Path | None = None  # where the explorer saves each job's search as it goes
    checkpoint_every: float = 300.0
    resume: Path | None = None  # where it finds the searches to continue
    profile: str = "ci"
    max_examples: int | None = None
    seed: int | None = None
    quiet: bool = False


def version() -> str:
    try:
        return metadata.version("swarmcheck")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


@functools.cache
def commit() -> str | None:
    """The git commit of the code that runs, if it is a checkout ("+changes" when edited)."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if head.returncode:
            return None
        edited = subprocess.run(["git", "-C", str(here), "diff", "--quiet", "HEAD", "--", "."], timeout=5).returncode
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+changes" if edited else "")


def run_engine(engine: str, job: Job, model: Any, budgets: Budgets, stop_at_first: bool = True) -> Result:
    progress = None if budgets.quiet else stderr_progress
    if engine == "hypothesis":
        return hunt(
            model,
            job.properties,
            profile=budgets.profile,
            max_examples=budgets.max_examples,
            seed_value=budgets.seed,
            time_limit=budgets.time,
            progress=progress,
        )
    if engine == "walks" or job.walks is not None:
        walks, depth = job.walks or (DEFAULT_WALKS, DEFAULT_DEPTH)
        return walk(
            model,
            job.properties,
            walks=budgets.max_examples or walks,
            depth=budgets.max_depth or depth,
            seed=budgets.seed or 0,
            progress=progress,
        )
    saving = budgets.checkpoint or budgets.resume
    saved: dict[str, Any] = {} if saving is None else _checkpoints(job, model, budgets, saving)
    result = explore(
        model,
        job.properties,
        max_states=budgets.max_states,
        max_depth=budgets.max_depth,
        time_limit=budgets.time,
        symmetry=budgets.symmetry,
        progress=progress,
        workers=budgets.workers,
        backend=budgets.backend,
        address=budgets.address,
        stop_at_first=stop_at_first,
        **saved,
    )
    if saving is not None and result.budget_hit is None:
        checkpoint.remove(_job_folder(saving, job))  # done: nothing left to resume (a budget's stop can go on)
    return result


def _checkpoints(job: Job, model: Any, budgets: Budgets, saving: Path) -> dict[str, Any]:
    """The explorer's checkpoint arguments: save the search in the job's own folder under
    `saving`, and continue the one found under `--resume` if there is one."""
    if not hasattr(model, "from_key"):
        raise InputError(f"--checkpoint: {job.entry.name}'s states cannot be read back (its model has no from_key)")
    folder = _job_folder(saving, job)
    run = checkpoint.identity(model, budgets.symmetry, [p.name for p in job.properties])
    resume = None
    if budgets.resume is not None and checkpoint.exists(_job_folder(budgets.resume, job)):
        try:
            resume = checkpoint.load(_job_folder(budgets.resume, job), model, run)
        except checkpoint.CheckpointError as error:
            raise InputError(f"--resume: {error}") from None
        if not budgets.quiet:
            print(f"{job.entry.name} {job.name}: resumed at {len(resume.parents):,} states, depth {resume.depth}")
    return {
        "checkpoint": lambda snapshot: checkpoint.save(folder, model, run, snapshot),
        "checkpoint_every": budgets.checkpoint_every,
        "resume": resume,
    }


def _job_folder(root: Path, job: Job) -> Path:
    return root / _folder_name(job.entry.name) / _folder_name(job.name)


def _folder_name(name: str) -> str:
    """A configuration's name as one safe folder name (a `--set` run is named by its settings)."""
    return "".join(c if c.isalnum() or c in "-_.=" else "_" for c in name).strip(".") or "_"


def provenance(result: Result, configuration: str, budgets: Budgets) -> dict[str, Any]:
    """What wrote a report: tool, commit, time, engine and the search's own figures."""
    made: dict[str, Any] = {
        "tool": f"swarmcheck {version()}",
        "commit": commit(),
        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "engine": result.engine,
        "configuration": configuration,
    }
    if result.stats is not None:
        s = result.stats
        made |= {
            "symmetry": budgets.symmetry,
            "states": s.distinct_states,
            "transitions": s.transitions,
            "depth": s.depth,
        }
    if result.hunt_stats is not None:
        h = result.hunt_stats
        made |= {"profile": budgets.profile, "seed": budgets.seed, "examples": h.examples, "steps": h.steps}
    return made


def write_reports(
    model: Any, props: Sequence[Property[Any]], result: Result, directory: Path, made: dict[str, Any]
) -> list[Path]:
    by_name = {p.name: p for p in props}
    paths = []
    for violation in result.violations:
        assert violation.trace is not None
        data = counterexample(model, by_name[violation.property], violation, result.engine, violation.trace, made)
        paths.append(write_report(data, directory))
    return paths


@attrs.frozen
class Coverage:
    """The actions a complete exploration never fired: switched off by the configuration,
    declared unreachable at its bounds (with why), or neither: a gap nobody explained."""

    off: list[str]
    declared: dict[str, str]
    unexplained: list[str]
    stale: list[str]  # declared never reached, yet fired: the declaration is no longer true

    @classmethod
    def of(cls, job: Job, model: Any, result: Result) -> Coverage:
        never = result.stats.never_fired if result.stats is not None else []
        fired = result.stats.coverage if result.stats is not None else {}
        switched_off: frozenset[str] = getattr(model, "switched_off", frozenset)()
        off = [k for k in never if k in switched_off]
        declared = {k: job.unreached[k] for k in never if k not in switched_off and k in job.unreached}
        rest = [k for k in never if k not in switched_off and k not in declared]
        return cls(off, declared, rest, [k for k in job.unreached if k in fired])

    def gaps(self, job: Job, result: Result) -> list[str]:
        """What fails a main-job run, in a complete exploration (a budget makes the run
        incomplete anyway): an action enabled, undeclared and never reached, or one declared
        never reached that fired."""
        if not job.suite or result.stats is None or result.budget_hit:
            return []
        return [*self.unexplained, *(f"{k} (declared unreachable, yet fired)" for k in self.stale)]


def verdict(job: Job, result: Result, coverage: Coverage | None = None) -> str:
    """The run's verdict as a person should read it: a seeded bug that was not caught is never
    `holds`, a budget is named, random search says how far it looked, and a main-job run that
    never fired an action it enables (and nobody said why) is not a pass."""
    budget = f" ({result.budget_hit})" if result.budget_hit else ""
    if job.bugs and not result.violations:
        return f"bug not caught{budget}"
    gaps = coverage.gaps(job, result) if coverage is not None else []
    if gaps and result.passed:
        return f"{result.verdict}, but coverage is not as declared: {', '.join(gaps)}"
    if result.verdict == NOT_FOUND and result.hunt_stats is not None:
        runs = "random walks" if result.engine == "walks" else "examples"
        return f"no violation in {result.hunt_stats.examples:,} {runs}"
    if result.verdict == INCOMPLETE and not budget:
        why = sorted({r.split(";")[0] for n, r in result.reasons.items() if result.verdicts.get(n) == INCOMPLETE})
        return f"{result.verdict} ({'; '.join(why)})" if why else result.verdict
    if result.verdict == INCOMPLETE or (result.budget_hit and result.engine == "explore"):
        return f"{result.verdict}{budget}"
    return result.verdict


def passed(job: Job, result: Result, coverage: Coverage | None = None) -> bool:
    """Exit code 0: nothing violated, nothing vacuous, nothing cut short, no bug was on, and
    every action a main-job configuration enables fired or was declared out of reach."""
    return result.passed and not job.bugs and not (coverage is not None and coverage.gaps(job, result))


def summary_row(job: Job, result: Result, said: str) -> list[Any]:
    head = [job.entry.name, job.name, result.engine, said]
    if result.stats is not None:
        s = result.stats
        figures = [
            f"{s.distinct_states:,}",
            f"{s.transitions:,}",
            s.depth,
            f"{s.seconds:.1f}",
            f"{s.states_per_second:,.0f}",
        ]
        return head + figures
    if result.hunt_stats is not None:
        h = result.hunt_stats
        runs = "walks" if result.engine == "walks" else "examples"
        return head + [f"{h.examples:,} {runs}", f"{h.steps:,} steps", "-", f"{h.seconds:.1f}", "-"]
    return head + ["-"] * 5


def print_details(job: Job, result: Result, said: str, paths: list[Path], coverage: Coverage) -> None:
    print(f"== {job.entry.name} {job.name} ({result.engine}): {said}")
    shown = ", ".join(f"{k}={v}" for k, v in differing(job.config, job.entry.default).items())
    print(
        f"   configuration: {shown or 'the defaults'}"
        + (f"; seeded bugs on: {', '.join(job.bugs)}" if job.bugs else "")
    )
    for name, judged in result.verdicts.items():
        print(f"   {judged:10} {name}" + (f": {result.reasons[name]}" if name in result.reasons else ""))
    if result.stats is not None and result.stats.graph is not None:
        print(f"   liveness judged on the state graph (no symmetry): {result.stats.graph}")
    for violation, path in zip(result.violations, paths, strict=True):
        length = len(violation.trace) - 1 if violation.trace else 0
        print(f"   violation of {violation.property} in {length} steps: {violation.message}")
        print(f"   report: {path} (and .md)")
    fired = (
        result.stats.coverage if result.stats is not None else result.hunt_stats.coverage if result.hunt_stats else {}
    )
    if fired:
        print(f"   actions fired: {', '.join(f'{k} {v:,}' for k, v in fired.items())}")
    if coverage.off:
        print(f"   off in this configuration: {', '.join(coverage.off)}")
    by_reason: dict[str, list[str]] = {}
    for kind, why in coverage.declared.items():
        by_reason.setdefault(why, []).append(kind)
    for why, kinds in by_reason.items():
        print(f"   never reached (declared): {', '.join(kinds)}: {why}")
    if coverage.unexplained:
        print(f"   enabled, never reached: {', '.join(coverage.unexplained)}")
    if coverage.stale:
        print(f"   declared never reached, yet fired: {', '.join(coverage.stale)}")


@attrs.frozen
class Checked:
    """One configuration's runs as the summary, JUnit and the terminal take them: plain data,
    so that a worker process can hand it back."""

    rows: list[list[Any]]
    cases: list[junit.Case]
    paths: list[Path]
    details: str  # what the terminal shows of it
    failed: bool


def check_one(job: Job, engines: Sequence[str], budgets: Budgets, reports: Path) -> Checked:
    """One configuration on every engine asked for: reports written, verdicts said."""
    rows: list[list[Any]] = []
    cases: list[junit.Case] = []
    written: list[Path] = []
    failed = False
    details = io.StringIO()
    with contextlib.redirect_stdout(details):
        if job.bugs and not budgets.quiet:
            shown = ", ".join(f"{k}={v}" for k, v in differing(job.config, job.entry.default).items())
            print(f"{job.entry.name}: seeded bug {', '.join(job.bugs)} on, at {shown or 'the defaults'}")
        model = job.entry.build(job.config)
        for engine in engines:
            result = run_engine(engine, job, model, budgets)
            paths = write_reports(model, job.properties, result, reports, provenance(result, job.name, budgets))
            written += paths
            coverage = Coverage.of(job, model, result)
            said = verdict(job, result, coverage)
            rows.append(summary_row(job, result, said))
            cases += junit.cases(f"{job.entry.name} {job.name} ({engine})", result, paths, said)
            print_details(job, result, said, paths, coverage)
            failed = failed or not passed(job, result, coverage)
    return Checked(rows, cases, written, details.getvalue(), failed)


@attrs.frozen
class Asked:
    """What a `check` command line asked for, as a worker process plans the same jobs from it."""

    models: tuple[str, ...]
    settings: tuple[tuple[str, str], ...]
    bugs: tuple[str, ...]
    properties: tuple[str, ...]


@functools.cache
def _planned(asked: Asked) -> list[Job]:
    """The jobs, planned once per worker process."""
    return plan(asked.models, dict(asked.settings), asked.bugs, asked.properties)


def _check_in_worker(work: tuple[Asked, int, tuple[str, ...], Budgets, Path]) -> Checked:
    asked, index, engines, budgets, reports = work
    return check_one(_planned(asked)[index], engines, budgets, reports)


def run_jobs(
    jobs: Sequence[Job],
    engines: Sequence[str],
    budgets: Budgets,
    reports: Path,
    junit_path: Path | None = None,
    fail_fast: bool = False,
    processes: int = 1,
    asked: Asked | None = None,
    user_models: Sequence[str] = (),
) -> int:
    """Every job on every engine (with `fail_fast`, up to the first that fails); the exit code
    (0, 1, or 130 when interrupted). With `asked` (what planned the jobs) and `processes` > 1,
    the jobs run that many at once in worker processes; the output is the same, in the same
    order. With `junit_path`, the verdicts also go there as JUnit XML, one test case per
    property."""
    rows: list[list[Any]] = []
    cases: list[junit.Case] = []
    written: list[Path] = []
    code = 0
    if asked is not None and processes > 1 and len(jobs) > 1:
        work = [(asked, i, tuple(engines), budgets, reports) for i in range(len(jobs))]
        finished: Generator[Checked, None, None] = in_order(_check_in_worker, work, processes, user_models)
    else:
        finished = (check_one(job, engines, budgets, reports) for job in jobs)
    done = 0
    try:
        for checked in finished:
            done += 1
            rows += checked.rows
            cases += checked.cases
            written += checked.paths
            print(checked.details, end="", flush=True)
            code = max(code, int(checked.failed))
            if code and fail_fast:
                print(f"\n--fail-fast: stopped at the first failing configuration; {len(jobs) - done} not run")
                break
    except KeyboardInterrupt:
        if done < len(jobs):
            job = jobs[done]
            rows += [[job.entry.name, job.name, engine, "interrupted", *["-"] * 5] for engine in engines]
        print()
        print(summary_table(rows, HEADER))
        path = write_summary(rows, reports, interrupted=True)
        write_atomically(reports / "index.html", index_page(written, reports))
        if junit_path is not None:
            junit.write(cases, junit_path)
        print(f"\ninterrupted: the summary of what finished is in {path}", file=sys.stderr)
        return INTERRUPTED
    finally:
        finished.close()  # --fail-fast: the workers still running are ended
    print()
    print(summary_table(rows, HEADER))
    print(f"\nsummary for CI: {write_summary(rows, reports)}")
    write_atomically(reports / "index.html", index_page(written, reports))
    if junit_path is not None:
        print(f"JUnit XML: {junit.write(cases, junit_path)}")
    return code


def write_summary(rows: list[list[Any]], directory: Path, interrupted: bool = False) -> Path:
    """The run as a Markdown table (a CI job summary), beside the reports."""
    lines = [
        "# swarmcheck check" + (" (interrupted)" if interrupted else ""),
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows),
        "",
    ]
    path = directory / "check-summary.md"
    write_atomically(path, "\n".join(lines))
    return path
