"""Batches of scenarios: a folder of files, every LA of a region deferred in turn, or random
draws of next year's judgements from this year's rates. They run in parallel, one CP-SAT
worker each, on local cores (ProcessPoolExecutor) or on a Dask cluster, and are gathered into
one table (sweep.csv)."""

from __future__ import annotations

import os
import random
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.compare import compare
from scenarios.edits import merge_tables
from scenarios.replan import Prepared, prepare
from scenarios.runner import run_scenario
from scenarios.spec import Edit, Scenario, load_scenario
from scheduler.config import GRADED, load_config
from scheduler.errors import InputError
from scheduler.io import write_atomically
from scheduler.pathways import Need


class SweepError(Exception):
    """The sweep cannot start (options, or nothing to run)."""


@dataclass(frozen=True)
class SweepReport:
    table: pd.DataFrame
    wall_time: float
    where: str
    path: Path

    @property
    def throughput(self) -> float:
        """Scenarios per minute."""
        return 60 * len(self.table) / self.wall_time if self.wall_time else 0.0


def _with_edits(base: Scenario, name: str, edits: list[Edit]) -> Scenario:
    numbered = [replace(e, index=len(base.edits) + i) for i, e in enumerate(edits, start=1)]
    return replace(base, name=name, edits=base.edits + tuple(numbered))


def _first_event(prepared: Prepared, code: str) -> tuple[Need, object] | None:
    """The LA's graded inspection (else its first event) not yet on site at the re-plan
    date, with its baseline date (or its earliest date without a baseline)."""
    problem, replan = prepared.problem, prepared.scenario.replan_date
    options = []
    for need in problem.needs:
        base = problem.baseline.get(need.need_id)
        if need.la_code != code or need.kind == "AEM" or (problem.baseline and base is None):
            continue
        start = base.fieldwork_start if base else need.earliest
        if replan is None or start >= replan:
            options.append((need.kind not in GRADED, start, need))
    if not options:
        return None
    _, start, need = min(options, key=lambda o: (o[0], o[1]))
    return need, start


def defer_each_in_region(base: Scenario, regions: list[str]) -> list[Scenario]:
    """R-DEFER: one scenario per LA of ``regions`` ("all": every region), its next event
    deferred by `scenario.defer_weeks` from its baseline date."""
    prepared = prepare(base)
    problem = prepared.problem
    known = set(problem.dataset.regions)
    wanted = known if "all" in regions else set(regions)
    unknown = sorted(wanted - known)
    if unknown:
        raise SweepError(f"unknown region {unknown[0]!r} (regions: "
                         f"{', '.join(problem.dataset.regions)}, or all)")
    weeks = timedelta(weeks=problem.config.scenario.defer_weeks)
    scenarios = []
    for la in sorted(problem.dataset.las.values(), key=lambda la: la.name):
        found = _first_event(prepared, la.la_code) if la.region in wanted else None
        if found:
            need, start = found
            edit = Edit(0, "defer", {"la": la.la_code, "event": need.need_id,
                                     "not_before": start + weeks})
            scenarios.append(_with_edits(base, f"{base.name}: defer {la.name}", [edit]))
    return scenarios


def random_judgements(base: Scenario, count: int, seed: int) -> list[Scenario]:
    """R-PATH: ``count`` scenarios; in each, every LA whose graded inspection falls in the
    first programme year gets judgements drawn from those published in the last
    `scenario.judgement_rates_weeks` weeks (so at this year's rates)."""
    prepared = prepare(base)
    problem = prepared.problem
    dataset = problem.dataset
    since = dataset.as_at - timedelta(weeks=problem.config.scenario.judgement_rates_weeks)
    pool = [dict(e.judgements) for e in dataset.history
            if e.graded and e.judgements and since <= e.known_date <= dataset.as_at]
    if not pool:
        raise SweepError(f"no graded inspection between {since} and {dataset.as_at} to draw "
                         "judgements from")
    year_end = problem.start + timedelta(weeks=52)
    due = []
    for code in sorted(dataset.las):
        found = _first_event(prepared, code)
        if found and found[0].kind in GRADED and found[1] < year_end:
            need, start = found
            week = problem.weeks.index(start) - problem.config.spec(need.kind).fieldwork_offset
            due.append((code, need.kind, problem.footprint(need.kind, week).fieldwork_end))
    rng = random.Random(seed)
    return [_with_edits(base, f"{base.name}: judgements draw {i + 1} (seed {seed})",
                        [Edit(0, "judgement", {"la": code, "event": kind, "date": end,
                                               **rng.choice(pool)}) for code, kind, end in due])
            for i in range(count)]


