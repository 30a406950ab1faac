"""The shape every constraint family shares, and helpers over programme rows."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from scheduler.calendar import weeks_between
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.programme import ProgrammeRow, Violation

if TYPE_CHECKING:
    from scheduler.context import ModelContext, Penalty
    from scheduler.problem import Problem


class Family:
    """A rule family. Subclasses override what they need."""

    rules: tuple[str, ...] = ()
    kind = "hard"

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        """Rule ids that forbid placing ``need`` as ``kind`` with footprint ``fp``."""
        return []

    def build(self, ctx: ModelContext) -> list[Penalty]:
        """Add this family's constraints; return its soft terms."""
        return []

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        """Violations of this family's rules in a written programme (no solver)."""
        return []


def rows_by_la(rows: list[ProgrammeRow]) -> dict[str, list[ProgrammeRow]]:
    grouped: dict[str, list[ProgrammeRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.fieldwork_start, r.event_id)):
        grouped[row.la_code].append(row)
    return grouped


def onsite_week_distance(a: tuple, b: tuple) -> int:
    """Fewest whole weeks between any on-site day of ``a`` and any of ``b``."""
    return min(abs(weeks_between(x, y)) for x in (a[0], a[-1]) for y in (b[0], b[-1]))
