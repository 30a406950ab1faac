"""Solve a problem -> Result: status, objective, bound, the programme rows, costs by rule."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import ortools
from ortools.sat.python import cp_model

from scheduler.model import BuiltModel, build_model
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow


@dataclass(frozen=True)
class Progress:
    """One progress report while solving."""

    elapsed: float
    objective: float
    bound: float

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(1.0, abs(objective))


@dataclass
class Result:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    rows: list[ProgrammeRow]
    objective: float | None
    bound: float | None
    wall_time: float
    first_solution_time: float | None
    build_time: float
    costs: list[tuple[str, str, int]]  # (rule, subject, weighted cost) for each soft term
    parameters: dict[str, object]
    model_size: dict[str, int]
    beyond_horizon: list[str] = field(default_factory=list)  # optional needs not placed
    explanation: list[str] = field(default_factory=list)
    solver_version: str = ortools.__version__

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return relative_gap(self.objective, self.bound)

    def cost_by_rule(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for rule, _, cost in self.costs:
            totals[rule] = totals.get(rule, 0) + cost
        return dict(sorted(totals.items()))


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[Progress], None] | None):
        super().__init__()
        self._report = report
        self.first_time: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_time is None:
            self.first_time = self.wall_time
        if self._report:
            self._report(Progress(self.wall_time, self.objective_value, self.best_objective_bound))


def solver_parameters(problem: Problem, time_limit: float | None = None,
                      seed: int | None = None) -> dict[str, object]:
    """The CP-SAT parameters a run uses (recorded in run.json)."""
    s = problem.config.solver
    limit = s.time_limit_seconds if time_limit is None else time_limit
    params: dict[str, object] = {
        "num_workers": s.workers,
        "random_seed": s.seed if seed is None else seed,
        "relative_gap_limit": s.relative_gap_limit,
        "log_search_progress": s.log_progress,
    }
    if s.deterministic:
        params.update(interleave_search=True, max_deterministic_time=limit,
                      max_time_in_seconds=limit * 4)
    else:
        params["max_time_in_seconds"] = limit
    return params


def solve(problem: Problem, time_limit: float | None = None, seed: int | None = None,
          report: Callable[[Progress], None] | None = None,
          hint: dict[tuple[str, str, int], int] | None = None) -> Result:
    """Build and solve the national model; explain it if it is infeasible."""
    started = time.perf_counter()
    built = build_model(problem)
    build_time = time.perf_counter() - started
    if hint:
        for need_id, variables in built.context.x.items():
            for (kind, week), var in variables.items():
                built.model.add_hint(var, hint.get((need_id, kind, week), 0))
    params = solver_parameters(problem, time_limit, seed)
    solver = cp_model.CpSolver()
    for key, value in params.items():
        setattr(solver.parameters, key, value)
    reporter = _Reporter(report)
    status = solver.solve(built.model, reporter)
    name = solver.status_name(status)
    proto = built.model.proto
    size = {"variables": len(proto.variables), "constraints": len(proto.constraints),
            "placement_booleans": sum(len(v) for v in built.context.x.values())}
    result = Result(name, [], None, None, solver.wall_time, reporter.first_time, build_time, [],
                    params, size)
    if result.feasible:
        result.objective = solver.objective_value
        result.bound = solver.best_objective_bound
        _extract(problem, built, solver, result)
    elif name == "INFEASIBLE":
        from scheduler.explain import explain_infeasible

        result.explanation = explain_infeasible(problem, built)
    return result


def _extract(problem: Problem, built: BuiltModel, solver: cp_model.CpSolver,
             result: Result) -> None:
    from scheduler.export import programme_rows

    chosen: dict[str, tuple[str, int]] = {}
    for need_id, variables in built.context.x.items():
        for (kind, week), var in variables.items():
            if solver.boolean_value(var):
                chosen[need_id] = (kind, week)
    result.rows = programme_rows(problem, chosen)
    result.beyond_horizon = [n.need_id for n in problem.needs
                             if n.need_id not in chosen and not n.mandatory]
    result.costs = [(p.rule, p.subject, p.weight * int(solver.value(p.expr)))
                    for p in built.penalties if p.weight]
