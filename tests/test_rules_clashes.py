"""R-CLASH (constraints/clashes.py): ILACS keeps 8 weeks clear of the LA's area SEND
inspections and JTAIs (hard), and prefers 26 weeks (soft)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import area_send, due_on, jtai
from tests.helpers import (
    ONE_DAY_WINDOW,
    Run,
    feasible,
    flagged,
    merge,
    moved,
    only_weights,
    swapped,
)

DUE = date(2027, 3, 1)  # the only day the LA's short inspection may start (ONE_DAY_WINDOW)


def _other(kind: str, weeks: int) -> dict:
    """An area SEND inspection (planned, or completed: "send_done") or a planned JTAI
    ``weeks`` after (or before) DUE's week."""
    monday = DUE + timedelta(weeks=weeks)
    if kind.startswith("send"):
        status = "completed" if kind == "send_done" else "planned"
        return {"send": [area_send("E1", monday, status=status)]}
    return {"jtais": [jtai("E1", monday)]}


@pytest.mark.parametrize(("kind", "weeks"), [("send", 7), ("send", -7), ("jtai", 7),
                                             ("jtai", -7), ("send_done", -7)])
def test_seven_weeks_from_another_programme_makes_it_overdue(tmp_path: Path, kind: str,
                                                             weeks: int) -> None:
    # R-OVERDUE (RULES.md, readings settled): the window's one week clashes, so the
    # inspection goes as early as possible after it, overdue, with the reason.
    run = feasible(due_on(tmp_path / "d", DUE, **_other(kind, weeks)), ONE_DAY_WINDOW)
    row = run.row("E1", "SHT")
    assert row.status == "overdue" and row.fieldwork_start > DUE
    assert "R-CLASH" in run.problem.need_by_id[row.need_id].note


@pytest.mark.parametrize(("kind", "weeks"), [("send", 8), ("send", -8), ("jtai", 8),
                                             ("jtai", -8), ("send_done", -8)])
def test_eight_weeks_from_another_programme_is_allowed(tmp_path: Path, kind: str,
                                                       weeks: int) -> None:
    run = feasible(due_on(tmp_path / "d", DUE, **_other(kind, weeks)), ONE_DAY_WINDOW)
    assert run.row("E1", "SHT").fieldwork_start == DUE


def test_every_week_closer_than_26_costs(tmp_path: Path) -> None:
    # Area SEND 10 weeks after the only allowed week: 26 - 10 = 16 weeks x clash_week 5 = 80.
    folder = due_on(tmp_path / "d", DUE, send=[area_send("E1", DUE + timedelta(weeks=10))])
    run = feasible(folder, merge(ONE_DAY_WINDOW, only_weights(clash_week=5)))
    assert run.result.cost_by_rule() == {"R-CLASH": 80}
    assert run.result.objective == pytest.approx(80)


def test_the_soft_distance_picks_the_farthest_allowed_week(tmp_path: Path) -> None:
    # Window 1 September 2026 to 1 September 2027, area SEND in the week of 1 March 2027.
    # The earliest start is Monday 21 September 2026 (week 2): in week 1 the lead's 13 days
    # (notice week, on site, report) all fall in the 4 weeks of 2026-Q3 inside the horizon,
    # over an HMI's pro-rata share of 11.8 days (R-CAP / R-ASSIGN). 23 weeks before the SEND
    # week: (26 - 23) x 5 = 15. After it, R-SUMMER bars from 20 July, so 12 July is the
    # latest start: 19 weeks, (26 - 19) x 5 = 35. The optimum is 15, on 21 September.
    folder = due_on(tmp_path / "d", DUE, send=[area_send("E1", DUE)])
    run = feasible(folder, merge({"focused_visits": {"pathway1": 0}},
                                 only_weights(clash_week=5)))
    assert run.result.cost_by_rule() == {"R-CLASH": 15}
    assert run.row("E1", "SHT").fieldwork_start == date(2026, 9, 21)


def test_checker_finds_an_inspection_moved_next_to_area_send(tiny_run: Run) -> None:
    # Alpha's area SEND inspection is on site from 7 June 2027; 10 May is 4 weeks before it.
    row = tiny_run.row("E1", "SHT")
    violations = tiny_run.check(swapped(tiny_run.rows, row,
                                        moved(tiny_run, row, date(2027, 5, 10))))
    assert flagged(violations, "R-CLASH") == {("E1", row.event_id)}
