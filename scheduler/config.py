"""Rule parameters, demand table, weights and solver settings, loaded from TOML.

`defaults.toml` beside this file holds every default of RULES.md; a user's file is
merged over it key by key. Unknown keys and values of the wrong type are refused
with a message naming the file and the key.
"""

from __future__ import annotations

import math
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.calendar import WEEKDAYS
from scheduler.errors import InputError, InputProblem
from scheduler.io import decoded_text, suggestion

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
EVENT_KINDS = ("STD", "SHT", "FV", "MV", "JTAI", "AEM")
GRADED = ("STD", "SHT")


@dataclass(frozen=True)
class EventSpec:
    """Footprint, demand and milestones of one kind of event (week 0 = notice week)."""

    notice_working_days: int
    onsite_weeks: list[int]
    onsite_weekdays: list[str]
    demand_first_week: int
    demand: list[int]
    demand_small: list[int]
    specialists: dict[str, int]
    draft_working_days: int
    final_working_days: int
    publication_working_days: int
    history_fieldwork_days: int

    @property
    def weekday_numbers(self) -> list[int]:
        return [WEEKDAYS.index(day) for day in self.onsite_weekdays]

    @property
    def fieldwork_offset(self) -> int:
        """Weeks from the notice week to the first on-site week."""
        return min(self.onsite_weeks)

    @property
    def onsite_span(self) -> int:
        """Weeks from the first on-site week to the last (0 for one week on site)."""
        return max(self.onsite_weeks) - min(self.onsite_weeks)

    def demand_by_offset(self, small: bool) -> dict[int, int]:
        """Inspector-days per week offset from week 0."""
        days = self.demand_small if small else self.demand
        return {self.demand_first_week + i: d for i, d in enumerate(days) if d}


@dataclass(frozen=True)
class History:
    published_after_fieldwork_days: int


@dataclass(frozen=True)
class Pathway:
    inadequate_includes_leaders: bool


@dataclass(frozen=True)
class Window:
    cycle_months: int
    tolerance_months: int


@dataclass(frozen=True)
class Xmas:
    onsite_events: list[str]
    onsite_from: str
    onsite_to: str
    notify_events: list[str]
    notify_from: str
    notify_to: str
    all_onsite_from: str
    all_onsite_to: str


@dataclass(frozen=True)
class August:
    month: int
    barred_events: list[str]
    by_agreement_events: list[str]


@dataclass(frozen=True)
class Easter:
    onsite_events: list[str]
    weeks_before: int  # Monday-to-Sunday weeks ending on Easter Sunday
    weeks_after: int  # Monday-to-Sunday weeks starting on Easter Monday


@dataclass(frozen=True)
class Summer:
    onsite_events: list[str]
    onsite_from: str
    onsite_to: str


@dataclass(frozen=True)
class FocusedVisits:
    pathway1: int
    pathway2: int
    gap_weeks: int
    next_cycle_latest_weeks: int


@dataclass(frozen=True)
class Jtai:
    max_per_year: int
    slots_per_year: int
    eligible_pathways: list[int]


@dataclass(frozen=True)
class Monitoring:
    action_plan_working_days: int
    first_visit_within_weeks: int
    min_visits: int
    max_visits: int
    max_per_year: int
    max_per_year_with_send: int
    min_gap_weeks: int
    reinspect_after_weeks: int


@dataclass(frozen=True)
class Clash:
    min_gap_weeks: int
    soft_up_to_weeks: int
    events: list[str]


@dataclass(frozen=True)
class Engagement:
    window_weeks: int
    gap_weeks: int


@dataclass(frozen=True)
class Capacity:
    regional_roles: list[str]
    pool_roles: list[str]
    quarterly_share: bool
    quarter_weeks: int  # weeks of a whole quarter, for the pro-rata share
    lending: bool


@dataclass(frozen=True)
class Weights:
    target_week: int
    overdue_week: int
    clash_week: int
    smooth_day: int
    lending_day: int
    jtai_shortfall: int
    engagement_week: int
    missed_visit: int
    unstaffed_event: int
    fairness_point: int
    lead_change: int
    move_week: int
    relax_rule: int


@dataclass(frozen=True)
class TeamSpec:
    """R-ASSIGN, R-TEAM: who one kind of event needs and the days each of them works. The
    lists follow ``events.<kind>.demand`` week by week and add up to it."""

    size: int  # social care inspectors (HMI, SHMI), the lead included
    size_small: int  # R-TEAM: for a small LA
    team_weekdays: list[list[str]]  # per demand week: the days every team member works
    lead_weekdays: list[list[str]]  # per demand week: the lead's own days (set-up)
    lead_report_days: list[int]  # per demand week: the lead's report writing, any days
    extra_weekdays: list[str]  # an extra social care HMI in the first on-site week
    specialist_weekdays: dict[str, list[str]]  # pool role -> days in the first on-site week


