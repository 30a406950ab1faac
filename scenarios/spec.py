"""A scenario file (TOML) as data: the base dataset, an optional baseline programme, the
re-plan date and a list of edits. Parsing checks the shape and the type of every field;
what the fields refer to (LAs, inspectors, events) is checked when the edits are applied."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.domain import JUDGEMENT_COLUMNS, JUDGEMENTS
from scheduler.errors import InputError, InputProblem
from scheduler.io import decoded_text

TOP_LEVEL = {"name": "text", "description": "text", "data": "path", "baseline": "path",
             "replan_date": "date", "seed": "integer", "time_limit": "seconds",
             "config": "table", "edit": "edits"}

# What each field of an edit holds; an edit type lists which fields it needs and allows.
FIELD_KINDS: dict[str, str] = {
    "la": "text", "event": "text", "not_before": "date", "reason": "text",
    "inspector": "text", "start": "date", "end": "date", "from": "date",
    "inspection_share": "share", "fte": "share", "name": "text", "region": "text",
    "role": "text", "can_lead": "boolean", "factor": "factor", "date": "date",
    "published": "date", "kind": "text", "theme": "text", "move_from": "date",
    "las": "text list", "into": "text", "history_from": "text", "key": "text",
    "value": "any", **{column: "judgement" for column in JUDGEMENT_COLUMNS},
}


@dataclass(frozen=True)
class ScenarioProblem(InputProblem):
    """A problem in a scenario file, named by edit (1-based, in file order) and field."""

    edit: int | None = None
    edit_type: str = ""

    def __str__(self) -> str:
        place = self.file
        if self.edit is not None:
            place += f", edit {self.edit}" + (f" ({self.edit_type})" if self.edit_type else "")
        if self.column:
            place += f", field {self.column}"
        return f"{place}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Edit:
    """One [[edit]] table: its position in the file, its type and its checked fields."""

    index: int
    type: str
    fields: dict[str, Any]

    @property
    def label(self) -> str:
        return f"edit {self.index} ({self.type})"

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Scenario:
    """A what-if scenario; paths are resolved against the scenario file's folder."""

    path: Path
    name: str
    data: Path
    description: str = ""
    baseline: Path | None = None
    replan_date: date | None = None
    seed: int | None = None
    time_limit: float | None = None
    config: dict[str, Any] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()

    def problem(self, message: str, rule: str = "DATA", edit: Edit | None = None,
                column: str | None = None) -> ScenarioProblem:
        return ScenarioProblem(str(self.path), None, column, rule, message,
                               edit.index if edit else None, edit.type if edit else "")

    def as_record(self) -> dict[str, Any]:
        """The scenario as plain JSON-ready data (written beside its outputs)."""
        return {"name": self.name, "description": self.description, "file": str(self.path),
                "data": str(self.data), "baseline": str(self.baseline or ""),
                "replan_date": self.replan_date, "seed": self.seed,
                "time_limit": self.time_limit, "config": self.config,
                "edits": [{"type": e.type, **e.fields} for e in self.edits]}


def parse_value(kind: str, value: Any) -> Any:
    """``value`` checked as a field of ``kind``; ValueError says what was expected."""
    if kind in ("text", "path"):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"expected text, got {value!r}")
        return value.strip()
    if kind == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {value!r}")
        return value
    if kind in ("seconds", "factor", "share"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        if value <= 0 if kind != "share" else not 0 <= value <= 1:
            raise ValueError(f"{value} is outside {'0..1' if kind == 'share' else 'above 0'}")
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if kind == "judgement":
        if value not in JUDGEMENTS:
            raise ValueError(f"unknown judgement {value!r} (known: {', '.join(JUDGEMENTS)})")
        return value
    if kind == "text list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of text, got {value!r}")
        return [v.strip() for v in value]
    if kind == "table":
        if not isinstance(value, dict):
            raise ValueError(f"expected a table, got {value!r}")
        return value
    return value


