"""Where an event placed at a notice week falls: on-site days, notice, milestones, demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scheduler.calendar import Calendar, Weeks
from scheduler.config import EventSpec


@dataclass(frozen=True)
class Footprint:
    """The dates of one event whose notice week (week 0) is ``week``."""

    kind: str
    week: int
    onsite_days: tuple[date, ...]
    notify_date: date | None
    draft_report_due: date | None
    final_report_due: date | None
    publication_due: date | None

    @property
    def fieldwork_start(self) -> date:
        return self.onsite_days[0]

    @property
    def fieldwork_end(self) -> date:
        return self.onsite_days[-1]


def footprint(kind: str, spec: EventSpec, week: int, weeks: Weeks,
              calendar: Calendar) -> Footprint:
    """R-NOTICE, R-BH: on-site days from the spec; notice and milestones in working days."""
    onsite = tuple(
        weeks.day(week + offset, weekday)
        for offset in sorted(spec.onsite_weeks)
        for weekday in spec.weekday_numbers
    )
    start, end = onsite[0], onsite[-1]
    notify = (calendar.add_working_days(start, -spec.notice_working_days)
              if spec.notice_working_days else None)
    if spec.draft_working_days:
        draft = calendar.add_working_days(end, spec.draft_working_days)
        final = calendar.add_working_days(end, spec.final_working_days)
        publication = calendar.add_working_days(final, spec.publication_working_days)
    else:
        draft = final = publication = None
    return Footprint(kind, week, onsite, notify, draft, final, publication)


def weekly_demand(spec: EventSpec, week: int, small: bool) -> dict[int, int]:
    """Regional inspector-days per programme week of an event with notice week ``week``."""
    return {week + offset: days for offset, days in spec.demand_by_offset(small).items()}


def specialist_demand(spec: EventSpec, week: int) -> dict[tuple[str, int], int]:
    """(role, week) -> days of the national pools, in the first on-site week."""
    onsite_week = week + spec.fieldwork_offset
    return {(role, onsite_week): days for role, days in spec.specialists.items() if days}
