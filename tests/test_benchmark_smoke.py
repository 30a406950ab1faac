"""The benchmark suite's whole code path on one tiny generated instance, one run: no timing
is asserted, only that every figure is measured, checked and reported."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from benchmarks.run import main

SETTINGS = """
runs = 1
sizes = [1]
horizons = [104]
england = "data/england"
generator_seed = 1
timeout_factor = 5
timeout_slack_seconds = 120

[scale]       # 12 LAs in one region (seed 1): small, and it has a programme
las = 12
regions = 1

[time_limit]
default = 1

[quick]
sizes = [1]
horizons = [104]
runs = 1
time_limit = 1
england = false

[[targets]]
instance = "1"
horizons = [104]
text = "peak memory < 4 GiB"
memory_gib = 4
"""

app = typer.Typer()
app.command()(main)


def test_suite_measures_checks_and_reports(tmp_path: Path) -> None:
    settings = tmp_path / "bench.toml"
    settings.write_text(SETTINGS)
    outcome = CliRunner().invoke(app, ["--quick", "--settings-file", str(settings),
                                       "--out-dir", str(tmp_path / "out")])
    assert outcome.exit_code == 0, outcome.output
    records = json.loads((tmp_path / "out" / "results.json").read_text())["records"]
    assert [r["planner"] for r in records] == ["baseline", "solver"]
    for record in records:
        assert record["feasible"], record
        assert record["violations"] == 0  # re-verified from its programme.csv
        assert record["peak_memory_mib"] > 0 and record["las"] == 12
        assert record["quality"]["events"] > 0
    assert records[1]["model_size"]["placement_booleans"] > 0
    assert records[1]["first_feasible_seconds"] is not None
    report = (tmp_path / "out" / "results.md").read_text()
    assert "cores" in report and "OR-Tools" in report
    assert "| synthetic 1x | 12 | 1 | 104 |" in report
    assert "peak memory < 4 GiB: met" in report
    assert "solver / baseline" in report
    assert (tmp_path / "out" / "time_vs_size.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_options_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("runs = 1\n")
    for option in (["--sizes", "1,x"], ["--horizons", "0"], ["--runs", "0"],
                   ["--time-limit", "-1"], ["--settings-file", str(tmp_path / "bad.toml")],
                   ["--settings-file", str(tmp_path / "none.toml")]):
        outcome = CliRunner().invoke(app, [*option, "--out-dir", str(tmp_path)])
        assert outcome.exit_code == 2, option
        assert "Traceback" not in outcome.output
    assert not (tmp_path / "results.md").exists()


def test_a_stopped_run_reports_its_checked_first_programme() -> None:
    """A run stopped by the timeout after its first programme was written and checked
    counts for the time-to-first-programme target only if the checker passed it."""
    from benchmarks.report import _first, _outcome, summarise
    from benchmarks.settings import Target

    where = {"instance": "10", "label": "synthetic 10x", "weeks": 156}
    baseline = {**where, "planner": "baseline", "seed": 0, "status": "FEASIBLE",
                "feasible": True, "peak_memory_mib": 200.0}
    stopped = {**where, "planner": "solver", "seed": 0, "status": "TIMEOUT", "feasible": False,
               "peak_memory_mib": 500.0, "first_feasible_seconds": 15.0,
               "first_violations": 0, "error": "exit code -9"}
    target = Target("10", [156], "feasible in < 120 s", feasible_seconds=120)
    row = summarise([baseline, stopped])[0]
    assert "1/1 runs wrote one, checked: 0 violations" in _first(row)
    assert "timeout" in _outcome(row)
    assert target.met(row)
    row = summarise([baseline, {**stopped, "first_violations": 3}])[0]
    assert not target.met(row)
    assert not target.met(summarise([baseline, {**stopped, "first_feasible_seconds": 130.0}])[0])


def _part(folder: Path, instance: str, label: str, limit: float) -> Path:
    where = {"instance": instance, "label": label, "weeks": 156, "time_limit": limit,
             "las": 153, "regions": 8, "needs": 849, "solve_seconds": 9.0}
    records = [{**where, "planner": "baseline", "seed": 0, "status": "FEASIBLE",
                "feasible": True, "peak_memory_mib": 100.0},
               {**where, "planner": "solver", "seed": 0, "status": "FEASIBLE", "feasible": True,
                "peak_memory_mib": 300.0, "objective": 10, "gap": 0.004,
                "violations": 0, "quality": None}]
    folder.mkdir()
    about = {"cpu": "CPU", "cores": "2", "memory": "1 GiB", "python": "3", "ortools": "9",
             "date": f"run of {label}"}
    (folder / "results.json").write_text(json.dumps(
        {"machine": about, "command": f"bench {label}", "records": records}))
    return folder


def test_combine_puts_parts_side_by_side_and_refuses_one_measured_twice(tmp_path: Path) -> None:
    from benchmarks.combine import main as combine

    runner, combined = CliRunner(), typer.Typer()
    combined.command()(combine)
    england = _part(tmp_path / "england", "england", "England", 60)
    large = _part(tmp_path / "large", "3", "synthetic 3x", 300)
    out = tmp_path / "out"
    outcome = runner.invoke(combined, [str(england), str(large), "--out-dir", str(out)])
    assert outcome.exit_code == 0, outcome.output
    report = (out / "results.md").read_text()
    assert "| England | 153 | 8 | 156 | 849 | 60 | 1/1 FEASIBLE |" in report
    assert "| synthetic 3x | 153 | 8 | 156 | 849 | 300 | 1/1 FEASIBLE |" in report
    assert "run of England" in report and "`bench synthetic 3x`" in report
    assert len(json.loads((out / "results.json").read_text())["records"]) == 4

    again = _part(tmp_path / "again", "3", "synthetic 3x", 100)
    before = (out / "results.md").read_text()
    outcome = runner.invoke(combined, [str(large), str(again), "--out-dir", str(out)])
    assert outcome.exit_code == 2
    assert "synthetic 3x, 156 weeks is also in" in outcome.output
    assert "Traceback" not in outcome.output
    assert (out / "results.md").read_text() == before  # nothing overwritten
    outcome = runner.invoke(combined, [str(tmp_path / "none"), "--out-dir", str(out)])
    assert outcome.exit_code == 2 and "results.json" in outcome.output
