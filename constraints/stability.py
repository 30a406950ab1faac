"""R-PIN, R-DEFER: re-planning a programme. Pinned events (notified before the re-plan date,
or agreed by the national director) keep their week; a deferred event starts no earlier than
the date granted; every other event may move from its baseline week, at a cost per week."""

from __future__ import annotations

from dataclasses import replace

from constraints.base import Family
from scheduler.calendar import weeks_between
from scheduler.context import ModelContext, Penalty
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


class Stability(Family):
    """Hard R-PIN: a pinned event keeps its kind and week (Problem.pins). Hard R-DEFER: a
    deferred event's fieldwork starts on or after its date (Problem.deferrals). Soft R-PIN:
    `weights.move_week` per week an event moves from its baseline (Problem.baseline); a change
    of kind (a focused visit placed as a JTAI, or back) counts as one week, an event the
    baseline had that is no longer placed as a move to the horizon's end."""

    rules = ("R-PIN", "R-DEFER")

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        found = []
        pin = problem.pins.get(need.need_id)
        if pin and (kind != pin.kind or weeks_between(pin.fieldwork_start, fp.fieldwork_start)):
            found.append("R-PIN")
        deferral = problem.deferrals.get(need.need_id)
        if deferral and fp.fieldwork_start < deferral.not_before:
            found.append("R-DEFER")
        return found

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        penalties = []
        for need in ctx.needs:
            if need.need_id in problem.pins:  # a pinned visit may not be left out either
                ctx.model.add(ctx.present[need.need_id] == 1).only_enforce_if(
                    ctx.guard("R-PIN", need.la_code))
            base = problem.baseline.get(need.need_id)
            if base is None:
                continue
            base_week = problem.weeks.index(base.fieldwork_start)
            terms = []
            for (kind, week), var in ctx.placements(need.need_id).items():
                fieldwork = week + problem.config.spec(kind).fieldwork_offset
                moved = abs(fieldwork - base_week) + (kind != base.kind)
                if moved:
                    terms.append(moved * var)
            expr = sum(terms)
            if not need.mandatory or need.parent is not None:
                expr += abs(problem.horizon_weeks - base_week) * (1 - ctx.present[need.need_id])
            penalties.append(Penalty("R-PIN", need.need_id, problem.config.weights.move_week,
                                     expr))
        return penalties

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        placed = {row.need_id: row for row in rows if row.need_id}
        violations = []
        for need_id, pin in sorted(problem.pins.items()):
            row = placed.get(need_id)
            la_code = need_id.split("-", 1)[0]
            if row is None:
                violations.append(Violation("R-PIN", la_code, need_id,
                                            f"pinned {pin.kind} ({pin.reason}) is missing"))
            elif row.event != pin.kind or weeks_between(pin.fieldwork_start, row.fieldwork_start):
                violations.append(Violation(
                    "R-PIN", row.la_code, row.event_id,
                    f"{row.event} on site {row.fieldwork_start}, pinned as {pin.kind} to the "
                    f"week of {pin.fieldwork_start} ({pin.reason})"))
        for need_id, deferral in sorted(problem.deferrals.items()):
            row = placed.get(need_id)
            if row and row.fieldwork_start < deferral.not_before:
                violations.append(Violation(
                    "R-DEFER", row.la_code, row.event_id,
                    f"fieldwork starts {row.fieldwork_start}, deferred to no earlier than "
                    f"{deferral.not_before} ({deferral.reason})"))
        for row in rows:
            if row.need_id and row.status != "overdue":
                violations += _check_status(problem, row)
        return violations


def mark_status(problem: Problem, rows: list[ProgrammeRow]) -> list[ProgrammeRow]:
    """The status a re-planned programme shows (DATA.md): fixed where pinned, moved where
    the event differs from the baseline; overdue stays overdue."""
    marked = []
    for row in rows:
        base = problem.baseline.get(row.need_id)
        status = row.status
        if row.need_id and status != "overdue":
            if row.need_id in problem.pins:
                status = "fixed"
            elif base and (base.kind != row.event
                           or weeks_between(base.fieldwork_start, row.fieldwork_start)):
                status = "moved"
        marked.append(replace(row, status=status) if status != row.status else row)
    return marked


def _check_status(problem: Problem, row: ProgrammeRow) -> list[Violation]:
    """DATA.md status: `fixed` exactly where pinned, `moved` exactly where the event differs
    from the baseline (an overdue event says `overdue` whatever else is true)."""
    pinned = row.need_id in problem.pins
    base = problem.baseline.get(row.need_id)
    moved = base is not None and (base.kind != row.event or bool(
        weeks_between(base.fieldwork_start, row.fieldwork_start)))
    expected = "fixed" if pinned else "moved" if moved else "new"
    if row.status == expected:
        return []
    return [Violation("R-PIN", row.la_code, row.event_id,
                      f"status {row.status!r}, expected {expected!r} (pinned: "
                      f"{'yes' if pinned else 'no'}, baseline: "
                      f"{f'{base.kind} {base.fieldwork_start}' if base else 'none'})")]
