"""The CP-SAT model under construction, as the constraint families see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ortools.sat.python import cp_model

from scheduler.pathways import LaPlan, Need
from scheduler.problem import Problem


@dataclass(frozen=True)
class Penalty:
    """A soft term: ``weight * expr`` charged to ``rule`` for ``subject`` (a need or region)."""

    rule: str
    subject: str
    weight: int
    expr: cp_model.LinearExprT


Room = tuple[list[int], dict[tuple[int, int], int]]  # tenths per week, per quarter


@dataclass(frozen=True)
class Scope:
    """The part of the national problem one model covers.

    National (``region`` None): every LA, with the national couplings (specialist pools,
    lending within what other regions have spare, the JTAI cap). Regional: one region's LAs;
    its JTAI count is capped by ``jtai_quota`` (per programme year; what it falls short costs;
    None: only by the national cap, at no cost, a relaxation for a lower bound),
    and pool and lending use are capped by what the rest of the country leaves (``pool_room``,
    ``lend_room``: tenths of inspector-days per week and per quarter; ``day_room``: people
    per day, scheduler/headcount.py), or unbounded if None.
    """

    region: str | None = None
    jtai_quota: dict[int, int] | None = None
    pool_room: dict[str, Room] | None = None  # role -> room
    lend_room: Room | None = None
    day_room: dict[str, list[int]] | None = None  # people or role -> spare per day

    @property
    def national(self) -> bool:
        return self.region is None


@dataclass
class ModelContext:
    """The model under construction and the queries constraint families use."""

    problem: Problem
    explain: bool = False
    scope: Scope = field(default_factory=Scope)
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    # need_id -> {(kind, week): Boolean}
    x: dict[str, dict[tuple[str, int], cp_model.IntVar]] = field(default_factory=dict)
    present: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    guards: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    # week -> rules excluding it, for each (need, kind); only the weeks considered (all the
    # rules in explain mode, else the first that excludes it: scheduler/model.py)
    exclusions: dict[tuple[str, str], dict[int, list[str]]] = field(default_factory=dict)
    # (region, week) -> whole inspector-days the region borrows that week (R-LEND)
    borrowed: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)

    @cached_property
    def plans(self) -> list[LaPlan]:
        """The plans of the LAs in scope."""
        return [plan for plan in self.problem.plans.values()
                if self.scope.national or plan.la.region == self.scope.region]

    @cached_property
    def needs(self) -> list[Need]:
        """The needs of the LAs in scope."""
        return [need for plan in self.plans for need in plan.needs]

    @cached_property
    def regions(self) -> list[str]:
        return list(self.problem.dataset.regions) if self.scope.national else [self.scope.region]

    def guard(self, rule: str, scope: str) -> list[cp_model.IntVar]:
        """Enforcement literals for a hard constraint: none normally, one per (rule, scope)
        in explain mode."""
        if not self.explain:
            return []
        key = (rule, scope)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"enable {rule} {scope}")
        return [self.guards[key]]

    def placements(self, need_id: str) -> dict[tuple[str, int], cp_model.IntVar]:
        return self.x.get(need_id, {})

    def fieldwork_week(self, need_id: str, absent_week: int | None = None) -> cp_model.LinearExpr:
        """The need's first on-site week; ``absent_week`` where the need is not placed."""
        terms = [(week + self.problem.config.spec(kind).fieldwork_offset) * var
                 for (kind, week), var in self.placements(need_id).items()]
        expr = sum(terms) if terms else 0
        if absent_week is not None:
            expr += absent_week * (1 - self.present[need_id])
        return expr  # type: ignore[return-value]
