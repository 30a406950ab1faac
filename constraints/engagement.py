"""R-AEM: one annual engagement meeting per LA per programme year, clear of its other
on-site weeks (para 42-50)."""

from __future__ import annotations

from collections import Counter

from constraints.base import Family, onsite_week_distance, rows_by_la
from scheduler.context import ModelContext, Penalty
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


class Engagement(Family):
    """Hard R-AEM: the meeting is at least `engagement.gap_weeks` from the LA's other
    on-site weeks, once per programme year (the window term is in Windows)."""

    rules = ("R-AEM",)

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        """R-AEM: clear of the LA's JTAIs given in jtai.csv (of its other events: `build`)."""
        if kind != "AEM":
            return []
        gap = problem.config.engagement.gap_weeks
        fixed = [f.onsite_days for f in problem.fixed_events if f.la_code == need.la_code]
        if any(onsite_week_distance(fp.onsite_days, days) < gap for days in fixed):
            return ["R-AEM"]
        return []

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        gap = problem.config.engagement.gap_weeks
        for plan in ctx.plans:
            meetings = [n for n in plan.needs if n.kind == "AEM"]
            others = [n for n in plan.needs if n.kind != "AEM"]
            # (first, last) on-site week of every candidate placement of the other events
            other_vars = [(var, week + min(spec.onsite_weeks), week + max(spec.onsite_weeks))
                          for n in others
                          for (kind, week), var in ctx.placements(n.need_id).items()
                          for spec in (problem.config.spec(kind),)]
            for meeting in meetings:
                for (kind, week), var in ctx.placements(meeting.need_id).items():
                    at = week + problem.config.spec(kind).fieldwork_offset
                    close = [v for v, first, last in other_vars
                             if first - gap < at < last + gap]
                    if close:
                        ctx.model.add(sum(close) == 0).only_enforce_if(
                            [var, *ctx.guard("R-AEM", plan.la.la_code)])
        return []

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        gap = problem.config.engagement.gap_weeks
        violations = []
        for la_code, la_rows in rows_by_la(rows).items():
            meetings = [r for r in la_rows if r.event == "AEM"]
            years = Counter((r.fieldwork_start - problem.start).days // 364 for r in meetings)
            for year, count in years.items():
                if count > 1:
                    violations.append(Violation("R-AEM", la_code, "",
                                                f"{count} engagement meetings in programme "
                                                f"year {year + 1}"))
            for meeting in meetings:
                for row in la_rows:
                    if row.event == "AEM":
                        continue
                    distance = onsite_week_distance(meeting.onsite_days, row.onsite_days)
                    if distance < gap:
                        violations.append(Violation(
                            "R-AEM", la_code, meeting.event_id,
                            f"meeting {distance} weeks from {row.event} {row.event_id} "
                            f"(at least {gap})"))
        return violations
