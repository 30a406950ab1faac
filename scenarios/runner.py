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

from constraints.stability import held_breaks, mark_status
from scenarios.diff import DIFF_COLUMNS, change_counts, diff_markdown, diff_programmes
from scenarios.kpis import kpi_deltas, programme_kpis
from scenarios.local import anchor_unedited, freeze_untouched
from scenarios.replan import Prepared, prepare
from scenarios.spec import Scenario
from scheduler.check import Findings, check_named
from scheduler.explain import (
    Conflict,
    conflict_sentences,
    conflicts_hold,
    find_conflicts,
    relaxed_result,
    score_breakdown,
    score_markdown,
)
from scheduler.export import KIND_NAMES, write_outputs
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
    findings: Findings | None  # the independent checker on the programme written, if any
    diff: list[Record] | None  # diff.csv's rows (DIFF_COLUMNS); None without a baseline
    kpis: dict[str, Any]
    explanation: list[str]
    relaxed: Result | None  # the best programme relaxing the conflicts (infeasible only)
    written: list[Path]
    wall_time: float

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def feasible(self) -> bool:
        return self.result.feasible

    @property
    def violations(self) -> list[Violation]:
        """What the checker finds in the written programme that its rows do not name."""
        return self.findings.other if self.findings else []

    @property
    def programme(self) -> Path | None:
        """programme.csv, or relaxed_programme.csv where no programme meets every rule."""
        return written_programme(self.out_dir) if self.findings else None


def written_programme(out_dir: Path) -> Path:
    """The programme a scenario run wrote into ``out_dir``: programme.csv, else (no
    programme meets every hard rule) relaxed_programme.csv."""
    feasible = out_dir / "programme.csv"
    return feasible if feasible.is_file() else out_dir / "relaxed_programme.csv"


def _clear(out_dir: Path, names: tuple[str, ...]) -> None:
    """Outputs of an earlier run of the other outcome must not be left to mislead."""
    for name in names:
        (out_dir / name).unlink(missing_ok=True)


def _feasible(prepared: Prepared, result: Result, out_dir: Path
              ) -> tuple[Findings, list[Record] | None, dict[str, Any], list[Path]]:
    problem = prepared.problem
    findings = check_named(problem, out_dir / "programme.csv")
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
    return findings, diff, kpis, written


def _name_held(problem: Problem, result: Result) -> None:
    """The rules held events break in their weeks (constraints/stability.py `held_breaks`,
    named on their rows by `mark_status`): in ``result``'s relaxed rules, one sentence each."""
    for need_id, rules in held_breaks(problem).items():
        pin, need = problem.pins[need_id], problem.need_by_id[need_id]
        result.relaxed_rules += [(rule, need.la_code) for rule in rules
                                 if (rule, need.la_code) not in result.relaxed_rules]
        result.explanation.append(
            f"{problem.dataset.las[need.la_code].name}'s {KIND_NAMES.get(pin.kind, pin.kind)} "
            f"({need_id}; {pin.reason}) is held in the week of {pin.fieldwork_start} (R-PIN), "
            f"though the rules now refuse it there: {', '.join(rules)}, named in `relaxed`.")


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


def _relaxed(prepared: Prepared, result: Result, held: dict[str, Placement | None]
             ) -> Result:
    """The best programme breaking only the rules in conflict (else any, at a cost:
    scheduler.explain.relaxed_result), first with the regions no edit touches ``held`` in
    their baseline weeks, as the re-plan would hold them (far smaller), else everything free."""
    problem, scenario = prepared.problem, prepared.scenario
    with _holding(problem, held):
        relaxed = relaxed_result(problem, result, scenario.time_limit, scenario.seed)
    if held and not relaxed.has_programme:
        relaxed = relaxed_result(problem, result, scenario.time_limit, scenario.seed)
    return relaxed


def _infeasible(prepared: Prepared, result: Result, out_dir: Path,
                held: dict[str, Placement | None]) -> tuple[Result, Findings | None, list[Path]]:
    """The minimal conflicts (`_conflicts`) in plain words (explanation.md) and the best
    programme relaxing them (relaxed_programme.csv, the rules it breaks named per event in
    `relaxed`), re-verified from the file by the independent checker."""
    problem, scenario = prepared.problem, prepared.scenario
    conflicts, status = _conflicts(problem, held)
    result.conflicts, result.explanation = conflicts, conflict_sentences(conflicts, status)
    relaxed = _relaxed(prepared, result, held)
    path = out_dir / "relaxed_programme.csv"
    findings = None
    if relaxed.has_programme:
        _name_held(problem, relaxed)
        write_atomically(path, lambda tmp: write_programme_csv(relaxed.rows, tmp))
        findings = check_named(problem, path)
    lines = [f"# Why scenario {scenario.name!r} has no programme meeting every rule", ""]
    lines += [f"- {sentence}" for sentence in relaxed.explanation]
    lines += ["", f"## The best programme relaxing them ({relaxed.status})", ""]
    lines += [f"- relaxed {rule} for {scope}" for rule, scope in relaxed.relaxed_rules]
    lines += ["", "Every rule it breaks, by event (independent checker):", ""]
    broken = ([f"- {v} (named in `relaxed`)" for v in findings.named]
              + [f"- {v} (not named)" for v in findings.other]) if findings else []
    lines += broken or ["- none"]
    write_text_atomically(out_dir / "explanation.md", "\n".join(lines) + "\n")
    return relaxed, findings, [out_dir / "explanation.md", *([path] if findings else [])]


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
        _name_held(problem, result)
    _clear(out_dir, INFEASIBLE_FILES if result.feasible else FEASIBLE_FILES)
    # run.json's config_files are files load_config reads: the scenario's own file is not
    # one; it is recorded apart with its baseline, to rebuild this problem with `prepare`
    written = write_outputs(problem, result, out_dir, [], scenario={
        "file": str(scenario.path.resolve()), "baseline": str(scenario.baseline or "")})
    diff, relaxed = None, None
    if result.feasible:
        findings, diff, kpis, more = _feasible(prepared, result, out_dir)
    else:
        relaxed, findings, more = _infeasible(prepared, result, out_dir, held)
        kpis = {"changes": None, "baseline": None, "scenario": None, "delta": None,
                "relaxed_status": relaxed.status,
                "relaxed_rules": [list(k) for k in relaxed.relaxed_rules]}
    explanation = relaxed.explanation if relaxed else []
    wall = time.perf_counter() - started
    record = {"name": scenario.name, "status": result.status, "objective": result.objective,
              "wall_time_seconds": round(wall, 2),
              "violations": len(findings.other) if findings else None,
              "relaxed_violations": len(findings.named) if findings else None,
              "pinned": len(problem.pins), "deferred": len(problem.deferrals),
              "replanned_regions": sorted(touched) if touched is not None else "all",
              "events_kept_near_baseline": len(problem.anchored) if result.feasible else 0,
              **kpis, "explanation": explanation}
    write_text_atomically(out_dir / "kpis.json", json.dumps(record, indent=2, default=str) + "\n")
    write_text_atomically(out_dir / "scenario.json",
                          json.dumps(scenario.as_record(), indent=2, default=str) + "\n")
    written += [*more, out_dir / "kpis.json", out_dir / "scenario.json"]
    return ScenarioOutcome(scenario, out_dir, result, findings, diff, record, explanation,
                           relaxed, written, wall)
