"""Scenario edits applied to the in-memory dataset and configuration (never to files).

Each edit type names its fields, its rule id (for messages) and a function that changes a
`Workspace`. Edits that concern placed events (defer, pin) need the planning problem and the
baseline; they are resolved in `scenarios.replan` after these.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from scenarios.spec import Edit, Scenario, ScenarioProblem
from scheduler.calendar import monday_of
from scheduler.config import Config, load_config
from scheduler.domain import ROLES, AreaSend, Dataset, FixedJtai, Inspector, Leave, PastEvent
from scheduler.errors import InputError

GRADED_HISTORY = ("STD", "SHT", "SIF")
CALENDAR_MARGIN_DAYS = 3 * 365  # leave before a joiner's start: as far back as the calendar


class Refused(Exception):
    """An edit cannot be applied; carries the problem to report."""

    def __init__(self, problem: ScenarioProblem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Workspace:
    """The dataset and configuration while edits are applied, and what each edit touched
    (the diff gives these as the reason an event moved)."""

    scenario: Scenario
    dataset: Dataset
    overrides: dict[str, Any] = field(default_factory=dict)
    touched_las: dict[str, list[Edit]] = field(default_factory=lambda: defaultdict(list))
    touched_regions: dict[str, list[Edit]] = field(default_factory=lambda: defaultdict(list))
    global_edits: list[Edit] = field(default_factory=list)
    superseded: dict[str, Edit] = field(default_factory=dict)  # old la_code -> edit
    renamed: dict[str, str] = field(default_factory=dict)  # old la_code -> merged la_code
    merged_away: dict[str, Edit] = field(default_factory=dict)

    def refuse(self, edit: Edit, column: str | None, message: str,
               rule: str | None = None) -> Refused:
        return Refused(self.scenario.problem(message, rule or EDIT_TYPES[edit.type].rule, edit,
                                             column))

    def la(self, edit: Edit, column: str = "la", value: str | None = None) -> str:
        """An LA code from a code or a name (any case)."""
        text = value if value is not None else edit.get(column)
        las = self.dataset.las
        if text in las:
            return text
        by_name = {la.name.casefold(): code for code, la in las.items()}
        if text.casefold() in by_name:
            return by_name[text.casefold()]
        if text in self.merged_away:
            gone = self.merged_away[text]
            raise self.refuse(edit, column, f"{text!r} was merged away by {gone.label}")
        close = difflib.get_close_matches(text, [la.name for la in las.values()], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise self.refuse(edit, column, f"unknown LA {text!r} (not a la_code or name in "
                                        f"local_authorities.csv){hint}")

    def inspector(self, edit: Edit, column: str = "inspector") -> Inspector:
        inspector_id = edit.get(column)
        if inspector_id not in self.dataset.inspectors:
            raise self.refuse(edit, column, f"unknown inspector {inspector_id!r} (not in "
                                            "inspectors.csv)")
        return self.dataset.inspectors[inspector_id]

    def change(self, **fields: Any) -> None:
        self.dataset = replace(self.dataset, **fields)

    @property
    def horizon_end(self) -> date:
        return self.dataset.programme_start + timedelta(weeks=self.dataset.horizon_weeks)

    def touch_capacity(self, edit: Edit, person: Inspector) -> None:
        self.touched_regions[person.region or person.role].append(edit)

    @property
    def replanned_from(self) -> date | None:
        """The Monday of the re-plan date's week: staffing edits bind from it on; the weeks
        before it (notified, held) keep the baseline's capacity (`Problem.replan_week`)."""
        replan = self.scenario.replan_date
        return monday_of(replan) if replan else None

    def from_replan(self, day: date) -> date:
        """``day``, or the first re-planned day if it is earlier."""
        first = self.replanned_from
        return max(day, first) if first else day


def _leave(ws: Workspace, edit: Edit) -> None:
    """R-CAP: an inspector is away from start (or the re-plan date's week) to end."""
    person = ws.inspector(edit)
    start, end = edit.get("start"), edit.get("end")
    if end < start:
        raise ws.refuse(edit, "end", f"leave ends {end}, before it starts {start}")
    start = ws.from_replan(start)
    if end < start:
        raise ws.refuse(edit, "end", f"leave ends {end}, before the re-plan date's week "
                                     f"({start}): the weeks before it keep the baseline's "
                                     "capacity")
    ws.change(leave=(*ws.dataset.leave, Leave(person.inspector_id, start, end,
                                              edit.get("reason", "scenario leave"))))
    ws.touch_capacity(edit, person)


