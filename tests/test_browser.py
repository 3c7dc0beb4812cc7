"""The HTML report in a real browser (Debian's headless Chromium): the sequence diagram is
laid out with one lifeline per server and one drawn arrow per delivered message, and a
screenshot can be taken. Skipped, saying why, where Chromium is not installed (.ci/run
installs it where it can)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lassos import delivered, raft_lasso

from swarmcheck.outputs.report import counterexample, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium): no browser to render in"
)

# Run in the browser on the rendered page: what it laid out, written into the DOM for --dump-dom.
MEASURE = """<script>
const svg = document.querySelector("svg");
const box = (e) => { const b = e.getBBox(); return [b.width, b.height]; };
const result = {
  svg: box(svg),
  lifelines: [...svg.querySelectorAll("line.lifeline")].map(box),
  delivered: [...svg.querySelectorAll(".arrow.delivered")].map(box),
  labels: [...svg.querySelectorAll("text")].filter((t) => t.getComputedTextLength() > 0).length,
};
document.body.setAttribute("data-measured", JSON.stringify(result));
</script>"""


def _chromium(*args: str) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


def test_the_report_is_laid_out_in_a_real_browser(tmp_path: Path) -> None:
    model, prop, violation = raft_lasso()
    page = write_report(counterexample(model, prop, violation, "explore", violation.trace), tmp_path)
    html = page.with_suffix(".html")
    measured = tmp_path / "measured.html"
    measured.write_text(html.read_text().replace("</body>", MEASURE + "</body>"))
    dom = _chromium("--dump-dom", measured.as_uri())
    result = json.loads(dom.split('data-measured="', 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    assert len(result["lifelines"]) == 2 and all(h > 100 for _, h in result["lifelines"])
    assert len(result["delivered"]) == len(delivered(violation.trace.actions)) and all(
        w > 0 for w, _ in result["delivered"]
    )
    assert result["labels"] >= len(violation.trace.actions) and result["svg"][0] > 0
    shot = tmp_path / "report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,900", html.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
