"""The decomposition's last step: the national model, around the combined programme, where
the regions compete.

Solved one at a time, the regions share the national couplings first come, first served. A
region solved early takes the last RI of the pool on a day for an inspection that could as
well go a week later; a region solved later then waits a week with an overdue LA (R-OVERDUE,
200 a week). No region alone can make that trade, and the national model is too large to
solve whole. So the national model is solved on a neighbourhood: an event may move up to
``solver.polish_radius_weeks`` if the regional relaxations (step 3) place it elsewhere, or
if it draws, in the programme or in the relaxations, on a day or week of a national resource
that the relaxations together overuse (scheduler/couplings.py). Every other event is held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from ortools.sat.python import cp_model

from scheduler.couplings import overused, plan_use
from scheduler.model import build_model
from scheduler.problem import Placement, Problem
from scheduler.rooms import Chosen
from scheduler.solve import apply_parameters


def contested_events(problem: Problem, chosen: Chosen, relaxed: Chosen) -> set[str]:
    """Need ids free to move: placed differently by the relaxations, or drawing on a day or
    week of a shared resource the relaxations together overuse (a quarter would free nearly
    every event in it)."""
    relaxed_use = plan_use(problem, relaxed)
    contested = overused(problem, relaxed_use.values())
    free = {need_id for need_id, placed in chosen.items() if relaxed.get(need_id) != placed}
    free |= {need_id for need_id in relaxed if need_id not in chosen}
    free |= {need_id for need_id, use in relaxed_use.items() if contested & use.keys()}
    free |= {need_id for need_id, use in plan_use(problem, chosen).items()
             if contested & use.keys()}
    return free


@dataclass
class Polished:
    """The programme the polish found, its soft terms, and what it measured."""

    chosen: Chosen
    costs: list[tuple[str, str, int]]
    free_events: int
    status: str
    deterministic_time: float

    @property
    def objective(self) -> int:
        return sum(c for _, _, c in self.costs)


def polish(problem: Problem, chosen: Chosen, relaxed: Chosen, params: dict[str, object]
           ) -> Polished | None:
    """The best programme in the neighbourhood of ``chosen`` (module docstring), or None if
    the solve found nothing (``chosen`` itself is in it, as the hint)."""
    free = contested_events(problem, chosen, relaxed)
    placed = {need_id: Placement(kind, problem.footprint(kind, week).fieldwork_start)
              for need_id, (kind, week) in chosen.items()}
    with _around(problem, problem.held_outside(placed, set(), free),
                 {need_id: placed[need_id].fieldwork_start for need_id in free
                  if need_id in placed}):
        built = build_model(problem)
    built.hint_with(chosen)
    solver = cp_model.CpSolver()
    apply_parameters(solver, params)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Polished(built.chosen(solver), built.costs(solver), len(free),
                    solver.status_name(status),
                    solver.response_proto.deterministic_time)


@contextmanager
def _around(problem: Problem, held: dict[str, Placement | None],
            anchored: dict[str, date]) -> Iterator[None]:
    """``held`` frozen and ``anchored`` within the polish radius, for the duration."""
    saved = problem.frozen, problem.anchored, problem.config
    problem.frozen, problem.anchored = held, anchored
    radius = problem.config.solver.polish_radius_weeks
    problem.config = replace(problem.config, scenario=replace(problem.config.scenario,
                                                              move_radius_weeks=radius))
    try:
        yield
    finally:
        problem.frozen, problem.anchored, problem.config = saved
