"""One staffing model (CP-SAT) over a fixed programme: some events' parts, the inspectors
who may fill them, and what earlier models have already booked.

Hard (R-ASSIGN, R-TEAM): every part of a staffed event gets exactly its number of
inspectors of its roles, the lead is on the team and may lead, nobody with a declared
conflict of interest, nobody on leave on a fixed day, nobody on two events on one day
(on-site and off-site days alike), nobody over their working days x fte in a week or over
their inspection_share in a quarter. Soft: an event left unstaffed (whole, never half),
the spread of use between the inspectors of a group (a region or a pool), more than one
lead for one LA's monitoring visits (R-MV-LEAD), days borrowed from another region (R-LEND).
The search starts from the greedy staffing (scheduler/assign_greedy.py).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from scheduler.assign_book import Bookings
from scheduler.assign_duties import LEAD, TEAM
from scheduler.assign_greedy import Job, Staffed, greedy
from scheduler.domain import Inspector
from scheduler.problem import TENTHS
from scheduler.solve import apply_parameters, solver_parameters

PERCENT = 100 * TENTHS  # use in percent = PERCENT * days / budget in tenths


@dataclass(frozen=True)
class PassRun:
    """How one staffing model went."""

    name: str
    status: str
    objective: float
    bound: float
    wall_time: float
    events: int
    staffed: int
    greedy_staffed: int

    @property
    def solved(self) -> bool:
        """CP-SAT found a staffing (else the greedy one stands, with no bound)."""
        return self.status in ("OPTIMAL", "FEASIBLE")


@dataclass
class _Model:
    jobs: list[Job]
    people: dict[str, Inspector]
    bookings: Bookings
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    # (event_id, part name, inspector_id) -> Boolean
    x: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    staffed: dict[str, cp_model.IntVar] = field(default_factory=dict)
    terms: list[tuple[int, cp_model.LinearExprT]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parts = {(job.row.event_id, part.name): part
                      for job in self.jobs for part in job.parts}
        self.rows = {job.row.event_id: job.row for job in self.jobs}

    @property
    def weights(self):
        return self.bookings.problem.config.weights

    def variables(self) -> None:
        """One Boolean per part and inspector who could take it on alone."""
        for job in self.jobs:
            event_id = job.row.event_id
            staffed = self.model.new_bool_var(f"staffed {event_id}")
            self.staffed[event_id] = staffed
            parts = {part.name: part for part in job.parts}
            for part in sorted(job.parts, key=lambda p: p.name != TEAM):  # the team first
                holds = [parts[TEAM], part] if part.name == LEAD else [part]
                chosen = []
                for pid, person in self.people.items():
                    if self.bookings.obstacle(job.row, holds, person) is None:
                        var = self.model.new_bool_var(f"{event_id} {part.name} {pid}")
                        self.x[(event_id, part.name, pid)] = var
                        chosen.append(var)
                        if part.name == LEAD:
                            self.model.add_implication(var, self.x[(event_id, TEAM, pid)])
                self.model.add(sum(chosen) == part.count * staffed)
            self.terms.append((self.weights.unstaffed_event, 1 - staffed))

    def one_place_a_day(self) -> None:
        """Nobody on two events on one day, nor on two parts of one event (but the lead)."""
        by_day: dict[tuple[str, date], list] = defaultdict(list)
        by_event: dict[tuple[str, str], list] = defaultdict(list)
        for (event_id, name, pid), var in self.x.items():
            for day in self.parts[(event_id, name)].days:
                by_day[(pid, day)].append(var)
            if name != LEAD:
                by_event[(event_id, pid)].append(var)
        for group in (*by_day.values(), *by_event.values()):
            if len(group) > 1:
                self.model.add_at_most_one(group)

    def workload(self) -> dict[str, cp_model.LinearExprT]:
        """R-ASSIGN: weekly working days x fte and quarterly inspection_share; returns each
        inspector's days inside the horizon (booked ones included), for the fairness."""
        problem = self.bookings.problem
        weekly: dict[tuple[str, int], list] = defaultdict(list)
        quarterly: dict[tuple[str, tuple[int, int]], list] = defaultdict(list)
        loads: dict[str, list] = defaultdict(list)
        for (event_id, name, pid), var in self.x.items():
            for week, days in self.parts[(event_id, name)].days_by_week(problem).items():
                weekly[(pid, week)].append(days * var)
                quarterly[(pid, problem.weeks.quarter_key(week))].append(days * var)
                if 0 <= week < problem.horizon_weeks:
                    loads[pid].append(days * var)
        for (pid, week), terms in weekly.items():
            self.model.add(TENTHS * sum(terms) <= self.bookings.week_room(pid, week))
        for (pid, quarter), terms in quarterly.items():
            self.model.add(TENTHS * sum(terms) <= self.bookings.quarter_room(pid, quarter))
        return {pid: self.bookings.load(pid) + sum(loads[pid]) for pid in self.people}

    def fairness(self, groups: dict[str, list[str]], loads: dict[str, cp_model.LinearExprT]
                 ) -> None:
        """Soft: percentage points between the most and the least used inspector of a group
        (use = days in the horizon / days within inspection_share)."""
        weight = self.weights.fairness_point
        for name, members in groups.items():
            budgets = {pid: self.bookings.limits.budget(pid) for pid in members}
            members = [pid for pid in members if budgets[pid] > 0]
            if len(members) < 2 or not weight:
                continue
            high = self.model.new_int_var(0, 10 * PERCENT, f"most used {name}")
            low = self.model.new_int_var(0, 10 * PERCENT, f"least used {name}")
            for pid in members:
                self.model.add(high * budgets[pid] >= PERCENT * loads[pid])
                self.model.add(low * budgets[pid] <= PERCENT * loads[pid])
            self.terms.append((weight, high - low))

    def lead_continuity(self) -> None:
        """R-MV-LEAD: the same inspector leads all monitoring visits of one LA: each lead of
        its visits who has not led one before costs."""
        weight = self.weights.lead_change
        visits: dict[str, list[str]] = defaultdict(list)
        for job in self.jobs:
            if job.row.event == "MV" and any(p.name == LEAD for p in job.parts):
                visits[job.row.la_code].append(job.row.event_id)
        for la_code, events in visits.items():
            before = self.bookings.visit_leads.get(la_code, set())
            if not weight or (len(events) < 2 and not before):
                continue
            for pid in self.people:
                chosen = [self.x[(e, LEAD, pid)] for e in events if (e, LEAD, pid) in self.x]
                if chosen and pid not in before:
                    new_lead = self.model.new_bool_var(f"{pid} leads visits of {la_code}")
                    for var in chosen:
                        self.model.add_implication(var, new_lead)
                    self.terms.append((weight, new_lead))

    def lending(self) -> None:
        """R-LEND: every day of an inspector from another region costs."""
        for (event_id, name, pid), var in self.x.items():
            region = self.people[pid].region
            if region and region != self.rows[event_id].region:
                days = self.parts[(event_id, name)].total_days
                self.terms.append((self.weights.lending_day * days, var))

    def hint(self, staffed: Staffed) -> None:
        for (event_id, name, pid), var in self.x.items():
            self.model.add_hint(var, pid in staffed.get(event_id, {}).get(name, []))
        for event_id, var in self.staffed.items():
            self.model.add_hint(var, event_id in staffed)


