"""R-ASSIGN feedback between the two stages: where the staffing cannot fill an event, that
event's week, and the weeks of its window where it could not be staffed either with
everyone else's staffing as it is, are forbidden (`Problem.unstaffable`) and the programme
solved again, hinted with the last one, up to `assignment.replan_rounds` times: first the
regions of those events alone (every other event held where it is, `Problem.frozen`), then,
if that finds nothing, the whole country. What still cannot be staffed is reported, event
by event, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from scheduler.assign import Assignment, assign
from scheduler.assign_book import Bookings
from scheduler.assign_duties import notice_week
from scheduler.assign_greedy import could_staff
from scheduler.export import event_row
from scheduler.problem import Placement, Problem
from scheduler.programme import ProgrammeRow
from scheduler.solve import Progress, Result, solve

Week = tuple[str, str, int]  # (need_id, kind, notice week)


@dataclass
class StaffedPlan:
    """The last programme solved, its staffing, and what the re-planning did."""

    problem: Problem  # with every placement found unstaffable forbidden
    result: Result  # rows staffed when the programme is feasible
    assignment: Assignment | None
    replans: int = 0
    notes: list[str] = field(default_factory=list)


def placement(problem: Problem, row: ProgrammeRow) -> Week:
    return row.need_id, row.event, notice_week(problem, row)


def blocked(problem: Problem, rows: list[ProgrammeRow], row: ProgrammeRow) -> set[Week]:
    """The event's week, and every week of its window where the greedy rule finds it no
    team with everyone else's staffing as it is (unless that is every week)."""
    need = problem.need_by_id[row.need_id]
    diary = Bookings.of(problem, [r for r in rows if r.event_id != row.event_id])
    last = need.latest or problem.weeks.end
    weeks = [w for w in range(problem.horizon_weeks)
             if need.earliest <= problem.footprint(row.event, w).fieldwork_start <= last]
    stuck = {w for w in weeks
             if not could_staff(diary, event_row(problem, row.need_id, row.event, w))}
    if stuck >= set(weeks):
        stuck = set()
    return {(row.need_id, row.event, w) for w in stuck | {notice_week(problem, row)}}


def _attempts(problem: Problem, rows: list[ProgrammeRow], movable: list[ProgrammeRow]
              ) -> list[tuple[set[Week], bool]]:
    """(weeks to forbid, only the events' regions re-planned), in the order tried: the
    regions alone, then everywhere; the weeks found blocked before the events' own weeks."""
    blocked_weeks = {p for row in movable for p in blocked(problem, rows, row)}
    own_weeks = {placement(problem, row) for row in movable}
    return [(blocked_weeks, True), (own_weeks, True), (blocked_weeks, False),
            (own_weeks, False)]


def plan_and_staff(problem: Problem, time_limit: float | None = None, seed: int | None = None,
                   report: Callable[[Progress], None] | None = None) -> StaffedPlan:
    """Solve, staff, and re-plan the events nobody could staff (see the module docstring).
    If forbidding every week found blocked leaves no programme, only the events' own weeks
    are forbidden; if that fails too, the programme before stands."""
    result = solve(problem, time_limit, seed, report)
    if not result.feasible:
        return StaffedPlan(problem, result, None)
    staffing = assign(problem, result.rows, seed)
    plan = StaffedPlan(problem, result, staffing)
    while staffing.unstaffed and plan.replans < problem.config.assignment.replan_rounds:
        by_id = {row.event_id: row for row in staffing.rows}
        movable = [by_id[u.event_id] for u in staffing.unstaffed
                   if by_id[u.event_id].need_id and by_id[u.event_id].status != "fixed"]
        if not movable:
            break
        hint = {placement(problem, row): 1 for row in result.rows if row.need_id}
        plan.replans += 1
        regions = {row.region for row in movable}
        placed = {row.need_id: Placement(row.event, row.fieldwork_start, "held")
                  for row in result.rows if row.need_id}
        for forbidden, local in _attempts(problem, staffing.rows, movable):
            trial = replace(problem, unstaffable=problem.unstaffable | forbidden,
                            frozen=problem.held_outside(placed, regions) if local else {})
            again = solve(trial, time_limit, seed, report, hint, national_fallback=not local)
            where = f" in {', '.join(sorted(regions))} alone" if local else ""
            plan.notes.append(f"re-planning {len(movable)} events{where} without "
                              f"{len(forbidden)} weeks nobody could staff: {again.status}")
            if again.feasible:
                if local:  # its bound holds for the held plan only: keep the national one
                    again.bound = result.bound
                    again.parameters["staffing_replan"] = f"{where.strip()}, others held"
                trial.frozen = {}
                break
        if not again.feasible:
            plan.notes.append("the programme before the re-planning stands")
            break
        problem, result = trial, again
        staffing = assign(problem, result.rows, seed)
        plan.notes.append(f"{len(staffing.unstaffed)} events still unstaffed")
        plan.problem, plan.result, plan.assignment = problem, result, staffing
    plan.result.rows = staffing.rows
    return plan
