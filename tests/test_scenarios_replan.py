"""Stable re-planning (R-PIN, R-DEFER) of the tiny programme: a deferral moves only what it
must, pinned and notified events never move, and every scenario output passes the
independent checker (re-built from the files: dataset, scenario, baseline)."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constraints.capacity import by_quarter, programme_load
from scenarios import ScenarioOutcome, compare, load_scenario, prepare, run_scenario
from scenarios.diff import DIFF_COLUMNS
from scenarios.kpis import programme_kpis
from scheduler.calendar import weeks_between
from scheduler.check import check_file, check_rows
from scheduler.cli import app
from scheduler.errors import InputError
from scheduler.problem import Problem
from scheduler.programme import ProgrammeRow
from tests.conftest import write_dataset
from tests.helpers import Run, feasible, moved

REPLAN = "2026-11-02"  # notified before this: pinned


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny dataset planned once: the baseline every scenario here re-plans."""
    return feasible(write_dataset(tmp_path_factory.mktemp("replan") / "tiny"))


def scenario_file(folder: Path, base: Run, edits: str, replan: str | None = REPLAN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.toml"
    text = (f'name = "{folder.name}"\ndata = "{base.programme.parent.parent / "tiny"}"\n'
            f'baseline = "{base.programme}"\ntime_limit = 10\n')
    if replan:
        text += f'replan_date = "{replan}"\n'
    path.write_text(text + edits, encoding="utf-8")
    return path


def run_checked(path: Path, out: Path) -> ScenarioOutcome:
    """Run a scenario and re-check its programme.csv against a problem prepared afresh
    from the files."""
    outcome = run_scenario(load_scenario(path), out)
    assert outcome.feasible, outcome.explanation
    assert outcome.violations == []
    assert check_file(prepare(load_scenario(path)).problem, out / "programme.csv") == []
    return outcome


def test_one_deferral_moves_only_what_it_must(baseline: Run, tmp_path: Path) -> None:
    sht = baseline.row("E1", "SHT")
    not_before = sht.fieldwork_start + timedelta(weeks=6)
    path = scenario_file(tmp_path / "defer", baseline,
                         f'[[edit]]\ntype = "defer"\nla = "Alpha"\nevent = "SHT"\n'
                         f'not_before = {not_before}\n')
    outcome = run_checked(path, tmp_path / "out")
    new_sht = next(r for r in outcome.result.rows if r.need_id == "E1-SHT")
    assert new_sht.fieldwork_start >= not_before and new_sht.status == "moved"
    diff = outcome.diff
    assert all(list(record) == list(DIFF_COLUMNS) for record in diff)
    with (tmp_path / "out" / "diff.csv").open() as handle:
        assert next(csv.reader(handle)) == list(DIFF_COLUMNS)
    changed = [record for record in diff if record["change"] != "unchanged"]
    assert {record["la_code"] for record in changed} == {"E1"}  # no other LA's event moves
    sht_change = next(record for record in changed if record["event_id"] == "E1-SHT")
    assert sht_change["change"] == "moved" and "R-DEFER" in sht_change["reason"]
    assert sht_change["weeks_moved"] == weeks_between(sht.fieldwork_start,
                                                      new_sht.fieldwork_start)
    assert (tmp_path / "out" / "diff.md").read_text().count("E1-SHT") == 1
    assert outcome.kpis["changes"]["moved"] == sum(r["change"] == "moved" for r in changed)


def test_pinned_and_notified_events_never_move(baseline: Run, tmp_path: Path) -> None:
    """Less capacity, a deferral and a pin: the pinned (by edit or by notification before the
    re-plan date) keep their kind and week and say `fixed`."""
    path = scenario_file(tmp_path / "pins", baseline,
                         '[[edit]]\ntype = "capacity"\nregion = "North"\nfactor = 0.9\n'
                         '[[edit]]\ntype = "defer"\nla = "E1"\nnot_before = 2027-05-03\n'
                         '[[edit]]\ntype = "pin"\nla = "Beta"\n')
    prepared = prepare(load_scenario(path))
    pins = prepared.problem.pins
    notified = {r.need_id for r in baseline.rows if r.need_id
                and str(r.notify_date or r.fieldwork_start) < REPLAN}
    beta = {r.need_id for r in baseline.rows if r.la_code == "E2"}
    assert notified and beta <= set(pins)
    lifted = {n for n in notified if n.startswith("E1-") and n != "E1-AEM1"}
    assert notified - lifted <= set(pins)  # only the deferral lifts a notification pin
    outcome = run_checked(path, tmp_path / "out")
    new = {r.need_id: r for r in outcome.result.rows if r.need_id}
    base = {r.need_id: r for r in baseline.rows if r.need_id}
    for need_id in pins:
        assert new[need_id].event == base[need_id].event
        assert not weeks_between(base[need_id].fieldwork_start, new[need_id].fieldwork_start)
        assert new[need_id].status in ("fixed", "overdue")


def test_checker_catches_a_moved_pin_a_broken_deferral_and_a_wrong_status(
        baseline: Run, tmp_path: Path) -> None:
    sht = baseline.row("E1", "SHT")
    not_before = sht.fieldwork_start + timedelta(weeks=6)
    path = scenario_file(tmp_path / "checked", baseline,
                         f'[[edit]]\ntype = "defer"\nla = "E1"\nevent = "SHT"\n'
                         f'not_before = {not_before}\n[[edit]]\ntype = "pin"\nla = "E2"\n'
                         'event = "STD"\n')
    outcome = run_checked(path, tmp_path / "out")
    problem = prepare(load_scenario(path)).problem
    rows = outcome.result.rows
    run = Run(problem, outcome.result, tmp_path / "out" / "programme.csv", [])
    std = run.row("E2", "STD")
    early = moved(run, run.row("E1", "SHT"), sht.fieldwork_start)
    for broken, rule in ((moved(run, std, std.fieldwork_start + timedelta(weeks=1)), "R-PIN"),
                         (replace(early, status="moved"), "R-DEFER"),
                         (replace(run.row("E1", "SHT"), status="new"), "R-PIN")):
        edited = [broken if r.event_id == broken.event_id else r for r in rows]
        found = [v for v in check_rows(problem, edited) if v.event_id == broken.event_id]
        assert rule in {v.rule for v in found}, found


def test_judgement_merge_and_capacity_edits_replan_and_pass_the_checker(
        baseline: Run, tmp_path: Path) -> None:
    std = baseline.row("E2", "STD")
    judged = scenario_file(tmp_path / "judged", baseline, f"""
[[edit]]
type = "judgement"
la = "Beta"
event = "STD"
date = {std.fieldwork_end}
leaders = "inadequate"
help_protection = "inadequate"
children_in_care = "requires_improvement"
care_leavers = "good"
[[edit]]
type = "leave"
inspector = "N-01"
start = 2027-01-04
end = 2027-02-26
[[edit]]
type = "share"
inspector = "N-02"
inspection_share = 0.5
[[edit]]
type = "inspector_leave"
inspector = "N-03"
from = 2028-01-03
[[edit]]
type = "inspector_join"
inspector = "N-09"
region = "North"
role = "HMI"
inspection_share = 0.6
from = 2027-09-06
[[edit]]
type = "area_send"
la = "Alpha"
move_from = 2027-06-07
start = 2027-10-04
[[edit]]
type = "parameter"
key = "weights.lending_day"
value = 40
""", replan=None)
    outcome = run_checked(judged, tmp_path / "judged-out")
    beta = [r for r in outcome.result.rows if r.la_code == "E2"]
    assert sum(r.event == "MV" for r in beta) >= 1  # R-PATH-3: monitoring follows
    assert all(r.pathway == "3" for r in beta)
    reasons = [record["reason"] for record in outcome.diff if record["la_code"] == "E2"]
    assert reasons and all("edit 1 (judgement)" in reason for reason in reasons)
    merged = scenario_file(tmp_path / "merged", baseline,
                           '[[edit]]\ntype = "merge"\nlas = ["Alpha", "Beta"]\ninto = "E9"\n'
                           'name = "Alpha and Beta"\nhistory_from = "Beta"\n')
    outcome = run_checked(merged, tmp_path / "merged-out")
    codes = {r.la_code for r in outcome.result.rows}
    assert "E9" in codes and not codes & {"E1", "E2"}


def test_compare_puts_runs_side_by_side(baseline: Run, tmp_path: Path) -> None:
    folders = []
    for name, factor in (("same", 1.0), ("less", 0.9)):
        path = scenario_file(tmp_path / name, baseline, f'[[edit]]\ntype = "capacity"\n'
                                                        f'region = "North"\nfactor = {factor}\n')
        outcome = run_checked(path, tmp_path / f"{name}-out")
        folders.append(outcome.out_dir)
    frame = compare(folders)
    assert list(frame.index) == ["same", "less"]
    assert frame.loc["same", "moved"] == 0  # nothing forces a change: nothing changes
    assert frame.loc["less", "use % North"] > frame.loc["same", "use % North"]
    outcome = CliRunner().invoke(app, ["scenario", "compare", *map(str, folders),
                                       "--out", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    assert "less" in (tmp_path / "compare.md").read_text()
    assert (tmp_path / "compare.csv").read_text().count("\n") == 3


def test_lending_is_counted_alike_for_a_staffed_baseline_and_a_draft(baseline: Run) -> None:
    draft = programme_kpis(baseline.problem, baseline.rows)
    # as if staffing had named a lending region on every event
    staffed = [replace(r, lent_from="Elsewhere") for r in baseline.rows]
    assert programme_kpis(baseline.problem, staffed)["events_with_lending"] == (
        draft["events_with_lending"])


CUT = '[[edit]]\ntype = "capacity"\nregion = "North"\nfactor = 0.3\n'


def over_quarters(problem: Problem, rows: list[ProgrammeRow]) -> set[str]:
    """The North quarters ("2026 Q3") the checker finds over capacity (R-CAP)."""
    return {q for v in check_rows(problem, rows) if v.rule == "R-CAP" and v.la_code == "North"
            for q in re.findall(r"\d{4} Q\d", v.message)}


def test_checker_holds_the_weeks_before_the_replan_date_to_the_baseline_capacity(
        baseline: Run, tmp_path: Path) -> None:
    """R-CAP: a capacity cut binds from the re-plan date's week on. The baseline's 2026 Q3
    (notified, held) needs more than 30 % of the North's share: refused if the cut bound
    from the start, accepted with the re-plan date; 2027 Q2, after it, is refused."""
    load = by_quarter(baseline.problem, programme_load(baseline.problem, baseline.rows)[0]
                      ["North"])
    share = baseline.problem.regional_quarter_capacity["North"]
    assert load[(2026, 3)] > 0.3 * share[(2026, 3)] and load[(2027, 2)] > 0.3 * share[(2027, 2)]
    cut = prepare(load_scenario(scenario_file(tmp_path / "cut", baseline, CUT))).problem
    assert "2026 Q3" not in over_quarters(cut, baseline.rows)
    assert "2027 Q2" in over_quarters(cut, baseline.rows)
    from_start = scenario_file(tmp_path / "from-start", baseline, CUT, replan=None)
    assert "2026 Q3" in over_quarters(prepare(load_scenario(from_start)).problem, baseline.rows)


def test_a_capacity_cut_never_fails_on_weeks_already_notified(baseline: Run,
                                                              tmp_path: Path) -> None:
    """The re-plan keeps every notified event where it is (its weeks keep the baseline's
    capacity) and fits the rest within the cut; the checker agrees."""
    outcome = run_checked(scenario_file(tmp_path / "cut", baseline, CUT), tmp_path / "out")
    new = {r.need_id: r.fieldwork_start for r in outcome.result.rows}
    held = {r.need_id: r.fieldwork_start for r in baseline.rows
            if str(r.notify_date or r.fieldwork_start) < REPLAN}
    assert held and all(new[need_id] == start for need_id, start in held.items())


STAFFING = """
[[edit]]
type = "leave"
inspector = "N-01"
start = 2026-09-14
end = 2027-01-29
[[edit]]
type = "share"
inspector = "N-02"
inspection_share = 0.2
fte = 0.5
[[edit]]
type = "inspector_leave"
inspector = "N-03"
from = 2026-10-01
[[edit]]
type = "inspector_join"
inspector = "N-09"
region = "North"
role = "HMI"
inspection_share = 0.6
from = 2026-09-14
"""


def test_staffing_edits_bind_from_the_replan_date(baseline: Run, tmp_path: Path) -> None:
    """Leave, a share and fte, a leaver and a joiner dated before the re-plan date change
    the North's days from its week on; before it, each week and quarter is the baseline's."""
    problem = prepare(load_scenario(scenario_file(tmp_path / "staff", baseline,
                                                  STAFFING))).problem
    base = baseline.problem
    first = problem.weeks.index(date.fromisoformat(REPLAN))
    weekly, base_weekly = problem.regional_capacity["North"], base.regional_capacity["North"]
    assert weekly[:first] == base_weekly[:first]
    assert all(ours < theirs for ours, theirs in zip(weekly[first:first + 12],
                                                     base_weekly[first:first + 12],
                                                     strict=True))
    quarters = problem.regional_quarter_capacity["North"]
    base_quarters = base.regional_quarter_capacity["North"]
    assert quarters[(2026, 3)] == base_quarters[(2026, 3)]
    assert quarters[(2026, 4)] < base_quarters[(2026, 4)]  # cut from its fifth week
    leave = {(r.inspector_id, r.reason): r for r in problem.dataset.leave}
    assert leave[("N-01", "scenario leave")].start == date.fromisoformat(REPLAN)
    assert leave[("N-03", "left the service")].start == date.fromisoformat(REPLAN)
    assert leave[("N-09", "not yet joined")].end == date.fromisoformat(REPLAN) - timedelta(1)


def test_leave_wholly_before_the_replan_date_is_refused(baseline: Run, tmp_path: Path) -> None:
    path = scenario_file(tmp_path / "past", baseline, '[[edit]]\ntype = "leave"\n'
                         'inspector = "N-01"\nstart = 2026-09-14\nend = 2026-10-30\n')
    with pytest.raises(InputError) as caught:
        prepare(load_scenario(path))
    message = str(caught.value.problems[0])
    assert "edit 1 (leave), field end" in message and "re-plan date" in message
