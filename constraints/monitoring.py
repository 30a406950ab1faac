"""R-MV-RATE, R-MV-SEND: at most 4 monitoring visits in any 52 weeks (3 across ILACS and
area SEND monitoring where both apply) (para 140)."""

from __future__ import annotations

from datetime import date

from constraints.base import Family, rows_by_la
from scheduler.calendar import weeks_between
from scheduler.context import ModelContext, Penalty
from scheduler.pathways import latest_onsite_day
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation

YEAR_WEEKS = 52


def _limit_and_fixed(problem: Problem, la_code: str) -> tuple[int, str, list[date]]:
    """The LA's 12-month limit, its rule, and the dates that count besides planned visits."""
    m = problem.config.monitoring
    la = problem.dataset.las[la_code]
    send = [s.fieldwork_start for s in problem.dataset.area_send
            if s.la_code == la_code and s.kind == "monitoring" and s.fieldwork_start]
    fixed = [latest_onsite_day(e, problem.config) for e in problem.dataset.history_of(la_code)
             if e.event == "MV"]
    if la.send_monitoring or send:
        return m.max_per_year_with_send, "R-MV-SEND", fixed + send
    return m.max_per_year, "R-MV-RATE", fixed


class MonitoringRate(Family):
    """Hard R-MV-RATE / R-MV-SEND over every 52-week window."""

    rules = ("R-MV-RATE", "R-MV-SEND")

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        by_la: dict[str, list] = {}
        for need in ctx.needs:
            if need.kind == "MV":
                by_la.setdefault(need.la_code, []).extend(
                    (week + problem.config.spec(kind).fieldwork_offset, var)
                    for (kind, week), var in ctx.placements(need.need_id).items())
        for la_code, visits in by_la.items():
            limit, rule, fixed = _limit_and_fixed(problem, la_code)
            fixed_weeks = [weeks_between(problem.start, d) for d in fixed]
            weeks = sorted({w for w, _ in visits})
            if not weeks:
                continue  # no week left for any visit: the window rules explain it
            for first in range(weeks[0] - YEAR_WEEKS + 1, weeks[-1] + 1):
                inside = [var for w, var in visits if first <= w < first + YEAR_WEEKS]
                already = sum(first <= w < first + YEAR_WEEKS for w in fixed_weeks)
                if inside and len(inside) + already > limit:
                    ctx.model.add(sum(inside) + already <= limit).only_enforce_if(
                        ctx.guard(rule, la_code))
        return []

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = []
        for la_code, la_rows in rows_by_la(rows).items():
            planned = [r for r in la_rows if r.event == "MV"]
            if not planned:
                continue
            limit, rule, fixed = _limit_and_fixed(problem, la_code)
            dates = sorted([r.fieldwork_start for r in planned] + fixed)
            for row in planned:
                window = [d for d in dates if 0 <= weeks_between(d, row.fieldwork_start)
                          < YEAR_WEEKS]
                if len(window) > limit:
                    violations.append(Violation(
                        rule, la_code, row.event_id,
                        f"{len(window)} monitoring visits in the 52 weeks to "
                        f"{row.fieldwork_start} (at most {limit})"))
        return violations
