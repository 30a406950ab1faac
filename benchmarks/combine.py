"""`python -m benchmarks.combine PART ...`: one results.md, results.json and
time_vs_size.png from several runs of the suite (each PART a folder its `--out-dir` wrote).
The full suite takes hours, so its instances are run separately; this puts them side by
side, each row with its own runs and time limit, and each part's command, machine and date
named."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import typer

from benchmarks.report import Record, summarise, write_files
from benchmarks.settings import DEFAULTS, load_settings
from scheduler.cli_common import console, refuse
from scheduler.errors import InputError, InputProblem


def read_part(folder: Path) -> dict[str, Any]:
    """A part's results.json, or InputError naming the file and what is wrong with it."""
    path = folder / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("records"), list) or "machine" not in data:
            raise ValueError("no 'records' list or no 'machine'")
    except (OSError, ValueError, AttributeError) as exc:
        raise InputError([InputProblem(str(path), None, None, "CLI",
                                       f"not a results.json of the suite: {exc}")]) from None
    return data


def combine(parts: dict[Path, dict[str, Any]]) -> list[Record]:
    """Every part's records, refusing an instance and horizon measured in two parts."""
    owner: dict[tuple[str, int], Path] = {}
    problems, records = [], []
    for folder, data in parts.items():
        for record in data["records"]:
            key = (record["instance"], record["weeks"])
            if owner.setdefault(key, folder) != folder:
                problems.append(InputProblem(
                    str(folder / "results.json"), None, None, "CLI",
                    f"{record['label']}, {record['weeks']} weeks is also in "
                    f"{owner[key] / 'results.json'}: combine one run of each"))
                continue
            records.append(record)
    if problems:
        raise InputError(sorted(set(problems), key=str))
    return records


def header(parts: dict[Path, dict[str, Any]], out_dir: Path, command: str) -> list[str]:
    """Where each row comes from: each part's date, machine and command."""
    lines = [f"Combined by `{command}` from the runs below; each row has its own runs and "
             "time limit (columns), and each part's results.md records its solver settings.",
             "", "| part | run | machine | command |", "|---|---|---|---|"]
    for folder, data in parts.items():
        about = data["machine"]
        link = Path(os.path.relpath(folder.resolve() / "results.md", out_dir.resolve()))
        lines.append(f"| [{folder.name}]({link.as_posix()}) | {about['date']} | "
                     f"{about['cpu']}, {about['cores']} cores, {about['memory']}; Python "
                     f"{about['python']}, OR-Tools {about['ortools']} | `{data['command']}` |")
    return [*lines, ""]


def main(parts: list[Path] = typer.Argument(..., help="Folders with a results.json each."),
         out_dir: Path = typer.Option(Path(__file__).parent, help="Where the results go."),
         ) -> None:
    """Combine several runs of the suite into one report."""
    try:
        found = {folder: read_part(folder) for folder in parts}
        records = combine(found)
    except InputError as exc:
        raise refuse(exc) from None
    command = shlex.join([Path(sys.executable).name, "-m", "benchmarks.combine",
                          *sys.argv[1:]])
    rows = summarise(records)
    data = {"command": command, "parts": {str(f): {k: v for k, v in d.items() if k != "records"}
                                          for f, d in found.items()}, "records": records}
    for path in write_files(load_settings(DEFAULTS), rows, header(found, out_dir, command),
                            out_dir, data):
        console.print(f"wrote {path}")


if __name__ == "__main__":
    typer.run(main)
