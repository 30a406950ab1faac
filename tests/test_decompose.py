"""Regional decomposition: a checked programme, a valid bound, the same plan twice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.calendar import weeks_between
from scheduler.check import check_file, check_rows
from scheduler.config import load_config
from scheduler.decompose import coupling_breaches, jtai_quotas
from scheduler.export import lending_by_capacity, write_outputs
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.solve import solve

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"


def _problem(folder: Path) -> Problem:
    # two regions that must lend to each other: the couplings are exercised
    generate_dataset(folder, 16, 2, seed=3, template=ENGLAND, horizon_weeks=78)
    config = load_config(overrides={"solver": {"time_limit_seconds": 10.0}})
    return Problem.build(read_dataset(folder), config)


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    return _problem(tmp_path_factory.mktemp("three-regions"))


@pytest.fixture(scope="module")
def solved(problem: Problem):
    """The regional solve, and the first programmes it handed over before solving."""
    firsts: list = []
    return solve(problem, first_programme=firsts.append), firsts


@pytest.fixture(scope="module")
def regional(solved):
    return solved[0]


def test_first_programme_is_complete_and_passes_the_checker(problem, solved, tmp_path):
    """The programme the regions start from is handed over once, complete and valid, so a
    run stopped later still has one."""
    from scheduler.programme import read_programme_csv, write_programme_csv

    _, firsts = solved
    assert len(firsts) == 1
    write_programme_csv(firsts[0], tmp_path / "first.csv")
    assert check_rows(problem, read_programme_csv(tmp_path / "first.csv")) == []
    placed = {row.need_id for row in firsts[0]}
    assert {n.need_id for n in problem.needs if n.mandatory} <= placed


def test_regional_programme_passes_the_independent_checker(problem, regional, tmp_path):
    assert regional.parameters["method"] == "regional decomposition"
    assert regional.feasible
    assert lending_by_capacity(problem, regional.rows)  # the regions lend to each other
    write_outputs(problem, regional, tmp_path, [])
    assert check_file(problem, tmp_path / "programme.csv") == []
    placed = {row.need_id for row in regional.rows}
    assert {n.need_id for n in problem.needs if n.mandatory} <= placed


def test_combined_programme_meets_the_national_couplings(problem, regional):
    chosen = {}
    for row in regional.rows:
        if row.need_id:
            offset = problem.config.spec(row.event).fieldwork_offset
            chosen[row.need_id] = (row.event, weeks_between(problem.start, row.fieldwork_start)
                                   - offset)
    assert coupling_breaches(problem, chosen) == set()
    assert regional.objective >= regional.bound


def test_bound_is_below_the_national_optimum(problem, regional):
    """The sum of the relaxed regional optima never exceeds what the one national model
    finds: compare with the national model solved on the same problem."""
    national = solve(replace(problem, config=replace(
        problem.config, solver=replace(problem.config.solver, decompose=False))))
    assert national.feasible
    assert regional.bound <= national.objective + 1e-6
    assert national.bound <= regional.objective + 1e-6


def test_same_inputs_same_programme(problem, regional):
    again = solve(problem)
    assert [(r.event_id, r.onsite_days) for r in again.rows] == \
        [(r.event_id, r.onsite_days) for r in regional.rows]


def test_jtai_quotas_share_the_free_slots(problem):
    quotas = jtai_quotas(problem)
    targets = problem.config.jtai.slots_per_year
    for year in range(2):
        assert sum(q.get(year, 0) for q in quotas.values()) <= targets


def _recounted_room(problem: Problem, plan: dict, region: str):
    """A region's room recounted from every other region's rows (what the ledger keeps as
    running totals)."""
    from constraints.capacity import by_quarter, fixed_rows, programme_load
    from scheduler.export import event_row
    from scheduler.headcount import HEADS, LEADS, free_people, programme_needs

    rows = [event_row(problem, k, kind, week) for k, (kind, week) in plan.items()]
    rows = [r for r in rows + fixed_rows(problem) if r.region != region]
    others = set(problem.dataset.regions) - {region}
    regional, pools = programme_load(problem, rows)
    weeks, days = range(problem.horizon_weeks), range(7 * problem.horizon_weeks)
    pool_room = {}
    for role in problem.config.capacity.pool_roles:
        quarter = by_quarter(problem, pools.get(role, {}))
        pool_room[role] = ([problem.pool_capacity[role][w] - pools.get(role, {}).get(w, 0)
                            for w in weeks],
                           {q: cap - quarter.get(q, 0)
                            for q, cap in problem.pool_quarter_capacity[role].items()})
    spare_w = [sum(problem.regional_capacity[r][w] - regional.get(r, {}).get(w, 0)
                   for r in others) for w in weeks]
    spare_q = {q: sum(problem.regional_quarter_capacity[r][q]
                      - by_quarter(problem, regional.get(r, {})).get(q, 0) for r in others)
               for q in problem.regional_quarter_capacity[region]}
    free, needed = free_people(problem), programme_needs(problem, rows)
    day_room = {role: [free[(role, "")][d] - needed.get((role, ""), {}).get(d, 0)
                       for d in days] for role in problem.config.capacity.pool_roles}
    for what in (HEADS, LEADS):
        day_room[what] = [sum(free[(r, what)][d] - needed.get((r, what), {}).get(d, 0)
                              for r in others) for d in days]
    return pool_room, (spare_w, spare_q), day_room


def test_ledger_room_is_the_room_recounted_from_the_other_regions(problem, regional):
    """The running totals give each region what a recount of everyone else's events
    gives, before and after a region's plan is replaced."""
    from scheduler.decompose import chosen_from_rows
    from scheduler.rooms import Ledger

    plan = chosen_from_rows(problem, regional.rows)
    ledger = Ledger(problem, plan)
    for region in sorted(problem.dataset.regions):
        assert ledger.room(region) == _recounted_room(problem, plan, region)
    first = sorted(problem.dataset.regions)[0]
    moved = {k: (kind, week + 1) for k, (kind, week) in plan.items()
             if problem.region_of(problem.need_by_id[k].la_code) == first}
    ledger.replace(first, moved)
    plan = {**plan, **moved}
    for region in sorted(problem.dataset.regions):
        assert ledger.room(region) == _recounted_room(problem, plan, region)


