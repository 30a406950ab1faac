"""What the pages show, as DataFrames: read from a programme folder and its dataset through
the core API (io, problem, utilisation, why, workload, ics), derived with plain pandas.

Readers are cached per `Source`, whose key holds the files' modification times, so a new
solve or an edited dataset is read again; derivations are pure functions of frames.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st

from scenarios.replan import prepare
from scenarios.spec import load_scenario
from scheduler.config import GRADED, load_config
from scheduler.export import KIND_NAMES, lent_events
from scheduler.ics import inspector_calendar, region_calendar
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.programme import COLUMNS, ProgrammeRow, read_programme_csv
from scheduler.utilisation import weekly_use as core_weekly_use
from scheduler.why import Why, why_planned
from scheduler.workload import workload_table

EVENT_ORDER = ("STD", "SHT", "FV", "JTAI", "MV", "AEM")
DATE_COLUMNS = ("notify_date", "fieldwork_start", "fieldwork_end", "draft_report_due",
                "final_report_due", "publication_due", "window_open", "window_close")
UK_DATE = "%d/%m/%Y"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def uk(day: date | pd.Timestamp | None) -> str:
    """A date as dd/mm/yyyy ("" for none)."""
    return "" if day is None or pd.isna(day) else day.strftime(UK_DATE)


def uk_text(text: str) -> str:
    """Every ISO date in a sentence (the checker's, the solver's) as dd/mm/yyyy."""
    return _ISO_DATE.sub(r"\3/\2/\1", text)


class Source(NamedTuple):
    """A programme folder and its dataset; ``stamp`` (file versions) keys the caches."""

    out: str
    data: str
    stamp: tuple[int, ...]


def source_of(out: Path, data: Path) -> Source:
    files = [out / "programme.csv", out / "run.json", data / "dataset.toml",
             *sorted(data.glob("*.csv"))]
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)
    return Source(str(out.resolve()), str(data.resolve()), stamp)


def has_programme(source: Source) -> bool:
    """Whether ``ilacs plan`` has written a programme there (run.json is written last)."""
    return all((Path(source.out) / name).is_file() for name in ("programme.csv", "run.json"))


# --- cached readers ---------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def run_record(source: Source) -> dict:
    """run.json of the programme ({} if there is none)."""
    path = Path(source.out) / "run.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _scenario_file(run: dict) -> Path | None:
    """The scenario file a `scenario run` recorded in run.json (None for `ilacs plan`)."""
    scenario = run.get("scenario")
    return Path(scenario["file"]) if scenario else None


def _scenario_problem(recorded: dict[str, str]) -> Problem:
    """A scenario run's problem rebuilt as `ilacs scenario run` built it: the scenario file
    (its dataset, [config] and edits) applied against the baseline it recorded."""
    scenario = load_scenario(recorded["file"])
    baseline = recorded.get("baseline")
    return prepare(replace(scenario, baseline=Path(baseline) if baseline else None)).problem


@st.cache_resource(show_spinner="Reading the dataset")
def problem(source: Source) -> Problem:
    """The problem the programme was planned for: a scenario run's as `scenario run` built
    it, else its dataset with the configuration files, start and horizon in run.json.
    InputError if a recorded scenario no longer applies."""
    run = run_record(source)
    scenario = _scenario_file(run)
    if scenario is not None and scenario.is_file():
        return _scenario_problem(run["scenario"])
    configs = [Path(p) for p in run.get("config_files", []) if Path(p).is_file()]
    start = run.get("programme_start")
    return Problem.build(read_dataset(Path(source.data)), load_config(*configs),
                         date.fromisoformat(start) if start else None, run.get("horizon_weeks"))


def warnings(source: Source) -> list[str]:
    """What to say before the programme: why the dataset, configuration or scenario read may
    differ from the ones the plan used, and the rules a relaxed programme breaks by name."""
    run = run_record(source)
    found = [f"The plan used the configuration file {p}, which is not found here; defaults "
             "are used instead." for p in run.get("config_files", []) if not Path(p).is_file()]
    scenario = _scenario_file(run)
    if scenario is not None and not scenario.is_file():
        found.append(f"The programme was re-planned from the scenario file {scenario}, which "
                     "is not found here; its dataset's defaults are used instead.")
    relaxed = run.get("relaxed_rules") or []
    if relaxed:
        found.append("No programme meets every hard rule: this one (exit code 3) breaks only "
                     "the rules named per event in its `relaxed` column: "
                     + "; ".join(f"{rule} for {scope}" for rule, scope in relaxed) + ".")
    recorded = run.get("input_hash")
    if recorded and recorded != problem(source).dataset.input_hash:
        found.append(f"The dataset in {source.data} has changed since this programme was "
                     "planned (its input hash differs from run.json).")
    return found


@st.cache_resource(show_spinner="Reading the programme")
def rows(source: Source) -> list[ProgrammeRow]:
    return read_programme_csv(Path(source.out) / "programme.csv")


def _text_frame(source: Source) -> pd.DataFrame:
    """programme.csv as read and validated by the core, every value as written."""
    return pd.DataFrame([row.as_csv() for row in rows(source)], columns=list(COLUMNS))


@st.cache_data(show_spinner=False)
def programme_frame(source: Source) -> pd.DataFrame:
    """programme.csv as read and validated by the core, dates as timestamps; lent_from is
    the teams' or, in a draft (blank there, R-LEND), where capacity implies lending."""
    frame = _with_dates(_text_frame(source), DATE_COLUMNS)
    lent = lent_events(problem(source), rows(source))
    frame["lent_from"] = [lent.get(event_id, "") for event_id in frame["event_id"]]
    return frame


