"""Why a programme is what it is, in rule ids, LA names and events.

Infeasible: every hard rule of one LA, region or the nation has an enabling literal in
explain mode (scheduler.model). CP-SAT, asked to assume them all, returns a set that cannot
hold together (a core); deletion shrinks it until dropping any one rule lets the rest hold (a
minimal core), told in plain words. Further conflicts are found with the earlier ones'
blocking rules left free. The relaxed plan is the best programme that may break only those
rules, each at `weights.relax_rule`; the independent checker lists what it breaks, by event.

Feasible: each soft rule's cost and the events (or regions) that pay it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from constraints.clashes import other_programmes
from constraints.stability import mark_status
from scheduler.check import check_rows, name_violations
from scheduler.context import ModelContext
from scheduler.export import KIND_NAMES, programme_rows
from scheduler.footprint import weekly_demand
from scheduler.model import build_model
from scheduler.pathways import Need
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow, Violation
from scheduler.solve import RELAXED, Result, apply_parameters, beyond_horizon, solver_parameters

RuleScope = tuple[str, str]  # (rule id, LA code / region / pool / "national")


@dataclass(frozen=True)
class Conflict:
    """Hard rules that cannot all hold together."""

    rules: tuple[RuleScope, ...]
    minimal: bool  # proven: without any one of them the others hold
    sentence: str


@dataclass
class RelaxedPlan:
    """The best programme breaking only the rules of the conflicts found."""

    status: str
    rows: list[ProgrammeRow]
    relaxed: list[RuleScope]  # the rules it chose to break
    violations: list[Violation]  # what the independent checker finds in it
    objective: float | None = None
    bound: float | None = None
    costs: list[tuple[str, str, int]] = field(default_factory=list)  # as Result.costs


class _CoreSolver:
    """The explain-mode model, solved without objective under assumptions (solver-notes:
    one worker, presolve off, so the core names only assumption literals)."""

    def __init__(self, problem: Problem):
        self.built = build_model(problem, explain=True)
        self.guards = self.built.context.guards
        self.time_limit = problem.config.scenario.explain_time_limit_seconds

    def check(self, keys: list[RuleScope]) -> tuple[int, list[RuleScope]]:
        """(status, the core among ``keys`` if infeasible); rules not in keys are free."""
        model = self.built.model
        model.clear_assumptions()
        model.add_assumptions([self.guards[k] for k in keys])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_time_in_seconds = self.time_limit
        status = solver.solve(model)
        if status != cp_model.INFEASIBLE:
            return status, []
        core = set(solver.sufficient_assumptions_for_infeasibility())
        return status, [k for k in keys if self.guards[k].index in core]

    def shrink(self, core: list[RuleScope]) -> tuple[list[RuleScope], bool]:
        """Deletion: drop each rule whose absence leaves the rest infeasible."""
        needed: list[RuleScope] = []
        candidates = list(core)
        proven = True
        while candidates:
            rule = candidates.pop(0)
            status, smaller = self.check(needed + candidates)
            if status == cp_model.INFEASIBLE:
                candidates = [k for k in candidates if k in smaller]
            else:
                proven &= status != cp_model.UNKNOWN
                needed.append(rule)
        return needed, proven


def find_conflicts(problem: Problem) -> tuple[list[Conflict], str]:
    """Up to `scenario.explain_max_conflicts` minimal conflicts, each found with the
    blocking rules of the previous ones free, and the status of the last check (FEASIBLE
    with no conflict: every hard rule can hold; UNKNOWN: undecided in time)."""
    core_solver = _CoreSolver(problem)
    free: set[RuleScope] = set()
    conflicts: list[Conflict] = []
    status = cp_model.UNKNOWN
    for _ in range(problem.config.scenario.explain_max_conflicts):
        status, core = core_solver.check([k for k in core_solver.guards if k not in free])
        if status != cp_model.INFEASIBLE or not core:
            break
        rules, proven = core_solver.shrink(core)
        conflicts.append(Conflict(tuple(rules), proven,
                                  describe(problem, core_solver.built.context, rules)))
        # Leave free what blocks the events, not the rule that they must take place: the
        # next conflict may concern the same events (another rule that blocks them).
        free |= {k for k in rules if k[0] != "R-WIN"} or set(rules)
    return conflicts, cp_model.CpSolver().status_name(status)


def conflicts_hold(problem: Problem, conflicts: list[Conflict]) -> bool:
    """Whether each conflict's rules, every other hard rule free, still cannot all hold in
    ``problem`` (conflicts found in a restricted problem, e.g. with regions held: a smaller
    problem, so one that holds here is also minimal here)."""
    core_solver = _CoreSolver(problem)
    return all(core_solver.check(list(c.rules))[0] == cp_model.INFEASIBLE for c in conflicts)


def conflict_sentences(conflicts: list[Conflict], status: str) -> list[str]:
    if conflicts:
        return [c.sentence + ("" if c.minimal else " (not proven minimal in the time limit)")
                for c in conflicts]
    if status in ("FEASIBLE", "OPTIMAL"):
        return ["Every hard rule can hold together (CP-SAT finds a programme without the "
                "objective): the solve stopped before it found one; give it more time or "
                "solve nationally (solver.decompose = false)."]
    return ["No programme satisfies every hard rule, and the conflict could not be narrowed "
            "down within the time limit (scenario.explain_time_limit_seconds)."]


# --- in plain words ------------------------------------------------------------------------

def _la_name(problem: Problem, code: str) -> str:
    la = problem.dataset.las.get(code)
    return la.name if la else code


def _in_window_rules(ctx: ModelContext, need: Need) -> list[set[str]]:
    """For each week inside the need's window: the rules that exclude it."""
    return [set(ctx.exclusions.get((need.need_id, kind), {}).get(week, []))
            for (kind, week) in ctx.placements(need.need_id)]


