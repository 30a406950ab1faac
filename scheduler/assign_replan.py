"""R-ASSIGN feedback between the two stages. Where the staffing cannot fill an event, up to
`assignment.replan_rounds` rounds of repair (until a round mends nothing), trying for each
unstaffed event in turn:

1. Move alone: the event moves to a week where it could be staffed, with everyone else's
   staffing as it is. Every other event is held where it is, with its staffing
   (`Problem.frozen`); the weeks nobody could staff are forbidden (`Problem.unstaffable`);
   the programme is solved for that event alone and only it is staffed.
2. Make room (once per event): it is staffed first where it is. The events that hold, in
   its weeks, inspectors who could be on its team give up their staffing and are staffed
   again after it; those left unstaffed are repaired in the next round.

What still cannot be staffed is reported, event by event, with the reason. Re-planning
whole regions, or the country, with those weeks forbidden and staffing everything again was
tried and measured on England: it undid as much as it mended (README, "Staffing the
programme")."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

from scheduler import stopping
from scheduler.assign import Assignment, assign
from scheduler.assign_book import Bookings
from scheduler.assign_duties import duties, event_parts, notice_week
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


def window(problem: Problem, row: ProgrammeRow) -> list[int]:
    """The notice weeks that put the event's fieldwork inside its window."""
    need = problem.need_by_id[row.need_id]
    last = need.latest or problem.weeks.end
    return [w for w in range(problem.horizon_weeks)
            if need.earliest <= problem.footprint(row.event, w).fieldwork_start <= last]


def staffable(problem: Problem, rows: list[ProgrammeRow], row: ProgrammeRow) -> set[int]:
    """The weeks of the event's window where the greedy rule finds it a team, with everyone
    else's staffing as it is."""
    diary = Bookings.of(problem, [r for r in rows if r.event_id != row.event_id])
    return {w for w in window(problem, row)
            if could_staff(diary, event_row(problem, row.need_id, row.event, w))}


def blocked(problem: Problem, row: ProgrammeRow, weeks: set[int]) -> set[Week]:
    """The weeks of the event's window, and its own week, outside ``weeks`` (the weeks it
    could be staffed in, at least one)."""
    stuck = (set(window(problem, row)) | {notice_week(problem, row)}) - weeks
    return {(row.need_id, row.event, w) for w in stuck}


def kept(staffing: Assignment, exclude: Collection[str]) -> set[str]:
    """The events fully staffed, but for ``exclude`` (event ids)."""
    unstaffed = {u.event_id for u in staffing.unstaffed}
    return {row.event_id for row in staffing.rows} - unstaffed - set(exclude)


def merged(before: Assignment, after: Assignment) -> Assignment:
    """The staffing after a repair, with every staffing model run so far."""
    return replace(after, runs=before.runs + after.runs,
                   wall_time=before.wall_time + after.wall_time)


def holders(problem: Problem, rows: list[ProgrammeRow], row: ProgrammeRow,
            keep: Collection[str]) -> set[str]:
    """The events (ids), but for those in ``keep``, that hold, in the event's weeks, an
    inspector who could be on its team: of its region, or of any with lending (R-LEND), with
    no conflict of interest."""
    cfg, inspectors = problem.config, problem.dataset.inspectors
    conflicted = {c.inspector_id for c in problem.dataset.conflicts if c.la_code == row.la_code}
    people = {pid for pid, person in inspectors.items()
              if (cfg.capacity.lending or person.region == row.region)
              and pid not in conflicted and person.role in cfg.capacity.regional_roles}
    weeks = {week for part in event_parts(problem, row).values()
             for week in part.days_by_week(problem)}
    found = set()
    for other in rows:
        if other.event_id in keep or other.event_id == row.event_id or other.status == "fixed":
            continue
        for person, parts in duties(problem, other).items():
            if person in people and any(weeks & part.days_by_week(problem).keys()
                                        for part in parts):
                found.add(other.event_id)
    return found


def make_room(problem: Problem, staffing: Assignment, released: set[str],
              seed: int | None = None) -> Assignment:
    """Staff the unstaffed events first where they are, then the ``released`` events (ids),
    which held their people."""
    first = [row for row in staffing.rows if row.event_id not in released]
    staffed_first = assign(problem, first, seed, kept(staffing, released))
    by_id = {row.event_id: row for row in staffed_first.rows}
    rows = [by_id.get(row.event_id, row) for row in staffing.rows]
    staffed_first.rows = rows
    after = assign(problem, rows, seed, kept(staffed_first, released))
    return merged(staffing, merged(staffed_first, after))