@dataclass(frozen=True)
class Assignment:
    window_weeks: int  # events are staffed window by window (by first on-site week)
    time_limit_seconds: float  # per staffing model (one region, the pools, the lending pass)
    absolute_gap: int  # a model stops when its objective is this close to its bound
    workers: int  # CP-SAT workers per staffing model (the models are small)
    replan_rounds: int  # rounds of repair of what the staffing could not fill
    avoid_unstaffable_weeks: bool  # the first stage leaves out weeks nobody could staff
    daily_headcount: bool  # the first stage counts people (and leads) per day, not only days


@dataclass(frozen=True)
class ScenarioSettings:
    """What-if scenarios, re-planning and explanations (scenarios/, scheduler/explain.py)."""

    explain_time_limit_seconds: float
    explain_max_conflicts: int
    explain_max_events: int
    score_top_payers: int
    judgement_rates_weeks: int
    defer_weeks: int
    sweep_time_limit_seconds: float
    local_replan: bool  # with a baseline, plan again only the regions the edits touch
    local_solver_parameters: dict[str, object]  # CP-SAT parameters of a local re-plan
    move_radius_weeks: int  # a re-plan moves events no edit names at most this far


@dataclass(frozen=True)
class Smoothing:
    threshold_percent: int


@dataclass(frozen=True)
class Solver:
    time_limit_seconds: float
    workers: int
    seed: int
    relative_gap_limit: float
    deterministic: bool
    log_progress: bool
    decompose: bool
    parameters: dict[str, object]  # further CP-SAT parameters by name
    regional_parameters: dict[str, object]  # CP-SAT parameters of the regional models
    polish_radius_weeks: int  # the national model around the regions' plan (0: none)
    shared_bound_share: float  # of the time limit, for the bound across the couplings
    bound_parameters: dict[str, object]  # CP-SAT parameters of the solves for the bound


@dataclass(frozen=True)
class Limits:
    """What the input may ask for at most (refused before any model is built)."""

    max_horizon_weeks: int


