"""Quality figures on the tiny dataset, against numbers worked out by hand.

Tiny (conftest): region North has 5 inspectors at fte 1 with no leave, so 25 inspector-days
(250 tenths) a week outside bank holidays. E1's short inspection has its 3-year point in
programme week 28, E2's standard inspection in week 40 (E2 is small: team of 3), E3's
re-inspection in week 110, after the 104-week horizon. E1 and E2 each have one focused
visit usually due (skippable); E3's first monitoring visit is overdue.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.export import event_row
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.quality import quality, ratios


@pytest.fixture
def problem(tiny: Path) -> Problem:
    return Problem.build(read_dataset(tiny), load_config())


def test_empty_programme(problem: Problem) -> None:
    figures = quality(problem, [])
    assert figures.events == 0 and figures.events_by_kind == {}
    assert figures.missed_visits == 2  # E1-FV1 and E2-FV1 left out
    # Unplaced inspections count as at the horizon's end (week 104): E1 104-28, E2 104-40;
    # E3's target (week 110) is after the horizon, so it does not count.
    assert figures.graded_with_target == 2
    assert figures.window_deviation_weeks == 76 + 64
    assert figures.mean_window_deviation_weeks == 70
    assert figures.lending_days == 0 and figures.capacity_peak == {"North": 0.0}


def test_figures_of_a_hand_made_programme(problem: Problem) -> None:
    rows = [
        event_row(problem, "E1-SHT", "SHT", 27),  # on site in week 28: on its target
        event_row(problem, "E2-STD", "STD", 29),  # on site in week 30: 10 weeks early
        event_row(problem, "E3-MV1", "MV", 3),  # overdue
        event_row(problem, "E1-FV1", "FV", 2),
    ]
    figures = quality(problem, rows)
    assert figures.events == 4
    assert figures.events_by_kind == {"FV": 1, "MV": 1, "SHT": 1, "STD": 1}
    assert figures.window_deviation_weeks == 10
    assert figures.mean_window_deviation_weeks == 5
    assert figures.overdue_las == 1
    assert figures.missed_visits == 1  # E2-FV1


def test_lending_and_peak(problem: Problem) -> None:
    # Two standard inspections with notice week 4 (5 October 2026, no bank holiday near):
    # on-site weeks 5 and 6 need 15 (E2, small) + 20 (E3) = 35 days against 25.
    rows = [event_row(problem, "E2-STD", "STD", 4), event_row(problem, "E3-STD", "STD", 4)]
    figures = quality(problem, rows)
    assert figures.lending_days == 2 * (35 - 25)
    assert figures.capacity_peak == {"North": 1.4}
    assert figures.max_capacity_peak == 1.4
    assert figures.quarter_lending_days == 0  # 98 days in the quarter, 167.4 within share
    assert figures.as_dict()["max_capacity_peak"] == 1.4


def test_ratios(problem: Problem) -> None:
    base = quality(problem, [])
    better = replace(base, window_deviation_weeks=35, missed_visits=0, lending_days=3.0)
    found = ratios(better, base)
    assert found["window_deviation_weeks"] == 0.25
    assert found["missed_visits"] == 0.0
    assert found["lending_days"] is None  # the reference borrowed nothing
    assert found["overdue_las"] == 1.0  # both 0
