"""R-PIN, R-DEFER: a scenario made into a planning problem. The baseline programme gives each
event's week; events notified before the re-plan date, or agreed (a pin edit, a baseline
status of fixed or agreed), are pinned; deferrals hold events back; the baseline is the
solver's starting point (hint). An event pinned in its baseline week is held there even
where the rules now refuse it, its capacity included (constraints/stability.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from constraints.stability import hold_capacity
from scenarios.edits import Refused, Workspace, apply_edits
from scenarios.spec import Edit, Scenario, past_deferrals
from scheduler.config import load_config
from scheduler.domain import Dataset
from scheduler.errors import InputError
from scheduler.io import read_dataset
from scheduler.pathways import Need
from scheduler.problem import Deferral, Placement, Problem
from scheduler.programme import ProgrammeRow, read_programme_csv
from scheduler.validate import dataset_problems

AGREED_STATUSES = ("fixed", "agreed")


@dataclass
class Prepared:
    """A scenario ready to solve: the problem (with pins, deferrals and baseline), the
    base problem and baseline rows to compare with, and what each edit touched."""

    scenario: Scenario
    problem: Problem
    base_problem: Problem
    baseline_rows: list[ProgrammeRow]
    workspace: Workspace

    @property
    def hint(self) -> dict[tuple[str, str, int], int]:
        """The baseline as a CP-SAT hint: (need_id, kind, notice week) -> 1."""
        problem = self.problem
        return {(need_id, base.kind, problem.weeks.index(base.fieldwork_start)
                 - problem.config.spec(base.kind).fieldwork_offset): 1
                for need_id, base in problem.baseline.items()}

    def baseline_key(self, row: ProgrammeRow) -> str | None:
        """The need_id a baseline row has in the scenario (None: superseded or no need)."""
        if not row.need_id or row.la_code in self.workspace.superseded:
            return None
        code = self.workspace.renamed.get(row.la_code)
        return row.need_id.replace(row.la_code, code, 1) if code else row.need_id


def _read_baseline(scenario: Scenario) -> list[ProgrammeRow]:
    if scenario.baseline is None:
        return []
    if not scenario.baseline.is_file():
        raise InputError([scenario.problem(
            f"no baseline programme at {scenario.baseline} (write one with `ilacs plan`)",
            column="baseline")])
    return read_programme_csv(scenario.baseline)


def _baseline_placements(prepared: Prepared) -> tuple[dict[str, Placement],
                                                      dict[str, Placement]]:
    """(baseline, pins) by need_id: every comparable baseline event, and those notified
    before the re-plan date or agreed."""
    problem, replan = prepared.problem, prepared.scenario.replan_date
    baseline, pins = {}, {}
    for row in prepared.baseline_rows:
        key = prepared.baseline_key(row)
        if key is None or key not in problem.need_by_id:
            continue
        baseline[key] = Placement(row.event, row.fieldwork_start, "baseline")
        notified = row.notify_date or row.fieldwork_start
        if replan and notified < replan:
            pins[key] = Placement(row.event, row.fieldwork_start,
                                  f"notified {notified}, before the re-plan date {replan}")
        elif row.status in AGREED_STATUSES:
            pins[key] = Placement(row.event, row.fieldwork_start, f"{row.status} in the baseline")
    return baseline, pins


def _select(prepared: Prepared, edit: Edit, code: str) -> list[Need]:
    """The LA's needs an edit's ``event`` names: a kind, an event_id or need_id, or a suffix
    such as FV1; all of them (but meetings, for a deferral) where it names none."""
    needs = [n for n in prepared.problem.needs if n.la_code == code]
    chosen = edit.get("event")
    if chosen is None:
        return [n for n in needs if edit.type == "pin" or n.kind != "AEM"]
    base = prepared.problem.baseline
    found = [n for n in needs if chosen in (n.kind, n.need_id, n.need_id.split("-", 1)[1])
             or chosen == n.need_id.replace("-FV", "-JTAI")
             or (n.need_id in base and base[n.need_id].kind == chosen)]
    if not found:
        la = prepared.problem.dataset.las[code]
        raise prepared.workspace.refuse(edit, "event", f"no event {chosen!r} is due for "
                                        f"{la.name} (due: {', '.join(n.need_id for n in needs)})")
    return found


def _pin(prepared: Prepared, edit: Edit, pinned_by: dict[str, Edit]) -> None:
    problem, ws = prepared.problem, prepared.workspace
    needs = _select(prepared, edit, ws.la(edit))
    start: date | None = edit.get("start")
    if start is not None and len(needs) > 1:
        raise ws.refuse(edit, "start", "a start date pins one event; name it with event "
                                       f"(matches: {', '.join(n.need_id for n in needs)})")
    if start is None:
        needs = [n for n in needs if n.need_id in problem.baseline]
        if not needs:
            raise ws.refuse(edit, "event", "nothing to pin to: the baseline has no date for "
                                           "this event (give start, or a baseline)")
    reason = edit.get("reason", f"agreed ({edit.label})")
    for need in needs:
        base = problem.baseline.get(need.need_id)
        kind = base.kind if base and start is None else (
            edit.get("event") if edit.get("event") in problem.kinds_for(need) else need.kind)
        pin = Placement(kind, start or base.fieldwork_start, reason)  # type: ignore[union-attr]
        held = problem.pins.get(need.need_id)
        if held and problem.weeks.index(held.fieldwork_start) != problem.weeks.index(
                pin.fieldwork_start):
            earlier = pinned_by.get(need.need_id)
            raise ws.refuse(edit, "start", f"{need.need_id} is already pinned to the week of "
                                           f"{held.fieldwork_start} ("
                                           f"{earlier.label if earlier else held.reason})")
        problem.pins[need.need_id] = pin
        pinned_by[need.need_id] = edit


def _defer(prepared: Prepared, edit: Edit, pinned_by: dict[str, Edit]) -> None:
    """R-DEFER: granted after notification and before fieldwork, so it lifts a pin that
    only notification set; it cannot move an event already on site."""
    problem, ws, replan = prepared.problem, prepared.workspace, prepared.scenario.replan_date
    not_before: date = edit.get("not_before")
    needs = _select(prepared, edit, ws.la(edit))
    named = edit.get("event") is not None
    for need in needs:
        base = problem.baseline.get(need.need_id)
        started = bool(base and replan and base.fieldwork_start < replan)
        if started and named:
            raise ws.refuse(edit, "event", f"{need.need_id} was on site from "
                                           f"{base.fieldwork_start}, before the re-plan date "  # type: ignore[union-attr]
                                           f"{replan}: it cannot be deferred")
        if started:
            continue
        if need.need_id in problem.deferrals:
            raise ws.refuse(edit, "event", f"{need.need_id} is already deferred "
                                           f"({problem.deferrals[need.need_id].reason})")
        pin = problem.pins.get(need.need_id)
        if need.need_id in pinned_by and pin and pin.fieldwork_start < not_before:
            raise ws.refuse(edit, "not_before", f"{need.need_id} is pinned to "
                                                f"{pin.fieldwork_start} by "
                                                f"{pinned_by[need.need_id].label}, before "
                                                f"{not_before}")
        if need.need_id not in pinned_by:
            problem.pins.pop(need.need_id, None)
        problem.deferrals[need.need_id] = Deferral(
            not_before, f"{edit.label}{': ' + edit.get('reason') if edit.get('reason') else ''}")


PROBLEM_EDITS = {"pin": _pin, "defer": _defer}


def _keep_notified_weeks(problem: Problem, base: Dataset, ws: Workspace) -> None:
    """R-CAP: staffing edits bind from the re-plan date's week on. The weeks before it hold
    events already notified, which nobody can move: there each inspector keeps the
    baseline's fte and inspection_share (their leave: `Workspace.from_replan`), so a re-plan
    never fails on weeks nobody can change."""
    if ws.replanned_from is not None:
        problem.replan_week = problem.weeks.index(ws.replanned_from)
        problem.kept_inspectors = dict(base.inspectors)


def prepare(scenario: Scenario) -> Prepared:
    """Apply the scenario to its dataset and baseline; InputError names every refused edit
    by scenario file, edit and field."""
    base_dataset = read_dataset(scenario.data)
    baseline_rows = _read_baseline(scenario)
    ws, config = apply_edits(scenario, base_dataset)
    refused = (past_deferrals(scenario, base_dataset.programme_start)
               + dataset_problems(base_dataset, config))
    if refused:
        raise InputError(refused)
    if baseline_rows and "decompose" not in ws.overrides.get("solver", {}):
        # One national model, warm-started from the baseline: regional JTAI quotas
        # (scheduler.decompose) need not agree with the JTAIs the baseline pins.
        config = replace(config, solver=replace(config.solver, decompose=False))
    problem = Problem.build(ws.dataset, config)
    _keep_notified_weeks(problem, base_dataset, ws)
    base_problem = Problem.build(base_dataset, load_config())
    prepared = Prepared(scenario, problem, base_problem, baseline_rows, ws)
    baseline, pins = _baseline_placements(prepared)
    problem.baseline.update(baseline)
    problem.pins.update(pins)
    pinned_by: dict[str, Edit] = {}
    problems = []
    for edit in scenario.edits:
        if edit.type in PROBLEM_EDITS:
            try:
                PROBLEM_EDITS[edit.type](prepared, edit, pinned_by)
            except Refused as exc:
                problems.append(exc.problem)
    if problems:
        raise InputError(problems)
    hold_capacity(problem)
    return prepared
