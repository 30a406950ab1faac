"""R-WIN, R-OVERDUE, R-DEFER, R-MV-START, R-PATH (constraints/windows.py): when each event
may start, and what it costs to start away from the preferred date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.calendar import add_months, monday_of, weeks_between
from tests.conftest import START, area_send, due_on, graded, la, write_dataset
from tests.helpers import (
    Run,
    feasible,
    flagged,
    infeasible,
    merge,
    moved,
    only_weights,
    swapped,
)

NO_VISIT = {"focused_visits": {"pathway1": 0}}
CLOSE = date(2027, 3, 8)  # a Monday: the window of an SHT that ended 42 months before closes


def test_short_inspection_starts_inside_its_window(tmp_path: Path) -> None:
    run = feasible(due_on(tmp_path / "d", date(2027, 3, 1)), NO_VISIT)
    row = run.row("E1", "SHT")
    assert row.window_open == date(2026, 9, 1) and row.window_close == date(2027, 9, 1)
    assert row.window_open <= row.fieldwork_start <= row.window_close
    assert row.status == "new"


def test_deferral_to_the_last_day_of_the_window_is_allowed(tmp_path: Path) -> None:
    folder = due_on(tmp_path / "d", add_months(CLOSE, -6), not_before=CLOSE)
    run = feasible(folder, NO_VISIT)
    assert run.row("E1", "SHT").fieldwork_start == CLOSE  # the only day both rules allow


def test_deferral_past_the_window_is_infeasible_and_names_both_rules(tmp_path: Path) -> None:
    folder = due_on(tmp_path / "d", add_months(CLOSE, -6), not_before=CLOSE + timedelta(days=1))
    run = infeasible(folder, NO_VISIT)
    assert "R-DEFER" in run.explanation() and "R-WIN" in run.explanation()


def test_distance_from_the_three_year_point_costs_per_week(tmp_path: Path) -> None:
    # Due Monday 16 August 2027: August is barred to inspections (R-AUG), and so is the week
    # of the 30 August bank holiday; the nearest allowed starts are 26 July and 6 September,
    # 3 weeks either side: 3 x target_week 10 = 30.
    due = date(2027, 8, 16)
    run = feasible(due_on(tmp_path / "d", due), merge(NO_VISIT, only_weights(target_week=10)))
    assert run.result.status == "OPTIMAL"
    assert run.result.cost_by_rule() == {"R-WIN": 30}
    assert abs(weeks_between(due, run.row("E1", "SHT").fieldwork_start)) == 3


def test_overdue_inspection_goes_first_and_says_so(tmp_path: Path) -> None:
    # Last inspected June 2022: the window closed in December 2025, before the programme.
    # Fieldwork cannot be in week 0 (5 working days' notice would fall before the start),
    # nor in week 1: the lead's 13 days would all fall in the 4 weeks of 2026-Q3 inside the
    # horizon, over an HMI's pro-rata share (11.8 days, R-CAP / R-ASSIGN). Week 2 is the
    # earliest: 2 weeks x overdue_week 200 = 400.
    folder = write_dataset(tmp_path / "d", las=[la("E1")],
                           history=[graded("E1", "SHT", "2022-06-10")], send=[])
    run = feasible(folder, merge(NO_VISIT, only_weights(overdue_week=200)))
    row = run.row("E1", "SHT")
    assert run.problem.need_by_id["E1-SHT"].overdue
    assert row.status == "overdue"
    assert row.fieldwork_start == START + timedelta(weeks=2)
    assert run.result.cost_by_rule() == {"R-OVERDUE": 400}


def test_window_closing_before_notice_can_be_given_is_overdue(tmp_path: Path) -> None:
    # The window closes on Thursday 10 September 2026, in the programme's first week: no
    # inspection can be notified in time (R-NOTICE), so it is overdue and goes in week 2
    # (week 1 would put the lead over the partial quarter's pro-rata share).
    folder = write_dataset(tmp_path / "d", las=[la("E1")],
                           history=[graded("E1", "SHT", "2023-03-10")], send=[])
    run = feasible(folder, merge(NO_VISIT, only_weights(overdue_week=200)))
    row = run.row("E1", "SHT")
    assert row.window_close == date(2026, 9, 10)
    assert row.status == "overdue"
    assert row.fieldwork_start == START + timedelta(weeks=2)


def _inadequate_in_june(folder: Path, send: list) -> Path:
    """Judged inadequate, fieldwork ending 25 June 2026, published 20 August 2026: action
    plan due 27 November 2026 (70 working days), first monitoring visit due by 26 February
    2027 (13 weeks later, R-MV-START)."""
    return write_dataset(folder, las=[la("E1")],
                         history=[graded("E1", "STD", "2026-06-25", "inadequate")], send=send)


def test_first_monitoring_visit_within_three_months_of_the_action_plan(tmp_path: Path) -> None:
    run = feasible(_inadequate_in_june(tmp_path / "d", []), only_weights(overdue_week=200))
    first = run.event("E1-MV1")
    assert date(2026, 11, 27) <= first.fieldwork_start <= date(2027, 2, 26)
    assert first.status == "new"
    assert run.result.cost_by_rule()["R-MV-START"] == 0


def test_late_first_monitoring_visit_costs_per_week(tmp_path: Path) -> None:
    # An area SEND inspection in the week of 4 January 2027 keeps every ILACS visit 8 weeks
    # away (R-CLASH): from the action plan deadline to the week of 22 February all weeks are
    # too close, so the first visit is in the week of 1 March, one week after the week of
    # its 26 February deadline: 1 x overdue_week 200.
    folder = _inadequate_in_june(tmp_path / "d", [area_send("E1", "2027-01-04")])
    run = feasible(folder, only_weights(overdue_week=200))
    first = run.event("E1-MV1")
    assert first.fieldwork_start == date(2027, 3, 2)
    assert first.status == "overdue"
    assert run.result.cost_by_rule()["R-MV-START"] == 200
    assert run.result.objective == pytest.approx(200)


# --- the independent checker on a hand-broken programme ------------------------------------

def _inspection(run: Run) -> tuple:
    return run.row("E1", "SHT"), run.problem.need_by_id["E1-SHT"]


def test_checker_finds_an_inspection_after_its_window(tiny_run: Run) -> None:
    row, need = _inspection(tiny_run)
    assert need.latest is not None
    late = monday_of(need.latest) + timedelta(weeks=1)
    violations = tiny_run.check(swapped(tiny_run.rows, row, moved(tiny_run, row, late)))
    assert ("E1", row.event_id) in flagged(violations, "R-WIN")


def test_checker_finds_an_inspection_before_its_window(tiny_run: Run) -> None:
    row, need = _inspection(tiny_run)
    early = monday_of(need.earliest)  # the window opens on a Tuesday: that Monday is early
    assert early < need.earliest
    violations = tiny_run.check(swapped(tiny_run.rows, row, moved(tiny_run, row, early)))
    assert ("E1", row.event_id) in flagged(violations, "R-WIN")


def test_checker_finds_a_missing_inspection(tiny_run: Run) -> None:
    rows = [r for r in tiny_run.rows if r.event_id != "E2-STD"]
    assert ("E2", "E2-STD") in flagged(tiny_run.check(rows), "R-WIN")


def test_checker_finds_an_overdue_event_not_reported_as_such(tiny_run: Run) -> None:
    row = tiny_run.event("E3-MV1")  # the first visit was due before the programme starts
    assert tiny_run.problem.need_by_id["E3-MV1"].overdue and row.status == "overdue"
    violations = tiny_run.check(swapped(tiny_run.rows, row, replace(row, status="new")))
    assert flagged(violations, "R-OVERDUE") == {("E3", "E3-MV1")}


def test_checker_finds_the_wrong_kind_of_inspection(tiny_run: Run) -> None:
    row, _ = _inspection(tiny_run)  # pathway 1: a short inspection is due, not a standard
    violations = tiny_run.check(swapped(tiny_run.rows, row, replace(row, event="STD")))
    assert ("E1", row.event_id) in flagged(violations, "R-PATH")
