"""R-CLASH: ILACS events keep clear of the LA's area SEND inspections and JTAIs (para 28)."""

from __future__ import annotations

from datetime import date

from constraints.base import Family, onsite_week_distance, rows_by_la
from scheduler.context import ModelContext, Penalty
from scheduler.footprint import Footprint
from scheduler.pathways import Need, latest_onsite_day
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


def other_programmes(problem: Problem, la_code: str) -> list[tuple[str, tuple[date, ...]]]:
    """(label, on-site days) of the LA's area SEND inspections and monitoring visits (planned
    and completed), its JTAIs given in jtai.csv and those in its ILACS history."""
    found = []
    for send in problem.dataset.area_send:
        if send.la_code == la_code and send.fieldwork_start:
            end = send.fieldwork_end or send.fieldwork_start
            found.append((f"area SEND {send.kind} {send.fieldwork_start}",
                          (send.fieldwork_start, end)))
    found.extend((f"JTAI {fixed.onsite_days[0]}", fixed.onsite_days)
                 for fixed in problem.fixed_events if fixed.la_code == la_code)
    for past in problem.dataset.history_of(la_code):
        if past.event == "JTAI":
            last = latest_onsite_day(past, problem.config)
            found.append((f"JTAI {past.fieldwork_start or last}",
                          (past.fieldwork_start or last, last)))
    return found


class Clashes(Family):
    """Hard R-CLASH: no ILACS on-site week within 8 weeks of the LA's area SEND or JTAI
    fieldwork. Soft: every week closer than 26 costs."""

    rules = ("R-CLASH",)

    def __init__(self) -> None:
        self._others: dict[str, list[tuple[str, tuple[date, ...]]]] = {}

    def _near(self, problem: Problem, la_code: str) -> list[tuple[str, tuple[date, ...]]]:
        if la_code not in self._others:
            self._others[la_code] = other_programmes(problem, la_code)
        return self._others[la_code]

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        if kind not in problem.config.clash.events:
            return []
        gap = problem.config.clash.min_gap_weeks
        near = self._near(problem, need.la_code)
        if any(onsite_week_distance(fp.onsite_days, days) < gap for _, days in near):
            return ["R-CLASH"]
        return []

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        soft = problem.config.clash.soft_up_to_weeks
        penalties = []
        for need in ctx.needs:
            near = self._near(problem, need.la_code)
            if not near:
                continue
            terms = []
            for (kind, week), var in ctx.placements(need.need_id).items():
                if kind not in problem.config.clash.events:
                    continue
                onsite = problem.footprint(kind, week).onsite_days
                cost = sum(max(0, soft - onsite_week_distance(onsite, days)) for _, days in near)
                if cost:
                    terms.append(cost * var)
            if terms:
                penalties.append(Penalty("R-CLASH", need.need_id,
                                         problem.config.weights.clash_week, sum(terms)))
        return penalties

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        clash = problem.config.clash
        violations = []
        for la_code, la_rows in rows_by_la(rows).items():
            near = list(self._near(problem, la_code))
            near += [(f"JTAI {r.fieldwork_start}", r.onsite_days) for r in la_rows
                     if r.event == "JTAI" and r.status != "fixed"]
            for row in la_rows:
                if row.event not in clash.events:
                    continue
                for label, days in near:
                    if days == row.onsite_days:
                        continue
                    distance = onsite_week_distance(row.onsite_days, days)
                    if distance < clash.min_gap_weeks:
                        violations.append(Violation(
                            "R-CLASH", la_code, row.event_id,
                            f"{row.event} on site {distance} weeks from {label} "
                            f"(at least {clash.min_gap_weeks} needed)"))
        return violations
