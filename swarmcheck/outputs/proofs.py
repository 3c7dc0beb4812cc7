"""Reports for z3's witnesses: a model of a formula, not a trace, so a schema of its own."""

from __future__ import annotations

import json
from pathlib import Path

from swarmcheck.engines.smt.quorum import Verdict
from swarmcheck.outputs.report import write_atomically

SCHEMA = "swarmcheck.smt-witness/1"


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return str(value)


def write_witness(verdict: Verdict, directory: Path) -> Path:
    """Write quorum/<theorem>.json and .md; return the JSON path."""
    folder = directory / "quorum"
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "schema": SCHEMA,
        "theorem": verdict.theorem,
        "claim": verdict.claim,
        "verdict": verdict.verdict,
        "expected": verdict.expected,
        "witness": verdict.witness,
    }
    path = folder / f"{verdict.theorem}.json"
    write_atomically(path, json.dumps(data, indent=1) + "\n")
    lines = [
        f"# quorum: `{verdict.theorem}` — {verdict.verdict}",
        "",
        f"**{verdict.claim}**",
        "",
        f"z3's witness (expected verdict: {verdict.expected}):",
        "",
        "| what | value |",
        "|---|---|",
        *[f"| {key} | {_cell(v)} |" for key, v in (verdict.witness or {}).items()],
        "",
    ]
    write_atomically(path.with_suffix(".md"), "\n".join(lines))
    return path
