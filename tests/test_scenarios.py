"""Scenario files: the worked examples apply to England; invalid files are refused with the
scenario file, the edit and the field named, exit 2 and no traceback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import load_scenario, prepare
from scenarios.edits import apply_edits
from scheduler.cli import app
from scheduler.errors import InputError
from scheduler.io import read_dataset

EXAMPLES = sorted(Path("scenarios/examples").glob("*.toml"))


def write_scenario(folder: Path, body: str, data: Path, baseline: Path | None = None) -> Path:
    head = f'name = "test"\ndata = "{data}"\n'
    if baseline:
        head += f'baseline = "{baseline}"\n'
    path = folder / "scenario.toml"
    path.write_text(head + body, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        prepare(load_scenario(path))
    return "\n".join(str(p) for p in caught.value.problems)


def test_every_example_applies_to_england() -> None:
    assert len(EXAMPLES) >= 5
    england = read_dataset(Path("data/england"))
    types = set()
    for path in EXAMPLES:
        scenario = load_scenario(path)
        assert scenario.data == Path("data/england").resolve()
        workspace, _config = apply_edits(scenario, england)  # LAs and inspectors all known
        assert workspace.touched_las or workspace.touched_regions or workspace.global_edits
        types |= {e.type for e in scenario.edits}
    assert types >= {"defer", "leave", "share", "inspector_join", "inspector_leave", "capacity",
                     "judgement", "area_send", "jtai", "merge", "parameter", "pin"}


def test_hartlepool_example_defers_its_short_inspection() -> None:
    scenario = load_scenario(Path("scenarios/examples/hartlepool_deferral.toml"))
    prepared = prepare(replace(scenario, baseline=None))  # no England baseline in the tests
    deferral = prepared.problem.deferrals["E06000001-SHT"]
    assert str(deferral.not_before) == "2027-09-01" and "edit 1 (defer)" in deferral.reason
    assert set(prepared.problem.deferrals) == {"E06000001-SHT"}


BASE_EDITS = {
    "unknown type": ('[[edit]]\ntype = "holiday"\nla = "E1"\n',
                     ["edit 1, field type", "unknown edit type 'holiday'"]),
    "unknown LA": ('[[edit]]\ntype = "defer"\nla = "Alfa"\nnot_before = 2027-06-01\n',
                   ["edit 1 (defer), field la", "unknown LA 'Alfa'", "did you mean 'Alpha'"]),
    "unknown inspector": ('[[edit]]\ntype = "leave"\ninspector = "X-9"\nstart = 2027-01-04\n'
                          'end = 2027-01-08\n', ["edit 1 (leave), field inspector",
                                                 "unknown inspector 'X-9'"]),
    "leave ends before it starts": (
        '[[edit]]\ntype = "leave"\ninspector = "N-01"\nstart = 2027-01-08\nend = 2027-01-04\n',
        ["edit 1 (leave), field end", "before it starts"]),
    "merge into itself": ('[[edit]]\ntype = "merge"\nlas = ["E1", "Alpha"]\n',
                          ["edit 1 (merge), field las", "cannot merge into itself"]),
    "unknown field": ('[[edit]]\ntype = "share"\ninspector = "N-01"\ncolour = "red"\n',
                      ["edit 1 (share), field colour", "unknown field"]),
    "bad date": ('[[edit]]\ntype = "defer"\nla = "E1"\nnot_before = "next spring"\n',
                 ["edit 1 (defer), field not_before", "not a date"]),
    "missing field": ('[[edit]]\ntype = "defer"\nla = "E1"\n',
                      ["edit 1 (defer), field not_before", "required field is missing"]),
    "unknown parameter": ('[[edit]]\ntype = "parameter"\nkey = "weights.nonsense"\nvalue = 3\n',
                          ["edit 1 (parameter), field key", "nonsense"]),
    "unknown event": ('[[edit]]\ntype = "defer"\nla = "E1"\nevent = "MV"\n'
                      'not_before = 2027-06-01\n', ["edit 1 (defer), field event",
                                                    "no event 'MV' is due for Alpha"]),
    "bad config": ('[config]\nweights.target_week = -1\n', ["field config", "non-negative"]),
    "unknown key": ('colour = "red"\n', ["field colour", "unknown key"]),
}


@pytest.mark.parametrize("case", sorted(BASE_EDITS))
def test_invalid_scenarios_are_refused_by_file_edit_and_field(case: str, tiny: Path,
                                                              tmp_path: Path) -> None:
    body, expected = BASE_EDITS[case]
    path = write_scenario(tmp_path, body, tiny)
    message = refusal(path)
    assert str(path) in message
    for text in expected:
        assert text in message, message


def test_contradictory_pins_and_deferrals_are_refused(tiny: Path, tmp_path: Path) -> None:
    pins = ('[[edit]]\ntype = "pin"\nla = "E1"\nevent = "SHT"\nstart = 2027-03-01\n'
            '[[edit]]\ntype = "pin"\nla = "Alpha"\nevent = "SHT"\nstart = 2027-04-05\n')
    message = refusal(write_scenario(tmp_path, pins, tiny))
    assert "edit 2 (pin), field start" in message and "already pinned" in message
    assert "edit 1 (pin)" in message  # names the edit it contradicts
    pin_then_defer = ('[[edit]]\ntype = "pin"\nla = "E1"\nevent = "SHT"\nstart = 2027-03-01\n'
                      '[[edit]]\ntype = "defer"\nla = "E1"\nevent = "SHT"\n'
                      'not_before = 2027-05-03\n')
    message = refusal(write_scenario(tmp_path, pin_then_defer, tiny))
    assert "edit 2 (defer), field not_before" in message and "pinned" in message


def test_pin_without_a_baseline_date_is_refused(tiny: Path, tmp_path: Path) -> None:
    message = refusal(write_scenario(tmp_path, '[[edit]]\ntype = "pin"\nla = "E1"\n', tiny))
    assert "edit 1 (pin), field event" in message and "baseline" in message


def test_missing_baseline_file_is_refused(tiny: Path, tmp_path: Path) -> None:
    message = refusal(write_scenario(tmp_path, "", tiny, tmp_path / "nowhere.csv"))
    assert "field baseline" in message and "no baseline programme" in message


def test_cli_refuses_a_bad_scenario_without_traceback(tiny: Path, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, '[[edit]]\ntype = "defer"\nla = "Nowhere"\n'
                                    'not_before = 2027-06-01\n', tiny)
    out = tmp_path / "out"
    for command in (["run", str(path), "--out", str(out)], ["validate", str(path)]):
        outcome = CliRunner().invoke(app, ["scenario", *command])
        assert outcome.exit_code == 2, outcome.output
        assert "Traceback" not in outcome.output
        assert "edit 1 (defer), field la" in outcome.output
    assert not out.exists()
