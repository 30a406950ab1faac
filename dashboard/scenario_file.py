"""A what-if scenario as the TOML file `ilacs scenario run` reads: name, description, data
(the dataset folder, relative to the file), baseline (programme.csv), replan_date, seed,
time_limit, a [config] table of overrides and [[edit]] tables (defer, leave, parameter)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit

from scheduler.config import Config
from scheduler.io import write_text_atomically

SCENARIO_FILE = "scenario.toml"
RESULT_DIR = "result"
# Sections whose scalar keys a what-if may change; weights first, as planners use them most.
PARAMETER_SECTIONS = ("weights", "window", "easter", "focused_visits", "jtai", "monitoring",
                      "clash", "engagement", "capacity", "smoothing")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    data: Path
    baseline: Path | None
    seed: int
    time_limit: float
    replan_date: date | None = None
    edits: tuple[dict[str, Any], ...] = ()
    config: dict[str, Any] = field(default_factory=dict)


def defer_edit(la_code: str, not_before: date, event: str = "") -> dict[str, Any]:
    """R-DEFER: the LA's events (or only those of one kind) no sooner than ``not_before``."""
    edit: dict[str, Any] = {"type": "defer", "la": la_code}
    if event:
        edit["event"] = event
    edit["not_before"] = not_before
    return edit


def leave_edit(inspector_id: str, start: date, end: date) -> dict[str, Any]:
    """R-CAP: the inspector away from ``start`` to ``end`` inclusive."""
    return {"type": "leave", "inspector": inspector_id, "start": start, "end": end}


def parameter_edit(key: str, value: int | float | bool) -> dict[str, Any]:
    """One configuration value (e.g. ``weights.lending_day``) changed."""
    return {"type": "parameter", "key": key, "value": value}


def parameters(config: Config) -> dict[str, int | float | bool]:
    """The numeric and yes/no settings a what-if may change, by dotted key."""
    found: dict[str, int | float | bool] = {}
    for section in PARAMETER_SECTIONS:
        values = getattr(config, section)
        if not is_dataclass(values):
            continue
        for f in fields(values):
            value = getattr(values, f.name)
            if isinstance(value, int | float | bool):
                found[f"{section}.{f.name}"] = value
    return found


def slug(name: str) -> str:
    """A folder name for a scenario name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"


def scenario_text(scenario: Scenario, folder: Path) -> str:
    """The TOML text of ``scenario`` for a file in ``folder`` (paths relative to it)."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("What-if scenario written by the ILACS dashboard; run it with "
                            "`ilacs scenario run FILE --out DIR`."))
    doc["name"] = scenario.name
    if scenario.description:
        doc["description"] = scenario.description
    doc["data"] = os.path.relpath(scenario.data.resolve(), folder.resolve())
    if scenario.baseline is not None:
        doc["baseline"] = os.path.relpath(scenario.baseline.resolve(), folder.resolve())
    if scenario.replan_date is not None:
        doc["replan_date"] = scenario.replan_date
    doc["seed"] = scenario.seed
    doc["time_limit"] = scenario.time_limit
    doc["config"] = scenario.config
    if scenario.edits:
        doc["edit"] = list(scenario.edits)
    return tomlkit.dumps(doc)


def write_scenario(scenario: Scenario, folder: Path) -> Path:
    """Write ``folder``/scenario.toml (atomically) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SCENARIO_FILE
    write_text_atomically(path, scenario_text(scenario, folder))
    return path
