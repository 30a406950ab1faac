"""What the rest of the country leaves one region (scheduler/decompose.py): pool days and
people, and the spare days, people and leads of the other regions it may borrow.

Every load is a sum over regions, so the ledger keeps each region's load and the national
total: a region's room is the capacity less the total less its own, not a recount of every
other region's events (at 90 regions that recount was most of the decomposition's time).
"""

from __future__ import annotations

from collections import defaultdict

from constraints.capacity import by_quarter, fixed_rows, programme_load
from scheduler.context import Room
from scheduler.export import event_row
from scheduler.headcount import HEADS, LEADS, free_people, programme_needs
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow

Chosen = dict[str, tuple[str, int]]  # need_id -> (kind, notice week)
Vectors = dict[tuple[str, str], list[int]]  # ("week", "" or pool role) or ("day", what)

OWN = ("week", "")  # tenths of the region's own inspector-days per week


class Ledger:
    """Each region's load under a plan (its events and fixed events) and their total."""

    def __init__(self, problem: Problem, plan: Chosen) -> None:
        self.problem = problem
        self.weeks = problem.horizon_weeks
        self.days = 7 * self.weeks
        self.regions = sorted(problem.dataset.regions)
        self.home = {n.need_id: problem.region_of(n.la_code) for n in problem.needs}
        self.fixed: dict[str, list[ProgrammeRow]] = defaultdict(list)
        for row in fixed_rows(problem):
            self.fixed[row.region].append(row)
        self.own: dict[str, Vectors] = {}
        self.total: Vectors = {}
        by_region: dict[str, Chosen] = {region: {} for region in self.regions}
        for need_id, placed in plan.items():
            by_region[self.home[need_id]][need_id] = placed
        for region, part in by_region.items():
            self.replace(region, part)

    def replace(self, region: str, plan: Chosen) -> None:
        """The region's load is now that of ``plan`` (its own events only)."""
        self._add(self.own.pop(region, {}), -1)
        self.own[region] = self._load(region, plan)
        self._add(self.own[region], 1)

    def room(self, region: str) -> tuple[dict[str, Room], Room, dict[str, list[int]]]:
        """Pool room per role, spare regional days (per week and quarter), and per day the
        pool people, people and leads the other regions leave (not clamped at 0: where the
        others borrow more than they have spare, this region must lend them the rest)."""
        problem = self.problem
        pool_room: dict[str, Room] = {}
        for role in problem.config.capacity.pool_roles:
            load = self._others(region, ("week", role))
            weekly = [problem.pool_capacity[role][w] - load[w] for w in range(self.weeks)]
            pool_room[role] = (weekly, self._by_quarter(
                load, problem.pool_quarter_capacity[role]))
        others = [r for r in self.regions if r != region]
        load = self._others(region, OWN)
        spare_w = [sum(problem.regional_capacity[r][w] for r in others) - load[w]
                   for w in range(self.weeks)]
        capacity_q = {q: sum(problem.regional_quarter_capacity[r][q] for r in others)
                      for q in problem.regional_quarter_capacity[region]}
        spare_q = self._by_quarter(load, capacity_q)
        free = free_people(problem)
        day_room: dict[str, list[int]] = {}
        for role in problem.config.capacity.pool_roles:
            used = self._others(region, ("day", role))
            day_room[role] = [free[(role, "")][d] - used[d] for d in range(self.days)]
        for what in (HEADS, LEADS):
            used = self._others(region, ("day", what))
            day_room[what] = [sum(free[(r, what)][d] for r in others) - used[d]
                              for d in range(self.days)]
        return pool_room, (spare_w, spare_q), day_room

    def _others(self, region: str, key: tuple[str, str]) -> list[int]:
        size = self.weeks if key[0] == "week" else self.days
        total = self.total.get(key, [0] * size)
        own = self.own[region].get(key, [0] * size)
        return [t - o for t, o in zip(total, own, strict=True)]

    def _by_quarter(self, weekly: list[int], capacity: dict[tuple[int, int], int]
                    ) -> dict[tuple[int, int], int]:
        """Capacity less the weekly load summed by quarter."""
        used = by_quarter(self.problem, dict(enumerate(weekly)))
        return {q: cap - used.get(q, 0) for q, cap in capacity.items()}

    def _load(self, region: str, plan: Chosen) -> Vectors:
        """The load of the region's plan and fixed events, as `programme_load` and
        `programme_needs` count it, as vectors over the horizon's weeks and days."""
        rows = [event_row(self.problem, need_id, kind, week)
                for need_id, (kind, week) in plan.items()] + self.fixed[region]
        regional, pools = programme_load(self.problem, rows)
        vectors = {OWN: _vector(regional.get(region, {}), self.weeks)}
        vectors.update({("week", role): _vector(load, self.weeks)
                        for role, load in pools.items()})
        vectors.update({("day", what or group): _vector(by_day, self.days)
                        for (group, what), by_day in programme_needs(self.problem, rows).items()})
        return vectors

    def _add(self, vectors: Vectors, sign: int) -> None:
        for key, values in vectors.items():
            total = self.total.setdefault(key, [0] * len(values))
            for i, value in enumerate(values):
                total[i] += sign * value


def _vector(by_index: dict[int, int], size: int) -> list[int]:
    return [by_index.get(i, 0) for i in range(size)]
