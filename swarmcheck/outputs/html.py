"""The HTML report beside each `.json` and `.md`: one self-contained file (inline CSS and
SVG, no script, nothing fetched) that opens with the verdict, then the sequence diagram
(one lifeline per participant, a message as an arrow, a local step as a mark, a lasso's
cycle bracketed), then the steps with what changed, then the final state. And
`reports/index.html`, listing every report of the last run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from swarmcheck.outputs.changes import change_text
from swarmcheck.outputs.reads import is_read

COLUMN = 150  # pixels between lifelines
ROW = 26  # pixels a step
TOP = 50  # room for the lifelines' names

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
.verdict { font-size: 1.2em; font-weight: 600; color: #a00; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }
tr.cycle td:first-child { background: #fff3cd; }
svg text { font: 12px system-ui, sans-serif; }
.lifeline { stroke: #888; stroke-dasharray: 4 3; }
.arrow { stroke: #1f4e99; stroke-width: 1.5; fill: none; }
.arrow.sent { stroke-dasharray: 5 3; }
.arrow.lost { stroke: #a00; }
.mark { fill: #eef; stroke: #669; }
.cycle { fill: #fff3cd; stroke: #c90; }
mark.read { background: #d7f0d0; font-weight: 600; }
pre { background: #f6f6f6; padding: 1em; overflow: auto; }
"""


def html_report(data: Mapping[str, Any]) -> str:
    """The report as one HTML page."""
    loop = data.get("loop")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(data['model'])}: {escape(data['property'])} violated</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(data['model'])}: <code>{escape(data['property'])}</code> violated</h1>",
        f'<p class="verdict">{escape(str(data["violation"]))}</p>',
        f"<p><i>{escape(str(data.get('description', '')))}</i></p>",
        f"<p>{escape(data['kind'])} property, source: {escape(str(data['source']))}; found by {escape(data['engine'])} "
        f"in {data['length']} steps; seeded bugs: {escape(', '.join(data['bugs']) or 'none')}</p>",
    ]
    if isinstance(data.get("sequence"), dict):
        parts += ["<h2>Sequence</h2>", svg(data["sequence"], loop)]
    reads = list(data.get("reads") or [])
    if reads:
        fields = ", ".join(f"<code>{escape(p)}</code>" for p in reads)
        parts.append(f'<p>The property reads {fields}; changes to them are <mark class="read">marked</mark>.</p>')
    parts += ["<h2>Steps</h2>", _steps(data["steps"], loop, reads)]
    parts += ["<h2>Final state</h2>", f"<pre>{escape(json.dumps(data['steps'][-1]['state'], indent=1))}</pre>"]
    if "reproduce" in data:
        parts.append(f"<p>Reproduce: <code>{escape(data['reproduce'])}</code></p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def svg(sequence: Mapping[str, Any], loop: int | None) -> str:
    """The sequence diagram as inline SVG: a dashed lifeline per participant, a line with an
    arrowhead per message (dashed when only sent, red when lost), a box per local step."""
    names: Sequence[str] = sequence["lifelines"]
    x = {name: COLUMN // 2 + COLUMN * k for k, name in enumerate(names)}
    steps = sequence["steps"]
    height = TOP + ROW * len(steps) + 20
    longest = max((len(f"{k}. {s['label']}") for k, s in enumerate(steps) if s is not None), default=0)
    width = COLUMN * len(names) + 7 * longest + 20  # room for the longest label beside the last lifeline
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#1f4e99"/></marker></defs>',
    ]
    if loop is not None and loop < len(steps) - 1:
        y0 = TOP + ROW * loop + ROW // 2
        out.append(f'<rect class="cycle" x="2" y="{y0}" width="{width - 4}" height="{ROW * (len(steps) - 1 - loop)}"/>')
        out.append(f'<text x="{width - 8}" y="{y0 + 12}" text-anchor="end">and then forever</text>')
    for name in names:
        out.append(f'<text x="{x[name]}" y="20" text-anchor="middle">{escape(name)}</text>')
        out.append(f'<line class="lifeline" x1="{x[name]}" y1="28" x2="{x[name]}" y2="{height - 10}"/>')
    for number, step in enumerate(steps):
        if step is not None:
            out.append(_svg_step(number, step, x, TOP + ROW * number))
    out.append("</svg>")
    return "\n".join(out)


def _svg_step(number: int, step: Mapping[str, Any], x: Mapping[str, int], y: int) -> str:
    label = escape(f"{number}. {step['label']}")
    source, target = x[step["source"]], x.get(step["target"]) if step.get("target") else None
    if target is None:
        return (
            f'<rect class="mark" x="{source - 6}" y="{y - 9}" width="12" height="12"/>'
            f'<text x="{source + 10}" y="{y + 1}">{label}</text>'
        )
    kind = "lost" if step.get("lost") else "sent" if step.get("sent") else "delivered"
    if target == source:  # a message to itself: a small loop to the right
        path = f"M{source},{y - 6} h24 v12 h-24"
        shape = f'<path class="arrow {kind}" d="{path}" marker-end="url(#head)"/>'
    else:
        shape = f'<line class="arrow {kind}" x1="{source}" y1="{y}" x2="{target}" y2="{y}" marker-end="url(#head)"/>'
    return f'{shape}<text x="{min(source, target) + 8}" y="{y - 4}">{label}</text>'


def _steps(steps: Sequence[Mapping[str, Any]], loop: int | None, reads: Sequence[str]) -> str:
    rows = ["<table><tr><th>step</th><th>action</th><th>what changed</th><th>state after it</th></tr>"]
    for number, step in enumerate(steps):
        changed = "<br>".join(_change(k, a, b, reads) for k, (a, b) in step["changed"].items())
        cycle = ' class="cycle"' if loop is not None and number > loop else ""
        mark = " ↻" if cycle else ""
        rows.append(
            f"<tr{cycle}><td>{number}{mark}</td><td>{escape(step['action'])}</td>"
            f"<td>{changed or ('(initial state)' if number == 0 else '')}</td>"
            # The whole state a click away, step by step (no script: an HTML disclosure).
            f"<td><details><summary>state {number}</summary><pre>{escape(json.dumps(step['state'], indent=1))}</pre>"
            "</details></td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _change(path: str, before: Any, after: Any, reads: Sequence[str]) -> str:
    text = escape(change_text(path, before, after))
    return f'<mark class="read">{text}</mark>' if is_read(path, reads) else text


def index_page(reports: Sequence[Path], root: Path) -> str:
    """`reports/index.html`: every report of the run, by model, linked."""
    rows = []
    for path in sorted(reports):
        data = json.loads(path.read_text(encoding="utf-8"))
        page = path.with_suffix(".html").relative_to(root)
        rows.append(
            f'<tr><td>{escape(data["model"])}</td><td><a href="{escape(str(page))}">{escape(data["property"])}</a></td>'
            f"<td>{escape(', '.join(data.get('bugs') or ()) or 'none')}</td>"
            f"<td>{escape(data['engine'])}</td><td>{data['length']}</td><td>{escape(str(data['violation']))}</td></tr>"
        )
    body = "\n".join(rows) or '<tr><td colspan="6">no violation: nothing to show</td></tr>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>swarmcheck reports</title>'
        f"<style>{STYLE}</style></head><body><h1>swarmcheck: the reports of the last run</h1>\n"
        "<table><tr><th>model</th><th>property</th><th>seeded bugs</th><th>engine</th><th>steps</th><th>verdict</th></tr>\n"
        f"{body}\n</table></body></html>\n"
    )
