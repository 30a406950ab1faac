"""R-AEM (constraints/engagement.py, windows.py): one annual engagement meeting per LA per
programme year, near the anniversary of its last inspection, 2 weeks clear of its other
on-site weeks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.calendar import monday_of, weeks_between
from tests.conftest import area_send, due_on, jtai
from tests.helpers import (
    ONE_DAY_WINDOW,
    Run,
    feasible,
    flagged,
    infeasible,
    merge,
    moved,
    only_weights,
    swapped,
)

# The short inspection must start Monday 1 March 2027 (ONE_DAY_WINDOW), the third anniversary
# of the last one: the first meeting's anniversary falls in the inspection's week.
DUE = date(2027, 3, 1)


def _window(weeks: int) -> dict:
    return merge(ONE_DAY_WINDOW, {"engagement": {"window_weeks": weeks}})


def test_meeting_window_within_the_gap_of_the_inspection_is_infeasible(tmp_path: Path) -> None:
    # +/- 1 week of the anniversary: every week is within 2 weeks of the inspection.
    run = infeasible(due_on(tmp_path / "d", DUE), _window(1))
    assert "R-AEM" in run.explanation()


def test_meeting_exactly_two_weeks_from_the_inspection_is_allowed(tmp_path: Path) -> None:
    run = feasible(due_on(tmp_path / "d", DUE), _window(2))
    meeting = run.event("E1-AEM1")
    assert weeks_between(meeting.fieldwork_start, DUE) == 2  # the one week 2 weeks away


def test_meeting_away_from_its_anniversary_costs_per_week(tmp_path: Path) -> None:
    # Default window of 8 weeks: year 1's meeting goes 2 weeks from the anniversary (the
    # inspection's week), year 2's on its anniversary: 2 x engagement_week 1 = 2.
    run = feasible(due_on(tmp_path / "d", DUE), merge(ONE_DAY_WINDOW,
                                                      only_weights(engagement_week=1)))
    assert run.result.cost_by_rule() == {"R-AEM": 2}
    assert [r.fieldwork_start for r in run.rows if r.event == "AEM"][-1] == date(2028, 3, 1)


def test_meeting_keeps_clear_of_a_planned_jtai(tmp_path: Path) -> None:
    # A JTAI given on site from 6 March 2028: year 2's anniversary (Wednesday 1 March) is
    # 1 week from it, so the meeting moves to 23 February (2 weeks from the JTAI, 1 from the
    # anniversary): 2 + 1 = 3.
    folder = due_on(tmp_path / "d", DUE, jtais=[jtai("E1", "2028-03-06")])
    run = feasible(folder, merge(ONE_DAY_WINDOW, only_weights(engagement_week=1)))
    assert run.result.cost_by_rule() == {"R-AEM": 3}
    assert run.event("E1-AEM2").fieldwork_start == date(2028, 2, 23)


# --- the independent checker on a hand-broken programme ------------------------------------


@pytest.mark.parametrize(("weeks_after", "broken"), [(0, True), (1, True), (2, False)])
def test_checker_finds_a_meeting_too_close_to_the_inspection(tiny_run: Run, weeks_after: int,
                                                             broken: bool) -> None:
    inspection, meeting = tiny_run.row("E1", "SHT"), tiny_run.event("E1-AEM1")
    wednesday = monday_of(inspection.fieldwork_start) + timedelta(weeks=weeks_after, days=2)
    violations = tiny_run.check(swapped(tiny_run.rows, meeting,
                                        moved(tiny_run, meeting, wednesday)))
    assert flagged(violations, "R-AEM") == ({("E1", "E1-AEM1")} if broken else set())


def test_checker_finds_two_meetings_in_one_year(tiny_run: Run) -> None:
    # Beta's second meeting moved onto the day of its first, in programme year 1.
    first, second = tiny_run.event("E2-AEM1"), tiny_run.event("E2-AEM2")
    violations = tiny_run.check(swapped(tiny_run.rows, second,
                                        moved(tiny_run, second, first.fieldwork_start)))
    assert ("E2", "") in flagged(violations, "R-AEM")


# --- RULES.md, readings settled: the AEM in the clash of timing ----------------------------


@pytest.mark.parametrize(("weeks_before", "broken"), [(0, True), (1, False)])
def test_checker_finds_a_meeting_in_the_inspections_notice_week(tiny_run: Run,
                                                                weeks_before: int,
                                                                broken: bool) -> None:
    # The week of the notification call is barred; the week before it is not.
    inspection, meeting = tiny_run.row("E1", "SHT"), tiny_run.event("E1-AEM1")
    assert inspection.notify_date is not None
    wednesday = monday_of(inspection.notify_date) - timedelta(weeks=weeks_before, days=-2)
    violations = tiny_run.check(swapped(tiny_run.rows, meeting,
                                        moved(tiny_run, meeting, wednesday)))
    assert flagged(violations, "R-AEM") == ({("E1", "E1-AEM1")} if broken else set())


def test_meeting_keeps_clear_of_a_monitoring_visits_data_request_week(tiny_run: Run) -> None:
    # A monitoring visit's notice (the data request, 10 working days before) opens its
    # notice weeks two weeks before on site: a meeting there is refused.
    visit = next(r for r in tiny_run.rows if r.event == "MV")
    meeting = tiny_run.event(f"{visit.la_code}-AEM1")
    request_week = monday_of(visit.notify_date) + timedelta(days=2)
    assert weeks_between(request_week, visit.fieldwork_start) == 2
    violations = tiny_run.check(swapped(tiny_run.rows, meeting,
                                        moved(tiny_run, meeting, request_week)))
    assert (visit.la_code, meeting.event_id) in flagged(violations, "R-AEM")


@pytest.mark.parametrize("kind", ["full", "monitoring"])
def test_meeting_keeps_clear_of_an_area_send_on_site_week(tmp_path: Path, kind: str) -> None:
    # Area SEND (or its monitoring visit) on site in the week of year 2's anniversary
    # (Wednesday 1 March 2028): the model moves the meeting away, and the checker refuses
    # the meeting put back on the anniversary.
    send = area_send("E1", "2028-02-28", kind=kind)
    run = feasible(due_on(tmp_path / "d", DUE, send=[send]),
                   merge(ONE_DAY_WINDOW, only_weights(engagement_week=1)))
    meeting = run.event("E1-AEM2")
    assert abs(weeks_between(meeting.fieldwork_start, date(2028, 2, 28))) >= 2
    violations = run.check(swapped(run.rows, meeting, moved(run, meeting, date(2028, 3, 1))))
    assert flagged(violations, "R-AEM") == {("E1", "E1-AEM2")}
