"""swarmcheck's pytest plugin: a test module that defines `swarmcheck_model` (an `Entry`, or
a function returning one) gets one test per suite configuration, run by the explorer with
every property, its reports written to `--swarmcheck-reports` (default `reports/`). A
failure reads as the command line's verdict, with the report's path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

MODEL_ATTRIBUTE = "swarmcheck_model"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("swarmcheck")
    group.addoption("--swarmcheck-reports", default="reports", metavar="DIR", help="where counterexample reports go")


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> pytest.Collector | None:
    if name != MODEL_ATTRIBUTE:
        return None
    from swarmcheck.registry import Entry  # only where a module declares a model

    entry = obj if isinstance(obj, Entry) else obj() if callable(obj) else None
    if not isinstance(entry, Entry):
        raise pytest.UsageError(f"{collector.nodeid}: {MODEL_ATTRIBUTE} must be a swarmcheck.api.Entry or return one")
    collected: pytest.Collector = ModelCollector.from_parent(collector, name=entry.name, entry=entry)
    return collected


class ModelCollector(pytest.Collector):
    def __init__(self, *, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry

    def collect(self) -> list[pytest.Item]:
        return [ConfigurationItem.from_parent(self, name=name, entry=self.entry) for name in self.entry.suite]


class ModelViolated(Exception):
    """A configuration that does not hold: carries the verdict for the failure's text."""


class ConfigurationItem(pytest.Item):
    def __init__(self, *, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry

    def runtest(self) -> None:
        from swarmcheck.api import check_configuration

        reports = Path(self.config.getoption("--swarmcheck-reports"))
        outcome = check_configuration(self.entry, self.name, reports)
        if not outcome.ok:
            lines = [f"{self.entry.name} {self.name}: {outcome.said}"]
            lines += [f"  {v.property}: {v.message}" for v in outcome.result.violations]
            lines += [f"  report: {path} (and .md)" for path in outcome.reports]
            raise ModelViolated("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ModelViolated):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"swarmcheck {self.entry.name} [{self.name}]"
