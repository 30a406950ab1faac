"""A lower bound that keeps the couplings the regional relaxations together overuse.

Each region's relaxation (scheduler/decompose.py, step 3) counts on the whole of the national
resources, so the sum of their bounds ignores that, say, eight regions want the six RI
inspectors on the same two days of the first week. This module charges for it, as a
*resource-directive* bound:

- a *cluster* is a set of shared resources (scheduler/couplings.py keys: days and weeks of
  the pools, the country's people per day) the relaxations together overuse, joined where
  one event draws on both; its capacity is the sum of theirs, less what fixed events take.
  Any programme keeps, in each cluster, the regions' total use within that capacity;
- ``g_r(k)``, region r's relaxation with its use of the cluster held to at most k, is
  bounded below by solving that relaxation (one more linear constraint) at a few levels of
  k: "for k <= t, g_r(k) >= b". Between the levels known, the bound takes the level above;
- the national optimum is then at least the cheapest way to share each cluster's capacity
  among the regions, each region paying its largest increase over its plain relaxation
  (a small model, solved exactly). The levels are refined where that cheapest sharing
  leans on a region's deepest known level, while the time lasts.

Every step keeps the bound valid: a level's bound is CP-SAT's proven bound, even when the
solve stops early, and the sharing problem is solved to optimality (or not used).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.calendar import weeks_between
from scheduler.couplings import Key, capacities, fixed_use, overused, plan_use, row_use
from scheduler.export import event_row
from scheduler.model import BuiltModel
from scheduler.problem import Problem
from scheduler.region_solve import RelaxationModels
from scheduler.rooms import Chosen
from scheduler.solve import apply_parameters, with_limit

INFINITE = float("inf")
MIN_SOLVE = 0.2  # deterministic seconds: less than this left, no further solve


@dataclass
class Cluster:
    """Shared resources the relaxations together overuse, and their national capacity."""

    keys: frozenset[Key]
    capacity: int
    use: dict[str, int]  # region -> what its relaxation draws on the cluster

    @property
    def excess(self) -> int:
        return sum(self.use.values()) - self.capacity


@dataclass
class Levels:
    """What is known of g_r(k) for one region and cluster: for k <= t, g_r(k) >= b."""

    relaxed: float  # the plain relaxation's bound: g_r(k) >= relaxed for every k
    known: list[tuple[int, float]] = field(default_factory=list)  # (t, b), t falling

    def floor(self, level: int) -> int:
        """The least use consistent with ``level`` being the deepest that applies."""
        return self.known[level][0] + 1 if level < len(self.known) else 0

    def bound(self, level: int) -> float:
        """g_r's bound at ``level`` (0: the plain relaxation)."""
        return self.known[level - 1][1] if level else self.relaxed


@dataclass
class SharedBound:
    """The bound's rise over the sum of the relaxations, and what it measured."""

    rise: float
    clusters: int
    solves: int
    deterministic_time: float


def contested_clusters(problem: Problem, relaxed: dict[str, Chosen]) -> list[Cluster]:
    """The clusters of resources (days and weeks; a quarter would take in most events) the
    relaxations ``relaxed`` (region -> plan) together overuse."""
    caps, fixed = capacities(problem), fixed_use(problem)
    uses = {(region, need_id): use for region, plan in relaxed.items()
            for need_id, use in plan_use(problem, plan).items()}
    over = overused(problem, uses.values())
    groups: list[set[Key]] = []
    for use in uses.values():  # join the overused keys one event draws on together
        touched = over & use.keys()
        if not touched:
            continue
        joined = [g for g in groups if g & touched]
        merged = set(touched).union(*joined)
        groups = [g for g in groups if not g & touched] + [merged]
    clusters = []
    for keys in sorted(groups, key=lambda g: (min(map(_first_day, g)), sorted(g))):
        use: Counter[str] = Counter()
        for (region, _), drawn in uses.items():
            use[region] += sum(drawn[k] for k in keys if k in drawn)
        capacity = sum(caps[k] - fixed[k] for k in keys)
        clusters.append(Cluster(frozenset(keys), capacity, dict(+use)))
    return [c for c in clusters if c.excess > 0]


