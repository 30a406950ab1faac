"""Explanations: an infeasible scenario gets its minimal conflict in plain words and the best
plan relaxing it; a feasible plan gets its cost broken down by rule and event."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from scenarios import load_scenario, prepare, run_scenario
from scheduler.calendar import add_months
from scheduler.check import check_rows, split_named
from scheduler.explain import find_conflicts, relaxed_plan, relaxed_result, score_breakdown
from scheduler.solve import RELAXED, solve
from tests.conftest import POOLS, graded, la, roster, write_dataset
from tests.helpers import ONE_DAY_WINDOW, feasible

DUE = date(2027, 3, 1)  # each LA's short inspection may only start this Monday (one-day window)
DEFERRED = DUE + timedelta(weeks=1)


def deferral_scenario(tmp_path: Path, regions: tuple[str, ...] = ("North",)) -> Path:
    """One LA per region (E1, E2, ...), each due on DUE only; the scenario defers each to a
    week later, past the end of its window (R-DEFER against R-WIN). A deferral is a
    re-planning decision, not a calendar or clash rule: the window stays as it is."""
    codes = [f"E{i}" for i in range(1, len(regions) + 1)]
    las = [la(code, region) for code, region in zip(codes, regions, strict=True)]
    data = write_dataset(tmp_path / "data", las=las,
                         history=[graded(c, "SHT", add_months(DUE, -36)) for c in codes],
                         send=[], jtais=[],
                         inspectors=[p for r in regions for p in roster(r)] + POOLS)
    path = tmp_path / "deferral.toml"
    config = "\n".join(f"{section}.{key} = {value}" for section, values in ONE_DAY_WINDOW.items()
                       for key, value in values.items())
    edits = "".join(f'[[edit]]\ntype = "defer"\nla = "{c}"\nnot_before = {DEFERRED}\n'
                    for c in codes)
    path.write_text(f'name = "deferral"\ndata = "{data}"\ntime_limit = 5\n[config]\n{config}\n'
                    + edits, encoding="utf-8")
    return path


def test_infeasible_scenario_names_its_minimal_conflict(tmp_path: Path) -> None:
    path = deferral_scenario(tmp_path)
    problem = prepare(load_scenario(path)).problem
    (conflict,), _ = find_conflicts(problem)
    # Neither rule alone is infeasible: without R-DEFER the one week is free, without R-WIN
    # the inspection may be left out. So the minimal conflict is exactly these two.
    assert set(conflict.rules) == {("R-WIN", "E1"), ("R-DEFER", "E1")}
    assert conflict.minimal
    sentence = conflict.sentence
    assert sentence.startswith("LA E1's short inspection must start between 2027-03-01 and "
                               "2027-03-01 (R-WIN), but every week in that window")
    assert f"is before LA E1's deferral date {DEFERRED} (R-DEFER, 1 week)." in sentence


def test_relaxed_plan_breaks_only_the_conflict(tmp_path: Path) -> None:
    path = deferral_scenario(tmp_path)
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    assert outcome.status == "INFEASIBLE"
    assert "R-DEFER" in outcome.explanation[0] and "LA E1" in outcome.explanation[0]
    relaxed = outcome.relaxed
    assert relaxed is not None and relaxed.relaxed_rules  # it chose which rule to break
    assert set(relaxed.relaxed_rules) <= {("R-WIN", "E1"), ("R-DEFER", "E1")}
    assert outcome.findings is not None and outcome.findings.other == []
    broken = {(v.rule, v.la_code) for v in outcome.findings.named}
    assert broken and broken <= set(relaxed.relaxed_rules)  # the checker finds nothing else
    flagged = [r for r in relaxed.rows if r.relaxed]
    assert flagged and all(r.la_code == "E1" for r in flagged)
    text = (tmp_path / "out" / "explanation.md").read_text()
    assert "R-DEFER" in text and (tmp_path / "out" / "relaxed_programme.csv").exists()
    assert not (tmp_path / "out" / "programme.csv").exists()


def test_two_conflicts_are_both_named(tmp_path: Path) -> None:
    """A second, independent conflict (another LA's deferral past its window) is found once
    the first one's rules are left free."""
    path = deferral_scenario(tmp_path, ("North", "South"))
    problem = prepare(load_scenario(path)).problem
    conflicts, _ = find_conflicts(problem)
    rules = [set(c.rules) for c in conflicts]
    assert {("R-WIN", "E1"), ("R-DEFER", "E1")} in rules
    assert {("R-WIN", "E2"), ("R-DEFER", "E2")} in rules
    plan = relaxed_plan(problem, conflicts, time_limit=5)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert {(v.rule, v.la_code) for v in plan.violations} <= set(plan.relaxed)


def test_score_breakdown_adds_up_to_the_objective(tiny: Path) -> None:
    run = feasible(tiny)
    scores = score_breakdown(run.problem, run.result.costs)
    assert sum(s.cost for s in scores) == run.result.objective
    for score in scores:
        assert score.cost == sum(cost for _, cost in score.payers)
        assert [c for _, c in score.payers] == sorted((c for _, c in score.payers),
                                                      reverse=True)
    payers = {who for s in scores for who, _ in s.payers}
    assert any(who.startswith(("Alpha", "Beta", "Gamma")) for who in payers)


def test_relaxed_plan_takes_list_valued_solver_parameters(tmp_path: Path) -> None:
    problem = prepare(load_scenario(deferral_scenario(tmp_path))).problem
    problem.config = replace(problem.config, solver=replace(
        problem.config.solver, parameters={"subsolvers": ["default_lp", "max_lp"]}))
    conflicts, _ = find_conflicts(problem)
    plan = relaxed_plan(problem, conflicts, time_limit=5)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert {(v.rule, v.la_code) for v in plan.violations} <= set(plan.relaxed)


def test_without_the_conflicts_any_rule_may_be_broken(tmp_path: Path) -> None:
    """A solve that did not explain itself (explain off, or ended UNKNOWN): breaking no
    named rule leaves nothing, so every hard rule becomes breakable at a cost; the
    programme breaks only what its rows name."""
    problem = prepare(load_scenario(deferral_scenario(tmp_path))).problem
    infeasible = solve(problem, time_limit=5, explain=False)
    assert infeasible.status == "INFEASIBLE" and not infeasible.conflicts
    relaxed = relaxed_result(problem, infeasible, time_limit=5)
    assert relaxed.status == RELAXED and relaxed.has_programme and relaxed.relaxed_rules
    assert "every hard rule was made breakable" in relaxed.explanation[-1]
    findings = split_named(problem, relaxed.rows, check_rows(problem, relaxed.rows))
    assert findings.other == [] and findings.named
    assert {v.rule for v in findings.named} <= {rule for rule, _ in relaxed.relaxed_rules}
