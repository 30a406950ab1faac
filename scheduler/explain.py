"""Explain an infeasible programme in rule ids, LAs and regions (never just "INFEASIBLE")."""

from __future__ import annotations

from collections import Counter

from ortools.sat.python import cp_model

from scheduler.export import KIND_NAMES
from scheduler.model import BuiltModel, build_model
from scheduler.problem import Problem


def empty_windows(problem: Problem, built: BuiltModel) -> list[str]:
    """Mandatory events with no week left once the calendar and window rules are applied."""
    lines = []
    ctx = built.context
    for need in problem.needs:
        if not need.mandatory or need.parent or ctx.x.get(need.need_id):
            continue
        la = problem.dataset.las[need.la_code]
        latest = need.latest or problem.weeks.end
        reasons: Counter[str] = Counter()
        for kind in problem.kinds_for(need):
            for week, rules in ctx.exclusions.get((need.need_id, kind), {}).items():
                start = problem.footprint(kind, week).fieldwork_start
                if need.earliest <= start <= latest:
                    reasons.update(set(rules))
        detail = ", ".join(f"{rule} ({n} weeks)" for rule, n in reasons.most_common())
        lines.append(
            f"{la.name}'s {KIND_NAMES[need.kind]} must start {need.earliest} to {latest} "
            f"({need.earliest_rule}/{need.latest_rule}) but every week in that window is "
            f"excluded: {detail or 'the window lies outside the programme horizon'}.")
    return lines


def conflicting_rules(problem: Problem, time_limit: float = 30.0) -> list[tuple[str, str]]:
    """A small set of (rule, LA or region) that cannot all hold, from CP-SAT assumptions on
    a model without objective (solver-notes: presolve off, one worker)."""
    built = build_model(problem, explain=True)
    guards = built.context.guards
    built.model.add_assumptions(list(guards.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return []
    core = set(solver.sufficient_assumptions_for_infeasibility())
    return sorted(key for key, var in guards.items() if var.index in core)


def explain_infeasible(problem: Problem, built: BuiltModel) -> list[str]:
    lines = empty_windows(problem, built)
    if lines:
        return lines
    names = {code: la.name for code, la in problem.dataset.las.items()}
    conflict = conflicting_rules(problem)
    if not conflict:
        return ["No programme satisfies every hard rule, and the conflict could not be "
                "narrowed down within the time limit."]
    parts = [f"{rule} for {names.get(scope, scope)}" for rule, scope in conflict]
    return ["These rules cannot all hold together: " + "; ".join(parts) + ". Relax one "
            "of them (configuration or data) to get a programme."]
