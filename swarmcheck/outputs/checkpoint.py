"""A search's checkpoint on disk, and reading it back (`check --checkpoint DIR`, `--resume DIR`).

A checkpoint folder holds three files: `checkpoint.json` (what run it is, and the counts so
far), `seen-G.bin` (the seen set: int64 fingerprint and parent pairs) and `frontier-G.json`
(the states still to expand, as the model's keys), G a generation number. The data files of
a new generation are written first and `checkpoint.json` is replaced last, atomically, so a
crash or Ctrl-C at any moment leaves the previous checkpoint whole; older generations are
removed after. Reading uses JSON and raw int64 arrays only (never pickle or eval), checks
the schema and that the checkpoint is of this very model, configuration, symmetry and set
of properties, and turns every flaw into one line (CheckpointError).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.kernel import Model
from properties.base import Kind
from swarmcheck.engines.explore import Snapshot
from swarmcheck.engines.result import Violation
from swarmcheck.outputs.report import write_atomically

SCHEMA = "swarmcheck.checkpoint/1"
MANIFEST = "checkpoint.json"


class CheckpointError(ValueError):
    """The folder holds no checkpoint this run can resume (exit code 2)."""


def identity(model: Model[Any, Any], symmetry: bool, properties: list[str]) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: the model, its configuration, the symmetry
    setting and the properties judged (they decide which states were judged and how)."""
    return {"model": model.name, "config": dict(model.config_data()), "symmetry": symmetry, "properties": properties}


def save(folder: Path, model: Model[Any, Any], run: Mapping[str, Any], snapshot: Snapshot) -> None:
    """Write the snapshot as the folder's newest checkpoint."""
    if not hasattr(model, "from_key"):
        raise CheckpointError(f"{model.name}: its states cannot be read back (the model has no from_key)")
    folder.mkdir(parents=True, exist_ok=True)
    generation = _generation(folder) + 1
    seen = array("q")
    for fp, parent in snapshot.parents.items():
        seen.append(fp)
        seen.append(parent)
    if sys.byteorder != "little":  # pragma: no cover - the file is little-endian everywhere
        seen.byteswap()
    write_atomically(folder / f"seen-{generation}.bin", seen.tobytes())
    frontier = {
        "frontier": [[fp, model.key(s)] for fp, s in snapshot.frontier],
        "following": [[fp, model.key(s)] for fp, s in snapshot.following],
    }
    write_atomically(folder / f"frontier-{generation}.json", json.dumps(frontier, separators=(",", ":")))
    manifest = {
        "schema": SCHEMA,
        "run": dict(run),
        "generation": generation,
        "states": len(snapshot.parents),
        "depth": snapshot.depth,
        "transitions": snapshot.transitions,
        "coverage": snapshot.coverage,
        "reached": sorted(snapshot.reached),
        "violations": [[v.property, v.kind.name, v.message, v.state_fp] for v in snapshot.violations],
    }
    write_atomically(folder / MANIFEST, json.dumps(manifest, indent=1))
    for old in _data_files(folder):
        if old.stem.rsplit("-", 1)[-1] != str(generation):
            old.unlink(missing_ok=True)


def exists(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def load(folder: Path, model: Model[Any, Any], run: Mapping[str, Any]) -> Snapshot:
    """The folder's checkpoint, if it is one of this very run (CheckpointError otherwise)."""
    where = folder / MANIFEST
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise CheckpointError(f"{where}: not a readable checkpoint ({type(error).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise CheckpointError(f"{where}: not a swarmcheck checkpoint (schema {SCHEMA} expected)")
    if manifest.get("run") != json.loads(json.dumps(dict(run))):
        raise CheckpointError(f"{where}: a checkpoint of another run ({_differences(manifest.get('run'), run)})")
    try:
        return _snapshot(folder, model, manifest)
    except (OSError, KeyError, TypeError, ValueError, IndexError, RecursionError) as error:
        raise CheckpointError(f"{folder}: a damaged checkpoint ({type(error).__name__}: {error})") from None


def _snapshot(folder: Path, model: Model[Any, Any], manifest: dict[str, Any]) -> Snapshot:
    generation = int(manifest["generation"])
    seen = array("q")
    seen.frombytes((folder / f"seen-{generation}.bin").read_bytes())
    if sys.byteorder != "little":  # pragma: no cover
        seen.byteswap()
    if len(seen) != 2 * int(manifest["states"]):
        raise ValueError(f"the seen set holds {len(seen) // 2} states, the manifest says {manifest['states']}")
    parents = dict(zip(seen[0::2], seen[1::2], strict=True))
    states = json.loads((folder / f"frontier-{generation}.json").read_text(encoding="utf-8"))
    from_key = model.from_key  # type: ignore[attr-defined]
    frontier = [(int(fp), from_key(_tuples(key))) for fp, key in states["frontier"]]
    following = [(int(fp), from_key(_tuples(key))) for fp, key in states["following"]]
    if any(fp not in parents for fp, _ in frontier + following):
        raise ValueError("a state to expand is not in the seen set")
    violations = tuple(
        Violation(name, Kind[kind], str(message), int(fp)) for name, kind, message, fp in manifest["violations"]
    )
    return Snapshot(
        parents=parents,
        frontier=frontier,
        following=following,
        depth=int(manifest["depth"]),
        transitions=int(manifest["transitions"]),
        coverage={str(k): int(v) for k, v in manifest["coverage"].items()},
        reached=frozenset(map(str, manifest["reached"])),
        violations=violations,
    )


def _tuples(value: Any) -> Any:
    """JSON's lists back into the tuples a key is made of."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, bool | int):
        return value
    raise ValueError(f"a key holds {type(value).__name__}, not ints and tuples")


def _data_files(folder: Path) -> list[Path]:
    return [*folder.glob("seen-*.bin"), *folder.glob("frontier-*.json")]


def _generation(folder: Path) -> int:
    try:
        return int(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _differences(saved: Any, run: Mapping[str, Any]) -> str:
    if not isinstance(saved, dict):
        return "no run recorded"
    wanted = json.loads(json.dumps(dict(run)))
    changed = [k for k in wanted if saved.get(k) != wanted[k]]
    return "its " + ", ".join(changed) + " differ" if changed else "recorded differently"


def remove(folder: Path) -> None:
    """A finished run's checkpoint: nothing left to resume."""
    (folder / MANIFEST).unlink(missing_ok=True)
    for data in _data_files(folder):
        data.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # something else lives there: leave the folder
        os.rmdir(folder)