def move_alone(problem: Problem, result: Result, staffing: Assignment, row: ProgrammeRow,
               weeks: set[int], time_limit: float | None, seed: int | None,
               report: Callable[[Progress], None] | None
               ) -> tuple[Problem, Result, Assignment] | None:
    """Solve the programme for the event alone, out of the weeks it could not be staffed
    (``weeks``: those it could), everyone else held with their staffing; staff it. None if
    no week is left to it."""
    placed = {r.need_id: Placement(r.event, r.fieldwork_start, "held")
              for r in result.rows if r.need_id}
    trial = replace(problem, unstaffable=problem.unstaffable | blocked(problem, row, weeks),
                    frozen=problem.held_outside(placed, set(), {row.need_id}))
    hint = {placement(problem, r): 1 for r in result.rows if r.need_id}
    again = solve(trial, time_limit, seed, report, hint, national_fallback=False)
    if not again.feasible:
        return None
    _carry(result, again)
    trial.frozen = {}
    before = {r.event_id: r for r in staffing.rows}
    staffed = kept(staffing, {row.event_id})
    rows, held = [], set()
    for new in again.rows:
        old = before.get(new.event_id)
        if new.event_id in staffed and (old.event, old.fieldwork_start) == (
                new.event, new.fieldwork_start):
            new = old  # where it was, with its staffing
            held.add(new.event_id)
        rows.append(new)
    after = assign(trial, rows, seed, held)
    return trial, again, merged(staffing, after)


def _unstaffed(staffing: Assignment, row: ProgrammeRow) -> bool:
    return any(u.event_id == row.event_id for u in staffing.unstaffed)


def _carry(before: Result, after: Result) -> None:
    """What run.json reports of the programme's solve, kept through the repairs: the
    national bound (a repair's bound holds for the held plan only), the model's size, the
    time to the first programme, the time in all, and the objective before any repair."""
    after.bound = before.bound
    after.status = "OPTIMAL" if after.objective == before.bound else "FEASIBLE"
    after.model_size = before.model_size
    after.first_solution_time = before.first_solution_time
    after.build_time += before.build_time
    after.wall_time += before.wall_time
    after.parameters = {**before.parameters, "staffing_repair": "events moved alone",
                        "objective_before_staffing_repair": before.parameters.get(
                            "objective_before_staffing_repair", before.objective)}


def plan_and_staff(problem: Problem, time_limit: float | None = None, seed: int | None = None,
                   report: Callable[[Progress], None] | None = None) -> StaffedPlan:
    """Solve, staff, and repair what nobody could staff (see the module docstring)."""
    result = solve(problem, time_limit, seed, report)
    if not result.feasible:
        return StaffedPlan(problem, result, None)
    return staff_and_repair(problem, result, time_limit, seed, report)


def staff_and_repair(problem: Problem, result: Result, time_limit: float | None = None,
                     seed: int | None = None,
                     report: Callable[[Progress], None] | None = None) -> StaffedPlan:
    """Staff a solved programme and repair what nobody could staff."""
    staffing = assign(problem, result.rows, seed)
    plan = StaffedPlan(problem, result, staffing)
    made_room: set[str] = set()
    while (staffing.unstaffed and plan.replans < problem.config.assignment.replan_rounds
           and not stopping.out_of_time()):  # what is left unstaffed is named R-ASSIGN
        plan.replans += 1
        moved, roomed, before = 0, 0, len(staffing.unstaffed)
        for unstaffed in list(staffing.unstaffed):
            if stopping.out_of_time():
                break
            # None: an earlier repair's solve of this round left the (optional) event out
            row = next((r for r in staffing.rows if r.event_id == unstaffed.event_id), None)
            if row is None or not row.need_id or row.status == "fixed" or not _unstaffed(
                    staffing, row):
                continue
            weeks = staffable(problem, staffing.rows, row)
            found = weeks and move_alone(problem, result, staffing, row, weeks, time_limit,
                                         seed, report)
            if found:
                problem, result, staffing = found
                moved += 1
                continue
            released = set() if row.event_id in made_room else holders(
                problem, staffing.rows, row, made_room)
            if released:
                made_room.add(row.event_id)
                staffing = make_room(problem, staffing, released, seed)
                roomed += 1
        plan.notes.append(f"round {plan.replans}: {moved} events moved alone to a week they "
                          f"could be staffed, {roomed} staffed first where they are; "
                          f"{before} -> {len(staffing.unstaffed)} events unstaffed")
        plan.problem, plan.result, plan.assignment = problem, result, staffing
        if not moved and not roomed:
            break
    plan.result.rows = staffing.rows
    staffing.repairs = list(plan.notes)
    return plan
