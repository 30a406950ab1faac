"""One region's model, solved: its programme within a room, or its relaxation, and a
relaxation left unproven solved again from where it stopped (scheduler/decompose.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.context import Scope
from scheduler.model import BuiltModel, build_model
from scheduler.problem import Problem
from scheduler.rooms import Chosen
from scheduler.solve import apply_parameters, with_limit

MIN_RESUME = 0.5  # deterministic seconds: with less than this to give, no solve resumed
FIXED_PLAN = 5.0  # deterministic seconds for the last resort: the rescue's plan, fixed


@dataclass
class RegionRun:
    """One regional solve."""

    region: str
    status: str
    objective: float
    bound: float
    chosen: Chosen
    costs: list[tuple[str, str, int]]
    wall_time: float
    size: dict[str, int]
    deterministic_time: float = 0.0

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float, float, float], None] | None):
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        if self._report:
            self._report(self.wall_time, self.objective_value, self.best_objective_bound)


class RelaxationModels:
    """Each region's relaxation (no JTAI quota, no room), built once for every step that
    solves it: the relaxations, their resumption, the shared bound (about 8 MiB a region
    on England; a build takes about a second)."""

    def __init__(self, problem: Problem):
        self._problem = problem
        self._built: dict[str, BuiltModel] = {}

    def __call__(self, region: str) -> BuiltModel:
        if region not in self._built:
            self._built[region] = build_model(self._problem, scope=Scope(region, None))
        return self._built[region]


def solve_region(problem: Problem, scope: Scope, params: dict[str, object],
                 hint: Chosen | None = None,
                 report: Callable[[float, float, float], None] | None = None,
                 rescue: tuple[Chosen, dict[str, object]] | None = None,
                 floor: float | None = None, built: BuiltModel | None = None) -> RegionRun:
    """Build (unless ``built`` is the scope's model already) and solve one region's model;
    ``report(elapsed, objective, bound)`` on each improving solution. ``rescue`` (a plan,
    parameters): if the solve finds nothing, the same model is solved again hinted with that
    plan, and if that finds nothing either, with the plan fixed (a plan that meets the
    model's rules is then its answer). ``floor``: a bound on its objective proved already,
    which the solve starts from."""
    built = built or build_model(problem, scope=scope)
    if floor is not None:
        built.floor_objective(floor)
    solver, status = _solve_hinted(built, params, hint, report)
    wall, deterministic = solver.wall_time, solver.response_proto.deterministic_time
    if status == "UNKNOWN" and rescue:
        plan, again = rescue
        fixed = with_limit(dict(again, fix_variables_to_their_hinted_value=True), FIXED_PLAN)
        for attempt in (again, fixed):
            solver, status = _solve_hinted(built, attempt, plan, report)
            wall += solver.wall_time
            deterministic += solver.response_proto.deterministic_time
            if status != "UNKNOWN":
                break
    proto = built.model.proto
    size = {"variables": len(proto.variables), "constraints": len(proto.constraints),
            "placement_booleans": sum(len(v) for v in built.context.x.values())}
    run = RegionRun(scope.region or "national", status, 0.0, 0.0, {}, [], wall, size,
                    deterministic)
    if status in ("OPTIMAL", "FEASIBLE", "UNKNOWN"):
        run.bound = solver.best_objective_bound
    if run.feasible:
        run.objective = solver.objective_value
        run.chosen = built.chosen(solver)
        run.costs = built.costs(solver)
    return run


def resume_unproven(problem: Problem, relaxations: dict[str, RegionRun],
                    params: dict[str, object], budget: float,
                    models: RelaxationModels | None = None) -> float:
    """Spend up to ``budget`` deterministic seconds on the relaxations left unproven, the
    widest gap first: each solved again from its plan and its bound (``params``: the CP-SAT
    parameters; a region's share of a stage goes by its size, and a hard region may need
    more than that while others prove early; ``models``: the relaxations' models, if built
    already). The deterministic time spent."""
    models = models or RelaxationModels(problem)
    spent, stalled = 0.0, set()
    while budget - spent >= MIN_RESUME:
        open_gaps = {region: run.objective - run.bound for region, run in relaxations.items()
                     if run.feasible and run.bound < run.objective and region not in stalled}
        if not open_gaps:
            break
        region = max(sorted(open_gaps), key=open_gaps.__getitem__)
        before = relaxations[region]
        again = solve_region(problem, Scope(region, None), with_limit(params, budget - spent),
                             before.chosen, floor=before.bound, built=models(region))
        spent += again.deterministic_time
        if not again.feasible:  # nothing within the time: the plan and bound stand
            before.deterministic_time += again.deterministic_time
            before.bound = max(before.bound, again.bound)
            return spent
        again.bound = max(again.bound, before.bound)
        again.deterministic_time += before.deterministic_time
        again.wall_time += before.wall_time
        relaxations[region] = again if again.objective <= before.objective else replace(
            before, bound=again.bound, deterministic_time=again.deterministic_time,
            wall_time=again.wall_time)
        if again.bound <= before.bound:  # the time went nowhere: not this one again
            stalled.add(region)
    return spent


def _solve_hinted(built: BuiltModel, params: dict[str, object], hint: Chosen | None,
                  report: Callable[[float, float, float], None] | None
                  ) -> tuple[cp_model.CpSolver, str]:
    """Solve the built model, hinted with ``hint`` (every placement Boolean) if given; the
    solver and its status name."""
    if hint is None:
        built.model.clear_hints()
    else:
        built.hint_with(hint)
    solver = cp_model.CpSolver()
    apply_parameters(solver, params)
    return solver, solver.status_name(solver.solve(built.model, _Callback(report)))