def _share(ws: Workspace, edit: Edit) -> None:
    """R-CAP: an inspector's inspection_share (and/or fte) changes from the re-plan date's
    week on (scenarios.replan keeps the weeks before it)."""
    person = ws.inspector(edit)
    if "inspection_share" not in edit.fields and "fte" not in edit.fields:
        raise ws.refuse(edit, "inspection_share", "give inspection_share, fte or both")
    changed = replace(person, inspection_share=edit.get("inspection_share",
                                                        person.inspection_share),
                      fte=edit.get("fte", person.fte))
    ws.change(inspectors={**ws.dataset.inspectors, person.inspector_id: changed})
    ws.touch_capacity(edit, person)


def _inspector_join(ws: Workspace, edit: Edit) -> None:
    """R-CAP: a new inspector, available from a date (not before the re-plan date's week)."""
    inspector_id = edit.get("inspector")
    if inspector_id in ws.dataset.inspectors:
        raise ws.refuse(edit, "inspector", f"inspector {inspector_id!r} already exists")
    role, region = edit.get("role"), edit.get("region", "")
    if role not in ROLES:
        raise ws.refuse(edit, "role", f"unknown role {role!r} (known: {', '.join(ROLES)})")
    if region and region not in ws.dataset.regions:
        raise ws.refuse(edit, "region", f"unknown region {region!r}")
    if not region and role in ("HMI", "SHMI"):
        raise ws.refuse(edit, "region", f"a {role} needs a home region")
    person = Inspector(inspector_id, edit.get("name", inspector_id), region, role,
                       edit.get("fte", 1.0), edit.get("inspection_share"),
                       edit.get("can_lead", True))
    joins = ws.from_replan(edit.get("from"))
    before = Leave(inspector_id, ws.dataset.programme_start - timedelta(days=CALENDAR_MARGIN_DAYS),
                   joins - timedelta(days=1), "not yet joined")
    ws.change(inspectors={**ws.dataset.inspectors, inspector_id: person},
              leave=ws.dataset.leave + ((before,) if before.end >= before.start else ()))
    ws.touch_capacity(edit, person)


def _inspector_leave(ws: Workspace, edit: Edit) -> None:
    """R-CAP: an inspector leaves the service from a date (or the re-plan date's week)."""
    person = ws.inspector(edit)
    leaves = ws.from_replan(edit.get("from"))
    end = max(leaves, ws.horizon_end + timedelta(days=CALENDAR_MARGIN_DAYS))
    ws.change(leave=(*ws.dataset.leave, Leave(person.inspector_id, leaves, end,
                                              edit.get("reason", "left the service"))))
    ws.touch_capacity(edit, person)


def _capacity(ws: Workspace, edit: Edit) -> None:
    """R-CAP: every inspector of a region (or a national pool: RI, EDU) has ``factor``
    times their inspection_share (at most all their time): the quarterly inspector-days
    scale, while each person's working week (R-ASSIGN) stays whole. From the re-plan date's
    week on: scenarios.replan keeps the weeks before it."""
    name, factor = edit.get("region"), edit.get("factor")
    group = [p for p in ws.dataset.inspectors.values()
             if (p.region == name) or (not p.region and p.role == name)]
    if not group:
        raise ws.refuse(edit, "region", f"no region or national pool {name!r} (regions: "
                                        f"{', '.join(ws.dataset.regions)}; pools: RI, EDU)")
    scaled = {p.inspector_id: replace(p, inspection_share=min(1.0, p.inspection_share * factor))
              for p in group}
    ws.change(inspectors={**ws.dataset.inspectors, **scaled})
    ws.touched_regions[name].append(edit)


