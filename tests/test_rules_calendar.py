"""R-XMAS, R-AUG, R-BH, R-NOTICE (constraints/calendar_rules.py): the calendar holes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from tests.conftest import due_on, la, write_dataset
from tests.helpers import ONE_DAY_WINDOW, Run, feasible, flagged, infeasible, moved, swapped

# (rule, programme start, a due date the rule bars, the first due date after it that it allows)
LIMITS = [
    # On site 10-14 January 2028: inside 19 Dec - 11 Jan; from 17 January it is clear.
    ("R-XMAS", None, date(2028, 1, 10), date(2028, 1, 17)),
    # On site in August; the last week of July is allowed.
    ("R-AUG", None, date(2027, 8, 9), date(2027, 7, 26)),
    # On site on the early May bank holiday (3 May 2027); the next week is allowed.
    ("R-BH", None, date(2027, 5, 3), date(2027, 5, 10)),
    # The programme starts on that bank holiday Monday: 5 working days' notice for Monday
    # 10 May would be given on Friday 30 April, before the start; for 17 May it is not.
    ("R-NOTICE", date(2027, 5, 3), date(2027, 5, 10), date(2027, 5, 17)),
]
IDS = [rule for rule, *_ in LIMITS]


@pytest.mark.parametrize(("rule", "start", "barred", "allowed"), LIMITS, ids=IDS)
def test_a_window_the_rule_bars_is_infeasible(tmp_path: Path, rule: str, start: date | None,
                                              barred: date, allowed: date) -> None:
    run = infeasible(due_on(tmp_path / "d", barred), ONE_DAY_WINDOW, start=start)
    assert rule in run.explanation()


@pytest.mark.parametrize(("rule", "start", "barred", "allowed"), LIMITS, ids=IDS)
def test_the_nearest_week_the_rule_allows_is_feasible(tmp_path: Path, rule: str,
                                                      start: date | None, barred: date,
                                                      allowed: date) -> None:
    run = feasible(due_on(tmp_path / "d", allowed), ONE_DAY_WINDOW, start=start)
    assert run.row("E1", "SHT").fieldwork_start == allowed


@pytest.mark.parametrize(("fieldwork", "notified"), [
    (date(2027, 5, 10), date(2027, 4, 30)),  # back over the 3 May bank holiday and a weekend
    (date(2027, 4, 5), date(2027, 3, 25)),  # back over Easter Monday and Good Friday
])
def test_notice_is_five_working_days_before_fieldwork(tmp_path: Path, fieldwork: date,
                                                       notified: date) -> None:
    run = feasible(due_on(tmp_path / "d", fieldwork), ONE_DAY_WINDOW)
    assert run.row("E1", "SHT").notify_date == notified


# --- the independent checker on a hand-broken programme ------------------------------------

@pytest.fixture(scope="module")
def visits_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny programme with focused visits rather than JTAIs (no JTAI slots)."""
    folder = write_dataset(tmp_path_factory.mktemp("calendar") / "tiny")
    return feasible(folder, {"jtai": {"slots_per_year": 0}})


@pytest.mark.parametrize(("fieldwork", "rule"), [
    (date(2027, 1, 4), "R-XMAS"),  # on site 4-8 January, notified 24 December
    (date(2027, 8, 2), "R-AUG"),
    (date(2027, 5, 3), "R-BH"),  # the early May bank holiday
])
def test_checker_finds_an_inspection_moved_into_a_barred_week(visits_run: Run, fieldwork: date,
                                                              rule: str) -> None:
    row = visits_run.row("E1", "SHT")
    violations = visits_run.check(swapped(visits_run.rows, row,
                                          moved(visits_run, row, fieldwork)))
    assert flagged(violations, rule) == {("E1", row.event_id)}


def test_checker_allows_an_august_focused_visit_only_by_agreement(visits_run: Run,
                                                                  tmp_path: Path) -> None:
    row = visits_run.row("E1", "FV")
    rows = swapped(visits_run.rows, row, moved(visits_run, row, date(2027, 8, 3)))
    assert flagged(visits_run.check(rows), "R-AUG") == {("E1", row.event_id)}
    folder = write_dataset(tmp_path / "agreed", las=[la("E1", august_fv_agreed=True),
                                                     la("E2", small=True), la("E3")])
    problem = Problem.build(read_dataset(folder), load_config())
    assert flagged(visits_run.check(rows, problem), "R-AUG") == set()


def test_checker_allows_a_monitoring_visit_in_august(visits_run: Run) -> None:
    row = visits_run.event("E3-MV2")
    violations = visits_run.check(swapped(visits_run.rows, row,
                                          moved(visits_run, row, date(2027, 8, 3))))
    assert flagged(violations, "R-AUG") == set()


def test_checker_finds_short_notice(visits_run: Run) -> None:
    row = visits_run.row("E1", "SHT")
    short = visits_run.problem.calendar.add_working_days(row.fieldwork_start, -3)
    violations = visits_run.check(swapped(visits_run.rows, row, replace(row, notify_date=short)))
    assert flagged(violations, "R-NOTICE") == {("E1", row.event_id)}


def test_checker_finds_a_call_on_a_bank_holiday_but_counts_its_notice(visits_run: Run) -> None:
    # Fieldwork Monday 5 April 2027, called on Easter Monday 29 March: a call on a bank
    # holiday (R-BH), though 30 March to 5 April are still 5 working days' notice.
    row = moved(visits_run, visits_run.row("E1", "SHT"), date(2027, 4, 5))
    rows = swapped(visits_run.rows, visits_run.row("E1", "SHT"),
                   replace(row, notify_date=date(2027, 3, 29)))
    violations = visits_run.check(rows)
    assert flagged(violations, "R-BH") == {("E1", row.event_id)}
    assert flagged(violations, "R-NOTICE") == set()
