"""A planning problem: dataset + configuration + horizon, with everything derived from them
that both the model and the checker need (pathways, footprints, capacity profiles)."""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TypeVar

from scheduler.calendar import Calendar, Weeks
from scheduler.config import Config
from scheduler.domain import Dataset, Inspector
from scheduler.footprint import Footprint, footprint
from scheduler.pathways import LaPlan, Need, plan_la

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
        return {code: plan_la(la, self.dataset, self.config, self.start, self.horizon_weeks,
                              self.calendar)
                for code, la in sorted(self.dataset.las.items())}

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

    def _profiles(self, group: dict[str, list[Inspector]]) -> tuple[
            dict[str, list[int]], dict[str, dict[tuple[int, int], int]]]:
        weekly: dict[str, list[int]] = {}
        quarterly: dict[str, dict[tuple[int, int], int]] = {}
        for name, people in group.items():
            week_caps, quarter_raw = [], defaultdict(float)
            for week in range(self.horizon_weeks):
                total = share = 0.0
                for person in people:
                    days = self.available_days(person, week)
                    total += days * person.fte
                    share += days * person.fte * person.inspection_share
                week_caps.append(int(total * TENTHS + 1e-6))
                quarter_raw[self.weeks.quarter_key(week)] += share * TENTHS
            weekly[name] = week_caps
            quarterly[name] = {q: int(v + 1e-6) for q, v in quarter_raw.items()}
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
