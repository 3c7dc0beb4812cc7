"""swarmcheck's Python API: check a model of your own with the same engines and reports.

A model is any object with the methods of `Model` (model/kernel.py): `init_states`,
`next_steps`, `within_bounds`, `key`, `canonical`, `describe_state`, `config_data`, and
a `name`. An `Entry` names it for the command line: its default configuration (an attrs
class with a `bugs: frozenset[str]` field), its suite, how to build it, its properties and
its seeded bugs. `docs/api.md` walks through a whole example (`examples/claims.py`).

    from swarmcheck.api import check
    results = check(my_entry)                      # every suite configuration, reports written

From the command line: `swarmcheck check --model mypackage.mymodule:entry` (and `bugs`,
`replay`); from pytest: a test module that defines `swarmcheck_model = entry` (the plugin
collects one test per suite configuration).
"""

from __future__ import annotations

from pathlib import Path

from model.kernel import Model, action_data, put
from properties.base import Property, always, sometimes, sometimes_step, transition
from swarmcheck.engines.explore import explore
from swarmcheck.engines.result import Result
from swarmcheck.engines.stateful import hunt
from swarmcheck.outputs.report import counterexample, write_report
from swarmcheck.plan import Job
from swarmcheck.registry import Entry, select_properties
from swarmcheck.running import Budgets, Coverage, passed, provenance, run_engine, verdict, write_reports

__all__ = [
    "Budgets",
    "Entry",
    "Model",
    "Property",
    "Result",
    "Verdict",
    "action_data",
    "always",
    "check",
    "check_configuration",
    "counterexample",
    "explore",
    "hunt",
    "put",
    "sometimes",
    "sometimes_step",
    "transition",
    "write_report",
]


class Verdict:
    """One suite configuration's outcome, as the command line would print it."""

    def __init__(self, configuration: str, result: Result, said: str, ok: bool, reports: list[Path]) -> None:
        self.configuration = configuration
        self.result = result
        self.said = said  # e.g. "holds", "violated", "holds, but coverage is not as declared: Claim"
        self.ok = ok  # what exit code 0 means: everything holds and every action is accounted for
        self.reports = reports

    def __repr__(self) -> str:
        return f"Verdict({self.configuration!r}: {self.said})"


def check_configuration(
    entry: Entry, name: str, reports: Path = Path("reports"), budgets: Budgets | None = None
) -> Verdict:
    """Explore one suite configuration of `entry`; write a report per violation."""
    budgets = budgets or Budgets(quiet=True)
    config = entry.suite[name]
    job = Job(entry, name, config, select_properties(entry, config, None), suite=True)
    model = entry.build(config)
    result = run_engine("explore", job, model, budgets)
    paths = write_reports(model, job.properties, result, reports, provenance(result, name, budgets))
    coverage = Coverage.of(job, model, result)
    return Verdict(name, result, verdict(job, result, coverage), passed(job, result, coverage), paths)


def check(entry: Entry, reports: Path = Path("reports"), budgets: Budgets | None = None) -> list[Verdict]:
    """Explore every suite configuration of `entry`; write a report per violation."""
    return [check_configuration(entry, name, reports, budgets) for name in entry.suite]
