"""`ilacs scenario ...`: run, validate and check what-if scenarios, compare and sweep them."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import typer

from scheduler.cli_common import console, refuse, show_progress
from scheduler.errors import InputError

scenario_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="What-if scenarios: edits, stable re-planning (R-PIN, R-DEFER), "
                                "diffs, comparisons and sweeps.")


def _load(file: Path, baseline: Path | None = None):
    from scenarios import load_scenario

    try:
        scenario = load_scenario(file)
    except InputError as exc:
        raise refuse(exc) from None
    return replace(scenario, baseline=baseline.resolve()) if baseline else scenario


@scenario_app.command()
def run(
    file: Path = typer.Argument(..., help="Scenario file (TOML)."),
    out: Path = typer.Option(..., help="Folder for the new programme, diff and KPIs."),
    baseline: Path | None = typer.Option(None, help="Baseline programme.csv (overrides the "
                                                    "file's)."),
    time_limit: float | None = typer.Option(None, help="Solver time limit in seconds."),
    seed: int | None = typer.Option(None, help="Solver random seed."),
) -> None:
    """Re-plan a scenario against its baseline; write the programme, diff.csv, diff.md,
    kpis.json and score.md (or explanation.md and relaxed_programme.csv)."""
    from scenarios import run_scenario

    # What the imports made lives as long as this process: keep the cyclic garbage
    # collector from walking it again at each full collection (a few tenths of a second).
    gc.freeze()
    scenario = _load(file, baseline)
    scenario = replace(scenario, time_limit=time_limit or scenario.time_limit,
                       seed=scenario.seed if seed is None else seed)
    console.print(f"Scenario {scenario.name!r}: {len(scenario.edits)} edits")
    try:
        outcome = run_scenario(scenario, out, report=show_progress)
    except InputError as exc:
        raise refuse(exc) from None
    if not outcome.feasible:
        console.print(f"[red]{outcome.status}[/red]: no programme meets every hard rule.")
        for line in outcome.explanation:
            console.print(f"  - {line}", highlight=False)
        if outcome.relaxed and outcome.relaxed.rows:
            console.print(f"The best programme relaxing them breaks "
                          f"{len(outcome.relaxed.violations)} rules by event: see "
                          f"{out / 'explanation.md'}")
        raise typer.Exit(1)
    kpis = outcome.kpis
    if kpis["changes"]:
        console.print("changes: " + ", ".join(f"{k} {v}" for k, v in kpis["changes"].items()))
    for key, delta in (kpis["delta"] or {}).items():
        if not isinstance(delta, dict) and delta:
            console.print(f"  {key}: {kpis['baseline'][key]} -> {kpis['scenario'][key]} "
                          f"({delta:+g})", highlight=False)
    for violation in outcome.violations:
        console.print(f"[red]violation[/red] {violation}", highlight=False)
    console.print(f"{outcome.status} in {outcome.wall_time:.1f} s; independent check: "
                  f"{len(outcome.violations)} violations")
    for path in outcome.written:
        console.print(f"wrote {path}")
    if outcome.violations:
        raise typer.Exit(1)


@scenario_app.command()
def validate(file: Path = typer.Argument(..., help="Scenario file (TOML)."),
             baseline: Path | None = typer.Option(None, help="Baseline programme.csv.")) -> None:
    """Apply a scenario's edits without solving: exit 2 naming each refused edit."""
    from scenarios import prepare

    scenario = _load(file, baseline)
    try:
        prepared = prepare(scenario)
    except InputError as exc:
        raise refuse(exc) from None
    problem = prepared.problem
    console.print(f"{scenario.name!r}: {len(scenario.edits)} edits apply; "
                  f"{len(problem.needs)} events due, {len(problem.baseline)} in the baseline, "
                  f"{len(problem.pins)} pinned (R-PIN), {len(problem.deferrals)} deferred "
                  "(R-DEFER)")


@scenario_app.command()
def check(file: Path = typer.Argument(..., help="Scenario file (TOML)."),
          out: Path = typer.Argument(..., help="The scenario's output folder."),
          baseline: Path | None = typer.Option(None, help="Baseline programme.csv.")) -> None:
    """Re-verify a scenario's programme.csv from the files alone, pins and deferrals
    included."""
    from scenarios import prepare
    from scheduler.check import check_file

    try:
        violations = check_file(prepare(_load(file, baseline)).problem, out / "programme.csv")
    except InputError as exc:
        raise refuse(exc) from None
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{len(violations)} violations")
    raise typer.Exit(1 if violations else 0)


def _show(frame, title: str) -> None:
    from rich.table import Table

    table = Table(title=title)
    shown = frame.drop(columns=[c for c in ("folder",) if c in frame]).T
    table.add_column("")
    for name in shown.columns:
        table.add_column(str(name))
    for key, values in shown.iterrows():
        table.add_row(str(key), *("" if v is None else str(v) for v in values))
    console.print(table)


@scenario_app.command()
def compare(dirs: list[Path] = typer.Argument(..., help="Scenario output folders."),
            out: Path | None = typer.Option(None, help="Folder for compare.md and compare.csv "
                                                       "(default: the folders' parent).")) -> None:
    """Put several scenario runs side by side."""
    from scenarios import compare as compare_dirs
    from scenarios.compare import write_comparison

    try:
        frame = compare_dirs(dirs)
    except InputError as exc:
        raise refuse(exc) from None
    _show(frame, "Scenarios compared")
    for path in write_comparison(frame, out or dirs[0].resolve().parent):
        console.print(f"wrote {path}")


@scenario_app.command()
def sweep(
    folder: Path | None = typer.Argument(None, help="A folder of scenario files to run."),
    base: Path | None = typer.Option(None, help="Scenario whose data, baseline and edits the "
                                                "generated scenarios start from."),
    defer_each_in_region: list[str] | None = typer.Option(
        None, help="Defer every LA of this region in turn (scenario.defer_weeks); repeat it "
                   "for more regions, or give all."),
    random_judgements: int | None = typer.Option(
        None, help="This many draws of next year's judgements from this year's rates."),
    seed: int = typer.Option(0, help="Random seed of the judgement draws."),
    workers: int | None = typer.Option(None, help="Local processes (default: all cores)."),
    cluster: str | None = typer.Option(None, help="Dask scheduler address, tcp://host:port "
                                                  "(needs the `cluster` extra)."),
    out: Path = typer.Option(Path("out/sweep"), help="Folder for each run and sweep.csv."),
    time_limit: float | None = typer.Option(None, help="Solver limit per scenario (default: "
                                                       "scenario.sweep_time_limit_seconds)."),
) -> None:
    """Run a batch of scenarios in parallel (1 solver worker each); write sweep.csv."""
    from scenarios.sweep import SweepError, generate, run_sweep

    try:
        scenarios = generate(folder, base and _load(base), defer_each_in_region,
                             random_judgements, seed)
        report = run_sweep(scenarios, out, workers, cluster, time_limit)
    except InputError as exc:
        raise refuse(exc) from None
    except SweepError as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _show(report.table.set_index("scenario"), f"Sweep of {len(report.table)} scenarios")
    console.print(f"{len(report.table)} scenarios in {report.wall_time:.1f} s: "
                  f"{report.throughput:.1f} scenarios/minute on {report.where}")
    console.print(f"wrote {report.path}")


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
