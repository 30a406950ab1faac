"""Programme rows from a solution, and the output files: programme.csv, programme.xlsx,
summary.md and run.json, each written atomically."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from scheduler.io import write_atomically, write_text_atomically
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow, write_programme_csv
from scheduler.tables import Record, crosstab, markdown, write_sheet

if TYPE_CHECKING:
    import pandas as pd

PROGRAMME_FILES = ("programme.csv", "programme.xlsx", "summary.md")
KIND_NAMES = {"STD": "standard inspection", "SHT": "short inspection", "FV": "focused visit",
              "MV": "monitoring visit", "JTAI": "JTAI", "AEM": "annual engagement meeting"}


def event_row(problem: Problem, need_id: str, kind: str, week: int) -> ProgrammeRow:
    """The row of one need placed as ``kind`` with notice week ``week``."""
    need = problem.need_by_id[need_id]
    la = problem.dataset.las[need.la_code]
    fp = problem.footprint(kind, week)
    event_id = need_id.replace("-FV", "-JTAI") if kind == "JTAI" else need_id
    return ProgrammeRow(
        event_id=event_id, la_code=la.la_code, la_name=la.name, region=la.region,
        event=kind, status="overdue" if need.overdue or (
            need.late_after and fp.fieldwork_start > need.late_after) else "new",
        notify_date=fp.notify_date, onsite_days=fp.onsite_days,
        fieldwork_start=fp.fieldwork_start, fieldwork_end=fp.fieldwork_end,
        draft_report_due=fp.draft_report_due, final_report_due=fp.final_report_due,
        publication_due=fp.publication_due, window_open=need.window_open,
        window_close=need.window_close, pathway=str(problem.plans[la.la_code].pathway),
        need_id=need_id)


def programme_rows(problem: Problem, chosen: dict[str, tuple[str, int]]) -> list[ProgrammeRow]:
    """One row per placed need (plus fixed events), with dates; `lent_from` stays blank
    until the teams are named (R-LEND, readings settled)."""
    rows = [event_row(problem, need_id, kind, week) for need_id, (kind, week) in chosen.items()]
    from constraints.capacity import fixed_rows

    rows += fixed_rows(problem)
    rows.sort(key=lambda r: (r.fieldwork_start, r.region, r.la_name, r.event_id))
    return rows


def lending_by_capacity(problem: Problem, rows: list[ProgrammeRow]) -> dict[str, str]:
    """R-LEND as capacity implies it, for a draft (whose `lent_from` stays blank until the
    teams are named): where a region is short in a week or quarter, the event of its active
    then that needs most days -> the region with most spare (event id -> lender)."""
    from constraints.capacity import programme_load, row_load, shortfalls

    if not problem.config.capacity.lending:
        return {}
    regional, _ = programme_load(problem, rows)
    loads = {row.event_id: row_load(problem, row)[0] for row in rows}
    lent: dict[str, str] = {}
    for period, key, deficits in shortfalls(problem, regional):
        lender = min(deficits, key=lambda r: (deficits[r], r))
        if deficits[lender] >= 0:
            continue
        for region in (r for r, deficit in deficits.items() if deficit > 0):
            active = [row for row in rows if row.region == region and any(
                (w == key if period == "week" else problem.weeks.quarter_key(w) == key)
                for w in loads[row.event_id])]
            if active:
                pick = max(active, key=lambda row: (sum(loads[row.event_id].values()),
                                                    row.event_id))
                lent.setdefault(pick.event_id, lender)
    return lent


def lent_events(problem: Problem, rows: list[ProgrammeRow]) -> dict[str, str]:
    """Event id -> lending regions: a staffed programme's `lent_from`, a draft's by
    capacity (`lending_by_capacity`)."""
    if any(row.team for row in rows):
        return {row.event_id: row.lent_from for row in rows if row.lent_from}
    return lending_by_capacity(problem, rows)


def write_xlsx(rows: list[ProgrammeRow], path: Path,
               extra: dict[str, pd.DataFrame] | None = None) -> None:
    """One sheet per region and a national summary (then any ``extra`` sheets)."""
    def write(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp))
        summary = crosstab(((row.region, row.event) for row in rows), "region")
        write_sheet(book, "National summary", list(summary[0]) if summary else ["region"],
                    (list(record.values()) for record in summary))
        by_region: dict[str, list[ProgrammeRow]] = defaultdict(list)
        for row in rows:
            by_region[row.region].append(row)
        for region in sorted(by_region):
            records = [row.as_csv() for row in by_region[region]]
            write_sheet(book, _sheet_name(region), list(records[0]),
                        (list(record.values()) for record in records))
        for name, frame in (extra or {}).items():
            write_sheet(book, _sheet_name(name), [str(c) for c in frame.columns],
                        zip(*(frame[c].tolist() for c in frame.columns), strict=True))
        book.close()

    write_atomically(path, write)


def _sheet_name(region: str) -> str:
    return "".join(c for c in region if c not in "[]:*?/\\")[:31]


def capacity_use(problem: Problem, rows: list[ProgrammeRow]) -> list[Record]:
    """Per region: inspector-days needed, available, peak weekly use and borrowed days."""
    from constraints.capacity import programme_load

    regional, _ = programme_load(problem, rows)
    lent = lent_events(problem, rows)
    records = []
    for region in problem.dataset.regions:
        load = regional[region]
        caps = problem.regional_capacity[region]
        used = sum(load.values()) / TENTHS
        available = sum(caps) / TENTHS
        share = sum(problem.regional_quarter_capacity[region].values()) / TENTHS
        peak = max((load.get(w, 0) / caps[w] for w in range(len(caps)) if caps[w]), default=0)
        short = sum(max(0, load.get(w, 0) - caps[w]) for w in range(len(caps))) / TENTHS
        records.append({"region": region, "days needed": used, "days available": available,
                        "days within inspection share": share,
                        "use of share %": round(100 * used / share, 1) if share else 0.0,
                        "peak week %": round(100 * peak, 1), "days borrowed": short,
                        "events lent to": sum(1 for r in rows
                                              if r.region == region and r.event_id in lent)})
    return records


def _status_sentence(result) -> str:
    if result.objective is None:  # a plan made without the solver (the baseline planner)
        return f"Status **{result.status}**, no solver objective."
    return (f"Solver status **{result.status}**, objective {result.objective:g}, "
            f"bound {result.bound:g}, gap {100 * (result.gap or 0):.2f} %.")


def summary_markdown(problem: Problem, result, rows: list[ProgrammeRow]) -> str:
    """summary.md: what was decided, by type, region and month; capacity; windows; costs."""
    lines = [f"# {problem.dataset.name}: ILACS programme", "",
             f"Programme {problem.start} to {problem.weeks.end} ({problem.horizon_weeks} weeks). "
             + _status_sentence(result), "",
             f"Data: {problem.dataset.licence}. Inspector roster, leave and planned area SEND "
             "dates are illustrative.", ""]
    lines += ["## Events by type and region", "",
              markdown(crosstab(((r.region, r.event) for r in rows), "region")), ""]
    lines += ["## Events by month", "",
              markdown(crosstab(((str(r.fieldwork_start)[:7], r.event) for r in rows), "month")),
              ""]
    lines += ["## Capacity use per region (inspector-days)", "",
              markdown(capacity_use(problem, rows)), ""]
    lines += ["## Overdue LAs (R-OVERDUE)", ""]
    lines += ([f"- {r.la_name} ({r.region}): {KIND_NAMES.get(r.event, r.event)} on site "
               f"{r.fieldwork_start}{_overdue_reason(problem, r)}"
               for r in rows if r.status == "overdue"] or ["None."])
    broken = [r for r in rows if r.relaxed]
    if broken:
        lines += ["", "## Rules broken, named per event in `relaxed`", ""]
        lines += [f"- {r.la_name} ({r.region}) {r.event_id}: {r.relaxed.replace(';', ', ')}"
                  for r in broken]
    lines += ["", "## Cost by rule (soft objectives)", "",
              "| rule | weighted cost |", "|---|---|"]
    lines += [f"| {rule} | {cost} |" for rule, cost in result.cost_by_rule().items()]
    lines += ["", "## Each LA: pathway, window and planned events", "",
              "| LA | region | pathway | window | planned |", "|---|---|---|---|---|"]
    by_la: dict[str, list[ProgrammeRow]] = defaultdict(list)
    for row in rows:
        by_la[row.la_code].append(row)
    for code, plan in problem.plans.items():
        graded = next((n for n in plan.needs if n.kind in ("STD", "SHT")), None)
        window = f"{graded.window_open} to {graded.window_close}" if graded else ""
        planned = ", ".join(f"{r.event} {r.fieldwork_start}" for r in by_la.get(code, [])
                            if r.event != "AEM")
        beyond = [n for n in result.beyond_horizon if n.startswith(code)]
        if beyond:
            planned += (", " if planned else "") + "after the horizon: " + ", ".join(
                n.split("-", 1)[1] for n in beyond)
        lines.append(f"| {plan.la.name} | {plan.la.region} | {plan.pathway} | {window} | "
                     f"{planned} |")
    notes = [(plan.la.name, note) for plan in problem.plans.values() for note in plan.notes]
    if notes:
        lines += ["", "## Notes from the pathway rules", ""]
        lines += [f"- {name}: {note}" for name, note in notes]
    counts = Counter(row.event for row in rows)
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    lines += ["", f"Total events: {len(rows)} ({by_kind})."]
    return "\n".join(lines) + "\n"


def _overdue_reason(problem: Problem, row: ProgrammeRow) -> str:
    """Why an overdue event's window gave it no week, where the needs say (R-OVERDUE: a
    window the calendar and clash rules bar; scheduler.problem)."""
    need = problem.need_by_id.get(row.need_id)
    return f": {need.note}" if need and need.overdue and need.note else ""


def explanation_markdown(result) -> str:
    """explanation.md: the hard rules in conflict, in plain words, and those broken."""
    title = ("Why the programme breaks rules" if result.has_programme
             else "Why there is no programme")
    lines = [f"# {title} ({result.status})", ""]
    lines += [f"- {sentence}" for sentence in result.explanation]
    if result.relaxed_rules:
        lines += ["", "## Rules broken, each named per event in programme.csv's `relaxed`", ""]
        lines += [f"- {rule} for {scope}" for rule, scope in result.relaxed_rules]
    return "\n".join(lines) + "\n"


def run_record(problem: Problem, result, config_sources: list[str],
               scenario: dict[str, str] | None = None) -> dict[str, object]:
    """run.json: ``config_files`` are files load_config reads; ``scenario`` (a `scenario
    run`'s) names its scenario file and baseline programme, from which `prepare` rebuilds
    its problem."""
    return {
        "status": result.status, "objective": result.objective, "bound": result.bound,
        "gap": result.gap, "wall_time_seconds": round(result.wall_time, 3),
        "build_time_seconds": round(result.build_time, 3),
        "first_solution_seconds": result.first_solution_time,
        "solver": result.parameters.get("planner", "OR-Tools CP-SAT"),
        "solver_version": result.solver_version,
        "parameters": result.parameters, "seed": result.parameters.get("random_seed"),
        "input_hash": problem.dataset.input_hash, "config_files": config_sources,
        "scenario": scenario,
        "programme_start": problem.start.isoformat(), "horizon_weeks": problem.horizon_weeks,
        "model_size": result.model_size, "events": len(result.rows),
        "cost_by_rule": result.cost_by_rule(), "beyond_horizon": result.beyond_horizon,
        "explanation": result.explanation,
        "relaxed_rules": [list(key) for key in result.relaxed_rules],
    }


def _remove_stale(out: Path, result) -> None:
    """Remove what an earlier run wrote into ``out`` that this run will not write."""
    stale = [] if result.has_programme else list(PROGRAMME_FILES)
    if not (result.explanation or result.relaxed_rules):
        stale.append("explanation.md")
    for name in stale:
        (out / name).unlink(missing_ok=True)


def write_outputs(problem: Problem, result, out: Path, config_sources: list[str],
                  assignment=None, scenario: dict[str, str] | None = None) -> list[Path]:
    """Write every output of a run; each file is replaced atomically, and one an earlier
    run wrote that this one has not (a programme, an explanation) is removed. With the
    staffing (scheduler.assign.Assignment), its record, workload sheets and summary section
    too."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    record = run_record(problem, result, config_sources, scenario)
    if assignment is not None:
        record["assignment"] = assignment.record()
    _remove_stale(out, result)
    if result.explanation or result.relaxed_rules:
        write_text_atomically(out / "explanation.md", explanation_markdown(result))
        written.append(out / "explanation.md")
    if result.has_programme:
        csv_path = out / "programme.csv"
        write_atomically(csv_path, lambda tmp: write_programme_csv(result.rows, tmp))
        workload = None
        if assignment is not None:
            from scheduler.workload import workload_sheets

            workload = workload_sheets(problem, result.rows)
        write_xlsx(result.rows, out / "programme.xlsx", workload)
        summary = summary_markdown(problem, result, result.rows)
        if assignment is not None:
            from scheduler.assign_report import staffing_markdown

            summary += "\n" + staffing_markdown(problem, assignment)
        write_text_atomically(out / "summary.md", summary)
        written += [csv_path, out / "programme.xlsx", out / "summary.md"]
    write_text_atomically(out / "run.json", json.dumps(record, indent=2, default=str) + "\n")
    written.append(out / "run.json")
    return written
