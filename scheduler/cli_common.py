"""What every `ilacs` command shares: the console, loading a problem, showing progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from scheduler.errors import InputError

if TYPE_CHECKING:
    from scheduler.problem import Problem
    from scheduler.solve import Progress

console = Console(stderr=True)


def refuse(exc: InputError) -> typer.Exit:
    """Print one line per input problem; the caller raises the returned exit (code 2)."""
    for problem in exc.problems:
        console.print(f"[red]error[/red] {problem}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def load_problem(data: Path, config: Path | None, start: str | None,
                 weeks: int | None) -> Problem:
    """Read and validate the dataset and configuration; exit 2 with clear messages if bad."""
    from scheduler.config import load_config
    from scheduler.io import read_dataset
    from scheduler.problem import Problem

    try:
        dataset = read_dataset(data)
        cfg = load_config(*([config] if config else []))
        first = date.fromisoformat(start) if start else None
    except InputError as exc:
        raise refuse(exc) from None
    except ValueError:
        console.print(f"[red]error[/red] --start {start!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    return Problem.build(dataset, cfg, first, weeks)


def show_progress(progress: Progress) -> None:
    """One line per improving solution: objective, bound, gap, elapsed."""
    console.print(f"{progress.elapsed:6.1f}s {progress.scope:<18.18} objective "
                  f"{progress.objective:>8.0f} bound {progress.bound:>8.0f} "
                  f"gap {100 * progress.gap:6.2f}%", highlight=False, soft_wrap=True)


def verify_written(problem: Problem, out: Path, written: list[Path]) -> None:
    """Re-verify the written programme with the independent checker; exit 1 on a violation."""
    from scheduler.check import check_file

    violations = check_file(problem, out / "programme.csv")
    for violation in violations:
        console.print(f"[red]violation[/red] {violation}", highlight=False)
    console.print(f"independent check: {len(violations)} violations")
    for path in written:
        console.print(f"wrote {path}")
    if violations:
        raise typer.Exit(1)
