"""Read and validate a dataset folder (DATA.md); write output files atomically.

Reading checks each file on its own (encoding, CSV shape, types, keys) and across files
(LA codes, regions and their inspectors, dates against `as_at` and the programme start);
every problem found is reported at once, by file, row, column and rule.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import os
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scheduler.domain import (
    HISTORY_EVENTS,
    JUDGEMENT_COLUMNS,
    JUDGEMENTS,
    REGIONAL_ROLES,
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
# dataset.toml (DATA.md): each key and the type of its value; the first three are required.
MANIFEST_KEYS: dict[str, type] = {"as_at": date, "programme_start": date, "horizon_weeks": int,
                                  "name": str, "facts": list, "illustrative": list,
                                  "licence": str}
REQUIRED_MANIFEST_KEYS = ("as_at", "programme_start", "horizon_weeks")


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decoded_text(path: Path, label: str | None = None) -> str:
    """The text of a UTF-8 file; InputError naming the file (``label``, by default its
    name) and the line if it cannot be read, holds a NUL byte or is not UTF-8."""
    name = label or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([InputProblem(name, None, None, "DATA",
                                       f"cannot read the file ({exc.strerror})")]) from None
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError([InputProblem(name, _line_at(data, nul), None, "DATA",
                                       "holds a NUL byte: not a text file (save it as CSV "
                                       "UTF-8)")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([InputProblem(name, _line_at(data, exc.start), None, "DATA",
                                       f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save "
                                       "it as CSV UTF-8, not Windows-1252")]) from None


def not_a_monday(day: date) -> str | None:
    """Why ``day`` cannot start a programme (None if it is a Monday): it names the next."""
    if day.weekday() == 0:
        return None
    following = day + timedelta(days=7 - day.weekday())
    return f"{day} is a {day:%A}: a programme starts on a Monday (the next is {following})"


def suggestion(value: str, known: Iterable[str]) -> str:
    """"; did you mean ...?" for a known name in another case or one letter or two away."""
    known = sorted(known)
    same = [k for k in known if k.casefold() == value.casefold()]
    close = same or difflib.get_close_matches(value, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a field is longer than {csv.field_size_limit()} characters (the CSV field "
                "limit): is this the right file?")
    return f"not a readable CSV row ({exc})"


@dataclass
class CsvReader:
    """Reads one CSV file, collecting problems instead of stopping at the first."""

    path: Path
    problems: list[InputProblem]
    rule: str = "DATA"
    label: str = ""  # the file's name in messages (default: its name)
    row: int = 0

    @property
    def name(self) -> str:
        return self.label or self.path.name

    def problem(self, column: str | None, message: str, rule: str | None = None) -> None:
        self.problems.append(
            InputProblem(self.name, self.row or None, column, rule or self.rule, message)
        )

    def rows(self, required: tuple[str, ...], at_least_one: bool = False
             ) -> Iterator[dict[str, str]]:
        """Each row as stripped text by column; nothing if the file is unreadable or lacks a
        required column; ``at_least_one``: a file of its header alone is a problem."""
        try:
            text = decoded_text(self.path, self.name)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in reader.fieldnames or []]
            if self._header_problems(header, required):
                return
            reader.fieldnames = header
            self.row = 1
            for raw in reader:
                self.row += 1
                yield {k: (v or "").strip() for k, v in raw.items() if k is not None}
        except csv.Error as exc:
            self.row += 1  # the row after the last one read (1: the header)
            self.problem(None, _csv_error(exc), rule="DATA")
            return
        finally:
            rows_read, self.row = max(0, self.row - 1), 0
        if at_least_one and not rows_read:
            self.problem(None, "the file has a header but no rows", rule="DATA")

    def _header_problems(self, header: list[str], required: tuple[str, ...]) -> bool:
        if not header:
            self.problem(None, "the file is empty (no header row)", rule="DATA")
            return True
        missing = [c for c in required if c not in header]
        for column in missing:
            self.problem(column, "required column is missing", rule="DATA")
        return bool(missing)

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

    def past(self, row: dict[str, str], columns: tuple[str, ...], as_at: date | None) -> None:
        """Dates of things already done must not be after the dataset's as_at."""
        for column in columns:
            value = self.date(row, column)
            if as_at and value and value > as_at:
                self.problem(column, f"{value} is after as_at {as_at} (dataset.toml), the "
                                     "date of the newest fact in the files")

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
        if not low <= number <= high:  # also refuses nan
            self.problem(column, f"{value} is outside {low}..{high}")
        return number

    def choice(self, row: dict[str, str], column: str, allowed: tuple[str, ...]) -> str:
        value = row.get(column, "")
        if value not in allowed:
            self.problem(column, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def la(self, row: dict[str, str], las: dict[str, Any], column: str = "la_code") -> str:
        """An LA code of local_authorities.csv (not checked when that file gave none)."""
        value = row.get(column, "")
        if las and value not in las:
            self.problem(column, f"unknown LA code {value!r} (not in local_authorities.csv)")
        return value

    def unique(self, seen: dict[Any, int], key: Any, column: str) -> None:
        if key in seen:
            self.problem(column, f"duplicate key {key!r} (first on row {seen[key]})")
        else:
            seen[key] = self.row


@dataclass(frozen=True)
class _Manifest:
    """What the other files are checked against: dataset.toml's dates, where valid."""

    as_at: date | None
    programme_start: date | None


def _read_las(folder: Path, manifest: _Manifest,
              problems: list[InputProblem]) -> dict[str, LocalAuthority]:
    reader = CsvReader(folder / "local_authorities.csv", problems)
    las: dict[str, LocalAuthority] = {}
    seen: dict[Any, int] = {}
    columns = ("la_code", "dfe_code", "name", "region", "la_type", "small")
    for row in reader.rows(columns, at_least_one=True):
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
            not_before=_deferral(reader, row, manifest.programme_start),
            row=reader.row,
        )
    return las


