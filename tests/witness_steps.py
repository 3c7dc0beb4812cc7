"""Witness steps: for a property no seeded bug pins alone (swarmcheck/witnesses.py says why), a
step of a seeded bug's run that this property alone flags: every other safety property holds on
that step and in the state it reaches. Swapped for a property that always holds, it flags
nothing there, so tests/test_witnesses.py fails (issue 18's swap test).

The runs are kept in witness_steps.json as the actions' names; `python tests/witness_steps.py
MODEL BUG PROPERTY [BOUNDS-JSON]` searches (breadth first, so the shortest) and prints an entry.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from properties.base import Kind, Property, transition
from swarmcheck import registry

STORE = Path(__file__).with_name("witness_steps.json")


def config_of(model_name: str, bug: str, bounds: dict[str, Any]) -> Any:
    """The bug's hunt configuration with the witness's own bounds on top."""
    return attrs.evolve(registry.lookup(model_name).bug_config(bug), **bounds)


def flagged(props: Sequence[Property[Any]], before: Any, action: Any, after: Any) -> list[str]:
    """The safety properties that flag this step: a state property in the state it reaches, a
    step property on the step itself."""
    return [
        p.name
        for p in props
        if (p.kind is Kind.ALWAYS and p.check(after)) or (p.kind is Kind.TRANSITION and p.check(before, action, after))
    ]


def alone(props: Sequence[Property[Any]], name: str) -> Property[Any]:
    """A step property that fails exactly where `name` is the only property flagging the step."""
    safety = [p for p in props if p.kind in (Kind.ALWAYS, Kind.TRANSITION)]

    def check(before: Any, action: Any, after: Any) -> str | None:
        return f"{name} alone" if flagged(safety, before, action, after) == [name] else None

    return transition(f"{name}_alone", check, "tests/witness_steps.py")


def walk(model: Any, actions: Sequence[str]) -> tuple[Any, Any, Any]:
    """The last step (before, action, after) of the run that takes these actions, by name,
    from the first initial state where they are all enabled."""
    for start in model.init_states():
        before, action, current = None, None, start
        for name in actions:
            steps = model.next_steps(current)
            found = next(((a, t) for a, t in steps if str(a) == name and model.within_bounds(t)), None)
            if found is None:
                break
            before, (action, current) = current, found
        else:
            return before, action, current
    raise AssertionError(f"no initial state leads through {list(actions)}")


def search(model_name: str, bug: str, name: str, bounds: dict[str, Any]) -> dict[str, Any]:
    from swarmcheck.engines.explore import explore

    entry = registry.lookup(model_name)
    config = config_of(model_name, bug, bounds)
    result = explore(entry.build(config), [alone(entry.properties(config), name)])
    if not result.violations or result.violations[0].trace is None:
        raise SystemExit(f"no step of {bug}'s run flags {name} alone")
    actions = [str(a) for a in result.violations[0].trace.actions]
    return {"bug": bug, "bounds": bounds, "actions": actions}


if __name__ == "__main__":
    model_arg, bug_arg, prop_arg = sys.argv[1:4]
    found = search(model_arg, bug_arg, prop_arg, json.loads(sys.argv[4]) if len(sys.argv) > 4 else {})
    print(json.dumps({model_arg: {prop_arg: found}}, indent=2))
