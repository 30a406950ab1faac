"""Sweeps: generated batches run in parallel (local processes, or a Dask cluster) and are
gathered into sweep.csv; every programme passes the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import Scenario, load_scenario, prepare
from scenarios.sweep import SweepError, defer_each_in_region, generate, random_judgements, run_sweep
from scheduler.check import check_file
from scheduler.cli import app
from tests.conftest import write_dataset
from tests.helpers import Run, feasible


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The tiny programme as a baseline, re-planned from November 2026."""
    folder = tmp_path_factory.mktemp("sweep")
    run: Run = feasible(write_dataset(folder / "tiny"))
    path = folder / "base.toml"
    path.write_text(f'name = "base"\ndata = "tiny"\nbaseline = "{run.programme}"\n'
                    'replan_date = "2026-11-02"\n', encoding="utf-8")
    return load_scenario(path)


def assert_all_checked(scenarios: list[Scenario], table, out: Path) -> None:
    assert list(table["scenario"]) == [s.name for s in scenarios]
    assert set(table["status"]) <= {"OPTIMAL", "FEASIBLE"}
    assert (table["violations"] == 0).all()
    for scenario, folder in zip(scenarios, table["folder"], strict=True):
        problem = prepare(scenario).problem  # rebuilt from the files, not the run
        assert check_file(problem, Path(folder) / "programme.csv") == []
    assert (out / "sweep.csv").read_text().count("\n") == len(scenarios) + 1


def test_defer_each_in_region_on_local_processes(base: Scenario, tmp_path: Path) -> None:
    scenarios = defer_each_in_region(base, ["North"])
    everyone = defer_each_in_region(base, ["all"])  # the tiny dataset has one region
    assert [s.name for s in everyone] == [s.name for s in scenarios]
    with pytest.raises(SweepError, match="Atlantis"):
        defer_each_in_region(base, ["North", "Atlantis"])
    assert [s.edits[-1].get("la") for s in scenarios] == ["E1", "E2", "E3"]
    report = run_sweep(scenarios, tmp_path, workers=2, time_limit=5)
    assert_all_checked(scenarios, report.table, tmp_path)
    assert report.throughput > 0 and report.where == "2 local processes"
    for row in report.table.itertuples():  # each deferral changes its own LA at least
        assert row.moved + row.added + row.removed >= 1


def test_random_judgements_are_drawn_from_this_years_rates(base: Scenario,
                                                           tmp_path: Path) -> None:
    first = random_judgements(base, 2, seed=7)
    again = random_judgements(base, 2, seed=7)
    assert [s.edits for s in first] == [s.edits for s in again]  # same seed, same draws
    problem = prepare(base).problem
    recent = [e.judgements for e in problem.dataset.history if e.graded
              and (problem.dataset.as_at - e.known_date).days <= 7 * 52]
    for scenario in first:
        judged = [e for e in scenario.edits if e.type == "judgement"]
        assert judged and {e.get("la") for e in judged} <= {"E1", "E2"}  # due in year 1
        for edit in judged:
            drawn = {k: v for k, v in edit.fields.items() if k in recent[0] or k in (
                "overall", "leaders", "help_protection", "children_in_care", "care_leavers")}
            assert drawn in recent
    report = run_sweep(first, tmp_path, workers=1, time_limit=5)
    assert_all_checked(first, report.table, tmp_path)


def test_sweep_on_a_dask_cluster(base: Scenario, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    scenarios = defer_each_in_region(base, ["North"])[:2]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        report = run_sweep(scenarios, tmp_path, cluster=cluster.scheduler_address,
                           time_limit=5)
    assert report.where.startswith("Dask cluster tcp://")
    assert_all_checked(scenarios, report.table, tmp_path)


def test_cli_sweeps_a_folder_and_refuses_bad_options(base: Scenario, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, factor in (("one", 1.0), ("two", 0.9)):
        (folder / f"{name}.toml").write_text(
            f'name = "{name}"\ndata = "{base.data}"\nbaseline = "{base.baseline}"\n'
            f'[[edit]]\ntype = "capacity"\nregion = "North"\nfactor = {factor}\n')
    runner = CliRunner()
    outcome = runner.invoke(app, ["scenario", "sweep", str(folder), "--workers", "2",
                                  "--time-limit", "5", "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 0, outcome.output
    assert "scenarios/minute" in outcome.output
    assert (tmp_path / "out" / "sweep.csv").read_text().count("\n") == 3
    with pytest.raises(SweepError):
        generate(folder, base, ["North"], None, 0)  # two sources at once
    bad = runner.invoke(app, ["scenario", "sweep", "--defer-each-in-region", "North"])
    assert bad.exit_code == 2 and "--base" in bad.output and "Traceback" not in bad.output
