"""`ilacs generate` (synthetic datasets) and `ilacs baseline` (the spreadsheet planner, checked
like any other plan): what the benchmarks are made of."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from scheduler.cli_common import console, load_problem, refuse, verify_written
from scheduler.errors import InputError, InputProblem


def _refuse(option: str, message: str) -> typer.Exit:
    return refuse(InputError([InputProblem(option, None, None, "CLI", message)]))


def _first_monday(start: str | None) -> date | None:
    if start is None:
        return None
    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise _refuse("--start", f"{start!r} is not a date (YYYY-MM-DD)") from None
    if first.weekday() != 0:
        raise _refuse("--start", f"{first} is a {first:%A}; the programme starts on a Monday")
    return first


def generate(
    las: int = typer.Option(..., "--las", help="Number of local authorities."),
    regions: int = typer.Option(..., "--regions", help="Number of regions."),
    seed: int = typer.Option(0, help="Random seed: the same seed gives the same files."),
    out: Path = typer.Option(..., help="Folder to write the dataset into."),
    template: Path = typer.Option(Path("data/england"), help="Dataset whose mix is copied."),
    start: str | None = typer.Option(None, help="First Monday (default: the template's)."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks (default: the template's)."),
    force: bool = typer.Option(False, help="Write into a folder that is not empty."),
) -> None:
    """Write a synthetic dataset (DATA.md) with the template's mix of pathways and roster."""
    from scheduler.generate import generate_dataset
    from scheduler.io import read_dataset

    first = _first_monday(start)
    if weeks is not None and weeks < 1:
        raise _refuse("--weeks", f"the horizon must be at least 1 week (got {weeks})")
    if not (template / "dataset.toml").is_file():
        raise _refuse("--template", f"{template} is not a dataset folder (no dataset.toml)")
    if out.exists() and not out.is_dir():
        raise _refuse("--out", f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise _refuse("--out", f"{out} is not empty; pass --force to write into it")
    try:
        read_dataset(template)  # a bad template is named file by file, row by row
        generate_dataset(out, las, regions, seed, template, first, weeks)
        dataset = read_dataset(out)
    except ValueError as exc:
        raise _refuse("ilacs generate", str(exc)) from None
    except InputError as exc:
        raise refuse(exc) from None
    console.print(f"wrote {out}: {len(dataset.las)} LAs in {len(dataset.regions)} regions, "
                  f"{len(dataset.inspectors)} inspectors, {dataset.programme_start} + "
                  f"{dataset.horizon_weeks} weeks (seed {seed})", highlight=False, soft_wrap=True)


def baseline(
    data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
    out: Path = typer.Option(Path("out-baseline"), help="Folder for the baseline programme."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    start: str | None = typer.Option(None, help="First Monday (default: dataset.toml)."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks (default: dataset.toml)."),
) -> None:
    """Plan as a regional team does by hand (first week that fits, in order of window
    close), write it like any plan and re-verify it with the independent checker."""
    from scheduler.baseline import plan_baseline
    from scheduler.export import write_outputs
    from scheduler.quality import quality

    problem = load_problem(data, config, start, weeks, out=out)
    result = plan_baseline(problem)
    written = write_outputs(problem, result, out, [str(config)] if config else [])
    if not result.feasible:
        console.print(f"[red]{result.status}[/red]: the baseline planner could not place "
                      f"{len(result.explanation)} required events.")
        for line in result.explanation:
            console.print(f"  - {line}", highlight=False)
        raise typer.Exit(1)
    figures = quality(problem, result.rows)
    console.print(f"{result.status}: {figures.events} events in {result.wall_time:.1f} s; "
                  f"{figures.window_deviation_weeks} weeks from the 3-year points (mean "
                  f"{figures.mean_window_deviation_weeks}); {figures.overdue_las} LAs overdue; "
                  f"borrowed {figures.lending_days:g} inspector-days over weekly and "
                  f"{figures.quarter_lending_days:g} over quarterly capacity; busiest week "
                  f"{100 * figures.max_capacity_peak:.0f} % of capacity; "
                  f"{figures.missed_visits} visits missed", highlight=False, soft_wrap=True)
    verify_written(problem, out, written)


def register(app: typer.Typer) -> None:
    app.command()(generate)
    app.command()(baseline)
