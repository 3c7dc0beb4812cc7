"""One fault: a one-line change to a model's source, and the real bug it mimics."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple


class Fault(NamedTuple):
    model: str  # the model whose main job must catch it
    name: str
    file: str  # relative to the project's root
    original: str  # must occur exactly once in `file`
    mutated: str
    mimics: str  # the real bug, with where it was seen
    # Why no run can catch it, when it changes nothing observable (a guard that cannot fire,
    # a path the model never takes): kept in the list, left out of the share.
    equivalent: str = ""


def faults_of(model: str) -> Callable[..., Fault]:
    """A maker of `model`'s faults: (name, file, original, mutated, mimics[, equivalent])."""
    return partial(Fault, model)