def _parse_edit(scenario_path: Path, index: int, raw: Any, problems: list[InputProblem]
                ) -> Edit | None:
    from scenarios.edits import EDIT_TYPES

    def refuse(message: str, column: str | None = None, rule: str = "DATA",
               kind: str = "") -> None:
        problems.append(ScenarioProblem(str(scenario_path), None, column, rule, message,
                                        index, kind))

    if not isinstance(raw, dict):
        refuse("an edit is a table ([[edit]])")
        return None
    kind = raw.get("type")
    if kind not in EDIT_TYPES:
        refuse(f"unknown edit type {kind!r} (known: {', '.join(EDIT_TYPES)})", "type")
        return None
    spec = EDIT_TYPES[kind]
    fields: dict[str, Any] = {}
    ok = True
    for name, value in raw.items():
        if name == "type":
            continue
        if name not in spec.required + spec.optional:
            refuse(f"unknown field for a {kind} edit (fields: "
                   f"{', '.join(spec.required + spec.optional)})", name, spec.rule, kind)
            ok = False
            continue
        try:
            fields[name] = parse_value(FIELD_KINDS[name], value)
        except ValueError as exc:
            refuse(str(exc), name, spec.rule, kind)
            ok = False
    for name in spec.required:
        if name not in raw:
            refuse("required field is missing", name, spec.rule, kind)
            ok = False
    start = fields.get("start")
    if kind == "pin" and start and start.weekday() >= 5:
        refuse(f"{start} is a {start:%A}: an event is pinned to its first on-site day, a "
               "working day", "start", spec.rule, kind)
        ok = False
    return Edit(index, kind, fields) if ok else None


def parse_scenario(path: Path, data: dict[str, Any]) -> Scenario:
    """A Scenario from the TOML tables of ``path``; InputError lists every problem."""
    problems: list[InputProblem] = []

    def refuse(message: str, column: str | None = None) -> None:
        problems.append(ScenarioProblem(str(path), None, column, "DATA", message))

    values: dict[str, Any] = {}
    for key, value in data.items():
        kind = TOP_LEVEL.get(key)
        if kind is None:
            refuse(f"unknown key (keys: {', '.join(TOP_LEVEL)})", key)
        elif kind != "edits":
            try:
                values[key] = parse_value(kind, value)
            except ValueError as exc:
                refuse(str(exc), key)
    if "data" not in data:
        refuse("required key is missing: the base dataset folder", "data")
    raw_edits = data.get("edit", [])
    if not isinstance(raw_edits, list):
        refuse("edits are written as [[edit]] tables", "edit")
        raw_edits = []
    edits = [_parse_edit(path, i, raw, problems) for i, raw in enumerate(raw_edits, start=1)]
    folder = path.parent
    for key in ("data", "baseline"):
        if key in values:
            values[key] = (folder / values[key]).resolve()
    if "data" in values and not values["data"].is_dir():
        refuse(f"no dataset folder at {values['data']}", "data")
    if problems:
        raise InputError(problems)
    return Scenario(path=path, name=values.pop("name", path.stem),
                    edits=tuple(e for e in edits if e is not None), **values)


def past_deferrals(scenario: Scenario, start: date) -> list[InputProblem]:
    """R-DEFER: a deferral holds an event back to a date on or after the programme's start
    and the re-plan date; one before them is in the past."""
    replan = scenario.replan_date
    today, what = ((replan, "the re-plan date") if replan and replan > start
                   else (start, "the programme start"))
    return [scenario.problem(f"{edit.get('not_before')} is before {what} ({today}): a "
                             "deferral holds an event back to a later date", "R-DEFER", edit,
                             "not_before")
            for edit in scenario.edits if edit.type == "defer" and edit.get("not_before") < today]


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file. Shape and field types are checked here; references (LAs,
    inspectors, events) when it is applied (`scenarios.prepare`)."""
    path = Path(path)
    try:
        data = tomllib.loads(decoded_text(path, str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise InputError([ScenarioProblem(str(path), None, None, "DATA",
                                          f"not valid TOML: {exc}")]) from None
    return parse_scenario(path, data)