def _weeks_of(cluster: Cluster) -> set[int]:
    return {_first_day(key) // 7 for key in cluster.keys}


def _span(problem: Problem, kind: str, week: int) -> set[int]:
    """The weeks an event noticed in ``week`` may draw on resources: notice to publication."""
    fp = problem.footprint(kind, week)
    last = fp.publication_due or fp.fieldwork_end
    return set(range(week, weeks_between(problem.start, last) + 1))


def _first_day(key: Key) -> int:
    kind, _, index = key
    return index if kind == "day" else 7 * index  # type: ignore[operator, return-value]


class _RegionModel:
    """One region's relaxation with, per cluster, its use held to at most a cap."""

    def __init__(self, problem: Problem, region: str, clusters: list[Cluster],
                 plan: Chosen, built: BuiltModel):
        self.built = built
        self.built.hint_with(plan)
        self.use: dict[int, cp_model.LinearExprT] = {}
        self.caps: dict[int, tuple[cp_model.IntVar, int]] = {}
        mine = [(index, c) for index, c in enumerate(clusters) if region in c.use]
        weeks = set().union(*(_weeks_of(c) for _, c in mine)) if mine else set()
        terms: dict[int, list[cp_model.LinearExprT]] = {index: [] for index, _ in mine}
        for need_id, variables in self.built.context.x.items():
            for (kind, week), var in variables.items():
                if not _span(problem, kind, week) & weeks:
                    continue
                drawn = row_use(problem, event_row(problem, need_id, kind, week))
                for index, cluster in mine:
                    weight = sum(drawn[k] for k in cluster.keys if k in drawn)
                    if weight:
                        terms[index].append(weight * var)
        for index, cluster in mine:
            top = sum(cluster.use.values())
            cap = self.built.model.new_int_var(0, top, f"cluster {index} cap")
            self.use[index] = sum(terms[index])
            self.built.model.add(self.use[index] <= cap)
            self.caps[index] = cap, top

    def hold(self, cluster: int | None = None, limit: int = 0) -> None:
        """Hold the use of ``cluster`` to at most ``limit``, of every other cluster to its
        top: what any national programme keeps anyway (a region uses at most a cluster's
        capacity, below the relaxations' total use). None: every cap at its top."""
        for index, (cap, top) in self.caps.items():
            domain = self.built.model.proto.variables[cap.index].domain
            domain[0], domain[1] = 0, limit if index == cluster else top

    def solve(self, cluster: int, limit: int, params: dict[str, object]
              ) -> tuple[float, int | None, float]:
        """The relaxation's bound with its use of ``cluster`` at most ``limit``: the bound
        (infinite if there is no such plan), the use of the plan found (None if none) and
        the deterministic time spent."""
        self.hold(cluster, limit)
        solver = cp_model.CpSolver()
        apply_parameters(solver, params)
        status = solver.solve(self.built.model)
        spent = solver.response_proto.deterministic_time
        if status == cp_model.INFEASIBLE:
            return INFINITE, None, spent
        used = (int(solver.value(self.use[cluster]))
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None)
        return solver.best_objective_bound, used, spent


def cheapest_sharing(clusters: list[Cluster], levels: dict[tuple[str, int], Levels]
                     ) -> tuple[float, set[tuple[str, int]]] | None:
    """The least total rise over the plain relaxations at which every cluster's use fits
    its capacity, each region paying its largest rise over the clusters, with what is
    known of each g_r; and the (region, cluster) pairs whose choice rests on their deepest
    known level below the use it is known for (where a solve could raise the bound). None
    if no sharing fits (the levels are then wrong: cannot happen for a feasible problem)."""
    model = cp_model.CpModel()
    pays: dict[str, cp_model.IntVar] = {}
    chosen: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    uses: dict[tuple[str, int], cp_model.IntVar] = {}
    ceiling = 1 + int(sum(b for lv in levels.values() for _, b in lv.known if b < INFINITE))
    for (region, index), lv in sorted(levels.items()):
        top_use = clusters[index].use[region]
        pay = pays.setdefault(region, model.new_int_var(0, ceiling, f"pays {region}"))
        use = model.new_int_var(0, top_use, f"use {region} {index}")
        options = []
        for level in range(len(lv.known) + 1):
            rise = lv.bound(level) - lv.relaxed
            if rise == INFINITE:
                continue
            pick = model.new_bool_var(f"{region} {index} level {level}")
            top = lv.known[level - 1][0] if level else top_use
            model.add(use >= lv.floor(level)).only_enforce_if(pick)
            model.add(use <= top).only_enforce_if(pick)
            model.add(pay >= max(0, int(rise))).only_enforce_if(pick)
            options.append(pick)
        model.add_exactly_one(options)
        chosen[(region, index)], uses[(region, index)] = options, use
    for index, cluster in enumerate(clusters):
        model.add(sum(u for (_, j), u in uses.items() if j == index) <= cluster.capacity)
    weight = 1 + sum(c.use[r] for c in clusters for r in c.use)
    model.minimize(weight * sum(pays.values()) - sum(uses.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if solver.solve(model) != cp_model.OPTIMAL:
        return None
    leaning = set()
    for key, options in chosen.items():
        lv = levels[key]
        deepest = options[-1]
        top = lv.known[-1][0] if lv.known else clusters[key[1]].use[key[0]]
        if solver.boolean_value(deepest) and solver.value(uses[key]) < top and (
                not lv.known or lv.known[-1][1] < INFINITE):
            leaning.add(key)
    return float(sum(solver.value(p) for p in pays.values())), leaning


def shared_bound(problem: Problem, plans: dict[str, Chosen], bounds: dict[str, float],
                 params: dict[str, object], budget: float, enough: float = INFINITE,
                 progress: Callable[[float], None] | None = None,
                 relaxations: RelaxationModels | None = None) -> SharedBound:
    """The rise over the sum of the relaxations' ``bounds`` (region -> bound) that keeping
    the overused couplings proves, from the relaxations' ``plans``, within ``budget``
    deterministic seconds (``params``: the CP-SAT parameters of each solve), or until it
    has risen by ``enough``; ``progress(rise)`` after each round; ``relaxations``: the
    regions' relaxation models, if built already (each gets its caps added). The earliest
    clusters first (overdue LAs compete for the first weeks), the smallest regions first
    within a cluster, the time a solve leaves passed on to the next."""
    clusters = contested_clusters(problem, plans)
    levels = {(region, index): Levels(bounds[region])
              for index, cluster in enumerate(clusters) for region in cluster.use}
    limits = {key: clusters[key[1]].use[key[0]] - 1 for key in levels}
    size = {region: len(plan) for region, plan in plans.items()}
    relaxations = relaxations or RelaxationModels(problem)
    models: dict[str, _RegionModel] = {}
    spent, solves = 0.0, 0
    shared = cheapest_sharing(clusters, levels)
    while shared and shared[0] < enough and budget - spent >= MIN_SOLVE:
        todo = sorted((k for k in shared[1] if limits[k] >= 0),
                      key=lambda k: (k[1], size[k[0]], k[0]))
        if not todo:
            break
        todo = [k for k in todo if k[1] == todo[0][1]]  # one cluster at a time
        for done, (region, index) in enumerate(todo):
            if budget - spent < MIN_SOLVE:
                break
            if region not in models:
                models[region] = _RegionModel(problem, region, clusters, plans[region],
                                              relaxations(region))
            limit, lv = limits[(region, index)], levels[(region, index)]
            bound, used, seconds = models[region].solve(
                index, limit, with_limit(params, (budget - spent) / (len(todo) - done)))
            spent += seconds
            solves += 1
            if bound <= lv.bound(len(lv.known)):  # nothing proven in the time: leave it
                limits[(region, index)] = -1
                continue
            lv.known.append((limit, bound))
            limits[(region, index)] = (limit if used is None else used) - 1  # used <= limit
        shared = cheapest_sharing(clusters, levels)
        if shared and progress:
            progress(shared[0])
    for model in models.values():  # the models may serve again: no cap held lower
        model.hold()
    return SharedBound(shared[0] if shared else 0.0, len(clusters), solves, spent)