def test_a_region_that_finds_nothing_is_rescued_from_its_first_plan(problem):
    """A regional solve that ends with nothing is solved again on the same model, hinted
    with the region's first plan (the baseline planner's), and keeps a complete plan."""
    from scheduler.baseline import plan_baseline
    from scheduler.context import Scope
    from scheduler.decompose import chosen_from_rows
    from scheduler.region_solve import solve_region
    from scheduler.solve import solver_parameters, with_limit

    region = sorted(problem.dataset.regions)[0]
    ours = {n.need_id for n in problem.needs if problem.region_of(n.la_code) == region}
    first = {k: v for k, v in chosen_from_rows(problem, plan_baseline(problem).rows).items()
             if k in ours}
    params = solver_parameters(problem, regional=True)
    nothing = with_limit(params, 1e-9)  # stops before any solution
    assert solve_region(problem, Scope(region, None), nothing).status == "UNKNOWN"
    run = solve_region(problem, Scope(region, None), nothing,
                       rescue=(first, with_limit(params, 5.0)))
    assert run.feasible
    mandatory = {n.need_id for n in problem.needs if n.mandatory and n.need_id in ours}
    assert mandatory <= set(run.chosen) <= ours
    # with no time for the rescue either, the plan itself, fixed, is the answer
    last = solve_region(problem, Scope(region, None), nothing, rescue=(first, nothing))
    assert last.feasible and last.chosen == first


def test_under_a_second_per_region_the_regions_start_from_their_first_plan(problem, tmp_path):
    """With less than a second of deterministic time per region, each region starts from
    its first plan: the combined programme is still complete and passes the checker."""
    result = solve(problem, time_limit=1.0)
    assert result.parameters["method"] == "regional decomposition"
    assert result.feasible
    write_outputs(problem, result, tmp_path, [])
    assert check_file(problem, tmp_path / "programme.csv") == []
    placed = {row.need_id for row in result.rows}
    assert {n.need_id for n in problem.needs if n.mandatory} <= placed


def test_polish_brings_back_a_needless_delay_and_holds_every_other_event(problem, regional,
                                                                        tmp_path):
    """Around a programme where one inspection was put off two weeks for nothing, the polish
    moves that inspection (it differs from the relaxation) and holds every other event; its
    programme costs no more than the one before the delay and passes the checker."""
    from scheduler.decompose import chosen_from_rows
    from scheduler.export import programme_rows
    from scheduler.polish import contested_events, polish
    from scheduler.solve import solver_parameters, with_limit

    plan = chosen_from_rows(problem, regional.rows)
    delayed_id = next(n.need_id for n in problem.needs
                      if n.target is not None and n.need_id in plan and n.kind != "AEM")
    kind, week = plan[delayed_id]
    delayed = {**plan, delayed_id: (kind, week + 2)}
    assert contested_events(problem, delayed, plan) == {delayed_id}
    params = with_limit(dict(solver_parameters(problem, regional=True),
                             relative_gap_limit=0.0), 10.0)
    polished = polish(problem, delayed, plan, params)
    assert polished is not None and polished.free_events == 1
    assert {k: v for k, v in polished.chosen.items() if k != delayed_id} == \
        {k: v for k, v in delayed.items() if k != delayed_id}
    moved = polished.chosen[delayed_id][1] - (week + 2)
    assert abs(moved) <= problem.config.solver.polish_radius_weeks
    assert polished.objective <= regional.objective
    rows = programme_rows(problem, polished.chosen)
    assert check_rows(problem, rows) == []


