"""Liveness benchmark: what judging liveness costs next to the safety-only run, as a table.

For each configuration of the main job that judges a liveness property, three runs, each in
a fresh process: the safety properties alone with symmetry (what the main job did before
liveness), the same without symmetry (the state space the liveness graph keeps: the fair
comparison of the engine's own cost), and every property with symmetry (what the main job
runs now: the safety search, then the graph). Printed: CPU seconds of each, the ratios, the
graph's states and edges per state, and the graph's bytes per state (the run's peak resident
memory over the safety-only run's, divided by the graph's states).

Run: python bench/liveness.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from typing import Any

from explore import machine, measured  # bench/explore.py, beside this file

ROWS = [
    ("raft", "two-terms"),
    ("raft", "two-entries"),
    ("gossip", "three-nodes"),
    ("scheduler", "drain-then-activate"),
    ("scheduler", "restart-max-attempts"),
]


def one_run(model_name: str, suite: str, liveness: bool, symmetry: bool) -> dict[str, Any]:
    from properties.base import LIVENESS
    from swarmcheck import registry
    from swarmcheck.engines.explore import explore

    entry = registry.lookup(model_name)
    config = entry.suite[suite]
    props = [p for p in entry.properties(config) if liveness or p.kind not in LIVENESS]
    result = explore(entry.build(config), props, symmetry=symmetry)
    assert result.stats is not None
    graph = result.stats.graph
    return {
        "states": result.stats.distinct_states,
        "graph_states": graph.states if graph else 0,
        "edges": graph.edges if graph else 0,
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "verdict": result.verdict,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the smallest row")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(*json.loads(args.one))))
        return 0
    print(f"machine: {machine()}")
    print("CPU seconds (user + system) of: safety alone with symmetry (A), safety alone without (B),")
    print("every property with symmetry, liveness on its graph (C). Ratios C/A and C/B.\n")
    header = (
        f"{'configuration':33} {'states':>8} {'graph':>8} {'edges/st':>8} {'A s':>6} {'B s':>6} {'C s':>6} "
        f"{'C/A':>5} {'C/B':>5} {'graph B/state':>13}  verdict"
    )
    print(header)
    print("-" * len(header))
    for model_name, suite in ROWS[:1] if args.quick else ROWS:
        runs = {}
        for label, liveness, symmetry in (("A", False, True), ("B", False, False), ("C", True, True)):
            out, _, cpu = measured(
                [sys.executable, __file__, "--one", json.dumps([model_name, suite, liveness, symmetry])]
            )
            runs[label] = {**json.loads(out.splitlines()[-1]), "cpu": cpu}
        a, b, c = runs["A"], runs["B"], runs["C"]
        per_state = (c["peak"] - a["peak"]) / c["graph_states"] if c["graph_states"] else 0.0
        print(
            f"{model_name + ' ' + suite:33} {a['states']:>8,} {c['graph_states']:>8,} "
            f"{c['edges'] / max(c['graph_states'], 1):>8.1f} {a['cpu']:>6.1f} {b['cpu']:>6.1f} {c['cpu']:>6.1f} "
            f"{c['cpu'] / a['cpu']:>5.1f} {c['cpu'] / b['cpu']:>5.1f} {per_state:>13,.0f}  {c['verdict']}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
