"""R-FV-GAP, R-FV-COUNT, R-MV-RATE (gap), R-MV-COUNT, R-REINSP (constraints/sequence.py):
the order of one LA's events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.calendar import add_months, monday_of, weeks_between
from tests.conftest import START, area_send, graded, la, visit, write_dataset
from tests.helpers import (
    Run,
    feasible,
    flagged,
    infeasible,
    merge,
    moved,
    only_weights,
    placed,
    swapped,
)

# --- focused visits (pathways 1 and 2) -----------------------------------------------------


def _visit_window_near_send(folder: Path, send_weeks: int) -> Path:
    """Pathway 1, last inspected 5 October 2023: the window closes 5 April 2027, so the one
    focused visit must be on site by 5 October 2026 (26 weeks before, R-FV-GAP): weeks 1-3.
    Area SEND is on site ``send_weeks`` after the programme start."""
    return write_dataset(folder, las=[la("E1")], history=[graded("E1", "SHT", "2023-10-05")],
                         send=[area_send("E1", START + timedelta(weeks=send_weeks))])


def test_a_focused_visit_that_cannot_fit_is_left_out_at_its_cost(tmp_path: Path) -> None:
    # Area SEND in week 4: every visit week (1-3) is within 8 weeks of it (R-CLASH), so the
    # visit (or a JTAI in its place) is left out: missed_visit 3000, the whole optimum.
    run = feasible(_visit_window_near_send(tmp_path / "d", 4), only_weights(missed_visit=3000))
    assert run.result.cost_by_rule() == {"R-FV-COUNT": 3000}
    assert "E1-FV1" in run.result.beyond_horizon
    assert not [r for r in run.rows if r.event in ("FV", "JTAI")]


def test_a_focused_visit_that_fits_is_placed(tmp_path: Path) -> None:
    # Area SEND in week 11: a visit in week 1-3 is 8-10 weeks from it.
    run = feasible(_visit_window_near_send(tmp_path / "d", 11), only_weights(missed_visit=3000))
    assert run.result.cost_by_rule() == {"R-FV-COUNT": 0}
    assert run.row("E1", "FV", "JTAI").fieldwork_start <= date(2026, 10, 5)


@pytest.mark.parametrize(("gap_weeks", "optimum"), [(26, 170), (20, 110)])
def test_the_inspection_waits_the_gap_after_the_visit(tmp_path: Path, gap_weeks: int,
                                                      optimum: int) -> None:
    # The 3-year point is week 10 (16 November 2026). The visit goes first, in week 1 at the
    # earliest (notice in week 0); the inspection R-FV-GAP weeks later: week 27 for 26 weeks,
    # 17 weeks past the point, x target_week 10 = 170 (week 21 and 110 for a 20-week gap).
    # Dropping the visit instead would cost missed_visit 3000.
    target = START + timedelta(weeks=10)
    folder = write_dataset(tmp_path / "d", las=[la("E1")], send=[],
                           history=[graded("E1", "SHT", add_months(target, -36))])
    overrides = merge(only_weights(missed_visit=3000, target_week=10),
                      {"focused_visits": {"gap_weeks": gap_weeks}})
    run = feasible(folder, overrides)
    assert run.result.objective == pytest.approx(optimum)
    visit_row, inspection = run.row("E1", "FV"), run.row("E1", "SHT")
    assert weeks_between(visit_row.fieldwork_start, inspection.fieldwork_start) == gap_weeks


# --- monitoring visits and re-inspection (pathway 3) ---------------------------------------


@pytest.mark.parametrize("weeks", [20, 21])
def test_four_monitoring_visits_six_weeks_apart_need_21_weeks(tmp_path: Path,
                                                              weeks: int) -> None:
    # Judged inadequate in October 2025, no visit yet: the first is already late, so it goes
    # as early as the 10 working days' data request allows, week 2; then weeks 8, 14, 20
    # (R-MV-RATE, 6 weeks apart). A 20-week programme ends with week 19.
    folder = write_dataset(tmp_path / "d", las=[la("E1")], send=[],
                           history=[graded("E1", "STD", "2025-10-16", "inadequate")])
    if weeks == 20:
        assert "R-MV-RATE" in infeasible(folder, weeks=weeks).explanation()
        return
    run = feasible(folder, weeks=weeks)
    visits = sorted(r.fieldwork_start for r in run.rows if r.event == "MV")
    assert [weeks_between(START, day) for day in visits] == [2, 8, 14, 20]


def test_re_inspection_waits_six_weeks_after_the_last_visit(tmp_path: Path) -> None:
    # Inadequate in April 2023 (window closes 20 October 2026), three visits done, the last
    # on 14 July 2026: the fourth is due from 24 August (6 weeks, R-MV-RATE), before the
    # start, so as early as its 10 working days' data request allows: 22 September, week 2.
    # The re-inspection 6 weeks later (R-REINSP), week 8, two weeks after its window closed
    # (week 6): overdue, every week late costing overdue_week 200.
    history = [graded("E1", "STD", "2023-04-20", "inadequate"), visit("E1", "MV", "2025-10-07"),
               visit("E1", "MV", "2026-02-03"), visit("E1", "MV", "2026-07-14")]
    folder = write_dataset(tmp_path / "d", las=[la("E1")], history=history, send=[])
    run = feasible(folder, only_weights(overdue_week=200))
    last_visit, inspection = run.event("E1-MV4"), run.row("E1", "STD")
    assert last_visit.fieldwork_start == date(2026, 9, 22)
    assert weeks_between(last_visit.fieldwork_start, inspection.fieldwork_start) == 6
    assert inspection.status == "overdue"
    assert run.result.cost_by_rule() == {"R-OVERDUE": 2 * 200}


# --- the independent checker on a hand-broken programme ------------------------------------


def _without(run: Run, *need_ids: str) -> list:
    return [r for r in run.rows if r.need_id not in need_ids]


def test_checker_finds_a_visit_too_close_to_the_inspection(tiny_run: Run) -> None:
    inspection = tiny_run.row("E1", "SHT")
    visit_row = tiny_run.row("E1", "FV", "JTAI")
    # JTAIs and short inspections are both on site from a Monday: 12 weeks before it.
    closer = moved(tiny_run, visit_row, inspection.fieldwork_start - timedelta(weeks=12))
    violations = tiny_run.check(swapped(tiny_run.rows, visit_row, closer))
    assert ("E1", inspection.event_id) in flagged(violations, "R-FV-GAP")


def test_checker_finds_monitoring_visits_too_close(tiny_run: Run) -> None:
    first, second = tiny_run.event("E3-MV1"), tiny_run.event("E3-MV2")
    closer = moved(tiny_run, second, first.fieldwork_start + timedelta(weeks=3))
    violations = tiny_run.check(swapped(tiny_run.rows, second, closer))
    assert ("E3", "E3-MV2") in flagged(violations, "R-MV-RATE")


def test_checker_finds_a_re_inspection_too_soon_after_monitoring(tiny_run: Run) -> None:
    # Gamma's re-inspection (its window opens in April 2028), 2 weeks after the last visit.
    last = tiny_run.event("E3-MV4")
    sooner = placed(tiny_run, "E3-STD", monday_of(last.fieldwork_start) + timedelta(weeks=2))
    violations = tiny_run.check([*_without(tiny_run, "E3-STD"), sooner])
    assert ("E3", "E3-STD") in flagged(violations, "R-REINSP")


def test_checker_finds_a_re_inspection_after_too_few_visits(tiny_run: Run) -> None:
    third = tiny_run.event("E3-MV3")
    inspection = placed(tiny_run, "E3-STD", monday_of(third.fieldwork_start)
                        + timedelta(weeks=8))
    rows = [*_without(tiny_run, "E3-STD", "E3-MV4"), inspection]
    assert ("E3", "E3-STD") in flagged(tiny_run.check(rows), "R-MV-COUNT")


def test_checker_finds_a_second_visit_on_pathway_1(tiny_run: Run) -> None:
    visit_row = tiny_run.row("E1", "FV", "JTAI")
    extra = replace(visit_row, event_id="E1-extra")
    assert ("E1", "") in flagged(tiny_run.check([*tiny_run.rows, extra]), "R-FV-COUNT")


def test_checker_finds_a_monitoring_visit_outside_pathway_3(tiny_run: Run) -> None:
    mv = tiny_run.event("E3-MV2")
    stray = replace(mv, event_id="E1-MV1", la_code="E1", la_name="Alpha", need_id="")
    assert ("E1", "") in flagged(tiny_run.check([*tiny_run.rows, stray]), "R-MV-COUNT")


# --- RULES.md, readings settled: gaps from the LAST on-site week, history included --------


def test_a_visit_after_a_standard_inspection_waits_from_its_last_onsite_week(
        tmp_path: Path) -> None:
    # Pathway 1 with force_standard (R-PATH-X): a standard inspection, two weeks on site, in
    # its first weeks. The next cycle's visit is due within 27 weeks of the inspection's
    # first on-site week (next_cycle_latest_weeks) and R-FV-GAP wants 26 weeks from the
    # Monday of its LAST on-site week: only 27 weeks from the first is left.
    folder = write_dataset(tmp_path / "d", las=[la("E1", force_standard=True)], send=[],
                           history=[graded("E1", "SHT", "2023-09-08")])
    run = feasible(folder, merge(only_weights(missed_visit=3000, target_week=10),
                                 {"focused_visits": {"next_cycle_latest_weeks": 27}}))
    inspection = run.row("E1", "STD")
    (after,) = [r for r in run.rows if r.need_id == "E1-FV2"]
    assert weeks_between(inspection.fieldwork_end, after.fieldwork_start) == 26


@pytest.mark.parametrize(("weeks_after_last", "broken"), [(25, True), (26, False)])
def test_checker_measures_the_visit_gap_from_the_last_onsite_week(
        tiny_run: Run, weeks_after_last: int, broken: bool) -> None:
    # Beta's JTAI moved after its standard inspection (on site two weeks): 26 weeks from
    # the first on-site week but 25 from the last is too soon.
    inspection, visit_row = tiny_run.row("E2", "STD"), tiny_run.row("E2", "JTAI")
    monday = monday_of(inspection.fieldwork_end) + timedelta(weeks=weeks_after_last)
    violations = tiny_run.check(swapped(tiny_run.rows, visit_row,
                                        moved(tiny_run, visit_row, monday)))
    gaps = [v for v in violations if v.rule == "R-FV-GAP" and "weeks after STD" in v.message]
    assert bool(gaps) == broken


def _inspection_after_a_visit_done(folder: Path) -> Path:
    """Pathway 2, last inspected 8 September 2023 (window open from 8 March 2026): a focused
    visit carried out on 12 May 2026 keeps the inspection off until 9 November 2026."""
    return write_dataset(folder, las=[la("E1")], send=[],
                         history=[graded("E1", "STD", "2023-09-08", "requires_improvement"),
                                  visit("E1", "FV", "2026-05-12")])


def test_the_inspection_waits_the_gap_after_a_visit_in_the_history(tmp_path: Path) -> None:
    run = feasible(_inspection_after_a_visit_done(tmp_path / "d"),
                   only_weights(target_week=10))
    inspection = run.row("E1", "STD")
    assert weeks_between(date(2026, 5, 13), inspection.fieldwork_start) == 26
    assert inspection.fieldwork_start == date(2026, 11, 9)


@pytest.mark.parametrize(("weeks", "broken"), [(25, True), (26, False)])
def test_checker_counts_the_visit_in_the_history(tmp_path: Path, weeks: int,
                                                 broken: bool) -> None:
    run = feasible(_inspection_after_a_visit_done(tmp_path / "d"),
                   only_weights(target_week=10))
    inspection = run.row("E1", "STD")
    monday = date(2026, 5, 11) + timedelta(weeks=weeks)
    violations = run.check(swapped(run.rows, inspection, moved(run, inspection, monday)))
    assert (("E1", "E1-STD") in flagged(violations, "R-FV-GAP")) == broken


def test_monitoring_waits_the_gap_after_a_focused_visit_in_the_history(tmp_path: Path) -> None:
    # Inadequate in 2025, then a focused visit on 12 May 2026 (as Slough and Doncaster
    # had under the older reading of R-PATH-3): no monitoring visit within 26 weeks of it.
    folder = write_dataset(tmp_path / "d", las=[la("E1")], send=[],
                           history=[graded("E1", "STD", "2025-06-13", "inadequate"),
                                    visit("E1", "FV", "2026-05-12")])
    run = feasible(folder)
    first = min(r.fieldwork_start for r in run.rows if r.event == "MV")
    assert weeks_between(date(2026, 5, 12), first) >= 26
    row = next(r for r in run.rows if r.event == "MV" and r.fieldwork_start == first)
    early = moved(run, row, first - timedelta(weeks=weeks_between(date(2026, 5, 12), first) - 20))
    assert ("E1", row.event_id) in flagged(run.check(swapped(run.rows, row, early)), "R-FV-GAP")
