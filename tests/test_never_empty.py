"""Never an empty programme (RULES.md, readings settled, R-OVERDUE): a graded window the
calendar and clash rules bar makes the inspection overdue, with the reason; where hard rules
still conflict `ilacs plan` writes the best programme breaking only the rules it names per
event in `relaxed` (exit 3), and `ilacs check` tells those apart from any other violation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.calendar import add_months
from scheduler.check import check_named, check_rows
from scheduler.cli import app
from scheduler.cli_common import EXIT_BROKEN, EXIT_HOLDS, EXIT_RELAXED
from scheduler.config import load_config
from scheduler.export import write_outputs
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset, write_atomically
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, read_programme_csv, write_programme_csv
from scheduler.solve import solve
from tests.conftest import POOLS, area_send, due_on, graded, jtai, la, roster, write_dataset
from tests.helpers import Run, flagged, moved

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"
XMAS_START = date(2026, 12, 14)  # a programme starting two weeks before Christmas
DUE = date(2027, 3, 1)  # the only day E1's inspection may start (tolerance 0)


def _cli(*args: object) -> tuple[int, str]:
    outcome = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in outcome.output, outcome.output
    return outcome.exit_code, outcome.output


def _plan(data: Path, out: Path, *args: object) -> tuple[int, str]:
    return _cli("plan", "--data", data, "--out", out, "--deterministic-time", 5, *args)


def _config(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _named(data: Path, programme: Path, config: Path | None = None,
           start: date | None = None, weeks: int | None = None):
    """What the independent checker finds in a written programme, named or not."""
    cfg = load_config(config) if config else load_config()
    problem = Problem.build(read_dataset(data), cfg, start, weeks)
    return problem, check_named(problem, programme)


# --- a window of Christmas weeks only ---------------------------------------------------

@pytest.fixture(scope="module")
def christmas(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int, str]:
    """E1's window (3-year point 29 June 2026, +/- 6 months) closes on 29 December 2026;
    planned from 14 December, its only weeks are Christmas weeks (R-XMAS)."""
    folder = tmp_path_factory.mktemp("christmas")
    data = due_on(folder / "data", date(2026, 6, 29))
    out = folder / "out"
    code, output = _plan(data, out, "--start", XMAS_START)
    return data, out, code, output


def test_a_window_of_christmas_weeks_only_goes_overdue_with_its_reason(
        christmas: tuple[Path, Path, int, str]) -> None:
    data, out, code, output = christmas
    assert code == EXIT_HOLDS, output
    (row,) = [r for r in read_programme_csv(out / "programme.csv") if r.event == "SHT"]
    assert row.window_close == date(2026, 12, 29)
    assert row.status == "overdue"
    # On site from the first Monday after the window that R-XMAS allows (19 Dec - 11 Jan).
    assert row.fieldwork_start == date(2027, 1, 18)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    overdue = summary.split("## Overdue LAs (R-OVERDUE)")[1].split("##")[0]
    assert "LA E1" in overdue and "R-XMAS" in overdue and "2026-12-29" in overdue
    assert json.loads((out / "run.json").read_text())["status"] in ("OPTIMAL", "FEASIBLE")
    assert not (out / "explanation.md").exists()
    checked, text = _cli("check", out / "programme.csv", "--data", data, "--start", XMAS_START)
    assert checked == EXIT_HOLDS and "0 violations, 0 relaxed (named)" in text


def test_the_checker_holds_the_overdue_reading(christmas: tuple[Path, Path, int, str]) -> None:
    """Refused: the inspection said to be new, or put in the window's Christmas week; the
    written programme (its neighbour) passes."""
    data, out, _, _ = christmas
    problem = Problem.build(read_dataset(data), load_config(), XMAS_START)
    rows = read_programme_csv(out / "programme.csv")
    (row,) = [r for r in rows if r.event == "SHT"]
    need = problem.need_by_id[row.need_id]
    assert need.overdue and "R-XMAS" in need.note and need.earliest == date(2026, 12, 30)
    assert check_rows(problem, rows) == []
    as_new = [replace(r, status="new") if r is row else r for r in rows]
    assert flagged(check_rows(problem, as_new), "R-OVERDUE") == {("E1", row.event_id)}
    run = Run(problem, None, None, [])  # type: ignore[arg-type]  # moved() reads its problem
    in_window = [moved(run, r, date(2026, 12, 21)) if r is row else r for r in rows]
    violations = check_rows(problem, in_window)
    assert ("E1", row.event_id) in flagged(violations, "R-XMAS")
    assert ("E1", row.event_id) in flagged(violations, "R-OVERDUE")


# --- a true conflict: a relaxed programme ------------------------------------------------

@pytest.fixture(scope="module")
def conflict(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, int, str]:
    """E1 due on DUE only: a fixed JTAI 4 weeks before bars its window (overdue), and an area
    SEND inspection 4 weeks after bars every week left in a 32-week horizon (R-CLASH)."""
    folder = tmp_path_factory.mktemp("conflict")
    data = write_dataset(folder / "data", weeks=32, las=[la("E1")],
                         history=[graded("E1", "SHT", add_months(DUE, -36))],
                         send=[area_send("E1", DUE + timedelta(weeks=4))],
                         jtais=[jtai("E1", DUE - timedelta(weeks=4))],
                         inspectors=roster() + POOLS)
    config = _config(folder, "[window]\ntolerance_months = 0\n"
                             "[focused_visits]\npathway1 = 0\n")
    out = folder / "out"
    code, output = _plan(data, out, "--config", config)
    return data, config, out, code, output


def test_a_true_conflict_writes_a_relaxed_programme(
        conflict: tuple[Path, Path, Path, int, str]) -> None:
    data, config, out, code, output = conflict
    assert code == EXIT_RELAXED, output
    assert "R-CLASH" in output and "relaxed (named)" in output
    rows = read_programme_csv(out / "programme.csv")
    (row,) = [r for r in rows if r.event == "SHT"]
    assert row.status == "overdue" and row.relaxed == "R-CLASH"
    assert all(not r.relaxed for r in rows if r is not row)
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "RELAXED" and ["R-CLASH", "E1"] in record["relaxed_rules"]
    explanation = (out / "explanation.md").read_text(encoding="utf-8")
    assert "R-CLASH" in explanation and "LA E1's short inspection" in explanation
    assert "R-CLASH" in (out / "summary.md").read_text(encoding="utf-8")
    _, findings = _named(data, out / "programme.csv", config)
    assert findings.other == [] and {v.rule for v in findings.named} == {"R-CLASH"}
    checked, text = _cli("check", out / "programme.csv", "--data", data, "--config", config)
    assert checked == EXIT_RELAXED and "relaxed (named):" in text
    assert "0 violations, " in text


def test_only_named_relaxations_are_excused(conflict: tuple[Path, Path, Path, int, str],
                                            tmp_path: Path) -> None:
    """The same programme with its `relaxed` column blanked, or breaking a rule it does not
    name, is refused (exit 1)."""
    data, config, out, _, _ = conflict
    rows = read_programme_csv(out / "programme.csv")
    unnamed = [replace(r, relaxed="") for r in rows]
    as_new = [replace(r, status="new") if r.event == "SHT" else r for r in rows]
    for edited, rule in ((unnamed, "R-CLASH"), (as_new, "R-OVERDUE")):
        path = _write(tmp_path / f"{rule}.csv", edited)
        _, findings = _named(data, path, config)
        assert rule in {v.rule for v in findings.other}
        checked, _ = _cli("check", path, "--data", data, "--config", config)
        assert checked == EXIT_BROKEN


def _write(path: Path, rows: list[ProgrammeRow]) -> Path:
    write_atomically(path, lambda tmp: write_programme_csv(rows, tmp))
    return path


def test_without_a_programme_no_stale_one_is_left(
        conflict: tuple[Path, Path, Path, int, str], tmp_path: Path) -> None:
    """The conflict as the solver first finds it (INFEASIBLE, nothing relaxed yet) written
    where a programme was: the old programme goes, explanation.md says why (exit 1 in
    `ilacs plan` when even the relaxed programme has no event)."""
    data, config, _, _, _ = conflict
    problem = Problem.build(read_dataset(data), load_config(config))
    result = solve(problem, time_limit=5)
    assert result.status == "INFEASIBLE" and result.conflicts and not result.has_programme
    out = tmp_path / "out"
    out.mkdir()
    for name in ("programme.csv", "summary.md"):
        (out / name).write_text("stale\n", encoding="utf-8")
    write_outputs(problem, result, out, [])
    assert not (out / "programme.csv").exists() and not (out / "summary.md").exists()
    explanation = (out / "explanation.md").read_text(encoding="utf-8")
    assert explanation.startswith("# Why there is no programme") and "R-CLASH" in explanation


# --- property: a programme at every start -------------------------------------------------

def _every_fourth_monday(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=4 * k) for k in range((last - first).days // 28 + 1)]


def _always_written(data: Path, out: Path, start: date, time_limit: float) -> None:
    code, output = _cli("plan", "--data", data, "--out", out, "--start", start,
                        "--deterministic-time", time_limit)
    assert code in (EXIT_HOLDS, EXIT_RELAXED), output
    _, findings = _named(data, out / "programme.csv", start=start)
    assert findings.other == [], [str(v) for v in findings.other]
    assert (code == EXIT_RELAXED) == bool(findings.named)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 LAs in 3 regions with England's mix (scheduler.generate), a 52-week horizon."""
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    generate_dataset(folder, 30, 3, seed=1, template=ENGLAND, horizon_weeks=52)
    return folder


@pytest.mark.parametrize("start", _every_fourth_monday(date(2026, 9, 7), date(2027, 7, 12)),
                         ids=str)  # 12 starts across a year
def test_a_synthetic_programme_is_written_at_every_start(synthetic: Path, tmp_path: Path,
                                                         start: date) -> None:
    _always_written(synthetic, tmp_path / "out", start, 1)


@pytest.mark.slow
@pytest.mark.parametrize("start", _every_fourth_monday(date(2026, 9, 7), date(2029, 8, 27)),
                         ids=str)
def test_an_england_programme_is_written_at_every_start(tmp_path: Path, start: date) -> None:
    _always_written(ENGLAND, tmp_path / "out", start, 20)