def _with_dates(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column].replace("", None), errors="coerce")
    return frame


@st.cache_data(show_spinner="Adding up inspector-days")
def weekly_use(source: Source) -> pd.DataFrame:
    """Inspector-days used and available per region and week (scheduler.utilisation)."""
    frame = core_weekly_use(problem(source), rows(source))
    frame["monday"] = pd.to_datetime(frame["monday"])
    return frame


@st.cache_data(show_spinner="Looking at the weeks before each event")
def why(source: Source, la_code: str) -> list[Why]:
    return why_planned(problem(source), rows(source), la_code, fmt=uk)


@st.cache_data(show_spinner=False)
def filtered_csv(source: Source, regions: tuple[str, ...], first: date, last: date) -> bytes:
    """programme.csv (same columns, ISO dates) of the events the filters keep."""
    kept = filter_frame(programme_frame(source), list(regions), first, last)["event_id"]
    raw = _text_frame(source)
    return raw[raw["event_id"].isin(set(kept))].to_csv(index=False).encode("utf-8")


def file_stem(name: str) -> str:
    """A name as a safe file name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


# --- the national picture -----------------------------------------------------------------

def between(frame: pd.DataFrame, first: date, last: date, start: str = "fieldwork_start",
            end: str = "fieldwork_end") -> pd.DataFrame:
    """Rows whose ``start`` to ``end`` (by default the on-site days) overlap [first, last]."""
    return frame[(frame[end] >= pd.Timestamp(first)) & (frame[start] <= pd.Timestamp(last))]


def filter_frame(frame: pd.DataFrame, regions: list[str], first: date, last: date
                 ) -> pd.DataFrame:
    """Events of the regions whose on-site days overlap [first, last]."""
    return between(frame[frame["region"].isin(regions)], first, last)


def programme_years(problem: Problem) -> list[tuple[date, date]]:
    """First and last day of each programme year (52-week blocks from the start)."""
    weeks = problem.weeks
    count = -(-weeks.count // 52)
    return [(weeks.monday(52 * y), min(weeks.monday(52 * (y + 1)) - timedelta(days=1), weeks.end))
            for y in range(count)]


def current_year(years: list[tuple[date, date]], today: date) -> int:
    """The programme year holding ``today`` (the first before the start, the last after)."""
    for index, (_, last) in enumerate(years):
        if today <= last:
            return index
    return len(years) - 1


def events_by_type(frame: pd.DataFrame, first: date, last: date) -> pd.Series:
    """How many events of each type start on site in [first, last]."""
    starts = frame["fieldwork_start"]
    inside = frame[(starts >= pd.Timestamp(first)) & (starts <= pd.Timestamp(last))]
    counts = inside["event"].value_counts()
    return pd.Series({kind: int(counts.get(kind, 0)) for kind in EVENT_ORDER}, dtype=int)


def overdue_las(frame: pd.DataFrame) -> pd.DataFrame:
    """LAs with an overdue event (R-OVERDUE), with the planned date of that event."""
    overdue = frame[frame["status"] == "overdue"].sort_values("fieldwork_start")
    return overdue.drop_duplicates("la_code")[["la_code", "la_name", "region", "event",
                                               "fieldwork_start", "window_close"]]


def near_edge(frame: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Graded inspections (not overdue) planned less than ``weeks`` from an end of their
    R-WIN window."""
    graded = frame[frame["event"].isin(GRADED) & (frame["status"] != "overdue")
                   & frame["window_open"].notna() & frame["window_close"].notna()].copy()
    graded["weeks_after_open"] = (graded["fieldwork_start"] - graded["window_open"]).dt.days // 7
    graded["weeks_before_close"] = (graded["window_close"] - graded["fieldwork_start"]).dt.days // 7
    edge = graded[(graded["weeks_after_open"] < weeks) | (graded["weeks_before_close"] < weeks)]
    return edge[["la_code", "la_name", "region", "event", "fieldwork_start", "window_open",
                 "window_close", "weeks_after_open", "weeks_before_close"]]


