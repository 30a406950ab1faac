"""Working-day arithmetic (R-BH) and pathways from judgements (R-PATH-*)."""

from datetime import date

from scheduler.calendar import Calendar, add_months
from scheduler.config import load_config
from scheduler.domain import PastEvent
from scheduler.pathways import pathway_of

CAL = Calendar(date(2026, 1, 1), date(2028, 12, 31))


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    # Good Friday 2027 is 26 March, Easter Monday 29 March.
    assert CAL.add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert CAL.add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 25)
    assert not CAL.is_working_day(date(2026, 12, 25))


def test_add_months_clamps_month_end() -> None:
    assert add_months(date(2024, 8, 31), 30) == date(2027, 2, 28)


def judged(**grades: str) -> PastEvent:
    return PastEvent("E1", "STD", None, None, date(2024, 1, 1), grades)


def test_pathways() -> None:
    config = load_config()
    good = dict(leaders="good", help_protection="good", children_in_care="outstanding")
    assert pathway_of(judged(**good), config) == 1
    assert pathway_of(judged(**{**good, "help_protection": "requires_improvement",
                                "children_in_care": "requires_improvement"}), config) == 2
    assert pathway_of(judged(**{**good, "leaders": "requires_improvement"}), config) == 2
    assert pathway_of(judged(**{**good, "care_leavers": "inadequate"}), config) == 3
    # R-PATH-3 (default): leaders alone inadequate, overall requires improvement: pathway 2
    leaders_only = {**good, "overall": "requires_improvement", "leaders": "inadequate"}
    assert pathway_of(judged(**leaders_only), config) == 2
    assert pathway_of(judged(**{**leaders_only, "overall": "inadequate"}), config) == 3
    assert pathway_of(judged(**{**good, "leaders": "inadequate"}), config) == 2
    with_leaders = load_config(overrides={"pathway": {"inadequate_includes_leaders": True}})
    assert pathway_of(judged(**leaders_only), with_leaders) == 3
