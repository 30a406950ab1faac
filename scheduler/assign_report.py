"""The staffing and workload section of summary.md: what was staffed and what not (with
the reason), borrowing between regions (R-LEND), monitoring visit leads (R-MV-LEAD), the
spread of use within each region (the fairness objective) and the use of
inspection_share by region, month and inspector (scheduler/workload.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from scheduler.assign_duties import duties
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.workload import inspector_totals, region_table, workload_table

if TYPE_CHECKING:
    from scheduler.assign import Assignment


def borrowed_days(problem: Problem, rows: list[ProgrammeRow]) -> dict[str, int]:
    """R-LEND: region -> days its events had from inspectors of other regions."""
    inspectors = problem.dataset.inspectors
    days: dict[str, int] = defaultdict(int)
    for row in rows:
        for person, held in duties(problem, row).items():
            home = inspectors[person].region if person in inspectors else ""
            if home and home != row.region:
                days[row.region] += sum(part.total_days for part in held)
    return dict(sorted(days.items()))


def visit_leads(rows: list[ProgrammeRow]) -> dict[str, list[str]]:
    """R-MV-LEAD: LA name -> the leads of its monitoring visits, where more than one."""
    leads: dict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.fieldwork_start):
        if row.event == "MV" and row.lead_inspector not in ("", *leads[row.la_name]):
            leads[row.la_name].append(row.lead_inspector)
    return {name: people for name, people in sorted(leads.items()) if len(people) > 1}


def staffing_markdown(problem: Problem, assignment: Assignment) -> str:
    """The summary.md section."""
    rows = assignment.rows
    lines = ["## Staffing and workload (R-ASSIGN, R-TEAM, R-LEND, R-MV-LEAD)", "",
             f"{len(rows) - len(assignment.unstaffed)} of {len(rows)} events staffed by "
             f"{len(assignment.runs)} CP-SAT models in {assignment.wall_time:.1f} s. Soft "
             f"objective (fairness, R-MV-LEAD, R-LEND) {assignment.objective:g}, bound "
             f"{assignment.bound:g}, gap {100 * assignment.gap:.2f} % (each model's bound "
             "takes the earlier windows' staffing as given).", ""]
    by_id = {row.event_id: row for row in rows}
    lines += ["### Events without a full team", ""]
    lines += [f"- {by_id[u.event_id].la_name} {u.event_id} (on site "
              f"{by_id[u.event_id].fieldwork_start}): {u.reason}."
              for u in assignment.unstaffed] or ["None."]
    borrowed = borrowed_days(problem, rows)
    lines += ["", "### Borrowing between regions (R-LEND)", "",
              "| region | events with lent_from | days borrowed |", "|---|---|---|"]
    lines += [f"| {region} | {sum(1 for r in rows if r.region == region and r.lent_from)} | "
              f"{days} |" for region, days in borrowed.items()] or ["| none | 0 | 0 |"]
    leads = visit_leads(rows)
    lines += ["", "### Monitoring visits led by more than one inspector (R-MV-LEAD)", ""]
    lines += [f"- {name}: {', '.join(people)}" for name, people in leads.items()] or ["None."]
    table = workload_table(problem, rows)
    totals = inspector_totals(table)
    lines += ["", "### Fairness: spread of use within each region and pool", "",
              "Points of inspection_share between the most and the least used inspector over "
              "the horizon (the staffing minimises it, soft).", "",
              "| region or pool | spread (points) |", "|---|---|"]
    lines += [f"| {group} | {spread:.1f} |" for group, spread in assignment.spread.items()]
    by_month = region_table(table).pivot(index="month", columns="region",
                                         values="use_percent")
    lines += ["", "### Use of inspection_share by region and month (%)", "",
              by_month.to_markdown(), "", "### Each inspector over the horizon", "",
              totals.to_markdown(index=False), ""]
    return "\n".join(lines)
