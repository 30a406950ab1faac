"""One measured run, in a process of its own: plan one instance with the solver or the
baseline planner, write the programme, re-verify it from its file with the independent
checker, and write a JSON record of times, sizes and quality figures."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import typer

from scheduler.baseline import plan_baseline
from scheduler.check import check_rows
from scheduler.cli_common import load_problem
from scheduler.export import write_outputs
from scheduler.io import write_text_atomically
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, read_programme_csv, write_programme_csv
from scheduler.quality import quality
from scheduler.solve import solve

PLANNERS = ("solver", "baseline")


def main(
    data: Path = typer.Option(..., help="Dataset folder."),
    weeks: int = typer.Option(..., help="Horizon in weeks."),
    planner: str = typer.Option("solver", help="solver or baseline."),
    time_limit: float = typer.Option(60.0, help="Solver time limit in seconds."),
    seed: int = typer.Option(0, help="Solver random seed."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    record: Path = typer.Option(..., help="Where to write the JSON record."),
) -> None:
    """Plan, write, check and measure one instance."""
    if planner not in PLANNERS:
        raise typer.BadParameter(f"{planner!r}: one of {', '.join(PLANNERS)}")
    started = time.perf_counter()
    problem = load_problem(data, config, None, weeks)
    _ = problem.needs, problem.regional_capacity, problem.pool_capacity  # derive them now
    load_seconds = time.perf_counter() - started
    first_checked: dict[str, object] = {}  # the solver's first programme, as soon as found
    if planner == "baseline":
        result = plan_baseline(problem)
        first = result.wall_time if result.feasible else None
    else:
        solving = time.perf_counter()

        def first_programme(rows: list[ProgrammeRow]) -> None:
            """Time the first complete programme, then write it, check it from its file
            and record that, so a run stopped later still reports it."""
            first_checked["first_feasible_seconds"] = round(time.perf_counter() - solving, 3)
            first_checked["first_violations"] = _checked(problem, rows)
            write_text_atomically(record, json.dumps(
                {"planner": planner, "status": "IMPROVING", **first_checked}) + "\n")

        result = solve(problem, time_limit, seed, first_programme=first_programme)
        first = (result.build_time + result.first_solution_time
                 if result.first_solution_time is not None else None)
    entry: dict[str, object] = {
        "planner": planner, "status": result.status, "feasible": result.feasible,
        "horizon_weeks": weeks, "las": len(problem.dataset.las),
        "regions": len(problem.dataset.regions), "needs": len(problem.needs),
        "seed": seed, "load_seconds": round(load_seconds, 3),
        "build_seconds": round(result.build_time, 3),
        "solve_seconds": round(result.build_time + result.wall_time, 3),
        "first_feasible_seconds": None if first is None else round(first, 3),
        "objective": result.objective, "bound": result.bound, "gap": result.gap,
        "model_size": result.model_size, "unplaced": len(result.explanation),
    }
    entry.update(first_checked)
    with tempfile.TemporaryDirectory() as out:
        write_outputs(problem, result, Path(out), [str(config)] if config else [])
        if result.feasible:  # checked from the file, as `ilacs check` does
            rows = read_programme_csv(Path(out) / "programme.csv")
            entry["violations"] = len(check_rows(problem, rows))
            entry["quality"] = quality(problem, rows).as_dict()
    write_text_atomically(record, json.dumps(entry, indent=2) + "\n")


def _checked(problem: Problem, rows: list[ProgrammeRow]) -> int:
    """Violations the independent checker finds in ``rows``, read back from a file."""
    with tempfile.TemporaryDirectory() as out:
        path = Path(out) / "programme.csv"
        write_programme_csv(rows, path)
        return len(check_rows(problem, read_programme_csv(path)))


if __name__ == "__main__":
    typer.run(main)