def from_folder(folder: Path) -> list[Scenario]:
    """Every *.toml of a folder; InputError lists the problems of all of them."""
    scenarios, problems = [], []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            scenarios.append(load_scenario(path))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return scenarios


def generate(folder: Path | None, base: Scenario | None, defer_regions: list[str] | None,
             judgement_draws: int | None, seed: int) -> list[Scenario]:
    """The scenarios of one sweep: exactly one of a folder, --defer-each-in-region or
    --random-judgements (the last two start from ``base``)."""
    defer_regions = defer_regions or None
    chosen = [x for x in (folder, defer_regions, judgement_draws) if x is not None]
    if len(chosen) != 1:
        raise SweepError("give exactly one of: a folder of scenarios, --defer-each-in-region, "
                         "--random-judgements")
    if folder is not None:
        scenarios = from_folder(folder)
    elif base is None:
        raise SweepError("--defer-each-in-region and --random-judgements need --base "
                         "(a scenario with the data and baseline to start from)")
    elif defer_regions is not None:
        scenarios = defer_each_in_region(base, defer_regions)
    else:
        scenarios = random_judgements(base, judgement_draws or 0, seed)
    if not scenarios:
        raise SweepError("no scenario to run")
    return scenarios


def _slug(index: int, name: str) -> str:
    return f"{index:03d}-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario")


def run_one(task: tuple[Scenario, Path]) -> dict[str, Any]:
    """One scenario of a sweep (in a worker process): its folder, or why it was refused."""
    scenario, out = task
    try:
        outcome = run_scenario(scenario, out)
    except InputError as exc:
        return {"scenario": scenario.name, "folder": str(out), "status": "REFUSED",
                "message": str(exc)}
    return {"scenario": scenario.name, "folder": str(out), "status": outcome.status,
            "message": " ".join(outcome.explanation)}


def _on_dask(address: str, tasks: list[tuple[Scenario, Path]]) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise SweepError("--cluster needs Dask: pip install 'ilacs-scheduler[cluster]'"
                         ) from None
    with Client(address) as client:
        return client.gather(client.map(run_one, tasks, pure=False))


def run_sweep(scenarios: list[Scenario], out: Path, workers: int | None = None,
              cluster: str | None = None, time_limit: float | None = None) -> SweepReport:
    """Run every scenario (one solver worker each) and write ``out``/sweep.csv."""
    tasks = []
    for i, scenario in enumerate(scenarios, start=1):
        config = merge_tables(scenario.config, {"solver": {"workers": 1}})
        limit = (time_limit or scenario.time_limit
                 or load_config(overrides=config).scenario.sweep_time_limit_seconds)
        tasks.append((replace(scenario, config=config, time_limit=limit),
                      Path(out) / _slug(i, scenario.name)))
    started = time.perf_counter()
    if cluster:
        found, where = _on_dask(cluster, tasks), f"Dask cluster {cluster}"
    else:
        count = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=count) as pool:
            found = list(pool.map(run_one, tasks))
        where = f"{count} local processes"
    wall = time.perf_counter() - started
    table = pd.DataFrame.from_records(found)
    ran = [r["folder"] for r in found if r["status"] != "REFUSED"]
    if ran:
        figures = compare(ran).reset_index().drop(columns=["scenario", "status"])
        table = table.merge(figures, on="folder", how="left")
    path = Path(out) / "sweep.csv"
    write_atomically(path, lambda tmp: table.to_csv(tmp, index=False))
    return SweepReport(table, wall, where, path)
