"""The bound across the couplings: the cheapest sharing of an overused resource, and a
bound that rises yet stays below the national optimum."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.couplings import capacities, fixed_use, row_use
from scheduler.export import event_row
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.shared_bound import (
    INFINITE,
    Cluster,
    Levels,
    cheapest_sharing,
    contested_clusters,
    shared_bound,
)
from scheduler.solve import solve, solver_parameters

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"
DAY = ("day", "RI", 8)


def _cluster(use: dict[str, int], capacity: int, key=DAY) -> Cluster:
    return Cluster(frozenset({key}), capacity, use)


def test_the_cheapest_regions_give_way():
    """Eight wanted, four there: the two cheapest regions to hold back pay, and only the
    levels a solve has not reached below are left to refine."""
    clusters = [_cluster({"A": 4, "B": 4, "C": 4}, 4)]
    levels = {("A", 0): Levels(1000, [(3, 1100)]), ("B", 0): Levels(500, [(3, 550)]),
              ("C", 0): Levels(200, [(3, INFINITE)])}  # C cannot give way at all
    rise, leaning = cheapest_sharing(clusters, levels)
    assert rise == 150  # A (100) and B (50) down to nothing
    assert leaning == {("A", 0), ("B", 0)}  # both rest on their deepest level


def test_a_region_known_deeper_pays_more():
    """Once B is known to cost 120 below a use of 2 (50 down to 2), holding B back fully is
    no longer the cheapest: A and C give way instead, and B is not refined further."""
    clusters = [_cluster({"A": 4, "B": 4, "C": 4}, 4)]
    levels = {("A", 0): Levels(1000, [(3, 1100)]), ("B", 0): Levels(500, [(3, 550), (1, 620)]),
              ("C", 0): Levels(200, [(3, 230)])}
    rise, leaning = cheapest_sharing(clusters, levels)
    assert rise == 100 + 30  # against B (120) with C (30), or B to 2 (50) with A (100): 6 > 4
    assert leaning == {("A", 0), ("C", 0)}


def test_a_region_in_two_clusters_pays_its_largest_rise_once():
    clusters = [_cluster({"A": 2, "B": 2}, 2), _cluster({"A": 2, "B": 2}, 2, ("day", "RI", 9))]
    levels = {("A", 0): Levels(100, [(1, 140)]), ("A", 1): Levels(100, [(1, 130)]),
              ("B", 0): Levels(100, [(1, 200)]), ("B", 1): Levels(100, [(1, 200)])}
    rise, _ = cheapest_sharing(clusters, levels)
    assert rise == 40  # A gives way in both, and pays max(40, 30), not the sum


def _problem(folder: Path, **solver) -> Problem:
    generate_dataset(folder, 16, 2, seed=3, template=ENGLAND, horizon_weeks=78)
    config = load_config(overrides={"solver": {"time_limit_seconds": 10.0, **solver}})
    return Problem.build(read_dataset(folder), config)


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    return _problem(tmp_path_factory.mktemp("two-regions"))


@pytest.fixture(scope="module")
def optimum(problem: Problem) -> float:
    """The national model's proven optimum."""
    national = solve(replace(problem, config=replace(problem.config, solver=replace(
        problem.config.solver, decompose=False, relative_gap_limit=0.0))), time_limit=120)
    assert national.status == "OPTIMAL"
    return national.objective


def test_the_shared_bound_rises_and_stays_below_the_national_optimum(problem, optimum):
    """On two regions whose relaxations together want more RI and EDU inspectors than
    there are, the reported bound rises over the relaxations' and is still a lower bound
    on the proven national optimum."""
    regional = solve(problem)
    record = regional.parameters["shared_bound"]
    assert record["clusters"] > 0 and record["rise"] > 0
    assert regional.bound <= optimum
    without = solve(replace(problem, config=replace(problem.config, solver=replace(
        problem.config.solver, shared_bound_share=0.0))))
    assert "shared_bound" not in without.parameters
    assert regional.bound == pytest.approx(without.bound + record["rise"])


@pytest.fixture(scope="module")
def relaxations(problem: Problem) -> dict:
    """Each region's relaxation (no couplings), as the decomposition's step 3 solves it."""
    from scheduler.context import Scope
    from scheduler.region_solve import solve_region

    return {r: solve_region(problem, Scope(r, None), _params(problem))
            for r in sorted(problem.dataset.regions)}


def _params(problem: Problem) -> dict[str, object]:
    """The parameters the decomposition solves the relaxations and the shared bound with:
    to proof (solver.bound_parameters), so a solve's objective is its model's optimum (with
    the regions' relative gap, a floored model may stop at any plan within it)."""
    from scheduler.solve import with_limit

    proving = dict(solver_parameters(problem, regional=True),
                   **problem.config.solver.bound_parameters)
    return with_limit(proving, 5.0)


def test_clusters_are_the_resources_the_relaxations_overuse(problem, relaxations):
    """Every key of a cluster is overused by the relaxations' plans together, and a
    cluster's capacity is what those keys have, less the fixed events' use."""
    plans = {r: run.chosen for r, run in relaxations.items()}
    total = fixed_use(problem) + sum(
        (row_use(problem, event_row(problem, n, *placed))
         for plan in plans.values() for n, placed in plan.items()), Counter())
    caps, fixed = capacities(problem), fixed_use(problem)
    clusters = contested_clusters(problem, plans)
    assert clusters
    for cluster in clusters:
        assert all(total[k] > caps[k] for k in cluster.keys)
        assert cluster.capacity == sum(caps[k] - fixed[k] for k in cluster.keys)
        assert cluster.excess > 0


def test_enough_stops_the_refinement(problem, relaxations):
    """Asked for no rise at all, the step solves nothing."""
    found = shared_bound(problem, {r: run.chosen for r, run in relaxations.items()},
                         {r: run.bound for r, run in relaxations.items()},
                         _params(problem), 10.0, enough=0)
    assert found.solves == 0 and found.rise == 0


def test_a_share_outside_zero_to_one_is_refused():
    from scheduler.errors import InputError

    with pytest.raises(InputError, match=r"solver\.shared_bound_share"):
        load_config(overrides={"solver": {"shared_bound_share": 1.5}})


def test_the_relaxations_own_models_serve_the_shared_bound(problem, monkeypatch):
    """A region's relaxation model, built once and solved (its proven bound added as a
    floor, as the resume does), gives the shared bound the same rise as models built
    afresh, and is not built again."""
    from scheduler import region_solve
    from scheduler.context import Scope

    models = region_solve.RelaxationModels(problem)
    runs = {r: region_solve.solve_region(problem, Scope(r, None), _params(problem),
                                         built=models(r))
            for r in sorted(problem.dataset.regions)}
    for region, run in runs.items():
        assert run.status == "OPTIMAL"
        models(region).floor_objective(run.bound)
    plans = {r: run.chosen for r, run in runs.items()}
    bounds = {r: run.bound for r, run in runs.items()}
    fresh = shared_bound(problem, plans, bounds, _params(problem), 10.0)
    builds: list[object] = []
    original = region_solve.build_model
    monkeypatch.setattr(region_solve, "build_model",
                        lambda *a, **k: builds.append(k) or original(*a, **k))
    reused = shared_bound(problem, plans, bounds, _params(problem), 10.0,
                          relaxations=models)
    assert builds == []
    assert reused.solves > 0 and reused.rise == fresh.rise > 0
    for region, run in runs.items():  # no cap is left held lower: the same relaxation
        again = region_solve.solve_region(problem, Scope(region, None), _params(problem),
                                          built=models(region))
        assert again.objective == run.objective
