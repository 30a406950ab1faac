"""Quality figures of a programme, from its rows and the problem alone: what a planner
compares between two programmes of the same problem (benchmarks, reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from constraints.capacity import by_quarter, programme_load
from scheduler.export import capacity_use
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow

GRADED = ("STD", "SHT")
# The figures where less is better, compared as ratios (this plan / the reference plan).
COMPARED = ("window_deviation_weeks", "mean_window_deviation_weeks", "lending_days",
            "quarter_lending_days", "max_capacity_peak", "missed_visits", "overdue_las")


@dataclass(frozen=True)
class Quality:
    """What a programme achieves, in the planners' own terms."""

    events: int  # planned events (the given fixed events left out)
    events_by_kind: dict[str, int]
    overdue_las: int  # R-OVERDUE: LAs with an event placed after its deadline
    graded_with_target: int  # graded inspections due with a 3-year target point
    window_deviation_weeks: int  # R-WIN: sum of |fieldwork week - target week|
    mean_window_deviation_weeks: float
    lending_days: float  # R-LEND: inspector-days above a region's weekly capacity
    quarter_lending_days: float  # R-LEND: above a region's quarterly inspection share
    capacity_peak: dict[str, float]  # R-CAP: region -> highest weekly use / capacity
    missed_visits: int  # R-FV-COUNT: focused visits usually due but left out

    @property
    def max_capacity_peak(self) -> float:
        return max(self.capacity_peak.values(), default=0.0)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "max_capacity_peak": self.max_capacity_peak}


def _deviations(problem: Problem, rows: list[ProgrammeRow]) -> list[int]:
    """Weeks from the 3-year point of every graded inspection with a target; one not
    placed counts as at the horizon's end, as the model's R-WIN cost counts it."""
    placed = {row.need_id: row for row in rows if row.event in GRADED}
    found = []
    for need in problem.needs:
        if need.kind not in GRADED or need.target is None:
            continue
        target = problem.weeks.index(need.target)
        row = placed.get(need.need_id)
        week = problem.weeks.index(row.fieldwork_start) if row else problem.horizon_weeks
        if row or target < problem.horizon_weeks:
            found.append(abs(week - target))
    return found


def _quarterly_lending(problem: Problem, rows: list[ProgrammeRow]) -> float:
    """R-LEND: inspector-days above the regions' quarterly inspection share."""
    if not problem.config.capacity.quarterly_share:
        return 0.0
    regional, _ = programme_load(problem, rows)
    over = sum(max(0, tenths - problem.regional_quarter_capacity[region][quarter])
               for region in problem.dataset.regions
               for quarter, tenths in by_quarter(problem, regional[region]).items())
    return over / TENTHS


def quality(problem: Problem, rows: list[ProgrammeRow]) -> Quality:
    """The quality figures of a programme's rows."""
    planned = [row for row in rows if row.status != "fixed"]
    use = capacity_use(problem, rows)
    deviations = _deviations(problem, rows)
    placed = {row.need_id for row in planned}
    return Quality(
        events=len(planned),
        events_by_kind=dict(sorted(Counter(row.event for row in planned).items())),
        overdue_las=len({row.la_code for row in planned if row.status == "overdue"}),
        graded_with_target=len(deviations),
        window_deviation_weeks=sum(deviations),
        mean_window_deviation_weeks=round(sum(deviations) / len(deviations), 2)
        if deviations else 0.0,
        lending_days=float(sum(r["days borrowed"] for r in use)),
        quarter_lending_days=_quarterly_lending(problem, rows),
        capacity_peak={r["region"]: round(r["peak week %"] / 100, 3) for r in use},
        missed_visits=sum(1 for need in problem.needs
                          if need.skippable and need.need_id not in placed),
    )


def ratios(plan: Quality, reference: Quality) -> dict[str, float | None]:
    """Each compared figure of ``plan`` over the same figure of ``reference`` (below 1:
    ``plan`` is better); 1 where both are 0, None where only the reference is 0."""
    found: dict[str, float | None] = {}
    for name in COMPARED:
        mine, theirs = getattr(plan, name), getattr(reference, name)
        found[name] = round(mine / theirs, 3) if theirs else (1.0 if not mine else None)
    return found
