"""Regional decomposition of the national model.

Without the national couplings (the RI and EDU pools, lending between regions, the JTAI
cap) the regions are independent problems. So:

1. *First plan*: the baseline planner (scheduler/baseline.py) places every event by hand-
   planner rules in seconds: a national programme, and the hint for what follows.
2. *Improve*: each region's model in turn (its share of the JTAI slots as a quota) to its
   optimum (or the gap limit), within the room the regions solved before it leave: pool
   days and people, and the days and people it may borrow. So the couplings hold.
3. *Bound*: each region again without the JTAI quota and without the couplings: a
   relaxation, so the sum of these bounds is a lower bound on the national optimum. Solved
   to proof (solver.bound_parameters), with 40 % of the time limit and whatever step 2 did
   not use; what the relaxations proved early goes, at the end, to those left unproven.
4. *Rework*: the regions whose programme stopped on time, far from their relaxation's
   bound, solved again from their plan within the room the others' final plans leave.
5. *Check*: the combined programme is checked against the couplings (it meets them by
   construction); a region with no plan at all, or a breach, falls back to the national
   model, hinted with the combined programme.
6. *Polish*: the national model around the combined programme, where the events the
   regions compete for may move (scheduler/polish.py; not in a re-plan, which starts from a
   programme already agreed).
7. *Shared bound*: relaxations still unproven resumed first; then the relaxations' bound
   raised where they together overuse a national resource (scheduler/shared_bound.py),
   until the gap is within the limit or its share of the time is spent. The gap we report
   is against this bound. Not in a re-plan either.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from constraints.capacity import by_quarter, programme_load, row_load
from constraints.jtai import jtai_targets, programme_year
from scheduler.calendar import weeks_between
from scheduler.context import Scope
from scheduler.headcount import (
    free_people,
    programme_needs,
    row_needs,
    shortages_of,
)
from scheduler.polish import polish
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.region_solve import (
    MIN_RESUME,
    RegionRun,
    RelaxationModels,
    resume_unproven,
    solve_region,
)
from scheduler.rooms import Chosen, Ledger
from scheduler.shared_bound import shared_bound
from scheduler.solve import with_limit


def jtai_quotas(problem: Problem) -> dict[str, dict[int, int]]:
    """Share each programme year's JTAI slots (less the fixed JTAIs) among the regions in
    proportion to their focused visits that may become JTAIs (largest remainder)."""
    fixed_by_year: dict[int, int] = defaultdict(int)
    for fixed in problem.fixed_events:
        fixed_by_year[programme_year(problem, fixed.onsite_days[0])] += 1
    regions = sorted(problem.dataset.regions)
    quotas: dict[str, dict[int, int]] = {region: {} for region in regions}
    for year, target in enumerate(jtai_targets(problem)):
        free = max(0, target - fixed_by_year[year])
        first, last = problem.weeks.monday(52 * year), problem.weeks.monday(
            min(52 * year + 51, problem.horizon_weeks - 1))
        eligible = {region: 0 for region in regions}
        for need in problem.needs:
            if "JTAI" in problem.kinds_for(need) and need.earliest <= last and (
                    need.latest is None or need.latest >= first):
                eligible[problem.region_of(need.la_code)] += 1
        total = sum(eligible.values())
        if not free or not total:
            continue
        exact = {r: free * eligible[r] / total for r in regions}
        share = {r: int(exact[r]) for r in regions}
        for region in sorted(regions, key=lambda r: (share[r] - exact[r], r))[
                :free - sum(share.values())]:
            share[region] += 1
        for region in regions:
            quotas[region][year] = share[region]
    return quotas


def jtais_by_year(problem: Problem, chosen: Chosen) -> dict[int, int]:
    """JTAIs per programme year: the fixed ones and those of ``chosen``."""
    count: dict[int, int] = defaultdict(int)
    for fixed in problem.fixed_events:
        count[programme_year(problem, fixed.onsite_days[0])] += 1
    for kind, week in chosen.values():
        if kind == "JTAI":
            count[(week + problem.config.spec(kind).fieldwork_offset) // 52] += 1
    return count


def jtai_room(problem: Problem, others: Chosen) -> dict[int, int]:
    """Per programme year, the JTAI slots (less the fixed JTAIs) the other regions' plans
    leave."""
    used = jtais_by_year(problem, others)
    return {year: max(0, target - used[year])
            for year, target in enumerate(jtai_targets(problem))}


def room_scope(problem: Problem, region: str, plan: Chosen, ledger: Ledger,
               quotas: dict[str, dict[int, int]] | None = None) -> Scope:
    """The region's scope inside the room the rest of ``plan`` (its load kept in
    ``ledger``) leaves: its JTAI quota is what the others' plans leave of the slots, or its
    share in ``quotas`` (where there is no first plan to count from)."""
    if quotas is not None:
        quota = quotas[region]
    else:
        quota = jtai_room(problem, {k: v for k, v in plan.items()
                                    if ledger.home[k] != region})
    return Scope(region, quota, *ledger.room(region))


def rework_programmes(problem: Problem, programmes: dict[str, RegionRun],
                      relaxations: dict[str, RegionRun], gap_limit: float,
                      params: dict[str, object], budget: float,
                      quotas: dict[str, dict[int, int]] | None = None) -> float:
    """Spend up to ``budget`` deterministic seconds on the regions whose programme stopped
    on time further than ``gap_limit`` from their relaxation's bound, the widest gap first,
    each its part by the width of its gap: solved again from its plan, within the room the
    others' final plans leave (`room_scope`, with ``quotas``), its relaxation's bound the
    floor. The deterministic time spent."""
    gaps = {region: run.objective - relaxations[region].bound
            for region, run in programmes.items()
            if run.status == "FEASIBLE" and relaxations[region].feasible
            and run.objective - relaxations[region].bound > gap_limit * run.objective}
    todo = sorted(gaps, key=lambda r: (-gaps[r], r))
    combined = {k: v for run in programmes.values() for k, v in run.chosen.items()}
    ledger = Ledger(problem, combined)
    spent, widths = 0.0, sum(gaps.values())
    for region in todo:  # each its part of the budget by the width of its gap
        seconds = (budget - spent) * gaps[region] / widths
        widths -= gaps[region]
        if seconds < MIN_RESUME:
            continue
        before = programmes[region]
        again = solve_region(problem, room_scope(problem, region, combined, ledger, quotas),
                             with_limit(params, seconds), before.chosen,
                             floor=relaxations[region].bound)
        spent += again.deterministic_time
        if again.feasible and again.objective < before.objective:
            again.deterministic_time += before.deterministic_time
            again.wall_time += before.wall_time
            programmes[region] = again
            combined = {k: v for k, v in combined.items() if ledger.home[k] != region}
            combined.update(again.chosen)
            ledger.replace(region, again.chosen)
        else:
            before.deterministic_time += again.deterministic_time
    return spent


def _rows_of(problem: Problem, chosen: Chosen, regions: set[str]) -> list[ProgrammeRow]:
    from scheduler.export import programme_rows

    return [r for r in programme_rows(problem, chosen) if r.region in regions]


def coupling_breaches(problem: Problem, chosen: Chosen) -> set[str]:
    """Regions involved where the combined programme breaks a national coupling: a pool
    over capacity (week, quarter or day), or regions borrowing more days, or more people on
    a day, than the others have spare."""
    rows = _rows_of(problem, chosen, set(problem.dataset.regions))
    regional, pools = programme_load(problem, rows)
    involved: set[str] = set()
    quarterly = problem.config.capacity.quarterly_share
    for role, load in pools.items():
        over = {w for w, t in load.items() if t > problem.pool_capacity[role][w]}
        over_q = {q for q, t in by_quarter(problem, load).items()
                  if quarterly and t > problem.pool_quarter_capacity[role][q]}
        if over or over_q:
            involved |= _regions_using(problem, rows, role, over, over_q)
    if problem.config.capacity.lending:
        for caps, loads in _periods(problem, regional):
            for key in {k for load in loads.values() for k in load}:
                deficit = {r: loads[r].get(key, 0) - caps[r][key] for r in loads}
                borrowed = sum(d for d in deficit.values() if d > 0)
                if borrowed > -sum(d for d in deficit.values() if d < 0):
                    involved |= {r for r, d in deficit.items() if d > 0}
    else:
        for caps, loads in _periods(problem, regional):
            involved |= {r for r, load in loads.items() for k, t in load.items()
                         if t > caps[r][k]}
    if problem.config.assignment.daily_headcount:
        involved |= _day_breaches(problem, rows)
    return involved


def _day_breaches(problem: Problem, rows: list[ProgrammeRow]) -> set[str]:
    """Regions involved in a day that needs more people than are free (headcount.py)."""
    free, needed = free_people(problem), programme_needs(problem, rows)
    regions = set(problem.dataset.regions)
    involved: set[str] = set()
    for group, what, day, _, _ in shortages_of(problem, needed):
        if not what:  # a pool: every region with an event needing it that day
            involved |= {row.region for row in rows
                         if day in row_needs(problem, row).pools.get(group, {})}
        elif group in regions:
            involved.add(group)
        else:  # the country short: the regions that borrow that day
            involved |= {r for r in regions
                         if needed.get((r, what), {}).get(day, 0) > free[(r, what)][day]}
    return involved


def _periods(problem: Problem, regional):
    loads_w = {r: dict(regional.get(r, {})) for r in problem.dataset.regions}
    yield problem.regional_capacity, loads_w
    if problem.config.capacity.quarterly_share:
        yield problem.regional_quarter_capacity, {
            r: by_quarter(problem, load) for r, load in loads_w.items()}


def _regions_using(problem: Problem, rows: list[ProgrammeRow], role: str, weeks: set[int],
                   quarters: set[tuple[int, int]]) -> set[str]:
    """Regions with an event that draws on the pool in one of these weeks or quarters."""
    return {row.region for row in rows for (pool, w) in row_load(problem, row)[1]
            if pool == role and (w in weeks or problem.weeks.quarter_key(w) in quarters)}


@dataclass
class Decomposed:
    """The combined programme and what the decomposition measured."""

    chosen: Chosen
    objective: float
    bound: float
    costs: list[tuple[str, str, int]]
    first_solution_time: float
    runs: list[RegionRun]
    infeasible_region: str | None = None
    rework: dict[str, object] = field(default_factory=dict)  # what step 4 did (run.json)
    polish: dict[str, object] = field(default_factory=dict)  # step 6 (run.json)
    shared_bound: dict[str, object] = field(default_factory=dict)  # step 7 (run.json)


def national_costs(problem: Problem, runs: dict[str, RegionRun], chosen: Chosen
                   ) -> list[tuple[str, str, int]]:
    """Every soft term of the combined programme, the JTAI shortfall counted nationally."""
    costs = [c for run in runs.values() for c in run.costs if c[0] != "R-JTAI-CAP"]
    weight = problem.config.weights.jtai_shortfall
    if not weight:
        return costs
    count = jtais_by_year(problem, chosen)
    for year, target in enumerate(jtai_targets(problem)):
        if target:
            costs.append(("R-JTAI-CAP", f"year {year + 1}",
                          weight * max(0, target - count[year])))
    return costs


def chosen_from_rows(problem: Problem, rows: list[ProgrammeRow]) -> Chosen:
    """The placements (kind, notice week) of a programme's planned rows."""
    return {row.need_id: (row.event, weeks_between(problem.start, row.fieldwork_start)
                          - problem.config.spec(row.event).fieldwork_offset)
            for row in rows if row.need_id in problem.need_by_id}


