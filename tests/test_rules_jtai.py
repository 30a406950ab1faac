"""R-JTAI-CAP, R-JTAI-REPLACE (constraints/jtai.py): up to 10 JTAIs a programme year
nationally, each in place of a focused visit; the scheduler aims at `jtai.slots_per_year`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.calendar import weeks_between
from scheduler.config import load_config
from scheduler.problem import Problem
from tests.conftest import START, jtai, write_dataset
from tests.helpers import Run, feasible, flagged, infeasible, only_weights, swapped

CAP_ONE = {"jtai": {"max_per_year": 1}}
PLANNED = [jtai("E3", "2027-01-18"), jtai("E2", "2027-05-10")]  # both in programme year 1


def _year(day) -> int:
    return weeks_between(START, day) // 52


@pytest.mark.parametrize(("planned", "optimum"), [([], 5400), ([jtai("E3", "2028-01-17")], 5100)])
def test_jtai_slots_short_of_the_target_cost(tmp_path: Path, planned: list,
                                             optimum: int) -> None:
    # Only Alpha and Beta (pathways 1 and 2) have a focused visit a JTAI can replace, both
    # due in programme year 1; nothing is due in year 2. Against 10 slots a year: year 1 is
    # 8 short, year 2 10 short, x jtai_shortfall 300 = 5400. A JTAI given in jtai.csv for
    # year 2 counts towards its slots: 17 short, 5100.
    folder = write_dataset(tmp_path / "d", jtais=planned)
    run = feasible(folder, only_weights(jtai_shortfall=300))
    assert run.result.cost_by_rule() == {"R-JTAI-CAP": optimum}
    placed = [r for r in run.rows if r.event == "JTAI" and r.status != "fixed"]
    assert sorted(r.la_code for r in placed) == ["E1", "E2"]
    assert {_year(r.fieldwork_start) for r in placed} == {0}


def test_more_planned_jtais_than_the_cap_is_infeasible(tmp_path: Path) -> None:
    run = infeasible(write_dataset(tmp_path / "d", jtais=PLANNED), CAP_ONE)
    assert "R-JTAI-CAP" in run.explanation()


def test_planned_jtais_up_to_the_cap_are_allowed(tmp_path: Path) -> None:
    run = feasible(write_dataset(tmp_path / "d", jtais=PLANNED[:1]), CAP_ONE)
    year_one = [r for r in run.rows if r.event == "JTAI" and _year(r.fieldwork_start) == 0]
    assert [r.status for r in year_one] == ["fixed"]  # the cap is reached: no slot placed


# --- the independent checker on a hand-broken programme ------------------------------------


def test_checker_finds_more_jtais_than_the_cap(tiny_run: Run) -> None:
    placed = [r for r in tiny_run.rows if r.event == "JTAI" and _year(r.fieldwork_start) == 0]
    assert len(placed) == 2  # Alpha's and Beta's visits, placed as JTAIs
    capped = Problem.build(tiny_run.problem.dataset, load_config(overrides=CAP_ONE))
    assert flagged(tiny_run.check(tiny_run.rows, capped), "R-JTAI-CAP") == {("national",
                                                                           "year 1")}


def test_checker_finds_a_jtai_without_a_focused_visit_to_replace(tiny_run: Run) -> None:
    row = tiny_run.row("E1", "JTAI")
    gamma = replace(row, la_code="E3", la_name="Gamma")  # pathway 3: monitoring, no visits
    violations = tiny_run.check(swapped(tiny_run.rows, row, gamma))
    assert ("E3", row.event_id) in flagged(violations, "R-JTAI-REPLACE")
