"""A local re-plan (scenarios/local.py): only the regions an edit touches are planned again;
the others keep their baseline weeks exactly; where that leaves no programme, everything is
planned again. Within the regions planned again, the events of LAs no edit names stay near
their baseline weeks, unless that leaves no programme. Every output passes the independent
checker."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import load_scenario, prepare, run_scenario
from scenarios.local import anchor_unedited, freeze_untouched, touched_regions
from scheduler.check import check_file
from scheduler.cli import app
from scheduler.cli_common import EXIT_BROKEN, EXIT_RELAXED
from scheduler.model import _candidate_weeks
from tests.conftest import graded, la, pools, roster, write_dataset
from tests.helpers import Run, feasible

REPLAN = "2026-09-07"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Two regions, one RI and one EDU: Alpha (North) and Gamma (South) are due the same
    week, so the baseline inspects them apart (one RI can be in one place a day)."""
    folder = tmp_path_factory.mktemp("local") / "data"
    write_dataset(folder, las=[la("E1"), la("E2"), la("E3", "South")],
                  history=[graded("E1", "SHT", "2024-03-22"), graded("E2", "SHT", "2024-09-20"),
                           graded("E3", "SHT", "2024-03-22")],
                  send=[], inspectors=roster("North") + roster("South") + pools(1))
    return feasible(folder)


