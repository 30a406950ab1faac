"""Regional decomposition: a checked programme, a valid bound, the same plan twice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.calendar import weeks_between
from scheduler.check import check_file
from scheduler.config import load_config
from scheduler.decompose import coupling_breaches, jtai_quotas
from scheduler.export import write_outputs
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
def regional(problem: Problem):
    return solve(problem)


def test_regional_programme_passes_the_independent_checker(problem, regional, tmp_path):
    assert regional.parameters["method"] == "regional decomposition"
    assert regional.feasible
    assert any(row.lent_from for row in regional.rows)  # the regions lend to each other
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
