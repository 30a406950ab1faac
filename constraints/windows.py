"""R-WIN, R-OVERDUE, R-MV-START, R-DEFER, R-AEM windows: when each event may start."""

from __future__ import annotations

from constraints.base import Family
from scheduler.context import ModelContext, Penalty
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


class Windows(Family):
    """Hard R-WIN: graded fieldwork starts 3 years after the last, +/- 6 months (para 17);
    every other event inside its own window. Soft: near the 3-year point; overdue ASAP."""

    rules = ("R-WIN", "R-OVERDUE", "R-MV-START", "R-DEFER", "R-AEM", "R-PATH")

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        if fp.fieldwork_start < need.earliest:
            return [need.earliest_rule]
        if need.latest and fp.fieldwork_start > need.latest:
            return [need.latest_rule]
        return []

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem, weights = ctx.problem, ctx.problem.config.weights
        penalties = []
        for need in ctx.needs:
            placements = ctx.placements(need.need_id)
            if need.overdue:
                first = problem.weeks.index(need.earliest)
                expr = sum(max(0, _fw(problem, kind, week) - first) * var
                           for (kind, week), var in placements.items())
                penalties.append(Penalty("R-OVERDUE", need.need_id, weights.overdue_week, expr))
            elif need.target is not None:
                target = problem.weeks.index(need.target)
                expr = sum(abs(_fw(problem, kind, week) - target) * var
                           for (kind, week), var in placements.items())
                if not need.mandatory:  # beyond the horizon costs as if at its end
                    expr += abs(problem.horizon_weeks - target) * (1 - ctx.present[need.need_id])
                rule = "R-AEM" if need.kind == "AEM" else "R-WIN"
                weight = weights.engagement_week if need.kind == "AEM" else weights.target_week
                penalties.append(Penalty(rule, need.need_id, weight, expr))
            if need.late_after and not need.overdue:
                # "usually" (R-MV-START first visit, R-REINSP re-inspection): late at a cost
                close = problem.weeks.index(need.late_after)
                late = sum(max(0, _fw(problem, kind, week) - close) * var
                           for (kind, week), var in placements.items())
                rule = "R-MV-START" if need.kind == "MV" else "R-OVERDUE"
                penalties.append(Penalty(rule, need.need_id, weights.overdue_week, late))
        return penalties

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = []
        placed = {row.need_id: row for row in rows if row.need_id}
        for row in rows:
            need = problem.need_by_id.get(row.need_id)
            if need is None:
                if row.status != "fixed":
                    violations.append(Violation("R-PATH", row.la_code, row.event_id,
                                                f"no {row.event} is due for this LA "
                                                f"(need {row.need_id or '?'} unknown)"))
                continue
            if row.event not in problem.kinds_for(need):
                violations.append(Violation("R-PATH", row.la_code, row.event_id,
                                            f"{row.event} placed where a {need.kind} is due"))
            start = row.fieldwork_start
            if start < need.earliest:
                violations.append(Violation(need.earliest_rule, row.la_code, row.event_id,
                                            f"fieldwork starts {start}, before {need.earliest}"))
            if need.latest and start > need.latest:
                violations.append(Violation(need.latest_rule, row.la_code, row.event_id,
                                            f"fieldwork starts {start}, after {need.latest}"))
            late = bool(need.late_after and start > need.late_after)
            if (need.overdue or late) != (row.status == "overdue"):
                violations.append(Violation("R-OVERDUE", row.la_code, row.event_id,
                                            f"status {row.status!r}, but the event is "
                                            f"{'' if need.overdue or late else 'not '}overdue"))
        for need in problem.needs:
            if need.mandatory and need.parent is None and need.need_id not in placed:
                window = f"{need.earliest} to {need.latest or problem.weeks.end}"
                violations.append(Violation("R-WIN", need.la_code, need.need_id,
                                            f"{need.kind} due {window} is missing"))
        return violations


def _fw(problem: Problem, kind: str, week: int) -> int:
    return week + problem.config.spec(kind).fieldwork_offset


