"""The GitHub Actions example is valid YAML and names what the code really does: the test
command CI runs, the summary file and folder the main job writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from swarmcheck.running import write_summary

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "swarmcheck.yml"


def _steps() -> list[dict[str, Any]]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert set(data[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as true
    (job,) = data["jobs"].values()
    assert job["timeout-minutes"] <= 90
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_the_workflow_runs_the_test_command_ci_runs() -> None:
    runs = [step["run"] for step in _steps() if "run" in step]
    assert "bash .ci/run" in runs
    assert "tox" in (ROOT / ".ci" / "run").read_text()


def test_the_summary_and_reports_are_kept_even_when_the_run_fails(tmp_path: Path) -> None:
    written = write_summary([], tmp_path)  # where the main job puts its summary
    summary = f"reports/{written.name}"
    steps = _steps()
    appends = [s for s in steps if summary in s.get("run", "") and "GITHUB_STEP_SUMMARY" in s["run"]]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert len(appends) == 1 and appends[0]["if"] == "always()"
    assert len(uploads) == 1 and uploads[0]["if"] == "always()" and uploads[0]["with"]["path"] == "reports/"
    tox_reports = (ROOT / "tox.ini").read_text()
    assert "--junit reports/junit.xml" in tox_reports  # the JUnit XML goes up with the reports
