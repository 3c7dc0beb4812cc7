"""Reports draw a trace as a sequence diagram: one lifeline per server (node), one solid arrow
per delivered message, a lasso's cycle in a loop block (Mermaid, for GitHub and GitLab)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from lassos import delivered, raft_lasso

from model.raft import Raft
from swarmcheck import registry
from swarmcheck.cli import main
from swarmcheck.engines.explore import explore
from swarmcheck.outputs.changes import change_text
from swarmcheck.outputs.report import counterexample, markdown, write_report
from swarmcheck.outputs.sequence import mermaid

SVG_NS = "http://www.w3.org/2000/svg"


def _mermaid_block(text: str) -> str:
    return text.split("```mermaid\n", 1)[1].split("\n```", 1)[0]


def test_a_raft_report_draws_a_lifeline_per_server_and_an_arrow_per_delivery() -> None:
    entry = registry.lookup("raft")
    config = entry.bug_config("half_is_quorum")
    model = Raft(config)
    result = explore(model, entry.properties(config))
    violation = result.violations[0]
    assert violation.trace is not None
    data = counterexample(
        model,
        next(p for p in entry.properties(config) if p.name == violation.property),
        violation,
        "explore",
        violation.trace,
    )
    diagram = _mermaid_block(markdown(data))
    assert re.findall(r"participant (\w+)", diagram) == ["s1", "s2"]
    assert len(re.findall(r"^\s*s\d->>s\d: ", diagram, re.MULTILINE)) == len(delivered(violation.trace.actions)) > 0
    assert len(diagram.splitlines()) == 1 + 2 + len(violation.trace.actions)  # a line a step


def test_a_lasso_puts_its_cycle_in_a_loop_block() -> None:
    model, prop, violation = raft_lasso()
    data = counterexample(model, prop, violation, "explore", violation.trace)
    lines = mermaid(data["sequence"], data["loop"]).splitlines()
    opened = lines.index("    loop and then forever")
    assert lines[-1] == "    end"
    assert len(lines) - opened - 2 == data["length"] - data["loop"]  # the cycle's steps, inside


def test_every_model_can_say_who_acts() -> None:
    for name in ("raft", "gossip", "scheduler"):
        entry = registry.lookup(name)
        model = entry.build(entry.default)
        lifelines = model.lifelines()  # type: ignore[attr-defined]
        state = next(iter(model.init_states()))
        for action, _ in model.next_steps(state):
            exchange = model.exchange(action)  # type: ignore[attr-defined]
            assert exchange.source in lifelines and exchange.target in (None, *lifelines), (name, action)


def test_labels_keep_out_what_mermaid_would_misread() -> None:
    data = {"lifelines": ["a"], "steps": [None, {"source": "a", "label": "x; y #1", "target": None}]}
    assert mermaid(data) == "sequenceDiagram\n    participant a\n    Note over a: 1. x, y no. 1"


def test_the_html_report_draws_the_same_diagram_in_svg(tmp_path: Path) -> None:
    model, prop, violation = raft_lasso()
    path = write_report(counterexample(model, prop, violation, "explore", violation.trace), tmp_path)
    page = path.with_suffix(".html").read_text()
    drawing = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ElementTree.fromstring(drawing)  # well-formed: no script, nothing fetched
    classes = [e.get("class", "") for e in root.iter()]
    assert classes.count("lifeline") == 2
    assert classes.count("arrow delivered") == len(delivered(violation.trace.actions))
    assert classes.count("cycle") == 1 and "<script" not in page and "http" not in page.replace(SVG_NS, "")


def test_check_writes_an_index_of_its_reports(tmp_path: Path) -> None:
    code = main(["check", "--bug", "lost_task_not_replaced", "--quiet", "--reports", str(tmp_path)])
    assert code == 1
    index = (tmp_path / "index.html").read_text()
    linked = re.findall(r'href="([^"]+)"', index)
    assert linked and all((tmp_path / link).exists() for link in linked)
    assert sorted(linked) == sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("*/*.html"))


def test_a_message_bag_changes_as_sent_and_received() -> None:
    before = {"AppendEntriesRequest s1->s2": 1, "RequestVoteResponse s2->s1": 2}
    after = {"AppendEntriesResponse s2->s1": 1, "RequestVoteResponse s2->s1": 1}
    assert change_text("messages", before, after) == (
        "messages: + AppendEntriesResponse s2->s1, - AppendEntriesRequest s1->s2, - RequestVoteResponse s2->s1"
    )
    assert change_text("network", [], ["to n2: alive(n1)"]) == "network: + to n2: alive(n1)"
    assert change_text("servers.s1.term", 1, 2) == "servers.s1.term: 1 → 2"


def test_every_invariant_says_what_it_claims_in_one_line() -> None:
    for name in ("raft", "gossip", "scheduler"):
        entry = registry.lookup(name)
        for config in [entry.default, *entry.suite.values()]:
            for prop in [*entry.properties(config), *entry.on_request(config)]:
                if prop.kind.value.startswith("sometimes"):
                    continue  # never the subject of a report
                assert prop.description.endswith(".") and len(prop.description) > 20, (name, prop.name)


def test_bugs_writes_an_index_of_its_reports_with_the_bug_each_shows(tmp_path: Path) -> None:
    argv = ["bugs", "--model", "examples.claims:entry", "--engine", "explore", "--reports", str(tmp_path)]
    assert main(argv) == 0
    index = (tmp_path / "index.html").read_text()
    (link,) = re.findall(r'href="([^"]+)"', index)
    assert (tmp_path / link).exists() and link.startswith("claims/one_owner-")
    assert "<td>blind_write</td>" in index
