"""`check --junit FILE`: JUnit XML that CI systems read (issue 16, item 3)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from swarmcheck.cli import main

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "schemas" / "junit.xsd")


def junit_of(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, ElementTree.Element]:
    path = tmp_path / "out" / "junit.xml"
    code = main([*argv, "--quiet", "--reports", str(tmp_path), "--junit", str(path)])
    capsys.readouterr()
    return code, ElementTree.parse(path).getroot()


def test_every_property_is_a_test_case_with_the_attributes_junit_requires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, root = junit_of(["check", "--model", "examples.claims:entry"], tmp_path, capsys)
    assert code == 0 and root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "claims two-schedulers (explore)"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors")} == {"tests": "2", "failures": "0", "errors": "0"}
    assert [case.get("name") for case in suite.findall("testcase")] == ["one_owner", "task_claimed"]
    for case in suite.findall("testcase"):
        assert case.get("classname") == suite.get("name") and float(case.get("time", "x")) >= 0
        assert case.find("failure") is None
    assert float(suite.get("time", "x")) >= 0 and root.get("tests") == "2"


def test_a_violation_fails_with_its_sentence_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, root = junit_of(["check", "raft", "--bug", "half_is_quorum"], tmp_path, capsys)
    assert code == 1
    cases = {case.get("name"): case for case in root.iter("testcase")}
    failure = cases["commit_needs_quorum"].find("failure")
    assert failure is not None and failure.get("type") == "violated"
    assert "is committed but only" in failure.get("message", "")
    assert failure.text is not None and "report: " in failure.text and (tmp_path / "raft").is_dir()
    unjudged = cases["election_safety"].find("failure")
    assert unjudged is not None and "stopped at the first violation" in unjudged.get("message", "")


def test_a_bug_not_caught_fails_the_run_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "raft", "--bug", "figure8", "--set", "servers=2", "--set", "max_term=2"]
    code, root = junit_of(argv, tmp_path, capsys)
    assert code == 1
    run = [case for case in root.iter("testcase") if case.get("name") == "(run)"]
    assert run and run[0].find("failure") is not None


@pytest.mark.parametrize("bad", ["FOLDER", "FILE/below.xml", ""])
def test_a_bad_junit_path_is_one_line_and_exit_2_before_any_work(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    path = bad.replace("FOLDER", str(tmp_path)).replace("FILE", str(a_file))
    assert main(["check", "raft", "--reports", str(tmp_path), "--junit", path]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--junit" in err and "folder name" not in err


def _counts_agree(root: ElementTree.Element) -> bool:
    suites = root.findall("testsuite")
    return all(
        int(s.get("tests", "-1")) == len(s.findall("testcase"))
        and int(s.get("failures", "-1")) == len(s.findall("testcase/failure"))
        for s in suites
    ) and int(root.get("tests", "-1")) == sum(len(s.findall("testcase")) for s in suites)


@pytest.mark.parametrize(
    "argv",
    [["check", "--model", "examples.claims:entry"], ["check", "raft", "--bug", "half_is_quorum"]],
    ids=["passing", "failing"],
)
def test_the_junit_file_validates_against_the_schema_and_its_counts_agree(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, root = junit_of(argv, tmp_path, capsys)
    SCHEMA.validate(str(tmp_path / "out" / "junit.xml"))
    assert _counts_agree(root)


@pytest.mark.parametrize(
    "broken",
    [
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>',
        '<testsuites><testsuite name="s" tests="one" failures="0" errors="0"/></testsuites>',
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
        '<testcase name="c" time="-1"/></testsuite></testsuites>',
        '<testsuites><testsuite name="s" tests="1" errors="0"/></testsuites>',
    ],
    ids=["case-without-name", "count-not-a-number", "negative-time", "failures-missing"],
)
def test_the_schema_rejects_what_ci_systems_would(broken: str) -> None:
    assert not SCHEMA.is_valid(broken)
