"""R-JTAI-CAP, R-JTAI-REPLACE: up to 10 JTAIs a year nationally, each replacing a focused
visit (para 22, 25, 29)."""

from __future__ import annotations

from constraints.base import Family
from scheduler.calendar import weeks_between
from scheduler.context import ModelContext, Penalty
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


def programme_year(problem: Problem, day) -> int:
    return weeks_between(problem.start, day) // 52


def jtai_targets(problem: Problem) -> list[int]:
    """JTAI slots the scheduler aims at in each programme year (fixed ones included)."""
    cfg = problem.config.jtai
    years = -(-problem.horizon_weeks // 52)
    return [min(cfg.max_per_year, cfg.slots_per_year * min(52, problem.horizon_weeks - 52 * y)
                // 52) for y in range(years)]


class JtaiCap(Family):
    """Hard R-JTAI-CAP per programme year (52-week blocks from the start); soft: place
    `jtai.slots_per_year` JTAI slots, each instead of a focused visit."""

    rules = ("R-JTAI-CAP", "R-JTAI-REPLACE")

    def build(self, ctx: ModelContext) -> list[Penalty]:
        problem = ctx.problem
        years = -(-problem.horizon_weeks // 52)
        placed: dict[int, list] = {y: [] for y in range(years)}
        for variables in ctx.x.values():
            for (kind, week), var in variables.items():
                if kind == "JTAI":
                    placed[(week + problem.config.spec(kind).fieldwork_offset) // 52].append(var)
        fixed = [programme_year(problem, f.onsite_days[0]) for f in problem.fixed_events
                 if ctx.scope.national or problem.region_of(f.la_code) == ctx.scope.region]
        targets = jtai_targets(problem)
        penalties = []
        for year, variables in placed.items():
            count = sum(variables) + fixed.count(year)
            quota = ctx.scope.jtai_quota
            if ctx.scope.national:
                cap, target = problem.config.jtai.max_per_year, targets[year]
            elif quota is None:  # a relaxation, for a lower bound: no target, national cap
                cap, target = problem.config.jtai.max_per_year, 0
            else:  # a region places at most its quota of what the fixed JTAIs leave
                cap = target = quota.get(year, 0) + fixed.count(year)
            ctx.model.add(count <= cap).only_enforce_if(ctx.guard("R-JTAI-CAP", "national"))
            if not target:
                continue
            shortfall = ctx.model.new_int_var(0, target, f"JTAI shortfall year {year + 1}")
            ctx.model.add(shortfall >= target - count)
            penalties.append(Penalty("R-JTAI-CAP", f"year {year + 1}",
                                     problem.config.weights.jtai_shortfall, shortfall))
        return penalties

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        cfg = problem.config.jtai
        violations = []
        per_year: dict[int, int] = {}
        for row in rows:
            if row.event != "JTAI":
                continue
            year = programme_year(problem, row.fieldwork_start)
            per_year[year] = per_year.get(year, 0) + 1
            plan = problem.plans.get(row.la_code)
            if row.status != "fixed" and plan and plan.pathway not in cfg.eligible_pathways:
                violations.append(Violation("R-JTAI-REPLACE", row.la_code, row.event_id,
                                            f"JTAI for a pathway {plan.pathway} LA, which "
                                            "has no focused visit to replace"))
        for year, count in sorted(per_year.items()):
            if count > cfg.max_per_year:
                violations.append(Violation("R-JTAI-CAP", "national", f"year {year + 1}",
                                            f"{count} JTAIs in programme year {year + 1} "
                                            f"(at most {cfg.max_per_year})"))
        return violations
