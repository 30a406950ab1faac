"""Workload by inspector and region, by month: days on site, off site, report writing,
leave and use of inspection_share, from a staffed programme; in the xlsx and summary.md."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from scheduler.assign import assign
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from scheduler.workload import COLUMNS, region_table, workload_table
from tests.conftest import POOLS, inspector, write_dataset

LEAVE = "inspector_id,start,end,reason\nA,2026-10-12,2026-10-16,annual leave\n"


@pytest.fixture
def micro(tmp_path: Path) -> Problem:
    folder = write_dataset(tmp_path / "d", inspectors=[inspector("A"), inspector("B", fte=0.8),
                                                       *POOLS], **{"leave.csv": LEAVE})
    return Problem.build(read_dataset(folder), load_config())


def _visit(problem: Problem, week: int) -> ProgrammeRow:
    """Gamma's monitoring visit with notice week ``week`` (teams.MV: data request on the
    Tuesday before, off site Thursday and Friday, on site Tuesday and Wednesday, then
    Thursday off site; the lead writes 1 + 1 days in the two weeks after)."""
    fp = problem.footprint("MV", week)
    return ProgrammeRow("E3-MV1", "E3", "Gamma", "North", "MV", "new", fp.notify_date,
                        fp.onsite_days, fp.fieldwork_start, fp.fieldwork_end,
                        fp.draft_report_due, fp.final_report_due, fp.publication_due, None,
                        None)


def test_days_of_a_visit_by_kind_and_month(micro: Problem) -> None:
    # Notice week of Monday 28 September 2026: data request Tue 22 Sep (lead), off site
    # Thu 1 and Fri 2 Oct, on site Tue 6 and Wed 7 Oct, off site Thu 8 Oct, report writing
    # in the weeks of 12 and 19 Oct.
    problem = micro
    staffed = assign(problem, [_visit(problem, problem.weeks.index(date(2026, 9, 28)))])
    (row,) = staffed.rows
    frame = workload_table(problem, staffed.rows)
    assert list(frame.columns) == list(COLUMNS)
    table = frame.set_index(["inspector_id", "month"])
    assert len(table) == len(problem.dataset.inspectors) * 25  # 25 months from Sep 2026
    lead = row.lead_inspector
    other = next(m for m in row.team.split(";") if m != lead)
    assert table.loc[(lead, "2026-09"), ["onsite_days", "offsite_days", "report_days"]
                     ].tolist() == [0, 1, 0]
    assert table.loc[(lead, "2026-10"), ["onsite_days", "offsite_days", "report_days"]
                     ].tolist() == [2, 3, 2]
    assert table.loc[(other, "2026-10"), ["onsite_days", "offsite_days", "report_days"]
                     ].tolist() == [2, 3, 0]
    assert table.loc[(other, "2026-09"), "inspection_days"] == 0


def test_leave_share_and_use(micro: Problem) -> None:
    problem = micro
    table = workload_table(problem, []).set_index(["inspector_id", "month"])
    # October 2026: 22 working days; A away the week of 12 October.
    october_a = table.loc[("A", "2026-10")]
    assert october_a["working_days"] == 22 and october_a["leave_days"] == 5
    assert october_a["share_days"] == pytest.approx(17 * 1.0 * 0.6, abs=0.05)
    assert table.loc[("B", "2026-10"), "share_days"] == pytest.approx(22 * 0.8 * 0.6, abs=0.05)
    assert (table["use_percent"] == 0).all()
    staffed = assign(problem, [_visit(problem, problem.weeks.index(date(2026, 10, 26)))])
    table = workload_table(problem, staffed.rows)
    busy = table[table["inspection_days"] > 0]
    assert len(busy) >= 2  # the lead and the other inspector
    expected = 100 * busy["inspection_days"] / busy["share_days"]  # share_days is rounded
    assert ((busy["use_percent"] - expected).abs() < 0.5).all()
    regions = region_table(table).set_index(["region", "month"])
    north = table[table["region"] == "North"].groupby("month")["inspection_days"].sum()
    assert (regions.loc["North"]["inspection_days"] == north).all()


def test_plan_writes_workload_sheets_summary_and_record(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["plan", "--data", str(tiny), "--out", str(out),
                                       "--deterministic-time", "10"])
    assert outcome.exit_code == 0, outcome.output
    sheets = openpyxl.load_workbook(out / "programme.xlsx", read_only=True).sheetnames
    assert {"Workload by inspector", "Workload by region", "Workload totals"} <= set(sheets)
    summary = (out / "summary.md").read_text()
    assert "## Staffing and workload" in summary and "Use of inspection_share" in summary
    record = json.loads((out / "run.json").read_text())["assignment"]
    assert record["unstaffed"] == [] and record["models"]
    assert "gap" in record and "use_spread_points" in record
