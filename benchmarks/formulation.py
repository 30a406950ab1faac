"""Formulation comparison (issue 6): time-indexed start-week Booleans with linear capacity
sums, against interval variables with a cumulative constraint, on the same problem.

The problem is the core both formulations share, cut from each region's real model: every
required event of the region (its own, not a visit that exists only with another event),
its real candidate notice weeks and kinds (every calendar, clash and window rule already
applied by ``build_model``), its weekly demand profile, the region's weekly capacity in
inspector-days, and a cost of one per week between the on-site week and the event's target
(the 3-year point of a graded inspection; none for the rest). The capacity is hard: the
region's own, raised in a week to what the baseline planner's programme needs there (it
lends), so that a programme always exists; demand before or after the horizon is free (the
weeks there have room for all of it), as in the product's model. Soft capacity (smoothing,
lending at a cost) and the per-day people counts are left out: they need each week's load
as an expression, which the time-indexed model has and a cumulative constraint does not.

    python -m benchmarks.formulation --data data/england --time-limit 30 --out FILE.md
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import typer
from ortools.sat.python import cp_model

from benchmarks.report import machine
from scheduler.config import load_config
from scheduler.context import Scope
from scheduler.footprint import weekly_demand
from scheduler.io import read_dataset, write_text_atomically
from scheduler.model import build_model
from scheduler.problem import TENTHS, Problem
from scheduler.solve import apply_parameters, solver_parameters


@dataclass(frozen=True)
class Event:
    """One required event: its candidate (kind, notice week) with their weekly demand
    (week -> tenths) and cost."""

    need_id: str
    options: dict[tuple[str, int], tuple[dict[int, int], int]]


@dataclass(frozen=True)
class Core:
    """The shared core of one region: its events and hard weekly capacity (week ->
    tenths; the weeks outside the horizon have room for every demand)."""

    region: str
    events: list[Event]
    capacity: dict[int, int]


def region_core(problem: Problem, region: str, baseline: dict[str, tuple[str, int]]) -> Core:
    """The core of ``region`` (module docstring), its capacity raised to the baseline's
    load where the baseline lends."""
    built = build_model(problem, scope=Scope(region, None))
    events = []
    for need_id, variables in built.context.x.items():
        need = problem.need_by_id[need_id]
        if not need.mandatory or need.parent is not None or not variables:
            continue
        small = problem.dataset.las[need.la_code].small
        target = problem.weeks.index(need.target) if need.target else None
        options = {}
        for kind, week in variables:
            spec = problem.config.spec(kind)
            demand = {w: d * TENTHS for w, d in weekly_demand(spec, week, small).items()}
            onsite = week + spec.fieldwork_offset
            options[(kind, week)] = demand, abs(onsite - target) if target is not None else 0
        events.append(Event(need_id, options))
    weeks = {w for event in events for demand, _ in event.options.values() for w in demand}
    room = sum(max(sum(d.values()) for d, _ in event.options.values()) for event in events)
    capacity = {w: room for w in range(min(weeks), max(weeks) + 1)}
    capacity.update(enumerate(problem.regional_capacity[region]))
    load: dict[int, int] = {}
    for event in events:
        placed = baseline.get(event.need_id)
        for week, tenths in (event.options[placed][0] if placed in event.options else {}
                             ).items():
            load[week] = load.get(week, 0) + tenths
    for week, used in load.items():
        capacity[week] = max(capacity[week], used)
    return Core(region, events, capacity)


def time_indexed(core: Core) -> cp_model.CpModel:
    """One Boolean per (event, kind, week); each week's demand a linear sum within capacity."""
    model = cp_model.CpModel()
    weekly: dict[int, list[cp_model.LinearExprT]] = {w: [] for w in core.capacity}
    cost = []
    for event in core.events:
        chosen = []
        for (kind, week), (demand, price) in event.options.items():
            var = model.new_bool_var(f"{event.need_id} {kind} {week}")
            chosen.append(var)
            cost.append(price * var)
            for w, tenths in demand.items():
                weekly[w].append(tenths * var)
        model.add_exactly_one(chosen)
    for week, terms in weekly.items():
        if terms:
            model.add(sum(terms) <= core.capacity[week])
    model.minimize(sum(cost))
    return model


