"""A programme as rows of programme.csv (the DATA.md output contract), and violations."""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from scheduler.errors import InputError, InputProblem

COLUMNS = (
    "event_id", "la_code", "la_name", "region", "event", "status", "notify_date",
    "onsite_days", "fieldwork_start", "fieldwork_end", "draft_report_due", "final_report_due",
    "publication_due", "window_open", "window_close", "lead_inspector", "team", "lent_from",
    "relaxed", "pathway", "need_id",
)


@dataclass(frozen=True)
class ProgrammeRow:
    """One planned event."""

    event_id: str
    la_code: str
    la_name: str
    region: str
    event: str
    status: str
    notify_date: date | None
    onsite_days: tuple[date, ...]
    fieldwork_start: date
    fieldwork_end: date
    draft_report_due: date | None
    final_report_due: date | None
    publication_due: date | None
    window_open: date | None
    window_close: date | None
    lead_inspector: str = ""
    team: str = ""
    lent_from: str = ""
    relaxed: str = ""
    pathway: str = ""
    need_id: str = ""

    def as_csv(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = ";".join(d.isoformat() for d in value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[f.name] = "" if value is None else str(value)
        return out


@dataclass(frozen=True)
class Violation:
    """A broken rule, found by the independent checker."""

    rule: str
    la_code: str
    event_id: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.la_code} {self.event_id}: {self.message}"


def write_programme_csv(rows: list[ProgrammeRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.as_csv())


_DATE_COLUMNS = ("notify_date", "fieldwork_start", "fieldwork_end", "draft_report_due",
                 "final_report_due", "publication_due", "window_open", "window_close")


def read_programme_csv(path: Path) -> list[ProgrammeRow]:
    """Read programme.csv; refuse it with file, row and column on any malformed value."""
    problems: list[InputProblem] = []
    rows: list[ProgrammeRow] = []
    name = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError([InputProblem(name, None, None, "DATA",
                                       f"cannot read the file ({exc.strerror})")]) from None
    with handle:
        reader = csv.DictReader(handle)
        required = ("event_id", "la_code", "region", "event", "onsite_days", *_DATE_COLUMNS)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError([InputProblem(name, 1, c, "DATA", "required column is missing")
                              for c in missing])
        for line, raw in enumerate(reader, start=2):
            values: dict[str, object] = {k: (raw.get(k) or "").strip() for k in COLUMNS}
            try:
                for column in _DATE_COLUMNS:
                    text = values[column]
                    values[column] = date.fromisoformat(str(text)) if text else None
                column = "onsite_days"
                days = tuple(date.fromisoformat(d) for d in str(values[column]).split(";") if d)
                if not days:
                    raise ValueError("no on-site day")
                values[column] = days
            except ValueError as exc:
                problems.append(InputProblem(name, line, column, "DATA", str(exc)))
                continue
            if values["fieldwork_start"] is None:
                values["fieldwork_start"] = days[0]
            if values["fieldwork_end"] is None:
                values["fieldwork_end"] = days[-1]
            rows.append(ProgrammeRow(**values))  # type: ignore[arg-type]
    if problems:
        raise InputError(problems)
    return rows
