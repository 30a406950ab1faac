"""scheduler.utilisation: inspector-days used and available per region and week, leave and
bank holidays, checked against the demand table and the roster by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scheduler.config import load_config
from scheduler.export import event_row
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.utilisation import weekly_use
from tests.conftest import write_dataset

LEAVE = "inspector_id,start,end,reason\nN-01,2026-10-12,2026-10-23,annual leave\n"


def test_weekly_use_adds_up_demand_leave_and_bank_holidays(tmp_path: Path) -> None:
    problem = Problem.build(read_dataset(write_dataset(tmp_path / "d", **{"leave.csv": LEAVE})),
                            load_config())
    # Beta (small LA) standard inspection, notice week of 11/01/2027: regional demand
    # [8, 15, 15, 3, 2] inspector-days from the notice week (defaults.toml, demand_small).
    week = problem.weeks.index(date(2027, 1, 11))
    use = weekly_use(problem, [event_row(problem, "E2-STD", "STD", week)]).set_index("monday")
    assert list(use["region"].unique()) == ["North"]
    assert use["used_days"].sum() == 43
    assert [use.loc[date(2027, 1, d), "used_days"] for d in (11, 18, 25)] == [8, 15, 15]
    # Five inspectors at fte 1: 25 days in a full week; N-01 away two whole weeks.
    assert use.loc[date(2026, 11, 2), "capacity_days"] == 25
    assert use.loc[date(2026, 10, 12), ["capacity_days", "leave_days"]].tolist() == [20, 5]
    assert use.loc[date(2026, 10, 19), ["capacity_days", "leave_days"]].tolist() == [20, 5]
    assert use["leave_days"].sum() == 10
    # Two bank holidays in the week of 28/12/2026: three working days, 15 inspector-days.
    assert use.loc[date(2026, 12, 28), "bank_holidays"] == "Boxing Day (observed);New Year's Day"
    assert use.loc[date(2026, 12, 28), "capacity_days"] == 15
    assert use.loc[date(2026, 12, 21), "bank_holidays"] == "Christmas Day"