def interval_cumulative(core: Core) -> cp_model.CpModel:
    """Per event and kind, a start week over its candidate weeks (present if that kind is
    chosen) and one interval a week of its demand profile; one cumulative constraint, the
    weeks' capacity below the peak taken by fixed blocks; the cost by table (element)."""
    model = cp_model.CpModel()
    peak = max(core.capacity.values())
    intervals, demands = [], []
    for week, capacity in core.capacity.items():
        if capacity < peak:
            intervals.append(model.new_fixed_size_interval_var(week, 1, f"block {week}"))
            demands.append(peak - capacity)
    cost = []
    for event in core.events:
        presences = []
        for kind in sorted({kind for kind, _ in event.options}):
            weeks = sorted(w for k, w in event.options if k == kind)
            present = model.new_bool_var(f"{event.need_id} {kind}")
            presences.append(present)
            start = model.new_int_var_from_domain(
                cp_model.Domain.from_values(weeks), f"{event.need_id} {kind} start")
            first = weeks[0]
            table = [0] * (weeks[-1] - first + 1)
            for week in weeks:
                table[week - first] = event.options[(kind, week)][1]
            price = model.new_int_var(0, max(table), f"{event.need_id} {kind} cost")
            model.add_element(start - first, table, price)
            paid = model.new_int_var(0, max(table), f"{event.need_id} {kind} paid")
            model.add(paid == price).only_enforce_if(present)
            model.add(paid == 0).only_enforce_if(~present)
            cost.append(paid)
            profile = {w - first: t for w, t in event.options[(kind, first)][0].items()}
            for offset, tenths in profile.items():
                intervals.append(model.new_optional_fixed_size_interval_var(
                    start + offset, 1, present, f"{event.need_id} {kind} +{offset}"))
                demands.append(tenths)
        model.add_exactly_one(presences)
    model.add_cumulative(intervals, demands, peak)
    model.minimize(sum(cost))
    return model


@dataclass(frozen=True)
class Measured:
    status: str
    objective: float | None
    bound: float
    deterministic: float
    wall: float
    variables: int
    constraints: int


def measure(model: cp_model.CpModel, params: dict[str, object]) -> Measured:
    solver = cp_model.CpSolver()
    apply_parameters(solver, params)
    started = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - started
    feasible = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Measured(solver.status_name(status), solver.objective_value if feasible else None,
                    solver.best_objective_bound, solver.response_proto.deterministic_time,
                    wall, len(model.proto.variables), len(model.proto.constraints))


FORMULATIONS = {"time-indexed Booleans": time_indexed,
                "intervals + cumulative": interval_cumulative}


def _cell(m: Measured) -> str:
    found = "none" if m.objective is None else f"{m.objective:.0f}"
    return (f"{m.status} {found} (bound {m.bound:.0f}), {m.deterministic:.1f} det s, "
            f"{m.wall:.1f} s; {m.variables} / {m.constraints}")


def main(data: Path = typer.Option(Path("data/england"), help="Dataset folder."),
         time_limit: float = typer.Option(30.0, help="Deterministic seconds per solve."),
         runs: int = typer.Option(3, help="Seeds per formulation and region."),
         out: Path | None = typer.Option(None, help="Markdown file for the results.")) -> None:
    """Solve each region's core with both formulations and print (and write) the table."""
    from scheduler.baseline import plan_baseline
    from scheduler.decompose import chosen_from_rows

    problem = Problem.build(read_dataset(data), load_config())
    baseline = chosen_from_rows(problem, plan_baseline(problem).rows)
    about = machine()
    lines = [f"# Formulations: {data}", "",
             f"Machine: {about['cpu']}, {about['cores']} cores, {about['memory']}; Python "
             f"{about['python']}, OR-Tools {about['ortools']}; run {about['date']}. "
             f"Each solve: {time_limit:g} deterministic seconds, CP-SAT's default subsolvers "
             f"(interleaved, deterministic), seeds 0..{runs - 1}; median wall clock and "
             "deterministic time, the result of seed 0, and the model's variables / "
             "constraints. The problem: benchmarks/formulation.py's docstring.", "",
             "| region | events | " + " | ".join(FORMULATIONS) + " |",
             "|---|---|" + "---|" * len(FORMULATIONS)]
    totals = {name: [0.0, 0.0] for name in FORMULATIONS}
    for region in sorted(problem.dataset.regions):
        core = region_core(problem, region, baseline)
        cells = []
        for name, build in FORMULATIONS.items():
            model = build(core)
            results = [measure(model, solver_parameters(problem, time_limit, seed))
                       for seed in range(runs)]
            first = results[0]
            wall = statistics.median(r.wall for r in results)
            det = statistics.median(r.deterministic for r in results)
            totals[name][0] += det
            totals[name][1] += wall
            cells.append(_cell(Measured(first.status, first.objective, first.bound, det, wall,
                                        first.variables, first.constraints)))
        lines.append(f"| {region} | {len(core.events)} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines.append("| all | | " + " | ".join(
        f"{det:.1f} det s, {wall:.1f} s" for det, wall in totals.values()) + " |")
    print(lines[-1])
    if out:
        write_text_atomically(out, "\n".join(lines) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    typer.run(main)