def kpis(frame: pd.DataFrame, run: dict, edge_weeks: int, first: date, last: date
         ) -> dict[str, float]:
    """The headline figures of a programme (also compared in what-if scenarios)."""
    gap = run.get("gap")
    return {
        "events this programme year": int(events_by_type(frame, first, last).sum()),
        "overdue LAs": len(overdue_las(frame)),
        "LAs near a window edge": int(near_edge(frame, edge_weeks)["la_code"].nunique()),
        "events with lending": int((frame["lent_from"] != "").sum()),
        "objective": float(run.get("objective") or 0),
        "gap %": round(100 * gap, 2) if gap is not None else float("nan"),
    }


def borrowed_days(use: pd.DataFrame) -> float:
    """Inspector-days used beyond a region's own weekly capacity (lent by others, R-LEND)."""
    return float((use["used_days"] - use["capacity_days"]).clip(lower=0).sum())


def monthly_use(use: pd.DataFrame) -> pd.DataFrame:
    """Per region and calendar month (of each week's Monday): days used, available, % used."""
    months = use.assign(month=use["monday"].dt.to_period("M").dt.to_timestamp())
    grouped = months.groupby(["region", "month"], as_index=False)[
        ["used_days", "capacity_days", "leave_days"]].sum()
    grouped["use_percent"] = (100 * grouped["used_days"]
                              / grouped["capacity_days"].where(grouped["capacity_days"] > 0))
    return grouped


# --- a region and its LAs -----------------------------------------------------------------

def gantt_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """Each event as bars: notice (notification to first on-site day), on site, report
    (to publication); ``end`` is exclusive."""
    one_day = pd.Timedelta(days=1)
    parts = []
    for phase, start, end in (
            ("notice", frame["notify_date"], frame["fieldwork_start"]),
            ("on site", frame["fieldwork_start"], frame["fieldwork_end"] + one_day),
            ("report", frame["fieldwork_end"] + one_day, frame["publication_due"] + one_day)):
        part = frame[["la_name", "event_id", "event", "status"]].assign(
            phase=phase, start=start, end=end)
        parts.append(part[part["start"].notna() & part["end"].notna()
                          & (part["end"] > part["start"])])
    return pd.concat(parts, ignore_index=True)


