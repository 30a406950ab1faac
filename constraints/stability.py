"""R-PIN, R-DEFER: re-planning a programme. Pinned events (notified before the re-plan date,
or agreed by the national director) keep their week; a deferred event starts no earlier than
the date granted; every other event may move from its baseline week, at a cost per week.

An event held where the baseline has it (notified, or agreed there) took or takes place in
that week whatever the rules say now (a baseline written under older rules, a rule edited
since): the model keeps that week for it even where a rule refuses it (`held_week`), and
the programme names those rules in its `relaxed` column (`held_breaks`, `mark_status`), a
fact rather than a choice; everything else is planned around it under every rule."""

from __future__ import annotations

from collections import defaultdict
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


def pinned_week(problem: Problem, need_id: str, kind: str) -> int | None:
    """The notice week ``need_id`` is pinned to as ``kind`` (R-PIN), where the programme
    can hold it (on site inside the horizon); else None."""
    pin = problem.pins.get(need_id)
    if pin is None or pin.kind != kind:
        return None
    spec = problem.config.spec(kind)
    week = problem.weeks.index(pin.fieldwork_start) - spec.fieldwork_offset
    return week if 0 <= week < problem.horizon_weeks - max(spec.onsite_weeks) else None


def held_week(problem: Problem, need_id: str, kind: str) -> int | None:
    """`pinned_week` of an event pinned where the baseline has it (notified before the
    re-plan date, or agreed in its baseline week): held there whatever the rules now say.
    A pin to a new date (a `pin` edit with `start`) is a choice, and obeys every rule."""
    base = problem.baseline.get(need_id)
    pin = problem.pins.get(need_id)
    if base is None or pin is None or base.kind != pin.kind or weeks_between(
            base.fieldwork_start, pin.fieldwork_start):
        return None
    return pinned_week(problem, need_id, kind)


def held_rows(problem: Problem) -> list[ProgrammeRow]:
    """The held events (`held_week`) as programme rows, in their held weeks."""
    from scheduler.export import event_row

    return [event_row(problem, need_id, kind, week) for need_id, kind, week in _held(problem)]


def _held(problem: Problem) -> list[tuple[str, str, int]]:
    """(need_id, kind, notice week) of each held event."""
    return [(need_id, pin.kind, week) for need_id, pin in sorted(problem.pins.items())
            if (week := held_week(problem, need_id, pin.kind)) is not None]


def hold_capacity(problem: Problem) -> None:
    """R-CAP for held events: where they alone need more than a week's or quarter's
    capacity as the rules now give it (a region's, what other regions could lend
    included, or a pool's), the capacity there is raised to what they need
    (`Problem.capacity_floor`; set before anything reads the capacity): they take place
    whatever, everything else fits in what is left, and `held_breaks` names R-CAP on them."""
    from constraints.capacity import capacity_of, periods, programme_load, shortfalls

    raw = replace(problem, capacity_floor={})
    regional, pools = programme_load(problem, held_rows(problem))
    floor: dict[str, dict[int | tuple[int, int], int]] = defaultdict(dict)
    for period, key, deficits in shortfalls(raw, regional):
        short = {r: d for r, d in deficits.items() if d > 0}
        if problem.config.capacity.lending and sum(short.values()) <= -sum(
                d for d in deficits.values() if d < 0):
            continue  # other regions can lend it
        for region, deficit in short.items():
            floor[region][key] = capacity_of(raw, region, period, key) + deficit
    for role, load in pools.items():
        if role not in raw.pool_capacity:
            continue
        for period, key, tenths in periods(raw, load):
            cap = (raw.pool_capacity[role][key] if period == "week"
                   else raw.pool_quarter_capacity[role][key])
            if tenths > cap:
                floor[role][key] = tenths
    problem.capacity_floor = dict(floor)


def _over_capacity(problem: Problem, row: ProgrammeRow) -> bool:
    """Whether a held row needs days in a week or quarter its own rules' capacity lacks
    (`hold_capacity`)."""
    from constraints.capacity import row_load

    regional, pools = row_load(problem, row)
    used = [(row.region, week) for week in regional] + list(pools)
    return any(key in problem.capacity_floor.get(group, {}) for group, week in used
               for key in (week, problem.weeks.quarter_key(week)))


def held_breaks(problem: Problem) -> dict[str, list[str]]:
    """Each held event (`held_week`) that the rules now refuse in its week -> those rules:
    as every family's `excluded` names them (R-OVERDUE, R-XMAS, R-ASSIGN...), and R-CAP
    where it needs capacity that is not there (`hold_capacity`)."""
    from constraints import FAMILIES

    families = [cls() for cls in FAMILIES]
    breaks = {}
    for (need_id, kind, week), row in zip(_held(problem), held_rows(problem), strict=True):
        need, fp = problem.need_by_id[need_id], problem.footprint(kind, week)
        rules = [rule for family in families for rule in family.excluded(problem, need, kind, fp)]
        rules += ["R-CAP"] if _over_capacity(problem, row) else []
        if rules:
            breaks[need_id] = list(dict.fromkeys(rules))
    return breaks


def mark_status(problem: Problem, rows: list[ProgrammeRow]) -> list[ProgrammeRow]:
    """The status a re-planned programme shows (DATA.md): fixed where pinned, moved where
    the event differs from the baseline; overdue stays overdue. A held event the rules now
    refuse in its week names them in `relaxed` (`held_breaks`)."""
    breaks = held_breaks(problem)
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
        held = _held_relaxed(problem, row, breaks.get(row.need_id, []))
        if (status, held) != (row.status, row.relaxed):
            row = replace(row, status=status, relaxed=held)
        marked.append(row)
    return marked


def _held_relaxed(problem: Problem, row: ProgrammeRow, rules: list[str]) -> str:
    """``row.relaxed`` with the rules its held week breaks, where the row is that week."""
    pin = problem.pins.get(row.need_id)
    if not rules or pin is None or row.event != pin.kind or weeks_between(
            pin.fieldwork_start, row.fieldwork_start):
        return row.relaxed
    return ";".join(dict.fromkeys([r for r in row.relaxed.split(";") if r] + rules))


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
