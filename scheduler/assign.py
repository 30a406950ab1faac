"""R-ASSIGN, R-MV-LEAD, R-LEND, R-TEAM: named inspectors for a fixed programme (the second
stage, after the first stage placed every event).

The staffing is solved in small CP-SAT models (scheduler/assign_model.py), window by
window in date order (`assignment.window_weeks`), each booking what it staffs before the
next: in each window every region staffs its own events with its own people; the RI and
EDU pools (other inspectors) staff the specialists; then the events a region could not
staff alone are staffed with every region's people, another region's days at a cost
(R-LEND). `lent_from` is then the truth: the home regions of the team's borrowed
inspectors. One national model over the whole horizon found no staffing at all in 77 s
(README, "Staffing the programme").

An event that still cannot be staffed keeps the parts that could be, is marked
`relaxed = R-ASSIGN` and reported with the reason (who is on leave, conflicted, booked or
out of days). `scheduler.assign_replan` feeds such events back to the first stage.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from scheduler.assign_book import Bookings
from scheduler.assign_duties import EXTRA, LEAD, TEAM, Part, Staffing, event_parts, lent_from
from scheduler.assign_greedy import Job, Staffed
from scheduler.assign_model import PassRun, staff
from scheduler.assign_why import why_unstaffed
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.solve import relative_gap

POOLS, LENDING = "specialist pools", "lending between regions"
RELAXED = "R-ASSIGN"


@dataclass(frozen=True)
class Unstaffed:
    """An event the assignment could not fully staff."""

    event_id: str
    la_code: str
    region: str
    parts: tuple[str, ...]
    reason: str

    def __str__(self) -> str:
        return f"[{RELAXED}] {self.la_code} {self.event_id}: {self.reason}"


@dataclass
class Assignment:
    """The staffed programme and how the staffing went."""

    rows: list[ProgrammeRow]
    unstaffed: list[Unstaffed]
    runs: list[PassRun]
    wall_time: float
    spread: dict[str, float]  # region or pool role -> points between most and least used
    unstaffed_weight: int  # weights.unstaffed_event, to take it out of the objective
    repairs: list[str] = field(default_factory=list)  # scheduler.assign_replan's rounds

    @property
    def objective(self) -> float:
        """The soft part of the staffing objective (fairness, R-MV-LEAD, R-LEND), summed over
        the models: their objective less the cost of the events they left unstaffed."""
        weight = self.unstaffed_weight
        return sum(run.objective - weight * (run.events - run.staffed) for run in self.runs
                   if run.solved)

    @property
    def bound(self) -> float:
        """Its lower bound: each model's bound less the same cost (each model takes the
        bookings of the windows before it as given)."""
        weight = self.unstaffed_weight
        return sum(run.bound - weight * (run.events - run.staffed) for run in self.runs
                   if run.solved)

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    def by_group(self) -> dict[str, dict[str, object]]:
        """Per region, the pools and lending: models, events, staffed, time, gap."""
        groups: dict[str, list[PassRun]] = defaultdict(list)
        for run in self.runs:
            groups[run.name].append(run)
        return {name: {"models": len(runs), "events": sum(r.events for r in runs),
                       "staffed": sum(r.staffed for r in runs),
                       "greedy_staffed": sum(r.greedy_staffed for r in runs),
                       "wall_time_seconds": round(sum(r.wall_time for r in runs), 3),
                       "objective": sum(r.objective for r in runs),
                       "bound": sum(r.bound for r in runs),
                       "not_solved": sum(not r.solved for r in runs)}
                for name, runs in groups.items()}

    def record(self) -> dict[str, object]:
        """For run.json."""
        return {"wall_time_seconds": round(self.wall_time, 3), "objective": self.objective,
                "bound": self.bound, "gap": self.gap, "models": self.by_group(),
                "use_spread_points": self.spread, "repairs": self.repairs,
                "unstaffed": [vars(u) for u in self.unstaffed]}


def assign(problem: Problem, rows: list[ProgrammeRow], seed: int | None = None,
           held: Collection[str] = ()) -> Assignment:
    """Staff every event of a fixed programme; see the module docstring. The events named in
    ``held`` (event ids) keep the staffing their rows name, booked before the rest."""
    started = time.perf_counter()
    cfg = problem.config
    inspectors = problem.dataset.inspectors
    parts = {row.event_id: event_parts(problem, row) for row in rows}
    regional = set(cfg.capacity.regional_roles)
    pool_roles = set(cfg.capacity.pool_roles)
    people = {region: {p for p, i in inspectors.items()
                       if i.region == region and i.role in regional}
              for region in problem.dataset.regions}
    pools = {f"national {role} pool": sorted(p for p, i in inspectors.items() if i.role == role)
             for role in sorted(pool_roles)}
    bookings = Bookings.of(problem, [row for row in rows if row.event_id in held])
    staffed: Staffed = {}
    runs: list[PassRun] = []

    def run(name: str, chosen: list[ProgrammeRow], roles: set[str], candidates: set[str],
            groups: dict[str, list[str]]) -> None:
        jobs = [Job(row, tuple(p for p in parts[row.event_id].values() if set(p.roles) <= roles))
                for row in chosen]
        jobs = [job for job in jobs if job.parts]
        if not jobs:
            return
        found, by_event = staff(name, jobs, {p: inspectors[p] for p in sorted(candidates)},
                                bookings, groups, seed)
        runs.append(found)
        for event_id, by_part in by_event.items():
            staffed.setdefault(event_id, {}).update(by_part)

    for window in _windows(problem, [row for row in rows if row.event_id not in held]):
        for region, own in people.items():
            run(region, [r for r in window if r.region == region], regional, own,
                {region: sorted(own)})
        if cfg.capacity.lending:
            run(LENDING, [r for r in window if TEAM not in staffed.get(r.event_id, {})],
                regional, set().union(*people.values()), {})
        run(POOLS, [r for r in window if TEAM in staffed.get(r.event_id, {})], pool_roles,
            {p for members in pools.values() for p in members}, pools)
    out, unstaffed = [], []
    for row in rows:
        if row.event_id in held:
            out.append(row)
            continue
        got = staffed.get(row.event_id, {})
        missing = tuple(name for name in parts[row.event_id] if name not in got)
        if missing:
            reason = why_unstaffed(bookings, row, parts[row.event_id], missing)
            unstaffed.append(Unstaffed(row.event_id, row.la_code, row.region, missing, reason))
        out.append(_staffed_row(problem, row, got, parts[row.event_id], missing))
    groups = {**{region: sorted(own) for region, own in people.items()}, **pools}
    spread = {}
    for name, members in groups.items():
        uses = [bookings.use(pid) for pid in members if bookings.limits.budget(pid)]
        spread[name] = round(100 * (max(uses) - min(uses)), 1) if uses else 0.0
    return Assignment(out, unstaffed, runs, time.perf_counter() - started, spread,
                      cfg.weights.unstaffed_event)


def _windows(problem: Problem, rows: list[ProgrammeRow]) -> list[list[ProgrammeRow]]:
    """The rows in windows of `assignment.window_weeks` by first on-site day, in order."""
    size = problem.config.assignment.window_weeks
    windows: dict[int, list[ProgrammeRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.fieldwork_start, r.event_id)):
        windows[problem.weeks.index(row.fieldwork_start) // size].append(row)
    return [windows[key] for key in sorted(windows)]


def _staffed_row(problem: Problem, row: ProgrammeRow, got: dict[str, list[str]],
                 parts: dict[str, Part], missing: tuple[str, ...]) -> ProgrammeRow:
    """The row with lead_inspector, team and lent_from (the truth) filled in."""
    lead = got.get(LEAD, [""])[0]
    team = [lead] if lead else []
    team += sorted(p for p in got.get(TEAM, []) if p != lead)
    specialists = tuple((name, got[name][0]) for name in parts
                        if name in problem.config.capacity.pool_roles and name in got)
    staffing = Staffing(lead, tuple(team), tuple(got.get(EXTRA, [])), specialists)
    relaxed = [r for r in row.relaxed.split(";") if r and r != RELAXED]
    if missing:
        relaxed.append(RELAXED)
    return replace(row, lead_inspector=lead, team=staffing.team_column,
                   lent_from=lent_from(problem, row, staffing.members),
                   relaxed=";".join(relaxed))