def staff(name: str, jobs: list[Job], people: dict[str, Inspector], bookings: Bookings,
          groups: dict[str, list[str]], seed: int | None = None) -> tuple[PassRun, Staffed]:
    """Solve one staffing model; book what it staffs into ``bookings``."""
    started = time.perf_counter()
    problem = bookings.problem
    m = _Model(jobs, people, bookings)
    m.variables()
    m.one_place_a_day()
    m.fairness(groups, m.workload())
    m.lead_continuity()
    m.lending()
    first = greedy(bookings, jobs, people)
    m.hint(first)
    m.model.minimize(sum(weight * expr for weight, expr in m.terms))
    solver = cp_model.CpSolver()
    settings = problem.config.assignment
    params = dict(solver_parameters(problem, settings.time_limit_seconds, seed),
                  absolute_gap_limit=settings.absolute_gap, num_workers=settings.workers)
    apply_parameters(solver, params)
    status = solver.status_name(solver.solve(m.model))
    staffed: Staffed = first  # if CP-SAT found nothing in time, the greedy staffing stands
    objective = bound = 0.0
    if status in ("OPTIMAL", "FEASIBLE"):
        objective, bound = solver.objective_value, solver.best_objective_bound
        staffed = {}
        for (event_id, part_name, pid), var in m.x.items():
            if solver.boolean_value(var):
                staffed.setdefault(event_id, {}).setdefault(part_name, []).append(pid)
    for event_id, by_part in staffed.items():
        for part_name, members in by_part.items():
            for pid in members:
                bookings.book(pid, m.rows[event_id], m.parts[(event_id, part_name)])
    run = PassRun(name, status, objective, bound, time.perf_counter() - started, len(jobs),
                  len(staffed), len(first))
    return run, staffed