def _deferral(reader: CsvReader, row: dict[str, str], start: date | None) -> date | None:
    """R-DEFER: a granted deferral holds an event back, to a date after the start."""
    not_before = reader.date(row, "not_before")
    if not_before and start and not_before < start:
        reader.problem("not_before", f"{not_before} is before the programme starts ({start}): "
                                     "a deferral holds an event back to a later date",
                       rule="R-DEFER")
    return not_before


def _read_history(folder: Path, las: dict[str, LocalAuthority], manifest: _Manifest,
                  problems: list[InputProblem]) -> list[PastEvent]:
    reader = CsvReader(folder / "ilacs_history.csv", problems)
    events: list[PastEvent] = []
    seen: dict[Any, int] = {}
    required = ("la_code", "event", "fieldwork_start", "fieldwork_end", "published")
    for row in reader.rows(required + JUDGEMENT_COLUMNS, at_least_one=True):
        code = reader.la(row, las)
        kind = reader.choice(row, "event", HISTORY_EVENTS)
        start = reader.date(row, "fieldwork_start")
        end = reader.date(row, "fieldwork_end")
        published = reader.date(row, "published")
        if not (start or end or published):
            reader.problem("fieldwork_start", "a row needs a fieldwork or publication date")
        if start and end and end < start:
            reader.problem("fieldwork_end", f"{end} is before fieldwork_start {start}")
        reader.past(row, ("fieldwork_start", "fieldwork_end", "published"), manifest.as_at)
        judgements = _judgements(reader, row, kind)
        reader.unique(seen, (code, kind, start, published), "event")
        events.append(PastEvent(code, kind, start, end, published, judgements,
                                row.get("topic", "")))
    return events


