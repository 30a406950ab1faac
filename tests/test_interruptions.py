"""Interruptions, the wall clock and the output folder as a whole (scheduler/stopping.py,
scheduler/outfolder.py): a run's files appear together or not at all, a second run into the
same folder is refused, Ctrl-C or SIGTERM stops the search and leaves the folder as it was."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ortools.sat.python import cp_model
from typer.testing import CliRunner

from scheduler import stopping
from scheduler.cli import app
from scheduler.generate import generate_dataset

RUNNER = CliRunner()
ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _staging_left(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.endswith(".new")]


@pytest.fixture(scope="module")
def slow_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic dataset whose solve runs for far longer than it takes to stop it."""
    folder = tmp_path_factory.mktemp("slow") / "data"
    generate_dataset(folder, 300, 6, 1, template=ENGLAND)
    return folder


@pytest.mark.parametrize(("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_search_and_leaves_the_folder_as_it_was(
        slow_dataset: Path, tmp_path: Path, number: int, code: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "programme.csv").write_text("an earlier run's programme\n")
    before = _snapshot(out)
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "plan", "--data", str(slow_dataset),
         "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"})
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # wait until the search is under way
        seen.append(line)
        if " objective " in line:
            break
    process.send_signal(number)
    rest, _ = process.communicate(timeout=120)  # a guard against a hang, not a speed target
    output = "".join(seen) + rest
    assert process.returncode == code, output
    assert f"stopped by {signal.Signals(number).name}: nothing written" in output
    assert "Traceback" not in output
    assert _snapshot(out) == before
    assert _staging_left(tmp_path) == []


def test_a_second_run_into_a_folder_in_use_is_refused(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open(tmp_path / ".out.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a run writing into `out` holds it
        result = RUNNER.invoke(app, ["plan", "--data", str(tiny), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "another run is writing to this folder" in result.output
    assert not out.exists()


def test_a_failure_while_writing_leaves_the_folder_as_it_was(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = RUNNER.invoke(app, ["plan", "--data", str(tiny), "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = _snapshot(out)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scheduler.export.write_xlsx", disk_full)
    second = RUNNER.invoke(app, ["plan", "--data", str(tiny), "--out", str(out),
                                 "--seed", "7"])
    assert second.exit_code != 0
    assert _snapshot(out) == before
    assert _staging_left(tmp_path) == []


def test_a_run_replaces_the_files_of_the_one_before_and_keeps_the_users(
        tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "explanation.md").write_text("an earlier run's conflict\n")  # this run has none
    (out / "notes.txt").write_text("mine\n")
    result = RUNNER.invoke(app, ["plan", "--data", str(tiny), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"programme.csv", "programme.xlsx", "summary.md", "run.json", "notes.txt"}


def test_written_files_follow_the_users_umask(tiny: Path, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        result = RUNNER.invoke(app, ["plan", "--data", str(tiny), "--out", str(tmp_path / "o")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "o").iterdir()}
    assert set(modes.values()) == {0o644}, modes


def test_a_solve_never_gets_more_wall_clock_than_the_command_has_left() -> None:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 600
    with stopping.signals(), stopping.deadline(5.0):
        stopping.register(solver)
        assert 0 < solver.parameters.max_time_in_seconds <= 5.0
        assert solver.parameters.catch_sigint_signal is False  # Ctrl-C is ours to handle
    later = cp_model.CpSolver()
    later.parameters.max_time_in_seconds = 600
    stopping.register(later)  # outside the blocks: no deadline, CP-SAT's own Ctrl-C
    assert later.parameters.max_time_in_seconds == 600
    assert later.parameters.catch_sigint_signal is True


def test_a_scenario_run_writes_its_files_together(tiny: Path, tmp_path: Path) -> None:
    """`scenario run` shares `ilacs plan`'s output folder: its files appear together, the
    user's own are kept, and a folder in use is refused."""
    from scheduler.cli import app as cli_app

    baseline = tmp_path / "baseline"
    assert RUNNER.invoke(cli_app, ["plan", "--data", str(tiny), "--out", str(baseline),
                                   "--deterministic-time", "5"]).exit_code == 0
    scenario = tmp_path / "later.toml"
    scenario.write_text(f'name = "Alpha later"\ndata = "{tiny}"\n'
                        f'baseline = "{baseline / "programme.csv"}"\n'
                        'replan_date = 2026-09-07\n\n[[edit]]\ntype = "defer"\nla = "E1"\n'
                        'not_before = 2027-06-01\n')
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    with open(tmp_path / ".out.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        refused = RUNNER.invoke(cli_app, ["scenario", "run", str(scenario), "--out", str(out)])
    assert refused.exit_code == 2, refused.output
    result = RUNNER.invoke(cli_app, ["scenario", "run", str(scenario), "--out", str(out)])
    assert result.exit_code in (0, 3), result.output
    names = {p.name for p in out.iterdir()}
    assert {"programme.csv", "diff.csv", "kpis.json", "run.json", "notes.txt"} <= names
    assert f"wrote {out / 'programme.csv'}" in result.output.replace("\n", "")
    assert _staging_left(tmp_path) == []
