"""Explanations: an infeasible scenario gets its minimal conflict in plain words and the best
plan relaxing it; a feasible plan gets its cost broken down by rule and event."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from scenarios import load_scenario, prepare, run_scenario
from scheduler.explain import find_conflicts, relaxed_plan, score_breakdown
from tests.conftest import due_on
from tests.helpers import ONE_DAY_WINDOW, feasible

DUE = date(2027, 3, 1)  # E1's short inspection may only start this Monday (one-day window)


def clash_scenario(tmp_path: Path, extra: str = "") -> Path:
    """E1 due on DUE only; the scenario plans an area SEND inspection 3 weeks later, so
    every week of the window clashes (R-CLASH) with it."""
    data = due_on(tmp_path / "data", DUE)
    send = DUE + timedelta(weeks=3)
    path = tmp_path / "clash.toml"
    config = "\n".join(f"{section}.{key} = {value}" for section, values in ONE_DAY_WINDOW.items()
                       for key, value in values.items())
    path.write_text(f'name = "clash"\ndata = "{data}"\ntime_limit = 5\n[config]\n{config}\n'
                    f'[[edit]]\ntype = "area_send"\nla = "E1"\nstart = {send}\n' + extra,
                    encoding="utf-8")
    return path


def test_infeasible_scenario_names_its_minimal_conflict(tmp_path: Path) -> None:
    path = clash_scenario(tmp_path)
    problem = prepare(load_scenario(path)).problem
    (conflict,), _ = find_conflicts(problem)
    # Neither rule alone is infeasible: without R-CLASH the one week is free, without R-WIN
    # the inspection may be left out. So the minimal conflict is exactly these two.
    assert set(conflict.rules) == {("R-WIN", "E1"), ("R-CLASH", "E1")}
    assert conflict.minimal
    sentence = conflict.sentence
    assert sentence.startswith("LA E1's short inspection must start between 2027-03-01 and "
                               "2027-03-01 (R-WIN), but every week in that window")
    assert "clashes with LA E1's area SEND full 2027-03-22 (R-CLASH, 1 week)." in sentence


def test_relaxed_plan_breaks_only_the_conflict(tmp_path: Path) -> None:
    path = clash_scenario(tmp_path)
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    assert outcome.status == "INFEASIBLE"
    assert "R-CLASH" in outcome.explanation[0] and "LA E1" in outcome.explanation[0]
    relaxed = outcome.relaxed
    assert relaxed is not None and relaxed.relaxed  # it chose which rule to break
    assert set(relaxed.relaxed) <= {("R-WIN", "E1"), ("R-CLASH", "E1")}
    broken = {(v.rule, v.la_code) for v in relaxed.violations}
    assert broken and broken <= set(relaxed.relaxed)  # the checker finds nothing else
    flagged = [r for r in relaxed.rows if r.relaxed]
    assert all(r.la_code == "E1" for r in flagged)
    text = (tmp_path / "out" / "explanation.md").read_text()
    assert "R-CLASH" in text and (tmp_path / "out" / "relaxed_programme.csv").exists()
    assert not (tmp_path / "out" / "programme.csv").exists()


def test_two_conflicts_are_both_named(tmp_path: Path) -> None:
    """A second, independent conflict (a deferral past the end of the window) is found
    once the first one's rules are left free."""
    path = clash_scenario(tmp_path, '[[edit]]\ntype = "defer"\nla = "E1"\n'
                                    f'not_before = {DUE + timedelta(weeks=2)}\n')
    problem = prepare(load_scenario(path)).problem
    conflicts, _ = find_conflicts(problem)
    rules = [set(c.rules) for c in conflicts]
    assert {("R-WIN", "E1"), ("R-CLASH", "E1")} in rules or \
        {("R-WIN", "E1"), ("R-DEFER", "E1")} in rules
    assert any(("R-DEFER", "E1") in r for r in rules)
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
    problem = prepare(load_scenario(clash_scenario(tmp_path))).problem
    problem.config = replace(problem.config, solver=replace(
        problem.config.solver, parameters={"subsolvers": ["default_lp", "max_lp"]}))
    conflicts, _ = find_conflicts(problem)
    plan = relaxed_plan(problem, conflicts, time_limit=5)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert {(v.rule, v.la_code) for v in plan.violations} <= set(plan.relaxed)
