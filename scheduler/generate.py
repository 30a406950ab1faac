"""Synthetic datasets in the DATA.md format, with the mix of a template (England).

Every synthetic LA copies a template LA of the same pathway: its latest graded
inspection (dates jittered by a few weeks), the visits after it and its area SEND
rows. Pathway and `small` shares, region sizes and the roster follow the template's
proportions. Deterministic for a seed: only `random.Random(seed)` draws.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scheduler.calendar import monday_of
from scheduler.config import Config, load_config
from scheduler.domain import JUDGEMENT_COLUMNS, JUDGEMENTS, PastEvent
from scheduler.io import DATASET_FILES, write_text_atomically
from scheduler.pathways import last_fieldwork_day, pathway_of

Row = dict[str, str]

JITTER_WEEKS = 3  # graded and area SEND dates move by up to this many weeks
LEAVE_JITTER_WEEKS = 2  # an inspector's leave pattern moves by 0..this many weeks
REGION_SPREAD = 0.3  # region sizes vary by about this share around the mean
MIN_HMI_PER_REGION = 3
MIN_POOL = 2  # national RI and EDU pools
GRADED_SPAN_DAYS = {"SHT": 4, "STD": 11, "SIF": 11}
SOURCE = "synthetic"

LA_COLUMNS = ("la_code", "dfe_code", "name", "region", "la_type", "small")
HISTORY_COLUMNS = ("la_code", "event", "fieldwork_start", "fieldwork_end", "published",
                   *JUDGEMENT_COLUMNS, "topic", "source")
SEND_COLUMNS = ("la_code", "kind", "status", "fieldwork_start", "fieldwork_end", "published",
                "outcome", "source")
INSPECTOR_COLUMNS = ("inspector_id", "name", "region", "role", "fte", "inspection_share",
                     "can_lead")
LEAVE_COLUMNS = ("inspector_id", "start", "end", "reason")
CONFLICT_COLUMNS = ("inspector_id", "la_code", "reason")
DATE_COLUMNS = ("fieldwork_start", "fieldwork_end", "published")


@dataclass(frozen=True)
class _Donor:
    """A template LA: its row, latest graded event and what followed, area SEND rows."""

    la: Row
    history: list[Row]  # the latest graded event first
    area_send: list[Row]


@dataclass(frozen=True)
class _Template:
    """What the generator measures from the template dataset."""

    manifest: dict[str, Any]
    la_count: int
    donors: dict[int, list[_Donor]]  # by pathway
    small_count: int
    inspectors: dict[str, list[Row]]  # by role
    leave: dict[str, list[Row]]  # by inspector_id
    conflicts: list[Row]


def _read_csv(path: Path) -> list[Row]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [{k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)]


def _group(rows: Iterable[Row], column: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _event(row: Row) -> PastEvent:
    judgements = {c: row[c] for c in JUDGEMENT_COLUMNS if row.get(c) in JUDGEMENTS}
    return PastEvent(row["la_code"], row["event"], _day(row["fieldwork_start"]),
                     _day(row["fieldwork_end"]), _day(row["published"]), judgements)


def _donor(la: Row, history: list[Row], area_send: list[Row],
           config: Config) -> tuple[int, _Donor] | None:
    """The LA's pathway and donor record, or None without a graded inspection."""
    events = [(_event(row), row) for row in history]
    graded = [(e, row) for e, row in events if e.graded]
    if not graded:
        return None
    last, last_row = max(graded, key=lambda pair: last_fieldwork_day(pair[0], config))
    reference = last_fieldwork_day(last, config)
    after = [row for e, row in events if not e.graded and e.known_date > reference]
    return pathway_of(last, config), _Donor(la, [last_row, *after], area_send)


