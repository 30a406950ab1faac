"""R-AEM: one annual engagement meeting per LA per programme year, clear of its other
ILACS events and of the LA's other programmes (para 42-50; RULES.md, readings settled)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from constraints.base import Family, rows_by_la
from constraints.clashes import other_programmes
from scheduler.context import ModelContext, Penalty
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


def blocked_weeks(problem: Problem, onsite: tuple[date, ...], notify: date | None
                  ) -> tuple[int, int]:
    """(first, last) programme week an AEM may not fall in because of another event: its
    notice and on-site weeks, and `engagement.gap_weeks` - 1 weeks either side on site."""
    weeks, spare = problem.weeks, problem.config.engagement.gap_weeks - 1
    first, last = weeks.index(onsite[0]), weeks.index(onsite[-1])
    notice = weeks.index(notify) if notify else first
    return min(notice, first - spare), last + spare


class Engagement(Family):
    """Hard R-AEM: the meeting never falls in the notice or on-site weeks of the LA's other
    ILACS events, nor in an on-site week of its area SEND inspections or JTAIs (with
    `engagement.gap_weeks` around on-site weeks); once per programme year (the window
    term is in Windows)."""

    rules = ("R-AEM",)

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        """R-AEM: clear of the LA's other programmes (of its ILACS events: `build`)."""
        if kind != "AEM":
            return []
        at = problem.weeks.index(fp.fieldwork_start)
        for _, days in other_programmes(problem, need.la_code):
            first, last = blocked_weeks(problem, days, None)
            if first <= at <= last:
                return ["R-AEM"]
        return []

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        for plan in ctx.plans:
            meetings = [n for n in plan.needs if n.kind == "AEM"]
            if not meetings:
                continue
            others = []  # (variable, first and last week it blocks) of each other placement
            for need in plan.needs:
                if need.kind == "AEM":
                    continue
                for (kind, week), var in ctx.placements(need.need_id).items():
                    fp = problem.footprint(kind, week)
                    others.append((var, *blocked_weeks(problem, fp.onsite_days,
                                                       fp.notify_date)))
            for meeting in meetings:
                for (kind, week), var in ctx.placements(meeting.need_id).items():
                    at = week + problem.config.spec(kind).fieldwork_offset
                    close = [v for v, first, last in others if first <= at <= last]
                    if close:
                        ctx.model.add(sum(close) == 0).only_enforce_if(
                            [var, *ctx.guard("R-AEM", plan.la.la_code)])
        return []

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = []
        for la_code, la_rows in rows_by_la(rows).items():
            meetings = [r for r in la_rows if r.event == "AEM"]
            years = Counter((r.fieldwork_start - problem.start).days // 364 for r in meetings)
            for year, count in years.items():
                if count > 1:
                    violations.append(Violation("R-AEM", la_code, "",
                                                f"{count} engagement meetings in programme "
                                                f"year {year + 1}"))
            others = [(f"{r.event} {r.event_id}", r.onsite_days, r.notify_date)
                      for r in la_rows if r.event != "AEM"]
            others += [(label, days, None) for label, days in other_programmes(problem, la_code)
                       if not any(days == r.onsite_days for r in la_rows)]
            for meeting in meetings:
                at = problem.weeks.index(meeting.fieldwork_start)
                for label, days, notify in others:
                    first, last = blocked_weeks(problem, days, notify)
                    if first <= at <= last:
                        violations.append(Violation(
                            "R-AEM", la_code, meeting.event_id,
                            f"meeting in the week of {meeting.fieldwork_start}, within the "
                            f"notice or on-site weeks of {label} (or "
                            f"{problem.config.engagement.gap_weeks - 1} week either side)"))
        return violations