def _judgements(reader: CsvReader, row: dict[str, str], kind: str) -> dict[str, str]:
    judgements = {}
    for column in JUDGEMENT_COLUMNS:
        value = row.get(column, "")
        if value and value not in JUDGEMENTS:
            reader.problem(column, f"unknown judgement {value!r} "
                           f"(known: {', '.join(JUDGEMENTS)})", rule="R-PATH")
        elif value:
            judgements[column] = value
    if kind in ("STD", "SHT", "SIF") and not judgements:
        reader.problem("leaders", "a graded inspection needs its judgements", rule="R-PATH")
    return judgements


def _fieldwork(reader: CsvReader, row: dict[str, str],
               required: bool) -> tuple[date | None, date | None]:
    """The on-site dates of another programme's row (area SEND, JTAI)."""
    start = reader.date(row, "fieldwork_start", required=required)
    end = reader.date(row, "fieldwork_end") or start
    if start and end and end < start:
        reader.problem("fieldwork_end", f"{end} is before fieldwork_start {start}")
    return start, end


def _read_area_send(folder: Path, las: dict[str, LocalAuthority],
                    problems: list[InputProblem]) -> list[AreaSend]:
    path = folder / "area_send.csv"
    if not path.exists():
        return []
    reader = CsvReader(path, problems, rule="R-CLASH")
    rows = []
    for row in reader.rows(("la_code", "kind", "status", "fieldwork_start", "fieldwork_end")):
        code = reader.la(row, las)
        kind = reader.choice(row, "kind", ("full", "monitoring"))
        status = reader.choice(row, "status", ("completed", "planned"))
        start, end = _fieldwork(reader, row, required=status == "planned")
        rows.append(AreaSend(code, kind, status, start, end))
    return rows


def _read_jtai(folder: Path, las: dict[str, LocalAuthority],
               problems: list[InputProblem]) -> list[FixedJtai]:
    path = folder / "jtai.csv"
    if not path.exists():
        return []
    reader = CsvReader(path, problems, rule="R-JTAI-CAP")
    rows = []
    for row in reader.rows(("la_code", "status", "fieldwork_start", "fieldwork_end")):
        code = reader.la(row, las)
        status = reader.choice(row, "status", ("completed", "planned"))
        start, end = _fieldwork(reader, row, required=True)
        if start and end:
            rows.append(FixedJtai(code, status, start, end, row.get("theme", ""), reader.row))
    return rows


def _read_inspectors(folder: Path, regions: set[str],
                     problems: list[InputProblem]) -> dict[str, Inspector]:
    reader = CsvReader(folder / "inspectors.csv", problems, rule="R-CAP")
    inspectors: dict[str, Inspector] = {}
    seen: dict[Any, int] = {}
    columns = ("inspector_id", "name", "region", "role", "fte", "inspection_share", "can_lead")
    for row in reader.rows(columns, at_least_one=True):
        inspector_id = reader.text(row, "inspector_id")
        reader.unique(seen, inspector_id, "inspector_id")
        role = reader.choice(row, "role", ROLES)
        region = row.get("region", "")
        if region and regions and region not in regions:
            reader.problem("region", f"unknown region {region!r} (regions are those of "
                                     f"local_authorities.csv){suggestion(region, regions)}")
        if not region and role in REGIONAL_ROLES:
            reader.problem("region", f"a {role} needs a home region")
        inspectors[inspector_id] = Inspector(
            inspector_id=inspector_id,
            name=row.get("name", ""),
            region=region,
            role=role,
            fte=reader.number(row, "fte", 0.0, 1.0),
            inspection_share=reader.number(row, "inspection_share", 0.0, 1.0),
            can_lead=reader.boolean(row, "can_lead"),
            row=reader.row,
        )
    return inspectors


def _rows_text(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(map(str, rows))}"


def _also(rows: list[int]) -> str:
    """The other rows a problem reported at the first of ``rows`` is found on."""
    return f" (also on {_rows_text(rows[1:])})" if len(rows) > 1 else ""