def test_a_negative_polish_radius_is_refused():
    from scheduler.errors import InputError

    with pytest.raises(InputError, match=r"solver\.polish_radius_weeks"):
        load_config(overrides={"solver": {"polish_radius_weeks": -1}})


def test_an_unproven_relaxation_is_resumed_from_its_plan_and_bound(problem):
    """A relaxation left unproven is solved again from its plan, starting from the bound it
    had proved, to its optimum; one already proven is left as it is."""
    from scheduler.context import Scope
    from scheduler.region_solve import resume_unproven, solve_region
    from scheduler.solve import solver_parameters, with_limit

    params = dict(solver_parameters(problem, regional=True), relative_gap_limit=0.0)
    regions = sorted(problem.dataset.regions)
    proven = {r: solve_region(problem, Scope(r, None), with_limit(params, 10.0))
              for r in regions}
    assert all(run.status == "OPTIMAL" for run in proven.values())
    optimum = {r: run.objective for r, run in proven.items()}
    assert resume_unproven(problem, dict(proven), params, 10.0) == 0.0
    first = regions[0]
    low = optimum[first] // 2
    unproven = dict(proven, **{first: replace(proven[first], status="FEASIBLE", bound=low)})
    spent = resume_unproven(problem, unproven, params, 10.0)
    assert spent > 0
    assert unproven[first].bound == unproven[first].objective == optimum[first]
    assert unproven[regions[1]] is proven[regions[1]]
    above = solve_region(problem, Scope(first, None), with_limit(params, 10.0),
                         floor=optimum[first] + 1)
    assert above.bound >= optimum[first] + 1  # the floor holds the objective
    assert not above.feasible or above.objective >= optimum[first] + 1


def test_a_programme_stopped_on_time_is_reworked_within_its_room(problem, tmp_path):
    """Programmes left at their first plan (as if stopped on time) are solved again from
    it, within the room the others leave: no dearer, one at least cheaper, and the combined
    programme still meets the couplings and passes the checker."""
    from scheduler.baseline import plan_baseline
    from scheduler.context import Scope
    from scheduler.decompose import chosen_from_rows, jtai_room, rework_programmes
    from scheduler.export import programme_rows
    from scheduler.region_solve import solve_region
    from scheduler.rooms import Ledger
    from scheduler.solve import solver_parameters, with_limit

    params = solver_parameters(problem, regional=True)
    first = chosen_from_rows(problem, plan_baseline(problem).rows)
    home = {n.need_id: problem.region_of(n.la_code) for n in problem.needs}
    ledger = Ledger(problem, first)
    nothing = with_limit(params, 1e-9)  # stops before any solution
    as_it_is = dict(with_limit(params, 5.0), fix_variables_to_their_hinted_value=True)
    programmes, relaxations = {}, {}
    for region in sorted(problem.dataset.regions):
        mine = {k: v for k, v in first.items() if home[k] == region}
        others = {k: v for k, v in first.items() if home[k] != region}
        scope = Scope(region, jtai_room(problem, others), *ledger.room(region))
        run = solve_region(problem, scope, nothing, rescue=(mine, as_it_is))
        assert run.chosen == mine  # the first plan, priced by the region's model
        programmes[region] = replace(run, status="FEASIBLE")
        relaxations[region] = solve_region(problem, Scope(region, None),
                                           with_limit(params, 10.0))
    before = {r: run.objective for r, run in programmes.items()}
    spent = rework_programmes(problem, programmes, relaxations, 0.005, params, 4.0)
    assert spent > 0
    assert all(programmes[r].objective <= before[r] for r in before)
    assert any(programmes[r].objective < before[r] for r in before)
    assert all(programmes[r].objective >= relaxations[r].bound for r in before)
    combined = {k: v for run in programmes.values() for k, v in run.chosen.items()}
    assert coupling_breaches(problem, combined) == set()
    assert check_rows(problem, programme_rows(problem, combined)) == []
