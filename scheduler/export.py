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
    """One row per placed need (plus fixed events), with dates and lending shown."""
    rows = [event_row(problem, need_id, kind, week) for need_id, (kind, week) in chosen.items()]
    from constraints.capacity import fixed_rows

    rows += fixed_rows(problem)
    rows.sort(key=lambda r: (r.fieldwork_start, r.region, r.la_name, r.event_id))
    return attribute_lending(problem, rows)


def attribute_lending(problem: Problem, rows: list[ProgrammeRow]) -> list[ProgrammeRow]:
    """R-LEND: where a region is short in a week or quarter, name a lending region on one of
    its events active then (the one needing most days)."""
    from dataclasses import replace

    from constraints.capacity import by_quarter, programme_load, row_load

    if not problem.config.capacity.lending:
        return rows
    regional, _ = programme_load(problem, rows)
    regions = problem.dataset.regions
    lent: dict[str, str] = {}
    periods = [("week", lambda r, k: problem.regional_capacity[r][k],
                {r: dict(regional[r]) for r in regions})]
    if problem.config.capacity.quarterly_share:
        periods.append(("quarter", lambda r, k: problem.regional_quarter_capacity[r][k],
                        {r: by_quarter(problem, regional[r]) for r in regions}))
    loads = {row.event_id: row_load(problem, row)[0] for row in rows}
    for period, cap_of, load in periods:
        keys = sorted({k for r in regions for k in load[r]})
        for key in keys:
            spare = {r: cap_of(r, key) - load[r].get(key, 0) for r in regions}
            for region in regions:
                if spare[region] >= 0:
                    continue
                lender = max((r for r in regions if spare[r] > 0), key=lambda r: spare[r],
                             default="")
                active = [row for row in rows if row.region == region and any(
                    (w == key if period == "week" else problem.weeks.quarter_key(w) == key)
                    for w in loads[row.event_id])]
                if lender and active:
                    pick = max(active, key=lambda row: (sum(loads[row.event_id].values()),
                                                        row.event_id))
                    lent.setdefault(pick.event_id, lender)
    return [replace(row, lent_from=lent[row.event_id]) if row.event_id in lent else row
            for row in rows]


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
                                              if r.region == region and r.lent_from)})
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
               f"{r.fieldwork_start}" for r in rows if r.status == "overdue"] or ["None."])
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


def run_record(problem: Problem, result, config_sources: list[str]) -> dict[str, object]:
    return {
        "status": result.status, "objective": result.objective, "bound": result.bound,
        "gap": result.gap, "wall_time_seconds": round(result.wall_time, 3),
        "build_time_seconds": round(result.build_time, 3),
        "first_solution_seconds": result.first_solution_time,
        "solver": result.parameters.get("planner", "OR-Tools CP-SAT"),
        "solver_version": result.solver_version,
        "parameters": result.parameters, "seed": result.parameters.get("random_seed"),
        "input_hash": problem.dataset.input_hash, "config_files": config_sources,
        "programme_start": problem.start.isoformat(), "horizon_weeks": problem.horizon_weeks,
        "model_size": result.model_size, "events": len(result.rows),
        "cost_by_rule": result.cost_by_rule(), "beyond_horizon": result.beyond_horizon,
        "explanation": result.explanation,
    }


def write_outputs(problem: Problem, result, out: Path, config_sources: list[str],
                  assignment=None) -> list[Path]:
    """Write every output of a run; each file is replaced atomically. With the staffing
    (scheduler.assign.Assignment), its record, workload sheets and summary section too."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    record = run_record(problem, result, config_sources)
    if assignment is not None:
        record["assignment"] = assignment.record()
    if result.feasible:
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
