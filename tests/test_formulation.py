"""The formulation comparison (benchmarks/formulation.py) compares like with like: both
formulations of a region's core find the same optimum, and its plan fits the capacity."""

from __future__ import annotations

from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from benchmarks.formulation import interval_cumulative, measure, region_core, time_indexed
from scheduler.baseline import plan_baseline
from scheduler.config import load_config
from scheduler.decompose import chosen_from_rows
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.solve import solver_parameters

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    folder = tmp_path_factory.mktemp("formulation")
    generate_dataset(folder, 16, 2, seed=3, template=ENGLAND, horizon_weeks=78)
    return Problem.build(read_dataset(folder), load_config())


def test_both_formulations_find_the_same_optimum(problem):
    baseline = chosen_from_rows(problem, plan_baseline(problem).rows)
    params = dict(solver_parameters(problem, 20.0, 0), relative_gap_limit=0.0)
    for region in sorted(problem.dataset.regions):
        core = region_core(problem, region, baseline)
        assert core.events
        found = {build.__name__: measure(build(core), params)
                 for build in (time_indexed, interval_cumulative)}
        assert {m.status for m in found.values()} == {"OPTIMAL"}
        assert found["time_indexed"].objective == found["interval_cumulative"].objective


def test_the_time_indexed_plan_keeps_the_capacity(problem):
    """Read back from the Booleans: one option per event, each week within capacity."""
    baseline = chosen_from_rows(problem, plan_baseline(problem).rows)
    region = sorted(problem.dataset.regions)[0]
    core = region_core(problem, region, baseline)
    model = time_indexed(core)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) == cp_model.OPTIMAL
    values = iter(solver.boolean_value(model.get_bool_var_from_proto_index(i))
                  for i in range(len(model.proto.variables)))
    load: dict[int, int] = {}
    for event in core.events:
        flags = [next(values) for _ in event.options]
        picked = [option for option, on in zip(event.options, flags, strict=True) if on]
        assert len(picked) == 1
        for week, tenths in event.options[picked[0]][0].items():
            load[week] = load.get(week, 0) + tenths
    assert all(used <= core.capacity[week] for week, used in load.items())
