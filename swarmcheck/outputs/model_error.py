"""What the command line prints when the model, or a property, raises during a search: the
error, where, and the shortest run to the state whose steps raised it (exit code 3)."""

from __future__ import annotations

from swarmcheck.engines.result import ModelError


def model_error_text(error: ModelError) -> str:
    """The error, where it was raised, and the shortest run to the state whose steps raised it."""
    steps = error.trace.steps
    if not steps:
        return f"swarmcheck: the model raised {error.message}\n  No verdict: fix the model (or the property) first."
    lines = [
        f"swarmcheck: the model raised {error.message}",
        f"  while the next steps of the state after this run ({len(steps) - 1} steps) were listed and judged:",
        "     0  initial state",
        *(f"  {k:4}  {action}" for k, (action, _) in enumerate(steps[1:], start=1)),
        "  No verdict: fix the model (or the property) first.",
    ]
    return "\n".join(lines)
