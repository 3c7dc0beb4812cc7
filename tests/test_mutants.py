"""The mutation list (bench/mutants.py) stays true to the code: every fault's original text
occurs exactly once where it says, so a refactor cannot silently turn a fault into a no-op."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _faults() -> list[object]:
    spec = importlib.util.spec_from_file_location("mutants", ROOT / "bench" / "mutants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.stale(module.FAULTS) == [], "a fault's text no longer matches the code: update bench/mutants.py"
    return list(module.FAULTS)


def test_every_fault_changes_one_place_that_exists() -> None:
    faults = _faults()
    assert len({f.name for f in faults}) == len(faults)  # type: ignore[attr-defined]
    for fault in faults:
        assert fault.original != fault.mutated and fault.mimics  # type: ignore[attr-defined]
