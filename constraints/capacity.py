"""R-CAP, R-LEND: inspector-days per region per week and quarter, national specialist pools,
lending between regions at a cost, and a smooth regional workload."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from constraints.base import Family
from scheduler.assign_duties import duties
from scheduler.calendar import weeks_between
from scheduler.context import ModelContext, Penalty, Room
from scheduler.footprint import specialist_demand, weekly_demand
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow, Violation

Load = dict[str, dict[int, int]]  # region or pool role -> week -> tenths of inspector-days


def row_load(problem: Problem, row: ProgrammeRow
             ) -> tuple[dict[int, int], dict[tuple[str, int], int]]:
    """(regional tenths by week, pool tenths by (role, week)) that one programme row needs."""
    spec = problem.config.spec(row.event)
    week = weeks_between(problem.start, row.fieldwork_start) - spec.fieldwork_offset
    la = problem.dataset.las.get(row.la_code)
    regional = {w: d * TENTHS for w, d in weekly_demand(spec, week, bool(la and la.small)).items()
                if 0 <= w < problem.horizon_weeks}
    pools = {k: d * TENTHS for k, d in specialist_demand(spec, week).items()
             if 0 <= k[1] < problem.horizon_weeks}
    return regional, pools


def programme_load(problem: Problem, rows: list[ProgrammeRow]) -> tuple[Load, Load]:
    """Regional and pool load of a whole programme, from its rows alone."""
    regional: Load = defaultdict(lambda: defaultdict(int))
    pools: Load = defaultdict(lambda: defaultdict(int))
    for row in rows:
        own, specialists = row_load(problem, row)
        for week, tenths in own.items():
            regional[row.region][week] += tenths
        for (role, week), tenths in specialists.items():
            pools[role][week] += tenths
    return regional, pools


def by_quarter(problem: Problem, weekly: dict[int, int]) -> dict[tuple[int, int], int]:
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for week, tenths in weekly.items():
        totals[problem.weeks.quarter_key(week)] += tenths
    return totals


class Capacity(Family):
    """Hard R-CAP: a region's weekly demand within its inspectors' working days (leave and
    bank holidays off), its quarterly demand within their inspection_share, the RI and EDU
    pools likewise; R-LEND: a region may borrow what others have spare, at a cost."""

    rules = ("R-CAP", "R-LEND")
    kind = "hard"

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem, scope = ctx.problem, ctx.scope
        cfg = problem.config
        regional: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        pools: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for need_id, variables in ctx.x.items():
            need = problem.need_by_id[need_id]
            region = problem.region_of(need.la_code)
            small = problem.dataset.las[need.la_code].small
            for (kind, week), var in variables.items():
                spec = cfg.spec(kind)
                for w, days in weekly_demand(spec, week, small).items():
                    if 0 <= w < problem.horizon_weeks:
                        regional[region][w].append(days * TENTHS * var)
                for (role, w), days in specialist_demand(spec, week).items():
                    if 0 <= w < problem.horizon_weeks and role in cfg.capacity.pool_roles:
                        pools[role][w].append(days * TENTHS * var)
        fixed = [row for row in fixed_rows(problem) if row.region in ctx.regions]
        fixed_regional, fixed_pools = programme_load(problem, fixed)
        penalties = []
        weekly_sums: dict[str, dict[int, cp_model.LinearExprT]] = {}
        for region in ctx.regions:
            sums = {w: sum(regional[region].get(w, [])) + fixed_regional[region].get(w, 0)
                    for w in range(problem.horizon_weeks)}
            weekly_sums[region] = sums
            penalties += self._limit(ctx, region, sums, problem.regional_capacity[region],
                                     problem.regional_quarter_capacity[region],
                                     lending=cfg.capacity.lending)
            if scope.lend_room is not None and cfg.capacity.lending:
                self._within_room(ctx, region, sums, scope.lend_room,
                                  (problem.regional_capacity[region],
                                   problem.regional_quarter_capacity[region]))
        for role in cfg.capacity.pool_roles:
            if not scope.national and scope.pool_room is None:
                continue  # a regional relaxation (for the bound): no pools
            sums = {w: sum(pools[role].get(w, [])) + fixed_pools[role].get(w, 0)
                    for w in range(problem.horizon_weeks)}
            weekly, quarterly = (problem.pool_capacity[role], problem.pool_quarter_capacity[role]
                                 ) if scope.national else scope.pool_room[role]
            self._limit(ctx, role, sums, weekly, quarterly, lending=False)
        if cfg.capacity.lending and scope.national:
            self._national(ctx, weekly_sums)
        return penalties

    @staticmethod
    def _within_room(ctx: ModelContext, region: str, sums: dict[int, cp_model.LinearExprT],
                     room: Room, own: Room) -> None:
        """A region borrows no more than the rest of the country has spare."""
        problem, model = ctx.problem, ctx.model
        guard = ctx.guard("R-LEND", region)
        quarters: dict[tuple[int, int], list] = defaultdict(list)
        for week, demand in sums.items():
            model.add(cp_model.LinearExpr.sum([demand]) <= own[0][week] + room[0][week]
                      ).only_enforce_if(guard)
            quarters[problem.weeks.quarter_key(week)].append(demand)
        if problem.config.capacity.quarterly_share:
            for quarter, demands in quarters.items():
                model.add(cp_model.LinearExpr.sum(demands) <= own[1][quarter] + room[1][quarter]
                          ).only_enforce_if(guard)

    @staticmethod
    def _limit(ctx: ModelContext, name: str, sums: dict[int, cp_model.LinearExprT],
               weekly_cap: list[int], quarter_cap: dict[tuple[int, int], int],
               lending: bool) -> list[Penalty]:
        problem, model = ctx.problem, ctx.model
        weights = problem.config.weights
        guard = ctx.guard("R-CAP", name)
        borrowed, over = [], []
        threshold = problem.config.smoothing.threshold_percent
        for week, demand in sums.items():
            if isinstance(demand, int):
                model.add(cp_model.LinearExpr.constant(demand) <= weekly_cap[week]
                          ).only_enforce_if(guard)
                continue
            if lending:
                borrow = model.new_int_var(0, 1000, f"borrow {name} w{week}")
                ctx.borrowed[(name, week)] = borrow
                model.add(demand <= weekly_cap[week] + TENTHS * borrow).only_enforce_if(guard)
                borrowed.append(borrow)
                if weights.smooth_day:
                    excess = model.new_int_var(0, 1000, f"crowding {name} w{week}")
                    model.add(100 * TENTHS * excess >= 100 * demand - threshold * weekly_cap[week])
                    over.append(excess)
            else:
                model.add(demand <= weekly_cap[week]).only_enforce_if(guard)
        if problem.config.capacity.quarterly_share:
            quarters: dict[tuple[int, int], list] = defaultdict(list)
            for week, demand in sums.items():
                quarters[problem.weeks.quarter_key(week)].append(demand)
            for quarter, demands in quarters.items():
                total = sum(demands)
                if lending and not isinstance(total, int):
                    borrow = model.new_int_var(0, 10000, f"borrow {name} q{quarter}")
                    model.add(total <= quarter_cap[quarter] + TENTHS * borrow
                              ).only_enforce_if(guard)
                    borrowed.append(borrow)
                else:
                    model.add(cp_model.LinearExpr.sum(demands) <= quarter_cap[quarter]
                              ).only_enforce_if(guard)
        penalties = []
        if borrowed:
            penalties.append(Penalty("R-LEND", name, weights.lending_day, sum(borrowed)))
        if over:
            penalties.append(Penalty("R-CAP", name, weights.smooth_day, sum(over)))
        return penalties

    @staticmethod
    def _national(ctx: ModelContext, weekly_sums: dict[str, dict[int, cp_model.LinearExprT]]
                  ) -> None:
        """What regions borrow, others must have spare: national sums within national caps."""
        problem, model = ctx.problem, ctx.model
        guard = ctx.guard("R-LEND", "national")
        quarter_totals: dict[tuple[int, int], list] = defaultdict(list)
        for week in range(problem.horizon_weeks):
            demand = sum(sums[week] for sums in weekly_sums.values())
            cap = sum(problem.regional_capacity[r][week] for r in weekly_sums)
            model.add(cp_model.LinearExpr.sum([demand]) <= cap).only_enforce_if(guard)
            quarter_totals[problem.weeks.quarter_key(week)].append(demand)
        if problem.config.capacity.quarterly_share:
            for quarter, demands in quarter_totals.items():
                cap = sum(problem.regional_quarter_capacity[r][quarter] for r in weekly_sums)
                model.add(cp_model.LinearExpr.sum(demands) <= cap).only_enforce_if(guard)

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        """A draft: each region's events within its capacity, or what it lacks spare in
        other regions (R-LEND); a staffed programme: each region's own inspectors' days,
        wherever they work, within its capacity. The pools, by role."""
        regional, pools = programme_load(problem, rows)
        if any(row.team for row in rows):
            violations = self._check_home_regions(problem, home_load(problem, rows))
        else:
            violations = self._check_draft(problem, regional)
        return violations + self._check_pools(problem, pools)

    def _check_draft(self, problem: Problem, regional: Load) -> list[Violation]:
        """R-CAP by the LAs' regions: a region short in a week or quarter is refused unless
        the others have that much spare and lending is on (a draft names no lender:
        `lent_from` is filled from the teams, R-LEND)."""
        lending = problem.config.capacity.lending
        violations = []
        for period, key, deficits in shortfalls(problem, regional):
            short = {r: d for r, d in deficits.items() if d > 0}
            if lending and sum(short.values()) <= -sum(d for d in deficits.values() if d < 0):
                continue
            label = self._label(problem, period, key)
            violations += [Violation(
                "R-CAP", region, label,
                f"{region} needs {deficit / TENTHS:g} inspector-days more than it has in "
                f"{label}" + (", and other regions cannot lend them" if lending else ""))
                for region, deficit in short.items()]
        return violations

    def _check_home_regions(self, problem: Problem, load: Load) -> list[Violation]:
        """R-CAP, R-LEND (readings settled): each region's own inspectors' days, counted at
        home wherever they work, within its weekly capacity and quarterly share."""
        violations = []
        for region in problem.dataset.regions:
            for period, key, tenths in periods(problem, load[region]):
                cap = capacity_of(problem, region, period, key)
                if tenths > cap:
                    label = self._label(problem, period, key)
                    violations.append(Violation(
                        "R-CAP", region, label,
                        f"{region}'s inspectors work {tenths / TENTHS:g} days in {label} "
                        f"(days lent to other regions included), more than its "
                        f"{cap / TENTHS:g}"))
        return violations

    def _check_pools(self, problem: Problem, pools: Load) -> list[Violation]:
        """R-CAP: each specialist pool's weekly and quarterly capacity."""
        violations = []
        for role, load in pools.items():
            for week, tenths in sorted(load.items()):
                if tenths > problem.pool_capacity[role][week]:
                    violations.append(Violation(
                        "R-CAP", "national", self._label(problem, "week", week),
                        f"{role} pool needs {tenths / TENTHS:g} days, has "
                        f"{problem.pool_capacity[role][week] / TENTHS:g}"))
            if problem.config.capacity.quarterly_share:
                for quarter, tenths in sorted(by_quarter(problem, load).items()):
                    if tenths > problem.pool_quarter_capacity[role][quarter]:
                        violations.append(Violation(
                            "R-CAP", "national", self._label(problem, "quarter", quarter),
                            f"{role} pool needs {tenths / TENTHS:g} days in the quarter, "
                            f"has {problem.pool_quarter_capacity[role][quarter] / TENTHS:g}"))
        return violations

    @staticmethod
    def _label(problem: Problem, period: str, key) -> str:
        if period == "week":
            return f"week of {problem.weeks.monday(key)}"
        return f"quarter {key[0]} Q{key[1]}"


