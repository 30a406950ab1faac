"""The dashboard pages, driven with Streamlit's AppTest over a small solved programme, and
checked against programme.csv and the dataset read independently (csv module)."""

from __future__ import annotations

import base64
import csv
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import data as dashboard_data
from dashboard.jobs import Job
from dashboard.scenario_file import Scenario, defer_edit, leave_edit, parameter_edit, write_scenario
from dashboard.settings import load_settings
from dashboard.ui import outcome
from scenarios import load_scenario
from scheduler.check import check_file
from scheduler.cli import app as cli_app
from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from tests.dashboard_programme import solved_programme

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = ("views/overview.py", "views/region.py", "views/local_authority.py",
         "views/inspectors.py", "views/what_if.py", "views/downloads.py")
UK_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TIMEOUT = 60  # seconds for one script run (the first reads the dataset and imports plotly)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return solved_programme(tmp_path_factory.mktemp("dashboard"))


def csv_rows(out: Path) -> list[dict[str, str]]:
    with (out / "programme.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def app(monkeypatch: pytest.MonkeyPatch, data: Path, out: Path, page: str = PAGES[0]
        ) -> AppTest:
    monkeypatch.setenv("ILACS_OUT", str(out))
    monkeypatch.setenv("ILACS_DATA", str(data))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(array: object) -> np.ndarray:
    """A Plotly array from a figure's JSON (plain list or base64 typed array)."""
    if isinstance(array, dict):
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = [int(n) for n in str(array.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(array)


def run_until(at: AppTest, done: Callable[[AppTest], bool], seconds: float) -> None:
    """Re-run the page (as its self-refreshing fragment would) until ``done``; fail as
    soon as the page shows an error (the command failed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not at.error:
        time.sleep(1)
        at.run()
        if done(at):
            return
    raise AssertionError(f"not done after {seconds} s: {[c.value for c in at.code]}")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_error(programme, monkeypatch, page: str) -> None:
    at = app(monkeypatch, *programme, page=page)
    no_errors(at)
    assert at.title[0].value


def test_overview_figures_are_the_programme_s(programme, monkeypatch) -> None:
    data, out = programme
    rows = csv_rows(out)
    run = json.loads((out / "run.json").read_text())
    at = app(monkeypatch, data, out)
    shown = metrics(at)
    start = date.fromisoformat(run["programme_start"])
    year_one = [r for r in rows
                if start <= date.fromisoformat(r["fieldwork_start"]) < start + timedelta(weeks=52)]
    counts = Counter(r["event"] for r in year_one)
    assert shown["short inspection"] == str(counts["SHT"])
    assert shown["standard inspection"] == str(counts["STD"])
    assert shown["monitoring visit"] == str(counts["MV"])
    assert shown["annual engagement meeting"] == str(counts["AEM"])
    assert shown["Overdue LAs"] == str(len({r["la_code"] for r in rows
                                            if r["status"] == "overdue"}))
    assert shown["Events with lending"] == str(sum(bool(r["lent_from"]) for r in rows))
    assert shown["Solver status"] == run["status"]
    heat = figure(at, 0)["data"][0]
    assert heat["y"] == ["North", "South"]
    use = values(heat["z"])
    months = heat["x"]
    for row in rows:  # every month with someone on site uses some of that region's days
        month = date.fromisoformat(row["fieldwork_start"]).strftime("%b %Y")
        assert use[heat["y"].index(row["region"]), months.index(month)] > 0


def test_filters_narrow_the_overview(programme, monkeypatch) -> None:
    data, out = programme
    at = app(monkeypatch, data, out)
    at.sidebar.multiselect(key="regions").set_value(["South"]).run()
    no_errors(at)
    south = [r for r in csv_rows(out) if r["region"] == "South"]
    assert metrics(at)["Overdue LAs"] == str(len({r["la_code"] for r in south
                                                  if r["status"] == "overdue"}))
    assert figure(at, 0)["data"][0]["y"] == ["South"]
    timeline = figure(at, 1)["data"]
    assert {y for trace in timeline for y in trace["y"]} == {"South"}


def test_region_page_shows_its_las_leave_and_events(programme, monkeypatch) -> None:
    data, out = programme
    rows = csv_rows(out)
    at = app(monkeypatch, data, out, "views/region.py")
    at.selectbox(key="region").set_value("North").run()
    no_errors(at)
    las = at.dataframe[0].value
    assert list(las["LA"]) == ["Alpha", "Beta"]
    for _, la in las.iterrows():
        graded = [r for r in rows if r["la_name"] == la["LA"] and r["event"] in ("STD", "SHT")]
        assert la["pathway"] == int(graded[0]["pathway"])
        assert la["planned"] == graded[0]["event"]
        assert la["on site from"].date() == date.fromisoformat(graded[0]["fieldwork_start"])
    gantt = figure(at, 0)["data"]
    assert {y for trace in gantt for y in trace["y"]} == {"Alpha", "Beta"}
    capacity = {trace["name"]: trace for trace in figure(at, 1)["data"]}
    gap = (values(capacity["capacity without leave"]["y"]) - values(capacity["capacity"]["y"]))
    assert gap.sum() == pytest.approx(10)  # N-01 away two whole weeks (leave.csv)
    assert "bank holiday" in capacity


def test_local_authority_page_explains_the_plan(programme, monkeypatch) -> None:
    data, out = programme
    rows = [r for r in csv_rows(out) if r["la_code"] == "E1"]
    at = app(monkeypatch, data, out, "views/local_authority.py")
    at.selectbox(key="la").set_value("E1").run()
    no_errors(at)
    planned, *_ = at.dataframe
    assert sorted(planned.value["event"]) == sorted(r["event_id"] for r in rows)
    assert metrics(at)["Pathway"] == "1"
    assert metrics(at)["Last graded inspection"] == "SHT 22/03/2024"
    assert [e.label.split(":")[0] for e in at.expander] == [r["event_id"] for r in sorted(
        rows, key=lambda r: r["fieldwork_start"])]
    sentences = [m.value for m in at.markdown if "week" in m.value or "earliest" in m.value]
    assert len(sentences) == len(rows)
    assert all(UK_DATE.search(s) and not ISO_DATE.search(s) for s in sentences)
    history = at.dataframe[-2].value
    assert list(history["event"]) == ["SHT"] and history["overall"][0] == "good"
    nearby = at.dataframe[-1].value  # the planned area SEND inspection and any JTAI planned
    jtais = {date.fromisoformat(r["fieldwork_start"]) for r in rows if r["event"] == "JTAI"}
    assert {d.date() for d in nearby["from"]} == {date(2027, 6, 7)} | jtais


def test_inspectors_page_shows_events_leave_and_workload(programme, monkeypatch) -> None:
    data, out = programme
    at = app(monkeypatch, data, out, "views/inspectors.py")
    at.selectbox(key="inspector").set_value("N-01").run()
    no_errors(at)
    rows = csv_rows(out)
    staffed = any(r["team"] for r in rows)
    notes = " ".join(i.value for i in at.info)
    assert ("names no lead inspector or team" in notes) != staffed
    events, leave, *_ = at.dataframe
    assert sorted(events.value["event"]) == sorted(
        r["event_id"] for r in rows if "N-01" in r["team"].split(";")
        or r["lead_inspector"] == "N-01")
    assert [(d.date(), e.date()) for d, e in zip(leave.value["from"], leave.value["to"],
                                                 strict=True)] == [
        (date(2026, 10, 12), date(2026, 10, 23))]
    heat = figure(at, 1)["data"][0]
    assert set(heat["y"]) == {"North SHMI", "North 1", "North 2", "North 3"}
    months = at.dataframe[2].value
    october = months[months["month"] == "Oct 2026"].iloc[0]
    assert october["leave"] == 10  # two whole weeks away (leave.csv)
    assert any(b.label == "Download North 1's calendar (.ics)"
               for b in at.get("download_button"))


def test_downloads_offer_the_programme(programme, monkeypatch) -> None:
    data, out = programme
    at = app(monkeypatch, data, out, "views/downloads.py")
    no_errors(at)
    labels = [b.label for b in at.get("download_button")]
    assert "programme.csv (whole programme)" in labels
    assert any(label.startswith("programme.xlsx") for label in labels)
    assert "North's calendar (.ics)" in labels


def test_what_if_runs_a_deferral_and_compares_it(programme, monkeypatch, tmp_path) -> None:
    data, out = programme
    rows = csv_rows(out)
    sht = next(r for r in rows if r["la_code"] == "E1" and r["event"] == "SHT")
    not_before = date.fromisoformat(sht["fieldwork_start"]) + timedelta(weeks=6)
    at = app(monkeypatch, data, out, "views/what_if.py")
    at.text_input(key="scenario_name").set_value("alpha later")
    at.selectbox(key="defer_la").set_value("E1")
    at.selectbox(key="defer_event").set_value("SHT")
    at.date_input(key="defer_date").set_value(not_before)
    next(b for b in at.button if b.label.startswith("Add deferral")).click().run()
    no_errors(at)
    next(b for b in at.button if b.label == "Run the scenario").click().run()
    run_until(at, lambda a: any(m.label == "overdue LAs" for m in a.metric), 120)
    no_errors(at)
    diff = at.dataframe[-1].value
    moved = diff[diff["event"] == "E1-SHT"]
    assert list(moved["change"]) == ["moved"]
    assert moved["scenario on site"].iloc[0].date() >= not_before
    assert (out / "scenarios" / "alpha-later" / "scenario.toml").is_file()


def test_a_scenario_run_is_read_back_as_it_was_planned(programme, tmp_path) -> None:
    """run.json names the scenario file apart from configuration files (load_config refuses
    it), and the dashboard rebuilds the scenario's problem from it, edits included."""
    data, out = programme
    path = write_scenario(Scenario("cheap lending", "", data, out / "programme.csv", seed=1,
                                   time_limit=10.0, edits=(
                                       leave_edit("S-02", date(2026, 11, 2), date(2026, 11, 13)),
                                       parameter_edit("weights.lending_day", 7))),
                          tmp_path / "s")
    result = tmp_path / "s" / "result"
    ran = CliRunner().invoke(cli_app, ["scenario", "run", str(path), "--out", str(result)])
    assert ran.exit_code == 0, ran.output
    run = json.loads((result / "run.json").read_text())
    assert run["config_files"] == []
    assert run["scenario"] == {"file": str(path.resolve()),
                               "baseline": str((out / "programme.csv").resolve())}
    source = dashboard_data.source_of(result, data)
    problem = dashboard_data.problem(source)
    assert problem.config.weights.lending_day == 7
    assert [(v.start, v.end) for v in problem.dataset.leave if v.inspector_id == "S-02"] == [
        (date(2026, 11, 2), date(2026, 11, 13))]
    assert dashboard_data.warnings(source) == []
    path.unlink()
    dashboard_data.problem.clear()
    assert dashboard_data.problem(source).config.weights.lending_day != 7
    assert [w for w in dashboard_data.warnings(source) if str(path) in w]


@pytest.mark.parametrize(("code", "level"), [(0, "success"), (3, "warning"), (1, "error"),
                                             (2, "error")])
def test_a_command_s_exit_code_is_read_as_documented(tmp_path, code: int, level: str) -> None:
    """0: every rule holds; 3: written with named relaxations; 1: no programme or a
    violation; 2: bad input (`ilacs plan`, `ilacs scenario run`)."""
    job = Job.start([sys.executable, "-c", f"raise SystemExit({code})"], tmp_path / "job.log")
    job.process.wait()
    shown, message = outcome(job)
    assert shown == level and (f"exit code {code}" in message) == (code != 0)
    assert ("relax" in message) == (code == 3)


def test_a_folder_without_programme_is_solved_on_request(programme, monkeypatch, tmp_path
                                                        ) -> None:
    data, _ = programme
    out = tmp_path / "new"
    at = app(monkeypatch, data, out)
    assert "No programme" in at.info[0].value
    at.number_input(key="solve_limit").set_value(10.0)
    next(b for b in at.button if b.label == "Solve now").click().run()
    run_until(at, lambda a: bool(a.metric), 120)
    no_errors(at)
    problem = Problem.build(read_dataset(data), load_config())
    assert check_file(problem, out / "programme.csv") == []
    assert metrics(at)["Solver status"] == json.loads((out / "run.json").read_text())["status"]


def test_scenario_file_reads_back_as_written(programme, tmp_path) -> None:
    data, out = programme
    written = Scenario("leave and weights", "test", data, out / "programme.csv", seed=3,
                       time_limit=5.0, replan_date=date(2026, 11, 2), edits=(
                           defer_edit("E1", date(2027, 1, 4), "SHT"),
                           leave_edit("N-01", date(2026, 11, 2), date(2026, 11, 13)),
                           parameter_edit("weights.lending_day", 50)))
    read = load_scenario(write_scenario(written, tmp_path / "s"))
    assert (read.name, read.seed, read.time_limit) == ("leave and weights", 3, 5.0)
    assert read.data.resolve() == data.resolve()
    assert read.baseline.resolve() == (out / "programme.csv").resolve()
    assert read.replan_date == date(2026, 11, 2)
    assert [(e.type, e.fields) for e in read.edits] == [
        ("defer", {"la": "E1", "event": "SHT", "not_before": date(2027, 1, 4)}),
        ("leave", {"inspector": "N-01", "start": date(2026, 11, 2), "end": date(2026, 11, 13)}),
        ("parameter", {"key": "weights.lending_day", "value": 50})]


def test_settings_come_from_argv_then_environment(tmp_path) -> None:
    env = {"ILACS_OUT": "/from/env", "ILACS_DATA": "/data/env"}
    assert load_settings(["--out", "/from/argv"], env).out == Path("/from/argv")
    assert load_settings(["-q", "tests"], env).data == Path("/data/env")
    assert load_settings([], {}).out == Path("out")
    bad = tmp_path / "defaults.toml"
    bad.write_text("edge_weeks = 4\nzoom = 2\n")
    with pytest.raises(ValueError, match="unknown key 'zoom'"):
        load_settings([], {}, bad)


def test_a_job_streams_its_output_and_can_be_stopped(tmp_path) -> None:
    script = "import time\nprint('step 1', flush=True)\ntime.sleep(60)"
    job = Job.start([sys.executable, "-c", script], tmp_path / "job.log")
    deadline = time.monotonic() + 20
    while job.lines() != ["step 1"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.lines() == ["step 1"] and job.running
    job.stop()
    assert not job.running and job.stopped and job.returncode != 0
    ran = job.elapsed
    time.sleep(0.2)
    assert job.elapsed == ran  # the clock stops with the job


def test_dashboard_command_refuses_a_missing_dataset(tmp_path) -> None:
    outcome = CliRunner().invoke(cli_app, ["dashboard", "--data", str(tmp_path / "none")])
    assert outcome.exit_code == 2
    assert "no such folder" in outcome.output and "Traceback" not in outcome.output
