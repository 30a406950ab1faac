"""Workload of every inspector and region, by month, from a staffed programme: days on
site, off site (set-up, evaluation, feedback), report writing, leave, and use of the days
within inspection_share (R-ASSIGN, R-CAP). Report writing counts in the month of its
week's Monday; every other day in its own month. Only days inside the horizon count."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from scheduler.assign_duties import LEAD, duties
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow

COLUMNS = ("inspector_id", "name", "region", "role", "month", "onsite_days", "offsite_days",
           "report_days", "leave_days", "working_days", "share_days", "inspection_days",
           "use_percent")
SUMS = ("onsite_days", "offsite_days", "report_days", "leave_days", "working_days",
        "share_days", "inspection_days")


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _use(inspection: float, share: float) -> float:
    return round(100 * inspection / share, 1) if share else 0.0


def workload_table(problem: Problem, rows: list[ProgrammeRow]) -> pd.DataFrame:
    """One row per inspector x month of the horizon."""
    first, last = problem.start, problem.weeks.end
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        onsite = set(row.onsite_days)
        for person, held in duties(problem, row).items():
            for part in held:
                for day in part.days:
                    if first <= day <= last:
                        kind = "onsite_days" if day in onsite else "offsite_days"
                        counts[(person, _month(day))][kind] += 1
                if part.name != LEAD:
                    continue
                for week, days in part.report:
                    if 0 <= week < problem.horizon_weeks:
                        counts[(person, _month(problem.weeks.monday(week)))]["report_days"] += days
    leave = problem._leave_days
    by_month: dict[str, list[date]] = defaultdict(list)
    for day in problem.calendar.working_days(first, last):
        by_month[_month(day)].append(day)
    records = []
    for pid, person in problem.dataset.inspectors.items():
        away = leave.get(pid, set())
        for month, days in by_month.items():
            got = counts.get((pid, month), {})
            absent = sum(day in away for day in days)
            share = (len(days) - absent) * person.fte * person.inspection_share
            onsite, offsite, report = (got.get(k, 0) for k in SUMS[:3])
            records.append({
                "inspector_id": pid, "name": person.name,
                "region": _group(person.region, person.role), "role": person.role,
                "month": month, "onsite_days": onsite, "offsite_days": offsite,
                "report_days": report, "leave_days": absent, "working_days": len(days),
                "share_days": round(share, 1), "inspection_days": onsite + offsite + report,
                "use_percent": _use(onsite + offsite + report, share)})
    return pd.DataFrame(records, columns=list(COLUMNS))


def _group(region: str, role: str) -> str:
    """Regional inspectors by region; the national pools by role."""
    return region or f"national {role} pool"


def region_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per region (or national pool) x month: the sums, and use of the share."""
    grouped = table.groupby(["region", "month"], as_index=False)[list(SUMS)].sum()
    grouped["use_percent"] = [_use(i, s) for i, s in zip(
        grouped["inspection_days"], grouped["share_days"], strict=True)]
    return grouped


def inspector_totals(table: pd.DataFrame) -> pd.DataFrame:
    """One row per inspector over the whole horizon."""
    totals = table.groupby(["inspector_id", "name", "region", "role"], as_index=False)[
        list(SUMS)].sum()
    totals["use_percent"] = [_use(i, s) for i, s in zip(
        totals["inspection_days"], totals["share_days"], strict=True)]
    return totals


def workload_sheets(problem: Problem, rows: list[ProgrammeRow]) -> dict[str, pd.DataFrame]:
    """The programme.xlsx sheets: by inspector and month, by region and month, totals."""
    table = workload_table(problem, rows)
    return {"Workload by inspector": table, "Workload by region": region_table(table),
            "Workload totals": inspector_totals(table)}
