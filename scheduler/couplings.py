"""What the regions share: the national resources and what one event draws on them.

The regions are coupled by the RI and EDU pools (their people on each day, their days per
week and quarter) and, with lending (R-LEND), by the country's people per day and
inspector-days per week and quarter. Each resource has a key and a national capacity; an
event's use of them is counted as constraints/capacity.py and scheduler/headcount.py count
it. The decomposition's polish (scheduler/polish.py) uses them to find where the regional
relaxations, each with the whole country's resources, together ask for more than there is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from constraints.capacity import fixed_rows, row_load
from scheduler.headcount import HEADS, LEADS, free_people, row_needs
from scheduler.problem import Problem, derived
from scheduler.programme import ProgrammeRow
from scheduler.rooms import Chosen

# ("day", role or HEADS/LEADS, day), ("week", role or "", week), ("quarter", role or "",
# (year, quarter)); role "" is the regions' own inspector-days (lent between them)
Key = tuple[str, str, object]


def capacities(problem: Problem) -> dict[Key, int]:
    """What the country has of each resource the regions share."""
    return derived(problem, _capacities)


def _capacities(problem: Problem) -> dict[Key, int]:
    cfg = problem.config
    caps: dict[Key, int] = {}
    quarterly = cfg.capacity.quarterly_share
    for role in cfg.capacity.pool_roles:
        caps.update({("week", role, w): c for w, c in enumerate(problem.pool_capacity[role])})
        if quarterly:
            caps.update({("quarter", role, q): c
                         for q, c in problem.pool_quarter_capacity[role].items()})
    regions = sorted(problem.dataset.regions)
    if cfg.capacity.lending:
        for w in range(problem.horizon_weeks):
            caps[("week", "", w)] = sum(problem.regional_capacity[r][w] for r in regions)
        if quarterly:
            for q in problem.regional_quarter_capacity[regions[0]]:
                caps[("quarter", "", q)] = sum(problem.regional_quarter_capacity[r][q]
                                               for r in regions)
    if cfg.assignment.daily_headcount:
        free = free_people(problem)
        for role in cfg.capacity.pool_roles:
            caps.update({("day", role, d): c for d, c in enumerate(free[(role, "")])})
        if cfg.capacity.lending:
            for what in (HEADS, LEADS):
                for d in range(7 * problem.horizon_weeks):
                    caps[("day", what, d)] = sum(free[(r, what)][d] for r in regions)
    return caps


def row_use(problem: Problem, row: ProgrammeRow) -> Counter[Key]:
    """What one programme row draws on the shared resources (`capacities`' keys)."""
    caps = capacities(problem)
    use: Counter[Key] = Counter()
    regional, pools = row_load(problem, row)
    for week, tenths in regional.items():
        use[("week", "", week)] += tenths
        use[("quarter", "", problem.weeks.quarter_key(week))] += tenths
    for (role, week), tenths in pools.items():
        use[("week", role, week)] += tenths
        use[("quarter", role, problem.weeks.quarter_key(week))] += tenths
    if problem.config.assignment.daily_headcount:
        needs = row_needs(problem, row)
        for what, by_day in (*needs.regional.items(), *needs.pools.items()):
            for day, count in by_day.items():
                use[("day", what, day)] += count
    return Counter({k: v for k, v in use.items() if k in caps})


def total_use(problem: Problem, rows: Iterable[ProgrammeRow]) -> Counter[Key]:
    total: Counter[Key] = Counter()
    for row in rows:
        total.update(row_use(problem, row))
    return total


def fixed_use(problem: Problem) -> Counter[Key]:
    """What the fixed events (planned JTAIs) of every region draw."""
    return derived(problem, _fixed_use)


def _fixed_use(problem: Problem) -> Counter[Key]:
    return total_use(problem, fixed_rows(problem))


def plan_use(problem: Problem, plan: Chosen) -> dict[str, Counter[Key]]:
    """What each placed need of ``plan`` draws on the shared resources."""
    from scheduler.export import event_row

    return {need_id: row_use(problem, event_row(problem, need_id, *placed))
            for need_id, placed in plan.items()}


def overused(problem: Problem, uses: Iterable[Counter[Key]]) -> set[Key]:
    """The days and weeks of shared resources that the fixed events and ``uses`` together
    draw on beyond the country's capacity (not quarters: one takes in most events)."""
    caps = capacities(problem)
    total = fixed_use(problem) + sum(uses, Counter())
    return {k for k, used in total.items() if used > caps[k] and k[0] != "quarter"}
