"""JUnit XML for CI systems: one test case per (configuration, property) of a `check` run.

A violated property fails with its sentence and the report's path; a vacuous `sometimes`
and a run stopped by a budget fail with their reason; a seeded bug left uncaught fails;
everything else passes. Written atomically, like every report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import attrs

from swarmcheck.engines.result import HOLDS, INCOMPLETE, NOT_FOUND, REACHED, Result
from swarmcheck.outputs.report import write_atomically

PASSING = (HOLDS, REACHED, NOT_FOUND)


@attrs.frozen
class Case:
    """One run's verdict on one property, as a test case."""

    suite: str  # "raft three-managers (explore)"
    name: str  # the property
    verdict: str
    message: str = ""  # why it failed: the violation, the budget, the vacuity
    report: Path | None = None
    seconds: float = 0.0


def cases(suite: str, result: Result, reports: Sequence[Path], verdict: str) -> list[Case]:
    """The test cases of one engine run on one configuration (`verdict` is the run's, as said)."""
    paths = {v.property: path for v, path in zip(result.violations, reports, strict=True)}
    found = {v.property: v.message for v in result.violations}
    seconds = result.stats.seconds if result.stats else result.hunt_stats.seconds if result.hunt_stats else 0.0
    share = seconds / max(len(result.verdicts), 1)
    out = []
    for name, judged in result.verdicts.items():
        why = found.get(name) or (
            f"{judged}: {result.budget_hit}"
            if result.budget_hit
            else f"{judged}: the search stopped at the first violation"
            if judged == INCOMPLETE
            else judged
        )
        out.append(Case(suite, name, judged, "" if judged in PASSING else why, paths.get(name), share))
    if verdict.startswith(("bug not caught", f"{result.verdict}, but")):
        out.append(Case(suite, "(run)", verdict, verdict, None, 0.0))  # a failure of the run as a whole
    return out


def write(all_cases: Sequence[Case], path: Path) -> Path:
    root = ElementTree.Element("testsuites", name="swarmcheck check")
    by_suite: dict[str, list[Case]] = {}
    for case in all_cases:
        by_suite.setdefault(case.suite, []).append(case)
    for suite, members in by_suite.items():
        failed = [c for c in members if c.message]
        node = ElementTree.SubElement(
            root,
            "testsuite",
            name=suite,
            tests=str(len(members)),
            failures=str(len(failed)),
            errors="0",
            time=f"{sum(c.seconds for c in members):.3f}",
        )
        for case in members:
            element = ElementTree.SubElement(
                node, "testcase", classname=suite, name=case.name, time=f"{case.seconds:.3f}"
            )
            if case.message:
                failure = ElementTree.SubElement(element, "failure", message=case.message, type=case.verdict)
                failure.text = case.message + (f"\nreport: {case.report}" if case.report else "")
    root.set("tests", str(len(all_cases)))
    root.set("failures", str(sum(1 for c in all_cases if c.message)))
    ElementTree.indent(root)
    write_atomically(path, ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
    return path