def _judgement(ws: Workspace, edit: Edit) -> None:
    """R-PATH: the LA's graded inspection ending on ``date`` gave these judgements; its
    pathway, next inspection and visits follow from the rules (scheduler.pathways). The
    LA's baseline events are superseded: the inspection and what came before are history."""
    code = ws.la(edit)
    kind, day = edit.get("event", "STD"), edit.get("date")
    if kind not in GRADED_HISTORY:
        raise ws.refuse(edit, "event", f"{kind!r} is not a graded inspection "
                                       f"({', '.join(GRADED_HISTORY)})")
    judgements = {c: edit.get(c) for c in ("overall", "leaders", "help_protection",
                                          "children_in_care", "care_leavers") if edit.get(c)}
    if "leaders" not in judgements and "overall" not in judgements:
        raise ws.refuse(edit, "leaders", "give leaders (impact of leaders) or overall")
    if day > ws.horizon_end:
        raise ws.refuse(edit, "date", f"{day} is after the programme ends ({ws.horizon_end})")
    previous = [e for e in ws.dataset.history_of(code) if e.graded and e.known_date >= day]
    if previous:
        raise ws.refuse(edit, "date", f"{ws.dataset.las[code].name}'s graded inspection of "
                                      f"{previous[-1].known_date} is later; these judgements "
                                      "would not be its latest")
    row = PastEvent(code, kind, None, day, edit.get("published"), judgements, "scenario")
    ws.change(history=(*ws.dataset.history, row))
    ws.superseded[code] = edit
    ws.touched_las[code].append(edit)


def _dated_rows(ws: Workspace, edit: Edit, rows: tuple, make: Callable[[date, date], Any]
                ) -> tuple:
    """Add a planned row of another programme, or move the one starting ``move_from``."""
    code = ws.la(edit)
    start = edit.get("start")
    end = edit.get("end", start + timedelta(days=4))
    if end < start:
        raise ws.refuse(edit, "end", f"fieldwork ends {end}, before it starts {start}")
    new = make(start, end)
    moved = edit.get("move_from")
    if moved is None:
        ws.touched_las[code].append(edit)
        return (*rows, new)
    planned = [r for r in rows if r.la_code == code and r.status == "planned"]
    match = [r for r in planned if r.fieldwork_start == moved]
    if not match:
        dates = ", ".join(str(r.fieldwork_start) for r in planned) or "none"
        raise ws.refuse(edit, "move_from", f"no planned row of {ws.dataset.las[code].name} "
                                           f"starts {moved} (planned: {dates})")
    ws.touched_las[code].append(edit)
    return tuple(new if r is match[0] else r for r in rows)


def _area_send(ws: Workspace, edit: Edit) -> None:
    """R-CLASH: a planned area SEND inspection added or moved."""
    kind = edit.get("kind", "full")
    if kind not in ("full", "monitoring"):
        raise ws.refuse(edit, "kind", f"{kind!r} is not full or monitoring")
    code = ws.la(edit)
    rows = _dated_rows(ws, edit, ws.dataset.area_send,
                       lambda s, e: AreaSend(code, kind, "planned", s, e))
    ws.change(area_send=rows)


def _jtai(ws: Workspace, edit: Edit) -> None:
    """R-JTAI-CAP, R-CLASH: a planned JTAI added or moved."""
    code = ws.la(edit)
    rows = _dated_rows(ws, edit, ws.dataset.jtai,
                       lambda s, e: FixedJtai(code, "planned", s, e, edit.get("theme", "")))
    ws.change(jtai=rows)


def _merge(ws: Workspace, edit: Edit) -> None:
    """Local government reorganisation: two or more LAs become one. The new LA keeps the
    history (so the pathway) of ``history_from`` (default: the first); the other
    programmes (area SEND, JTAI) and conflicts of interest of all of them."""
    codes = [ws.la(edit, "las", text) for text in edit.get("las")]
    if len(set(codes)) != len(codes) or len(codes) < 2:
        raise ws.refuse(edit, "las", "a merge needs two or more different LAs "
                                     "(an LA cannot merge into itself)")
    into = edit.get("into", codes[0])
    if into in ws.dataset.las and into not in codes:
        raise ws.refuse(edit, "into", f"{into!r} is an existing LA that is not being merged")
    keeper = ws.la(edit, "history_from") if "history_from" in edit.fields else codes[0]
    if keeper not in codes:
        raise ws.refuse(edit, "history_from", f"{keeper!r} is not one of the merged LAs")
    las = [ws.dataset.las[c] for c in codes]
    regions = {la.region for la in las}
    region = edit.get("region") or (regions.pop() if len(regions) == 1 else None)
    if region is None or region not in ws.dataset.regions:
        raise ws.refuse(edit, "region", "the LAs are in different regions; give the region "
                                        f"of the new LA (one of {', '.join(ws.dataset.regions)})")
    merged = replace(ws.dataset.las[keeper], la_code=into, region=region,
                     name=edit.get("name", " and ".join(la.name for la in las)),
                     small=all(la.small for la in las))
    recode = {c: into for c in codes}
    d = ws.dataset
    ws.change(
        las={**{c: la for c, la in d.las.items() if c not in codes}, into: merged},
        history=tuple(replace(e, la_code=into) if e.la_code == keeper else e
                      for e in d.history if e.la_code not in codes or e.la_code == keeper),
        area_send=tuple(replace(r, la_code=recode.get(r.la_code, r.la_code))
                        for r in d.area_send),
        jtai=tuple(replace(r, la_code=recode.get(r.la_code, r.la_code)) for r in d.jtai),
        conflicts=tuple(replace(r, la_code=recode.get(r.la_code, r.la_code))
                        for r in d.conflicts))
    for code in codes:
        if code != keeper:
            ws.superseded[code] = edit
        if code != into:
            ws.merged_away[code] = edit
    if keeper != into:
        ws.renamed[keeper] = into
    ws.touched_las[into].append(edit)


