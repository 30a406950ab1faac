"""R-CAP as a planner reads it: each region's inspector-days used against its capacity,
week by week, with the days lost to leave and the bank holidays that fall in each week.

Used days come from the capacity family's own load of the programme rows and capacity
from the problem's profiles, so these figures are the ones the model and the checker use.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from scheduler.domain import Inspector
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow

WEEK_COLUMNS = ("region", "week", "monday", "used_days", "capacity_days", "leave_days",
                "bank_holidays")


def regional_inspectors(problem: Problem, region: str) -> list[Inspector]:
    """The inspectors whose working days make up a region's capacity (R-CAP)."""
    roles = set(problem.config.capacity.regional_roles)
    return [p for p in problem.dataset.inspectors.values()
            if p.region == region and p.role in roles]


def bank_holidays_in_week(problem: Problem, week: int) -> list[str]:
    """Names of the bank holidays on the weekdays of a programme week (R-BH)."""
    monday = problem.weeks.monday(week)
    days = (monday + timedelta(days=n) for n in range(5))
    return [problem.calendar.bank_holidays[d] for d in days if problem.calendar.is_bank_holiday(d)]


def weekly_use(problem: Problem, rows: list[ProgrammeRow]) -> pd.DataFrame:
    """One row per region and programme week: inspector-days used and available, the
    inspector-days lost to leave (fte-weighted, as capacity counts them) and the names of
    that week's bank holidays (`;`-separated)."""
    from constraints.capacity import programme_load

    regional, _ = programme_load(problem, rows)
    holidays = [";".join(bank_holidays_in_week(problem, w)) for w in range(problem.horizon_weeks)]
    records = []
    for region in problem.dataset.regions:
        people = regional_inspectors(problem, region)
        caps = problem.regional_capacity[region]
        for week in range(problem.horizon_weeks):
            monday = problem.weeks.monday(week)
            working = len(problem.calendar.working_days(monday, monday + timedelta(days=4)))
            leave = sum((working - problem.available_days(p, week)) * p.fte for p in people)
            records.append({
                "region": region, "week": week, "monday": monday,
                "used_days": regional[region].get(week, 0) / TENTHS,
                "capacity_days": caps[week] / TENTHS, "leave_days": round(leave, 1),
                "bank_holidays": holidays[week]})
    return pd.DataFrame.from_records(records, columns=list(WEEK_COLUMNS))
