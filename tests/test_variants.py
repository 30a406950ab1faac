"""Dataset variants we build ourselves (DATA.md format): each solved, written and re-verified
by the independent checker, with every mandatory event in the programme."""

from __future__ import annotations

import csv
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constraints.capacity import row_load
from scheduler.export import lending_by_capacity
from scheduler.generate import generate_dataset
from tests.conftest import csv_text, graded
from tests.helpers import Run, feasible, plan

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"
TIME_LIMIT = 2.0  # seconds (deterministic) per solve: these are 8-10 LA programmes


def _generated(folder: Path, las: int, regions: int, seed: int, weeks: int = 104) -> Path:
    generate_dataset(folder, las, regions, seed, template=ENGLAND, horizon_weeks=weeks)
    return folder


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    (folder / name).write_text(csv_text(name, rows), encoding="utf-8")


def test_fewer_inspectors_the_region_borrows_and_shows_it(tmp_path: Path) -> None:
    folder = _generated(tmp_path / "d", 10, 2, seed=7)
    inspectors = _rows(folder, "inspectors.csv")
    hmis = [r["inspector_id"] for r in inspectors
            if r["region"] == "Region 01" and r["role"] == "HMI"]
    gone = set(hmis[: len(hmis) // 3 or 1])  # a third of the region's HMIs leave
    for name, column in (("inspectors.csv", "inspector_id"), ("leave.csv", "inspector_id"),
                         ("conflicts.csv", "inspector_id")):
        _write(folder, name, [r for r in _rows(folder, name) if r[column] not in gone])
    run = feasible(folder, time_limit=TIME_LIMIT)
    # An inspection whose team alone needs more inspector-days in some week than what is left
    # of the region has (a short inspection 22 on site, a standard one 20, 15 for a small
    # LA) is staffed with borrowed days, at a cost, and shows the region that lends them.
    capacity = run.problem.regional_capacity["Region 01"]
    too_big = [r for r in run.rows if r.region == "Region 01" and any(
        tenths > capacity[week] for week, tenths in row_load(run.problem, r)[0].items())]
    assert too_big
    lent = lending_by_capacity(run.problem, run.rows)  # a draft: lent_from blank (R-LEND)
    assert {lent.get(r.event_id) for r in too_big} == {"Region 02"}
    assert run.result.cost_by_rule()["R-LEND"] > 0


def test_many_las_newly_judged_inadequate(tmp_path: Path) -> None:
    folder = _generated(tmp_path / "d", 8, 2, seed=3)
    start = date.fromisoformat(re.search(r"programme_start = (\S+)",
                                         (folder / "dataset.toml").read_text())[1])
    codes = [r["la_code"] for r in _rows(folder, "local_authorities.csv")][:4]
    # Inspected 11 weeks before the programme starts, judged inadequate, published 3 weeks
    # before it starts (before the dataset's as_at).
    fresh = [graded(code, "STD", start - timedelta(weeks=11), "inadequate") for code in codes]
    _write(folder, "ilacs_history.csv", _rows(folder, "ilacs_history.csv") + fresh)
    run = feasible(folder, time_limit=TIME_LIMIT)
    for code in codes:
        assert run.problem.plans[code].pathway == 3
        visits = sorted((r for r in run.rows if r.la_code == code and r.event == "MV"),
                        key=lambda r: r.fieldwork_start)
        # R-MV-COUNT: the four monitoring visits; R-MV-START: the first after the LA's
        # action plan is due, 70 working days after publication.
        assert len(visits) == run.problem.config.monitoring.min_visits
        assert visits[0].fieldwork_start >= run.problem.need_by_id[f"{code}-MV1"].earliest
        assert visits[0].fieldwork_start > start + timedelta(weeks=11)
        # No focused visit or inspection of the old pathway; the re-inspection's window
        # opens 30 months after the judgement, after the programme: it is left for later.
        old = ("STD", "SHT", "FV", "JTAI")
        assert not [r for r in run.rows if r.la_code == code and r.event in old]
        reinspection = run.problem.need_by_id[f"{code}-STD"]
        assert reinspection.window_open > run.problem.weeks.end
        assert f"{code}-STD" in run.result.beyond_horizon


def test_programme_starting_just_before_christmas(tmp_path: Path) -> None:
    folder = _generated(tmp_path / "d", 8, 2, seed=11)
    start = date(2026, 12, 21)
    run = feasible(folder, start=start, time_limit=TIME_LIMIT)
    assert run.problem.start == start
    for row in run.rows:
        assert row.notify_date is None or row.notify_date >= start
        if row.event in run.problem.config.xmas.onsite_events:  # R-XMAS: not before 12 Jan
            assert row.fieldwork_start >= date(2027, 1, 12)
    overdue = {n.need_id for n in run.problem.needs if n.overdue}
    assert {r.need_id for r in run.rows if r.status == "overdue"} >= overdue


# --- property: any small generated dataset ---------------------------------------------------

RULE_ID = re.compile(r"\bR-[A-Z]+(-[A-Z]+)*\b")


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(las=st.integers(3, 8), regions=st.integers(1, 2), seed=st.integers(0, 10_000),
       weeks=st.sampled_from([52, 78, 104]))
def test_small_generated_datasets_solve_and_check_or_are_explained(las: int, regions: int,
                                                                  seed: int, weeks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = _generated(Path(tmp) / "d", las, regions, seed, weeks)
        run: Run = plan(folder, time_limit=TIME_LIMIT)
        if run.result.status == "INFEASIBLE":
            assert RULE_ID.search(run.explanation()), run.result.explanation
            return
        assert run.result.feasible, run.result.status
        assert run.violations == [], [str(v) for v in run.violations]
        assert run.missing() == []
