"""The baseline planner: a real comparator, re-verified by the independent checker from the
files it writes, like any other programme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.baseline import plan_baseline
from scheduler.check import check_file
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.export import lending_by_capacity, write_outputs
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.quality import quality
from scheduler.solve import Result

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"


def _problem(folder: Path, weeks: int | None = None, **overrides: object) -> Problem:
    return Problem.build(read_dataset(folder), load_config(overrides=overrides or None),
                         None, weeks)


def _generated(folder: Path, las: int, regions: int, seed: int, weeks: int) -> Path:
    generate_dataset(folder, las, regions, seed, template=ENGLAND, horizon_weeks=weeks)
    return folder


def _checked(problem: Problem, result: Result, out: Path) -> None:
    """The programme is complete, and the checker finds nothing wrong in its files."""
    assert result.feasible, result.explanation
    write_outputs(problem, result, out, [])
    assert check_file(problem, out / "programme.csv") == []
    placed = {row.need_id for row in result.rows}
    assert all(n.need_id in placed for n in problem.needs if n.mandatory and not n.parent)


def test_tiny_programme_passes_the_checker(tiny: Path, tmp_path: Path) -> None:
    problem = _problem(tiny)
    result = plan_baseline(problem)
    _checked(problem, result, tmp_path / "out")
    assert result.objective is None and result.status == "FEASIBLE"
    figures = quality(problem, result.rows)
    assert figures.events == len(result.rows)
    assert sum(figures.events_by_kind.values()) == figures.events
    # E1's and E2's inspections, and E3's re-inspection: its 3-year point is after the
    # horizon, but its window opens inside it, so the baseline places it.
    assert figures.graded_with_target == 3 and figures.window_deviation_weeks >= 0
    assert set(figures.capacity_peak) == {"North"}


@pytest.mark.parametrize(("las", "regions", "seed", "weeks"),
                         [(30, 3, 1, 104), (45, 4, 2, 156), (24, 2, 7, 52)])
def test_generated_programmes_pass_the_checker(tmp_path: Path, las: int, regions: int,
                                               seed: int, weeks: int) -> None:
    problem = _problem(_generated(tmp_path / "data", las, regions, seed, weeks))
    result = plan_baseline(problem)
    _checked(problem, result, tmp_path / "out")
    figures = quality(problem, result.rows)
    assert figures.events == len([r for r in result.rows if r.status != "fixed"])
    assert set(figures.capacity_peak) == set(problem.dataset.regions)
    assert figures.mean_window_deviation_weeks > 0  # first week that fits, not the target


def test_england_programme_passes_the_checker(tmp_path: Path) -> None:
    problem = _problem(ENGLAND)
    result = plan_baseline(problem)
    _checked(problem, result, tmp_path / "out")
    # Wirral's inspection fits only without the focused visit due before it: the visit,
    # usually due (R-FV-COUNT), is dropped to make room, and counted as missed.
    placed = {row.need_id for row in result.rows}
    assert "E08000015-STD" in placed and "E08000015-FV1" not in placed
    assert quality(problem, result.rows).missed_visits >= 1


def test_same_input_same_programme(tmp_path: Path) -> None:
    folder = _generated(tmp_path / "data", 20, 2, 3, 104)
    first, again = plan_baseline(_problem(folder)), plan_baseline(_problem(folder))
    assert [r.as_csv() for r in first.rows] == [r.as_csv() for r in again.rows]


def test_a_short_region_borrows_and_shows_it(tmp_path: Path) -> None:
    folder = _generated(tmp_path / "data", 30, 3, 1, 104)
    for name in ("inspectors.csv", "leave.csv", "conflicts.csv"):  # Region 01: its SHMI only
        lines = (folder / name).read_text().splitlines()
        (folder / name).write_text("\n".join(line for line in lines
                                             if not line.startswith("R01-0")) + "\n")
    problem = _problem(folder)
    result = plan_baseline(problem)
    _checked(problem, result, tmp_path / "out")
    assert quality(problem, result.rows).lending_days > 0
    lent = lending_by_capacity(problem, result.rows)  # a draft: lent_from blank (R-LEND)
    assert any(r.region == "Region 01" and r.event_id in lent for r in result.rows)


def test_without_lending_every_region_keeps_to_its_capacity(tmp_path: Path) -> None:
    problem = _problem(_generated(tmp_path / "data", 24, 2, 1, 104),
                       capacity={"lending": False})
    result = plan_baseline(problem)
    _checked(problem, result, tmp_path / "out")
    figures = quality(problem, result.rows)
    assert figures.lending_days == 0 and figures.quarter_lending_days == 0
    assert figures.max_capacity_peak <= 1
    assert not any(r.lent_from for r in result.rows)


def test_failure_names_the_events_and_rules(tiny: Path, tmp_path: Path) -> None:
    # Everyone at fte 0.2: North has 5 inspector-days a week, less than any graded
    # inspection or monitoring visit needs; only the one-day meetings fit.
    roster = (tiny / "inspectors.csv").read_text().replace(",1.0,", ",0.2,")
    (tiny / "inspectors.csv").write_text(roster)
    problem = _problem(tiny, capacity={"lending": False})
    result = plan_baseline(problem)
    assert result.status == "UNKNOWN" and not result.feasible
    unplaced = {line.split(":")[0] for line in result.explanation}
    assert unplaced == {"E1-SHT", "E2-STD", "E3-MV1", "E3-MV2", "E3-MV3", "E3-MV4"}
    for line in result.explanation:
        assert "not placed" in line and re.search(r"R-[A-Z]+", line.split(":", 1)[1])
    assert "it follows E3-MV1 (R-MV-RATE)" in " ".join(result.explanation)
    assert {r.event for r in result.rows} == {"AEM"}
    written = write_outputs(problem, result, tmp_path / "out", [])
    assert [p.name for p in written] == ["explanation.md", "run.json"]  # no programme


def test_cli_baseline_writes_a_checked_programme(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    outcome = runner.invoke(app, ["baseline", "--data", str(tiny), "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    assert "independent check: 0 violations" in outcome.output
    checked = runner.invoke(app, ["check", str(out / "programme.csv"), "--data", str(tiny)])
    assert checked.exit_code == 0 and "0 violations" in checked.output


def test_cli_baseline_refuses_bad_input(tiny: Path, tmp_path: Path) -> None:
    (tiny / "local_authorities.csv").write_text("la_code,name\nE1,Alpha\n")
    outcome = CliRunner().invoke(app, ["baseline", "--data", str(tiny), "--out",
                                       str(tmp_path / "o")])
    assert outcome.exit_code == 2
    assert "local_authorities.csv" in outcome.output and "Traceback" not in outcome.output
    assert not (tmp_path / "o").exists()