def _read_template(folder: Path) -> _Template:
    config = load_config()
    las = _read_csv(folder / "local_authorities.csv")
    history = _group(_read_csv(folder / "ilacs_history.csv"), "la_code")
    area_send = _group(_read_csv(folder / "area_send.csv"), "la_code")
    donors: dict[int, list[_Donor]] = {}
    for la in las:
        found = _donor(la, history.get(la["la_code"], []), area_send.get(la["la_code"], []),
                       config)
        if found:
            donors.setdefault(found[0], []).append(found[1])
    if not donors:
        raise ValueError(f"template {folder} has no LA with a graded inspection")
    return _Template(
        manifest=tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8")),
        la_count=len(las),
        donors=dict(sorted(donors.items())),
        small_count=sum(la["small"].lower() == "true" for la in las),
        inspectors=_group(_read_csv(folder / "inspectors.csv"), "role"),
        leave=_group(_read_csv(folder / "leave.csv"), "inspector_id"),
        conflicts=_read_csv(folder / "conflicts.csv"),
    )


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    whole = sum(weights)
    quotas = [total * w / whole for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _region_sizes(rng: random.Random, las: int, regions: int) -> list[int]:
    """At least one LA per region, the rest spread evenly give or take REGION_SPREAD."""
    weights = [rng.uniform(1 - REGION_SPREAD, 1 + REGION_SPREAD) for _ in range(regions)]
    return [1 + n for n in _apportion(las - regions, weights)]


def _offset_days(rng: random.Random, rows: list[Row], as_at: date, snap: int = 0,
                 extra: Iterable[date] = ()) -> int:
    """A jitter of a few weeks (plus ``snap`` days) that keeps every date on or before as_at."""
    dates = [d for row in rows for c in DATE_COLUMNS if (d := _day(row.get(c, "")))]
    latest = max([*dates, *extra], default=as_at)
    limit = (as_at - latest).days
    wanted = snap + 7 * rng.randint(-JITTER_WEEKS, JITTER_WEEKS)
    return min(wanted, snap + 7 * ((limit - snap) // 7))


def _shifted(row: Row, days: int, **fields: str) -> Row:
    """A copy of ``row`` with its dates moved by ``days`` and ``fields`` set."""
    moved = {c: str(d + timedelta(days=days)) for c in DATE_COLUMNS if (d := _day(row.get(c, "")))}
    return {**row, **moved, **fields}


def _history(rng: random.Random, code: str, donor: _Donor, as_at: date) -> list[Row]:
    """The donor's latest graded inspection (on a Monday) and the visits after it."""
    graded, *after = donor.history
    first = _event(graded)
    base = first.fieldwork_start or first.known_date
    span = GRADED_SPAN_DAYS[graded["event"]]
    snap = (monday_of(base) - base).days
    days = _offset_days(rng, donor.history, as_at, snap, [base + timedelta(days=span)])
    start = base + timedelta(days=days)
    rows = [_shifted(graded, days, la_code=code, fieldwork_start=str(start),
                     fieldwork_end=str(start + timedelta(days=span)), topic="", source=SOURCE)]
    return rows + [_shifted(row, days, la_code=code, source=SOURCE) for row in after]


def _send_week_allowed(monday: date) -> bool:
    """No day of the Monday-Friday week in August or between Dec 15 and Jan 10."""
    days = [(d.month, d.day) for d in (monday + timedelta(days=i) for i in range(5))]
    return not any(m == 8 or (m, d) >= (12, 15) or (m, d) <= (1, 10) for m, d in days)


def _planned_week(start: date, as_at: date) -> date:
    """The first allowed Monday on or after ``start``'s week and after as_at."""
    monday = monday_of(start)
    while monday <= as_at or not _send_week_allowed(monday):
        monday += timedelta(weeks=1)
    return monday


def _area_send(rng: random.Random, code: str, donor: _Donor, as_at: date) -> list[Row]:
    """The donor's completed rows (jittered, kept in the past) and planned rows."""
    completed = [row for row in donor.area_send if row["status"] == "completed"]
    days = _offset_days(rng, completed, as_at)
    rows = [_shifted(row, days, la_code=code, source=SOURCE) for row in completed]
    weeks = rng.randint(-JITTER_WEEKS, JITTER_WEEKS)
    for row in donor.area_send:
        if row["status"] == "planned":
            start = _planned_week(date.fromisoformat(row["fieldwork_start"])
                                  + timedelta(weeks=weeks), as_at)
            rows.append({**row, "la_code": code, "fieldwork_start": str(start),
                         "fieldwork_end": str(start + timedelta(days=4)), "published": "",
                         "outcome": "", "source": SOURCE})
    return rows


def _region_names(regions: int) -> list[str]:
    width = max(2, len(str(regions)))
    return [f"Region {i:0{width}d}" for i in range(1, regions + 1)]


def _local_authorities(rng: random.Random, t: _Template, las: int,
                       regions: int) -> list[tuple[Row, _Donor]]:
    """LA rows with their donors: pathway and small shares as in the template."""
    sizes = _region_sizes(rng, las, regions)
    region_of = [name for name, size in zip(_region_names(regions), sizes, strict=True)
                 for _ in range(size)]
    counts = _apportion(las, [len(d) for d in t.donors.values()])
    pathways = [p for p, n in zip(t.donors, counts, strict=True) for _ in range(n)]
    rng.shuffle(pathways)
    small = set(rng.sample(range(las), round(las * t.small_count / t.la_count)))
    result = []
    for i, (region, pathway) in enumerate(zip(region_of, pathways, strict=True)):
        donor = rng.choice(t.donors[pathway])
        dfe = f"{i + 1:03d}"
        row = {"la_code": f"S{i + 1:07d}", "dfe_code": dfe, "name": f"Authority {dfe}",
               "region": region, "la_type": donor.la["la_type"],
               "small": "true" if i in small else "false"}
        result.append((row, donor))
    return result


def _template_inspector(rng: random.Random, t: _Template, role: str) -> Row:
    if not t.inspectors.get(role):
        raise ValueError(f"the template has no {role} inspector to copy")
    return rng.choice(t.inspectors[role])


def _roster_plan(t: _Template, sizes: Counter[str]) -> list[tuple[str, str, str, str]]:
    """(inspector_id, name, region, role) for every inspector, sized as in the template."""
    per_la = {role: len(t.inspectors.get(role, [])) / t.la_count for role in ("HMI", "RI", "EDU")}
    plan = []
    for region, size in sizes.items():
        prefix = region.replace("Region ", "R")
        plan.append((f"{prefix}-SHMI", f"{region} senior HMI", region, "SHMI"))
        hmis = max(MIN_HMI_PER_REGION, round(size * per_la["HMI"]))
        plan += [(f"{prefix}-{k:02d}", f"{region} HMI {k:02d}", region, "HMI")
                 for k in range(1, hmis + 1)]
    total = sum(sizes.values())
    for role, title in (("RI", "regulatory inspector"), ("EDU", "education HMI")):
        count = max(MIN_POOL, round(total * per_la[role]))
        plan += [(f"{role}-{k:02d}", f"National {title} {k:02d}", "", role)
                 for k in range(1, count + 1)]
    return plan


def _leave(rng: random.Random, inspector_id: str, pattern: list[Row], template_years: list[int],
           years: range) -> list[Row]:
    """The donor's leave, year by year over ``years`` (template years reused in turn), moved
    by whole weeks and a jitter of 0..LEAVE_JITTER_WEEKS weeks."""
    jitter = rng.randint(0, LEAVE_JITTER_WEEKS)
    rows = []
    for year in years:
        source_year = template_years[(year - template_years[0]) % len(template_years)]
        shift = timedelta(weeks=round((year - source_year) * 365.2425 / 7) + jitter)
        for row in pattern:
            start = date.fromisoformat(row["start"])
            if start.year == source_year:
                end = date.fromisoformat(row["end"])
                rows.append({"inspector_id": inspector_id, "start": str(start + shift),
                             "end": str(end + shift), "reason": row.get("reason", "")})
    return rows


def _roster(rng: random.Random, t: _Template, sizes: Counter[str],
            years: range) -> tuple[list[Row], list[Row]]:
    """Inspectors (fte, share and can_lead from a template inspector of the same role) and
    their leave (that inspector's pattern)."""
    template_years = sorted({int(row["start"][:4]) for rows in t.leave.values() for row in rows})
    inspectors: list[Row] = []
    leave: list[Row] = []
    for inspector_id, name, region, role in _roster_plan(t, sizes):
        donor = _template_inspector(rng, t, role)
        inspectors.append({"inspector_id": inspector_id, "name": name, "region": region,
                           "role": role, "fte": donor["fte"],
                           "inspection_share": donor["inspection_share"],
                           "can_lead": donor["can_lead"]})
        pattern = t.leave.get(donor["inspector_id"], [])
        if pattern:
            leave += _leave(rng, inspector_id, pattern, template_years, years)
    return inspectors, leave


def _conflicts(rng: random.Random, t: _Template, las: list[Row],
               inspectors: list[Row]) -> list[Row]:
    """About as many conflicts per LA as the template: an HMI of the LA's region."""
    if not t.conflicts:
        return []
    hmis = _group((i for i in inspectors if i["role"] == "HMI"), "region")
    count = min(len(las), round(len(las) * len(t.conflicts) / t.la_count))
    return [{"inspector_id": rng.choice(hmis[la["region"]])["inspector_id"],
             "la_code": la["la_code"], "reason": rng.choice(t.conflicts).get("reason", "")}
            for la in rng.sample(las, count)]


def _csv_text(columns: tuple[str, ...], rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _manifest_text(name: str, as_at: date, programme_start: date, horizon_weeks: int) -> str:
    return (f"name = {json.dumps(name)}\n"
            f"as_at = {as_at}\n"
            f"programme_start = {programme_start}\n"
            f"horizon_weeks = {horizon_weeks}\n"
            "facts = []\n"
            'illustrative = ["everything: synthetic"]\n'
            'licence = "synthetic data generated by ilacs generate"\n')


def generate_dataset(out_dir: Path, las: int, regions: int, seed: int,
                     template: Path = Path("data/england"), programme_start: date | None = None,
                     horizon_weeks: int | None = None) -> None:
    """Write a synthetic dataset of ``las`` LAs in ``regions`` regions into ``out_dir``."""
    if las < 1:
        raise ValueError(f"las must be at least 1 (got {las})")
    if regions < 1:
        raise ValueError(f"regions must be at least 1 (got {regions})")
    if regions > las:
        raise ValueError(f"regions ({regions}) cannot exceed las ({las}): "
                         "every region needs at least one LA")
    t = _read_template(Path(template))
    rng = random.Random(seed)
    as_at: date = t.manifest["as_at"]
    start: date = t.manifest["programme_start"] if programme_start is None else programme_start
    weeks: int = t.manifest["horizon_weeks"] if horizon_weeks is None else horizon_weeks
    end = start + timedelta(weeks=weeks, days=-1)
    la_donors = _local_authorities(rng, t, las, regions)
    la_rows = [row for row, _ in la_donors]
    history = [r for row, donor in la_donors for r in _history(rng, row["la_code"], donor, as_at)]
    send = [r for row, donor in la_donors for r in _area_send(rng, row["la_code"], donor, as_at)]
    sizes = Counter(row["region"] for row in la_rows)
    inspectors, leave = _roster(rng, t, sizes, range(start.year, end.year + 1))
    files = {
        "dataset.toml": _manifest_text(f"Synthetic: {las} LAs in {regions} regions (seed {seed})",
                                       as_at, start, weeks),
        "local_authorities.csv": _csv_text(LA_COLUMNS, la_rows),
        "ilacs_history.csv": _csv_text(HISTORY_COLUMNS, history),
        "area_send.csv": _csv_text(SEND_COLUMNS, send),
        "inspectors.csv": _csv_text(INSPECTOR_COLUMNS, inspectors),
        "leave.csv": _csv_text(LEAVE_COLUMNS, leave),
        "conflicts.csv": _csv_text(CONFLICT_COLUMNS, _conflicts(rng, t, la_rows, inspectors)),
    }
    for name in DATASET_FILES:
        if name in files:
            write_text_atomically(Path(out_dir) / name, files[name])
        else:
            (Path(out_dir) / name).unlink(missing_ok=True)