def nested(key: str, value: Any) -> dict[str, Any]:
    """{"a": {"b": value}} from "a.b"."""
    tree: dict[str, Any] = {}
    node = tree
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return tree


def merge_tables(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = merge_tables(base[key], value) if both else value
    return merged


def _parameter(ws: Workspace, edit: Edit) -> None:
    """A rule parameter or weight changed, as `[config]` would (keys of defaults.toml)."""
    overrides = merge_tables(ws.overrides, nested(edit.get("key"), edit.get("value")))
    try:
        load_config(overrides=overrides)
    except InputError as exc:
        raise ws.refuse(edit, "key", "; ".join(p.message for p in exc.problems)) from None
    ws.overrides = overrides
    ws.global_edits.append(edit)


def _needs_problem(ws: Workspace, edit: Edit) -> None:
    """defer and pin: the LA is checked now, the event once the problem is built."""
    ws.touched_las[ws.la(edit)].append(edit)


@dataclass(frozen=True)
class EditType:
    rule: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    apply: Callable[[Workspace, Edit], None]


EDIT_TYPES: dict[str, EditType] = {
    "defer": EditType("R-DEFER", ("la", "not_before"), ("event", "reason"), _needs_problem),
    "pin": EditType("R-PIN", ("la",), ("event", "start", "reason"), _needs_problem),
    "leave": EditType("R-CAP", ("inspector", "start", "end"), ("reason",), _leave),
    "share": EditType("R-CAP", ("inspector",), ("inspection_share", "fte"), _share),
    "inspector_join": EditType("R-CAP", ("inspector", "role", "from", "inspection_share"),
                               ("name", "region", "fte", "can_lead"), _inspector_join),
    "inspector_leave": EditType("R-CAP", ("inspector", "from"), ("reason",), _inspector_leave),
    "capacity": EditType("R-CAP", ("region", "factor"), (), _capacity),
    "judgement": EditType("R-PATH", ("la", "date"),
                          ("event", "published", "overall", "leaders", "help_protection",
                           "children_in_care", "care_leavers"), _judgement),
    "area_send": EditType("R-CLASH", ("la", "start"), ("end", "kind", "move_from"), _area_send),
    "jtai": EditType("R-JTAI-CAP", ("la", "start"), ("end", "theme", "move_from"), _jtai),
    "merge": EditType("R-PATH", ("las",), ("into", "name", "history_from", "region"), _merge),
    "parameter": EditType("config", ("key", "value"), (), _parameter),
}


def apply_edits(scenario: Scenario, dataset: Dataset) -> tuple[Workspace, Config]:
    """The scenario's dataset and configuration; InputError lists every refused edit."""
    ws = Workspace(scenario, dataset)
    problems = []
    try:
        load_config(overrides=scenario.config or None)
        ws.overrides = dict(scenario.config)
    except InputError as exc:
        problems += [scenario.problem(p.message, "config", column="config")
                     for p in exc.problems]
    for edit in scenario.edits:
        try:
            EDIT_TYPES[edit.type].apply(ws, edit)
        except Refused as exc:
            problems.append(exc.problem)
    if problems:
        raise InputError(problems)
    return ws, load_config(overrides=ws.overrides or None)
