"""Run one scenario: re-plan (warm-started from the baseline), write the programme like
`ilacs plan`, re-verify it with the independent checker, and write the diff against the
baseline (diff.csv, diff.md), the KPI deltas (kpis.json) and the score by rule (score.md).
Where no programme meets every hard rule: the minimal conflicts in plain words
(explanation.md) and the best programme that relaxes them (relaxed_programme.csv)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constraints.stability import mark_status
from scenarios.diff import DIFF_COLUMNS, change_counts, diff_markdown, diff_programmes
from scenarios.kpis import kpi_deltas, programme_kpis
from scenarios.local import anchor_unedited, freeze_untouched
from scenarios.replan import Prepared, prepare
from scenarios.spec import Scenario
from scheduler.check import check_file
from scheduler.explain import (
    Conflict,
    RelaxedPlan,
    conflict_sentences,
    conflicts_hold,
    find_conflicts,
    relaxed_plan,
    score_breakdown,
    score_markdown,
)
from scheduler.export import write_outputs
from scheduler.io import write_atomically, write_text_atomically
from scheduler.problem import Placement, Problem
from scheduler.programme import Violation, write_programme_csv
from scheduler.solve import Progress, Result, solve
from scheduler.tables import Record, write_csv

FEASIBLE_FILES = ("programme.csv", "programme.xlsx", "summary.md", "diff.csv", "diff.md",
                  "score.md")
INFEASIBLE_FILES = ("relaxed_programme.csv", "explanation.md")


@dataclass
class ScenarioOutcome:
    """What a scenario run found and wrote."""

    scenario: Scenario
    out_dir: Path
    result: Result
    violations: list[Violation]  # the independent checker on the written programme
    diff: list[Record] | None  # diff.csv's rows (DIFF_COLUMNS); None without a baseline
    kpis: dict[str, Any]
    explanation: list[str]
    relaxed: RelaxedPlan | None
    written: list[Path]
    wall_time: float

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def feasible(self) -> bool:
        return self.result.feasible


def _clear(out_dir: Path, names: tuple[str, ...]) -> None:
    """Outputs of an earlier run of the other outcome must not be left to mislead."""
    for name in names:
        (out_dir / name).unlink(missing_ok=True)


def _feasible(prepared: Prepared, result: Result, out_dir: Path
              ) -> tuple[list[Violation], list[Record] | None, dict[str, Any], list[Path]]:
    problem = prepared.problem
    violations = check_file(problem, out_dir / "programme.csv")
    scenario_kpis = programme_kpis(problem, result.rows)
    base_kpis = (programme_kpis(prepared.base_problem, prepared.baseline_rows)
                 if prepared.baseline_rows else None)
    written = []
    diff = None
    if prepared.baseline_rows:
        diff = diff_programmes(prepared, result.rows)
    kpis = {"changes": change_counts(diff) if diff is not None else None,
            "baseline": base_kpis, "scenario": scenario_kpis,
            "delta": kpi_deltas(base_kpis, scenario_kpis) if base_kpis else None}
    if diff is not None:
        write_csv(out_dir / "diff.csv", diff, DIFF_COLUMNS)
        write_text_atomically(out_dir / "diff.md", diff_markdown(prepared, diff, kpis))
        written += [out_dir / "diff.csv", out_dir / "diff.md"]
    scores = score_breakdown(problem, result.costs)
    write_text_atomically(out_dir / "score.md", f"# Score by rule: {prepared.scenario.name}\n\n"
                          + score_markdown(scores, problem.config.scenario.score_top_payers))
    written.append(out_dir / "score.md")
    return violations, diff, kpis, written


@contextmanager
def _holding(problem: Problem, held: dict[str, Placement | None]) -> Iterator[None]:
    """``held`` in `Problem.frozen` for the duration (it is empty before and after)."""
    problem.frozen.update(held)
    try:
        yield
    finally:
        problem.frozen.clear()


def _conflicts(problem: Problem, held: dict[str, Placement | None]
               ) -> tuple[list[Conflict], str]:
    """Minimal conflicts: searched with ``held`` in place (far smaller), kept if each still
    conflicts with everything free; else searched in the whole problem."""
    if held:
        with _holding(problem, held):
            conflicts, status = find_conflicts(problem)
        if conflicts and conflicts_hold(problem, conflicts):
            return conflicts, status
    return find_conflicts(problem)


def _infeasible(prepared: Prepared, out_dir: Path, held: dict[str, Placement | None]
                ) -> tuple[list[str], RelaxedPlan, list[Path]]:
    """The conflicts (scenarios/runner._conflicts); the best plan relaxing them, first with
    the regions no edit touches ``held`` in their baseline weeks, as the re-plan would
    hold them (far smaller), else with everything free."""
    problem, scenario = prepared.problem, prepared.scenario
    conflicts, status = _conflicts(problem, held)
    explanation = conflict_sentences(conflicts, status)
    with _holding(problem, held):
        relaxed = relaxed_plan(problem, conflicts, scenario.time_limit, scenario.seed)
    if held and not relaxed.rows:
        relaxed = relaxed_plan(problem, conflicts, scenario.time_limit, scenario.seed)
    lines = [f"# Why scenario {scenario.name!r} has no programme", ""]
    lines += [f"- {sentence}" for sentence in explanation]
    lines += ["", f"## The best programme relaxing them ({relaxed.status})", ""]
    lines += [f"- relaxed {rule} for {scope}" for rule, scope in relaxed.relaxed]
    lines += ["", "Every rule it breaks, by event (independent checker):", ""]
    lines += [f"- {v}" for v in relaxed.violations] or ["- none"]
    write_text_atomically(out_dir / "explanation.md", "\n".join(lines) + "\n")
    written = [out_dir / "explanation.md"]
    if relaxed.rows:
        path = out_dir / "relaxed_programme.csv"
        write_atomically(path, lambda tmp: write_programme_csv(relaxed.rows, tmp))
        written.append(path)
    return explanation, relaxed, written


def run_scenario(scenario: Scenario, out_dir: Path | str,
                 report: Callable[[Progress], None] | None = None) -> ScenarioOutcome:
    """Re-plan ``scenario`` and write its outputs into ``out_dir``; InputError (exit 2 on
    the command line) if the scenario cannot be applied."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    prepared = prepare(scenario)
    problem = prepared.problem
    config = problem.config
    touched = freeze_untouched(prepared) if config.scenario.local_replan else None
    anchor_unedited(prepared)
    held = dict(problem.frozen)

    def replan() -> Result:  # an infeasible one is explained once, below
        return solve(problem, scenario.time_limit, scenario.seed, report,
                     prepared.hint or None, explain=False)

    result = replan()
    if problem.anchored and not result.feasible:  # the events must move further
        problem.anchored.clear()
        result = replan()
    if problem.frozen and not result.feasible:  # the touched regions alone cannot absorb it
        problem.frozen.clear()
        problem.config, touched = config, None
        result = replan()
    if result.feasible:
        result.rows = mark_status(problem, result.rows)
    _clear(out_dir, INFEASIBLE_FILES if result.feasible else FEASIBLE_FILES)
    written = write_outputs(problem, result, out_dir, [str(scenario.path)])
    violations: list[Violation] = []
    diff, relaxed, explanation = None, None, list(result.explanation)
    if result.feasible:
        violations, diff, kpis, more = _feasible(prepared, result, out_dir)
    else:
        explanation, relaxed, more = _infeasible(prepared, out_dir, held)
        kpis = {"changes": None, "baseline": None, "scenario": None, "delta": None,
                "relaxed_rules": [list(k) for k in relaxed.relaxed]}
    wall = time.perf_counter() - started
    record = {"name": scenario.name, "status": result.status, "objective": result.objective,
              "wall_time_seconds": round(wall, 2), "violations": len(violations),
              "pinned": len(problem.pins), "deferred": len(problem.deferrals),
              "replanned_regions": sorted(touched) if touched is not None else "all",
              "events_kept_near_baseline": len(problem.anchored) if result.feasible else 0,
              **kpis,
              "explanation": explanation if not result.feasible else []}
    write_text_atomically(out_dir / "kpis.json", json.dumps(record, indent=2, default=str) + "\n")
    write_text_atomically(out_dir / "scenario.json",
                          json.dumps(scenario.as_record(), indent=2, default=str) + "\n")
    written += [*more, out_dir / "kpis.json", out_dir / "scenario.json"]
    return ScenarioOutcome(scenario, out_dir, result, violations, diff, record, explanation,
                           relaxed, written, wall)