def _subjects(problem: Problem, ctx: ModelContext, code: str, rules: set[str]) -> list[Need]:
    """The LA's events a conflict is about: those every week of whose window the conflict's
    rules exclude, else every event it must place (meetings only if R-AEM is in play)."""
    pinned = set(problem.pins) if "R-PIN" in rules else set()
    candidates = [n for n in problem.needs if n.la_code == code and (
        (n.mandatory and n.parent is None) or n.need_id in pinned)]
    if "R-AEM" not in rules and any(n.kind != "AEM" for n in candidates):
        candidates = [n for n in candidates if n.kind != "AEM"]
    blocked = [n for n in candidates
               if all(week_rules & rules for week_rules in _in_window_rules(ctx, n))]
    return blocked or candidates


def _weeks_excluded(ctx: ModelContext, needs: list[Need], rule: str) -> int:
    return sum(rule in week_rules for need in needs for week_rules in _in_window_rules(ctx, need))


def _rule_words(problem: Problem, rule: str, scope: str) -> str:
    """What a rule forbids, for one LA, region or the nation."""
    cfg = problem.config
    their = f"{_la_name(problem, scope)}'s"
    if rule == "R-CLASH":
        others = [label for label, _ in other_programmes(problem, scope)]
        return f"clashes with {their} {' and '.join(others) or 'other inspections'}"
    if rule == "R-PIN":
        pins = [f"{pin.kind} {pin.fieldwork_start}" for need_id, pin in sorted(
            problem.pins.items()) if need_id.startswith(f"{scope}-")]
        return f"moves {their} pinned {', '.join(pins) or 'events'}"
    if rule == "R-DEFER":
        dates = sorted({str(d.not_before) for need_id, d in problem.deferrals.items()
                        if need_id.startswith(f"{scope}-")})
        la = problem.dataset.las.get(scope)
        if la and la.not_before:
            dates.append(str(la.not_before))
        return f"is before {their} deferral date {', '.join(dates)}"
    phrases = {
        "R-XMAS": "falls in the Christmas and New Year break",
        "R-AUG": "falls in August",
        "R-EASTER": "falls in the Easter holidays",
        "R-SUMMER": f"falls in the summer break ({cfg.summer.onsite_from} to "
                    f"{cfg.summer.onsite_to})",
        "R-BH": "puts a day on site on a bank holiday",
        "R-NOTICE": "would need notice before the programme starts",
        "R-CAP": f"exceeds {scope} capacity",
        "R-LEND": "needs more days than the other regions can lend",
        "R-JTAI-CAP": f"exceeds the national cap of {cfg.jtai.max_per_year} JTAIs a year",
        "R-FV-GAP": f"comes within {cfg.focused_visits.gap_weeks} weeks of another of "
                    f"{their} events",
        "R-MV-RATE": f"breaks {their} monitoring visit rate (at most "
                     f"{cfg.monitoring.max_per_year} in 52 weeks, "
                     f"{cfg.monitoring.min_gap_weeks} weeks apart)",
        "R-MV-SEND": f"exceeds {their} {cfg.monitoring.max_per_year_with_send} visits a year "
                     "across ILACS and area SEND monitoring",
        "R-MV-START": f"misses {their} first monitoring visit deadline",
        "R-REINSP": f"comes before {their} monitoring visits are complete",
        "R-AEM": f"meets {their} annual engagement meeting rules badly",
        "R-FV-COUNT": f"leaves out a focused visit {their} programme needs",
        "R-OVERDUE": f"falls outside {their} overdue window",
        "R-WIN": f"falls outside {their} inspection window",
    }
    return phrases.get(rule, f"breaks {rule} for {_la_name(problem, scope)}")


