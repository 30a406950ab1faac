"""R-ASSIGN before placing: could an event placed at a notice week be staffed at all, given
the leave, bank holidays, conflicts of interest, can_lead and weekly working days of the
dataset (other events aside)? The first stage leaves out the weeks where it could not, so
the second stage is not handed an event nobody can take."""

from __future__ import annotations

from datetime import date

import numpy as np

from scheduler.assign_book import Bookings
from scheduler.assign_duties import EXTRA, LEAD, TEAM, event_parts, team_size
from scheduler.problem import TENTHS, Problem, derived
from scheduler.programme import ProgrammeRow


class Availability:
    """Who is free for each part of an event of a kind at a notice week, as bit masks over
    the inspectors (cached), and whether an LA's event could be staffed then."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._diary = Bookings.start(problem)  # nothing booked: leave and limits only
        self._ids = list(problem.dataset.inspectors)
        self._bit = {pid: 1 << i for i, pid in enumerate(self._ids)}
        self._free: dict[tuple[str, int], dict[str, int]] = {}
        self._barred: dict[str, int] = {}
        self._answers: dict[tuple[str, str, int], bool] = {}
        # per inspector, in the order of the bits (vectors: about 90,000 checks on England)
        self._away: dict[date, np.ndarray] = {}
        self._weekly: dict[int, np.ndarray] = {}
        self._quarterly: dict[tuple[int, int], np.ndarray] = {}
        self._eligible: dict[tuple[tuple[str, ...], bool], np.ndarray] = {}

    def free(self, kind: str, week: int) -> dict[str, int]:
        """Part name -> inspectors free for it (for the lead: the team's days and the
        lead's own), whatever the LA."""
        key = (kind, week)
        if key not in self._free:
            fp = self.problem.footprint(kind, week)
            row = ProgrammeRow("", "", "", "", kind, "new", fp.notify_date, fp.onsite_days,
                               fp.fieldwork_start, fp.fieldwork_end, None, None, None, None,
                               None)
            parts = event_parts(self.problem, row)
            free = {}
            for name, part in parts.items():
                shape = self._diary.shape([parts[TEAM], part] if name == LEAD else [part])
                ok = self._eligible_for(part.roles, name == LEAD).copy()
                days, weekly, quarterly = shape
                for day in days:  # as Bookings.busy, on an empty diary
                    ok &= ~self._away_on(day)
                for at, count in weekly:
                    ok &= self._vector(self._weekly, at, self._diary.limits.weekly) >= (
                        TENTHS * count)
                for quarter, count in quarterly:
                    ok &= self._vector(self._quarterly, quarter,
                                       self._diary.limits.quarterly) >= TENTHS * count
                free[name] = sum(1 << int(i) for i in np.flatnonzero(ok))
            self._free[key] = free
        return self._free[key]

    def _eligible_for(self, roles: tuple[str, ...], lead: bool) -> np.ndarray:
        key = (roles, lead)
        if key not in self._eligible:
            people = self.problem.dataset.inspectors
            self._eligible[key] = np.array([people[pid].role in roles
                                            and (people[pid].can_lead or not lead)
                                            for pid in self._ids], dtype=bool)
        return self._eligible[key]

    def _away_on(self, day: date) -> np.ndarray:
        if day not in self._away:
            leave = self._diary.leave
            self._away[day] = np.array([day in leave[pid] for pid in self._ids], dtype=bool)
        return self._away[day]

    def _vector(self, cache: dict, key, limit) -> np.ndarray:
        """Each inspector's limit (tenths of a day) for a week or quarter."""
        if key not in cache:
            cache[key] = np.array([limit(pid, key) for pid in self._ids], dtype=np.int64)
        return cache[key]

    def barred(self, la_code: str) -> int:
        """Inspectors who may not staff the LA's events: a conflict of interest, or (without
        lending) another home region."""
        if la_code not in self._barred:
            region = self.problem.region_of(la_code)
            lending = self.problem.config.capacity.lending
            self._barred[la_code] = sum(
                self._bit[pid] for pid, person in self.problem.dataset.inspectors.items()
                if (pid, la_code) in self._diary.conflicts
                or (not lending and person.region not in ("", region)))
        return self._barred[la_code]

    def staffable(self, la_code: str, kind: str, week: int) -> bool:
        """Necessary conditions (Hall's) for a lead, a team, an extra HMI and each
        specialist, all different people."""
        key = (la_code, kind, week)
        if key not in self._answers:
            barred = self.barred(la_code)
            free = {name: mask & ~barred for name, mask in self.free(kind, week).items()}
            size = team_size(self.problem, kind, la_code)
            fits = free[TEAM].bit_count() >= size and free[LEAD] != 0
            if EXTRA in free:
                fits = fits and ((free[TEAM] | free[EXTRA]).bit_count() >= size + 1
                                 and (free[LEAD] | free[EXTRA]).bit_count() >= 2)
            self._answers[key] = fits and all(
                mask for name, mask in free.items() if name not in (TEAM, LEAD, EXTRA))
        return self._answers[key]


def availability(problem: Problem) -> Availability:
    """The problem's Availability, computed once per problem."""
    return derived(problem, Availability)
