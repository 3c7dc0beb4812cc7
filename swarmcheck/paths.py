"""Where a command writes, checked before any work: one clear line (exit 2) instead of a
traceback after a long run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from swarmcheck.registry import InputError


def output_folder(path: Path, flag: str = "--reports") -> Path:
    """`path` as a folder that exists (made if need be) and takes files; else InputError."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{flag} {path}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot make the folder ({error.strerror or error})") from None
    # Permission bits say little (root ignores them, a read-only mount ignores them all):
    # write a file there and take it away again.
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".swarmcheck-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write there ({error.strerror or error})") from None
    return path
