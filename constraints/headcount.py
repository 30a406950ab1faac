"""R-ASSIGN in the first stage: on each working day a region's events need no more people,
and no more leads, than it has free of leave (what it lacks it borrows, R-LEND, from regions
with people spare that day), and the RI and EDU pools no more than theirs. Necessary for a
staffing to exist; scheduler/headcount.py explains why inspector-days are not enough."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from ortools.sat.python import cp_model

from constraints.base import Family
from constraints.capacity import fixed_rows
from scheduler.context import ModelContext, Penalty
from scheduler.headcount import (
    HEADS,
    LEADS,
    free_people,
    placement_needs,
    programme_needs,
    shortages,
)
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation

RULE = "R-ASSIGN"
Terms = dict[tuple[str, str], dict[int, dict[str, list]]]  # key -> day -> need -> terms


class Headcount(Family):
    """Hard R-ASSIGN (people per day) and R-LEND (borrowed people come from somewhere)."""

    rules = (RULE, "R-LEND")

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem, scope = ctx.problem, ctx.scope
        if not problem.config.assignment.daily_headcount:
            return []
        lending = problem.config.capacity.lending
        terms = _terms(ctx)
        constant = programme_needs(problem, [r for r in fixed_rows(problem)
                                             if r.region in ctx.regions])
        free = free_people(problem)
        room = scope.day_room
        for region in ctx.regions:
            for what in (HEADS, LEADS):
                key = (region, what)
                for day, by_need in terms.get(key, {}).items():
                    cap = free[key][day] - constant.get(key, {}).get(day, 0)
                    borrow = ctx.borrowed.get((region, day // 7)) if lending else None
                    if room is not None and lending:
                        _limit(ctx, region, by_need, cap + room[what][day], rule="R-LEND")
                    _limit(ctx, region, by_need, cap, borrow)
        pool_roles = problem.config.capacity.pool_roles
        for role in pool_roles if scope.national or room is not None else ():
            key = (role, "")
            for day, by_need in terms.get(key, {}).items():
                have = free[key][day] if scope.national else room[role][day]
                _limit(ctx, role, by_need, have - constant.get(key, {}).get(day, 0))
        if scope.national and lending:
            for what in (HEADS, LEADS):
                national: dict[int, dict[str, list]] = defaultdict(dict)
                for region in ctx.regions:
                    for day, by_need in terms.get((region, what), {}).items():
                        national[day].update(by_need)
                for day, by_need in national.items():
                    cap = sum(free[(r, what)][day] - constant.get((r, what), {}).get(day, 0)
                              for r in ctx.regions)
                    _limit(ctx, "national", by_need, cap, rule="R-LEND")
        return []

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        """A programme that names nobody yet: enough people free each day (a staffed one is
        checked person by person in constraints/assignment.py)."""
        if any(row.team or row.lead_inspector for row in rows):
            return []
        violations = []
        for group, what, day, needed, free in shortages(problem, rows):
            on = problem.weeks.monday(day // 7) + timedelta(days=day % 7)
            violations.append(Violation(
                RULE, group, f"day {on}", f"{group} needs {needed} {what or 'inspectors'} "
                f"on {on} but only {free} are free of leave"))
        return violations


def _terms(ctx: ModelContext) -> Terms:
    """Each placement's people per day, by key, day and need."""
    problem = ctx.problem
    terms: Terms = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    days = 7 * problem.horizon_weeks
    for need_id, variables in ctx.x.items():
        need = problem.need_by_id[need_id]
        region = problem.region_of(need.la_code)
        for (kind, week), var in variables.items():
            needs = placement_needs(problem, need.la_code, kind, week)
            for what, by_day in needs.regional.items():
                for day, count in by_day.items():
                    if 0 <= day < days:
                        terms[(region, what)][day][need_id].append((count, var))
            for role, by_day in needs.pools.items():
                for day, count in by_day.items():
                    if 0 <= day < days:
                        terms[(role, "")][day][need_id].append((count, var))
    return terms


def _limit(ctx: ModelContext, name: str, by_need: dict[str, list], cap: int,
           borrow: cp_model.IntVar | None = None, rule: str = RULE) -> None:
    """sum <= cap (+ borrow), unless no choice of one placement per need could exceed it."""
    most = sum(max(count for count, _ in placed) for placed in by_need.values())
    if most <= cap:
        return
    demand = sum(count * var for placed in by_need.values() for count, var in placed)
    cap = max(cap, 0)  # fixed events over the limit already: the rest must not add to it
    limit = cap + borrow if borrow is not None else cap
    ctx.model.add(demand <= limit).only_enforce_if(ctx.guard(rule, name))
