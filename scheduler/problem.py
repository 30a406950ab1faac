"""A planning problem: dataset + configuration + horizon, with everything derived from them
that both the model and the checker need (pathways, footprints, capacity profiles)."""

from __future__ import annotations

import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from scheduler.calendar import Calendar, Weeks
from scheduler.config import GRADED, Config
from scheduler.domain import Dataset, Inspector
from scheduler.footprint import Footprint, footprint
from scheduler.pathways import LaPlan, Need, plan_la

if TYPE_CHECKING:
    from constraints.base import Family

TENTHS = 10  # capacity and demand are counted in tenths of an inspector-day


@dataclass(frozen=True)
class FixedEvent:
    """An event whose dates are given (a planned JTAI from jtai.csv)."""

    event_id: str
    la_code: str
    kind: str
    onsite_days: tuple[date, ...]


@dataclass(frozen=True)
class Placement:
    """Where an event is held (R-PIN) or was placed by the baseline: kind and first on-site
    day; ``reason`` says why (for messages)."""

    kind: str
    fieldwork_start: date
    reason: str = ""


@dataclass(frozen=True)
class Deferral:
    """R-DEFER: a granted deferral; fieldwork no earlier than ``not_before``."""

    not_before: date
    reason: str = ""


@dataclass
class Problem:
    dataset: Dataset
    config: Config
    start: date
    horizon_weeks: int
    # Re-planning (constraints/stability.py), keyed by need_id; empty for a fresh plan.
    pins: dict[str, Placement] = field(default_factory=dict)
    deferrals: dict[str, Deferral] = field(default_factory=dict)
    baseline: dict[str, Placement] = field(default_factory=dict)
    # Needs a local re-plan keeps exactly where the baseline has them (None: left out)
    frozen: dict[str, Placement | None] = field(default_factory=dict)
    # Needs a re-plan keeps within scenario.move_radius_weeks of this fieldwork start
    anchored: dict[str, date] = field(default_factory=dict)
    # A re-plan keeps the weeks before `replan_week` (notified, held) as the baseline had
    # them: capacity there counts each inspector's fte and share from `kept_inspectors`
    replan_week: int = 0
    kept_inspectors: dict[str, Inspector] = field(default_factory=dict)
    # A re-plan's held events (R-PIN) where they alone need more than the capacity: group
    # (region or pool role) -> week or quarter -> the tenths they need, capacity's floor
    # there (constraints/stability.py `hold_capacity`)
    capacity_floor: dict[str, dict[int | tuple[int, int], int]] = field(default_factory=dict)
    _footprints: dict[tuple[str, int], Footprint] = field(default_factory=dict, repr=False)
    # (need_id, kind, notice week) placements the staffing could not fill (R-ASSIGN)
    unstaffable: frozenset[tuple[str, str, int]] = frozenset()

    @classmethod
    def build(cls, dataset: Dataset, config: Config, start: date | None = None,
              weeks: int | None = None) -> Problem:
        start = start or dataset.programme_start
        start -= timedelta(days=start.weekday())
        return cls(dataset, config, start, weeks or dataset.horizon_weeks)

    @cached_property
    def weeks(self) -> Weeks:
        return Weeks(self.start, self.horizon_weeks)

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar(self.start - timedelta(days=3 * 365), self.weeks.end + timedelta(days=400))

    @cached_property
    def plans(self) -> dict[str, LaPlan]:
        """Each LA's pathway and needs (scheduler.pathways), a graded inspection whose
        window the calendar and clash rules, or who may staff it (leave, conflicts,
        inspection_share: `Staffable`), close made overdue (`_overdue_if_barred`)."""
        from constraints.assignment import Staffable
        from constraints.calendar_rules import CalendarRules
        from constraints.clashes import Clashes

        # what the dataset allows: a re-plan's date (R-NOTICE) does not close a window here,
        # as these needs are derived before its held events are known
        families: list[Family] = [CalendarRules(replan_notice=False), Clashes(), Staffable()]
        return {code: replace(plan, needs=tuple(self._overdue_if_barred(need, families)
                                                for need in plan.needs))
                for code, la in sorted(self.dataset.las.items())
                for plan in (plan_la(la, self.dataset, self.config, self.start,
                                     self.horizon_weeks, self.calendar),)}

    def _overdue_if_barred(self, need: Need, families: list[Family]) -> Need:
        """R-OVERDUE (RULES.md, readings settled): a graded inspection due inside the
        horizon whose window still holds weeks, every one barred by ``families`` (the
        calendar and clash rules: those that depend on the dataset alone), is overdue: as
        early as possible from the day after its window, the reason kept in its note."""
        if need.kind not in GRADED or not need.mandatory or need.overdue or not need.latest:
            return need
        barred = self._barring_rules(need, families)
        if not barred:
            return need
        rules = ", ".join(f"{rule} {n} week{'' if n == 1 else 's'}"
                          for rule, n in sorted(barred.items()))
        note = (f"every week of its window {need.earliest} to {need.latest} is barred "
                f"({rules}); placed as early as possible after it")
        return replace(need, earliest=max(need.latest + timedelta(days=1), self.start),
                       earliest_rule="R-OVERDUE", latest=None, latest_rule="R-OVERDUE",
                       overdue=True, target=None, note=note)

    def _barring_rules(self, need: Need, families: list[Family]) -> Counter[str]:
        """For each rule, the weeks of the need's window (fieldwork between its earliest and
        latest start, on site inside the horizon) it bars; empty if any week is allowed or
        the window holds no such week."""
        assert need.latest is not None
        barred: Counter[str] = Counter()
        for kind in self.kinds_for(need):
            spec = self.config.spec(kind)
            first = max(0, self.weeks.index(need.earliest) - spec.fieldwork_offset)
            last = min(self.weeks.index(need.latest) - spec.fieldwork_offset,
                       self.horizon_weeks - max(spec.onsite_weeks) - 1)
            for week in range(first, last + 1):
                fp = self.footprint(kind, week)
                if not need.earliest <= fp.fieldwork_start <= need.latest:
                    continue
                rules = {rule for family in families
                         for rule in family.excluded(self, need, kind, fp)}
                if not rules:
                    return Counter()
                barred.update(rules)
        return barred

    @cached_property
    def needs(self) -> list[Need]:
        return [need for plan in self.plans.values() for need in plan.needs]

    @cached_property
    def need_by_id(self) -> dict[str, Need]:
        return {need.need_id: need for need in self.needs}

    @cached_property
    def fixed_events(self) -> list[FixedEvent]:
        """Planned JTAIs given in jtai.csv whose fieldwork falls in the horizon."""
        fixed = []
        for i, jtai in enumerate(sorted(self.dataset.jtai, key=lambda j: (j.fieldwork_start,
                                                                           j.la_code))):
            if jtai.status != "planned" or not self.start <= jtai.fieldwork_start <= self.weeks.end:
                continue
            days = tuple(self.calendar.working_days(jtai.fieldwork_start, jtai.fieldwork_end))
            fixed.append(FixedEvent(f"{jtai.la_code}-JTAI-fixed{i + 1}", jtai.la_code, "JTAI",
                                    days))
        return fixed

    def region_of(self, la_code: str) -> str:
        return self.dataset.las[la_code].region

    def held_outside(self, placements: dict[str, Placement], regions: set[str],
                     free: Collection[str] = ()) -> dict[str, Placement | None]:
        """For `frozen`: every event outside ``regions``, and not named in ``free`` (need
        ids), held at its placement; an optional one with none stays out (a required one
        with none is left free)."""
        held: dict[str, Placement | None] = {}
        for need in self.needs:
            if self.region_of(need.la_code) in regions or need.need_id in free:
                continue
            if need.need_id in placements:
                held[need.need_id] = placements[need.need_id]
            elif not need.mandatory or need.parent is not None:
                held[need.need_id] = None
        return held

    def footprint(self, kind: str, week: int) -> Footprint:
        key = (kind, week)
        if key not in self._footprints:
            self._footprints[key] = footprint(kind, self.config.spec(kind), week, self.weeks,
                                              self.calendar)
        return self._footprints[key]

    def kinds_for(self, need: Need) -> list[str]:
        """R-JTAI-REPLACE: a focused visit may be placed as a JTAI."""
        jtai_on = self.config.jtai.max_per_year > 0 and self.config.jtai.slots_per_year > 0
        return [need.kind] + (["JTAI"] if need.jtai_eligible and jtai_on else [])

    # --- capacity (R-CAP) -------------------------------------------------------------

    @cached_property
    def _leave_days(self) -> dict[str, set[date]]:
        days: dict[str, set[date]] = defaultdict(set)
        for leave in self.dataset.leave:
            day = leave.start
            while day <= leave.end:
                days[leave.inspector_id].add(day)
                day += timedelta(days=1)
        return days

    @cached_property
    def _week_working_days(self) -> dict[int, list[date]]:
        """Programme week -> its working days (Mon..Fri, bank holidays off), filled on use."""
        return {}

    def available_days(self, inspector: Inspector, week: int) -> int:
        """Working days of the inspector in a programme week, leave and bank holidays off."""
        days = self._week_working_days.get(week)
        if days is None:
            monday = self.weeks.monday(week)
            days = self.calendar.working_days(monday, monday + timedelta(days=4))
            self._week_working_days[week] = days
        leave = self._leave_days.get(inspector.inspector_id)
        return sum(1 for day in days if day not in leave) if leave else len(days)

    def quarter_weeks(self, quarter: tuple[int, int]) -> list[int]:
        """Every week of a calendar quarter (those whose Monday falls in it), as programme
        week indexes, inside the horizon or not."""
        week = self.weeks.index(date(quarter[0], 3 * quarter[1] - 2, 1))  # Monday on or before
        weeks = []
        while (key := self.weeks.quarter_key(week)) <= quarter:
            if key == quarter:
                weeks.append(week)
            week += 1
        return weeks

    @cached_property
    def quarters(self) -> dict[tuple[int, int], list[int]]:
        """Each calendar quarter the horizon touches -> all its weeks (`quarter_weeks`)."""
        keys = dict.fromkeys(self.weeks.quarter_key(w) for w in range(self.horizon_weeks))
        return {key: self.quarter_weeks(key) for key in keys}

    def as_of(self, person: Inspector, week: int) -> Inspector:
        """``person`` as capacity counts them in ``week``: before `replan_week`, as
        `kept_inspectors` has them (a re-plan: the baseline's fte and inspection_share)."""
        if week < self.replan_week:
            return self.kept_inspectors.get(person.inspector_id, person)
        return person

    def quarter_share(self, people: Collection[Inspector], quarter: tuple[int, int]) -> int:
        """R-CAP, R-ASSIGN (RULES.md, readings settled): tenths of inspector-days within
        inspection_share in a calendar quarter, for a region's inspectors or one of them:
        working days (leave and bank holidays off) x fte x share over the quarter's weeks.
        A quarter partly inside the horizon gets the smaller of that over its weeks inside
        and the whole quarter's x weeks inside / `capacity.quarter_weeks` (pro rata); one
        wholly outside (report days after the horizon) its whole share."""
        weeks = self.quarters.get(quarter) or self.quarter_weeks(quarter)
        inside = [w for w in weeks if 0 <= w < self.horizon_weeks]

        def share(over: list[int]) -> float:
            return sum(self.available_days(person, week) * kept.fte * kept.inspection_share
                       for person in people for week in over
                       for kept in (self.as_of(person, week),))

        days = share(weeks)
        if 0 < len(inside) < len(weeks):
            days = min(share(inside), days * len(inside) / self.config.capacity.quarter_weeks)
        return int(days * TENTHS + 1e-6)

    def _profiles(self, group: dict[str, list[Inspector]]) -> tuple[
            dict[str, list[int]], dict[str, dict[tuple[int, int], int]]]:
        """Per group: tenths of inspector-days per week (working days x fte) and per quarter
        (`quarter_share`), never below `capacity_floor`."""
        weekly: dict[str, list[int]] = {}
        quarterly: dict[str, dict[tuple[int, int], int]] = {}
        for name, people in group.items():
            floor = self.capacity_floor.get(name, {})
            weekly[name] = [max(floor.get(week, 0), int(sum(
                self.available_days(person, week) * self.as_of(person, week).fte
                for person in people) * TENTHS + 1e-6)) for week in range(self.horizon_weeks)]
            quarterly[name] = {q: max(floor.get(q, 0), self.quarter_share(people, q))
                               for q in self.quarters}
        return weekly, quarterly

    @cached_property
    def _regional(self) -> tuple[dict[str, list[int]], dict[str, dict[tuple[int, int], int]]]:
        roles = set(self.config.capacity.regional_roles)
        group: dict[str, list[Inspector]] = {region: [] for region in self.dataset.regions}
        for person in self.dataset.inspectors.values():
            if person.role in roles and person.region in group:
                group[person.region].append(person)
        return self._profiles(group)

    @cached_property
    def _pools(self) -> tuple[dict[str, list[int]], dict[str, dict[tuple[int, int], int]]]:
        group: dict[str, list[Inspector]] = {role: [] for role in self.config.capacity.pool_roles}
        for person in self.dataset.inspectors.values():
            if person.role in group:
                group[person.role].append(person)
        return self._profiles(group)

    @property
    def regional_capacity(self) -> dict[str, list[int]]:
        """Region -> tenths of inspector-days available per week."""
        return self._regional[0]

    @property
    def regional_quarter_capacity(self) -> dict[str, dict[tuple[int, int], int]]:
        """Region -> quarter -> tenths of inspector-days within inspection_share."""
        return self._regional[1]

    @property
    def pool_capacity(self) -> dict[str, list[int]]:
        return self._pools[0]

    @property
    def pool_quarter_capacity(self) -> dict[str, dict[tuple[int, int], int]]:
        return self._pools[1]


T = TypeVar("T")
_DERIVED: dict[tuple[int, Callable], tuple[weakref.ReferenceType[Problem], object]] = {}


def derived(problem: Problem, build: Callable[[Problem], T]) -> T:
    """``build(problem)``, computed once per problem and kept while the problem lives: the
    constraint families are made afresh for every model a solve builds (one per region...)."""
    for key in [key for key, (ref, _) in _DERIVED.items() if ref() is None]:
        del _DERIVED[key]  # that problem is gone
    key = (id(problem), build)
    entry = _DERIVED.get(key)
    if entry is None or entry[0]() is not problem:
        entry = (weakref.ref(problem), build(problem))
        _DERIVED[key] = entry
    return entry[1]  # type: ignore[return-value]
