"""R-MV-RATE, R-MV-SEND (constraints/monitoring.py): at most 4 monitoring visits in any 52
weeks, 3 across ILACS and area SEND monitoring where the LA is under both."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.calendar import weeks_between
from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from tests.conftest import START, area_send, graded, la, visit, write_dataset
from tests.helpers import Run, feasible, flagged, infeasible, moved, swapped

YEAR = timedelta(weeks=52)

# (rule, LA flags, area SEND rows, visits already made, monitoring.min_visits, the visit or
# area SEND week that the last visit to place must be 52 weeks after).
CASES = {
    # Limit 3: three visits from 4 November 2025; the fourth 52 weeks after the first.
    "R-MV-SEND flag": ("R-MV-SEND", {"send_monitoring": True}, [],
                       ["2025-11-04", "2026-03-03", "2026-07-14"], 4, date(2025, 11, 4)),
    # Limit 3, the area SEND monitoring visit of 12 January 2026 counting as one: the third
    # ILACS visit can go in week 2, the fourth only 52 weeks after the area SEND visit.
    "R-MV-SEND area monitoring": ("R-MV-SEND", {}, [area_send("E1", "2026-01-12", "monitoring",
                                                              "completed")],
                                  ["2025-09-09", "2026-06-02"], 4, date(2026, 1, 12)),
    # Limit 4, with 5 visits before re-inspection: the fifth 52 weeks after the first.
    "R-MV-RATE": ("R-MV-RATE", {}, [],
                  ["2025-11-04", "2026-02-03", "2026-05-05", "2026-07-14"], 5,
                  date(2025, 11, 4)),
}


def _monitored(folder: Path, case: str, **flags: object) -> tuple[Path, dict, int]:
    """Judged inadequate in May 2025 (re-inspection window opens after the programme); the
    config overrides and the week 52 weeks after the case's anchor."""
    _, planning, send, made, minimum, anchor = CASES[case]
    history = [graded("E1", "STD", "2025-05-22", "inadequate")]
    history += [visit("E1", "MV", day) for day in made]
    folder = write_dataset(folder, las=[la("E1", **{**planning, **flags})], history=history,
                           send=send)
    return folder, {"monitoring": {"min_visits": minimum}}, weeks_between(START, anchor + YEAR)


@pytest.mark.parametrize("case", CASES)
def test_no_room_for_the_last_visit_in_the_horizon_is_infeasible(tmp_path: Path,
                                                                 case: str) -> None:
    # The programme ends the week before the last visit may go.
    folder, overrides, week = _monitored(tmp_path / "d", case)
    run = infeasible(folder, overrides, weeks=week)
    assert CASES[case][0] in run.explanation()


@pytest.mark.parametrize("case", CASES)
def test_the_last_visit_goes_exactly_52_weeks_after(tmp_path: Path, case: str) -> None:
    folder, overrides, week = _monitored(tmp_path / "d", case)
    # Two weeks more than the visit needs: its report days then fall inside the horizon,
    # not in a last quarter cut short to a pro-rata share the visit's lead would exceed.
    run = feasible(folder, overrides, weeks=week + 3)
    last = max(r.fieldwork_start for r in run.rows if r.event == "MV")
    assert weeks_between(CASES[case][-1], last) == 52


def test_monitoring_with_no_week_left_is_explained(tmp_path: Path) -> None:
    # A 2-week programme: the 10 working days' data request rules out every visit week.
    folder = write_dataset(tmp_path / "d", las=[la("E1")], send=[],
                           history=[graded("E1", "STD", "2025-10-16", "inadequate")])
    assert "R-NOTICE" in infeasible(folder, weeks=2).explanation()


def test_without_area_send_monitoring_four_a_year_are_allowed(tmp_path: Path) -> None:
    # The first case without the flag: the limit is 4, so the visit need not wait.
    folder, overrides, week = _monitored(tmp_path / "d", "R-MV-SEND flag",
                                         send_monitoring=False)
    run = feasible(folder, overrides, weeks=week)
    (planned,) = [r for r in run.rows if r.event == "MV"]
    assert weeks_between(START, planned.fieldwork_start) < week


# --- the independent checker on a hand-broken programme ------------------------------------


def _four_in_a_year(run: Run) -> list:
    """Gamma's four visits moved 6 weeks apart from its first."""
    first = run.event("E3-MV1")
    rows = run.rows
    for i in (2, 3, 4):
        row = run.event(f"E3-MV{i}")
        rows = swapped(rows, row, moved(run, row, first.fieldwork_start
                                        + timedelta(weeks=6 * (i - 1))))
    return rows


def test_checker_allows_four_visits_in_a_year(tiny_run: Run) -> None:
    rows = _four_in_a_year(tiny_run)
    assert flagged(tiny_run.check(rows), "R-MV-RATE") == set()


def test_checker_finds_a_fifth_visit_in_a_year(tiny_run: Run) -> None:
    rows = _four_in_a_year(tiny_run)
    fourth = next(r for r in rows if r.event_id == "E3-MV4")
    fifth = replace(moved(tiny_run, fourth, fourth.fieldwork_start + timedelta(weeks=6)),
                    event_id="E3-MV5", need_id="")
    assert flagged(tiny_run.check([*rows, fifth]), "R-MV-RATE") == {("E3", "E3-MV5")}


def test_checker_finds_a_fourth_visit_under_area_send_monitoring(tiny_run: Run,
                                                                  tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "send", las=[la("E1"), la("E2", small=True),
                                                   la("E3", send_monitoring=True)])
    problem = Problem.build(read_dataset(folder), load_config())
    violations = tiny_run.check(_four_in_a_year(tiny_run), problem)
    assert flagged(violations, "R-MV-SEND") == {("E3", "E3-MV4")}
