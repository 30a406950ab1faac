"""R-CAP, R-TEAM, R-LEND (constraints/capacity.py): inspector-days per region and week
(and quarter), the national specialist pools, and lending between regions at a cost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import (
    POOLS,
    due_on,
    graded,
    inspector,
    la,
    pools,
    roster,
    write_dataset,
)
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

# A short inspection needs 22 inspector-days in its on-site week (10 notice, 2 + 2 after).
DUE = date(2027, 3, 1)  # a week without bank holidays
NO_LENDING = merge(ONE_DAY_WINDOW, {"capacity": {"lending": False}})


def _hmis(count: int, region: str = "North") -> list:
    """``count`` full-time HMIs (5 inspector-days a week each)."""
    return [inspector(f"{region}-{k:02d}", region) for k in range(count)]


@pytest.mark.parametrize(("extra_fte", "fits"), [(0.0, False), (0.38, False), (0.4, True)])
def test_a_region_needs_the_days_its_week_demands(tmp_path: Path, extra_fte: float,
                                                  fits: bool) -> None:
    # Four HMIs give 20 days; a fifth at fte 0.4 adds the 2 days missing (0.38 adds 1.9).
    people = _hmis(4) + ([inspector("North-x", fte=extra_fte)] if extra_fte else [])
    folder = due_on(tmp_path / "d", DUE, inspectors=people + POOLS)
    if fits:
        assert feasible(folder, NO_LENDING).row("E1", "SHT").fieldwork_start == DUE
    else:
        assert "R-CAP" in infeasible(folder, NO_LENDING).explanation()


def test_a_small_la_needs_a_smaller_team(tmp_path: Path) -> None:
    # R-TEAM: a team of 3, 17 days on site, fits the 20 days of four HMIs.
    folder = due_on(tmp_path / "d", DUE, inspectors=_hmis(4) + POOLS, small=True)
    assert feasible(folder, NO_LENDING).row("E1", "SHT").fieldwork_start == DUE


def test_an_empty_specialist_pool_is_infeasible(tmp_path: Path) -> None:
    # Graded inspections need 2 days of an education HMI; there is none.
    folder = due_on(tmp_path / "d", DUE, inspectors=roster() + POOLS[:1])
    assert "EDU" in infeasible(folder, ONE_DAY_WINDOW).explanation()


def _two_regions(folder: Path, south_hmis: int, south_inspects: bool) -> Path:
    """North (four HMIs) inspects E1 on DUE; South's E2 is inspected the same day if
    ``south_inspects``, else only has its engagement meetings (next window in 2029)."""
    south_last = "2024-03-01" if south_inspects else "2026-06-05"
    return write_dataset(folder, las=[la("E1"), la("E2", "South")],
                         history=[graded("E1", "SHT", "2024-03-01"),
                                  graded("E2", "SHT", south_last)],
                         send=[], inspectors=_hmis(4) + _hmis(south_hmis, "South") + pools(2))


def test_lending_costs_per_day_borrowed(tmp_path: Path) -> None:
    # North is 2 days short in its inspection week; South has them spare: 2 days x
    # lending_day 20 = 40, shown on the inspection as lent from South.
    run = feasible(_two_regions(tmp_path / "d", 4, False),
                   merge(ONE_DAY_WINDOW, only_weights(lending_day=20)))
    assert run.result.cost_by_rule() == {"R-LEND": 40}
    assert run.row("E1", "SHT").lent_from == "South"


@pytest.mark.parametrize(("south_hmis", "fits"), [(4, False), (5, False), (6, True)])
def test_lending_needs_spare_days_elsewhere(tmp_path: Path, south_hmis: int,
                                            fits: bool) -> None:
    # Both regions inspect in the same week: 44 days needed. Eight HMIs have 40 days; nine
    # have 45 days but on Tuesday and Wednesday each inspection needs 5 people (its team and
    # the extra HMI): 10 people, and nine are not enough (constraints/headcount.py).
    folder = _two_regions(tmp_path / "d", south_hmis, True)
    if fits:
        run = feasible(folder, ONE_DAY_WINDOW)
        assert run.row("E1", "SHT").lent_from == "South"
    else:
        explanation = infeasible(folder, ONE_DAY_WINDOW).explanation()
        assert "R-LEND" in explanation  # the other region has no day to spare


# --- the independent checker on a hand-broken programme ------------------------------------


def test_checker_finds_two_inspections_in_one_week_over_capacity(tiny_run: Run) -> None:
    # North has 25 inspector-days a week: Alpha's short inspection (22 on site) and Beta's
    # standard one (15 on site, a small LA) cannot share an on-site week; no region can lend.
    alpha, beta = tiny_run.row("E1", "SHT"), tiny_run.row("E2", "STD")
    together = moved(tiny_run, beta, alpha.fieldwork_start)
    assert ("North", f"week of {alpha.fieldwork_start}") in flagged(
        tiny_run.check(swapped(tiny_run.rows, beta, together)), "R-CAP")


def test_checker_finds_borrowing_not_shown(tmp_path: Path) -> None:
    run = feasible(_two_regions(tmp_path / "d", 4, False), ONE_DAY_WINDOW)
    row = run.row("E1", "SHT")
    violations = run.check(swapped(run.rows, row, replace(row, lent_from="")))
    assert ("North", f"week of {row.fieldwork_start}") in flagged(violations, "R-LEND")
