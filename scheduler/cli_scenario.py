"""`ilacs scenario ...`: run, validate and check what-if scenarios, compare and sweep them."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from scheduler.cli_common import (
    EXIT_BROKEN,
    console,
    exit_code,
    refuse,
    show_progress,
    stopped_or_refused,
)
from scheduler.errors import InputError

if TYPE_CHECKING:
    from scenarios import ScenarioOutcome

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
    kpis.json and score.md (or explanation.md and relaxed_programme.csv). Exit 0: every
    rule holds; 3: only a relaxed programme, breaking only the rules its rows name in
    `relaxed`; 1: no programme at all (or a violation it does not name); 2: bad input."""
    from scenarios import run_scenario
    from scheduler.outfolder import output_folder
    from scheduler.validate import check_options

    # What the imports made lives as long as this process: keep the cyclic garbage
    # collector from walking it again at each full collection (a few tenths of a second).
    gc.freeze()
    scenario = _load(file, baseline)
    scenario = replace(scenario, time_limit=time_limit or scenario.time_limit,
                       seed=scenario.seed if seed is None else seed)
    console.print(f"Scenario {scenario.name!r}: {len(scenario.edits)} edits")
    try:
        check_options(out=out, time_limit=time_limit)
    except InputError as exc:
        raise refuse(exc) from None
    with stopped_or_refused(out), output_folder(out) as staging:  # all files or none
        outcome = run_scenario(scenario, staging, report=show_progress)
    outcome = replace(outcome, out_dir=out, written=[out / path.name for path in outcome.written])
    if outcome.feasible:
        _show_changes(outcome.kpis)
    else:
        _show_relaxed(outcome)
    findings = outcome.findings
    for violation in outcome.violations:
        console.print(f"[red]violation[/red] {violation}", highlight=False)
    for violation in findings.named if findings else []:
        console.print(f"[yellow]relaxed (named)[/yellow] {violation}", highlight=False)
    console.print(f"{outcome.status} in {outcome.wall_time:.1f} s; independent check of "
                  f"{outcome.programme.name if outcome.programme else 'no programme'}: "
                  f"{len(outcome.violations)} violations, "
                  f"{len(findings.named) if findings else 0} relaxed (named)")
    for path in outcome.written:
        console.print(f"wrote {path}")
    code = exit_code(findings) if findings else EXIT_BROKEN
    if code:
        raise typer.Exit(code)


def _show_changes(kpis: dict[str, Any]) -> None:
    """A feasible re-plan: the changes and the KPIs that moved."""
    if kpis["changes"]:
        console.print("changes: " + ", ".join(f"{k} {v}" for k, v in kpis["changes"].items()))
    for key, delta in (kpis["delta"] or {}).items():
        if not isinstance(delta, dict) and delta:
            console.print(f"  {key}: {kpis['baseline'][key]} -> {kpis['scenario'][key]} "
                          f"({delta:+g})", highlight=False)


def _show_relaxed(outcome: ScenarioOutcome) -> None:
    """No programme meets every hard rule: the conflicts and the rules relaxed."""
    console.print(f"[yellow]{outcome.status}[/yellow]: no programme meets every hard rule.")
    for line in outcome.explanation:
        console.print(f"  - {line}", highlight=False)
    if outcome.programme:
        console.print(f"The best programme relaxing them ({outcome.relaxed.status}), in "
                      f"{outcome.programme}, breaks:")
        for rule, scope in outcome.relaxed.relaxed_rules:
            console.print(f"  relaxed {rule} for {scope}", highlight=False)


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
    """Re-verify a scenario's programme.csv (else its relaxed_programme.csv) from the files
    alone, pins and deferrals included. Violations a row names in its `relaxed` column are
    listed apart. Exit 0: every rule holds; 3: only named relaxations; 1: any other
    violation; 2: bad input."""
    from scenarios import prepare
    from scenarios.runner import written_programme
    from scheduler.check import check_named
    from scheduler.validate import read_programme

    path = written_programme(out)
    try:
        problem = prepare(_load(file, baseline)).problem
        read_programme(problem, path)  # a malformed programme: exit 2
        findings = check_named(problem, path)
    except InputError as exc:
        raise refuse(exc) from None
    for violation in findings.other:
        typer.echo(str(violation))
    if findings.named:
        typer.echo("relaxed (named):")
    for violation in findings.named:
        typer.echo(f"  {violation}")
    typer.echo(f"{path.name}: {len(findings.other)} violations, {len(findings.named)} "
               "relaxed (named)")
    raise typer.Exit(exit_code(findings))


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
