"""R-ASSIGN, R-TEAM, R-LEND: named inspectors. The staffing itself is the second stage
(scheduler/assign.py); here the first stage leaves out the weeks nobody could staff, and
the checker re-verifies a staffed programme from its rows and the dataset alone.

A programme with no lead and no team on any row is a first-stage draft: it is checked
without these rules, but for `lent_from`, blank on every row with no team (R-LEND, readings
settled). Once any row is staffed, every row must be.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from constraints.base import Family
from scheduler.assign_duties import (
    EXTRA,
    TEAM,
    Limits,
    duties,
    event_parts,
    lent_from,
    read_staffing,
)
from scheduler.assign_free import availability
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow, Violation

RULE = "R-ASSIGN"


class Assignment(Family):
    """Hard R-ASSIGN: a named lead who may lead and a team of the right size and roles
    (R-TEAM), nobody with a conflict of interest, on leave or a bank holiday, on two events
    on one day, or over their working days x fte in a week or inspection_share in a quarter;
    R-LEND: `lent_from` names the home regions of the team's borrowed inspectors."""

    rules = (RULE, "R-TEAM", "R-LEND")

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        """Weeks the staffing could not fill: found so by an earlier staffing, or
        (`Staffable`) nobody free to lead and make up the team."""
        if (need.need_id, kind, fp.week) in problem.unstaffable:
            return [RULE]
        return Staffable().excluded(problem, need, kind, fp)

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = [Violation("R-LEND", row.la_code, row.event_id,
                                f"lent_from {row.lent_from!r} on a row with no team: blank "
                                "until the team is named") for row in rows
                      if row.lent_from and not row.team]
        if not any(row.team or row.lead_inspector for row in rows):
            return violations
        for row in rows:
            violations += self._check_team(problem, row)
        violations += self._check_diaries(problem, rows)
        return violations

    @staticmethod
    def _check_team(problem: Problem, row: ProgrammeRow) -> list[Violation]:
        """Roles, can_lead, team size, specialists, conflicts of interest, lent_from."""
        def broken(rule: str, message: str) -> Violation:
            return Violation(rule, row.la_code, row.event_id, message)

        staffing = read_staffing(problem, row)
        if staffing is None or not staffing.lead:
            return [broken(RULE, "no lead inspector")]
        inspectors = problem.dataset.inspectors
        members = staffing.members
        found = []
        unknown = [m for m in [staffing.lead, *members] if m not in inspectors]
        if unknown:
            return [broken(RULE, f"unknown inspector {unknown[0]!r}")]
        if len(set(members)) < len(members):
            found.append(broken(RULE, "an inspector is named twice in the team"))
        lead = inspectors[staffing.lead]
        if staffing.lead not in staffing.team:
            found.append(broken(RULE, f"lead {lead.inspector_id} is not on the team"))
        if not lead.can_lead:
            found.append(broken(RULE, f"lead {lead.inspector_id} may not lead (can_lead)"))
        parts = event_parts(problem, row)
        social = len(staffing.team) + len(staffing.extra)
        wanted = parts[TEAM].count + (parts[EXTRA].count if EXTRA in parts else 0)
        if social != wanted:
            found.append(broken("R-TEAM", f"{social} social care inspectors, the {row.event} "
                                f"team needs {wanted}"))
        roles = Counter(role for role, _ in staffing.specialists)
        needed = Counter({name: part.count for name, part in parts.items()
                          if name in problem.config.capacity.pool_roles})
        if roles != needed:
            found.append(broken("R-TEAM", f"specialists {dict(roles)}, the {row.event} needs "
                                f"{dict(needed)}"))
        conflicted = {c.inspector_id for c in problem.dataset.conflicts
                      if c.la_code == row.la_code}
        found += [broken(RULE, f"{m} has a declared conflict of interest with the LA")
                  for m in members if m in conflicted]
        expected = lent_from(problem, row, members)
        if row.lent_from != expected:
            found.append(broken("R-LEND", f"lent_from {row.lent_from!r}, the team's "
                                f"inspectors come from {expected or 'the region'!r}"))
        return found

    @staticmethod
    def _check_diaries(problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        """Leave, bank holidays, one place a day, weekly and quarterly limits, per person."""
        days: dict[str, dict[date, list[ProgrammeRow]]] = defaultdict(lambda: defaultdict(list))
        weeks: dict[str, Counter[int]] = defaultdict(Counter)
        for row in rows:
            for person, held in duties(problem, row).items():
                if person not in problem.dataset.inspectors:
                    continue
                for part in held:
                    for day in part.days:
                        days[person][day].append(row)
                    weeks[person].update(part.days_by_week(problem))
        leave = problem._leave_days
        violations = []
        for person, diary in sorted(days.items()):
            for day, on in sorted(diary.items()):
                row = on[0]
                if day in leave.get(person, set()):
                    violations.append(Violation(RULE, row.la_code, row.event_id,
                                                f"{person} is on leave on {day}"))
                if not problem.calendar.is_working_day(day):
                    violations.append(Violation(RULE, row.la_code, row.event_id,
                                                f"{person} works on {day}, not a working day"))
                if len({r.event_id for r in on}) > 1:
                    violations.append(Violation(
                        RULE, row.la_code, row.event_id,
                        f"{person} is on {', '.join(sorted({r.event_id for r in on}))} "
                        f"on {day}"))
        limits = Limits(problem)
        for person, by_week in sorted(weeks.items()):
            quarters: Counter[tuple[int, int]] = Counter()
            for week, count in sorted(by_week.items()):
                quarters[problem.weeks.quarter_key(week)] += count
                if TENTHS * count > limits.weekly(person, week):
                    violations.append(Violation(
                        RULE, person, f"week of {problem.weeks.monday(week)}",
                        f"{person} works {count} days, more than working days x fte "
                        f"({limits.weekly(person, week) / TENTHS:g})"))
            for quarter, count in sorted(quarters.items()):
                if TENTHS * count > limits.quarterly(person, quarter):
                    violations.append(Violation(
                        RULE, person, f"quarter {quarter[0]} Q{quarter[1]}",
                        f"{person} works {count} days, more than inspection_share of the "
                        f"quarter ({limits.quarterly(person, quarter) / TENTHS:g})"))
        return violations


class Staffable(Family):
    """R-ASSIGN as the dataset alone decides it, before any staffing: weeks where nobody is
    free of leave and conflicts of interest, and within their working days and quarterly
    inspection_share, to lead and make up the team. Also what makes a graded inspection
    overdue whose window holds no such week (R-OVERDUE, `Problem.plans`)."""

    rules = (RULE,)

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        if problem.config.assignment.avoid_unstaffable_weeks and not availability(
                problem).staffable(need.la_code, kind, fp.week):
            return [RULE]
        return []
