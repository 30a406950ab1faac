"""Solve tiny programmes; every one is re-verified by the independent checker."""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from scheduler.check import check_file, check_rows
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.solve import solve


def solved(folder: Path, **overrides):
    problem = Problem.build(read_dataset(folder), load_config(overrides=overrides or None))
    result = solve(problem, time_limit=20)
    return problem, result


def test_tiny_programme_is_complete_and_passes_the_checker(tiny: Path) -> None:
    problem, result = solved(tiny)
    assert result.feasible, result.explanation
    assert check_rows(problem, result.rows) == []
    kinds = {(r.la_code, r.event) for r in result.rows}
    assert ("E1", "SHT") in kinds  # pathway 1: short inspection
    assert ("E2", "STD") in kinds  # pathway 2: standard inspection
    assert sum(r.la_code == "E3" and r.event == "MV" for r in result.rows) >= 4  # R-MV-COUNT
    for row in result.rows:
        if row.event in ("STD", "SHT", "JTAI"):
            assert all(d.month != 8 for d in row.onsite_days)  # R-AUG
            assert not any((d.month, d.day) >= (12, 19) or (d.month, d.day) <= (1, 11)
                           for d in row.onsite_days)  # R-XMAS


def test_same_seed_same_programme(tiny: Path) -> None:
    _, first = solved(tiny)
    _, second = solved(tiny)
    assert [r.as_csv() for r in first.rows] == [r.as_csv() for r in second.rows]


def test_checker_finds_a_moved_inspection(tiny: Path) -> None:
    problem, result = solved(tiny)
    row = next(r for r in result.rows if r.event == "SHT")
    august = date(2027, 8, 2)
    days = tuple(august + timedelta(days=i) for i in range(5))
    moved = replace(row, onsite_days=days, fieldwork_start=days[0], fieldwork_end=days[-1])
    rules = {v.rule for v in check_rows(problem, [moved if r is row else r
                                                  for r in result.rows])}
    assert "R-AUG" in rules
    dropped = [r for r in result.rows if r is not row]
    assert "R-WIN" in {v.rule for v in check_rows(problem, dropped)}


def test_clash_window_is_hard(tiny: Path) -> None:
    _problem, result = solved(tiny)
    send = date(2027, 6, 7)
    for row in result.rows:
        if row.la_code == "E1" and row.event != "AEM":
            assert abs((row.fieldwork_start - send).days) >= 7 * 7  # R-CLASH 8 weeks


def test_capacity_shortage_is_explained_in_rule_ids(tiny: Path) -> None:
    inspectors = (tiny / "inspectors.csv").read_text().splitlines()
    (tiny / "inspectors.csv").write_text("\n".join(inspectors[:2] + inspectors[-2:]) + "\n")
    _problem, result = solved(tiny, capacity={"lending": False})
    assert result.status == "INFEASIBLE"
    assert result.explanation and "R-CAP" in " ".join(result.explanation)


def test_cli_plan_writes_outputs_and_check_passes(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    outcome = runner.invoke(app, ["plan", "--data", str(tiny), "--out", str(out),
                                  "--deterministic-time", "20"])
    assert outcome.exit_code == 0, outcome.output
    for name in ("programme.csv", "programme.xlsx", "summary.md", "run.json"):
        assert (out / name).exists()
    problem = Problem.build(read_dataset(tiny), load_config())
    assert check_file(problem, out / "programme.csv") == []
    checked = runner.invoke(app, ["check", str(out / "programme.csv"), "--data", str(tiny)])
    assert checked.exit_code == 0 and "0 violations" in checked.output


def test_cli_refuses_bad_input_without_traceback(tiny: Path, tmp_path: Path) -> None:
    (tiny / "local_authorities.csv").write_text("la_code,name\nE1,Alpha\n")
    outcome = CliRunner().invoke(app, ["plan", "--data", str(tiny), "--out",
                                       str(tmp_path / "o")])
    assert outcome.exit_code == 2
    assert "Traceback" not in outcome.output
    assert not (tmp_path / "o").exists()
