"""R-FV-GAP, R-FV-COUNT, R-MV-RATE (gap), R-MV-COUNT, R-REINSP: the order of one LA's events."""

from __future__ import annotations

from datetime import date

from constraints.base import Family, rows_by_la
from scheduler.calendar import weeks_between
from scheduler.context import ModelContext, Penalty
from scheduler.pathways import LaPlan, latest_onsite_day
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation

VISITS = ("FV", "JTAI")
GRADED = ("STD", "SHT")


class Sequence(Family):
    """Hard: each need follows the needs it depends on by at least their gap (R-FV-GAP 26
    weeks, R-MV-RATE 6 weeks, R-REINSP after the monitoring visits); a next-cycle focused
    visit is placed whenever the inspection before it is early enough to make it due."""

    rules = ("R-FV-GAP", "R-FV-COUNT", "R-MV-RATE", "R-MV-COUNT", "R-REINSP")

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem, model = ctx.problem, ctx.model
        horizon = problem.horizon_weeks
        for need in ctx.needs:
            me = need.need_id
            mine_present = ctx.present[me]
            for after in need.after:
                other = after.need_id
                guard = ctx.guard(after.rule, need.la_code)
                other_present = ctx.present[other]
                other_needed = problem.need_by_id[other]
                if not other_needed.skippable:
                    # What I follow, if not placed, comes after the horizon: so must I.
                    model.add(mine_present <= other_present).only_enforce_if(guard)
                enforce = guard + ([] if other_needed.mandatory and other_needed.parent is None
                                   else [other_present])
                # Where I am not placed I happen after the horizon, and not before my
                # earliest week: count me there.
                after_horizon = max(horizon, problem.weeks.index(need.earliest))
                mine = ctx.fieldwork_week(me, None if need.mandatory and not need.parent
                                          else after_horizon)
                model.add(mine - ctx.fieldwork_week(other) >= after.min_weeks
                          ).only_enforce_if(enforce)
                if after.max_weeks is not None:
                    model.add(ctx.fieldwork_week(me) - ctx.fieldwork_week(other)
                              <= after.max_weeks).only_enforce_if([*guard, mine_present])
            if need.forced_if_parent_by_weeks is not None and need.parent:
                last_parent_week = horizon - 1 - need.forced_if_parent_by_weeks
                early = [var for (kind, week), var in ctx.placements(need.parent).items()
                         if week + problem.config.spec(kind).fieldwork_offset <= last_parent_week]
                if early:
                    model.add(mine_present >= sum(early)).only_enforce_if(
                        ctx.guard("R-FV-COUNT", need.la_code))
        weight = problem.config.weights.missed_visit
        return [Penalty("R-FV-COUNT", n.need_id, weight, 1 - ctx.present[n.need_id])
                for n in ctx.needs if n.skippable]

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = []
        grouped = rows_by_la(rows)
        for la_code, plan in problem.plans.items():
            # A JTAI given in jtai.csv is another programme's date: R-CLASH keeps us clear.
            la_rows = [r for r in grouped.get(la_code, []) if r.event != "AEM"
                       and not (r.event == "JTAI" and r.status == "fixed")]
            violations += _check_gaps(problem, la_code, plan, la_rows)
            violations += _check_counts(problem, la_code, plan, la_rows)
        return violations


def _history_dates(problem: Problem, plan: LaPlan) -> list[tuple[str, date]]:
    """(label, last on-site day) of the LA's last inspection and its ILACS events since."""
    if plan.reference is None:
        return []
    found = [("last inspection", plan.reference)]
    found += [(f"{e.event} {e.known_date}", latest_onsite_day(e, problem.config))
              for e in problem.dataset.history_of(plan.la.la_code)
              if e.event in ("FV", "JTAI", "MV") and e.known_date > plan.reference]
    return found


def _check_gaps(problem: Problem, la_code: str, plan: LaPlan, la_rows: list[ProgrammeRow]
                ) -> list[Violation]:
    """Each gap from the Monday of the earlier event's LAST on-site week to the Monday of the
    later one's first (RULES.md, readings settled), history included."""
    cfg = problem.config
    violations = []
    earlier = _history_dates(problem, plan)
    for i, row in enumerate(la_rows):
        others = earlier + [(f"{r.event} {r.fieldwork_start}", r.fieldwork_end)
                            for r in la_rows[:i]]
        for label, day in others:
            gap = weeks_between(day, row.fieldwork_start)
            pair = {row.event, label.split()[0]}
            if pair & set(VISITS):
                need, rule = cfg.focused_visits.gap_weeks, "R-FV-GAP"
            elif row.event == "MV" and label.startswith("MV"):
                need, rule = cfg.monitoring.min_gap_weeks, "R-MV-RATE"
            elif row.event in GRADED and label.startswith("MV"):
                need, rule = cfg.monitoring.reinspect_after_weeks, "R-REINSP"
            else:
                continue
            if gap < need:
                violations.append(Violation(rule, la_code, row.event_id,
                                            f"{row.event} {gap} weeks after {label} "
                                            f"(at least {need})"))
    return violations


def _check_counts(problem: Problem, la_code: str, plan, la_rows: list[ProgrammeRow]
                  ) -> list[Violation]:
    cfg = problem.config
    violations = []
    if plan.reference is None:
        return violations
    history = [e for e in problem.dataset.history_of(la_code) if e.known_date > plan.reference]
    graded = [r for r in la_rows if r.event in GRADED]
    cut = graded[0].fieldwork_start if graded else None
    before = [r for r in la_rows if cut is None or r.fieldwork_start < cut]
    if plan.pathway == 3:
        visits = sum(e.event == "MV" for e in history) + sum(r.event == "MV" for r in before)
        if graded and visits < cfg.monitoring.min_visits:
            violations.append(Violation("R-MV-COUNT", la_code, graded[0].event_id,
                                        f"re-inspection after {visits} monitoring visits "
                                        f"(at least {cfg.monitoring.min_visits})"))
        if visits > cfg.monitoring.max_visits:
            violations.append(Violation("R-MV-COUNT", la_code, "",
                                        f"{visits} monitoring visits "
                                        f"(at most {cfg.monitoring.max_visits})"))
        if any(r.event in VISITS for r in la_rows):
            violations.append(Violation("R-FV-COUNT", la_code, "",
                                        "focused visit or JTAI for a pathway 3 LA"))
        return violations
    limit = cfg.focused_visits.pathway1 if plan.pathway == 1 else cfg.focused_visits.pathway2
    done = sum(e.event in VISITS for e in history)
    planned = sum(r.event in VISITS for r in before)
    visits = done + planned
    if planned and visits > limit:
        violations.append(Violation("R-FV-COUNT", la_code, "",
                                    f"{visits} focused visits or JTAIs before the next "
                                    f"inspection (at most {limit} on pathway {plan.pathway})"))
    if any(r.event == "MV" for r in la_rows):
        violations.append(Violation("R-MV-COUNT", la_code, "",
                                    f"monitoring visit for a pathway {plan.pathway} LA"))
    return violations
