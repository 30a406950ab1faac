"""Every worked example in scenarios/examples (issue 20): run against a baseline solved in
the same session, as `ilacs plan --data data/england --out out` writes it (a shorter time
limit), it writes a programme the independent checker accepts: programme.csv, or, where no
programme meets every hard rule, relaxed_programme.csv breaking only the rules its rows
name in `relaxed`. An example added to the folder is tested by being there."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import load_scenario, run_scenario
from scheduler.cli import app
from scheduler.cli_common import EXIT_HOLDS, EXIT_RELAXED

EXAMPLES = sorted(Path("scenarios/examples").glob("*.toml"))
PLAN_SECONDS = 30  # the baseline's solver limit (deterministic seconds)
REPLAN_SECONDS = 10  # each example's re-plan (most are local: a region or two)


@pytest.fixture(scope="session")
def england_baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """England planned once, by the command the examples name for their baseline."""
    out = tmp_path_factory.mktemp("england")
    planned = CliRunner().invoke(app, ["plan", "--data", "data/england", "--out", str(out),
                                       "--deterministic-time", str(PLAN_SECONDS)])
    assert planned.exit_code in (EXIT_HOLDS, EXIT_RELAXED), planned.output
    return out / "programme.csv"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_writes_a_checked_programme(path: Path, england_baseline: Path,
                                            tmp_path: Path) -> None:
    scenario = replace(load_scenario(path), baseline=england_baseline,
                       time_limit=REPLAN_SECONDS)
    outcome = run_scenario(scenario, tmp_path)
    assert outcome.programme is not None and outcome.programme.is_file(), outcome.explanation
    assert outcome.violations == [], [str(v) for v in outcome.violations]
    if not outcome.feasible:  # the rules it breaks are named, in conflict and by event
        assert outcome.explanation and outcome.relaxed and outcome.relaxed.relaxed_rules
        assert outcome.findings and outcome.findings.named
    checked = CliRunner().invoke(app, ["scenario", "check", str(path), str(tmp_path),
                                       "--baseline", str(england_baseline)])
    expected = EXIT_HOLDS if outcome.feasible else EXIT_RELAXED
    assert checked.exit_code == expected, checked.output
