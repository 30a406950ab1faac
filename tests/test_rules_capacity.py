"""R-CAP, R-TEAM, R-LEND (constraints/capacity.py): inspector-days per region and week
(and quarter, pro rata where the horizon cuts it, for regions and inspectors alike), the
national specialist pools, and lending between regions at a cost, counted at home once
staffed and named in `lent_from`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.assign_duties import Limits
from scheduler.check import check_file, split_named
from scheduler.config import load_config
from scheduler.export import lending_by_capacity
from scheduler.io import read_dataset, write_atomically
from scheduler.problem import TENTHS, Problem
from scheduler.programme import ProgrammeRow, Violation, write_programme_csv
from tests.conftest import (
    POOLS,
    due_on,
    graded,
    inspector,
    la,
    pools,
    roster,
    write_dataset,
)
from tests.helpers import (
    ONE_DAY_WINDOW,
    Run,
    feasible,
    flagged,
    infeasible,
    merge,
    moved,
    only_weights,
    swapped,
)

# A short inspection needs 22 inspector-days in its on-site week (10 notice, 2 + 2 after).
DUE = date(2027, 3, 1)  # a week without bank holidays
NO_LENDING = merge(ONE_DAY_WINDOW, {"capacity": {"lending": False}})


def _hmis(count: int, region: str = "North") -> list:
    """``count`` full-time HMIs (5 inspector-days a week each)."""
    return [inspector(f"{region}-{k:02d}", region) for k in range(count)]


@pytest.mark.parametrize(("extra_fte", "fits"), [(0.0, False), (0.38, False), (0.4, True)])
def test_a_region_needs_the_days_its_week_demands(tmp_path: Path, extra_fte: float,
                                                  fits: bool) -> None:
    # Four HMIs give 20 days; a fifth at fte 0.4 adds the 2 days missing (0.38 adds 1.9).
    people = _hmis(4) + ([inspector("North-x", fte=extra_fte)] if extra_fte else [])
    folder = due_on(tmp_path / "d", DUE, inspectors=people + POOLS)
    if fits:
        assert feasible(folder, NO_LENDING).row("E1", "SHT").fieldwork_start == DUE
    else:
        assert "R-CAP" in infeasible(folder, NO_LENDING).explanation()


def test_a_small_la_needs_a_smaller_team(tmp_path: Path) -> None:
    # R-TEAM: a team of 3, 17 days on site, fits the 20 days of four HMIs.
    folder = due_on(tmp_path / "d", DUE, inspectors=_hmis(4) + POOLS, small=True)
    assert feasible(folder, NO_LENDING).row("E1", "SHT").fieldwork_start == DUE


def test_an_empty_specialist_pool_is_infeasible(tmp_path: Path) -> None:
    # Graded inspections need 2 days of an education HMI; there is none.
    folder = due_on(tmp_path / "d", DUE, inspectors=roster() + POOLS[:1])
    assert "EDU" in infeasible(folder, ONE_DAY_WINDOW).explanation()


def _two_regions(folder: Path, south_hmis: int, south_inspects: bool) -> Path:
    """North (four HMIs) inspects E1 on DUE; South's E2 is inspected the same day if
    ``south_inspects``, else only has its engagement meetings (next window in 2029)."""
    south_last = "2024-03-01" if south_inspects else "2026-06-05"
    return write_dataset(folder, las=[la("E1"), la("E2", "South")],
                         history=[graded("E1", "SHT", "2024-03-01"),
                                  graded("E2", "SHT", south_last)],
                         send=[], inspectors=_hmis(4) + _hmis(south_hmis, "South") + pools(2))


def test_lending_costs_per_day_borrowed(tmp_path: Path) -> None:
    # North is 2 days short in its inspection week; South has them spare: 2 days x
    # lending_day 20 = 40, shown on the inspection as lent from South.
    run = feasible(_two_regions(tmp_path / "d", 4, False),
                   merge(ONE_DAY_WINDOW, only_weights(lending_day=20)))
    assert run.result.cost_by_rule() == {"R-LEND": 40}
    # A draft names no lender (R-LEND, readings settled); capacity shows who lends.
    assert run.row("E1", "SHT").lent_from == ""
    assert lending_by_capacity(run.problem, run.rows) == {run.row("E1", "SHT").event_id: "South"}


@pytest.mark.parametrize(("south_hmis", "fits"), [(4, False), (5, False), (6, True)])
def test_lending_needs_spare_days_elsewhere(tmp_path: Path, south_hmis: int,
                                            fits: bool) -> None:
    # Both regions inspect in the same week: 44 days needed. Eight HMIs have 40 days; nine
    # have 45 days but on Tuesday and Wednesday each inspection needs 5 people (its team and
    # the extra HMI): 10 people, and nine are not enough (constraints/headcount.py).
    folder = _two_regions(tmp_path / "d", south_hmis, True)
    if fits:
        run = feasible(folder, ONE_DAY_WINDOW)
        assert lending_by_capacity(run.problem, run.rows) == {
            run.row("E1", "SHT").event_id: "South"}
    else:
        explanation = infeasible(folder, ONE_DAY_WINDOW).explanation()
        assert "R-LEND" in explanation  # the other region has no day to spare


# --- the independent checker on a hand-broken programme ------------------------------------


def test_checker_finds_two_inspections_in_one_week_over_capacity(tiny_run: Run) -> None:
    # North has 25 inspector-days a week: Alpha's short inspection (22 on site) and Beta's
    # standard one (15 on site, a small LA) cannot share an on-site week; no region can lend.
    alpha, beta = tiny_run.row("E1", "SHT"), tiny_run.row("E2", "STD")
    together = moved(tiny_run, beta, alpha.fieldwork_start)
    assert ("North", f"week of {alpha.fieldwork_start}") in flagged(
        tiny_run.check(swapped(tiny_run.rows, beta, together)), "R-CAP")


def test_checker_refuses_lent_from_on_a_draft_row(tmp_path: Path) -> None:
    # North borrows from South (the draft passed the checker with lent_from blank); a
    # lender named on a row with no team is refused.
    run = feasible(_two_regions(tmp_path / "d", 4, False), ONE_DAY_WINDOW)
    row = run.row("E1", "SHT")
    violations = run.check(swapped(run.rows, row, replace(row, lent_from="South")))
    assert flagged(violations, "R-LEND") == {("E1", row.event_id)}


# --- inspection_share per calendar quarter, pro rata; lending at home (readings settled) ---

# The programme starts on Monday 7 September 2026: 4 of 2026-Q3's 13 weeks (Mondays 6 July
# to 28 September) are inside the horizon. The quarter has 64 working days (31 August is a
# bank holiday), its 4 weeks inside 20; 2026-Q4, wholly inside, 62 (25 and 28 December and,
# in the week of Monday 28 December, 1 January).
Q3, Q4 = (2026, 3), (2026, 4)
WEDNESDAYS = [date(2026, 9, 9) + timedelta(weeks=k) for k in range(4)]  # inside 2026-Q3
STAFFING = ("R-ASSIGN", "R-CAP", "R-LEND")


def _problem(folder: Path, overrides: dict | None = None) -> Problem:
    return Problem.build(read_dataset(folder), load_config(overrides=overrides))


def _leave(*spans: str) -> dict[str, str]:
    """leave.csv with A away over each ``"first,last"`` span."""
    return {"leave.csv": "inspector_id,start,end,reason\n"
            + "".join(f"A,{span},leave\n" for span in spans)}


@pytest.mark.parametrize(("leave", "own", "region"), [
    ((), 3.9, 7.8),  # min(20 x 0.2 = 4.0, 64 x 0.2 x 4/13 = 3.94); two of them 7.88
    (("2026-08-10,2026-08-21",), 3.3, 7.2),  # leave before the start: 54 x 0.2 x 4/13
    (("2026-09-14,2026-09-15",), 3.6, 7.6),  # leave inside: 18 x 0.2 = 3.6; (18 + 20) x 0.2
])
def test_a_partial_quarter_gets_the_smaller_pro_rata_share(
        tmp_path: Path, leave: tuple[str, ...], own: float, region: float) -> None:
    people = [inspector("A", share=0.2), inspector("B", share=0.2), *POOLS]
    problem = _problem(write_dataset(tmp_path / "d", inspectors=people, **_leave(*leave)))
    limits = Limits(problem)
    assert limits.quarterly("A", Q3) == round(own * TENTHS)
    assert problem.regional_quarter_capacity["North"][Q3] == round(region * TENTHS)
    assert limits.quarterly("B", Q4) == round(62 * 0.2 * TENTHS)  # a whole quarter: as ever


def test_a_region_s_week_is_its_inspectors_weeks_before_a_replan_date_too(
        tmp_path: Path) -> None:
    # A re-plan from week 4 keeps the baseline's fte before it (A worked full time, now
    # half): a region's weekly capacity and each inspector's weekly limit count A alike,
    # so a staffing within everyone's limits is within the region's (R-CAP, R-ASSIGN).
    people = [inspector("A", fte=0.5), inspector("B"), *POOLS]
    problem = _problem(write_dataset(tmp_path / "d", inspectors=people))
    problem.replan_week = 4
    problem.kept_inspectors = {"A": replace(problem.dataset.inspectors["A"], fte=1.0)}
    limits = Limits(problem)
    assert [limits.weekly("A", week) for week in (3, 4)] == [5 * TENTHS, 2.5 * TENTHS]
    for week in (3, 4):
        assert problem.regional_capacity["North"][week] == sum(
            limits.weekly(pid, week) for pid in ("A", "B"))


def _meeting(problem: Problem, la_code: str, day: date, who: str, lent: str = ""
             ) -> ProgrammeRow:
    """An engagement meeting of the LA on ``day``, held by ``who``."""
    return ProgrammeRow(f"{la_code}-AEM-{day}", la_code, la_code, problem.region_of(la_code),
                        "AEM", "new", None, (day,), day, day, None, None, None, None, None,
                        lead_inspector=who, team=who, lent_from=lent)


def _staffing_found(problem: Problem, rows: list[ProgrammeRow], folder: Path
                    ) -> list[Violation]:
    """The checker's R-ASSIGN, R-CAP and R-LEND findings in hand-made staffed rows
    (written to programme.csv and read back; the rows are not a whole programme)."""
    path = folder / "programme.csv"
    write_atomically(path, lambda tmp: write_programme_csv(rows, tmp))
    found = check_file(problem, path)
    assert not any(v.rule == "DATA" for v in found), found
    return [v for v in found if v.rule in STAFFING]


@pytest.mark.parametrize(("leave", "limit", "allowed"), [
    ((), 3.9, 3),  # the 4 weeks' own 20 x 0.2 = 4.0 would allow a fourth meeting
    (("2026-07-27,2026-08-21",), 2.7, 2),  # leave before the start: 44 x 0.2 x 4/13
    (("2026-09-14,2026-09-15", "2026-09-21,2026-09-22", "2026-09-28,2026-09-29"), 2.8, 2),
])
def test_checker_refuses_an_inspector_over_the_pro_rata_quarter(
        tmp_path: Path, leave: tuple[str, ...], limit: float, allowed: int) -> None:
    # Four engagement meetings on the Wednesdays of September: A (share 0.2) may hold as
    # many as A's pro-rata share of 2026-Q3 (leave off) allows, B the others.
    people = [inspector("A", share=0.2), inspector("B"), *POOLS]
    problem = _problem(write_dataset(tmp_path / "d", inspectors=people, **_leave(*leave)))

    def held_by_a(count: int) -> list[ProgrammeRow]:
        return [_meeting(problem, "E1", day, "A" if k < count else "B")
                for k, day in enumerate(WEDNESDAYS)]

    found = _staffing_found(problem, held_by_a(allowed + 1), tmp_path)
    assert [(v.rule, v.la_code, v.event_id) for v in found] == [
        ("R-ASSIGN", "A", "quarter 2026 Q3")]
    assert f"A works {allowed + 1} days" in found[0].message and f"({limit:g})" in found[0].message
    assert _staffing_found(problem, held_by_a(allowed), tmp_path) == []


@pytest.mark.parametrize(("named_on", "excused"), [("E2", False), ("E1", True)])
def test_an_inspector_over_the_quarter_is_excused_only_where_a_row_of_theirs_says_so(
        tmp_path: Path, named_on: str, excused: bool) -> None:
    # A (3.9 days of 2026-Q3, pro rata) holds E1's four September meetings; E2's meeting,
    # unstaffed, names R-ASSIGN. A's quarter is named only by a row A is on.
    people = [inspector("A", share=0.2), inspector("B"), *POOLS]
    problem = _problem(write_dataset(tmp_path / "d", inspectors=people))
    rows = [*(_meeting(problem, "E1", day, "A") for day in WEDNESDAYS),
            _meeting(problem, "E2", WEDNESDAYS[0], "")]
    rows = [replace(r, relaxed="R-ASSIGN") if r.la_code == named_on else r for r in rows]
    path = tmp_path / "programme.csv"
    write_atomically(path, lambda tmp: write_programme_csv(rows, tmp))
    found = split_named(problem, rows, check_file(problem, path))
    over = ("R-ASSIGN", "A", "quarter 2026 Q3")
    assert (over in {(v.rule, v.la_code, v.event_id) for v in found.other}) is not excused
    assert (over in {(v.rule, v.la_code, v.event_id) for v in found.named}) is excused


def _north_and_south(folder: Path, people: list) -> Path:
    """E1 in North, E9 in South, both last inspected in March 2024."""
    return write_dataset(folder, las=[la("E1"), la("E9", "South")],
                         history=[graded("E1", "SHT", "2024-03-22"),
                                  graded("E9", "SHT", "2024-03-22")],
                         send=[], inspectors=people)


def test_checker_counts_a_lent_inspector_against_the_home_region(tmp_path: Path) -> None:
    # South's only inspector S-1 (share 0.2: 3.9 days of 2026-Q3, pro rata) holds North's
    # four September meetings: South's own inspectors work 4 days, more than South has,
    # though North (N-1, share 1.0) has the days for them.
    problem = _problem(_north_and_south(
        tmp_path / "d", [inspector("N-1", share=1.0), inspector("S-1", "South", share=0.2),
                         *POOLS]))
    lent = [_meeting(problem, "E1", day, "S-1", "South") for day in WEDNESDAYS]
    found = _staffing_found(problem, lent, tmp_path)
    assert flagged(found, "R-CAP") == {("South", "quarter 2026 Q3")}
    assert "South's inspectors work 4 days" in next(v for v in found if v.rule == "R-CAP").message
    assert flagged(found, "R-ASSIGN") == {("S-1", "quarter 2026 Q3")}
    # North's own inspector holds the last one: South works 3 days, North 1.
    home = [*lent[:3], _meeting(problem, "E1", WEDNESDAYS[3], "N-1")]
    assert _staffing_found(problem, home, tmp_path) == []


def _visit(problem: Problem, la_code: str, week: int, team: list[str], lent: str
           ) -> ProgrammeRow:
    """A focused visit of the LA with notice week ``week``, led by the first of ``team``."""
    fp = problem.footprint("FV", week)
    return ProgrammeRow(f"{la_code}-FV1", la_code, la_code, problem.region_of(la_code), "FV",
                        "new", fp.notify_date, fp.onsite_days, fp.fieldwork_start,
                        fp.fieldwork_end, fp.draft_report_due, fp.final_report_due,
                        fp.publication_due, None, None, lead_inspector=team[0],
                        team=";".join(team), lent_from=lent)


@pytest.mark.parametrize(("team", "lent", "refused"), [
    (["S-1", "W-1"], "South;West", False),
    (["S-1", "W-1"], "West;South", True),  # not sorted
    (["S-1", "W-1"], "South", True),  # West missing
    (["S-1", "W-1"], "", True),  # none named
    (["N-1", "S-1"], "North;South", True),  # the LA's own region named
    (["N-1", "S-1"], "South", False),
    (["N-1", "N-2"], "", False),
    (["N-1", "N-2"], "South", True),  # nobody from South on the team
])
def test_checker_wants_lent_from_to_list_the_team_s_other_home_regions(
        tmp_path: Path, team: list[str], lent: str, refused: bool) -> None:
    people = [inspector(pid, region) for pid, region in (
        ("N-1", "North"), ("N-2", "North"), ("S-1", "South"), ("W-1", "West"))]
    folder = write_dataset(tmp_path / "d", las=[la("E1"), la("E9", "South"), la("E8", "West")],
                           history=[graded(code, "SHT", "2024-03-22")
                                    for code in ("E1", "E9", "E8")],
                           send=[], inspectors=[*people, *POOLS])
    problem = _problem(folder)
    found = _staffing_found(problem, [_visit(problem, "E1", 8, team, lent)], tmp_path)
    assert flagged(found, "R-LEND") == ({("E1", "E1-FV1")} if refused else set())
    assert {v.rule for v in found} <= {"R-LEND"}


@pytest.mark.parametrize(("share", "fits"), [(0.345, False), (0.35, True)])
def test_the_model_keeps_a_region_within_its_pro_rata_quarter(tmp_path: Path, share: float,
                                                              fits: bool) -> None:
    # A short inspection on site from 21 September 2026 needs 34 of North's inspector-days
    # in 2026-Q3 (10 in its notice week, 22 on site, 2 the week after). Five HMIs have
    # 100 x share in the quarter's 4 weeks inside the horizon, but 64 x 5 x share x 4/13
    # pro rata: 33.9 days at 0.345 (34.5 the other way), 34.4 at 0.35. Staffing left out:
    # each HMI's own pro-rata share (6.8 days at most) cannot hold a team member's 7 days.
    people = [inspector(f"N-{k}", share=share) for k in range(5)]
    folder = due_on(tmp_path / "d", date(2026, 9, 21), inspectors=[*people, *POOLS])
    overrides = merge(NO_LENDING, {"assignment": {"avoid_unstaffable_weeks": False}})
    if fits:
        run = feasible(folder, overrides)
        assert run.row("E1", "SHT").fieldwork_start == date(2026, 9, 21)
    else:
        assert "R-CAP" in infeasible(folder, overrides).explanation()
