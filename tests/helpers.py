"""Solve, write and re-check in one call, and edit a written programme by hand.

Every programme a test solves goes through `plan`: solved, written to programme.csv and
re-verified from that file by the independent checker (scheduler.check).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.check import check_file
from scheduler.config import Weights, load_config
from scheduler.export import programme_rows
from scheduler.io import read_dataset, write_atomically
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation, write_programme_csv
from scheduler.solve import Result, solve

TIME_LIMIT = 5.0  # seconds (deterministic); the tiny instances solve to optimality in less
# A graded window of one day (see tests.conftest.due_on) and no focused visit to place.
ONE_DAY_WINDOW: dict[str, Any] = {"window": {"tolerance_months": 0},
                                  "focused_visits": {"pathway1": 0}}


@dataclass
class Run:
    """A solved problem, its programme.csv (if feasible) and what the checker found in it."""

    problem: Problem
    result: Result
    programme: Path | None
    violations: list[Violation]

    @property
    def rows(self) -> list[ProgrammeRow]:
        return self.result.rows

    def row(self, la_code: str, *events: str) -> ProgrammeRow:
        """The only row of that LA and one of these event types."""
        (found,) = [r for r in self.rows if r.la_code == la_code and r.event in events]
        return found

    def event(self, event_id: str) -> ProgrammeRow:
        (found,) = [r for r in self.rows if r.event_id == event_id]
        return found

    def missing(self) -> list[str]:
        """Mandatory needs (problem.needs) with no row in the written programme."""
        placed = {r.need_id for r in self.rows}
        return [n.need_id for n in self.problem.needs
                if n.mandatory and n.parent is None and n.need_id not in placed]

    def explanation(self) -> str:
        return " ".join(self.result.explanation)

    def check(self, rows: list[ProgrammeRow], problem: Problem | None = None
              ) -> list[Violation]:
        """Write ``rows`` beside the programme and check that file (against ``problem``, by
        default the one solved)."""
        assert self.programme is not None
        path = self.programme.with_name("edited.csv")
        write_atomically(path, lambda tmp: write_programme_csv(rows, tmp))
        return check_file(problem or self.problem, path)


def only_weights(**kept: int) -> dict[str, Any]:
    """Config overrides switching every soft term off except ``kept`` (weight names)."""
    return {"weights": {f.name: kept.get(f.name, 0) for f in fields(Weights)}}


def merge(*overrides: dict[str, Any]) -> dict[str, Any]:
    """Nested config overrides, later ones winning key by key."""
    merged: dict[str, Any] = {}
    for override in overrides:
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = value
    return merged


def plan(folder: Path, overrides: dict[str, Any] | None = None, start: date | None = None,
         weeks: int | None = None, time_limit: float = TIME_LIMIT) -> Run:
    """Solve the dataset in ``folder``; if feasible, write programme.csv and check it."""
    problem = Problem.build(read_dataset(folder), load_config(overrides=overrides), start, weeks)
    result = solve(problem, time_limit=time_limit)
    if not result.feasible:
        return Run(problem, result, None, [])
    path = folder.with_name(f"{folder.name}-out") / "programme.csv"
    write_atomically(path, lambda tmp: write_programme_csv(result.rows, tmp))
    return Run(problem, result, path, check_file(problem, path))


def feasible(folder: Path, overrides: dict[str, Any] | None = None, **kwargs: Any) -> Run:
    """`plan`, asserting a programme the checker accepts with every mandatory event in it."""
    run = plan(folder, overrides, **kwargs)
    assert run.result.feasible, run.result.explanation
    assert run.violations == [], [str(v) for v in run.violations]
    assert run.missing() == []
    return run


def infeasible(folder: Path, overrides: dict[str, Any] | None = None, **kwargs: Any) -> Run:
    """`plan`, asserting no programme exists and the explanation says why."""
    run = plan(folder, overrides, **kwargs)
    assert run.result.status == "INFEASIBLE", run.result.status
    assert run.result.explanation
    return run


def _notice_week(problem: Problem, kind: str, fieldwork_start: date) -> int:
    return problem.weeks.index(fieldwork_start) - problem.config.spec(kind).fieldwork_offset


def moved(run: Run, row: ProgrammeRow, fieldwork_start: date) -> ProgrammeRow:
    """``row`` moved so its fieldwork starts on ``fieldwork_start`` (same weekday pattern,
    notice and milestones re-derived as the scheduler would)."""
    fp = run.problem.footprint(row.event, _notice_week(run.problem, row.event, fieldwork_start))
    assert fp.fieldwork_start == fieldwork_start, f"{row.event} cannot start {fieldwork_start}"
    return replace(row, notify_date=fp.notify_date, onsite_days=fp.onsite_days,
                   fieldwork_start=fp.fieldwork_start, fieldwork_end=fp.fieldwork_end,
                   draft_report_due=fp.draft_report_due, final_report_due=fp.final_report_due,
                   publication_due=fp.publication_due)


def placed(run: Run, need_id: str, fieldwork_start: date) -> ProgrammeRow:
    """A row for ``need_id`` (one the solver left out) on site from ``fieldwork_start``, as
    the scheduler would write it."""
    kind = run.problem.need_by_id[need_id].kind
    chosen = {need_id: (kind, _notice_week(run.problem, kind, fieldwork_start))}
    (row,) = [r for r in programme_rows(run.problem, chosen) if r.need_id == need_id]
    assert row.fieldwork_start == fieldwork_start, f"{kind} cannot start {fieldwork_start}"
    return row


def swapped(rows: list[ProgrammeRow], old: ProgrammeRow, new: ProgrammeRow
            ) -> list[ProgrammeRow]:
    return [new if r is old else r for r in rows]


def flagged(violations: list[Violation], rule: str) -> set[tuple[str, str]]:
    """(LA, event id) of every violation of ``rule``."""
    return {(v.la_code, v.event_id) for v in violations if v.rule == rule}
