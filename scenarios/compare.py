"""Several scenario runs side by side, from the kpis.json each one wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.errors import InputError, InputProblem
from scheduler.io import write_atomically, write_text_atomically

HEADLINE = ("events", "overdue_las", "window_slack_weeks_mean", "window_slack_weeks_min",
            "lending_days", "events_with_lending")


def _read(folder: Path) -> dict[str, Any]:
    path = folder / "kpis.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise InputError([InputProblem(str(path), None, None, "DATA", "no kpis.json: not the "
                                       "output folder of `ilacs scenario run`")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([InputProblem(str(path), exc.lineno, None, "DATA",
                                       f"not valid JSON: {exc.msg}")]) from None


def _row(folder: Path, record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"scenario": record.get("name", folder.name), "folder": str(folder),
                           "status": record.get("status"), "objective": record.get("objective"),
                           "violations": record.get("violations"),
                           "wall_time_seconds": record.get("wall_time_seconds")}
    row.update(record.get("changes") or {})
    values, deltas = record.get("scenario") or {}, record.get("delta") or {}
    for key in HEADLINE:
        row[key] = values.get(key)
        row[f"{key} change"] = deltas.get(key)
    for region, use in sorted((values.get("capacity_use_percent") or {}).items()):
        row[f"use % {region}"] = use
    return row


def compare(dirs: list[Path | str]) -> pd.DataFrame:
    """One row per scenario output folder: status, changes against its baseline, headline
    figures and their change, capacity use per region."""
    rows = [_row(Path(d), _read(Path(d))) for d in dirs]
    return pd.DataFrame.from_records(rows).set_index("scenario")


def write_comparison(frame: pd.DataFrame, out_dir: Path) -> list[Path]:
    """compare.csv and compare.md (scenarios as columns, easier to read side by side)."""
    csv_path, md_path = out_dir / "compare.csv", out_dir / "compare.md"
    write_atomically(csv_path, lambda tmp: frame.to_csv(tmp))
    text = "# Scenarios compared\n\n" + frame.drop(columns="folder").T.to_markdown() + "\n"
    write_text_atomically(md_path, text)
    return [csv_path, md_path]
