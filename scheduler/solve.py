"""Solve a problem -> Result: status, objective, bound, the programme rows, costs by rule."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ortools
from ortools.sat.python import cp_model

from scheduler import stopping
from scheduler.config import set_sat_parameters
from scheduler.model import BuiltModel, build_model
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow

if TYPE_CHECKING:
    from scheduler.explain import Conflict

# A programme written although no programme meets every hard rule: the best one breaking
# only the rules named per event in `relaxed` (scheduler.explain.relaxed_result).
RELAXED = "RELAXED"


@dataclass(frozen=True)
class Progress:
    """One progress report while solving."""

    elapsed: float
    objective: float
    bound: float
    scope: str = "national"  # or the region being solved

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(1.0, abs(objective))


@dataclass
class Result:
    status: str  # OPTIMAL, FEASIBLE, RELAXED, INFEASIBLE, UNKNOWN, MODEL_INVALID
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
    conflicts: list[Conflict] = field(default_factory=list)  # those the explanation tells
    relaxed_rules: list[tuple[str, str]] = field(default_factory=list)  # (rule, scope) broken
    solver_version: str = ortools.__version__

    @property
    def feasible(self) -> bool:
        """Whether the programme meets every hard rule."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def has_programme(self) -> bool:
        """Whether there is a programme to write: feasible, or relaxed."""
        return self.feasible or self.status == RELAXED

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


# Deterministic runs stop on CP-SAT's deterministic time; wall time only guards against a
# machine many times slower than expected (hitting it makes the run irreproducible).
WALL_GUARD = 30


def solver_parameters(problem: Problem, time_limit: float | None = None,
                      seed: int | None = None, regional: bool = False) -> dict[str, object]:
    """The CP-SAT parameters a run uses (recorded in run.json); ``regional``: those of the
    regional models of the decomposition (solver.regional_parameters under
    solver.parameters)."""
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
                      max_time_in_seconds=limit * WALL_GUARD)
    else:
        params["max_time_in_seconds"] = limit
    if regional:
        params.update(s.regional_parameters)
    params.update(s.parameters)
    return params


def with_limit(params: dict[str, object], seconds: float) -> dict[str, object]:
    """``params`` with their time limit (deterministic, or else wall-clock) set to
    ``seconds``."""
    changed = dict(params)
    if "max_deterministic_time" in changed:
        changed.update(max_deterministic_time=seconds, max_time_in_seconds=WALL_GUARD * seconds)
    else:
        changed["max_time_in_seconds"] = seconds
    return changed


def apply_parameters(solver: cp_model.CpSolver, params: dict[str, object]) -> None:
    """Set CP-SAT parameters from a plain dict (lists extend repeated fields); the solve is
    then stopped by Ctrl-C, SIGTERM or the command's wall-clock limit (scheduler.stopping)."""
    set_sat_parameters(solver.parameters, params)
    stopping.register(solver)


def solve(problem: Problem, time_limit: float | None = None, seed: int | None = None,
          report: Callable[[Progress], None] | None = None,
          hint: dict[tuple[str, str, int], int] | None = None,
          national_fallback: bool = True, explain: bool = True,
          first_programme: Callable[[list[ProgrammeRow]], None] | None = None) -> Result:
    """Solve the programme: region by region where configured (scheduler/decompose.py),
    else (or if the regions cannot be fitted to the national couplings, unless
    ``national_fallback`` is off: then UNKNOWN) as one model; explain it if it is
    infeasible (unless ``explain`` is off: a caller that explains it itself). Region by
    region, ``first_programme`` is given the complete programme the regions start from as
    soon as it exists (before any solving)."""
    if problem.config.solver.decompose and len(problem.dataset.regions) > 1:
        return _solve_by_region(problem, time_limit, seed, report, hint, national_fallback,
                                explain, first_programme)
    return _solve_national(problem, time_limit, seed, report, hint, explain=explain)


