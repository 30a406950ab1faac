"""Read and validate a dataset folder (DATA.md); write output files atomically."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.domain import (
    HISTORY_EVENTS,
    JUDGEMENT_COLUMNS,
    JUDGEMENTS,
    ROLES,
    AreaSend,
    Conflict,
    Dataset,
    FixedJtai,
    Inspector,
    Leave,
    LocalAuthority,
    PastEvent,
)
from scheduler.errors import InputError, InputProblem

DATASET_FILES = (
    "dataset.toml",
    "local_authorities.csv",
    "ilacs_history.csv",
    "area_send.csv",
    "jtai.csv",
    "inspectors.csv",
    "leave.csv",
    "conflicts.csv",
)


@dataclass
class _Reader:
    """Reads one CSV file, collecting problems instead of stopping at the first."""

    path: Path
    problems: list[InputProblem]
    row: int = 0
    rule: str = "DATA"

    def problem(self, column: str | None, message: str, rule: str | None = None) -> None:
        self.problems.append(
            InputProblem(self.path.name, self.row or None, column, rule or self.rule, message)
        )

    def rows(self, required: tuple[str, ...]) -> Iterator[dict[str, str]]:
        try:
            handle = self.path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            self.problem(None, f"cannot read the file ({exc.strerror})")
            return
        with handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in required if c not in header]
            for column in missing:
                self.problem(column, "required column is missing")
            if missing:
                return
            reader.fieldnames = header
            for line, raw in enumerate(reader, start=2):
                self.row = line
                yield {k: (v or "").strip() for k, v in raw.items() if k is not None}
            self.row = 0

    def text(self, row: dict[str, str], column: str, required: bool = True) -> str:
        value = row.get(column, "")
        if required and not value:
            self.problem(column, "value is required")
        return value

    def date(self, row: dict[str, str], column: str, required: bool = False) -> date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.problem(column, "a date is required")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def boolean(self, row: dict[str, str], column: str) -> bool:
        value = row.get(column, "").lower()
        if value in ("", "false"):
            return False
        if value == "true":
            return True
        self.problem(column, f"{row.get(column)!r} is not true or false")
        return False

    def number(self, row: dict[str, str], column: str, low: float, high: float) -> float:
        value = row.get(column, "")
        try:
            number = float(value)
        except ValueError:
            self.problem(column, f"{value!r} is not a number")
            return 0.0
        if not low <= number <= high:
            self.problem(column, f"{number} is outside {low}..{high}")
        return number

    def choice(self, row: dict[str, str], column: str, allowed: tuple[str, ...]) -> str:
        value = row.get(column, "")
        if value not in allowed:
            self.problem(column, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def la(self, row: dict[str, str], las: dict[str, Any], column: str = "la_code") -> str:
        value = row.get(column, "")
        if value not in las:
            self.problem(column, f"unknown LA code {value!r} (not in local_authorities.csv)")
        return value

    def unique(self, seen: dict[Any, int], key: Any, column: str) -> None:
        if key in seen:
            self.problem(column, f"duplicate key {key!r} (first on row {seen[key]})")
        else:
            seen[key] = self.row


def _read_las(folder: Path, problems: list[InputProblem]) -> dict[str, LocalAuthority]:
    reader = _Reader(folder / "local_authorities.csv", problems)
    las: dict[str, LocalAuthority] = {}
    seen: dict[Any, int] = {}
    for row in reader.rows(("la_code", "dfe_code", "name", "region", "la_type", "small")):
        code = reader.text(row, "la_code")
        reader.unique(seen, code, "la_code")
        las[code] = LocalAuthority(
            la_code=code,
            dfe_code=reader.text(row, "dfe_code"),
            name=reader.text(row, "name"),
            region=reader.text(row, "region"),
            la_type=row.get("la_type", ""),
            small=reader.boolean(row, "small"),
            force_standard=reader.boolean(row, "force_standard"),
            august_fv_agreed=reader.boolean(row, "august_fv_agreed"),
            send_monitoring=reader.boolean(row, "send_monitoring"),
            not_before=reader.date(row, "not_before"),
        )
    return las


def _read_history(folder: Path, las: dict[str, LocalAuthority],
                  problems: list[InputProblem]) -> list[PastEvent]:
    reader = _Reader(folder / "ilacs_history.csv", problems)
    events: list[PastEvent] = []
    seen: dict[Any, int] = {}
    required = ("la_code", "event", "fieldwork_start", "fieldwork_end", "published")
    for row in reader.rows(required + JUDGEMENT_COLUMNS):
        code = reader.la(row, las)
        kind = reader.choice(row, "event", HISTORY_EVENTS)
        start = reader.date(row, "fieldwork_start")
        end = reader.date(row, "fieldwork_end")
        published = reader.date(row, "published")
        if not (start or end or published):
            reader.problem("fieldwork_start", "a row needs a fieldwork or publication date")
        if start and end and end < start:
            reader.problem("fieldwork_end", f"{end} is before fieldwork_start {start}")
        judgements = {}
        for column in JUDGEMENT_COLUMNS:
            value = row.get(column, "")
            if value and value not in JUDGEMENTS:
                reader.problem(column, f"unknown judgement {value!r} "
                               f"(known: {', '.join(JUDGEMENTS)})", rule="R-PATH")
            elif value:
                judgements[column] = value
        if kind in ("STD", "SHT", "SIF") and "leaders" not in judgements and not any(
            judgements.get(c) for c in JUDGEMENT_COLUMNS
        ):
            reader.problem("leaders", "a graded inspection needs its judgements", rule="R-PATH")
        reader.unique(seen, (code, kind, start, published), "event")
        events.append(PastEvent(code, kind, start, end, published, judgements,
                                row.get("topic", "")))
    return events


def _read_area_send(folder: Path, las: dict[str, LocalAuthority],
                    problems: list[InputProblem]) -> list[AreaSend]:
    path = folder / "area_send.csv"
    if not path.exists():
        return []
    reader = _Reader(path, problems, rule="R-CLASH")
    rows = []
    for row in reader.rows(("la_code", "kind", "status", "fieldwork_start", "fieldwork_end")):
        code = reader.la(row, las)
        kind = reader.choice(row, "kind", ("full", "monitoring"))
        status = reader.choice(row, "status", ("completed", "planned"))
        start = reader.date(row, "fieldwork_start", required=status == "planned")
        end = reader.date(row, "fieldwork_end") or start
        if start and end and end < start:
            reader.problem("fieldwork_end", f"{end} is before fieldwork_start {start}")
        rows.append(AreaSend(code, kind, status, start, end))
    return rows


def _read_jtai(folder: Path, las: dict[str, LocalAuthority],
               problems: list[InputProblem]) -> list[FixedJtai]:
    path = folder / "jtai.csv"
    if not path.exists():
        return []
    reader = _Reader(path, problems, rule="R-JTAI-CAP")
    rows = []
    for row in reader.rows(("la_code", "status", "fieldwork_start", "fieldwork_end")):
        code = reader.la(row, las)
        status = reader.choice(row, "status", ("completed", "planned"))
        start = reader.date(row, "fieldwork_start", required=True)
        end = reader.date(row, "fieldwork_end") or start
        if start and end:
            rows.append(FixedJtai(code, status, start, end, row.get("theme", "")))
    return rows


def _read_inspectors(folder: Path, regions: set[str],
                     problems: list[InputProblem]) -> dict[str, Inspector]:
    reader = _Reader(folder / "inspectors.csv", problems, rule="R-CAP")
    inspectors: dict[str, Inspector] = {}
    seen: dict[Any, int] = {}
    columns = ("inspector_id", "name", "region", "role", "fte", "inspection_share", "can_lead")
    for row in reader.rows(columns):
        inspector_id = reader.text(row, "inspector_id")
        reader.unique(seen, inspector_id, "inspector_id")
        role = reader.choice(row, "role", ROLES)
        region = row.get("region", "")
        if region and region not in regions:
            reader.problem("region", f"unknown region {region!r} "
                           f"(regions are those of local_authorities.csv)")
        if not region and role in ("HMI", "SHMI"):
            reader.problem("region", f"a {role} needs a home region")
        inspectors[inspector_id] = Inspector(
            inspector_id=inspector_id,
            name=row.get("name", ""),
            region=region,
            role=role,
            fte=reader.number(row, "fte", 0.0, 1.0),
            inspection_share=reader.number(row, "inspection_share", 0.0, 1.0),
            can_lead=reader.boolean(row, "can_lead"),
        )
    return inspectors


def _read_leave(folder: Path, inspectors: dict[str, Inspector],
                problems: list[InputProblem]) -> list[Leave]:
    path = folder / "leave.csv"
    if not path.exists():
        return []
    reader = _Reader(path, problems, rule="R-CAP")
    rows = []
    for row in reader.rows(("inspector_id", "start", "end")):
        inspector_id = row.get("inspector_id", "")
        if inspector_id not in inspectors:
            reader.problem("inspector_id", f"unknown inspector {inspector_id!r}")
        start = reader.date(row, "start", required=True)
        end = reader.date(row, "end", required=True)
        if start and end and end < start:
            reader.problem("end", f"{end} is before start {start}")
        if start and end:
            rows.append(Leave(inspector_id, start, end, row.get("reason", "")))
    return rows


def _read_conflicts(folder: Path, las: dict[str, LocalAuthority],
                    inspectors: dict[str, Inspector],
                    problems: list[InputProblem]) -> list[Conflict]:
    path = folder / "conflicts.csv"
    if not path.exists():
        return []
    reader = _Reader(path, problems, rule="R-ASSIGN")
    rows = []
    for row in reader.rows(("inspector_id", "la_code")):
        inspector_id = row.get("inspector_id", "")
        if inspector_id not in inspectors:
            reader.problem("inspector_id", f"unknown inspector {inspector_id!r}")
        rows.append(Conflict(inspector_id, reader.la(row, las), row.get("reason", "")))
    return rows


def _read_manifest(folder: Path, problems: list[InputProblem]) -> dict[str, Any]:
    path = folder / "dataset.toml"
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.append(InputProblem(path.name, None, None, "DATA",
                                     f"cannot read the file ({exc.strerror})"))
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(InputProblem(path.name, None, None, "DATA", f"not valid TOML: {exc}"))
        return {}
    for key, kind in (("programme_start", date), ("horizon_weeks", int), ("as_at", date)):
        if not isinstance(manifest.get(key), kind):
            problems.append(InputProblem(path.name, None, key, "DATA",
                                         f"{key} must be a {kind.__name__}"))
    return manifest


def input_hash(folder: Path) -> str:
    """SHA-256 over the dataset's files (names and bytes), in a fixed order."""
    digest = hashlib.sha256()
    for name in DATASET_FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def read_dataset(folder: Path | str) -> Dataset:
    """Read and validate a dataset folder; raise InputError listing every problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([InputProblem(str(folder), None, None, "DATA", "no such folder")])
    problems: list[InputProblem] = []
    manifest = _read_manifest(folder, problems)
    las = _read_las(folder, problems)
    history = _read_history(folder, las, problems)
    area_send = _read_area_send(folder, las, problems)
    jtai = _read_jtai(folder, las, problems)
    inspectors = _read_inspectors(folder, {la.region for la in las.values()}, problems)
    leave = _read_leave(folder, inspectors, problems)
    conflicts = _read_conflicts(folder, las, inspectors, problems)
    if problems:
        raise InputError(problems)
    return Dataset(
        name=str(manifest.get("name", folder.name)),
        as_at=manifest["as_at"],
        programme_start=manifest["programme_start"],
        horizon_weeks=manifest["horizon_weeks"],
        licence=str(manifest.get("licence", "")),
        las=las,
        history=tuple(history),
        area_send=tuple(area_send),
        jtai=tuple(jtai),
        inspectors=inspectors,
        leave=tuple(leave),
        conflicts=tuple(conflicts),
        input_hash=input_hash(folder),
    )


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
