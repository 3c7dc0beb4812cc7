"""The layout keeps its shape (ARCHITECTURE.md): imports run down the floors, no engine or
output knows a protocol by name, and no module or class outgrows a reader."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "properties", "swarmcheck")
# Floor of a module: the longest prefix listed wins. Same-floor imports are allowed, except
# that engines never import outputs (outputs read what engines return, not the reverse).
FLOORS = {
    "model": 0,
    "properties": 1,
    "swarmcheck.engines": 2,
    "swarmcheck.outputs": 2,
    "swarmcheck": 3,
}
# What an engine or a generic output may know of the lower floors: the interfaces only.
PROTOCOL_FREE = ("swarmcheck.engines", "swarmcheck.outputs")
INTERFACES = ("model.kernel", "properties.base")
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300


def floor(module: str) -> int | None:
    matches = [prefix for prefix in FLOORS if module == prefix or module.startswith(prefix + ".")]
    return FLOORS[max(matches, key=len)] if matches else None


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """Every module `source` imports, anywhere in it (a lazy import inside a function counts)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from model import gossip` imports model.gossip
                yield node.lineno, f"{target}.{alias.name}"


def violations(root: Path) -> list[str]:
    """Each import that runs up a floor, or lets an engine or output name a protocol."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            own = floor(module)
            assert own is not None
            flagged: set[int] = set()  # one finding per import line
            for line, target in imports(path.read_text(), module, path.name == "__init__.py"):
                theirs = floor(target)
                if theirs is None or line in flagged:
                    continue  # the standard library or a third-party package, or said already
                where = f"{path.relative_to(root)}:{line}: {module} imports {target}"
                if theirs > own:
                    found.append(f"{where}, a higher floor")
                elif within(module, "swarmcheck.engines") and within(target, "swarmcheck.outputs"):
                    found.append(f"{where}: engines do not import outputs")
                elif (
                    any(within(module, p) for p in PROTOCOL_FREE)
                    and theirs < 2
                    and target not in ("model", "properties")
                    and not any(within(target, i) for i in INTERFACES)
                ):
                    found.append(f"{where}: an engine or output knows protocols only through {INTERFACES}")
                else:
                    continue
                flagged.add(line)
    return found


def test_imports_run_down_the_floors() -> None:
    assert violations(ROOT) == []


def test_the_check_sees_a_lazy_back_arrow(tmp_path: Path) -> None:
    """The arrow this test was written for: a property importing the z3 oracle from the engines,
    inside a function (as properties/scheduler.py did), and an engine naming a protocol."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "swarmcheck" / "engines").mkdir()
    (tmp_path / "swarmcheck" / "engines" / "__init__.py").write_text("")
    (tmp_path / "properties" / "scheduler.py").write_text(
        "def oracle():\n    from swarmcheck.smt.placement import stranded_task\n    return stranded_task\n"
    )
    (tmp_path / "swarmcheck" / "engines" / "simulate.py").write_text("from model.gossip import Gossip\n")
    (tmp_path / "model" / "raft.py").write_text("from .kernel import put\nfrom properties import base\n")
    found = violations(tmp_path)
    assert [line.split(": ", 1)[0] for line in found] == [
        "model/raft.py:2",
        "properties/scheduler.py:2",
        "swarmcheck/engines/simulate.py:1",
    ]
    assert found[1].endswith("properties.scheduler imports swarmcheck.smt.placement, a higher floor")
    assert "knows protocols only" in found[2]


def _sizes() -> Iterator[tuple[str, int, int]]:
    """(where, lines, limit) for every module and every class."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text()
            where = str(path.relative_to(ROOT))
            yield where, len(source.splitlines()), MAX_MODULE_LINES
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ClassDef):
                    assert node.end_lineno is not None
                    yield f"{where}: class {node.name}", node.end_lineno - node.lineno + 1, MAX_CLASS_LINES


@pytest.mark.parametrize("limit", [MAX_MODULE_LINES, MAX_CLASS_LINES])
def test_no_module_or_class_outgrows_a_reader(limit: int) -> None:
    too_long = [f"{where}: {lines} lines" for where, lines, cap in _sizes() if cap == limit and lines >= limit]
    assert too_long == []
