"""`ilacs assign` (staff a programme already solved) and `ilacs export ics` (calendars),
and how `ilacs plan` shows the staffing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scheduler.cli_common import console, load_problem, refuse
from scheduler.errors import InputError
from scheduler.programme import ProgrammeRow

if TYPE_CHECKING:
    from scheduler.assign import Assignment
    from scheduler.assign_replan import StaffedPlan
    from scheduler.problem import Problem

export_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="Exports of a programme for inspectors (R-CONFIDENTIAL).")


def show_assignment(assignment: Assignment) -> None:
    """How the staffing went, and each event it could not staff, with the reason."""
    staffed = len(assignment.rows) - len(assignment.unstaffed)
    console.print(f"staffing: {staffed} of {len(assignment.rows)} events, "
                  f"{len(assignment.runs)} models, {assignment.wall_time:.1f} s; soft objective "
                  f"(fairness, R-MV-LEAD, R-LEND) {assignment.objective:g}, bound "
                  f"{assignment.bound:g}, gap {100 * assignment.gap:.2f} %", highlight=False)
    spread = ", ".join(f"{group} {points:g}" for group, points in assignment.spread.items())
    console.print(f"fairness, points of inspection_share between most and least used: {spread}",
                  highlight=False)
    for unstaffed in assignment.unstaffed:
        console.print(f"[yellow]unstaffed[/yellow] {unstaffed}", highlight=False)


def show_staffing(plan: StaffedPlan) -> None:
    """`ilacs plan`: the re-planning rounds, then the staffing."""
    for note in plan.notes:
        console.print(f"re-planning: {note}", highlight=False)
    if plan.assignment is not None:
        show_assignment(plan.assignment)


def _read(problem: Problem, programme: Path) -> list[ProgrammeRow]:
    from scheduler.validate import read_programme

    try:
        return read_programme(problem, programme)
    except InputError as exc:
        raise refuse(exc) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def assign(
        programme: Path = typer.Argument(..., help="A programme.csv to staff."),
        data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
        out: Path = typer.Option(Path("out"), help="Folder for the staffed programme.csv."),
        config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
        start: str | None = typer.Option(None, help="First Monday of the programme."),
        weeks: int | None = typer.Option(None, help="Horizon in weeks."),
        seed: int | None = typer.Option(None, help="Solver random seed."),
    ) -> None:
        """Name a lead and team for every event of a programme (R-ASSIGN) and re-check it;
        writes programme.csv and staffing.md."""
        from scheduler.assign import assign as staff
        from scheduler.assign_report import staffing_markdown
        from scheduler.check import check_file
        from scheduler.io import write_atomically, write_text_atomically
        from scheduler.programme import write_programme_csv

        problem = load_problem(data, config, start, weeks, out=out)
        assignment = staff(problem, _read(problem, programme), seed)
        show_assignment(assignment)
        written = out / "programme.csv"
        write_atomically(written, lambda tmp: write_programme_csv(assignment.rows, tmp))
        write_text_atomically(out / "staffing.md", staffing_markdown(problem, assignment))
        violations = check_file(problem, written)
        for violation in violations:
            console.print(f"[red]violation[/red] {violation}", highlight=False)
        console.print(f"independent check: {len(violations)} violations; wrote {written} and "
                      f"{out / 'staffing.md'}")
        raise typer.Exit(1 if violations else 0)

    @export_app.command()
    def ics(
        programme: Path = typer.Option(..., help="A staffed programme.csv."),
        data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
        out: Path = typer.Option(Path("out/calendars"), help="Folder for the .ics files."),
        config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
        start: str | None = typer.Option(None, help="First Monday of the programme."),
        weeks: int | None = typer.Option(None, help="Horizon in weeks."),
    ) -> None:
        """One calendar per inspector and per region (CLASS:CONFIDENTIAL; re-exporting into
        the same folder updates the entries and cancels those no longer planned)."""
        from scheduler.ics import write_calendars

        problem = load_problem(data, config, start, weeks, out=out)
        written = write_calendars(problem, _read(problem, programme), out)
        console.print(f"wrote {len(written)} calendars to {out}")

    app.add_typer(export_app, name="export")
