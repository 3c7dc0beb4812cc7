"""What `swarmcheck check` runs: which models, at which configurations, judging which
properties, with which seeded bugs on. Every name is checked here, before anything runs.

- No settings, no bugs: each model's suite, every configuration by its name.
- `--bug B` alone: B's model at B's hunt bounds (the registry's `bug_bounds`), the bounds
  printed, so that a bug switched on is looked for where it can be reached.
- `--set k=v`: those settings (and any bugs) on the model's default configuration.
- `--property P`: only the configurations where P applies; where it applies nowhere in
  what was asked, the error says which settings make it apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from properties.base import Property
from swarmcheck import registry
from swarmcheck.registry import Entry, InputError


@attrs.frozen
class Job:
    """One model at one configuration, the properties judged there, and the bugs switched on."""

    entry: Entry
    name: str  # the suite's name for the configuration, or what was asked for
    config: Any
    properties: list[Property[Any]]
    bugs: tuple[str, ...] = ()
    suite: bool = False  # a configuration of the main job: every action must fire or be declared

    @property
    def walks(self) -> tuple[int, int] | None:
        """(walks, steps per walk) where the main job walks this configuration, not explores it."""
        return self.entry.walked.get(self.name) if self.suite else None

    @property
    def unreached(self) -> Mapping[str, str]:
        """The actions this configuration is declared never to reach, with why."""
        return self.entry.unreached.get(self.name, {}) if self.suite else {}


def plan(
    models: Sequence[str], settings: Mapping[str, str], bugs: Sequence[str], properties: Sequence[str]
) -> list[Job]:
    """The jobs for a `check` command line (InputError: a bad name or setting, said in one line)."""
    entries = [registry.lookup(name) for name in models] if models else list(registry.MODELS.values())
    owners = {bug: _owner(bug, entries, named=bool(models)) for bug in bugs}
    if bugs:
        entries = [e for e in entries if e in owners.values()]
    if properties:
        entries = _knowing(properties, entries, named=bool(models))
    jobs = []
    for entry in entries:
        on = tuple(b for b in bugs if owners[b] is entry)
        for name, config in _configurations(entry, settings, on):
            chosen = _applying(entry, config, properties)
            if chosen is not None:
                jobs.append(Job(entry, name, config, chosen, on, suite=not settings and not on))
    for prop in properties:
        if not any(prop in (p.name for p in job.properties) for job in jobs):
            raise InputError(_not_applying(prop, entries, settings, bugs))
    return jobs


def _owner(bug: str, entries: list[Entry], named: bool) -> Entry:
    for entry in entries:
        if bug in entry.bugs:
            return entry
    elsewhere = [e.name for e in registry.MODELS.values() if bug in e.bugs]
    if elsewhere and named:
        raise InputError(f"{bug!r} is a seeded bug of {elsewhere[0]}, not of {', '.join(e.name for e in entries)}")
    known = sorted(b for e in entries for b in e.bugs)
    raise InputError(f"unknown bug {bug!r}; known: {', '.join(known)}")


def _knowing(properties: Sequence[str], entries: list[Entry], named: bool) -> list[Entry]:
    """The entries that know at least one of the properties; an unknown property is an error."""
    known = {e.name: registry.property_names(e) for e in entries}
    for prop in properties:
        if not any(prop in names for names in known.values()):
            where = "" if named else " (any model)"
            choices = sorted({n for names in known.values() for n in names})
            raise InputError(f"unknown property {prop!r}{where}; known: {', '.join(choices)}")
    return [e for e in entries if any(p in known[e.name] for p in properties)]


def _configurations(entry: Entry, settings: Mapping[str, str], bugs: tuple[str, ...]) -> list[tuple[str, Any]]:
    if settings:
        name = ", ".join(f"{k}={v}" for k, v in settings.items())
        if bugs:  # the summary names every bug switched on
            name += f", bug {', '.join(bugs)}"
        return [(name, entry.config(settings, frozenset(bugs)))]
    if bugs:
        found: dict[Any, str] = {}
        for bug in bugs:  # each bug at its hunt bounds, every named bug on
            config = attrs.evolve(entry.bug_config(bug), bugs=frozenset(bugs))
            found.setdefault(config, f"{bug} (its hunt bounds)")
        return [(name, config) for config, name in found.items()]
    return list(entry.suite.items())


def _applying(entry: Entry, config: Any, properties: Sequence[str]) -> list[Property[Any]] | None:
    """The properties judged at `config`: all, or the named ones that apply there (None: none do)."""
    if not properties:
        return registry.select_properties(entry, config, None)
    available = {p.name for p in [*entry.properties(config), *entry.on_request(config)]}
    here = [p for p in properties if p in available]
    return registry.select_properties(entry, config, here) if here else None


def _not_applying(prop: str, entries: list[Entry], settings: Mapping[str, str], bugs: Sequence[str]) -> str:
    """Why a known property was judged nowhere, and which settings would make it apply."""
    asked = "at these settings" if settings else "at these bugs' hunt bounds" if bugs else "here"
    for entry in entries:
        where = [name for name, config in entry.suite.items() if prop in registry.property_names(entry, config)]
        if where:
            name = where[0]
            differs = registry.suite_bounds(entry, name)
            shown = ", ".join(f"{k}={v}" for k, v in differs.items()) or "the defaults"
            return (
                f"{entry.name}: {prop!r} does not apply {asked}; it applies with {shown} (suite configuration {name})"
            )
    return f"{prop!r} does not apply {asked}"
