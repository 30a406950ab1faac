"""R-ASSIGN in the first stage (constraints/headcount.py): people, leads and RI/EDU
inspectors per day, not only inspector-days per week."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import graded, inspector, la, pools, write_dataset
from tests.helpers import (
    ONE_DAY_WINDOW,
    feasible,
    flagged,
    infeasible,
    merge,
    moved,
    plan,
    swapped,
)

DUE = date(2027, 3, 1)  # a Monday; the week has no bank holiday
NO_LENDING = merge(ONE_DAY_WINDOW, {"capacity": {"lending": False}})
DAYS_ONLY = merge(NO_LENDING, {"assignment": {"daily_headcount": False,
                                              "avoid_unstaffable_weeks": False}})


def _two_inspections(folder: Path, hmis: int, leads: int | None = None,
                     pool_size: int = 2, last: str = "2024-03-01") -> Path:
    """North inspects E1 and E2 (short inspections due on DUE, or per ``last`` for E2)
    with ``hmis`` full-time HMIs, ``leads`` of whom may lead (all by default)."""
    people = [inspector(f"N-{k:02d}") for k in range(hmis)]
    for k in range(leads if leads is not None else hmis, hmis):
        people[k]["can_lead"] = "false"
    return write_dataset(folder, las=[la("E1"), la("E2")],
                         history=[graded("E1", "SHT", "2024-03-01"), graded("E2", "SHT", last)],
                         send=[], inspectors=people + pools(pool_size))


@pytest.mark.parametrize(("hmis", "fits"), [(9, False), (10, True)])
def test_a_region_needs_people_not_only_days(tmp_path: Path, hmis: int, fits: bool) -> None:
    # Two short inspections in one week need 44 inspector-days: nine HMIs have 45. But on
    # Tuesday and Wednesday each needs its team of 4 and the extra HMI: 10 people.
    folder = _two_inspections(tmp_path / "d", hmis)
    if fits:
        run = feasible(folder, NO_LENDING)
        assert run.row("E1", "SHT").fieldwork_start == run.row("E2", "SHT").fieldwork_start
    else:
        assert "R-ASSIGN" in infeasible(folder, NO_LENDING).explanation()


def test_days_alone_would_let_nine_people_do_ten_peoples_work(tmp_path: Path) -> None:
    # The neighbour: with the rule switched off in the model, nine HMIs "fit" by their
    # days; the checker, which always applies R-ASSIGN, finds Tuesday and Wednesday short.
    run = plan(_two_inspections(tmp_path / "d", 9), DAYS_ONLY)
    assert run.result.feasible and run.row("E1", "SHT").fieldwork_start == DUE
    assert ("North", f"day {date(2027, 3, 2)}") in flagged(run.violations, "R-ASSIGN")


@pytest.mark.parametrize(("leads", "fits"), [(1, False), (2, True)])
def test_each_inspection_needs_its_own_lead_that_day(tmp_path: Path, leads: int,
                                                     fits: bool) -> None:
    folder = _two_inspections(tmp_path / "d", 10, leads)
    if fits:
        feasible(folder, NO_LENDING)
    else:
        assert "R-ASSIGN" in infeasible(folder, NO_LENDING).explanation()


@pytest.mark.parametrize(("pool_size", "fits"), [(1, False), (2, True)])
def test_the_pools_need_one_person_per_inspection_that_day(tmp_path: Path, pool_size: int,
                                                           fits: bool) -> None:
    # Each inspection needs an RI and an EDU on the Tuesday and Wednesday of its on-site
    # week: one of each has the days (2 x 2 < 5 x 0.25 x 13 weeks) but not the people.
    folder = _two_inspections(tmp_path / "d", 10, pool_size=pool_size)
    if fits:
        feasible(folder, NO_LENDING)
    else:
        explanation = infeasible(folder, NO_LENDING).explanation()
        assert "R-ASSIGN" in explanation and "RI" in explanation


def test_the_planner_separates_inspections_the_people_cannot_cover(tmp_path: Path) -> None:
    # With a wider window, nine HMIs cannot run both in one week: the plan separates them.
    folder = _two_inspections(tmp_path / "d", 9)
    run = feasible(folder, {"window": {"tolerance_months": 1},
                            "capacity": {"lending": False}})
    assert run.row("E1", "SHT").fieldwork_start != run.row("E2", "SHT").fieldwork_start


def test_checker_finds_a_day_short_of_people(tmp_path: Path) -> None:
    # A draft programme (nobody named yet) with both inspections moved into one week.
    folder = _two_inspections(tmp_path / "d", 9)
    run = feasible(folder, {"window": {"tolerance_months": 1},
                            "capacity": {"lending": False}})
    first, second = run.row("E1", "SHT"), run.row("E2", "SHT")
    rows = swapped(run.rows, second, moved(run, second, first.fieldwork_start))
    draft = [replace(r, lead_inspector="", team="", lent_from="") for r in rows]
    tuesday = first.fieldwork_start.toordinal() + 1
    assert ("North", f"day {date.fromordinal(tuesday)}") in flagged(run.check(draft),
                                                                    "R-ASSIGN")
