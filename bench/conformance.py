"""Conformance benchmark: how fast the harness drives pysyncobj, and what the long FIFO run found.

Rows: a plain random run (random timing, `traces.random_events`) of each link mode, timed in
CPU seconds three ways: the library alone (events through the in-memory network), with the
views read after each event, and with every rule and model property judged (what
`swarmcheck conformance` and `validate` pay); then Hypothesis runs of each mode (events
judged per CPU second, shrinking included, and what broke). `--long S` adds a FIFO run of S
CPU seconds per cluster size (3 and 5 nodes): how many events, and whether any rule broke.

Run: python bench/conformance.py [--events N] [--long S]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from explore import machine  # bench/explore.py, beside this file

from swarmcheck.conformance.checked import CheckedCluster
from swarmcheck.conformance.stateful import Setup, check, collected
from swarmcheck.conformance.traces import random_events
from swarmcheck.conformance.views import cluster_view


def timed(work: Callable[[], int]) -> tuple[int, float]:
    started = time.process_time()
    events = work()
    return events, time.process_time() - started


def plain(mode: str, events: int, level: str) -> int:
    run = CheckedCluster(3, mode, 1)
    done = 0
    with collected():
        for event in random_events(run, events, 1):
            if level == "judged":
                if run.step(event):
                    run = CheckedCluster(3, mode, done + 2)  # a rule broke: go on with a fresh cluster
            else:
                run.cluster.step(event)
                if level == "views":
                    cluster_view(run.cluster)
            done += 1
    return done


def long_fifo(nodes: int, seconds: float) -> str:
    started, events, examples, found = time.process_time(), 0, 0, "none"
    seed = 0
    while time.process_time() - started < seconds:
        outcome = check(Setup(nodes=nodes, mode="fifo", seed=seed, examples=500, steps=60))
        events, examples, seed = events + outcome.events, examples + 500, seed + 1
        if outcome.finding:
            found = f"{outcome.finding.rule} in {len(outcome.steps)} steps (seed {outcome.setup.seed})"
            break
    return f"| {nodes} | {examples:,} | {events:,} | {time.process_time() - started:.0f} | {found} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--long", type=float, default=0.0, metavar="S")
    args = parser.parse_args()
    print(f"machine: {machine()}; pysyncobj 0.3.17, 3 nodes unless said\n")
    print("| links | events | library alone: events/CPU s | + views | + every rule judged | judged/alone |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode in ("fifo", "reorder", "duplicate"):
        rates = []
        for level in ("alone", "views", "judged"):
            events, seconds = timed(lambda level=level, mode=mode: plain(mode, args.events, level))
            rates.append(events / seconds)
        print(
            f"| {mode} | {args.events:,} | {rates[0]:,.0f} | {rates[1]:,.0f} | {rates[2]:,.0f} | {rates[0] / rates[2]:.1f}x |"
        )
    print("\n| Hypothesis: links, nodes | examples x steps | events judged | CPU s | events/CPU s | broke |")
    print("|---|---:|---:|---:|---:|---|")
    for mode, nodes in (("fifo", 3), ("reorder", 3), ("duplicate", 5)):
        started = time.process_time()
        outcome = check(Setup(nodes=nodes, mode=mode))
        seconds = time.process_time() - started
        broke = f"{outcome.finding.rule} ({len(outcome.steps)} steps)" if outcome.finding else "nothing"
        print(
            f"| {mode}, {nodes} | {outcome.setup.examples} x {outcome.setup.steps} | {outcome.events:,} | "
            f"{seconds:.1f} | {outcome.events / seconds:,.0f} | {broke} |"
        )
    if args.long:
        print(f"\nLong FIFO runs ({args.long:.0f} CPU s per size; Hypothesis, 500 examples x 60 steps per seed):\n")
        print("| nodes | examples | events judged | CPU s | rule broken |")
        print("|---:|---:|---:|---:|---|")
        for nodes in (3, 5):
            print(long_fifo(nodes, args.long))


if __name__ == "__main__":
    main()
