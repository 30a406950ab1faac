"""A scenario's programme against its baseline: each event moved, added, removed or
unchanged, with the edit or rule that forced the change."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from constraints import FAMILIES
from scenarios.replan import Prepared
from scheduler.calendar import weeks_between
from scheduler.programme import ProgrammeRow
from scheduler.tables import Record, markdown

DIFF_COLUMNS = ("change", "la_code", "la_name", "event_id", "kind", "from_start", "to_start",
                "weeks_moved", "reason")
CHANGES = ("moved", "added", "removed", "unchanged")
SUPERSEDED = {"judgement": "new judgements; the LA's pathway and events follow from them "
                           "(R-PATH)",
              "merge": "the LA is merged; its events are planned for the new LA"}


def _fixed_key(row: ProgrammeRow, la_code: str) -> str:
    """Events without a need (planned JTAIs given by the data) match by LA, kind and date."""
    return f"{la_code}|{row.event}|{row.fieldwork_start}"


class _Reasons:
    """Why an event changed: a rule the baseline week now breaks, then the edit that
    touched the LA, its region's capacity, another LA of its region, or everything."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        self.families = [cls() for cls in FAMILIES]

    def _breaks(self, key: str, base: ProgrammeRow) -> list[str]:
        problem = self.prepared.problem
        need = problem.need_by_id.get(key)
        if need is None:
            return []
        week = problem.weeks.index(base.fieldwork_start) - problem.config.spec(
            base.event).fieldwork_offset
        if not 0 <= week < problem.horizon_weeks:
            return []
        fp = problem.footprint(base.event, week)
        return list(dict.fromkeys(rule for family in self.families
                                  for rule in family.excluded(problem, need, base.event, fp)))

    def _cause(self, la_code: str) -> str:
        ws, problem = self.prepared.workspace, self.prepared.problem
        la = problem.dataset.las.get(la_code)
        region = la.region if la else ""
        if ws.touched_las.get(la_code):
            return "follows " + ", ".join(e.label for e in ws.touched_las[la_code])
        if ws.touched_regions.get(region):
            return (f"{region} capacity changed by "
                    + ", ".join(e.label for e in ws.touched_regions[region]) + " (R-CAP)")
        nearby = [e for code, edits in ws.touched_las.items() for e in edits
                  if code in problem.dataset.las and problem.dataset.las[code].region == region]
        nearby += [e for pool, edits in ws.touched_regions.items() for e in edits
                   if pool not in problem.dataset.regions]
        if nearby:
            return (f"knock-on in {region} of " + ", ".join(dict.fromkeys(e.label for e in nearby))
                    + " (R-CAP, R-LEND)")
        if ws.global_edits:
            return "follows " + ", ".join(e.label for e in ws.global_edits)
        return (f"re-optimised: a cheaper programme overall (R-PIN move cost "
                f"{problem.config.weights.move_week} per week)")

    def __call__(self, change: str, key: str | None, base: ProgrammeRow | None,
                 new: ProgrammeRow | None) -> str:
        problem, ws = self.prepared.problem, self.prepared.workspace
        if change == "unchanged":
            pin = problem.pins.get(key or "")
            return f"R-PIN: {pin.reason}" if pin else ""
        if base is not None and base.la_code in ws.superseded:
            edit = ws.superseded[base.la_code]
            if edit.type == "judgement" and base.fieldwork_start <= edit.get("date"):
                return (f"{edit.label}: on or before the judged inspection of "
                        f"{edit.get('date')}, so history now (its inspector-days are no "
                        "longer counted)")
            return f"{edit.label}: {SUPERSEDED[edit.type]}"
        parts = []
        deferral = problem.deferrals.get(key or "")
        if deferral:
            parts.append(f"R-DEFER: {deferral.reason}, not before {deferral.not_before}")
        if change == "moved" and key and base is not None:
            rules = [r for r in self._breaks(key, base) if r != "R-DEFER"]
            if rules:
                parts.append(f"the baseline week now breaks {', '.join(rules)}")
        if change == "removed":
            parts.append("no longer due (R-PATH)" if key not in problem.need_by_id
                         else "no longer placed inside the horizon")
        if not deferral:
            la_code = (new or base).la_code  # type: ignore[union-attr]
            parts.append(self._cause(ws.renamed.get(la_code, la_code)))
        return "; ".join(parts)


