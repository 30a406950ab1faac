"""R-ASSIGN, R-TEAM: who an event needs and the days each of them works.

An event is staffed in parts: the team (``size`` social care inspectors, the lead
included), the lead's own days (set-up and report writing), an extra social care HMI
(short inspections) and one inspector of each specialist pool role. Each part has fixed
days (on site or off site; weekends and bank holidays dropped) and, for the lead, report
writing that may fall on any working day of its week. The days come from the `teams` table
of the configuration, which adds up to the demand table the first stage plans with.

The `team` column of programme.csv lists the lead, the rest of the team, the extra HMI,
then the specialists (DATA.md asks only that the lead is in it; this order lets the parts
be read back from a programme alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scheduler.calendar import WEEKDAYS, weeks_between
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow

LEAD, TEAM, EXTRA = "lead", "team", "extra"


@dataclass(frozen=True)
class Part:
    """``count`` people of ``roles``, each working ``days`` (fixed) and ``report``
    ((programme week, report-writing days) that may fall on any working day of the week)."""

    name: str
    count: int
    roles: tuple[str, ...]
    days: tuple[date, ...]
    report: tuple[tuple[int, int], ...] = ()

    def days_by_week(self, problem: Problem) -> dict[int, int]:
        """Programme week -> days of this part (fixed and report writing)."""
        weeks: dict[int, int] = {}
        for day in self.days:
            week = problem.weeks.index(day)
            weeks[week] = weeks.get(week, 0) + 1
        for week, days in self.report:
            weeks[week] = weeks.get(week, 0) + days
        return weeks

    @property
    def total_days(self) -> int:
        return len(self.days) + sum(days for _, days in self.report)


def notice_week(problem: Problem, row: ProgrammeRow) -> int:
    """The programme week of the event's notice week (week 0 of its footprint)."""
    spec = problem.config.spec(row.event)
    return weeks_between(problem.start, row.fieldwork_start) - spec.fieldwork_offset


def team_size(problem: Problem, kind: str, la_code: str) -> int:
    """R-TEAM: social care inspectors on the team, the lead included."""
    team = problem.config.teams[kind]
    la = problem.dataset.las.get(la_code)
    return team.size_small if la is not None and la.small else team.size


def event_parts(problem: Problem, row: ProgrammeRow) -> dict[str, Part]:
    """The parts one programme row needs, by name (lead, team, extra, RI, EDU)."""
    cfg = problem.config
    spec, team = cfg.spec(row.event), cfg.teams[row.event]
    week0 = notice_week(problem, row)
    regional = tuple(cfg.capacity.regional_roles)

    def fixed(week: int, weekdays: list[str]) -> list[date]:
        days = (problem.weeks.day(week, WEEKDAYS.index(name)) for name in weekdays)
        return [day for day in days if problem.calendar.is_working_day(day)]

    team_days: set[date] = set(row.onsite_days)
    lead_days: list[date] = []
    report: list[tuple[int, int]] = []
    for i, (everyone, lead, writing) in enumerate(zip(
            team.team_weekdays, team.lead_weekdays, team.lead_report_days, strict=True)):
        week = week0 + spec.demand_first_week + i
        team_days.update(fixed(week, everyone))
        lead_days += fixed(week, lead)
        if writing:
            report.append((week, writing))
    first_onsite = week0 + spec.fieldwork_offset
    parts = {
        TEAM: Part(TEAM, team_size(problem, row.event, row.la_code), regional,
                   tuple(sorted(team_days))),
        LEAD: Part(LEAD, 1, regional, tuple(sorted(set(lead_days) - team_days)), tuple(report)),
    }
    if team.extra_weekdays:
        parts[EXTRA] = Part(EXTRA, 1, regional, tuple(fixed(first_onsite, team.extra_weekdays)))
    for role, weekdays in sorted(team.specialist_weekdays.items()):
        parts[role] = Part(role, 1, (role,), tuple(fixed(first_onsite, weekdays)))
    return parts