Period = tuple[str, object, int]  # ("week", week or "quarter", (year, quarter)), tenths


def periods(problem: Problem, weekly: dict[int, int]) -> list[Period]:
    """A load by week as R-CAP limits it: each week inside the horizon and, with
    `capacity.quarterly_share`, each quarter the horizon touches (every week of it)."""
    found: list[Period] = [("week", week, tenths) for week, tenths in sorted(weekly.items())
                           if 0 <= week < problem.horizon_weeks]
    if problem.config.capacity.quarterly_share:
        found += [("quarter", quarter, tenths)
                  for quarter, tenths in sorted(by_quarter(problem, weekly).items())
                  if quarter in problem.quarters]
    return found


def capacity_of(problem: Problem, region: str, period: str, key) -> int:
    """A region's tenths of inspector-days in a week or quarter (R-CAP)."""
    if period == "week":
        return problem.regional_capacity[region][key]
    return problem.regional_quarter_capacity[region][key]


def shortfalls(problem: Problem, regional: Load) -> list[tuple[str, object, dict[str, int]]]:
    """Each week and quarter in which some region's events need more than its capacity:
    (period, key, every region's need less its capacity, in tenths)."""
    loads: dict[tuple[str, object], dict[str, int]] = defaultdict(dict)
    for region in problem.dataset.regions:
        for period, key, tenths in periods(problem, regional[region]):
            loads[(period, key)][region] = tenths
    found = []
    for (period, key), need in sorted(loads.items(),
                                      key=lambda item: (item[0][0] != "week", item[0][1])):
        deficits = {r: need.get(r, 0) - capacity_of(problem, r, period, key)
                    for r in problem.dataset.regions}
        if any(d > 0 for d in deficits.values()):
            found.append((period, key, deficits))
    return found


