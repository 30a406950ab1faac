"""The headline figures of a programme, and how a scenario changes them: overdue LAs
(R-OVERDUE), window slack (R-WIN), capacity use per region (R-CAP) and lending (R-LEND)."""

from __future__ import annotations

from statistics import mean
from typing import Any

from scheduler.calendar import weeks_between
from scheduler.config import GRADED
from scheduler.export import capacity_use, lending_by_capacity
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow


def programme_kpis(problem: Problem, rows: list[ProgrammeRow]) -> dict[str, Any]:
    """Figures a planner compares between programmes (from the rows alone)."""
    slack = [weeks_between(r.fieldwork_start, r.window_close) for r in rows
             if r.event in GRADED and r.window_close and r.status != "overdue"]
    use = capacity_use(problem, rows)
    # by capacity, as in a draft (whose lent_from is blank): a staffed baseline's lent_from
    # names where its people came from instead, which a draft scenario cannot be compared with
    by_capacity = lending_by_capacity(problem, rows)
    return {
        "events": len(rows),
        "overdue_las": len({r.la_code for r in rows if r.status == "overdue"}),
        "window_slack_weeks_mean": round(mean(slack), 2) if slack else None,
        "window_slack_weeks_min": min(slack) if slack else None,
        "lending_days": round(sum(r["days borrowed"] for r in use), 1),
        "events_with_lending": len(by_capacity),
        "capacity_use_percent": {r["region"]: r["use of share %"] for r in use},
    }


def kpi_deltas(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """new - base for every number (per region for capacity use); None where either lacks it."""
    deltas: dict[str, Any] = {}
    for key, value in new.items():
        old = base.get(key)
        if isinstance(value, dict):
            deltas[key] = {k: round(v - old[k], 2) if isinstance(old, dict) and k in old else None
                           for k, v in value.items()}
        elif isinstance(value, int | float) and isinstance(old, int | float):
            deltas[key] = round(value - old, 2)
        else:
            deltas[key] = None
    return deltas