def la_table(problem: Problem, frame: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """One row per LA of the regions: pathway, R-WIN window, the planned graded inspection
    and the next planned event of any kind."""
    records = []
    for code, plan in problem.plans.items():
        if plan.la.region not in regions:
            continue
        graded_need = next((n for n in plan.needs if n.kind in GRADED), None)
        mine = frame[frame["la_code"] == code].sort_values("fieldwork_start")
        graded = mine[mine["event"].isin(GRADED)]
        records.append({
            "la_code": code, "la_name": plan.la.name, "region": plan.la.region,
            "pathway": plan.pathway,
            "window_open": graded_need.window_open if graded_need else None,
            "window_close": graded_need.window_close if graded_need else None,
            "planned": graded["event"].iloc[0] if len(graded) else "",
            "planned_date": graded["fieldwork_start"].iloc[0] if len(graded) else None,
            "status": graded["status"].iloc[0] if len(graded) else "",
            "events": len(mine)})
    table = pd.DataFrame.from_records(records, columns=[
        "la_code", "la_name", "region", "pathway", "window_open", "window_close", "planned",
        "planned_date", "status", "events"])
    table = table.sort_values("la_name", ignore_index=True)
    return _with_dates(table, ("window_open", "window_close", "planned_date"))


def la_history(problem: Problem, la_code: str) -> pd.DataFrame:
    """Past inspections and visits of an LA with their judgements (ilacs_history.csv)."""
    records = [{"event": e.event, "fieldwork_start": e.fieldwork_start,
                "fieldwork_end": e.fieldwork_end, "published": e.published,
                **{k: v.replace("_", " ") for k, v in e.judgements.items()},
                "topic": e.topic} for e in problem.dataset.history_of(la_code)]
    return _with_dates(pd.DataFrame.from_records(records),
                       ("fieldwork_start", "fieldwork_end", "published"))


def la_nearby(problem: Problem, frame: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """Area SEND inspections and JTAIs of the LA: given (dataset) and planned (programme)."""
    records = [{"what": f"area SEND ({s.kind})", "status": s.status,
                "start": s.fieldwork_start, "end": s.fieldwork_end}
               for s in problem.dataset.area_send if s.la_code == la_code]
    records += [{"what": f"JTAI {j.theme}".strip(), "status": j.status,
                 "start": j.fieldwork_start, "end": j.fieldwork_end}
                for j in problem.dataset.jtai if j.la_code == la_code]
    planned = frame[(frame["la_code"] == la_code) & (frame["event"] == "JTAI")
                    & (frame["status"] != "fixed")]
    records += [{"what": "JTAI", "status": "in this programme", "start": r.fieldwork_start,
                 "end": r.fieldwork_end} for r in planned.itertuples()]
    table = pd.DataFrame.from_records(records, columns=["what", "status", "start", "end"])
    return _with_dates(table, ("start", "end")).sort_values("start", ignore_index=True)


# --- inspectors ---------------------------------------------------------------------------

def roster(problem: Problem, regions: list[str]) -> pd.DataFrame:
    """Inspectors of the regions (and the national pools, region blank)."""
    records = [vars(p) for p in problem.dataset.inspectors.values()
               if p.region in regions or not p.region]
    return pd.DataFrame.from_records(records, columns=[
        "inspector_id", "name", "region", "role", "fte", "inspection_share", "can_lead"])


def has_teams(frame: pd.DataFrame) -> bool:
    """Whether the programme names a lead inspector and team for its events."""
    return bool((frame["lead_inspector"] != "").any() or (frame["team"] != "").any())


def inspector_events(frame: pd.DataFrame, inspector_id: str) -> pd.DataFrame:
    """Events the inspector leads or is in the team of."""
    teams = frame["team"].str.split(";")
    member = teams.apply(lambda team: inspector_id in team)
    mine = frame[member | (frame["lead_inspector"] == inspector_id)].copy()
    mine["role"] = mine["lead_inspector"].map(lambda lead: "lead" if lead == inspector_id
                                              else "team")
    return mine


@st.cache_data(show_spinner="Adding up workload")
def workload_frame(source: Source) -> pd.DataFrame:
    """scheduler.workload's table: one row per inspector and month."""
    return workload_table(problem(source), rows(source))


def workload_of_group(table: pd.DataFrame, inspector_id: str) -> pd.DataFrame:
    """The workload rows of the inspector's colleagues: the same region (or national pool)
    in the workload table, months as timestamps."""
    group = table.loc[table["inspector_id"] == inspector_id, "region"]
    mine = table[table["region"].isin(group.unique())].copy()
    mine["month"] = pd.to_datetime(mine["month"], format="%Y-%m")
    return mine


@st.cache_data(show_spinner=False)
def inspector_ics(source: Source, inspector_id: str) -> bytes:
    """The inspector's confidential calendar (scheduler.ics)."""
    return inspector_calendar(problem(source), rows(source), inspector_id)


@st.cache_data(show_spinner=False)
def region_ics(source: Source, region: str) -> bytes:
    """The region's confidential calendar (scheduler.ics)."""
    return region_calendar(problem(source), rows(source), region)


def inspector_leave(problem: Problem, inspector_id: str) -> pd.DataFrame:
    records = [{"start": leave.start, "end": leave.end, "reason": leave.reason}
               for leave in problem.dataset.leave if leave.inspector_id == inspector_id]
    table = pd.DataFrame.from_records(records, columns=["start", "end", "reason"])
    return _with_dates(table, ("start", "end"))


# --- what-if results ----------------------------------------------------------------------

DIFF_DATES = ("from_start", "to_start")


def read_diff(result: Path) -> pd.DataFrame:
    """diff.csv of a scenario run: one row per event, moved/added/removed/unchanged."""
    frame = pd.read_csv(result / "diff.csv", dtype=str, keep_default_na=False)
    frame = _with_dates(frame, DIFF_DATES)
    if "weeks_moved" in frame:
        frame["weeks_moved"] = pd.to_numeric(frame["weeks_moved"], errors="coerce")
    return frame


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def kpi_table(kpis: dict) -> pd.DataFrame | None:
    """kpis.json's baseline, scenario and delta figures side by side (None if it has another
    shape); figures that are tables themselves (per region) are left out."""
    parts = {k: kpis.get(k) for k in ("baseline", "scenario", "delta")}
    if not all(isinstance(v, dict) for v in parts.values()):
        return None
    frame = pd.DataFrame(parts)
    flat = frame.map(lambda v: not isinstance(v, dict | list)).all(axis=1)
    return frame[flat]


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)
