"""R-XMAS, R-AUG, R-EASTER, R-SUMMER, R-BH, R-NOTICE: the calendar holes in every event's
domain."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter as easter_sunday

from constraints.base import Family
from scheduler.config import Config, Easter, Summer
from scheduler.footprint import Footprint
from scheduler.pathways import Need
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow, Violation


def _in_season(day: date, first: str, last: str) -> bool:
    """Whether ``day`` falls between two "MM-DD" dates (the range may wrap the new year)."""
    key = day.strftime("%m-%d")
    return first <= key <= last if first <= last else key >= first or key <= last


def _around_easter(day: date, easter: Easter) -> bool:
    """Whether ``day`` falls in the Monday-to-Sunday weeks ending on Easter Sunday
    (``weeks_before`` of them) or starting on Easter Monday (``weeks_after``)."""
    sunday = easter_sunday(day.year)
    first = sunday - timedelta(days=7 * easter.weeks_before - 1)
    return first <= day <= sunday + timedelta(days=7 * easter.weeks_after)


def _holiday_breaches(easter: Easter, summer: Summer, kind: str,
                      onsite: tuple[date, ...]) -> list[tuple[str, str]]:
    """R-EASTER and R-SUMMER, the school holidays graded inspections keep clear of."""
    found = []
    at_easter = [d for d in onsite if _around_easter(d, easter)
                 ] if kind in easter.onsite_events else []
    if at_easter:
        found.append(("R-EASTER", f"on site on {at_easter[0]}, in the Easter holidays "
                                  f"(Easter Sunday {easter_sunday(at_easter[0].year)})"))
    if kind in summer.onsite_events and any(
            _in_season(d, summer.onsite_from, summer.onsite_to) for d in onsite):
        found.append(("R-SUMMER", f"on site between {summer.onsite_from} and {summer.onsite_to}"))
    return found


def calendar_breaches(config: Config, calendar_is_holiday, kind: str, onsite: tuple[date, ...],
                      notify: date | None, august_agreed: bool,
                      first_notice: date) -> list[tuple[str, str]]:
    """(rule, reason) for each calendar rule the dates break."""
    x, aug = config.xmas, config.august
    found = []
    holidays = [d for d in onsite if calendar_is_holiday(d)]
    if holidays:
        found.append(("R-BH", f"on site on the bank holiday {holidays[0]}"))
    if kind in x.onsite_events and any(_in_season(d, x.onsite_from, x.onsite_to) for d in onsite):
        found.append(("R-XMAS", f"on site between {x.onsite_from} and {x.onsite_to}"))
    elif any(_in_season(d, x.all_onsite_from, x.all_onsite_to) for d in onsite):
        found.append(("R-XMAS", f"on site between {x.all_onsite_from} and {x.all_onsite_to}"))
    if notify and kind in x.notify_events and _in_season(notify, x.notify_from, x.notify_to):
        found.append(("R-XMAS", f"notified {notify}, between {x.notify_from} and {x.notify_to}"))
    in_august = any(d.month == aug.month for d in onsite)
    if in_august and (kind in aug.barred_events
                      or (kind in aug.by_agreement_events and not august_agreed)):
        found.append(("R-AUG", "on site in August" + (" without the LA's agreement"
                                                      if kind in aug.by_agreement_events else "")))
    found += _holiday_breaches(config.easter, config.summer, kind, onsite)
    if notify and notify < first_notice:
        found.append(("R-NOTICE", f"notice on {notify}, before {first_notice}, the first day "
                                  "a notice can still be given (programme start or re-plan)"))
    return found


def first_notice(problem: Problem, pinned: bool) -> date:
    """R-NOTICE: the first day a notification can be given. An event pinned (notified
    already, or agreed) keeps its own; any other, in a re-plan, not before the re-plan's
    week: nobody can be notified in the past."""
    return problem.start if pinned else problem.weeks.monday(problem.replan_week)


class CalendarRules(Family):
    """Hard R-XMAS, R-AUG, R-BH, R-NOTICE (para 18, 57, 80, 142); R-EASTER and R-SUMMER,
    fitted to practice."""

    rules = ("R-XMAS", "R-AUG", "R-EASTER", "R-SUMMER", "R-BH", "R-NOTICE")

    def __init__(self, replan_notice: bool = True) -> None:
        """``replan_notice`` False: notices from the programme start even in a re-plan (what
        a window allows, whatever the re-plan date: `Problem.plans`)."""
        self.replan_notice = replan_notice
        self._excluded: dict[tuple[str, int, bool, bool], list[str]] = {}  # one model's

    def excluded(self, problem: Problem, need: Need, kind: str, fp: Footprint) -> list[str]:
        agreed = problem.dataset.las[need.la_code].august_fv_agreed
        pinned = need.need_id in problem.pins or not self.replan_notice
        key = (kind, fp.week, agreed, pinned)
        if key not in self._excluded:
            self._excluded[key] = [rule for rule, _ in calendar_breaches(
                problem.config, problem.calendar.is_bank_holiday, kind, fp.onsite_days,
                fp.notify_date, agreed, first_notice(problem, pinned))]
        return self._excluded[key]

    def check(self, problem: Problem, rows: list[ProgrammeRow]) -> list[Violation]:
        violations = []
        cal = problem.calendar
        for row in rows:
            if row.status == "fixed" and not row.need_id:
                continue  # given with its dates (jtai.csv); a pinned event is checked
            la = problem.dataset.las.get(row.la_code)
            for rule, reason in calendar_breaches(
                    problem.config, cal.is_bank_holiday, row.event, row.onsite_days,
                    row.notify_date, bool(la and la.august_fv_agreed),
                    first_notice(problem, row.status == "fixed" or row.need_id in problem.pins)):
                violations.append(Violation(rule, row.la_code, row.event_id, reason))
            violations.extend(self._check_notice(problem, row))
            weekend = [d for d in row.onsite_days if d.weekday() >= 5]
            if weekend:
                violations.append(Violation("R-BH", row.la_code, row.event_id,
                                            f"on site on a weekend day {weekend[0]}"))
        return violations

    @staticmethod
    def _check_notice(problem: Problem, row: ProgrammeRow) -> list[Violation]:
        spec = problem.config.events.get(row.event)
        if not spec or not spec.notice_working_days:
            return []
        cal = problem.calendar
        if row.notify_date is None:
            return [Violation("R-NOTICE", row.la_code, row.event_id, "no notification date")]
        # working days after the call, up to and including the first on-site day
        given = len(cal.working_days(row.notify_date + timedelta(days=1), row.fieldwork_start))
        problems = []
        if not cal.is_working_day(row.notify_date):
            problems.append(Violation("R-BH", row.la_code, row.event_id,
                                      f"notified on {row.notify_date}, not a working day"))
        if given < spec.notice_working_days:
            problems.append(Violation("R-NOTICE", row.la_code, row.event_id,
                                      f"{given} working days' notice, "
                                      f"{spec.notice_working_days} needed"))
        return problems
