"""Small tables for the reports (summary.md, diff.md, programme.xlsx, diff.csv) as plain
records: a re-plan's files took 0.4 s to write through DataFrames and pandas' Excel writer,
0.2 s this way (README, "Re-planning")."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tabulate import tabulate

from scheduler.io import write_atomically

Record = dict[str, Any]


def markdown(records: Sequence[Record], columns: Sequence[str] | None = None) -> str:
    """A Markdown (pipe) table of ``records``, one column per key of the first (or
    ``columns``); a missing value is an empty cell."""
    columns = list(columns or (records[0] if records else []))
    return tabulate([[_cell(record.get(c)) for c in columns] for record in records],
                    headers=columns, tablefmt="pipe")


def crosstab(pairs: Iterable[tuple[str, str]], row_label: str) -> list[Record]:
    """Counts of (row, column) pairs: one record per row (sorted), a column per column value
    (sorted), 0 where a pair never occurs."""
    counts = Counter(pairs)
    rows = sorted({r for r, _ in counts})
    columns = sorted({c for _, c in counts})
    return [{row_label: r, **{c: counts[(r, c)] for c in columns}} for r in rows]


def write_csv(path: Path, records: Sequence[Record], columns: Sequence[str]) -> None:
    """``records`` as CSV with a header of ``columns`` (empty cells for None), atomically."""
    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([_cell(record.get(c)) for c in columns] for record in records)

    write_atomically(path, write)


def write_sheet(book, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One worksheet of an xlsxwriter workbook: a header, then the rows (NaN left blank)."""
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    for col, label in enumerate(columns):
        sheet.write(0, col, str(label), bold)
    for row_index, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                sheet.write(row_index, col, value)


def _cell(value: Any) -> Any:
    return "" if value is None else value
