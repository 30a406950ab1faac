"""R-ASSIGN before naming anyone: people per working day.

Nobody is in two places on one day, so on each working day a region's events cannot need
more social care inspectors (or more leads) than the region has free of leave, and the
national RI and EDU pools likewise. The inspector-days of R-CAP miss this: four people free
on Tuesday and four others on Wednesday give the days of a team, not the team. These counts
are what the first stage plans with (constraints/headcount.py), the baseline planner and the
decomposition check, and the checker re-verifies on a programme that names nobody yet.

Days are counted as ``7 * week + weekday`` (programme week, Monday 0).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.assign_duties import EXTRA, LEAD, TEAM, event_parts, team_size
from scheduler.calendar import weeks_between
from scheduler.problem import Problem, derived
from scheduler.programme import ProgrammeRow

HEADS, LEADS = "people", "leads"


@dataclass(frozen=True)
class Needs:
    """People one event needs per day: from its region (``regional``: people and leads by
    day) and from the national pools (role -> day -> people)."""

    regional: dict[str, dict[int, int]]
    pools: dict[str, dict[int, int]]


def day_index(problem: Problem, day: date) -> int:
    return 7 * weeks_between(problem.start, day) + day.weekday()


def row_needs(problem: Problem, row: ProgrammeRow) -> Needs:
    """The people per day a programme row needs (its lead counts among the people and,
    on every day they work on it, among the leads)."""
    parts = event_parts(problem, row)
    people: Counter[int] = Counter()
    leads: Counter[int] = Counter()
    for name, part in parts.items():
        if name in (TEAM, LEAD, EXTRA):
            for day in part.days:
                people[day_index(problem, day)] += part.count if name == TEAM else 1
                if name in (TEAM, LEAD):
                    leads[day_index(problem, day)] += 1
    pools = {name: dict(Counter(day_index(problem, day) for day in part.days))
             for name, part in parts.items() if name not in (TEAM, LEAD, EXTRA)}
    return Needs({HEADS: dict(people), LEADS: dict(leads)}, pools)


def placement_needs(problem: Problem, la_code: str, kind: str, week: int) -> Needs:
    """The people per day an LA's event needs at a notice week (cached per team size)."""
    size = team_size(problem, kind, la_code)
    cache = derived(problem, _placements)
    key = (kind, week, size)
    if key not in cache:
        fp = problem.footprint(kind, week)
        row = ProgrammeRow("", la_code, "", "", kind, "new", fp.notify_date, fp.onsite_days,
                           fp.fieldwork_start, fp.fieldwork_end, None, None, None, None, None)
        cache[key] = row_needs(problem, row)
    return cache[key]


def _placements(problem: Problem) -> dict[tuple[str, int, int], Needs]:
    return {}  # (kind, notice week, team size) -> Needs, filled by placement_needs


def free_people(problem: Problem) -> dict[tuple[str, str], list[int]]:
    """(region, HEADS or LEADS) and (role, "") for the pools -> people free on each day of
    the horizon (index ``7 * week + weekday``; 0 at weekends and on bank holidays)."""
    return derived(problem, _free_people)


def _free_people(problem: Problem) -> dict[tuple[str, str], list[int]]:
    days = 7 * problem.horizon_weeks
    regional = set(problem.config.capacity.regional_roles)
    pools = set(problem.config.capacity.pool_roles)
    free = {key: [0] * days for key in
            [(r, what) for r in problem.dataset.regions for what in (HEADS, LEADS)]
            + [(role, "") for role in pools]}
    dates = [problem.weeks.monday(i // 7) + timedelta(days=i % 7) for i in range(days)]
    working = [problem.calendar.is_working_day(day) for day in dates]
    for person in problem.dataset.inspectors.values():
        if person.fte <= 0:
            continue
        away = problem._leave_days.get(person.inspector_id, set())
        keys = []
        if person.role in regional and person.region in problem.dataset.regions:
            keys.append((person.region, HEADS))
            if person.can_lead:
                keys.append((person.region, LEADS))
        elif person.role in pools:
            keys.append((person.role, ""))
        for i in range(days):
            if working[i] and dates[i] not in away:
                for key in keys:
                    free[key][i] += 1
    return free


def programme_needs(problem: Problem, rows: list[ProgrammeRow]
                    ) -> dict[tuple[str, str], dict[int, int]]:
    """The same keys as `free_people` -> people the rows need on each day."""
    total: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        needs = row_needs(problem, row)
        for what, by_day in needs.regional.items():
            for day, count in by_day.items():
                total[(row.region, what)][day] += count
        for role, by_day in needs.pools.items():
            for day, count in by_day.items():
                total[(role, "")][day] += count
    return total


def shortages(problem: Problem, rows: list[ProgrammeRow]
              ) -> list[tuple[str, str, int, int, int]]:
    """(group, what, day, needed, free) wherever the programme needs more people on a day
    than are free: a pool; the country's people and leads (with lending) or each region's
    (without)."""
    return shortages_of(problem, programme_needs(problem, rows))


def shortages_of(problem: Problem, needed: dict[tuple[str, str], dict[int, int]]
                 ) -> list[tuple[str, str, int, int, int]]:
    """`shortages`, from the people a programme needs per day (`programme_needs`)."""
    free = free_people(problem)
    days = 7 * problem.horizon_weeks
    found = []
    for role in problem.config.capacity.pool_roles:
        found += _over(role, "", needed.get((role, ""), {}), free[(role, "")])
    regions = sorted(problem.dataset.regions)
    for what in (HEADS, LEADS):
        if problem.config.capacity.lending:
            load: Counter[int] = Counter()
            cap = [0] * days
            for region in regions:
                load.update(needed.get((region, what), {}))
                for i, count in enumerate(free[(region, what)]):
                    cap[i] += count
            found += _over("England", what, load, cap)
        else:
            for region in regions:
                found += _over(region, what, needed.get((region, what), {}),
                               free[(region, what)])
    return found


def _over(group: str, what: str, load: dict[int, int], cap: list[int]
          ) -> list[tuple[str, str, int, int, int]]:
    return [(group, what, day, count, cap[day] if 0 <= day < len(cap) else 0)
            for day, count in sorted(load.items())
            if 0 <= day < len(cap) and count > cap[day]]
