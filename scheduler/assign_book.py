"""Each inspector's diary while the programme is staffed: what they may work (R-ASSIGN),
what they have been given, and the first reason they cannot take on a part of an event."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from scheduler.assign_duties import LEAD, Limits, Part, duties
from scheduler.domain import Inspector
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow

# the days of some parts held together: fixed days, (week, days), (quarter, days)
Shape = tuple[frozenset[date], list[tuple[int, int]], list[tuple[tuple[int, int], int]]]


@dataclass
class Bookings:
    """What each inspector may work (``limits``, leave, conflicts of interest) and has been
    given so far: fixed days (-> event) and days per programme week and quarter."""

    problem: Problem
    limits: Limits
    leave: dict[str, set[date]]
    conflicts: set[tuple[str, str]]  # (inspector_id, la_code)
    days: dict[str, dict[date, str]] = field(default_factory=lambda: defaultdict(dict))
    weeks: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    quarters: dict[str, Counter[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(Counter))
    visit_leads: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    horizon_days: Counter[str] = field(default_factory=Counter)
    _shapes: dict[tuple[Part, ...], Shape] = field(default_factory=dict, repr=False)

    @classmethod
    def start(cls, problem: Problem) -> Bookings:
        leave: dict[str, set[date]] = defaultdict(set)
        for person, days in problem._leave_days.items():
            leave[person] = days
        return cls(problem, Limits(problem), leave,
                   {(c.inspector_id, c.la_code) for c in problem.dataset.conflicts})

    @classmethod
    def of(cls, problem: Problem, rows: list[ProgrammeRow]) -> Bookings:
        """The diaries a staffed programme gives everyone."""
        diary = cls.start(problem)
        for row in rows:
            for person, held in duties(problem, row).items():
                for part in held:
                    diary.book(person, row, part)
        return diary

    def copy(self) -> Bookings:
        """An independent diary with the same bookings (for a trial staffing)."""
        twin = Bookings(self.problem, self.limits, self.leave, self.conflicts)
        for person in set(self.days) | set(self.weeks):
            twin.days[person] = dict(self.days[person])
            twin.weeks[person] = Counter(self.weeks[person])
            twin.quarters[person] = Counter(self.quarters[person])
        for la_code, leads in self.visit_leads.items():
            twin.visit_leads[la_code] = set(leads)
        twin.horizon_days = Counter(self.horizon_days)
        return twin

    def book(self, person: str, row: ProgrammeRow, part: Part) -> None:
        """Give the inspector a part of the event (R-MV-LEAD: remember who led a visit)."""
        for day in part.days:
            self.days[person][day] = row.event_id
        if part.name == LEAD and row.event == "MV":
            self.visit_leads[row.la_code].add(person)
        for week, days in part.days_by_week(self.problem).items():
            self.weeks[person][week] += days
            self.quarters[person][self.problem.weeks.quarter_key(week)] += days
            if 0 <= week < self.problem.horizon_weeks:
                self.horizon_days[person] += days

    def load(self, person: str) -> int:
        """Days booked inside the horizon."""
        return self.horizon_days[person]

    def use(self, person: str) -> float:
        """Share of the inspector's days within inspection_share booked so far."""
        budget = self.limits.budget(person)
        return TENTHS * self.load(person) / budget if budget else float("inf")

    def week_room(self, person: str, week: int) -> int:
        """Tenths of a day still free in a programme week."""
        return self.limits.weekly(person, week) - TENTHS * self.weeks[person][week]

    def quarter_room(self, person: str, quarter: tuple[int, int]) -> int:
        """Tenths of a day still within inspection_share in a quarter."""
        return self.limits.quarterly(person, quarter) - TENTHS * self.quarters[person][quarter]

    def obstacle(self, row: ProgrammeRow, parts: list[Part], person: Inspector
                 ) -> tuple[str, str] | None:
        """The first reason the inspector cannot take on these parts of the event together,
        with its detail; None if they can."""
        pid = person.inspector_id
        if any(person.role not in part.roles for part in parts):
            return "another role", person.role
        if (pid, row.la_code) in self.conflicts:
            return "conflict of interest", ""
        if any(part.name == LEAD for part in parts) and not person.can_lead:
            return "may not lead", ""
        return self.busy(pid, self.shape(parts))

    def busy(self, pid: str, shape: Shape) -> tuple[str, str] | None:
        """Why the inspector cannot work these days (leave, another event, no days left in a
        week or quarter), or None."""
        days, weekly, quarterly = shape
        away, booked = self.leave[pid], self.days[pid]
        if not (away.isdisjoint(days) and booked.keys().isdisjoint(days)):
            for day in sorted(days):
                if day in away:
                    return "on leave", str(day)
                if day in booked:
                    return "on another event", f"{booked[day]} {day}"
        for week, count in weekly:
            if TENTHS * count > self.week_room(pid, week):
                return "no working days left", f"week of {self.problem.weeks.monday(week)}"
        for quarter, count in quarterly:
            if TENTHS * count > self.quarter_room(pid, quarter):
                return "inspection_share used up", f"{quarter[0]} Q{quarter[1]}"
        return None

    def shape(self, parts: list[Part]) -> Shape:
        """Fixed days, (week, days) and (quarter, days) of some parts held together."""
        key = tuple(parts)
        if key not in self._shapes:
            weekly: Counter[int] = Counter()
            for part in parts:
                weekly.update(part.days_by_week(self.problem))
            quarterly: Counter[tuple[int, int]] = Counter()
            for week, count in weekly.items():
                quarterly[self.problem.weeks.quarter_key(week)] += count
            self._shapes[key] = (frozenset(day for part in parts for day in part.days),
                                 sorted(weekly.items()), sorted(quarterly.items()))
        return self._shapes[key]
