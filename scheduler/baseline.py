"""The baseline planner: what a regional team does by hand in a spreadsheet, kept as a
comparator for the solver.

Needs are taken in order of window close (a need waits for the needs it follows). Each goes
in the first week of its window that the window, calendar and clash rules allow (the
families' `excluded`, asked exactly as the model asks them) and that has capacity left: the
home region's weekly and quarterly inspector-days and the national pools (R-CAP). Only where
no week of the window fits at home does it borrow what other regions have spare (R-LEND).
Sequencing (`Need.after`: R-FV-GAP, R-MV-RATE, R-REINSP), the JTAI cap (a focused visit goes
as a JTAI while its programme year is short of JTAI slots) and the rules that look at one
LA's events (R-CLASH, R-MV-RATE over 52 weeks, R-AEM: those families' own `check`) are
honoured. No search; two repairs only, as a planner would: a focused visit that is usually
due (R-FV-COUNT) is dropped if it stops a required event fitting, and an overdue LA (no hard
deadline) gives its week to an event that would otherwise miss its window and takes the
next that fits. Where a required event still finds no week, the result says which event
and why.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

from constraints import FAMILIES
from constraints.capacity import by_quarter, row_load
from constraints.clashes import Clashes
from constraints.engagement import Engagement
from constraints.jtai import jtai_targets, programme_year
from constraints.monitoring import MonitoringRate
from scheduler.export import KIND_NAMES, event_row, programme_rows
from scheduler.headcount import HEADS, LEADS, Needs, free_people, row_needs
from scheduler.model import _candidate_weeks
from scheduler.pathways import After, Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation
from scheduler.solve import Result

LA_FAMILIES = (Clashes, MonitoringRate, Engagement)  # whose check() reads one LA's events
PARAMETERS: dict[str, object] = {
    "planner": "baseline planner", "order": "window close", "week": "first that fits",
    "lending": "only where no week of the window fits in the home region",
}
# tenths by week, by (pool, week); people per day
Demand = tuple[dict[int, int], dict[tuple[str, int], int], Needs]
Followers = dict[str, list[tuple[Need, After]]]
NATIONAL = ("national", "")  # what all regions have together (R-LEND)


class _Load:
    """Tenths of inspector-days taken so far, against what regions and pools have.
    Keys: ("region", name), ("pool", role) or NATIONAL."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.weekly: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
        self.quarterly: dict[tuple[str, str], Counter[tuple[int, int]]] = defaultdict(Counter)
        # ((kind, name), HEADS / LEADS / "" for a pool) -> people needed per day
        self.daily: dict[tuple[tuple[str, str], str], Counter[int]] = defaultdict(Counter)
        self.free = free_people(problem)
        days = 7 * problem.horizon_weeks
        self.national_free = {what: [sum(self.free[(r, what)][d] for r in problem.dataset.regions)
                                     for d in range(days)] for what in (HEADS, LEADS)}
        regions = problem.dataset.regions
        self.national_weekly = [sum(problem.regional_capacity[r][w] for r in regions)
                                for w in range(problem.horizon_weeks)]
        quarters = {q for r in regions for q in problem.regional_quarter_capacity[r]}
        self.national_quarterly = {q: sum(problem.regional_quarter_capacity[r][q]
                                          for r in regions) for q in quarters}

    def demand(self, row: ProgrammeRow) -> Demand:
        own, specialists = row_load(self.problem, row)
        roles = self.problem.config.capacity.pool_roles
        return (own, {key: tenths for key, tenths in specialists.items() if key[0] in roles},
                row_needs(self.problem, row))

    def add(self, region: str, demand: Demand, sign: int = 1) -> None:
        """Take ``demand`` for ``region`` (give it back with ``sign`` -1)."""
        own, specialists, needs = demand
        for what, by_day in needs.regional.items():
            for key in (("region", region), NATIONAL):
                self.daily[(key, what)].update({d: sign * n for d, n in by_day.items()})
        for role, by_day in needs.pools.items():
            self.daily[(("pool", role), "")].update({d: sign * n for d, n in by_day.items()})
        parts = [(("region", region), own), (NATIONAL, own)]
        parts += [(("pool", role), weekly) for role, weekly in _by_role(specialists).items()]
        for key, weekly in parts:
            self.weekly[key].update({w: sign * t for w, t in weekly.items()})
            self.quarterly[key].update({q: sign * t for q, t in
                                        by_quarter(self.problem, weekly).items()})

    def shortfall(self, region: str, demand: Demand, lend: bool) -> str | None:
        """What is full if ``demand`` is added for ``region`` (None: it fits). With ``lend``
        the region may go over its own capacity within what the country has spare."""
        p = self.problem
        own, specialists, needs = demand
        crowded = self._crowded_day(region, needs, lend)
        if crowded:
            return crowded
        limits = [] if lend else [(("region", region), f"R-CAP: {region} full", own,
                                   p.regional_capacity[region],
                                   p.regional_quarter_capacity[region])]
        if p.config.capacity.lending:  # what a region lends, it no longer has itself
            limits.append((NATIONAL, "R-LEND: no region has days to spare", own,
                           self.national_weekly, self.national_quarterly))
        limits += [(("pool", role), f"R-CAP: {role} pool full", weekly, p.pool_capacity[role],
                    p.pool_quarter_capacity[role])
                   for role, weekly in _by_role(specialists).items()]
        for key, label, weekly, caps, quarter_caps in limits:
            if any(self.weekly[key][w] + t > caps[w] for w, t in weekly.items()):
                return f"{label} that week"
            if p.config.capacity.quarterly_share and any(
                    self.quarterly[key][q] + t > quarter_caps[q]
                    for q, t in by_quarter(p, weekly).items()):
                return f"{label} that quarter"
        return None


    def _crowded_day(self, region: str, needs: Needs, lend: bool) -> str | None:
        """R-ASSIGN: a day on which ``needs`` would need more people than are free."""
        p = self.problem
        if not p.config.assignment.daily_headcount:
            return None
        limits = [] if lend else [(("region", region), what, self.free[(region, what)],
                                   f"R-ASSIGN: not enough {what} free in {region}")
                                  for what in needs.regional]
        if p.config.capacity.lending:
            limits += [(NATIONAL, what, self.national_free[what],
                        f"R-LEND: no region has {what} to spare") for what in needs.regional]
        for key, what, free, label in limits:
            taken = self.daily[(key, what)]
            if any(taken[d] + n > free[d] for d, n in needs.regional[what].items()
                   if 0 <= d < len(free)):
                return f"{label} on a day"
        for role, by_day in needs.pools.items():
            taken, free = self.daily[(("pool", role), "")], self.free[(role, "")]
            if any(taken[d] + n > free[d] for d, n in by_day.items() if 0 <= d < len(free)):
                return f"R-ASSIGN: not enough {role} inspectors free on a day"
        return None


