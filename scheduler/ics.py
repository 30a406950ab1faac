"""R-CONFIDENTIAL calendars (.ics, with the `icalendar` library): one per inspector and one
per region, never one addressed to an LA.

An inspector's calendar has, for each event they are on: the notification call (9.30am,
Europe/London; the data request of a monitoring visit), each of their days on site and off
site, and for the lead the report milestones (draft, final, publication). A region's has,
for each of its events, the notification call, each on-site day and the milestones. Every
entry is CLASS:CONFIDENTIAL, names the LA and the team in its description, and has a UID
made of event id, part and inspector (or region), so that exporting again updates the
entries in a calendar rather than duplicating them. An event no longer in the programme
(but in the calendar already in the out folder), or with status `cancelled`, is exported
with STATUS:CANCELLED; an entry whose content changed gets the next SEQUENCE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from scheduler.assign_duties import LEAD, duties, read_staffing
from scheduler.export import KIND_NAMES
from scheduler.io import write_atomically
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow

TIMEZONE = ZoneInfo("Europe/London")
NOTIFICATION_CALL = time(9, 30)  # para 80
CALL_MINUTES = 30
PRODID = "-//Ofsted ILACS programme scheduler//EN"
DOMAIN = "ilacs-scheduler"
CONFIDENTIAL = ("CONFIDENTIAL (R-CONFIDENTIAL): for inspectors only; not to be shared with "
                "the local authority before notification.")


@dataclass(frozen=True)
class Entry:
    """One calendar entry: all day (``start`` a date) or timed."""

    uid: str
    summary: str
    description: str
    start: date | datetime
    end: date | datetime
    status: str = "CONFIRMED"
    sequence: int = 0

    def signature(self) -> tuple:
        """What, if changed, makes the entry a new version (SEQUENCE + 1)."""
        return (self.summary, self.description, self.start, self.end, self.status)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _describe(problem: Problem, row: ProgrammeRow) -> str:
    inspectors = problem.dataset.inspectors
    staffing = read_staffing(problem, row)
    team = [f"{m} {inspectors[m].name} ({inspectors[m].role})" if m in inspectors else m
            for m in (staffing.members if staffing else [])]
    lines = [f"{KIND_NAMES.get(row.event, row.event)} of {row.la_name} ({row.la_code}), "
             f"{row.region}", f"Event {row.event_id}; on site "
             f"{row.fieldwork_start} to {row.fieldwork_end}",
             f"Lead inspector: {row.lead_inspector or 'not yet named'}",
             f"Team: {'; '.join(team) or 'not yet named'}"]
    if row.lent_from:
        lines.append(f"Inspectors lent from: {row.lent_from}")
    return "\n".join([*lines, CONFIDENTIAL])


def _day(uid: str, summary: str, description: str, day: date, status: str) -> Entry:
    return Entry(uid, summary, description, day, day + timedelta(days=1), status)


def _event_entries(problem: Problem, row: ProgrammeRow, owner: str, days: dict[date, str],
                   milestones: bool) -> list[Entry]:
    """The entries of one event for one inspector or region (``owner``); ``days``: each
    working day of theirs -> what it is (on site, off site, set-up)."""
    status = "CANCELLED" if row.status == "cancelled" else "CONFIRMED"
    about = f"{row.la_name} {KIND_NAMES.get(row.event, row.event)}"
    description = _describe(problem, row)
    entries = []
    if row.notify_date:
        call = "Data request" if row.event == "MV" else "Notification call"
        start = datetime.combine(row.notify_date, NOTIFICATION_CALL, TIMEZONE)
        entries.append(Entry(f"{row.event_id}-notify-{owner}@{DOMAIN}", f"{call}: {about}",
                             description, start, start + timedelta(minutes=CALL_MINUTES),
                             status))
    for day, what in sorted(days.items()):
        entries.append(_day(f"{row.event_id}-day-{day.isoformat()}-{owner}@{DOMAIN}",
                            f"{what}: {about}", description, day, status))
    if milestones:
        for part, label, day in (("draft", "Draft report due", row.draft_report_due),
                                 ("final", "Final report due", row.final_report_due),
                                 ("publication", "Publication due", row.publication_due)):
            if day:
                entries.append(_day(f"{row.event_id}-{part}-{owner}@{DOMAIN}",
                                    f"{label}: {about}", description, day, status))
    return entries


def inspector_entries(problem: Problem, rows: list[ProgrammeRow],
                      inspector_id: str) -> list[Entry]:
    """Every entry of one inspector's calendar."""
    entries = []
    for row in rows:
        held = duties(problem, row).get(inspector_id)
        if held:
            days = {day: _what(row, part.name, day) for part in held for day in part.days}
            lead = any(part.name == LEAD for part in held)
            entries += _event_entries(problem, row, _slug(inspector_id), days, lead)
    return entries


