"""Build the CP-SAT model from the registered constraint families.

Time-indexed formulation: one Boolean per (need, kind, notice week) that passes every
calendar and window rule. Capacity, monitoring rates, the JTAI cap and every soft cost
are then exact linear sums over these Booleans.

In explain mode, weeks that a rule excludes are kept, forbidden only under that rule's
enabling literal (one per rule and LA or region), so CP-SAT can name the rules in conflict.

An event held in its baseline week (R-PIN: notified, or agreed there) keeps that week
whatever rule refuses it now (constraints/stability.py `held_week`): a fact the programme
names in `relaxed`, never a reason to have no programme.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from constraints import FAMILIES, Family
from constraints.stability import held_week, pinned_week
from scheduler.context import ModelContext, Penalty, Scope
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem


@dataclass
class BuiltModel:
    context: ModelContext
    penalties: list[Penalty]
    families: list[Family]

    @property
    def model(self) -> cp_model.CpModel:
        return self.context.model

    def hint_with(self, plan: dict[str, tuple[str, int]]) -> None:
        """Hint every placement Boolean: 1 where ``plan`` places the need, else 0 (in place
        of any hint before: a model may be solved again, from another plan)."""
        self.model.clear_hints()
        for need_id, variables in self.context.x.items():
            placed = plan.get(need_id)
            for key, var in variables.items():
                self.model.add_hint(var, int(key == placed))

    def floor_objective(self, floor: float) -> None:
        """Add that the objective is at least ``floor`` (a bound proved already), so the
        solver starts from it."""
        self.model.add(sum(p.weight * p.expr for p in self.penalties if p.weight)
                       >= math.ceil(floor))

    def chosen(self, solver: cp_model.CpSolver) -> dict[str, tuple[str, int]]:
        """Each placed need's (kind, notice week) in the solver's solution."""
        return {need_id: key for need_id, variables in self.context.x.items()
                for key, var in variables.items() if solver.boolean_value(var)}

    def costs(self, solver: cp_model.CpSolver) -> list[tuple[str, str, int]]:
        """(rule, subject, weighted cost) of each soft term in the solver's solution."""
        return [(p.rule, p.subject, p.weight * int(solver.value(p.expr)))
                for p in self.penalties if p.weight]


def _candidate_weeks(problem: Problem, need: Need, kind: str) -> range:
    """Notice weeks whose fieldwork could start inside the need's window (one week margin
    either side, so the window rules still report the edges)."""
    spec = problem.config.spec(kind)
    offset = spec.fieldwork_offset
    if need.need_id in problem.frozen:  # a local re-plan: the baseline week alone
        held = problem.frozen[need.need_id]
        if held is None or held.kind != kind:
            return range(0)
        week = problem.weeks.index(held.fieldwork_start) - offset
        return range(week, week + 1)
    first = problem.weeks.index(need.earliest) - offset - 1
    last = problem.weeks.index(need.latest) - offset + 1 if need.latest else problem.horizon_weeks
    anchor = problem.anchored.get(need.need_id)
    if anchor is not None:  # a re-plan: near the baseline week (scenarios/local.py)
        radius = problem.config.scenario.move_radius_weeks
        week = problem.weeks.index(anchor) - offset
        first, last = max(first, week - radius), min(last, week + radius)
    return range(max(0, first), min(last, problem.horizon_weeks - max(spec.onsite_weeks) - 1) + 1)


def _weeks(problem: Problem, need: Need, kind: str) -> list[int]:
    """`_candidate_weeks`, and the week the need is pinned to (R-PIN) wherever it lies: a
    held event is placed there, and explain mode names the rules refusing any other pin."""
    weeks = list(_candidate_weeks(problem, need, kind))
    pinned = pinned_week(problem, need.need_id, kind)
    return weeks if pinned is None or pinned in weeks else sorted([*weeks, pinned])


def _add_need(ctx: ModelContext, families: list[Family], need: Need) -> None:
    problem, model = ctx.problem, ctx.model
    variables: dict[tuple[str, int], cp_model.IntVar] = {}
    for kind in problem.kinds_for(need):
        excluded: dict[int, list[str]] = {}
        held = held_week(problem, need.need_id, kind)
        for week in _weeks(problem, need, kind):
            fp: Footprint = problem.footprint(kind, week)
            reasons = [] if week == held else _excluded_by(ctx, families, need, kind, fp)
            if reasons:
                excluded[week] = reasons
                if not ctx.explain or not _near_window(problem, need, kind, fp):
                    continue
            var = model.new_bool_var(f"{need.need_id} {kind} w{week}")
            variables[(kind, week)] = var
            for rule in dict.fromkeys(reasons):
                model.add(var == 0).only_enforce_if(ctx.guard(rule, need.la_code))
        ctx.exclusions[(need.need_id, kind)] = excluded
    ctx.x[need.need_id] = variables
    total = sum(variables.values()) if variables else 0
    if need.mandatory and need.parent is None:
        model.add(total == 1).only_enforce_if(ctx.guard("R-WIN", need.la_code))
        ctx.present[need.need_id] = total  # type: ignore[assignment]
        if ctx.explain:
            model.add(total <= 1)
    else:
        present = model.new_bool_var(f"present {need.need_id}")
        model.add(total == present)
        ctx.present[need.need_id] = present


def _excluded_by(ctx: ModelContext, families: list[Family], need: Need, kind: str,
                 fp: Footprint) -> list[str]:
    """The rules that exclude the week: in explain mode every one (explanations name them
    all), else the first family's (the week is simply left out; the staffability check,
    the dearest, then runs only on weeks the calendar rules leave)."""
    reasons: list[str] = []
    for family in families:
        reasons += family.excluded(ctx.problem, need, kind, fp)
        if reasons and not ctx.explain:
            break
    return reasons


def _near_window(problem: Problem, need: Need, kind: str, fp: Footprint) -> bool:
    """Explain mode keeps only the weeks a planner would consider: inside the window, and
    the week the need is pinned to (so the rules that refuse it are named)."""
    latest = need.latest or problem.weeks.end
    return (need.earliest <= fp.fieldwork_start <= latest
            or fp.week == pinned_week(problem, need.need_id, kind))


def build_model(problem: Problem, explain: bool = False,
                families: list[Family] | None = None, scope: Scope | None = None) -> BuiltModel:
    """The programme (national, or one region's part of it) as one CP-SAT model."""
    families = families if families is not None else [cls() for cls in FAMILIES]
    ctx = ModelContext(problem, explain, scope or Scope())
    for need in ctx.needs:
        _add_need(ctx, families, need)
    penalties: list[Penalty] = []
    for family in families:
        penalties.extend(family.build(ctx))
    if not explain:
        ctx.model.minimize(sum(p.weight * p.expr for p in penalties if p.weight))
    return BuiltModel(ctx, penalties, families)

