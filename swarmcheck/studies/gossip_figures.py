"""The gossip simulation's table, Markdown report and plot (reports/simulate-gossip.*)."""

from __future__ import annotations

import io
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swarmcheck.outputs.report import summary_table, write_atomically
from swarmcheck.studies.gossip_simulation import Row

HEADER = [
    "nodes",
    "spread rounds",
    "log2 n",
    "detect random (s)",
    "SWIM formula (s)",
    "off by",
    "detect round-robin (s)",
    "false deaths/min, no Lifeguard",
    "false deaths/min, Lifeguard",
]
TOLERANCE = 0.15  # the bar for the random-target detection time, at 32 nodes and more


def off_by(row: Row) -> float:
    return abs(row.detect_random - row.formula) / row.formula


def table(rows: Sequence[Row]) -> str:
    return summary_table([_cells(r) for r in rows], HEADER)


def _cells(r: Row) -> list[str]:
    return [
        str(r.nodes),
        f"{r.spread_rounds:.1f}",
        f"{r.log2_n:.1f}",
        f"{r.detect_random:.3f}",
        f"{r.formula:.3f}",
        f"{off_by(r):.1%}",
        f"{r.detect_round_robin:.3f}",
        f"{r.false_deaths_off:.2f}",
        f"{r.false_deaths_on:.2f}",
    ]


def markdown(rows: Sequence[Row], settings: dict[str, Any]) -> str:
    lines = [
        "# Gossip simulation: spread, first detection, false deaths",
        "",
        "Random timed runs of `model/gossip/` with memberlist's LAN timing "
        "(probe 1 s, gossip 200 ms to 3 nodes, 4 x ceil(log10(n+1)) retransmits, suspicion 4 s x log10 n "
        "up to 6 times that with Lifeguard).",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    lines += [
        "",
        "- *spread rounds*: gossip rounds until a refutation reaches every node; SWIM expects O(log n).",
        "- *detect*: mean time from a crash to the first member whose probe targets it. SWIM's formula "
        "T'/(1 - e^(-q_f)) with T' = 1 s and q_f = (n-1)/n is for a random target; memberlist's "
        "round-robin walk is measured beside it.",
        "- *false deaths/min*: declarations of a healthy node as dead, with one slow node whose "
        f"messages arrive {settings['slow_delay']} s late, over {settings['seconds']} s of simulated time.",
        "",
        f"Settings: {', '.join(f'{k}={v}' for k, v in settings.items())}; machine: {platform.machine()}, "
        f"Python {platform.python_version()}.",
        "",
    ]
    return "\n".join(lines)


def plot(rows: Sequence[Row], path: Path) -> bool:
    """Three panels as a PNG; False if matplotlib is missing (the table is still written)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    nodes = [r.nodes for r in rows]
    figure, (spread, detect, deaths) = plt.subplots(1, 3, figsize=(15, 4.2))
    spread.plot(nodes, [r.spread_rounds for r in rows], "o-", label="measured")
    spread.plot(nodes, [r.log2_n for r in rows], "--", label="log2 n")
    spread.set(xscale="log", xlabel="nodes", ylabel="gossip rounds", title="A change reaches every node")
    detect.plot(nodes, [r.detect_random for r in rows], "o-", label="random target (SWIM)")
    detect.plot(nodes, [r.formula for r in rows], "--", label="T'/(1-e^-q_f)")
    detect.plot(nodes, [r.detect_round_robin for r in rows], "s-", label="round-robin (memberlist)")
    detect.set(xscale="log", xlabel="nodes", ylabel="seconds", title="First detection of a crash", ylim=(0, None))
    deaths.plot(nodes, [r.false_deaths_off for r in rows], "o-", label="without Lifeguard")
    deaths.plot(nodes, [r.false_deaths_on for r in rows], "s-", label="with Lifeguard")
    deaths.set(xscale="log", xlabel="nodes", ylabel="per minute", title="False deaths, one slow node")
    for axes in (spread, detect, deaths):
        axes.set_xticks(nodes, [str(n) for n in nodes])
        axes.legend()
    figure.tight_layout()
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=100)
    plt.close(figure)
    write_atomically(path, png.getvalue())
    return True


def write(rows: Sequence[Row], settings: dict[str, Any], reports: Path) -> list[Path]:
    reports.mkdir(parents=True, exist_ok=True)
    written = [reports / "simulate-gossip.md"]
    write_atomically(written[0], markdown(rows, settings))
    if plot(rows, reports / "simulate-gossip.png"):
        written.append(reports / "simulate-gossip.png")
    return written