@dataclass(frozen=True)
class Staffing:
    """Who staffs one event, part by part."""

    lead: str
    team: tuple[str, ...]  # the lead first
    extra: tuple[str, ...] = ()
    specialists: tuple[tuple[str, str], ...] = ()  # (role, inspector_id)

    @property
    def members(self) -> list[str]:
        """Every inspector on the event, in the order of the `team` column."""
        return [*self.team, *self.extra, *(person for _, person in self.specialists)]

    @property
    def team_column(self) -> str:
        return ";".join(self.members)

    def parts_of(self, inspector_id: str) -> list[str]:
        """The part names the inspector holds."""
        held = [TEAM] if inspector_id in self.team else []
        if inspector_id == self.lead:
            held.append(LEAD)
        if inspector_id in self.extra:
            held.append(EXTRA)
        return held + [role for role, person in self.specialists if person == inspector_id]


def read_staffing(problem: Problem, row: ProgrammeRow) -> Staffing | None:
    """The staffing a programme row names (None if it names nobody). Unknown inspectors are
    kept in the team, for the checker to report."""
    members = [m for m in row.team.split(";") if m]
    if not members and not row.lead_inspector:
        return None
    regional = set(problem.config.capacity.regional_roles)
    inspectors = problem.dataset.inspectors
    size = team_size(problem, row.event, row.la_code)
    social = [m for m in members if m not in inspectors or inspectors[m].role in regional]
    specialists = tuple((inspectors[m].role, m) for m in members
                        if m in inspectors and inspectors[m].role not in regional)
    return Staffing(row.lead_inspector, tuple(social[:size]), tuple(social[size:]), specialists)


def lent_from(problem: Problem, row: ProgrammeRow, members: list[str]) -> str:
    """R-LEND: the home regions of the event's inspectors other than the event's region."""
    inspectors = problem.dataset.inspectors
    regions = {inspectors[m].region for m in members if m in inspectors}
    return ";".join(sorted(r for r in regions if r and r != row.region))


def duties(problem: Problem, row: ProgrammeRow) -> dict[str, list[Part]]:
    """Inspector -> the parts of the event they hold, as the row's staffing says."""
    staffing = read_staffing(problem, row)
    if staffing is None:
        return {}
    parts = event_parts(problem, row)
    held: dict[str, list[Part]] = {}
    for person in dict.fromkeys([staffing.lead, *staffing.members]):
        held[person] = [parts[name] for name in staffing.parts_of(person) if name in parts]
    return held


class Limits:
    """R-ASSIGN: what each inspector may work, in tenths of a day. In a programme week:
    their working days less leave and bank holidays, times fte (`Problem.as_of`: as R-CAP
    counts a region's week, so that a region's limit is never below the sum of its
    inspectors'). In a calendar quarter (the weeks whose Monday falls in it): their share
    of it, pro rata where the horizon cuts it (`Problem.quarter_share`, as R-CAP counts a
    region's), against every day of theirs in its weeks."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._available: dict[tuple[str, int], int] = {}
        self._weekly: dict[tuple[str, int], int] = {}
        self._budget: dict[str, int] = {}
        self._quarterly: dict[tuple[str, tuple[int, int]], int] = {}

    def available(self, inspector_id: str, week: int) -> int:
        """Working days of the inspector in a programme week (any index)."""
        key = (inspector_id, week)
        if key not in self._available:
            self._available[key] = self.problem.available_days(
                self.problem.dataset.inspectors[inspector_id], week)
        return self._available[key]

    def weekly(self, inspector_id: str, week: int) -> int:
        key = (inspector_id, week)
        if key not in self._weekly:
            person = self.problem.as_of(self.problem.dataset.inspectors[inspector_id], week)
            self._weekly[key] = int(self.available(inspector_id, week) * person.fte * TENTHS
                                    + 1e-6)
        return self._weekly[key]

    def quarterly(self, inspector_id: str, quarter: tuple[int, int]) -> int:
        """Tenths of a day within inspection_share in a quarter."""
        key = (inspector_id, quarter)
        if key not in self._quarterly:
            self._quarterly[key] = self.problem.quarter_share(
                [self.problem.dataset.inspectors[inspector_id]], quarter)
        return self._quarterly[key]

    def budget(self, inspector_id: str) -> int:
        """Tenths of a day within inspection_share over the horizon (for the use measure)."""
        if inspector_id not in self._budget:
            self._budget[inspector_id] = sum(self.quarterly(inspector_id, quarter)
                                             for quarter in self.problem.quarters)
        return self._budget[inspector_id]