def _what(row: ProgrammeRow, part: str, day: date) -> str:
    if day in row.onsite_days:
        return "On site"
    return "Set-up (lead)" if part == LEAD else "Off site"


def region_entries(problem: Problem, rows: list[ProgrammeRow], region: str) -> list[Entry]:
    """Every entry of one region's calendar."""
    entries = []
    for row in rows:
        if row.region == region:
            days = {day: "On site" for day in row.onsite_days}
            entries += _event_entries(problem, row, _slug(region), days, True)
    return entries


def _calendar(name: str, entries: list[Entry], stamp: datetime) -> bytes:
    calendar = Calendar.new(prodid=PRODID, name=name, uid=f"{_slug(name)}@{DOMAIN}",
                            description=CONFIDENTIAL)
    for entry in sorted(entries, key=lambda e: (str(e.start), e.uid)):
        calendar.add_component(Event.new(
            uid=entry.uid, summary=entry.summary, description=entry.description,
            start=entry.start, end=entry.end, status=entry.status, sequence=entry.sequence,
            classification="CONFIDENTIAL", stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _now() -> datetime:
    return datetime.now(ZoneInfo("UTC")).replace(microsecond=0)


def inspector_calendar(problem: Problem, rows: list[ProgrammeRow], inspector_id: str,
                       previous: bytes | None = None, stamp: datetime | None = None) -> bytes:
    """One inspector's calendar; ``previous`` (an earlier export of it) sets SEQUENCE and
    keeps its entries no longer in the programme, as cancelled."""
    person = problem.dataset.inspectors[inspector_id]
    entries = _versioned(inspector_entries(problem, rows, inspector_id), previous)
    return _calendar(f"ILACS: {person.name} ({inspector_id})", entries, stamp or _now())


def region_calendar(problem: Problem, rows: list[ProgrammeRow], region: str,
                    previous: bytes | None = None, stamp: datetime | None = None) -> bytes:
    """One region's calendar (see inspector_calendar)."""
    entries = _versioned(region_entries(problem, rows, region), previous)
    return _calendar(f"ILACS: {region}", entries, stamp or _now())


def read_entries(ics: bytes) -> list[Entry]:
    """The entries of a calendar written by this module."""
    return [Entry(str(e["UID"]), str(e.get("SUMMARY", "")), str(e.get("DESCRIPTION", "")),
                  e.decoded("DTSTART"), e.decoded("DTEND"), str(e.get("STATUS", "CONFIRMED")),
                  int(e.get("SEQUENCE", 0)))
            for e in Calendar.from_ical(ics).walk("VEVENT")]


def _versioned(entries: list[Entry], previous: bytes | None) -> list[Entry]:
    """SEQUENCE from the earlier export (+1 where the entry changed); its entries missing
    now come back cancelled."""
    if not previous:
        return entries
    before = {entry.uid: entry for entry in read_entries(previous)}
    out = []
    for entry in entries:
        old = before.pop(entry.uid, None)
        if old is not None:
            bump = old.signature() != entry.signature()
            entry = replace(entry, sequence=old.sequence + bump)
        out.append(entry)
    for old in before.values():
        gone = replace(old, status="CANCELLED")
        out.append(replace(gone, sequence=old.sequence + (old.status != "CANCELLED")))
    return out


def write_calendars(problem: Problem, rows: list[ProgrammeRow], out_dir: Path) -> list[Path]:
    """inspector-<id>.ics for every inspector on the programme (or in an earlier export) and
    region-<name>.ics for every region, each replaced atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = _now()
    named = {m for row in rows for m in duties(problem, row)}
    files: list[tuple[Path, bytes]] = []
    for inspector_id in sorted(problem.dataset.inspectors):
        path = out_dir / f"inspector-{_slug(inspector_id)}.ics"
        if inspector_id in named or path.exists():
            previous = path.read_bytes() if path.exists() else None
            files.append((path, inspector_calendar(problem, rows, inspector_id, previous,
                                                   stamp)))
    for region in problem.dataset.regions:
        path = out_dir / f"region-{_slug(region)}.ics"
        previous = path.read_bytes() if path.exists() else None
        files.append((path, region_calendar(problem, rows, region, previous, stamp)))
    for path, content in files:
        write_atomically(path, lambda tmp, content=content: tmp.write_bytes(content))
    return [path for path, _ in files]
