"""R-PATH-*: judgements -> pathway -> the events each LA needs next, and their windows.

A `Need` is one event the programme must (or may) place: its earliest and latest
fieldwork start (hard), the rule each bound comes from, a preferred date, and the
other needs of the same LA it must follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.calendar import Calendar, add_months, monday_of
from scheduler.config import Config
from scheduler.domain import PRACTICE_COLUMNS, Dataset, LocalAuthority, PastEvent

GOOD = ("good", "outstanding")


@dataclass(frozen=True)
class After:
    """This need's fieldwork week is at least ``min_weeks`` after ``need_id``'s (``rule``)."""

    need_id: str
    min_weeks: int
    rule: str
    max_weeks: int | None = None  # and at most this many weeks after it


@dataclass(frozen=True)
class Need:
    need_id: str
    la_code: str
    kind: str  # STD, SHT, FV, MV, AEM (an FV may be placed as a JTAI)
    earliest: date  # first allowed fieldwork start
    latest: date | None  # last allowed fieldwork start (None: the horizon's end)
    earliest_rule: str
    latest_rule: str
    mandatory: bool = True
    overdue: bool = False
    target: date | None = None  # preferred fieldwork start (graded: the 3-year point)
    window_open: date | None = None
    window_close: date | None = None
    after: tuple[After, ...] = ()
    jtai_eligible: bool = False
    forced_if_parent_by_weeks: int | None = None  # next-cycle visit: forced if parent early
    parent: str | None = None  # present only when this need is present
    skippable: bool = False  # R-FV-COUNT "usually": may be left out, at a cost
    late_after: date | None = None  # after this it may still go, as overdue (R-REINSP)
    note: str = ""


@dataclass(frozen=True)
class LaPlan:
    """An LA's pathway and the needs derived from its history."""

    la: LocalAuthority
    pathway: int
    last_graded: PastEvent | None
    reference: date | None  # last fieldwork day of the last graded inspection
    needs: tuple[Need, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def pathway_of(event: PastEvent, config: Config) -> int:
    """R-PATH-1/2/3 from a graded inspection's judgements."""
    j = event.judgements
    leaders = j.get("leaders") or j.get("overall", "")
    practice = [j[c] for c in PRACTICE_COLUMNS if j.get(c)]
    judged = practice + ([leaders] if config.pathway.inadequate_includes_leaders else [])
    if j.get("overall") == "inadequate" or "inadequate" in judged:
        return 3
    if leaders in GOOD and sum(p in GOOD for p in practice) >= 2:
        return 1
    return 2


def last_fieldwork_day(event: PastEvent, config: Config) -> date:
    """The reference date of a past event: its last on-site day, estimated if not given."""
    if event.fieldwork_end:
        return event.fieldwork_end
    kind = "STD" if event.event == "SIF" else event.event
    spec = config.events.get(kind)
    if event.fieldwork_start:
        return event.fieldwork_start + timedelta(days=spec.history_fieldwork_days if spec else 0)
    assert event.published is not None
    return event.published - timedelta(days=config.history.published_after_fieldwork_days)


def latest_onsite_day(event: PastEvent, config: Config) -> date:
    """The last day a past event can have been on site, for the gaps measured from it
    (R-FV-GAP, R-MV-RATE, R-REINSP, R-CLASH): its fieldwork end; else its start plus the
    kind's usual length; else, with only a publication date, that date (the latest it can
    have been, so a gap from it is never shorter than the real one)."""
    if event.fieldwork_end:
        return event.fieldwork_end
    if event.fieldwork_start:
        return last_fieldwork_day(event, config)
    assert event.published is not None
    return event.published


def clear_of(events: list[PastEvent], gap_weeks: int, config: Config) -> date | None:
    """The first Monday ``gap_weeks`` programme weeks after the last on-site week of
    ``events`` (None if there are none): weeks are counted Monday to Monday."""
    if not events:
        return None
    last = max(latest_onsite_day(e, config) for e in events)
    return monday_of(last) + _weeks(gap_weeks)


def _weeks(n: int) -> timedelta:
    return timedelta(weeks=n)


@dataclass
class _Builder:
    """Collects the needs of one LA."""

    la: LocalAuthority
    config: Config
    start: date
    end: date  # last day of the horizon
    needs: list[Need] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def after(self, need_id: str, weeks: int, rule: str, max_weeks: int | None = None
              ) -> After:
        """``weeks`` from the Monday of ``need_id``'s LAST on-site week (RULES.md, readings
        settled), as the distance between the two needs' first on-site weeks."""
        earlier = next(n for n in self.needs if n.need_id == need_id)
        kinds = [earlier.kind] + (["JTAI"] if earlier.jtai_eligible else [])
        span = max(self.config.spec(kind).onsite_span for kind in kinds)
        return After(need_id, weeks + span, rule, max_weeks)

    def add(self, suffix: str, kind: str, **fields: object) -> str:
        need_id = f"{self.la.la_code}-{suffix}"
        earliest = fields.pop("earliest")
        rule = fields.pop("earliest_rule")
        assert isinstance(earliest, date)
        if self.la.not_before and kind != "AEM" and self.la.not_before > earliest:
            earliest, rule = self.la.not_before, "R-DEFER"
        if earliest < self.start:
            earliest = self.start
        self.needs.append(Need(need_id, self.la.la_code, kind, earliest,
                               earliest_rule=str(rule), **fields))  # type: ignore[arg-type]
        return need_id


def _graded_window(reference: date, config: Config) -> tuple[date, date, date]:
    w = config.window
    return (add_months(reference, w.cycle_months - w.tolerance_months),
            add_months(reference, w.cycle_months),
            add_months(reference, w.cycle_months + w.tolerance_months))


def _plan_graded(b: _Builder, kind: str, reference: date, not_before: date,
                 after: tuple[After, ...], rule_note: str,
                 close_is_soft: bool = False) -> tuple[str, bool, bool]:
    """The next graded inspection (R-WIN, R-OVERDUE); returns its id, overdue, mandatory.
    With ``close_is_soft`` (a re-inspection waiting for monitoring, R-REINSP) it may go
    after the window closes, as overdue, at the overdue cost per week."""
    open_, target, close = _graded_window(reference, b.config)
    # Overdue if the window closes before the first fieldwork that notice allows (R-NOTICE).
    first_onsite = max(b.start, not_before) + _weeks(b.config.spec(kind).fieldwork_offset)
    overdue = close < first_onsite
    mandatory = overdue or close <= b.end
    need_id = b.add(
        kind, kind,
        earliest=b.start if overdue else max(open_, not_before),
        earliest_rule="R-OVERDUE" if overdue else ("R-WIN" if open_ >= not_before else rule_note),
        latest=None if overdue or close_is_soft else close,
        latest_rule="R-OVERDUE" if overdue else "R-WIN",
        late_after=close if close_is_soft and not overdue else None,
        mandatory=mandatory,
        overdue=overdue,
        target=None if overdue else target,
        window_open=open_,
        window_close=close,
        after=after,
    )
    return need_id, overdue, mandatory


def _plan_visits(b: _Builder, pathway: int, reference: date, history: list[PastEvent]) -> None:
    """Pathways 1 and 2: focused visits before and after the next graded inspection."""
    fv = b.config.focused_visits
    target_count = fv.pathway1 if pathway == 1 else fv.pathway2
    kind = "STD" if pathway == 2 or b.la.force_standard else "SHT"
    since = [e for e in history if e.event in ("FV", "JTAI", "MV") and e.known_date > reference]
    visits_done = [e for e in since if e.event in ("FV", "JTAI")]
    _, _, close = _graded_window(reference, b.config)
    overdue = close < b.start
    remaining = 0 if overdue else max(0, target_count - len(visits_done))
    # Only as many visits as fit before the window closes, each gap_weeks apart (R-FV-GAP),
    # the first gap_weeks after the last on-site week of the inspection or any event since.
    first = max(clear_of(since, fv.gap_weeks, b.config)
                or monday_of(reference) + _weeks(fv.gap_weeks), b.start)
    while remaining and first + _weeks(fv.gap_weeks * remaining) > close:
        remaining -= 1
        b.notes.append("R-FV-COUNT: one focused visit fewer, no room before the window closes")
    previous: str | None = None
    visit_ids = []
    for i in range(remaining):
        latest = close - _weeks(fv.gap_weeks * (remaining - i))
        after = (b.after(previous, fv.gap_weeks, "R-FV-GAP"),) if previous else ()
        previous = b.add(f"FV{i + 1}", "FV", earliest=first, earliest_rule="R-FV-GAP",
                         latest=latest, latest_rule="R-FV-GAP",
                         mandatory=False, skippable=latest <= b.end, after=after,
                         jtai_eligible=pathway in b.config.jtai.eligible_pathways)
        visit_ids.append(previous)
    # After every visit, not just the last: a skipped visit must not break the chain.
    graded_after = tuple(b.after(v, fv.gap_weeks, "R-FV-GAP") for v in visit_ids)
    # R-FV-GAP from the visits already carried out, too.
    visits_clear = clear_of(visits_done, fv.gap_weeks, b.config)
    not_before, rule = ((visits_clear, "R-FV-GAP") if visits_clear and visits_clear > b.start
                        else (b.start, "R-WIN"))
    graded, _, _ = _plan_graded(b, kind, reference, not_before, graded_after, rule)
    # Next cycle: visits after the planned inspection, pathway assumed unchanged. A visit is
    # only needed in the horizon if the inspection can come early enough to make it due.
    graded_need = b.needs[-1]
    previous = None
    for j in range(target_count):
        due_within = fv.next_cycle_latest_weeks - fv.gap_weeks * (target_count - j - 1)
        if graded_need.earliest + _weeks(due_within) > b.end:
            continue
        after = (b.after(graded, fv.gap_weeks * (j + 1), "R-FV-GAP", due_within),)
        if previous:
            after += (b.after(previous, fv.gap_weeks, "R-FV-GAP"),)
        previous = b.add(
              f"FV{remaining + j + 1}", "FV",
              earliest=graded_need.earliest + _weeks(fv.gap_weeks * (j + 1)),
              earliest_rule="R-FV-GAP", latest=None, latest_rule="R-FV-GAP", mandatory=False,
              after=after,
              jtai_eligible=pathway in b.config.jtai.eligible_pathways,
              forced_if_parent_by_weeks=due_within, parent=graded, note="next cycle")


def _plan_monitoring(b: _Builder, event: PastEvent, reference: date,
                     history: list[PastEvent], calendar: Calendar) -> None:
    """Pathway 3: monitoring visits (R-MV-*) then a standard re-inspection (R-REINSP)."""
    m = b.config.monitoring
    published = event.published or reference + timedelta(
        days=b.config.history.published_after_fieldwork_days)
    plan_due = calendar.add_working_days(published, m.action_plan_working_days)
    visits = [e for e in history if e.event == "MV" and e.known_date > reference]
    focused = [e for e in history if e.event in ("FV", "JTAI") and e.known_date > reference]
    fv_clear = clear_of(focused, b.config.focused_visits.gap_weeks, b.config)
    remaining = max(0, m.min_visits - len(visits))
    previous: str | None = None
    after_visits: tuple[After, ...] = ()
    if visits:
        earliest, rule = clear_of(visits, m.min_gap_weeks, b.config), "R-MV-RATE"
        latest, overdue = None, False
    else:
        earliest, rule = plan_due, "R-MV-START"
        # within N weeks, Monday to Monday: up to the Sunday of the Nth week after its week
        latest = monday_of(plan_due) + _weeks(m.first_visit_within_weeks + 1) - timedelta(days=1)
        overdue = latest < b.start
        if overdue:
            latest = None
            b.notes.append("R-MV-START: first monitoring visit is late; "
                           "placed as early as possible")
    if fv_clear and fv_clear > earliest:  # R-FV-GAP: clear of the visits already made
        earliest, rule = fv_clear, "R-FV-GAP"
    # The re-inspection must follow the visits; if they cannot end in time it is overdue.
    soonest = max(b.start, earliest) + _weeks(
        m.min_gap_weeks * max(0, remaining - 1) + m.reinspect_after_weeks)
    _, _, close = _graded_window(reference, b.config)
    late = bool(remaining) and soonest > close
    for i in range(remaining):
        after = (b.after(previous, m.min_gap_weeks, "R-MV-RATE"),) if previous else ()
        first_due = latest if i == 0 else None  # para 140 "usually": late at a cost
        previous = b.add(f"MV{len(visits) + i + 1}", "MV", earliest=earliest,
                         earliest_rule=rule, latest=None,
                         latest_rule="R-REINSP", late_after=first_due,
                         overdue=overdue and i == 0, after=after)
        earliest, rule = b.start, "R-MV-RATE"
    if previous:
        after_visits = (b.after(previous, m.reinspect_after_weeks, "R-REINSP"),)
    if late:
        b.notes.append("R-REINSP: monitoring cannot finish inside the R-WIN window; "
                       "re-inspection treated as overdue")
        reference = add_months(b.start, -b.config.window.cycle_months
                               - b.config.window.tolerance_months - 1)
    # R-REINSP from the visits already made; R-FV-GAP from focused visits since.
    not_before, rule = max((d, r) for d, r in (
        (b.start, "R-REINSP"), (fv_clear, "R-FV-GAP"),
        (clear_of(visits, m.reinspect_after_weeks, b.config), "R-REINSP")) if d)
    _plan_graded(b, "STD", reference, not_before, after_visits, rule,
                 close_is_soft=bool(remaining))


def _plan_engagement(b: _Builder, reference: date | None, weeks_count: int) -> None:
    """R-AEM: one annual engagement meeting per programme year, near the anniversary."""
    e = b.config.engagement
    anchor = reference or b.start
    for year in range(-(-weeks_count // 52)):
        year_start = b.start + _weeks(52 * year)
        year_end = min(year_start + _weeks(52) - timedelta(days=1), b.end)
        anniversary = date(year_start.year, anchor.month, min(anchor.day, 28))
        while anniversary < year_start:
            anniversary = date(anniversary.year + 1, anniversary.month, anniversary.day)
        if anniversary > year_end:
            anniversary = year_end
        earliest = max(year_start, anniversary - _weeks(e.window_weeks))
        latest = min(year_end, anniversary + _weeks(e.window_weeks))
        if latest < earliest + timedelta(days=6):
            continue
        b.add(f"AEM{year + 1}", "AEM", earliest=earliest, earliest_rule="R-AEM",
              latest=latest, latest_rule="R-AEM", target=anniversary)


def plan_la(la: LocalAuthority, dataset: Dataset, config: Config, start: date,
            weeks_count: int, calendar: Calendar) -> LaPlan:
    """Everything one LA needs in the horizon, from its history."""
    end = start + _weeks(weeks_count) - timedelta(days=1)
    history = dataset.history_of(la.la_code)
    graded = [e for e in history if e.graded]
    b = _Builder(la, config, start, end)
    last = max(graded, key=lambda e: last_fieldwork_day(e, config)) if graded else None
    if last is None:
        b.notes.append("R-PATH: no graded inspection on record; a standard inspection "
                       "is due as early as possible")
        _plan_graded(b, "STD", add_months(start, -config.window.cycle_months
                                          - config.window.tolerance_months - 1),
                     start, (), "R-OVERDUE")
        _plan_engagement(b, None, weeks_count)
        return LaPlan(la, 2, None, None, tuple(b.needs), tuple(b.notes))
    reference = last_fieldwork_day(last, config)
    pathway = pathway_of(last, config)
    if pathway == 3:
        _plan_monitoring(b, last, reference, history, calendar)
    else:
        _plan_visits(b, pathway, reference, history)
    _plan_engagement(b, reference, weeks_count)
    return LaPlan(la, pathway, last, reference, tuple(b.needs), tuple(b.notes))
