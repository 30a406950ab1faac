"""The independent checker: any programme.csv against RULES.md, from the files alone.

It reads the dataset and the programme rows and re-derives every rule from dates; it never
builds or asks the CP-SAT model.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
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


# --- relaxed programmes: the rules a programme names as broken --------------------------

@dataclass(frozen=True)
class Findings:
    """The checker's violations, split: those a row names in its `relaxed` column (the
    rules a relaxed programme had to break, RULES.md R-OVERDUE) and every other one."""

    named: list[Violation]
    other: list[Violation]


def violation_rows(problem: Problem, rows: list[ProgrammeRow],
                   violation: Violation) -> list[ProgrammeRow]:
    """The rows a violation belongs to: its event's row; where it has none (a region's
    capacity, an LA's count of visits, a missing event) the rows of that LA or region; an
    inspector's (over their limits) the rows naming them; a national one (or a pool's)
    belongs to every row."""
    own = [row for row in rows if row.event_id == violation.event_id]
    if own:
        return own
    scope = violation.la_code
    if scope in problem.dataset.las or scope in problem.dataset.regions:
        return [row for row in rows if scope in (row.la_code, row.region)]
    if scope in problem.dataset.inspectors:
        return [row for row in rows if scope in (row.lead_inspector, *row.team.split(";"))]
    return rows


def name_violations(problem: Problem, rows: list[ProgrammeRow],
                    violations: list[Violation]) -> list[ProgrammeRow]:
    """The rows with each of ``violations`` (rules a programme had to break) named in
    `relaxed` on the rows it belongs to."""
    broken: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        for row in violation_rows(problem, rows, violation):
            broken[row.event_id].append(violation.rule)
    return [replace(row, relaxed=";".join(dict.fromkeys(
        [r for r in row.relaxed.split(";") if r] + broken[row.event_id])))
        if row.event_id in broken else row for row in rows]


def split_named(problem: Problem, rows: list[ProgrammeRow],
                violations: list[Violation]) -> Findings:
    """Each violation is named when a row it belongs to names its rule in `relaxed`."""
    named, other = [], []
    for violation in violations:
        belongs = violation_rows(problem, rows, violation)
        is_named = any(violation.rule in row.relaxed.split(";") for row in belongs)
        (named if is_named else other).append(violation)
    return Findings(named, other)


def check_named(problem: Problem, programme_csv: Path) -> Findings:
    """`check_file`, its violations split into named relaxations and the rest."""
    from scheduler.programme import read_programme_csv

    rows = read_programme_csv(programme_csv)
    return split_named(problem, rows, check_rows(problem, rows))