@dataclass(frozen=True)
class Config:
    """Everything a user can change without touching code."""

    events: dict[str, EventSpec]
    history: History
    pathway: Pathway
    window: Window
    xmas: Xmas
    august: August
    easter: Easter
    summer: Summer
    focused_visits: FocusedVisits
    jtai: Jtai
    monitoring: Monitoring
    clash: Clash
    engagement: Engagement
    capacity: Capacity
    teams: dict[str, TeamSpec]
    assignment: Assignment
    weights: Weights
    scenario: ScenarioSettings
    smoothing: Smoothing
    solver: Solver
    limits: Limits
    sources: list[str] = field(default_factory=list)

    def spec(self, kind: str) -> EventSpec:
        return self.events[kind]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _check_type(value: Any, hint: Any, where: str, problems: list[str]) -> Any:
    """``value`` as ``hint`` asks for; each mismatch is appended to ``problems``."""
    origin = typing.get_origin(hint)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is object:  # checked where it is used (e.g. CP-SAT parameters in _validate)
        return value
    if hint in (int, float, str, bool):
        if type(value) is not hint:
            problems.append(f"{where}: expected {hint.__name__}, got {value!r}")
        return value
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list, got {value!r}")
            return value
        return [_check_type(v, item, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a table, got {value!r}")
            return value
        return {k: _build(item, v, f"{where}.{k}", problems) for k, v in value.items()}
    if origin in (types.UnionType, typing.Union):
        raise TypeError(f"unsupported type {hint}")
    return _build(hint, value, where, problems)


def _build(cls: Any, data: Any, where: str, problems: list[str]) -> Any:
    """A ``cls`` from a TOML table; every unknown, missing or mistyped key is appended to
    ``problems`` (None where a table cannot be built)."""
    if not is_dataclass(cls):
        return _check_type(data, cls, where, problems)
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a table")
        return None
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.name != "sources"}
    for key in sorted(set(data) - known):
        problems.append(f"{where or 'top level'}: unknown key {key!r}{suggestion(key, known)}")
    missing = sorted(known - set(data))
    problems += [f"{where or 'top level'}: missing key {name!r}" for name in missing]
    values = {name: _check_type(data[name], hints[name], f"{where}.{name}".lstrip("."),
                                problems) for name in known & set(data)}
    return None if missing else cls(**values)


def set_sat_parameters(message: Any, params: dict[str, object]) -> None:
    """Set CP-SAT parameters on a SatParameters message from a plain dict (lists extend
    repeated fields)."""
    for key, value in params.items():
        if isinstance(value, list | tuple):
            getattr(message, key).extend(value)
        else:
            setattr(message, key, value)


def _sat_parameter_problems(config: Config) -> Iterator[str]:
    """Every CP-SAT parameter table names real parameters with valid values."""
    from ortools.sat import sat_parameters_pb2

    known = sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name
    for where, table in (("solver.parameters", config.solver.parameters),
                         ("solver.regional_parameters", config.solver.regional_parameters),
                         ("solver.bound_parameters", config.solver.bound_parameters),
                         ("scenario.local_solver_parameters",
                          config.scenario.local_solver_parameters)):
        for name, value in table.items():
            if name not in known:
                yield f"{where}.{name}: not a CP-SAT parameter"
                continue
            try:
                set_sat_parameters(sat_parameters_pb2.SatParameters(), {name: value})
            except (TypeError, ValueError, AttributeError) as error:
                yield f"{where}.{name}: {value!r} is not a valid value ({error})"


def _range_problems(config: Config) -> Iterator[str]:
    """Numbers outside the range they make sense in."""
    if config.solver.polish_radius_weeks < 0:
        yield "solver.polish_radius_weeks: must be 0 or more"
    if not 0 <= config.solver.shared_bound_share <= 1:
        yield "solver.shared_bound_share: must be between 0 and 1"
    for name, weight in vars(config.weights).items():
        if weight < 0:
            yield f"weights.{name}: weights must be non-negative integers"
    for where, seconds in (("solver.time_limit_seconds", config.solver.time_limit_seconds),
                           ("assignment.time_limit_seconds",
                            config.assignment.time_limit_seconds),
                           ("scenario.explain_time_limit_seconds",
                            config.scenario.explain_time_limit_seconds),
                           ("scenario.sweep_time_limit_seconds",
                            config.scenario.sweep_time_limit_seconds)):
        if not 0 < seconds < math.inf:
            yield f"{where}: {seconds} is not a number of seconds above 0"
    if config.monitoring.min_visits > config.monitoring.max_visits:
        yield "monitoring.min_visits: more than monitoring.max_visits"
    if config.solver.workers < 1:
        yield "solver.workers: at least 1"
    if config.capacity.quarter_weeks < 1:
        yield "capacity.quarter_weeks: at least 1"
    if config.assignment.window_weeks < 1 or config.assignment.workers < 1:
        yield "assignment.window_weeks, assignment.workers: at least 1"
    if config.limits.max_horizon_weeks < 1:
        yield "limits.max_horizon_weeks: at least 1"


def _event_problems(config: Config) -> Iterator[str]:
    missing = [k for k in EVENT_KINDS if k not in config.events]
    if missing:
        yield f"events: no table for {', '.join(missing)}"
    for kind, spec in config.events.items():
        if kind not in EVENT_KINDS:
            yield f"events.{kind}: unknown event kind (known: {', '.join(EVENT_KINDS)})"
        bad = [d for d in spec.onsite_weekdays if d not in WEEKDAYS[:5]]
        if bad:
            yield f"events.{kind}.onsite_weekdays: {bad[0]!r} is not Mon..Fri"
        if not spec.onsite_weeks:
            yield f"events.{kind}.onsite_weeks: at least one on-site week"


def _season_problems(config: Config) -> Iterator[str]:
    """R-XMAS, R-SUMMER, R-EASTER: dates of the year as MM-DD, weeks 0 or more."""
    for section, keys in (("xmas", ("onsite_from", "onsite_to", "notify_from", "notify_to",
                                     "all_onsite_from", "all_onsite_to")),
                          ("summer", ("onsite_from", "onsite_to"))):
        for key in keys:
            text = getattr(getattr(config, section), key)
            try:
                date.fromisoformat(f"2000-{text}")
            except ValueError:
                yield f"{section}.{key}: {text!r} is not MM-DD"
    if config.easter.weeks_before < 0 or config.easter.weeks_after < 0:
        yield "easter.weeks_before, easter.weeks_after: 0 or more"


def _validate(config: Config) -> list[str]:
    """Every value of a well-typed configuration that is out of range or inconsistent."""
    problems: list[str] = []
    for check in (_sat_parameter_problems, _range_problems, _event_problems, _season_problems,
                  _team_problems):
        try:
            for problem in check(config):
                problems.append(problem)
        except ValueError as error:  # a check that stops at its first problem
            problems.append(str(error))
    return problems


def _team_problems(config: Config) -> Iterator[str]:
    """R-ASSIGN and R-CAP must agree: each week, the days of the team table add up to the
    inspector-days of the demand table. The first problem of each kind's table."""
    for kind in sorted(set(config.teams) - set(config.events)):
        yield f"teams.{kind}: unknown event kind"
    for kind, spec in config.events.items():
        team = config.teams.get(kind)
        if team is None:
            yield f"teams: no table for {kind}"
            continue
        try:
            _validate_team(kind, spec, team)
        except ValueError as error:
            yield str(error)


def _validate_team(kind: str, spec: EventSpec, team: TeamSpec) -> None:
    """One kind's team table against its demand table; ValueError at the first problem."""
    where = f"teams.{kind}"
    lists = (team.team_weekdays, team.lead_weekdays, team.lead_report_days)
    if any(len(values) != len(spec.demand) for values in lists):
        raise ValueError(f"{where}: team_weekdays, lead_weekdays and lead_report_days need "
                         f"one entry per week of events.{kind}.demand ({len(spec.demand)})")
    days = [*team.extra_weekdays, *(d for ds in team.specialist_weekdays.values() for d in ds),
            *(d for ds in team.team_weekdays + team.lead_weekdays for d in ds)]
    bad = [d for d in days if d not in WEEKDAYS[:5]]
    if bad:
        raise ValueError(f"{where}: {bad[0]!r} is not Mon..Fri")
    if {k: len(v) for k, v in team.specialist_weekdays.items()} != spec.specialists:
        raise ValueError(f"{where}.specialist_weekdays: one day per day of "
                         f"events.{kind}.specialists {spec.specialists}")
    onsite = spec.fieldwork_offset - spec.demand_first_week
    for size, demand, label in ((team.size, spec.demand, "demand"),
                                (team.size_small, spec.demand_small, "demand_small")):
        for i, needed in enumerate(demand):
            total = (size * len(team.team_weekdays[i]) + len(team.lead_weekdays[i])
                     + team.lead_report_days[i] + (len(team.extra_weekdays) if i == onsite
                                                   else 0))
            if total != needed:
                raise ValueError(f"{where}: {total} inspector-days in week "
                                 f"{spec.demand_first_week + i}, events.{kind}.{label} says "
                                 f"{needed}")
    for i, (everyone, lead) in enumerate(zip(team.team_weekdays, team.lead_weekdays,
                                             strict=True)):
        if set(everyone) & set(lead):
            raise ValueError(f"{where}: lead_weekdays repeat team_weekdays in week "
                             f"{spec.demand_first_week + i}")
    if min(team.size, team.size_small) < 1:
        raise ValueError(f"{where}: a team has at least one inspector (the lead)")


def _read_layer(path: Path, problems: list[InputProblem]) -> dict[str, Any] | None:
    """One configuration file's tables (None if it cannot be read)."""
    try:
        return tomllib.loads(decoded_text(path, str(path)))
    except InputError as exc:
        problems.extend(exc.problems)
    except tomllib.TOMLDecodeError as exc:
        problems.append(InputProblem(str(path), None, None, "config", f"not valid TOML: {exc}"))
    return None


def load_config(*paths: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then each TOML file in turn, then ``overrides`` (a nested dict). InputError
    lists every problem: each file's unknown, missing or mistyped keys (each file checked
    over the defaults), then every value out of range in the merged settings (named after
    the last of them)."""
    defaults = tomllib.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))
    problems: list[InputProblem] = []
    layers = [(str(path), _read_layer(Path(path), problems)) for path in paths]
    layers += [("overrides", overrides)] if overrides else []
    data, sources = defaults, [str(DEFAULTS_PATH)]
    for source, layer in layers:
        if layer is None:
            continue
        found: list[str] = []
        _build(Config, _merge(defaults, layer), "", found)
        problems += [InputProblem(source, None, None, "config", message) for message in found]
        data = _merge(data, layer)
        sources += [source] if source != "overrides" else []
    if problems:
        raise InputError(problems)
    found = []
    config = _build(Config, data, "", found)
    found = found or _validate(config)
    if found:
        last = layers[-1][0] if layers else str(DEFAULTS_PATH)
        raise InputError([InputProblem(last, None, None, "config", message) for message in found])
    return Config(**{**vars(config), "sources": sources})
