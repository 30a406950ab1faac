"""A local re-plan: only the regions a scenario touches are planned again.

An edit touches an LA (new judgements, a deferral, a pin to a new date, area SEND dates, a
merger), a region (an inspector's leave, joining or leaving, its capacity) or everything (a
rule parameter, a change to the RI or EDU pool). Every event of a region nothing touched is
held in its baseline week (`Problem.frozen`), so the model is the touched regions' events
and the national couplings with the rest fixed: far smaller, and "moves only the events it
has to" holds by construction. Within the regions planned again, an event of an LA no edit
names (not deferred or pinned either) stays within `scenario.move_radius_weeks` of its
baseline week (`Problem.anchored`): moving it further costs more than it saves almost always,
and the model is several times smaller. Where either limit leaves no programme, the runner
drops it and plans again (scenarios/runner.py).
"""

from __future__ import annotations

from dataclasses import replace

from scenarios.replan import Prepared


def touched_regions(prepared: Prepared) -> set[str] | None:
    """Regions the scenario's edits reach; None where an edit reaches everything."""
    ws, problem = prepared.workspace, prepared.problem
    if ws.global_edits:
        return None
    regions = set(problem.dataset.regions)
    touched: set[str] = set()
    for name in ws.touched_regions:
        if name not in regions:
            return None  # a national pool: every region draws on it
        touched.add(name)
    for code in ws.touched_las:
        la = ws.dataset.las.get(code) or prepared.base_problem.dataset.las.get(code)
        if la is not None:
            touched.add(la.region)
    for need_id in problem.deferrals:
        touched.add(problem.region_of(problem.need_by_id[need_id].la_code))
    for need_id, pin in problem.pins.items():
        base = problem.baseline.get(need_id)
        if base is None or (base.kind, base.fieldwork_start) != (pin.kind, pin.fieldwork_start):
            touched.add(problem.region_of(problem.need_by_id[need_id].la_code))
    return touched


def freeze_untouched(prepared: Prepared) -> set[str] | None:
    """Hold every event of the untouched regions in its baseline week (an optional event
    the baseline left out stays out); return the touched regions (None: all)."""
    problem = prepared.problem
    touched = touched_regions(prepared)
    if touched is None or not prepared.baseline_rows:
        return None
    problem.frozen.update(problem.held_outside(problem.baseline, touched))
    config = problem.config
    problem.config = replace(config, solver=replace(config.solver, parameters={
        **config.solver.parameters, **config.scenario.local_solver_parameters}))
    return touched


def anchor_unedited(prepared: Prepared) -> None:
    """Keep each event of an LA no edit names, and neither deferred nor pinned, within
    ``scenario.move_radius_weeks`` of its baseline week (0: no limit)."""
    problem = prepared.problem
    if not problem.config.scenario.move_radius_weeks:
        return
    named = set(prepared.workspace.touched_las)
    for need in problem.needs:
        need_id = need.need_id
        base = problem.baseline.get(need_id)
        if (base is None or need_id in problem.frozen or need.la_code in named
                or need_id in problem.deferrals or need_id in problem.pins):
            continue
        problem.anchored[need_id] = base.fieldwork_start
