"""A property must not judge the model with the model's own code (issue 19): a fault in a helper
would pass the check that reuses it. `properties/` may import the model's vocabulary (its
constants, state and config classes, the pure A.4 matcher) and the few one-line helpers listed
below, and may call on a model object only the methods listed below; anything else fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Model functions a property may import, and why each is not what a property judges.
ALLOWED_FUNCTIONS = {
    "action_kind": "the name of a step (kernel vocabulary), not protocol behaviour",
    "runnable": "A.1's definition itself, one comparison (desired <= RUNNING)",
    "still_running": "a task's container may be up: a reading of observed state and node status",
    "task_names": "formatting for messages",
    "server": "a server's name for messages",
    "node": "a node's name for messages",
    "bit": "a bit of a mask (the state's encoding)",
    "secret_names": "formatting for messages",
    "secret_of": "which secret a task needs: configuration, not behaviour",
    "pair_bit": "which bit of the links mask is a pair (the state's encoding)",
}
# Methods a property may call on a model object, and why.
ALLOWED_METHODS = {
    "quiescent": "whether any control-loop step is enabled: the model's Next, as every engine sees it",
    "action_kinds": "the names of the model's steps, to state fairness",
}
MODEL_OBJECTS = {"model", "rules", "m"}


def model_methods() -> set[str]:
    """Every method defined on a class under model/."""
    names: set[str] = set()
    for path in (ROOT / "model").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                names |= {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
    return names


def property_modules() -> list[Path]:
    return sorted((ROOT / "properties").rglob("*.py"))


def imported_helpers(tree: ast.AST) -> list[str]:
    """Lower-case names imported from model modules that are functions, not modules."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("model"):
            for alias in node.names:
                name = alias.name
                if name[0].islower() and not (ROOT / (node.module or "").replace(".", "/") / f"{name}.py").exists():
                    found.append(name)
    return found


def model_calls(tree: ast.AST, methods: set[str]) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in MODEL_OBJECTS
            and node.func.attr in methods
        ):
            calls.append(f"{node.func.value.id}.{node.func.attr}")
    return calls


def test_properties_import_no_model_helper_beyond_the_listed_ones() -> None:
    unlisted = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in property_modules()
        for name in imported_helpers(ast.parse(path.read_text()))
        if name not in ALLOWED_FUNCTIONS
    }
    assert not unlisted, sorted(unlisted)


def test_properties_call_no_model_method_beyond_the_listed_ones() -> None:
    methods = model_methods()
    unlisted = {
        f"{path.relative_to(ROOT)}: {call}"
        for path in property_modules()
        for call in model_calls(ast.parse(path.read_text()), methods)
        if call.split(".")[1] not in ALLOWED_METHODS
    }
    assert not unlisted, sorted(unlisted)


def test_the_scan_sees_a_property_that_reuses_the_scheduler() -> None:
    """The checks above are not vacuous: the old spread property called the model's own order."""
    old = "def check(s, t):\n    return rules.best_nodes(s, t)\nfrom model.orchestration.tasks import active_on_node\n"
    tree = ast.parse(old)
    assert model_calls(tree, model_methods()) == ["rules.best_nodes"]
    assert imported_helpers(tree) == ["active_on_node"]
