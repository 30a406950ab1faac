"""R-XMAS, R-AUG, R-EASTER, R-SUMMER, R-BH, R-NOTICE (constraints/calendar_rules.py): the
calendar holes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from constraints.calendar_rules import calendar_breaches
from scheduler.check import check_rows
from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.solve import solve
from tests.conftest import START, due_on, la, write_dataset
from tests.helpers import (
    ONE_DAY_WINDOW,
    Run,
    feasible,
    flagged,
    merge,
    moved,
    only_weights,
    swapped,
)

# (rule, programme start, a due date the rule bars, the first due date after it that it allows)
LIMITS = [
    # On site 10-14 January 2028: inside 19 Dec - 11 Jan; from 17 January it is clear.
    ("R-XMAS", None, date(2028, 1, 10), date(2028, 1, 17)),
    # On site in August; the first week of September is allowed (late July is R-SUMMER's).
    ("R-AUG", None, date(2027, 8, 9), date(2027, 9, 6)),
    # On site 19-23 July: from 20 July it is barred; the week before is allowed.
    ("R-SUMMER", None, date(2027, 7, 19), date(2027, 7, 12)),
    # On site on the early May bank holiday (3 May 2027); the next week is allowed.
    ("R-BH", None, date(2027, 5, 3), date(2027, 5, 10)),
    # The programme starts on that bank holiday Monday: 5 working days' notice for Monday
    # 10 May would be given on Friday 30 April, before the start; for 17 May it is not.
    ("R-NOTICE", date(2027, 5, 3), date(2027, 5, 10), date(2027, 5, 17)),
]
IDS = [rule for rule, *_ in LIMITS]


@pytest.mark.parametrize(("rule", "start", "barred", "allowed"), LIMITS, ids=IDS)
def test_a_window_the_rule_bars_makes_it_overdue(tmp_path: Path, rule: str, start: date | None,
                                                 barred: date, allowed: date) -> None:
    # R-OVERDUE (RULES.md, readings settled): placed as early as possible after the window.
    run = feasible(due_on(tmp_path / "d", barred), ONE_DAY_WINDOW, start=start)
    row = run.row("E1", "SHT")
    assert row.status == "overdue" and row.fieldwork_start > barred
    assert rule in run.problem.need_by_id[row.need_id].note


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
    (date(2027, 3, 22), "R-EASTER"),  # the week ending on Easter Sunday, 28 March 2027
    (date(2027, 3, 29), "R-EASTER"),  # the week starting on Easter Monday
    (date(2027, 7, 19), "R-SUMMER"),  # on site from Monday 19 July to Friday 23 July
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


# --- R-EASTER and R-SUMMER: the reading, the model, the checker, the switch ------------------

EASTER_2027 = date(2027, 3, 28)
NO_EASTER = {"easter": {"onsite_events": []}}
NO_SUMMER = {"summer": {"onsite_events": []}}


def _breaks(rule: str, kind: str, days: tuple[date, ...],
            overrides: dict[str, object] | None = None) -> bool:
    """Whether on-site ``days`` of a ``kind`` break ``rule`` (no bank holiday anywhere)."""
    return rule in [found for found, _ in calendar_breaches(
        load_config(overrides=overrides), lambda _day: False, kind, days, None, False, START)]


@pytest.mark.parametrize(("day", "barred"), [
    (date(2027, 3, 21), False),  # the Sunday before the week ending on Easter Sunday
    (date(2027, 3, 22), True),  # its Monday, Easter Sunday - 6
    (EASTER_2027, True),
    (date(2027, 4, 4), True),  # the Sunday ending the week that starts on Easter Monday
    (date(2027, 4, 5), False),
])
def test_easter_weeks_run_monday_to_sunday_either_side_of_easter(day: date, barred: bool) -> None:
    assert _breaks("R-EASTER", "STD", (day,)) == barred
    assert not _breaks("R-EASTER", "FV", (day,))
    assert not _breaks("R-EASTER", "MV", (day,))
    assert not _breaks("R-EASTER", "STD", (day,), NO_EASTER)


def test_easter_weeks_before_and_after_are_configurable() -> None:
    two_before = {"easter": {"weeks_before": 2, "weeks_after": 0}}
    assert _breaks("R-EASTER", "SHT", (date(2027, 3, 15),), two_before)
    assert not _breaks("R-EASTER", "SHT", (date(2027, 3, 14),), two_before)
    assert _breaks("R-EASTER", "SHT", (EASTER_2027,), two_before)
    assert not _breaks("R-EASTER", "SHT", (date(2027, 3, 29),), two_before)
    assert not _breaks("R-EASTER", "SHT", (date(2027, 3, 15),))


@pytest.mark.parametrize(("day", "barred"), [
    (date(2027, 7, 19), False), (date(2027, 7, 20), True), (date(2027, 8, 31), True),
    (date(2027, 9, 1), False),
])
def test_the_summer_break_runs_from_20_july_to_31_august(day: date, barred: bool) -> None:
    assert _breaks("R-SUMMER", "JTAI", (day,)) == barred
    assert not _breaks("R-SUMMER", "MV", (day,))
    assert not _breaks("R-SUMMER", "JTAI", (day,), NO_SUMMER)


def test_summer_dates_are_checked() -> None:
    with pytest.raises(InputError, match=r"summer\.onsite_from"):
        load_config(overrides={"summer": {"onsite_from": "07-32"}})


# A graded window of a month either side of the due date, the only cost the distance from it.
NARROW_WINDOW = merge(ONE_DAY_WINDOW, {"window": {"tolerance_months": 1}},
                      only_weights(target_week=1))


@pytest.mark.parametrize(("due", "rule", "switch_off", "planning"), [
    # Due 15 March 2027: a standard inspection on site 15-18 and 22-25 March, its second
    # week the one before Easter (no bank holiday on those days).
    (date(2027, 3, 15), "R-EASTER", NO_EASTER, {"force_standard": True}),
    # Due 19 July 2027: a short inspection on site 19-23 July.
    (date(2027, 7, 19), "R-SUMMER", NO_SUMMER, {}),
], ids=["R-EASTER", "R-SUMMER"])
def test_the_model_moves_a_graded_event_out_of_the_holidays(
        tmp_path: Path, due: date, rule: str, switch_off: dict[str, object],
        planning: dict[str, object]) -> None:
    run = feasible(due_on(tmp_path / "d", due, **planning), NARROW_WINDOW)
    row = run.row("E1", "SHT", "STD")
    assert row.fieldwork_start != due
    assert not any(_breaks(rule, row.event, (day,)) for day in row.onsite_days)
    # switched off, the due week is where the window's cost puts it
    off = feasible(due_on(tmp_path / "off", due, **planning), merge(NARROW_WINDOW, switch_off))
    assert off.row("E1", "SHT", "STD").fieldwork_start == due


def test_a_standard_inspection_a_week_before_easter_is_refused_and_its_neighbour_passes(
        visits_run: Run) -> None:
    row = visits_run.row("E2", "STD")
    barred = visits_run.check(swapped(visits_run.rows, row,
                                      moved(visits_run, row, date(2027, 3, 15))))
    assert flagged(barred, "R-EASTER") == {("E2", row.event_id)}
    assert flagged(barred, "R-BH") == set()
    neighbour = swapped(visits_run.rows, row, moved(visits_run, row, date(2027, 3, 8)))
    assert flagged(visits_run.check(neighbour), "R-EASTER") == set()


@pytest.mark.parametrize(("fieldwork", "rule"), [
    (date(2027, 3, 15), "R-EASTER"), (date(2027, 4, 5), "R-EASTER"),
    (date(2027, 7, 12), "R-SUMMER"),
])
def test_checker_passes_an_inspection_a_week_outside_the_holidays(visits_run: Run,
                                                                  fieldwork: date,
                                                                  rule: str) -> None:
    row = visits_run.row("E1", "SHT")
    violations = visits_run.check(swapped(visits_run.rows, row,
                                          moved(visits_run, row, fieldwork)))
    assert flagged(violations, rule) == set()


@pytest.mark.parametrize("event_id", ["E1-FV1", "E3-MV2"])
@pytest.mark.parametrize("fieldwork", [date(2027, 3, 23), date(2027, 3, 30), date(2027, 7, 20)])
def test_checker_allows_visits_in_the_easter_and_summer_holidays(visits_run: Run, event_id: str,
                                                                 fieldwork: date) -> None:
    row = visits_run.event(event_id)
    violations = visits_run.check(swapped(visits_run.rows, row,
                                          moved(visits_run, row, fieldwork)))
    assert flagged(violations, "R-EASTER") | flagged(violations, "R-SUMMER") == set()


@pytest.mark.parametrize(("fieldwork", "rule", "switch_off"), [
    (date(2027, 3, 22), "R-EASTER", NO_EASTER), (date(2027, 7, 19), "R-SUMMER", NO_SUMMER),
], ids=["R-EASTER", "R-SUMMER"])
def test_config_switches_the_checker_off(visits_run: Run, fieldwork: date, rule: str,
                                         switch_off: dict[str, object]) -> None:
    row = visits_run.row("E1", "SHT")
    rows = swapped(visits_run.rows, row, moved(visits_run, row, fieldwork))
    assert flagged(visits_run.check(rows), rule) == {("E1", row.event_id)}
    off = Problem.build(visits_run.problem.dataset, load_config(overrides=switch_off))
    assert flagged(visits_run.check(rows, off), rule) == set()


# --- R-NOTICE in a re-plan: nobody is notified in the past ---------------------------------


def test_a_replan_notifies_nothing_new_before_its_week(tmp_path: Path) -> None:
    """In a re-plan from week 6, every event not pinned is notified from that week's Monday
    on, in the model and in the checker; a pinned (already notified) event keeps its date."""
    problem = Problem.build(read_dataset(write_dataset(tmp_path / "d")), load_config())
    problem.replan_week = 6
    first = problem.weeks.monday(6)
    result = solve(problem, time_limit=5)
    assert result.feasible
    assert all(r.notify_date is None or r.notify_date >= first for r in result.rows)
    assert not [v for v in check_rows(problem, result.rows) if v.rule == "R-NOTICE"]
    visit = min((r for r in result.rows if r.event == "MV"), key=lambda r: r.fieldwork_start)
    fp = problem.footprint("MV", 1)  # on site in week 2, data request in week 0
    early = replace(visit, notify_date=fp.notify_date, onsite_days=fp.onsite_days,
                    fieldwork_start=fp.fieldwork_start, fieldwork_end=fp.fieldwork_end)

    def notice_flagged(row: ProgrammeRow) -> bool:
        return any(v.rule == "R-NOTICE" and v.event_id == row.event_id
                   for v in check_rows(problem, swapped(result.rows, visit, row)))

    assert notice_flagged(early)
    assert not notice_flagged(replace(early, status="fixed"))
