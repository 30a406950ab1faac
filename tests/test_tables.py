"""The report tables written from plain records (scheduler/tables.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from scheduler.tables import crosstab, markdown, write_csv


def test_crosstab_counts_every_pair_and_fills_the_gaps_with_zero() -> None:
    pairs = [("London", "SHT"), ("London", "SHT"), ("London", "FV"), ("East", "MV")]
    assert crosstab(pairs, "region") == [
        {"region": "East", "FV": 0, "MV": 1, "SHT": 0},
        {"region": "London", "FV": 1, "MV": 0, "SHT": 2},
    ]


def test_markdown_and_csv_leave_a_missing_value_empty(tmp_path: Path) -> None:
    records = [{"la": "Alpha", "weeks": 3}, {"la": "Beta", "weeks": None}]
    lines = markdown(records).splitlines()
    assert lines[0].split("|")[1].strip() == "la" and len(lines) == 4
    assert lines[3].replace(" ", "") == "|Beta||"
    write_csv(tmp_path / "t.csv", records, ["la", "weeks"])
    with (tmp_path / "t.csv").open() as handle:
        assert list(csv.reader(handle)) == [["la", "weeks"], ["Alpha", "3"], ["Beta", ""]]