def _record(change: str, row: ProgrammeRow, base: date | None, new: date | None,
            reason: str) -> Record:
    moved = weeks_between(base, new) if base and new else None
    return {"change": change, "la_code": row.la_code, "la_name": row.la_name,
            "event_id": row.event_id, "kind": row.event, "from_start": base, "to_start": new,
            "weeks_moved": moved, "reason": reason}


def diff_programmes(prepared: Prepared, rows: list[ProgrammeRow]) -> list[Record]:
    """One row per event of either programme (DIFF_COLUMNS), baseline order then new ones."""
    reasons = _Reasons(prepared)
    renamed = prepared.workspace.renamed
    new_rows = {row.need_id or _fixed_key(row, row.la_code): row for row in rows}
    records, seen = [], set()
    for base in prepared.baseline_rows:
        key = (prepared.baseline_key(base) if base.need_id
               else _fixed_key(base, renamed.get(base.la_code, base.la_code)))
        new = new_rows.get(key) if key else None
        if new is None:
            records.append(_record("removed", base, base.fieldwork_start, None,
                                   reasons("removed", key, base, None)))
            continue
        seen.add(key)
        same = new.event == base.event and not weeks_between(base.fieldwork_start,
                                                             new.fieldwork_start)
        change = "unchanged" if same else "moved"
        records.append(_record(change, new, base.fieldwork_start, new.fieldwork_start,
                               reasons(change, key, base, new)))
    for key, new in new_rows.items():
        if key not in seen:
            records.append(_record("added", new, None, new.fieldwork_start,
                                   reasons("added", key, None, new)))
    return records


def change_counts(diff: list[Record]) -> dict[str, int]:
    counts = Counter(record["change"] for record in diff)
    return {change: counts[change] for change in CHANGES}


def diff_markdown(prepared: Prepared, diff: list[Record], kpis: dict[str, Any]) -> str:
    """diff.md: the scenario, its edits, what changed and why, and the KPI deltas."""
    s = prepared.scenario
    lines = [f"# Scenario: {s.name}", ""] + ([s.description, ""] if s.description else [])
    lines += [f"Base data `{s.data}`; baseline `{s.baseline or 'none'}`; re-plan date "
              f"{s.replan_date or 'none'}; {len(prepared.problem.pins)} events pinned (R-PIN), "
              f"{len(prepared.problem.deferrals)} deferred (R-DEFER).", "", "## Edits", ""]
    lines += [f"{e.index}. `{e.type}`: " + ", ".join(f"{k} = {v}" for k, v in e.fields.items())
              for e in s.edits] or ["None."]
    counts = change_counts(diff)
    lines += ["", "## Changes", "", " | ".join(f"{k}: {v}" for k, v in counts.items()), ""]
    changed = [record for record in diff if record["change"] != "unchanged"]
    lines.append(markdown(changed, DIFF_COLUMNS) if changed else "No event changes.")
    lines += ["", "## Headline figures (scenario minus baseline)", "",
              "| figure | baseline | scenario | change |", "|---|---|---|---|"]
    for key, value in kpis["scenario"].items():
        if isinstance(value, dict):
            for region, v in value.items():
                old = (kpis["baseline"] or {}).get(key, {}).get(region)
                lines.append(f"| {key} {region} | {old} | {v} | {kpis['delta'][key][region]} |")
        else:
            old = (kpis["baseline"] or {}).get(key)
            lines.append(f"| {key} | {old} | {value} | {kpis['delta'].get(key)} |")
    return "\n".join(lines) + "\n"
