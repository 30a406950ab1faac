"""Weeks, dates, England bank holidays and working-day arithmetic (R-BH).

The programme is counted in weeks: week 0 is the Monday `start`; week ``w`` is the
Monday ``start + 7w``. Every "within N weeks" rule compares these Monday-week indices,
so the model and the checker count the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def monday_of(day: date) -> date:
    """The Monday of the week that contains ``day``."""
    return day - timedelta(days=day.weekday())


def weeks_between(a: date, b: date) -> int:
    """Whole weeks from the week of ``a`` to the week of ``b`` (negative if b is earlier)."""
    return (monday_of(b) - monday_of(a)).days // 7


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in range(day.day, 27, -1):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


@dataclass(frozen=True)
class Calendar:
    """England's working days between ``first`` and ``last`` (inclusive, with margins)."""

    first: date
    last: date
    extra_closures: frozenset[date] = field(default_factory=frozenset)

    @cached_property
    def bank_holidays(self) -> dict[date, str]:
        years = range(self.first.year - 1, self.last.year + 2)
        found = holidays.country_holidays("GB", subdiv="ENG", years=years)
        result = {day: str(name) for day, name in found.items()}
        result.update({day: "closure" for day in self.extra_closures})
        return result

    def is_bank_holiday(self, day: date) -> bool:
        return day in self.bank_holidays

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The working day ``count`` working days after ``day`` (before it if negative)."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days(self, first: date, last: date) -> list[date]:
        """Working days from ``first`` to ``last`` inclusive."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if self.is_working_day(day)]


@dataclass(frozen=True)
class Weeks:
    """The programme's weeks: index <-> Monday date."""

    start: date
    count: int

    def __post_init__(self) -> None:
        if self.start.weekday() != 0:
            raise ValueError(f"programme start {self.start} is not a Monday")

    def monday(self, week: int) -> date:
        return self.start + timedelta(weeks=week)

    def day(self, week: int, weekday: int) -> date:
        return self.monday(week) + timedelta(days=weekday)

    def index(self, day: date) -> int:
        """The week index of ``day`` (may fall outside 0..count-1)."""
        return (monday_of(day) - self.start).days // 7

    @property
    def end(self) -> date:
        """The last day (Sunday) of the last week."""
        return self.monday(self.count) - timedelta(days=1)

    def year_of(self, week: int) -> int:
        """The programme year (0, 1, ...) of a week: 52-week blocks from the start."""
        return week // 52

    def quarter_key(self, week: int) -> tuple[int, int]:
        """The calendar quarter (year, 1..4) of the week's Monday."""
        monday = self.monday(week)
        return monday.year, (monday.month - 1) // 3 + 1
