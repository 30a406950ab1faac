"""What every `ilacs` command shares: the console, loading a problem, showing progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from scheduler.errors import InputError

if TYPE_CHECKING:
    from scheduler.check import Findings
    from scheduler.problem import Problem
    from scheduler.solve import Progress

console = Console(stderr=True)

# Exit codes of `ilacs plan` and `ilacs check` (README, "What it decides").
EXIT_HOLDS = 0  # a programme in which every rule holds
EXIT_BROKEN = 1  # no programme at all, or a violation its rows do not name
EXIT_BAD_INPUT = 2
EXIT_RELAXED = 3  # a programme breaking only the rules its rows name in `relaxed`


def exit_code(findings: Findings) -> int:
    """The exit code for what the checker found in a written programme."""
    if findings.other:
        return EXIT_BROKEN
    return EXIT_RELAXED if findings.named else EXIT_HOLDS


def refuse(exc: InputError) -> typer.Exit:
    """Print one line per input problem; the caller raises the returned exit (code 2)."""
    for problem in exc.problems:
        console.print(f"[red]error[/red] {escape(str(problem))}", highlight=False,
                      soft_wrap=True)  # escaped: "[config]" is not markup
    return typer.Exit(EXIT_BAD_INPUT)


def load_problem(data: Path, config: Path | None, start: str | None, weeks: int | None, *,
                 out: Path | None = None, time_limit: float | None = None,
                 deterministic_time: float | None = None) -> Problem:
    """Validate the dataset, configuration and options in one pass (scheduler.validate)
    before any model is built; exit 2 with one line per problem if any is bad."""
    from scheduler.problem import Problem
    from scheduler.validate import load_input

    try:
        valid = load_input(data, config, start, weeks, out=out, time_limit=time_limit,
                           deterministic_time=deterministic_time)
    except InputError as exc:
        raise refuse(exc) from None
    return Problem.build(valid.dataset, valid.config, valid.start, valid.weeks)


def show_progress(progress: Progress) -> None:
    """One line per improving solution: objective, bound, gap, elapsed."""
    console.print(f"{progress.elapsed:6.1f}s {progress.scope:<18.18} objective "
                  f"{progress.objective:>8.0f} bound {progress.bound:>8.0f} "
                  f"gap {100 * progress.gap:6.2f}%", highlight=False, soft_wrap=True)


def verify_written(problem: Problem, out: Path, written: list[Path]) -> None:
    """Re-verify the written programme with the independent checker; unless every rule
    holds, exit: 3 if it breaks only the rules its rows name in `relaxed`, else 1."""
    from scheduler.check import check_named

    report_findings(check_named(problem, out / "programme.csv"), written)


def report_findings(findings: Findings, written: list[Path]) -> None:
    """Print what the independent checker found in a written programme and the files
    written; unless every rule holds, exit: 3 if only named relaxations, else 1."""
    for violation in findings.other:
        console.print(f"[red]violation[/red] {violation}", highlight=False)
    for violation in findings.named:
        console.print(f"[yellow]relaxed (named)[/yellow] {violation}", highlight=False)
    console.print(f"independent check: {len(findings.other)} violations, "
                  f"{len(findings.named)} relaxed (named)")
    for path in written:
        console.print(f"wrote {path}")
    code = exit_code(findings)
    if code != EXIT_HOLDS:
        raise typer.Exit(code)


# Of a wall-clock --time-limit given alone, the share the placement's solves are budgeted
# (in deterministic seconds, about as many on this kind of machine); staffing, its repair
# and writing take the rest. Every solve stops at SOLVE_SHARE of the limit whatever, which
# leaves the checker and the writing their few seconds (England: about 3).
PLACEMENT_SHARE = 0.6
SOLVE_SHARE = 0.9


def solve_deadline(time_limit: float | None) -> float | None:
    """Wall-clock seconds from now by which every solve of the command must end."""
    return None if time_limit is None else SOLVE_SHARE * time_limit


def solver_budget(problem: Problem, time_limit: float | None,
                  deterministic_time: float | None) -> float | None:
    """The solver's deterministic budget: --deterministic-time; else a share of a wall-clock
    --time-limit; else (None) the configuration's solver.time_limit_seconds."""
    if deterministic_time is not None:
        return deterministic_time
    return None if time_limit is None else PLACEMENT_SHARE * time_limit


@contextmanager
def stopped_or_refused(out: Path) -> Iterator[None]:
    """Run a command's solving and writing: Ctrl-C or SIGTERM stops it at once (exit 130 or
    143, ``out`` left as it was); bad input found on the way (another run holding ``out``)
    exits 2."""
    from scheduler import stopping

    def say(name: str) -> None:
        console.print(f"[yellow]{name}[/yellow]: stopping the search; nothing will be "
                      f"written, {out} stays as it was")

    try:
        with stopping.signals(say):
            yield
    except stopping.Interrupted as stop:
        console.print(f"stopped by {stop}: nothing written")
        raise typer.Exit(stop.exit_code) from None
    except InputError as exc:
        raise refuse(exc) from None
