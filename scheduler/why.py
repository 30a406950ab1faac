"""Why a planned event is where it is: what rules out each earlier week.

A planner asks "why not sooner?". For every week between an event's earliest allowed start
and its planned one this says, in rule ids:

1. the hard rules that exclude the week from the model (each family's `excluded`: the
   calendar holes, windows, clashes with area SEND and JTAI dates);
2. otherwise, what the independent checker would report if the event moved there, against
   the LA's other planned events (gaps, rates, engagement meetings), checked on the LA alone
   and without the named teams (staffing is the second stage: a moved event is re-staffed;
   weeks nobody could staff are among the calendar holes of step 1, R-ASSIGN);
3. otherwise, whether the region would go over its weekly inspector-days (R-CAP), which it
   may only do by borrowing from other regions at a cost (R-LEND).

A week none of these touches was open: the soft costs (RULES.md weights) chose the
planned week over it. The national couplings other than regional capacity (the JTAI cap,
the RI and EDU pools) are not examined here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from constraints import FAMILIES, Family
from constraints.capacity import programme_load, row_load
from scheduler.export import event_row
from scheduler.pathways import Need
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow

DateFormat = Callable[[date], str]


@dataclass(frozen=True)
class EarlierWeek:
    """One week before the planned one, as the event would fall if moved there."""

    fieldwork_start: date
    rules: tuple[str, ...]  # empty: no rule touches the week
    details: tuple[str, ...]
    hard: bool  # a hard rule rules it out (else at most a cost)


@dataclass(frozen=True)
class Why:
    """One planned event of an LA, its window and the weeks before it."""

    event_id: str
    event: str
    planned: date
    earliest: date
    earliest_rule: str
    latest: date | None
    latest_rule: str
    target: date | None
    earlier: tuple[EarlierWeek, ...]

    @property
    def open_weeks(self) -> list[date]:
        return [w.fieldwork_start for w in self.earlier if not w.hard]

    def weeks_by_rule(self) -> Counter[str]:
        """How many earlier weeks each rule rules out or makes costly."""
        return Counter(rule for week in self.earlier for rule in week.rules)

    def spans(self) -> list[tuple[date, date, tuple[str, ...], str]]:
        """Consecutive earlier weeks with the same rules: (first, last, rules, a detail)."""
        spans: list[tuple[date, date, tuple[str, ...], str]] = []
        for week in self.earlier:
            detail = week.details[0] if week.details else ""
            if spans and spans[-1][2] == week.rules:
                first, _, rules, kept = spans[-1]
                spans[-1] = (first, week.fieldwork_start, rules, kept)
            else:
                spans.append((week.fieldwork_start, week.fieldwork_start, week.rules, detail))
        return spans

    def summary(self, fmt: DateFormat = date.isoformat) -> str:
        """One sentence: the binding rules, or that earlier weeks were open."""
        if not self.earlier:
            return (f"At the earliest date allowed: {self.earliest_rule} means on site no "
                    f"sooner than {fmt(self.earliest)}.")
        counts = ", ".join(f"{rule} ({n} week{'s' * (n > 1)})"
                           for rule, n in self.weeks_by_rule().most_common())
        opened = self.open_weeks
        if not opened:
            return (f"Every earlier week from {fmt(self.earliest)} ({self.earliest_rule}) is "
                    f"ruled out: {counts}.")
        text = (f"{len(opened)} earlier week{'s were' if len(opened) > 1 else ' was'} open to "
                f"the hard rules (first {fmt(opened[0])}); the solver chose this week on its "
                "soft costs")
        if self.target:
            rule = "R-AEM" if self.event == "AEM" else "R-WIN"
            text += f" (its target date is {fmt(self.target)}, {rule})"
        return text + (f". Ruled out or costly: {counts}." if counts else ".")


def _moved(problem: Problem, row: ProgrammeRow, week: int) -> ProgrammeRow:
    """``row`` as the scheduler would write it with notice week ``week``."""
    placed = event_row(problem, row.need_id, row.event, week)
    return replace(placed, event_id=row.event_id, relaxed=row.relaxed)


@dataclass
class _Explainer:
    problem: Problem
    rows: list[ProgrammeRow]
    la_code: str
    families: list[Family]
    fmt: DateFormat

    def __post_init__(self) -> None:
        dataset = self.problem.dataset
        # The LA alone: the checker's per-LA rules without re-checking every other LA.
        self.local = Problem.build(replace(dataset, las={self.la_code: dataset.las[self.la_code]}),
                                   self.problem.config, self.problem.start,
                                   self.problem.horizon_weeks)
        self.la_rows = [replace(r, lead_inspector="", team="", lent_from="")
                        for r in self.rows if r.la_code == self.la_code]
        self.regional_load = programme_load(self.problem, self.rows)[0]
        self.known = self._violations(self.la_rows)

    def _violations(self, rows: list[ProgrammeRow]) -> set[tuple[str, str]]:
        return {(v.rule, v.message) for family in self.families
                for v in family.check(self.local, rows)}

    def week(self, row: ProgrammeRow, need: Need, week: int) -> EarlierWeek:
        problem = self.problem
        fp = problem.footprint(row.event, week)
        excluded = [rule for family in self.families
                    for rule in family.excluded(problem, need, row.event, fp)]
        if excluded:
            rules = tuple(dict.fromkeys(excluded))
            return EarlierWeek(fp.fieldwork_start, rules, (), True)
        moved = _moved(self.local, row, week)
        others = [moved if r is row else r for r in self.la_rows]
        new = sorted(self._violations(others) - self.known)
        if new:
            return EarlierWeek(fp.fieldwork_start, tuple(dict.fromkeys(r for r, _ in new)),
                               tuple(m for _, m in new), True)
        return self._capacity(row, moved, fp.fieldwork_start)

    def _capacity(self, row: ProgrammeRow, moved: ProgrammeRow, start: date) -> EarlierWeek:
        problem = self.problem
        load = dict(self.regional_load[row.region])
        for week, tenths in row_load(problem, row)[0].items():
            load[week] = load.get(week, 0) - tenths
        caps = problem.regional_capacity[row.region]
        short = {week: load.get(week, 0) + tenths - caps[week]
                 for week, tenths in row_load(problem, moved)[0].items()}
        short = {week: tenths for week, tenths in short.items() if tenths > 0}
        if not short:
            return EarlierWeek(start, (), (), False)
        lending = problem.config.capacity.lending
        details = tuple(f"{row.region} would need {tenths / TENTHS:g} inspector-days more than "
                        f"it has in the week of {self.fmt(problem.weeks.monday(week))}"
                        + (", borrowed from other regions at a cost" if lending else "")
                        for week, tenths in sorted(short.items()))
        return EarlierWeek(start, ("R-LEND",) if lending else ("R-CAP",), details, not lending)


def why_planned(problem: Problem, rows: list[ProgrammeRow], la_code: str,
                fmt: DateFormat = date.isoformat) -> list[Why]:
    """For each planned event of the LA (fixed ones aside), what rules out earlier weeks."""
    explainer = _Explainer(problem, rows, la_code, [cls() for cls in FAMILIES], fmt)
    found = []
    for row in sorted(explainer.la_rows, key=lambda r: r.fieldwork_start):
        need = problem.need_by_id.get(row.need_id)
        if need is None:
            continue
        offset = problem.config.spec(row.event).fieldwork_offset
        planned_week = problem.weeks.index(row.fieldwork_start) - offset
        first = max(0, problem.weeks.index(need.earliest) - offset - 1)
        earlier = tuple(
            explainer.week(row, need, week) for week in range(first, planned_week)
            if problem.footprint(row.event, week).fieldwork_start >= need.earliest)
        found.append(Why(row.event_id, row.event, row.fieldwork_start, need.earliest,
                         need.earliest_rule, need.latest, need.latest_rule, need.target,
                         earlier))
    return found