def _solve_by_region(problem: Problem, time_limit: float | None, seed: int | None,
                     report: Callable[[Progress], None] | None,
                     hint: dict[tuple[str, str, int], int] | None,
                     national_fallback: bool = True, explain: bool = True,
                     first_programme: Callable[[list[ProgrammeRow]], None] | None = None
                     ) -> Result:
    from scheduler.decompose import CouplingError, decompose

    started = time.perf_counter()
    params = solver_parameters(problem, time_limit, seed, regional=True)
    limit = problem.config.solver.time_limit_seconds if time_limit is None else time_limit
    chosen_hint = {need_id: (kind, week) for (need_id, kind, week), on in (hint or {}).items()
                   if on}

    def progress(scope: str, elapsed: float, objective: float, bound: float) -> None:
        if report:
            report(Progress(elapsed, objective, bound, scope))

    try:
        found = decompose(problem, params, limit, progress, chosen_hint or None,
                          first_programme)
    except CouplingError as failed:
        if not national_fallback:
            return Result("UNKNOWN", [], None, None, time.perf_counter() - started, None, 0.0,
                          [], params, {}, explanation=[
                              f"no regional plan in {', '.join(failed.args[0])}"])
        if report:
            report(Progress(time.perf_counter() - started, 0.0, 0.0,
                            f"national couplings: {', '.join(failed.args[0])[:40]}"))
        result = _solve_national(problem, time_limit, seed, report, {
            (need_id, kind, week): 1 for need_id, (kind, week) in failed.chosen.items()}
            or hint, explain=explain)
        result.parameters["method"] = ("national model, hinted with the regional plan that "
                                       f"broke the couplings in {', '.join(failed.args[0])}")
        return result
    wall = time.perf_counter() - started
    sizes: dict[str, int] = defaultdict(int)
    for run in found.runs[:len(problem.dataset.regions)]:
        for key, value in run.size.items():
            sizes[key] += value
    params = dict(params, method="regional decomposition")
    if found.rework:
        params["rework"] = found.rework
    if found.polish:
        params["polish"] = found.polish
    if found.shared_bound:
        params["shared_bound"] = found.shared_bound
    if found.infeasible_region is not None:
        result = _solve_national(problem, time_limit, seed, report, None, explain_only=True,
                                 explain=explain)
        result.parameters = params
        return result
    status = "OPTIMAL" if found.objective <= found.bound else "FEASIBLE"
    result = Result(status, [], found.objective, found.bound, wall, found.first_solution_time,
                    0.0, found.costs, params, dict(sizes, regions=len(problem.dataset.regions)))
    _rows(problem, found.chosen, result)
    return result


def _rows(problem: Problem, chosen: dict[str, tuple[str, int]], result: Result) -> None:
    from scheduler.export import programme_rows

    result.rows = programme_rows(problem, chosen)
    result.beyond_horizon = beyond_horizon(problem, chosen)


def beyond_horizon(problem: Problem, placed: Collection[str]) -> list[str]:
    """The optional needs a programme leaves out (``placed``: the need ids it places)."""
    return [n.need_id for n in problem.needs if n.need_id not in placed and not n.mandatory]


def _solve_national(problem: Problem, time_limit: float | None, seed: int | None,
                    report: Callable[[Progress], None] | None,
                    hint: dict[tuple[str, str, int], int] | None,
                    explain_only: bool = False, explain: bool = True) -> Result:
    """The whole country as one model (explain_only: it is known to be infeasible; explain
    why, if ``explain``)."""
    if explain_only and not explain:  # nothing to solve or explain: no model to build
        return Result("INFEASIBLE", [], None, None, 0.0, None, 0.0, [],
                      solver_parameters(problem, time_limit, seed), {})
    started = time.perf_counter()
    built = build_model(problem)
    build_time = time.perf_counter() - started
    if hint:
        for need_id, variables in built.context.x.items():
            for (kind, week), var in variables.items():
                built.model.add_hint(var, hint.get((need_id, kind, week), 0))
    params = solver_parameters(problem, time_limit, seed)
    solver = cp_model.CpSolver()
    apply_parameters(solver, params)
    reporter = _Reporter(report)
    name = "INFEASIBLE" if explain_only else solver.status_name(solver.solve(built.model,
                                                                               reporter))
    proto = built.model.proto
    size = {"variables": len(proto.variables), "constraints": len(proto.constraints),
            "placement_booleans": sum(len(v) for v in built.context.x.values())}
    wall = 0.0 if explain_only else solver.wall_time
    result = Result(name, [], None, None, wall, reporter.first_time, build_time, [],
                    params, size)
    if result.feasible:
        result.objective = solver.objective_value
        result.bound = solver.best_objective_bound
        _extract(problem, built, solver, result)
    elif name == "INFEASIBLE" and explain:
        from scheduler.explain import conflict_sentences, find_conflicts

        result.conflicts, status = find_conflicts(problem)
        result.explanation = conflict_sentences(result.conflicts, status)
    return result


def _extract(problem: Problem, built: BuiltModel, solver: cp_model.CpSolver,
             result: Result) -> None:
    _rows(problem, built.chosen(solver), result)
    result.costs = built.costs(solver)
