"""scheduler.why: what rules out the weeks before a planned event, on the tiny dataset with
events placed by hand (so the binding rules are known from the calendar and RULES.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.export import event_row
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.why import Why, why_planned


def problem_of(folder: Path, **overrides: object) -> Problem:
    return Problem.build(read_dataset(folder), load_config(overrides=overrides or None))


def placed(problem: Problem, need_id: str, fieldwork_start: date) -> ProgrammeRow:
    """The need's event on site from ``fieldwork_start`` (a Monday), as the scheduler writes it."""
    need = problem.need_by_id[need_id]
    week = problem.weeks.index(fieldwork_start) - problem.config.spec(need.kind).fieldwork_offset
    row = event_row(problem, need_id, need.kind, week)
    assert row.fieldwork_start == fieldwork_start
    return row


def weeks(why: Why) -> dict[date, tuple[tuple[str, ...], bool]]:
    return {w.fieldwork_start: (w.rules, w.hard) for w in why.earlier}


def test_earlier_weeks_name_the_calendar_and_clash_rules(tiny: Path) -> None:
    # Alpha (E1): short inspection, window 22/09/2026 to 22/09/2027 (R-WIN); a planned area
    # SEND inspection on site from 07/06/2027 keeps ILACS 8 weeks away (R-CLASH).
    problem = problem_of(tiny)
    row = placed(problem, "E1-SHT", date(2027, 9, 6))
    (why,) = why_planned(problem, [row], "E1")
    assert (why.earliest, why.earliest_rule) == (date(2026, 9, 22), "R-WIN")
    found = weeks(why)
    assert min(found) == date(2026, 9, 28)  # the first Monday on site inside the window
    assert max(found) == date(2027, 8, 30)  # the week before the planned one
    assert found[date(2027, 8, 2)] == (("R-AUG", "R-SUMMER"), True)
    assert found[date(2027, 7, 19)] == (("R-SUMMER", "R-CLASH"), True)  # on site from 20 July
    assert "R-XMAS" in found[date(2026, 12, 21)][0]
    assert {"R-BH", "R-EASTER"} <= set(found[date(2027, 3, 29)][0])  # Easter Monday
    assert "R-EASTER" in found[date(2027, 3, 22)][0]  # the week ending on Easter Sunday
    assert found[date(2027, 4, 5)] == ((), False)
    assert found[date(2027, 6, 7)] == (("R-CLASH",), True)
    assert found[date(2027, 4, 19)] == (("R-CLASH",), True)  # 7 weeks before area SEND
    assert found[date(2027, 4, 12)] == ((), False)  # 8 weeks before: allowed
    assert found[date(2026, 10, 5)] == ((), False)
    assert why.open_weeks[0] == date(2026, 9, 28)
    assert "open to the hard rules" in why.summary()


def test_an_event_at_its_earliest_week_says_so(tiny: Path) -> None:
    problem = problem_of(tiny)
    (why,) = why_planned(problem, [placed(problem, "E1-SHT", date(2026, 9, 28))], "E1")
    assert why.earlier == ()
    assert why.summary() == ("At the earliest date allowed: R-WIN means on site no sooner "
                             "than 2026-09-22.")


@pytest.mark.parametrize(("lending", "rule"), [(True, "R-LEND"), (False, "R-CAP")])
def test_weeks_the_region_is_full_name_capacity(tiny: Path, lending: bool, rule: str) -> None:
    # North has 5 inspectors, 25 inspector-days a week. Beta's standard inspection (small LA:
    # 15 days in each on-site week) and Alpha's short inspection (22 days on site) cannot
    # share a week without 12 days borrowed.
    problem = problem_of(tiny, capacity={"lending": lending})
    std = placed(problem, "E2-STD", date(2027, 1, 18))
    sht = placed(problem, "E1-SHT", date(2027, 2, 15))
    (why,) = why_planned(problem, [std, sht], "E1")
    found = weeks(why)
    for monday in (date(2027, 1, 18), date(2027, 1, 25)):
        assert found[monday] == ((rule,), not lending)
    detail = next(w for w in why.earlier if w.fieldwork_start == date(2027, 1, 18)).details[0]
    assert detail.startswith("North would need 12 inspector-days more than it has in the "
                             "week of 2027-01-18")
    assert found[date(2027, 2, 8)] == ((), False)


def test_weeks_the_checker_would_refuse_name_its_rule(tiny: Path) -> None:
    # Alpha's focused visit on site 06/10/2026: its inspection must follow 26 weeks after
    # (R-FV-GAP), a rule between two events that only the checker sees, not a calendar hole.
    problem = problem_of(tiny)
    visit = placed(problem, "E1-FV1", date(2026, 10, 6))
    sht = placed(problem, "E1-SHT", date(2027, 4, 12))
    why = {w.event_id: w for w in why_planned(problem, [visit, sht], "E1")}["E1-SHT"]
    found = weeks(why)
    assert found[date(2027, 3, 1)] == (("R-FV-GAP",), True)
    assert found[date(2027, 4, 5)] == ((), False)  # 26 weeks after the visit's week
    gap = next(w for w in why.earlier if w.fieldwork_start == date(2027, 3, 1))
    assert "at least 26" in gap.details[0]
