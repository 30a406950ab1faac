"""R-PIN as a fact: an event notified before the re-plan date took or takes place in its
baseline week whatever the rules say now. The re-plan keeps it there, names the rules it
breaks in `relaxed` (and nowhere else), plans every other event under every rule, and
writes its programme without any explanation search; the checker accepts exactly that."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constraints.capacity import by_quarter, programme_load
from constraints.stability import held_breaks, held_week
from scenarios import load_scenario, prepare, run_scenario
from scheduler.check import check_named, check_rows, split_named
from scheduler.cli import app
from scheduler.model import build_model
from scheduler.programme import ProgrammeRow
from tests.conftest import write_dataset
from tests.helpers import Run, feasible, moved

REPLAN = "2026-11-02"
HELD = "E1-JTAI1"  # the tiny baseline's JTAI: notified 2026-09-21, on site from 2026-10-05
# A rule edited since the baseline: the summer break of graded events now runs to October
SUMMER = '[[edit]]\ntype = "parameter"\nkey = "summer.onsite_to"\nvalue = "10-31"\n'


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = feasible(write_dataset(tmp_path_factory.mktemp("held") / "tiny"))
    held = run.event(HELD)
    assert str(held.notify_date) < REPLAN and held.fieldwork_start == date(2026, 10, 5)
    return run


def scenario(folder: Path, base: Run, edits: str, replan: str = REPLAN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.toml"
    assert base.programme is not None
    path.write_text(f'name = "{folder.name}"\ndata = "{base.programme.parent.parent / "tiny"}"\n'
                    f'baseline = "{base.programme}"\nreplan_date = "{replan}"\n'
                    f"time_limit = 10\n{edits}", encoding="utf-8")
    return path


def test_a_notified_event_keeps_a_week_the_rules_now_refuse(baseline: Run,
                                                            tmp_path: Path) -> None:
    path = scenario(tmp_path / "summer", baseline, SUMMER)
    out = tmp_path / "out"
    outcome = run_scenario(load_scenario(path), out)
    assert outcome.feasible  # solved once: no explanation search, no relaxed plan
    assert (out / "programme.csv").is_file() and not (out / "relaxed_programme.csv").exists()
    rows = {row.event_id: row for row in outcome.result.rows}
    held = rows[HELD]
    assert held.fieldwork_start == baseline.event(HELD).fieldwork_start
    assert held.status == "fixed" and held.relaxed == "R-SUMMER"
    assert [row.event_id for row in rows.values() if row.relaxed] == [HELD]
    assert ("R-SUMMER", "E1") in outcome.result.relaxed_rules
    assert "held in the week of 2026-10-05" in (out / "explanation.md").read_text()
    # The checker, from the files alone: the summer break is broken by that event only,
    # and named there; every other event obeys every rule.
    problem = prepare(load_scenario(path)).problem
    findings = check_named(problem, out / "programme.csv")
    assert findings.other == []
    assert {(v.rule, v.event_id) for v in findings.named} == {("R-SUMMER", HELD)}
    result = CliRunner().invoke(app, ["scenario", "check", str(path), str(out)])
    assert result.exit_code == 3, result.output


def test_the_checker_accepts_the_breach_only_on_the_held_event(baseline: Run,
                                                               tmp_path: Path) -> None:
    path = scenario(tmp_path / "summer", baseline, SUMMER)
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    problem = prepare(load_scenario(path)).problem
    run = Run(problem, outcome.result, tmp_path / "out" / "programme.csv", [])
    rows = outcome.result.rows
    held, other = run.event(HELD), run.event("E2-JTAI1")

    def found(edited: list[ProgrammeRow]) -> tuple[set[tuple[str, str]], ...]:
        findings = split_named(problem, edited, check_rows(problem, edited))
        return tuple({(v.rule, v.event_id) for v in part}
                     for part in (findings.named, findings.other))

    assert found(rows) == ({("R-SUMMER", HELD)}, set())
    # Unnamed, the held event's breach is a violation like any other.
    unnamed = [replace(r, relaxed="") if r.event_id == HELD else r for r in rows]
    assert found(unnamed) == (set(), {("R-SUMMER", HELD)})
    # Another JTAI in the barred weeks is refused, though the held one names the rule.
    early = moved(run, other, held.fieldwork_start + timedelta(weeks=2))
    named, refused = found([early if r.event_id == other.event_id else r for r in rows])
    assert ("R-SUMMER", other.event_id) in refused and ("R-SUMMER", HELD) in named


def test_the_model_holds_the_event_in_its_week_alone(baseline: Run, tmp_path: Path) -> None:
    problem = prepare(load_scenario(scenario(tmp_path / "summer", baseline, SUMMER))).problem
    assert held_breaks(problem) == {"E1-FV1": ["R-SUMMER"]}
    week = held_week(problem, "E1-FV1", "JTAI")
    assert week is not None
    assert list(build_model(problem).context.x["E1-FV1"]) == [("JTAI", week)]


def test_a_pin_to_a_new_date_obeys_the_rules(baseline: Run, tmp_path: Path) -> None:
    """An agreed new date is a choice, not a fact: a week the rules refuse is a conflict,
    explained, not a week held."""
    pin = ('[[edit]]\ntype = "pin"\nla = "E2"\nevent = "JTAI"\nstart = 2026-10-19\n')
    path = scenario(tmp_path / "new-date", baseline, SUMMER + pin, replan="2026-10-01")
    problem = prepare(load_scenario(path)).problem
    assert held_week(problem, "E2-FV1", "JTAI") is None
    assert "E2-FV1" not in held_breaks(problem)
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    assert not outcome.feasible
    assert "R-SUMMER" in " ".join(outcome.explanation)


def test_held_events_over_the_capacity_keep_their_weeks(baseline: Run,
                                                        tmp_path: Path) -> None:
    """R-CAP: the North's inspectors cut to a tenth of their share (a rule's number changed
    since the baseline, binding from the start): the events held in 2026 Q3 need more than
    its capacity; they keep their weeks, name R-CAP, and the quarter takes nothing else."""
    cut = ('[[edit]]\ntype = "parameter"\nkey = "capacity.quarter_weeks"\nvalue = 130\n')
    path = scenario(tmp_path / "cut", baseline, cut)
    problem = prepare(load_scenario(path)).problem
    floor = problem.capacity_floor["North"]
    assert (2026, 3) in floor
    outcome = run_scenario(load_scenario(path), tmp_path / "out")
    assert outcome.feasible and outcome.violations == []
    held = {need_id for need_id, rules in held_breaks(problem).items() if "R-CAP" in rules}
    q3 = by_quarter(problem, programme_load(problem, outcome.result.rows)[0]["North"])
    assert held and q3[(2026, 3)] == floor[(2026, 3)]
    for row in outcome.result.rows:
        assert ("R-CAP" in row.relaxed.split(";")) == (row.need_id in held), row


def test_a_pin_outside_the_window_is_explained_by_the_window(baseline: Run,
                                                              tmp_path: Path) -> None:
    """Explain mode keeps the week an event is pinned to, even outside its window, so the
    explanation names the rule that refuses it (R-WIN), not only the pin."""
    pin = '[[edit]]\ntype = "pin"\nla = "E1"\nevent = "SHT"\nstart = 2027-12-06\n'
    outcome = run_scenario(load_scenario(scenario(tmp_path / "late", baseline, pin)),
                           tmp_path / "out")
    assert not outcome.feasible
    assert "(R-WIN)" in outcome.explanation[0] and "2027-12-06" in outcome.explanation[0]
