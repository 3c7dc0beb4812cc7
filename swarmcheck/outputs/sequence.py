"""A trace as a message sequence diagram: the report's `sequence` data (from the model's
`lifelines` and `exchange`, model/kernel.py), and that data as a Mermaid `sequenceDiagram`,
which GitHub and GitLab draw in place in the Markdown report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from model.kernel import Model
from swarmcheck.engines.result import Trace


def sequence_data(model: Model[Any, Any], trace: Trace) -> dict[str, Any] | None:
    """Lifelines and one exchange per step (None for the initial state); None if the model
    cannot say who acts."""
    lifelines = getattr(model, "lifelines", None)
    exchange = getattr(model, "exchange", None)
    if lifelines is None or exchange is None:
        return None
    steps = [None if action is None else attrs.asdict(exchange(action)) for action, _ in trace.steps]
    return {"lifelines": list(lifelines()), "steps": steps}


def mermaid(data: Mapping[str, Any], loop: int | None = None) -> str:
    """The diagram as Mermaid text; a lasso's cycle in a `loop` block."""
    lifelines = data["lifelines"]
    lines = ["sequenceDiagram", *(f"    participant {name}" for name in lifelines)]
    steps = data["steps"]
    for number, step in enumerate(steps):
        if step is None:
            continue
        if loop is not None and number == loop + 1:
            lines.append("    loop and then forever")
        lines.append(("    " if loop is None or number <= loop else "        ") + _line(number, step))
    if loop is not None and loop < len(steps) - 1:
        lines.append("    end")
    elif loop is not None:
        span = f"{lifelines[0]},{lifelines[-1]}" if len(lifelines) > 1 else lifelines[0]
        lines.append(f"    Note over {span}: and then forever: nothing (no fair action is enabled)")
    return "\n".join(lines)


def _line(number: int, step: Mapping[str, Any]) -> str:
    label = f"{number}. {_text(step['label'])}"
    if step.get("target") is None:
        return f"Note over {step['source']}: {label}"
    arrow = "--x" if step.get("lost") else "-->>" if step.get("sent") else "->>"
    return f"{step['source']}{arrow}{step['target']}: {label}"


def _text(label: str) -> str:
    """Mermaid ends a message at ';' and reads '#' as an entity: keep both out."""
    return label.replace(";", ",").replace("#", "no. ")
