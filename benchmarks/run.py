"""`python -m benchmarks.run`: the benchmark suite of issue 6. For England and synthetic
instances of a multiple of its size, at each horizon: the solver's time to a first
programme, to the proven optimum or its gap at the time limit, its peak memory and model
size (median of several runs, each in its own process), and the quality of its programme
against the baseline planner's. Writes results.md, results.json and time_vs_size.png."""

from __future__ import annotations

import shlex
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import typer

from benchmarks.instances import Instance, prepare
from benchmarks.measure import measured_run
from benchmarks.report import Record, write_report
from benchmarks.settings import DEFAULTS, Settings, load_settings
from scheduler.cli_common import console, refuse
from scheduler.config import load_config
from scheduler.errors import InputError


def _numbers(text: str | None, kind: type, option: str) -> list | None:
    if text is None:
        return None
    try:
        values = [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or any(v <= 0 for v in values):
        console.print(f"[red]error[/red] {option} {text!r}: a comma-separated list of "
                      "positive numbers")
        raise typer.Exit(2)
    return values


def _runs_of(settings: Settings, instance: Instance, weeks: int,
             config: Path | None) -> list[Record]:
    """The baseline planner once (it is deterministic), then the solver ``runs`` times."""
    limit, timeout = settings.limit_for(instance.key), settings.timeout_for(instance.key)
    common = ["--data", str(instance.folder), "--weeks", str(weeks),
              *(["--config", str(config)] if config else [])]
    plans = [("baseline", 0)] + [("solver", seed) for seed in range(settings.runs)]
    records = []
    for planner, seed in plans:
        found = measured_run([*common, "--planner", planner, "--seed", str(seed),
                              "--time-limit", str(limit)], timeout)
        records.append({**found, "instance": instance.key, "label": instance.label,
                        "weeks": weeks, "planner": planner, "seed": seed,
                        "time_limit": limit})  # also for a run stopped or failed
        console.print(f"  {instance.label}, {weeks} weeks, {planner} (seed {seed}): "
                      f"{found['status']}, first feasible {found.get('first_feasible_seconds')}"
                      f" s, {found.get('solve_seconds')} s, {found['peak_memory_mib']:.0f} MiB",
                      highlight=False, soft_wrap=True)
    return records


def run_suite(settings: Settings, config: Path | None = None) -> list[Record]:
    """Every run of the suite, in order: instances, then horizons."""
    records: list[Record] = []
    with tempfile.TemporaryDirectory(prefix="ilacs-bench-") as work:
        instances = prepare(settings, Path(work))
        for instance in instances:
            for weeks in settings.horizons:
                records += _runs_of(settings, instance, weeks, config)
    return records


def main(
    quick: bool = typer.Option(False, help="Small synthetic instances only, one short run."),
    runs: int | None = typer.Option(None, help="Solver runs per instance and horizon."),
    sizes: str | None = typer.Option(None, help="Synthetic sizes, multiples of England: 1,3,10"),
    horizons: str | None = typer.Option(None, help="Horizons in weeks: 52,104,156"),
    england: bool | None = typer.Option(None, "--england/--no-england",
                                        help="Benchmark the England dataset as well."),
    time_limit: float | None = typer.Option(None, help="One solver limit (s) for all."),
    config: Path | None = typer.Option(None, help="TOML file overriding defaults.toml."),
    out_dir: Path = typer.Option(Path(__file__).parent, help="Where the results go."),
    settings_file: Path = typer.Option(DEFAULTS, help="The suite's settings."),
) -> None:
    """Run the benchmark suite and write its results."""
    for option, value in (("--runs", runs), ("--time-limit", time_limit)):
        if value is not None and value <= 0:
            console.print(f"[red]error[/red] {option} {value}: must be positive")
            raise typer.Exit(2)
    try:
        settings = load_settings(settings_file, quick, runs=runs,
                                 sizes=_numbers(sizes, float, "--sizes"),
                                 horizons=_numbers(horizons, int, "--horizons"),
                                 time_limit=time_limit)
        solver = vars(load_config(*([config] if config else [])).solver)
    except InputError as exc:
        raise refuse(exc) from None
    if england is not None:
        settings = replace(settings, england=settings.template if england else None)
    records = run_suite(settings, config)
    command = shlex.join([Path(sys.executable).name, "-m", "benchmarks.run", *sys.argv[1:]])
    for path in write_report(settings, records, out_dir, command, solver):
        console.print(f"wrote {path}")


if __name__ == "__main__":
    typer.run(main)
