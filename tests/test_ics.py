"""R-CONFIDENTIAL calendars: parsed back with icalendar and compared with the programme."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from scheduler.assign_duties import read_staffing
from scheduler.assign_replan import StaffedPlan, plan_and_staff
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.ics import inspector_calendar, region_calendar, write_calendars
from scheduler.io import read_dataset, write_atomically
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, write_programme_csv
from tests.conftest import write_dataset

LONDON = ZoneInfo("Europe/London")
MILESTONES = ("Draft report due", "Final report due", "Publication due")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> StaffedPlan:
    folder = write_dataset(tmp_path_factory.mktemp("ics") / "data")
    staffed = plan_and_staff(Problem.build(read_dataset(folder), load_config()), 10.0)
    assert staffed.assignment is not None and staffed.assignment.unstaffed == []
    return staffed


def events(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def by_kind(ics: bytes) -> dict[str, list]:
    """'notify', 'On site', 'Off site', 'Set-up (lead)' or a milestone -> VEVENTs."""
    found: dict[str, list] = defaultdict(list)
    for event in events(ics):
        head = str(event["SUMMARY"]).split(":")[0]
        found["notify" if head in ("Notification call", "Data request") else head].append(event)
    return found


def expected_onsite(problem: Problem, row: ProgrammeRow, pid: str) -> list[date]:
    """The programme's on-site days of one inspector (teams table of defaults.toml): the
    whole team every day; the extra HMI of a short inspection and the RI and EDU of a graded
    inspection the Tuesday and Wednesday of its first on-site week; the EDU of a JTAI every
    day."""
    staffing = read_staffing(problem, row)
    if pid in staffing.team or (row.event == "JTAI" and pid in staffing.members):
        return list(row.onsite_days)
    first_week = row.fieldwork_start.isocalendar()[1]
    return [d for d in row.onsite_days
            if d.isocalendar()[1] == first_week and d.weekday() in (1, 2)]


def test_each_inspector_sees_exactly_their_days(plan: StaffedPlan) -> None:
    problem, rows = plan.problem, plan.result.rows
    for pid in problem.dataset.inspectors:
        mine = [r for r in rows if pid in r.team.split(";")]
        found = by_kind(inspector_calendar(problem, rows, pid))
        onsite = sorted(e.decoded("DTSTART") for e in found["On site"])
        assert onsite == sorted(d for r in mine for d in expected_onsite(problem, r, pid)), pid
        # The notification call at 9.30 London time on each of their events' notify day.
        calls = sorted(e.decoded("DTSTART") for e in found["notify"])
        assert calls == sorted(datetime.combine(r.notify_date, time(9, 30), LONDON)
                               for r in mine if r.notify_date)
        # Report milestones for the events they lead, and only those.
        led = [r for r in mine if r.lead_inspector == pid]
        for label, column in zip(MILESTONES, ("draft_report_due", "final_report_due",
                                              "publication_due"), strict=True):
            assert sorted(e.decoded("DTSTART") for e in found[label]) == sorted(
                getattr(r, column) for r in led if getattr(r, column))
        for event in found["Set-up (lead)"]:
            assert any(event["UID"].startswith(r.event_id) for r in led)


def test_off_site_days_of_the_team(plan: StaffedPlan) -> None:
    # A short inspection's team evaluates off site on the Thursday and Friday of the
    # notice week (teams.SHT.team_weekdays); the lead also sets up on its Monday and Tuesday
    # (in the tiny programme Easter Monday 2027 falls in it).
    problem, rows = plan.problem, plan.result.rows
    (sht,) = [r for r in rows if r.event == "SHT"]
    staffing = read_staffing(problem, sht)
    monday = sht.fieldwork_start.toordinal() - 7

    def working(offsets: set[int]) -> set[int]:  # no duty on a bank holiday (R-BH)
        return {k for k in offsets
                if problem.calendar.is_working_day(date.fromordinal(monday + k))}

    for pid in staffing.team:
        found = by_kind(inspector_calendar(problem, rows, pid))
        off = {e.decoded("DTSTART").toordinal() - monday for e in found["Off site"]
               if str(e["UID"]).startswith(sht.event_id)}
        assert off == working({3, 4})
        setup = {e.decoded("DTSTART").toordinal() - monday for e in found["Set-up (lead)"]
                 if str(e["UID"]).startswith(sht.event_id)}
        assert setup == (working({0, 1}) if pid == sht.lead_inspector else set())


def test_every_entry_is_confidential_in_london_time_and_names_la_and_team(plan: StaffedPlan
                                                                          ) -> None:
    problem, rows = plan.problem, plan.result.rows
    ics = region_calendar(problem, rows, "North")
    calendar = Calendar.from_ical(ics)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    uids = [str(e["UID"]) for e in events(ics)]
    assert len(uids) == len(set(uids))
    on_site = sorted(e.decoded("DTSTART") for e in by_kind(ics)["On site"])
    assert on_site == sorted(d for r in rows for d in r.onsite_days)
    by_id = {r.event_id: r for r in rows}
    for event in events(ics):
        assert str(event["CLASS"]) == "CONFIDENTIAL"
        assert "ATTENDEE" not in event and "ORGANIZER" not in event
        description = str(event["DESCRIPTION"])
        row = by_id[re.search(r"Event (\S+);", description).group(1)]
        assert str(event["UID"]).startswith(row.event_id)
        assert row.la_name in description
        assert all(m in description for m in row.team.split(";"))


def test_reexport_updates_and_cancels_rather_than_duplicates(plan: StaffedPlan,
                                                             tmp_path: Path) -> None:
    problem, rows = plan.problem, plan.result.rows
    written = write_calendars(problem, rows, tmp_path)
    names = sorted(p.name for p in written)
    assert all(n.startswith(("inspector-", "region-")) for n in names)
    assert not any(code.lower() in n for n in names for code in problem.dataset.las)
    before = {p.name: {str(e["UID"]): e for e in events(p.read_bytes())} for p in written}
    again = write_calendars(problem, rows, tmp_path)
    for path in again:  # same UIDs, same versions: nothing changed
        now = {str(e["UID"]): e for e in events(path.read_bytes())}
        assert now.keys() == before[path.name].keys()
        assert all(int(e["SEQUENCE"]) == 0 for e in now.values())
    # One visit dropped, another cancelled, an AEM moved a week.
    visits = [r for r in rows if r.event == "MV"]
    dropped, cancelled = visits[0], visits[1]
    aem = next(r for r in rows if r.event == "AEM")
    day = aem.onsite_days[0].toordinal() + 7
    later = date.fromordinal(day)
    moved = replace(aem, onsite_days=(later,), fieldwork_start=later, fieldwork_end=later)
    edited = [moved if r is aem else replace(r, status="cancelled") if r is cancelled else r
              for r in rows if r is not dropped]
    write_calendars(problem, edited, tmp_path)
    region = tmp_path / "region-north.ics"
    now = {str(e["UID"]): e for e in events(region.read_bytes())}
    old = before["region-north.ics"]
    assert now.keys() >= old.keys()  # nothing vanishes from a subscriber's calendar
    for uid, event in now.items():
        if uid.startswith((dropped.event_id + "-", cancelled.event_id + "-")):
            assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
        elif uid.startswith(f"{aem.event_id}-day-{aem.onsite_days[0]}"):
            assert str(event["STATUS"]) == "CANCELLED"
        elif uid.startswith(f"{aem.event_id}-day-{later}"):
            assert str(event["STATUS"]) == "CONFIRMED" and uid not in old
        elif uid in old and not uid.startswith(aem.event_id):
            assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0


def test_cli_export_ics(plan: StaffedPlan, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    programme = tmp_path / "programme.csv"
    rows: list[ProgrammeRow] = plan.result.rows
    write_atomically(programme, lambda tmp: write_programme_csv(rows, tmp))
    runner = CliRunner()
    outcome = runner.invoke(app, ["export", "ics", "--data", str(folder), "--programme",
                                  str(programme), "--out", str(tmp_path / "cal")])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "cal" / "region-north.ics").exists()
    programme.write_text("event_id,la_code\nX,E1\n")
    refused = runner.invoke(app, ["export", "ics", "--data", str(folder), "--programme",
                                  str(programme), "--out", str(tmp_path / "cal2")])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert not (tmp_path / "cal2").exists()