def home_load(problem: Problem, rows: list[ProgrammeRow]) -> Load:
    """A staffed programme's regional load by the inspectors' HOME regions (R-LEND: lent
    days count against the lender): every day of theirs the rows name them for (set-up,
    off-site, on-site, report), as the staffing books them. A row that names nobody (an
    event the staffing could not fill) books nobody's days: R-ASSIGN refuses it, unless
    it names that rule in `relaxed`."""
    roles = set(problem.config.capacity.regional_roles)
    inspectors = problem.dataset.inspectors
    load: Load = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for person, parts in duties(problem, row).items():
            inspector = inspectors.get(person)
            if inspector is None or inspector.role not in roles:
                continue
            for part in parts:
                for week, days in part.days_by_week(problem).items():
                    load[inspector.region][week] += days * TENTHS
    return load


def fixed_rows(problem: Problem) -> list[ProgrammeRow]:
    """The fixed events (planned JTAIs) as programme rows, for their load."""
    rows = []
    for fixed in problem.fixed_events:
        la = problem.dataset.las[fixed.la_code]
        rows.append(ProgrammeRow(
            fixed.event_id, la.la_code, la.name, la.region, fixed.kind, "fixed", None,
            fixed.onsite_days, fixed.onsite_days[0], fixed.onsite_days[-1], None, None, None,
            None, None))
    return rows