def _region_problems(las: dict[str, LocalAuthority],
                     inspectors: dict[str, Inspector]) -> list[InputProblem]:
    """R-CAP: every LA's region is one whose social care inspectors have some time for
    inspection; a region in another spelling than inspectors.csv's is a typo, not a new
    region (it would be staffed by lending alone)."""
    staff: dict[str, list[Inspector]] = defaultdict(list)
    for person in inspectors.values():
        if person.role in REGIONAL_ROLES and person.region:
            staff[person.region].append(person)
    la_rows: dict[str, list[int]] = defaultdict(list)
    for la in las.values():
        la_rows[la.region].append(la.row or 0)
    problems = []
    for region, rows in la_rows.items():
        people = staff.get(region, [])
        if not people:
            hint = suggestion(region, staff)
            problems.append(InputProblem(
                "local_authorities.csv", rows[0], "region", "DATA" if hint else "R-CAP",
                f"region {region!r}{_also(rows)} has no inspector (HMI or SHMI) in "
                f"inspectors.csv{hint}"))
        elif not any(p.fte * p.inspection_share > 0 for p in people):
            column = "fte" if people[0].fte == 0 else "inspection_share"
            problems.append(InputProblem(
                "inspectors.csv", people[0].row, column, "R-CAP",
                f"region {region!r} has no inspector-days: its inspectors "
                f"({_rows_text([p.row or 0 for p in people])}) all have fte or "
                f"inspection_share 0"))
    return problems


def _read_leave(folder: Path, inspectors: dict[str, Inspector],
                problems: list[InputProblem]) -> list[Leave]:
    path = folder / "leave.csv"
    if not path.exists():
        return []
    reader = CsvReader(path, problems, rule="R-CAP")
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
    reader = CsvReader(path, problems, rule="R-ASSIGN")
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
        manifest = tomllib.loads(decoded_text(path))
    except InputError as exc:
        problems.extend(exc.problems)
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(InputProblem(path.name, None, None, "DATA", f"not valid TOML: {exc}"))
        return {}
    problems.extend(InputProblem(path.name, None, key, "DATA", message)
                    for key, message in _manifest_problems(manifest))
    return manifest


def _manifest_problems(manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, message) for each unknown key, missing or mistyped value and bad date."""
    for key in sorted(set(manifest) - set(MANIFEST_KEYS)):
        yield key, f"unknown key (keys: {', '.join(MANIFEST_KEYS)}){suggestion(key, MANIFEST_KEYS)}"
    for key, kind in MANIFEST_KEYS.items():
        value = manifest.get(key)
        if (value is not None or key in REQUIRED_MANIFEST_KEYS) and type(value) is not kind:
            yield key, f"{key} must be a {kind.__name__}, not {value!r}"
    dates = _dates(manifest)
    start, as_at = dates.programme_start, dates.as_at
    if start and not_a_monday(start):
        yield "programme_start", str(not_a_monday(start))
    if start and as_at and as_at > start:
        yield "as_at", (f"{as_at} is after programme_start {start}: the programme cannot start "
                        "before the facts it is planned from")


def _dates(manifest: dict[str, Any]) -> _Manifest:
    def valid(key: str) -> date | None:
        value = manifest.get(key)
        return value if type(value) is date else None

    return _Manifest(valid("as_at"), valid("programme_start"))


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
    dates = _dates(manifest)
    las = _read_las(folder, dates, problems)  # if none, LA codes and regions go unchecked
    history = _read_history(folder, las, dates, problems)
    area_send = _read_area_send(folder, las, problems)
    jtai = _read_jtai(folder, las, problems)
    inspectors = _read_inspectors(folder, {la.region for la in las.values()}, problems)
    if las and inspectors:
        problems.extend(_region_problems(las, inspectors))
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
        os.chmod(tmp, 0o666 & ~_umask())  # as the user's umask says (mkstemp makes 0600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