def _either(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return "either " + ", ".join(parts[:-1]) + " or " + parts[-1]


def _window(problem: Problem, need: Need) -> str:
    rules = "R-WIN" if need.earliest_rule == need.latest_rule == "R-WIN" else \
        "/".join(dict.fromkeys((need.earliest_rule, need.latest_rule)))
    latest = need.latest or problem.weeks.end
    return (f"{_la_name(problem, need.la_code)}'s {KIND_NAMES.get(need.kind, need.kind)} must "
            f"start between {need.earliest} and {latest} ({rules})")


def describe(problem: Problem, ctx: ModelContext, rules: list[RuleScope]) -> str:
    """One sentence: the events that must be placed, and what rules out every week."""
    by_scope: dict[str, set[str]] = defaultdict(set)
    for rule, scope in rules:
        by_scope[scope].add(rule)
    subjects: list[Need] = []
    for rule, scope in rules:
        if rule == "R-WIN":
            subjects += _subjects(problem, ctx, scope, by_scope[scope])
    blockers = []
    for rule, scope in rules:
        if rule == "R-WIN":
            continue
        words = _rule_words(problem, rule, scope)
        weeks = _weeks_excluded(ctx, [n for n in subjects if n.la_code == scope], rule)
        count = f", {weeks} week{'' if weeks == 1 else 's'}" if weeks else ""
        blockers.append(f"{words} ({rule}{count})")
    if not subjects:
        return "These hard rules cannot all hold together: " + "; ".join(blockers) + "."
    most = problem.config.scenario.explain_max_events
    musts = [_window(problem, need) for need in subjects[:most]]
    if len(subjects) > most:
        musts.append(f"and {len(subjects) - most} more events")
    empty = [n for n in subjects if not ctx.placements(n.need_id)]
    if not blockers:
        return "; ".join(musts) + ", but " + ("its window lies outside the programme horizon"
                                              if empty else "no week fits") + "."
    where = "that window" if len(subjects) == 1 else "those windows"
    return f"{'; '.join(musts)}, but every week in {where} {_either(blockers)}."


# --- the relaxed plan ----------------------------------------------------------------------

def relaxed_plan(problem: Problem, conflicts: list[Conflict], time_limit: float | None = None,
                 seed: int | None = None, every_rule: bool = False) -> RelaxedPlan:
    """The best programme that may break the conflicts' rules (with ``every_rule``: any
    hard rule), each at `weights.relax_rule`; every other hard rule holds. The checker's
    violations of the rules it breaks are named on their rows (`relaxed`); any other is
    left for the checker to report."""
    built = build_model(problem, explain=True)
    guards, model = built.context.guards, built.model
    soft = list(guards) if every_rule else list(dict.fromkeys(k for c in conflicts
                                                              for k in c.rules))
    for key, var in guards.items():
        if key not in soft:
            model.add(var == 1)
    weight = problem.config.weights.relax_rule
    # Breaking a rule of an LA or region costs per event or day it is broken for, so the
    # plan breaks it only where it must: a missing event as much as the rule itself.
    overflow = [_overflow(built.context, scope) for rule, scope in soft
                if rule == "R-CAP" and scope in problem.regional_capacity]
    missing = [1 - built.context.present[n.need_id] for n in problem.needs
               if n.mandatory and n.parent is None and ("R-WIN", n.la_code) in soft]
    model.minimize(sum(p.weight * p.expr for p in built.penalties if p.weight)
                   + weight * (sum(1 - guards[k] for k in soft) + sum(missing))
                   + problem.config.weights.lending_day * sum(overflow))
    solver = cp_model.CpSolver()
    apply_parameters(solver, solver_parameters(problem, time_limit, seed))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RelaxedPlan(solver.status_name(status), [], [], [])
    rows = mark_status(problem, programme_rows(problem, built.chosen(solver)))
    violations = check_rows(problem, rows)
    relaxed = [k for k in soft if not solver.boolean_value(guards[k])]
    rules = {rule for rule, _ in relaxed}
    named = name_violations(problem, rows, [v for v in violations if v.rule in rules])
    return RelaxedPlan(solver.status_name(status), named, relaxed, violations,
                       solver.objective_value, solver.best_objective_bound,
                       built.costs(solver))


def name_unstaffed(problem: Problem, rows: list[ProgrammeRow]) -> list[ProgrammeRow]:
    """An event the staffing could not fill (named R-ASSIGN by scheduler.assign) breaks
    the staffing rules the checker finds on it (a missing specialist: R-TEAM): name each."""
    from constraints.assignment import RULE, Assignment

    unstaffed = {row.event_id for row in rows if RULE in row.relaxed.split(";")}
    if not unstaffed:
        return rows
    found = [v for v in Assignment().check(problem, rows) if v.event_id in unstaffed]
    return name_violations(problem, rows, found)


def relaxed_result(problem: Problem, infeasible: Result, time_limit: float | None = None,
                   seed: int | None = None) -> Result:
    """Where no programme meets every hard rule (``infeasible``, with its conflicts): the
    best programme breaking only the conflicts' rules, else (they do not explain it all, or
    the solve ended UNKNOWN) any hard rule at a cost, as a RELAXED result with the rules it
    breaks named per event; ``infeasible`` itself if even that finds nothing."""
    started = time.perf_counter()
    explanation = list(infeasible.explanation)
    plan = relaxed_plan(problem, infeasible.conflicts, time_limit, seed)
    if not plan.rows:
        plan = relaxed_plan(problem, [], time_limit, seed, every_rule=True)
        explanation.append("Breaking only those rules leaves no programme either: every "
                           "hard rule was made breakable, at weights.relax_rule each.")
    if not plan.rows:
        return infeasible
    placed = {row.need_id for row in plan.rows}
    return Result(RELAXED if plan.relaxed else plan.status, plan.rows, plan.objective,
                  plan.bound, infeasible.wall_time + time.perf_counter() - started, None,
                  infeasible.build_time, plan.costs,
                  dict(infeasible.parameters, method="relaxed: scheduler.explain.relaxed_plan"),
                  infeasible.model_size, beyond_horizon=beyond_horizon(problem, placed),
                  explanation=explanation, conflicts=infeasible.conflicts,
                  relaxed_rules=plan.relaxed)


def _overflow(ctx: ModelContext, region: str) -> cp_model.LinearExprT:
    """Inspector-days a region needs beyond its weekly capacity: where R-CAP is relaxed each
    costs as a borrowed day (R-LEND), so the plan goes over only where it must."""
    problem, model = ctx.problem, ctx.model
    weekly: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for need_id, variables in ctx.x.items():
        la = problem.dataset.las[problem.need_by_id[need_id].la_code]
        if la.region != region:
            continue
        for (kind, week), var in variables.items():
            for w, days in weekly_demand(problem.config.spec(kind), week, la.small).items():
                weekly[w].append((days, var))
    caps = problem.regional_capacity[region]
    over = []
    for w, terms in weekly.items():
        if 0 <= w < problem.horizon_weeks:
            excess = model.new_int_var(0, sum(days for days, _ in terms), f"over {region} w{w}")
            model.add(TENTHS * excess >= TENTHS * sum(d * v for d, v in terms) - caps[w])
            over.append(excess)
    return sum(over)


# --- a feasible plan's score ---------------------------------------------------------------

@dataclass(frozen=True)
class RuleScore:
    """One soft rule's weighted cost and who pays it (highest first)."""

    rule: str
    cost: int
    payers: tuple[tuple[str, int], ...]


def _payer(problem: Problem, subject: str) -> str:
    need = problem.need_by_id.get(subject)
    if need is None:
        return subject
    return f"{_la_name(problem, need.la_code)} {need.kind} ({subject})"


def score_breakdown(problem: Problem, costs: list[tuple[str, str, int]]) -> list[RuleScore]:
    """Result.costs grouped by rule, dearest rule first."""
    by_rule: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rule, subject, cost in costs:
        if cost:
            by_rule[rule][_payer(problem, subject)] += cost
    scores = [RuleScore(rule, sum(payers.values()),
                        tuple(sorted(payers.items(), key=lambda p: (-p[1], p[0]))))
              for rule, payers in by_rule.items()]
    return sorted(scores, key=lambda s: (-s.cost, s.rule))


def score_markdown(scores: list[RuleScore], top: int) -> str:
    """A table of the rules' costs, with the ``top`` payers of each."""
    total = sum(s.cost for s in scores) or 1
    lines = ["| rule | weighted cost | share | paid by | largest payers |",
             "|---|---|---|---|---|"]
    for s in scores:
        payers = ", ".join(f"{who}: {cost}" for who, cost in s.payers[:top])
        lines.append(f"| {s.rule} | {s.cost} | {100 * s.cost / total:.1f} % | "
                     f"{len(s.payers)} | {payers} |")
    return "\n".join(lines) + "\n"