def _by_role(specialists: dict[tuple[str, int], int]) -> dict[str, dict[int, int]]:
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for (role, week), tenths in specialists.items():
        found[role][week] = tenths
    return found


def _followers(problem: Problem) -> Followers:
    found: Followers = defaultdict(list)
    for need in problem.needs:
        for after in need.after:
            found[after.need_id].append((need, after))
    return found


def _window_close(problem: Problem, need: Need) -> date:
    return need.latest or need.late_after or need.window_close or problem.weeks.end


def _by_window_close(problem: Problem, followers: Followers) -> Iterator[Need]:
    """Every need, in order of window close; never before the needs it follows."""
    waiting = {need.need_id: len(need.after) for need in problem.needs}
    ready = [(_window_close(problem, n), n.earliest, n.need_id) for n in problem.needs
             if not n.after]
    heapq.heapify(ready)
    while ready:
        need = problem.need_by_id[heapq.heappop(ready)[-1]]
        yield need
        for follower, _ in followers[need.need_id]:
            waiting[follower.need_id] -= 1
            if not waiting[follower.need_id]:
                heapq.heappush(ready, (_window_close(problem, follower), follower.earliest,
                                       follower.need_id))


class _Planner:
    """The spreadsheet: what is placed so far, and the rules each new entry must keep."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.families = [cls() for cls in FAMILIES]
        self.la_families = [f for f in self.families if isinstance(f, LA_FAMILIES)]
        self.followers = _followers(problem)
        self.chosen: dict[str, tuple[str, int]] = {}
        self.fieldwork: dict[str, int] = {}  # need_id -> first on-site week
        self.failures: list[str] = []
        self.load = _Load(problem)
        self.la_rows: dict[str, list[ProgrammeRow]] = defaultdict(list)
        self.known: dict[str, set[Violation]] = {}  # the LA's breaches before any placement
        self.targets = jtai_targets(problem)
        self.jtais: Counter[int] = Counter()
        for row in programme_rows(problem, {}):  # the given fixed events
            self.la_rows[row.la_code].append(row)
            self.load.add(row.region, self.load.demand(row))
            if row.event == "JTAI":
                self.jtais[programme_year(problem, row.fieldwork_start)] += 1

    def run(self) -> None:
        for need in _by_window_close(self.problem, self.followers):
            self._consider(need)

    def _due(self, need: Need) -> bool | None:
        """True: must be placed; False: placed if it fits; None: not due in the horizon
        (a next-cycle visit whose inspection is not early enough to make it due)."""
        if need.parent is None:
            return need.mandatory
        parent = self.fieldwork.get(need.parent)
        last = self.problem.horizon_weeks - 1 - (need.forced_if_parent_by_weeks or 0)
        return True if parent is not None and parent <= last else None

    def _consider(self, need: Need) -> None:
        due = self._due(need)
        if due is None:
            return
        missing = [a for a in need.after if a.need_id not in self.chosen
                   and not self.problem.need_by_id[a.need_id].skippable]
        if missing:  # it cannot come before what it follows
            if due:
                self._fail(need, f"it follows {missing[0].need_id} ({missing[0].rule}), "
                                 "which is not placed")
            return
        reasons = self._place(need)
        if reasons is not None and due:
            reasons = self._make_room(need, reasons)
        if reasons is not None and due and self._bump(need):
            reasons = None
        if reasons is not None and due:
            counts = ", ".join(f"{reason} ({n} weeks)" for reason, n in reasons.most_common())
            self._fail(need, f"no week fits: {counts or 'no candidate week in the horizon'}")

    def _make_room(self, need: Need, reasons: Counter[str]) -> Counter[str] | None:
        """R-FV-COUNT "usually": drop the visits placed before a required event, latest
        first, until it fits; if it never does, put them back. Returns as ``_place``
        (``reasons``: why it did not fit with them)."""
        before = sorted((a for a in need.after if a.need_id in self.chosen
                         and self.problem.need_by_id[a.need_id].skippable),
                        key=lambda a: self.fieldwork[a.need_id], reverse=True)
        dropped = []
        for after in before:
            visit = self.problem.need_by_id[after.need_id]
            dropped.append((visit, *self.chosen[visit.need_id]))
            self._commit(visit, *self.chosen[visit.need_id], sign=-1)
            found = self._place(need)
            if found is None:
                return None
            reasons = found
        for visit, kind, week in dropped:
            self._commit(visit, kind, week)
        return reasons

    def _bump(self, need: Need) -> bool:
        """A hand planner's move: an event with no hard deadline (an overdue LA), placed in
        a week ``need`` could use, gives that week up and takes the next that fits. True if
        both are then placed (else everything is as before)."""
        first, _, last, _ = self._bounds(need)
        weeks = self.problem.weeks
        first = max(first, weeks.index(need.earliest))
        last = min(last, weeks.index(need.latest)) if need.latest else last
        flexible = sorted((week, need_id) for need_id, week in self.fieldwork.items()
                          if first <= week <= last
                          and self.problem.need_by_id[need_id].latest is None
                          and not any(f.need_id in self.chosen
                                      for f, _ in self.followers[need_id]))
        for _, need_id in flexible:
            other = self.problem.need_by_id[need_id]
            kind, week = self.chosen[need_id]
            self._commit(other, kind, week, sign=-1)
            if self._place(need) is None:
                if self._place(other) is None:
                    return True
                self._commit(need, *self.chosen[need.need_id], sign=-1)
            self._commit(other, kind, week)
        return False

    def _fail(self, need: Need, why: str) -> None:
        window = f"{need.earliest} to {need.latest or self.problem.weeks.end}"
        self.failures.append(f"{need.need_id}: {KIND_NAMES[need.kind]} due {window} "
                             f"not placed: {why}")

    def _bounds(self, need: Need) -> tuple[int, str, int, str]:
        """(first week, its rule, last week, its rule) of fieldwork the sequence allows."""
        last_week = self.problem.horizon_weeks
        first, first_rule, last, last_rule = 0, "", last_week, ""
        for after in need.after:
            week = self.fieldwork.get(after.need_id)
            if week is None:  # a skippable visit left out: no gap to keep from it
                continue
            if week + after.min_weeks > first:
                first, first_rule = week + after.min_weeks, after.rule
            if after.max_weeks is not None and week + after.max_weeks < last:
                last, last_rule = week + after.max_weeks, after.rule
        for follower, after in self.followers[need.need_id]:
            # A follower left out counts as at the horizon's end (as in the model); one that
            # must be placed must still fit before its own latest week.
            end = last_week
            if follower.mandatory and follower.parent is None and follower.latest:
                end = min(end, self.problem.weeks.index(follower.latest))
            if end - after.min_weeks < last:
                last, last_rule = end - after.min_weeks, after.rule
        return first, first_rule, last, last_rule

    def _place(self, need: Need) -> Counter[str] | None:
        """Place ``need`` in its first week that fits; None if placed, else how many
        candidate weeks each reason refused (in the last pass)."""
        problem = self.problem
        candidates = sorted((week + problem.config.spec(kind).fieldwork_offset, kind != "JTAI",
                             kind, week)
                            for kind in problem.kinds_for(need)
                            for week in _candidate_weeks(problem, need, kind))
        bounds = self._bounds(need)
        excluded: dict[tuple[str, int], list[str]] = {}
        reasons: Counter[str] = Counter()
        for lend in (False, True) if problem.config.capacity.lending else (False,):
            reasons = Counter()
            for fieldwork, _, kind, week in candidates:
                if (kind, week) not in excluded:
                    fp = problem.footprint(kind, week)
                    excluded[(kind, week)] = [rule for family in self.families
                                              for rule in family.excluded(problem, need, kind,
                                                                          fp)]
                reason = self._refusal(need, kind, week, fieldwork, bounds,
                                       excluded[(kind, week)], lend)
                if reason is None:
                    self._commit(need, kind, week)
                    return None
                reasons[reason] += 1
        return reasons

    def _refusal(self, need: Need, kind: str, week: int, fieldwork: int,
                 bounds: tuple[int, str, int, str], excluded: list[str],
                 lend: bool) -> str | None:
        """Why ``need`` cannot go as ``kind`` in notice week ``week`` (None: it can)."""
        first, first_rule, last, last_rule = bounds
        if excluded:
            return "/".join(dict.fromkeys(excluded))
        if fieldwork < first:
            return f"{first_rule}: too soon after the event it follows"
        if fieldwork > last:
            return f"{last_rule}: too late for a linked event"
        year = fieldwork // 52
        if kind == "JTAI" and self.jtais[year] >= self.targets[year]:
            return "R-JTAI-CAP: the year's JTAI slots are taken"
        row = event_row(self.problem, need.need_id, kind, week)
        short = self.load.shortfall(row.region, self.load.demand(row), lend)
        return short or self._la_breaches(row)

    def _la_breaches(self, row: ProgrammeRow) -> str | None:
        """The rules of the LA's own events that ``row`` would break."""
        la_rows = self.la_rows[row.la_code]
        if row.la_code not in self.known:
            self.known[row.la_code] = self._violations(la_rows)
        new = self._violations([*la_rows, row]) - self.known[row.la_code]
        return "/".join(sorted({v.rule for v in new})) or None

    def _violations(self, rows: list[ProgrammeRow]) -> set[Violation]:
        return {v for family in self.la_families for v in family.check(self.problem, rows)}

    def _commit(self, need: Need, kind: str, week: int, sign: int = 1) -> None:
        """Place ``need`` as ``kind`` in notice week ``week`` (take it out with ``sign`` -1)."""
        row = event_row(self.problem, need.need_id, kind, week)
        fieldwork = week + self.problem.config.spec(kind).fieldwork_offset
        if sign > 0:
            self.chosen[need.need_id] = (kind, week)
            self.fieldwork[need.need_id] = fieldwork
            self.la_rows[need.la_code].append(row)
        else:
            del self.chosen[need.need_id], self.fieldwork[need.need_id]
            self.la_rows[need.la_code].remove(row)
        self.load.add(row.region, self.load.demand(row), sign)
        if kind == "JTAI":
            self.jtais[fieldwork // 52] += sign


def plan_baseline(problem: Problem) -> Result:
    """The baseline programme, as a solver Result: FEASIBLE, or UNKNOWN with one line per
    required event it could not place (the events it did place are in ``rows``)."""
    started = time.perf_counter()
    planner = _Planner(problem)
    planner.run()
    rows = programme_rows(problem, planner.chosen)
    elapsed = time.perf_counter() - started
    placed = not planner.failures
    return Result(
        status="FEASIBLE" if placed else "UNKNOWN", rows=rows, objective=None, bound=None,
        wall_time=elapsed, first_solution_time=elapsed if placed else None, build_time=0.0,
        costs=[], parameters=dict(PARAMETERS), model_size={},
        beyond_horizon=[n.need_id for n in problem.needs
                        if n.need_id not in planner.chosen and not n.mandatory],
        explanation=planner.failures, solver_version="none")
