"""The command line `ilacs`: a thin layer over io, solve, export and check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from scheduler.check import check_file
from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.export import write_outputs
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.solve import Progress, solve

app = typer.Typer(add_completion=False, help="Plan and check England's ILACS programme.")
console = Console(stderr=True)


def _problem(data: Path, config: Path | None, start: str | None, weeks: int | None) -> Problem:
    try:
        dataset = read_dataset(data)
        cfg = load_config(*([config] if config else []))
        first = date.fromisoformat(start) if start else None
    except InputError as exc:
        for problem in exc.problems:
            console.print(f"[red]error[/red] {problem}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    except ValueError:
        console.print(f"[red]error[/red] --start {start!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    return Problem.build(dataset, cfg, first, weeks)


def _show(progress: Progress) -> None:
    console.print(f"  {progress.elapsed:6.1f} s  objective {progress.objective:>10.0f}  "
                  f"bound {progress.bound:>10.0f}  gap {100 * progress.gap:6.2f} %",
                  highlight=False)


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
    problem = _problem(data, config, start, weeks)
    console.print(f"Planning {len(problem.dataset.las)} LAs, {len(problem.needs)} events due, "
                  f"{problem.start} + {problem.horizon_weeks} weeks")
    result = solve(problem, time_limit, seed, report=_show)
    sources = [str(config)] if config else []
    written = write_outputs(problem, result, out, sources)
    if not result.feasible:
        console.print(f"[red]{result.status}[/red]: no programme meets every hard rule.")
        for line in result.explanation:
            console.print(f"  - {line}", highlight=False)
        raise typer.Exit(1)
    console.print(f"{result.status}: objective {result.objective:g}, bound {result.bound:g}, "
                  f"gap {100 * (result.gap or 0):.2f} %, {len(result.rows)} events, "
                  f"{result.wall_time:.1f} s")
    violations = check_file(problem, out / "programme.csv")
    for violation in violations:
        console.print(f"[red]violation[/red] {violation}", highlight=False)
    console.print(f"independent check: {len(violations)} violations")
    for path in written:
        console.print(f"wrote {path}")
    if violations:
        raise typer.Exit(1)


@app.command()
def check(
    programme_csv: Path = typer.Argument(..., help="A programme.csv to verify."),
    data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    start: str | None = typer.Option(None, help="First Monday of the programme."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks."),
) -> None:
    """Re-verify a programme against RULES.md from the files alone."""
    problem = _problem(data, config, start, weeks)
    try:
        violations = check_file(problem, programme_csv)
    except InputError as exc:
        for problem_ in exc.problems:
            console.print(f"[red]error[/red] {problem_}", highlight=False)
        raise typer.Exit(2) from None
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{len(violations)} violations")
    raise typer.Exit(1 if violations else 0)


if __name__ == "__main__":
    app()