def _scenario(folder: Path, base: Run, edits: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.toml"
    path.write_text(f'name = "{folder.name}"\ndata = "{base.programme.parent.parent / "data"}"\n'
                    f'baseline = "{base.programme}"\ntime_limit = 10\n'
                    f'replan_date = "{REPLAN}"\n' + edits, encoding="utf-8")
    return path


def _run(path: Path, out: Path):
    outcome = run_scenario(load_scenario(path), out)
    assert outcome.feasible, outcome.explanation
    assert outcome.violations == []
    assert check_file(prepare(load_scenario(path)).problem, out / "programme.csv") == []
    return outcome


def _weeks(rows, region: str) -> dict[str, object]:
    return {r.event_id: (r.event, r.fieldwork_start) for r in rows if r.region == region}


def test_a_deferral_replans_its_region_alone(baseline: Run, tmp_path: Path) -> None:
    sht = baseline.row("E2", "SHT")
    path = _scenario(tmp_path / "defer", baseline,
                     '[[edit]]\ntype = "defer"\nla = "E2"\nevent = "SHT"\n'
                     f'not_before = {sht.fieldwork_start + timedelta(weeks=8)}\n')
    prepared = prepare(load_scenario(path))
    assert touched_regions(prepared) == {"North"}
    outcome = _run(path, tmp_path / "out")
    assert outcome.kpis["replanned_regions"] == ["North"]
    assert _weeks(outcome.result.rows, "South") == _weeks(baseline.rows, "South")
    moved = next(r for r in outcome.result.rows if r.need_id == "E2-SHT")
    assert moved.fieldwork_start > sht.fieldwork_start


def test_a_rule_change_replans_everything(baseline: Run, tmp_path: Path) -> None:
    path = _scenario(tmp_path / "weights", baseline,
                     '[[edit]]\ntype = "parameter"\nkey = "weights.move_week"\nvalue = 40\n')
    assert touched_regions(prepare(load_scenario(path))) is None
    assert _run(path, tmp_path / "out").kpis["replanned_regions"] == "all"


def test_where_holding_the_others_fails_everything_is_replanned(baseline: Run,
                                                                tmp_path: Path) -> None:
    # Alpha pinned to Gamma's baseline week: with Gamma held there, the one RI would be
    # needed in two places, so the local re-plan fails and Gamma moves instead.
    gamma = baseline.row("E3", "SHT")
    path = _scenario(tmp_path / "pin", baseline,
                     f'[[edit]]\ntype = "pin"\nla = "E1"\nevent = "SHT"\n'
                     f'start = {gamma.fieldwork_start}\n')
    outcome = _run(path, tmp_path / "out")
    assert outcome.kpis["replanned_regions"] == "all"
    rows = {r.need_id: r for r in outcome.result.rows}
    assert rows["E1-SHT"].fieldwork_start == gamma.fieldwork_start
    assert rows["E3-SHT"].fieldwork_start != gamma.fieldwork_start


def test_events_no_edit_names_stay_near_their_baseline_week(baseline: Run,
                                                             tmp_path: Path) -> None:
    sht = baseline.row("E2", "SHT")
    path = _scenario(tmp_path / "defer", baseline,
                     '[[edit]]\ntype = "defer"\nla = "E2"\nevent = "SHT"\n'
                     f'not_before = {sht.fieldwork_start + timedelta(weeks=8)}\n')
    prepared = prepare(load_scenario(path))
    freeze_untouched(prepared)
    anchor_unedited(prepared)
    problem = prepared.problem
    e1 = {n.need_id for n in problem.needs if n.la_code == "E1" and n.need_id in problem.baseline}
    assert set(problem.anchored) == e1 and "E1-SHT" in e1  # E2 is named; South is held
    radius = problem.config.scenario.move_radius_weeks
    weeks = _candidate_weeks(problem, problem.need_by_id["E1-SHT"], "SHT")
    near = problem.weeks.index(baseline.row("E1", "SHT").fieldwork_start)
    assert 0 < len(weeks) <= 2 * radius + 1
    assert all(abs(w + problem.config.spec("SHT").fieldwork_offset - near) <= radius
               for w in weeks)
    outcome = _run(path, tmp_path / "out")
    assert outcome.kpis["events_kept_near_baseline"] == len(e1)


def test_where_the_radius_leaves_no_programme_it_is_dropped(
        baseline: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def anchor_far_away(prepared) -> None:  # E1's baseline week as if years later
        prepared.problem.anchored["E1-SHT"] = prepared.problem.weeks.end + timedelta(days=700)

    monkeypatch.setattr("scenarios.runner.anchor_unedited", anchor_far_away)
    sht = baseline.row("E2", "SHT")
    path = _scenario(tmp_path / "defer", baseline,
                     '[[edit]]\ntype = "defer"\nla = "E2"\nevent = "SHT"\n'
                     f'not_before = {sht.fieldwork_start + timedelta(weeks=8)}\n')
    outcome = _run(path, tmp_path / "out")
    assert outcome.kpis["events_kept_near_baseline"] == 0
    assert outcome.kpis["replanned_regions"] == ["North"]
    assert any(r.need_id == "E1-SHT" for r in outcome.result.rows)


def test_an_infeasible_local_replan_is_explained_and_relaxed_with_the_others_held(
        baseline: Run, tmp_path: Path) -> None:
    sht = baseline.row("E2", "SHT")
    path = _scenario(tmp_path / "late", baseline,
                     '[[edit]]\ntype = "defer"\nla = "E2"\nevent = "SHT"\n'
                     f'not_before = {sht.window_close + timedelta(weeks=4)}\n')
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    assert not outcome.feasible
    assert {rule for rule, _ in outcome.relaxed.relaxed_rules} == {"R-DEFER"}
    assert outcome.programme == tmp_path / "out" / "relaxed_programme.csv"
    assert outcome.violations == [] and {v.rule for v in outcome.findings.named} == {"R-DEFER"}
    assert "R-DEFER" in outcome.explanation[0] and "R-WIN" in outcome.explanation[0]
    assert _weeks(outcome.relaxed.rows, "South") == _weeks(baseline.rows, "South")
    late = next(r for r in outcome.relaxed.rows if r.need_id == "E2-SHT")
    assert late.relaxed == "R-DEFER"


def test_cli_writes_and_checks_a_relaxed_programme_with_exit_3(baseline: Run,
                                                               tmp_path: Path) -> None:
    """EXIT_RELAXED: a programme is written that breaks only the rules its rows name;
    `scenario check` re-verifies that file and lists them apart. A rule it does not name
    (the deferral's mark wiped from the file) is a violation: exit 1."""
    sht = baseline.row("E2", "SHT")
    path = _scenario(tmp_path / "late", baseline,
                     '[[edit]]\ntype = "defer"\nla = "E2"\nevent = "SHT"\n'
                     f'not_before = {sht.window_close + timedelta(weeks=4)}\n')
    out = tmp_path / "out"
    ran = CliRunner().invoke(app, ["scenario", "run", str(path), "--out", str(out)])
    assert ran.exit_code == EXIT_RELAXED, ran.output
    assert "relaxed R-DEFER for E2" in ran.output
    checked = CliRunner().invoke(app, ["scenario", "check", str(path), str(out)])
    assert checked.exit_code == EXIT_RELAXED, checked.output
    assert "relaxed_programme.csv: 0 violations, 1 relaxed (named)" in checked.output
    programme = out / "relaxed_programme.csv"
    programme.write_text(programme.read_text().replace(",R-DEFER,", ",,"))
    checked = CliRunner().invoke(app, ["scenario", "check", str(path), str(out)])
    assert checked.exit_code == EXIT_BROKEN and "[R-DEFER]" in checked.output
