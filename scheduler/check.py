"""The independent checker: any programme.csv against RULES.md, from the files alone.

It reads the dataset and the programme rows and re-derives every rule from dates; it never
builds or asks the CP-SAT model.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from constraints import FAMILIES
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


def _check_rows_shape(problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
    violations = []
    for event_id, count in Counter(r.event_id for r in rows).items():
        if count > 1:
            violations.append(Violation("DATA", "", event_id, f"event_id used {count} times"))
    for row in rows:
        la = problem.dataset.las.get(row.la_code)
        if la is None:
            violations.append(Violation("DATA", row.la_code, row.event_id, "unknown LA code"))
            continue
        if row.region != la.region:
            violations.append(Violation("DATA", row.la_code, row.event_id,
                                        f"region {row.region!r}, the LA is in {la.region!r}"))
        if row.event not in problem.config.events:
            violations.append(Violation("DATA", row.la_code, row.event_id,
                                        f"unknown event {row.event!r}"))
            continue
        spec = problem.config.spec(row.event)
        expected = len(spec.onsite_weeks) * len(spec.onsite_weekdays)
        if row.status != "fixed" and len(row.onsite_days) != expected:
            violations.append(Violation("R-NOTICE", row.la_code, row.event_id,
                                        f"{len(row.onsite_days)} on-site days, the "
                                        f"{row.event} footprint has {expected}"))
        if row.onsite_days[-1] > problem.weeks.end or row.onsite_days[0] < problem.start:
            violations.append(Violation("R-WIN", row.la_code, row.event_id,
                                        "on site outside the programme horizon"))
    return violations


def check_rows(problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
    """Every violation of every registered rule family."""
    violations = _check_rows_shape(problem, rows)
    if any(v.rule == "DATA" and "unknown" in v.message for v in violations):
        return violations
    for family in FAMILIES:
        violations.extend(family().check(problem, rows))
    return violations


def check_file(problem: Problem, programme_csv: Path) -> list[Violation]:
    from scheduler.programme import read_programme_csv

    return check_rows(problem, read_programme_csv(programme_csv))
