"""A local re-plan (scenarios/local.py): only the regions an edit touches are planned again;
the others keep their baseline weeks exactly; where that leaves no programme, everything is
planned again. Every output passes the independent checker."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scenarios import load_scenario, prepare, run_scenario
from scenarios.local import touched_regions
from scheduler.check import check_file
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