def decompose(problem: Problem, params: dict[str, object], time_limit: float,
              report: Callable[[str, float, float, float], None] | None = None,
              hint: Chosen | None = None,
              first_programme: Callable[[list[ProgrammeRow]], None] | None = None
              ) -> Decomposed:
    """Solve region by region (see the module docstring). ``report(scope, elapsed,
    objective, bound)`` is called as solutions improve, ``first_programme(rows)`` with the
    baseline planner's programme once it is found."""
    from scheduler.baseline import plan_baseline

    started = time.perf_counter()
    regions = sorted(problem.dataset.regions)
    quotas = jtai_quotas(problem)
    weight = {r: 1 + sum(1 for n in problem.needs if problem.region_of(n.la_code) == r)
              for r in regions}
    total = sum(weight.values())
    first_time = None
    warm_start = hint is not None  # a re-plan's baseline is a hint worth keeping
    if hint is None:  # a first programme by hand-planner rules, in a few seconds
        greedy = plan_baseline(problem)
        if greedy.rows:  # where it could not place an event, the rest still starts from it
            hint = chosen_from_rows(problem, greedy.rows)
        if greedy.feasible:
            first_time = time.perf_counter() - started
            if first_programme:
                first_programme(greedy.rows)

    # the relaxations and the shared bound exist for the bound: solved to proof (a
    # re-plan keeps its own parameters: it is timed by the users who wait for it)
    proving = params if warm_start else dict(params, **problem.config.solver.bound_parameters)

    def limited(region: str, share: float, seconds: float | None = None,
                base: dict[str, object] = params) -> dict[str, object]:
        seconds = seconds or max(1.0, time_limit * share * weight[region] / total)
        return with_limit(base, seconds)

    # the core search ignores a hint: a solve meant to start from a plan keeps CP-SAT's own
    # subsolvers, which try the hint first and then improve on it (measured at 90 regions
    # with the core search: 7 regions found nothing even from their first plan)
    following = {k: v for k, v in params.items() if k not in ("subsolvers", "use_lns")}
    home = {n.need_id: problem.region_of(n.la_code) for n in problem.needs}
    relaxation_models = RelaxationModels(problem)  # steps 3 and 7 solve the same models
    by_region = {r: {k: v for k, v in (hint or {}).items() if home[k] == r} for r in regions}

    def run_all(share: float, hints: dict[str, Chosen], quota: bool) -> dict[str, RegionRun]:
        """Each region in turn. With ``quota`` (the programme), within the room the rest of
        the combined plan leaves: the regions solved so far, the others' first plan. That
        combination always meets the couplings, so a region's first plan always fits its
        room and rescues it if its model finds nothing better."""
        done: dict[str, RegionRun] = {}
        current = dict(hint or {})
        ledger = Ledger(problem, current) if quota else None  # the others' load
        budget, weight_left = time_limit * share, total
        # at least a second each, or an equal share where there are too many regions for
        # that (measured at 90 regions: the stage took 3 times its budget)
        least = min(1.0, budget / len(regions))
        # smallest first: what a region proves early is left to the larger ones
        for region in sorted(regions, key=lambda r: (weight[r], r)):
            seconds = max(least, budget * weight[region] / weight_left)
            # under a second, a cold solve mostly finds nothing (measured at 90 regions:
            # a third of them) and a second solve from the first plan follows: start there
            from_first = quota and not hints.get(region) and seconds < 1.0
            start = hints.get(region) or (by_region[region] if from_first else None)
            weight_left -= weight[region]

            def progress(elapsed: float, objective: float, bound: float,
                         region: str = region) -> None:
                if report:
                    report(region, time.perf_counter() - started, objective, bound)

            fixed_quotas = None if hint else quotas
            scope = (room_scope(problem, region, current, ledger, fixed_quotas) if ledger
                     else Scope(region, None))
            rescue = (by_region[region], limited(region, 0.2, base=following)) if (
                quota and by_region[region]) else None
            base = following if from_first else params if quota else proving
            run = solve_region(problem, scope, limited(region, share, seconds, base),
                               start, progress, rescue,
                               built=None if quota else relaxation_models(region))
            budget -= run.deterministic_time
            ahead = {k for k in current if home[k] not in done and home[k] != region}
            if quota and run.status == "INFEASIBLE" and ahead:
                # the first plan (a re-plan's hint, with weeks now forbidden) of the regions
                # still to come holds what this one needs: they will fit around it instead
                current = {k: v for k, v in current.items() if k not in ahead}
                ledger = Ledger(problem, current)
                run = solve_region(problem, room_scope(problem, region, current, ledger,
                                                       fixed_quotas),
                                   limited(region, share, seconds), start, progress, rescue)
            done[region] = run
            if run.status == "INFEASIBLE":
                break
            current = {k: v for k, v in current.items() if home[k] != region}
            current.update(run.chosen)
            if ledger:
                ledger.replace(region, run.chosen)
        if not quota:  # what the relaxations proved early goes to those left unproven
            resume_unproven(problem, done, proving, budget, relaxation_models)
        return {region: done[region] for region in regions if region in done}

    # Measured: a cold regional solve finds far better plans than one hinted with the
    # greedy plan (which anchors the search); the hint rescues a region that found nothing.
    best = run_all(0.6, by_region if warm_start else {}, True)
    infeasible = next((r for r, run in best.items() if run.status == "INFEASIBLE"), None)
    if infeasible:  # with its JTAI quota; without it, the region is a true relaxation
        relaxed_run = solve_region(problem, Scope(infeasible, None), limited(infeasible, 0.2),
                                   built=relaxation_models(infeasible))
        if relaxed_run.status == "INFEASIBLE":
            return Decomposed({}, 0, 0, [], 0, list(best.values()), infeasible)
        raise CouplingError([infeasible])
    if not all(run.feasible for run in best.values()):
        raise CouplingError([r for r, run in best.items() if not run.feasible])
    if first_time is None:
        first_time = time.perf_counter() - started
    # the bound gets 40 % of the time, and what the programme left unused
    used = sum(run.deterministic_time for run in best.values())
    relaxed = run_all(max(0.4, 1 - used / time_limit),
                      {r: run.chosen for r, run in best.items()}, False)
    bound = sum(run.bound for run in relaxed.values())
    stages = sum(run.deterministic_time for run in (*best.values(), *relaxed.values()))
    share = problem.config.solver.shared_bound_share
    gap_limit = float(params.get("relative_gap_limit", 0.0))
    reworked, rework_record = 0.0, {}
    if not warm_start:  # programmes stopped on time: half the last steps' share
        before = {region: run.objective for region, run in best.items()}
        reworked = rework_programmes(problem, best, relaxed, gap_limit, params,
                                     share * time_limit / 2, None if hint else quotas)
        if reworked:
            rework_record = {
                "regions": {r: [before[r], run.objective] for r, run in best.items()
                            if run.objective < before[r]},
                "deterministic time": round(reworked, 2)}
    chosen = {k: v for run in best.values() for k, v in run.chosen.items()}
    breaches = coupling_breaches(problem, chosen)
    if breaches:  # cannot happen by construction (run_all); the national model if it does
        raise CouplingError(sorted(breaches), chosen)
    costs = national_costs(problem, best, chosen)
    objective = sum(c for _, _, c in costs)
    polish_record: dict[str, object] = {}
    if problem.config.solver.polish_radius_weeks and not warm_start:
        # what the two stages left, and at least a tenth of the limit (measured: England
        # needs 3 deterministic seconds to prove the neighbourhood's optimum)
        left = time_limit - stages
        polished = polish(problem, chosen, {k: v for run in relaxed.values()
                                            for k, v in run.chosen.items()},
                          with_limit(dict(params, relative_gap_limit=0.0),
                                     max(left, 0.1 * time_limit)))
        if polished:
            polish_record = {"events free": polished.free_events, "status": polished.status,
                             "objective before": objective, "objective after": min(
                                 objective, polished.objective),
                             "deterministic time": round(polished.deterministic_time, 2)}
        if polished and polished.objective < objective:
            chosen, costs, objective = polished.chosen, polished.costs, polished.objective
    shared_record: dict[str, object] = {}
    if share and not warm_start and all(run.feasible for run in relaxed.values()) and (
            objective * (1 - gap_limit) > bound):
        # until the gap is within the limit, or its share of the time is spent, and what
        # the steps before left (measured on England: North West's solve alone takes 9 s)
        spent = stages + float(polish_record.get("deterministic time", 0.0))
        # the other half of the share (the rework's solves may overrun theirs)
        budget = share * time_limit - min(reworked, share * time_limit / 2) + max(
            0.0, time_limit - spent)
        # a relaxation left unproven first: its gap is all bound (measured on synthetic
        # 1x, 156 weeks, seed 0: the shared bound spent 21 s to add 13 while two regions'
        # relaxations stood unproven)
        resumed = resume_unproven(problem, relaxed, proving, budget, relaxation_models)
        bound = sum(run.bound for run in relaxed.values())
        enough = objective * (1 - gap_limit) - bound
        if enough > 0:

            def rising(rise: float) -> None:
                if report:
                    report("shared bound", time.perf_counter() - started, objective,
                           bound + rise)

            shared = shared_bound(problem, {r: run.chosen for r, run in relaxed.items()},
                                  {r: run.bound for r, run in relaxed.items()}, proving,
                                  budget - resumed, enough, rising, relaxation_models)
            bound += shared.rise
            shared_record = {"clusters": shared.clusters, "solves": shared.solves,
                             "rise": shared.rise,
                             "deterministic time": round(shared.deterministic_time, 2)}
        if resumed:
            shared_record["relaxations resumed (deterministic time)"] = round(resumed, 2)
    if report:
        report("national", time.perf_counter() - started, objective, bound)
    runs = list(best.values()) + list(relaxed.values())
    return Decomposed(chosen, objective, bound, costs, first_time, runs,
                      rework=rework_record, polish=polish_record, shared_bound=shared_record)


class CouplingError(Exception):
    """The regions could not be made to fit the national couplings one at a time;
    ``chosen`` is the combined regional plan, a hint for the national model."""

    def __init__(self, regions: list[str], chosen: Chosen | None = None):
        super().__init__(regions)
        self.chosen = chosen or {}
