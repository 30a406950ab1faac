"""The command line `ilacs`: a thin layer over io, solve, export and check."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from scheduler.cli_common import console, load_problem, refuse, show_progress, verify_written
from scheduler.errors import InputError

app = typer.Typer(add_completion=False, help="Plan and check England's ILACS programme.")

# Each module registers its own commands: `register(app)`. One line per module.
COMMAND_MODULES = (
    "scheduler.cli_dashboard",
    "scheduler.cli_bench",
    "scheduler.cli_scenario",
    "scheduler.cli_assign",
)


@app.command()
def plan(
    data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
    out: Path = typer.Option(Path("out"), help="Folder for the programme and its reports."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    start: str | None = typer.Option(None, help="First Monday (default: dataset.toml)."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks (default: dataset.toml)."),
    time_limit: float | None = typer.Option(None, help="Solver time limit in seconds."),
    seed: int | None = typer.Option(None, help="Solver random seed."),
) -> None:
    """Solve the national programme and write it with its reports."""
    from scheduler.assign_replan import plan_and_staff
    from scheduler.cli_assign import show_staffing
    from scheduler.export import write_outputs

    problem = load_problem(data, config, start, weeks)
    console.print(f"Planning {len(problem.dataset.las)} LAs, {len(problem.needs)} events due, "
                  f"{problem.start} + {problem.horizon_weeks} weeks")
    staffed = plan_and_staff(problem, time_limit, seed, report=show_progress)
    problem, result = staffed.problem, staffed.result
    sources = [str(config)] if config else []
    written = write_outputs(problem, result, out, sources, staffed.assignment)
    if not result.feasible:
        console.print(f"[red]{result.status}[/red]: no programme meets every hard rule.")
        for line in result.explanation:
            console.print(f"  - {line}", highlight=False)
        raise typer.Exit(1)
    console.print(f"{result.status}: objective {result.objective:g}, bound {result.bound:g}, "
                  f"gap {100 * (result.gap or 0):.2f} %, {len(result.rows)} events, "
                  f"{result.wall_time:.1f} s")
    show_staffing(staffed)
    verify_written(problem, out, written)


@app.command()
def check(
    programme_csv: Path = typer.Argument(..., help="A programme.csv to verify."),
    data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    start: str | None = typer.Option(None, help="First Monday of the programme."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks."),
) -> None:
    """Re-verify a programme against RULES.md from the files alone."""
    from scheduler.check import check_file

    problem = load_problem(data, config, start, weeks)
    try:
        violations = check_file(problem, programme_csv)
    except InputError as exc:
        raise refuse(exc) from None
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{len(violations)} violations")
    raise typer.Exit(1 if violations else 0)


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)

if __name__ == "__main__":
    app()
