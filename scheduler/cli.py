"""The command line `ilacs`: a thin layer over io, solve, export and check."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scheduler import stopping
from scheduler.cli_common import (
    EXIT_BROKEN,
    console,
    exit_code,
    load_problem,
    refuse,
    report_findings,
    show_progress,
    solve_deadline,
    solver_budget,
    stopped_or_refused,
)
from scheduler.errors import InputError

if TYPE_CHECKING:
    from scheduler.assign import Assignment
    from scheduler.assign_replan import StaffedPlan
    from scheduler.problem import Problem
    from scheduler.solve import Result

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
    time_limit: float | None = typer.Option(
        None, help="Wall-clock seconds for the whole command; the best programme found by "
        "then is written."),
    deterministic_time: float | None = typer.Option(
        None, help="The solver's budget in CP-SAT deterministic seconds: the same data, "
        "configuration, seed and budget give the same programme (default: "
        "solver.time_limit_seconds, or a share of --time-limit)."),
    seed: int | None = typer.Option(None, help="Solver random seed."),
) -> None:
    """Solve the national programme and write it with its reports. Exit 0: every rule
    holds; 3: written, breaking only the rules named per event in `relaxed`; 1: no
    programme at all (or a violation it does not name); 2: bad input; 130 / 143: stopped
    by Ctrl-C / SIGTERM, nothing written."""
    from scheduler.check import check_named
    from scheduler.export import write_outputs
    from scheduler.outfolder import output_folder

    problem = load_problem(data, config, start, weeks, out=out, time_limit=time_limit,
                           deterministic_time=deterministic_time)
    console.print(f"Planning {len(problem.dataset.las)} LAs, {len(problem.needs)} events due, "
                  f"{problem.start} + {problem.horizon_weeks} weeks")
    budget = solver_budget(problem, time_limit, deterministic_time)
    sources = [str(config)] if config else []
    with (stopped_or_refused(out), stopping.deadline(solve_deadline(time_limit), stopping.STARTED),
          output_folder(out) as staging):
        staffed = _plan_and_staff(problem, budget, seed)
        result = staffed.result
        written = write_outputs(staffed.problem, result, staging, sources,
                                staffed.assignment)
        findings = check_named(staffed.problem, staging / "programme.csv"
                               ) if result.has_programme else None
    if findings is None:
        console.print(f"[red]{result.status}[/red]: no programme at all.")
        _show_explanation(result)
        raise typer.Exit(EXIT_BROKEN)
    console.print(f"{result.status}: objective {result.objective:g}, bound {result.bound:g}, "
                  f"gap {100 * (result.gap or 0):.2f} %, {len(result.rows)} events, "
                  f"{result.wall_time:.1f} s")
    _show_explanation(result)
    from scheduler.cli_assign import show_staffing

    show_staffing(staffed)
    report_findings(findings, [out / path.name for path in written])


def _plan_and_staff(problem: Problem, budget: float | None, seed: int | None
                    ) -> StaffedPlan:
    """The staffed programme; where no programme meets every hard rule, the relaxed one."""
    from scheduler.assign_replan import plan_and_staff

    staffed = plan_and_staff(problem, budget, seed, report=show_progress)
    if not staffed.result.feasible:
        staffed.result, staffed.assignment = _relaxed(staffed.problem, staffed.result,
                                                      budget, seed)
    if staffed.assignment is not None:
        from scheduler.explain import name_unstaffed

        staffed.result.rows = name_unstaffed(staffed.problem, staffed.result.rows)
    return staffed


def _relaxed(problem: Problem, result: Result, time_limit: float | None,
             seed: int | None) -> tuple[Result, Assignment | None]:
    """No programme meets every hard rule: the best one breaking only the rules named
    (scheduler.explain.relaxed_result), staffed where it stands (no re-planning: some of its
    events sit in weeks a rule bars)."""
    from scheduler.assign import assign
    from scheduler.explain import relaxed_result

    console.print(f"[yellow]{result.status}[/yellow]: no programme meeting every hard rule "
                  "was found; solving the best one that breaks only the rules in conflict.")
    relaxed = relaxed_result(problem, result, time_limit, seed)
    if not relaxed.has_programme:
        return relaxed, None
    staffing = assign(problem, relaxed.rows, seed)
    relaxed.rows = staffing.rows
    return relaxed, staffing


def _show_explanation(result: Result) -> None:
    """The conflicts in plain words and the rules broken (also in explanation.md)."""
    for line in result.explanation:
        console.print(f"  - {line}", highlight=False)
    for rule, scope in result.relaxed_rules:
        console.print(f"  relaxed {rule} for {scope}", highlight=False)


@app.command()
def check(
    programme_csv: Path = typer.Argument(..., help="A programme.csv to verify."),
    data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    start: str | None = typer.Option(None, help="First Monday of the programme."),
    weeks: int | None = typer.Option(None, help="Horizon in weeks."),
) -> None:
    """Re-verify a programme against RULES.md from the files alone. Violations a row
    names in its `relaxed` column are listed apart, as relaxed (named). Exit 0: every rule
    holds; 3: only named relaxations; 1: any other violation; 2: bad input."""
    from scheduler.check import check_named
    from scheduler.validate import read_programme

    problem = load_problem(data, config, start, weeks)
    try:
        read_programme(problem, programme_csv)  # a malformed programme is bad input (exit 2)
        findings = check_named(problem, programme_csv)
    except InputError as exc:
        raise refuse(exc) from None
    for violation in findings.other:
        typer.echo(str(violation))
    if findings.named:
        typer.echo("relaxed (named):")
    for violation in findings.named:
        typer.echo(f"  {violation}")
    typer.echo(f"{len(findings.other)} violations, {len(findings.named)} relaxed (named)")
    raise typer.Exit(exit_code(findings))


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)

if __name__ == "__main__":
    app()
