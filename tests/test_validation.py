"""Issue 22, part 1: every input file and option is validated in one pass before any model
is built. Each bad input, run through the real command line, ends with exit 2 and one line
per problem naming the file (or option), row, column and rule, and no traceback; a
property test mutates the tiny dataset's files and sees either a programme or such lines."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.validate import load_input
from tests.conftest import HISTORY, INSPECTORS, LAS, MANIFEST, START, write_dataset
from tests.helpers import Run

RUNNER = CliRunner()
# "error FILE[, row N][, column C]: [RULE] message" (scheduler.errors.InputProblem)
LOCATED = re.compile(r"^error (?P<file>[^,:]+?)(, (edit|row) \d+[^,:]*)?(, (column|field) "
                     r"[^:]+)?: \[(?P<rule>[A-Za-z][A-Za-z0-9-]*)\] \S")


def cli(*args: object) -> Result:
    return RUNNER.invoke(app, [str(a) for a in args])


def errors(outcome: Result) -> list[str]:
    """The refusal's lines, after asserting it is one: exit 2, no exception, no traceback."""
    assert outcome.exit_code == 2, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (
        outcome.exception)
    assert "Traceback" not in outcome.output
    lines = [line for line in outcome.output.splitlines() if line.startswith("error ")]
    assert lines and all(LOCATED.match(line) for line in lines), outcome.output
    return lines


# --- the cases: each builds a bad input in a fresh folder and names the command to run -----

@dataclass(frozen=True)
class Case:
    """A command on a bad input; each of ``expected`` is found in one error line."""

    build: Callable[[Path], list[object]]
    expected: tuple[str, ...]
    lines: int | None = None  # exactly this many error lines, where it matters


def _data(tmp: Path, weeks: int = 104, **files: str) -> Path:
    return write_dataset(tmp / "data", weeks, **files)


def _plan(data: Path, *options: object) -> list[object]:
    return ["plan", "--data", data, "--out", data.parent / "out", "--time-limit", 2, *options]


def _manifest(**changes: object) -> str:
    values = {"weeks": 104, "start": START, "as_at": "2026-08-22"} | changes
    return MANIFEST.format(**values)


def _plan_with(**files: str) -> Callable[[Path], list[object]]:
    return lambda tmp: _plan(_data(tmp, **files))


def _plan_options(*options: object) -> Callable[[Path], list[object]]:
    return lambda tmp: _plan(_data(tmp), *options)


def _las(old: str, new: str) -> dict[str, str]:
    assert old in LAS
    return {"local_authorities.csv": LAS.replace(old, new)}


def _out_is_a_file(command: Callable[[Path, Path], list[object]]
                   ) -> Callable[[Path], list[object]]:
    def build(tmp: Path) -> list[object]:
        out = tmp / "taken"
        out.write_text("not a folder\n")
        return command(_data(tmp), out)
    return build


def _scenario_file(data: Path, body: str) -> Path:
    path = data.parent / "scenario.toml"
    path.write_text(f'name = "t"\ndata = "{data}"\nreplan_date = "2026-11-02"\n' + body,
                    encoding="utf-8")
    return path


def _scenario(body: str) -> Callable[[Path], list[object]]:
    return lambda tmp: ["scenario", "run", _scenario_file(_data(tmp), body), "--out",
                        tmp / "out", "--time-limit", 2]


def _config(tmp: Path) -> list[object]:
    path = tmp / "config.toml"
    path.write_text("[solver]\ntime_limt_seconds = 5\nworkers = \"two\"\n"
                    "[widows]\ntolerance_months = 3\n", encoding="utf-8")
    return _plan(_data(tmp), "--config", path)


def _fixed_jtai(tmp: Path) -> list[object]:
    jtai = "la_code,status,fieldwork_start,fieldwork_end,theme\nE2,planned,2026-12-25,,t\n"
    return _plan(_data(tmp, **{"jtai.csv": jtai}))


def _binary(name: str, data: bytes) -> Callable[[Path], list[object]]:
    def build(tmp: Path) -> list[object]:
        folder = _data(tmp)
        (folder / name).write_bytes(data)
        return _plan(folder)
    return build


NO_FTE = INSPECTORS.replace("North,SHMI,1.0", "North,SHMI,0.0").replace("North,HMI,1.0",
                                                                          "North,HMI,0.0")
LATE_VISIT = HISTORY + "E1,FV,2026-10-06,2026-10-07,2026-11-20,,,,,,,test\n"

CASES: dict[str, Case] = {
    "out is a file": Case(_out_is_a_file(lambda d, o: [*_plan(d), "--out", o]),
                          ("--out: [option]", "is a file, not a folder")),
    "out under a file": Case(_out_is_a_file(lambda d, o: [*_plan(d), "--out", o / "sub"]),
                             ("--out: [option]", "cannot be made")),
    "assign out is a file": Case(
        _out_is_a_file(lambda d, o: ["assign", d / "programme.csv", "--data", d, "--out", o]),
        ("--out: [option]",), 1),
    "export ics out is a file": Case(
        _out_is_a_file(lambda d, o: ["export", "ics", "--programme", d / "programme.csv",
                                     "--data", d, "--out", o]), ("--out: [option]",), 1),
    "scenario run out is a file": Case(
        _out_is_a_file(lambda d, o: ["scenario", "run", _scenario_file(d, ""), "--out", o]),
        ("--out: [option]",), 1),
    "region typo": Case(_plan_with(**_las("Gamma,North", "Gamma,Nrth")),
                        ("local_authorities.csv, row 4, column region: [DATA]",
                         "did you mean 'North'?"), 1),
    "region in another case": Case(_plan_with(**_las("Gamma,North", "Gamma,north")),
                                   ("local_authorities.csv, row 4, column region: [DATA]",
                                    "did you mean 'North'?"), 1),
    "region with no inspectors": Case(_plan_with(**_las("Gamma,North", "Gamma,Atlantis")),
                                      ("local_authorities.csv, row 4, column region: [R-CAP] "
                                       "region 'Atlantis' has no inspector",), 1),
    "history of its header alone": Case(
        _plan_with(**{"ilacs_history.csv": HISTORY.splitlines()[0] + "\n"}),
        ("ilacs_history.csv: [DATA] the file has a header but no rows",), 1),
    "horizon 0": Case(_plan_with(**{"dataset.toml": _manifest(weeks=0)}),
                      ("dataset.toml, column horizon_weeks: [DATA]",), 1),
    "horizon -1": Case(_plan_with(**{"dataset.toml": _manifest(weeks=-1)}),
                       ("dataset.toml, column horizon_weeks: [DATA]",), 1),
    "horizon 10000": Case(_plan_with(**{"dataset.toml": _manifest(weeks=10000)}),
                          ("dataset.toml, column horizon_weeks: [DATA]",
                           "limits.max_horizon_weeks (520)"), 1),
    "--weeks 0": Case(_plan_options("--weeks", 0), ("--weeks: [option]",), 1),
    "--weeks 521": Case(_plan_options("--weeks", 521), ("--weeks: [option]",), 1),
    "unknown keys in dataset.toml": Case(
        _plan_with(**{"dataset.toml": _manifest() + 'colour = "red"\nhorizon = 3\n'}),
        ("dataset.toml, column colour: [DATA] unknown key",
         "dataset.toml, column horizon: [DATA] unknown key"), 2),
    "programme start not a Monday": Case(
        _plan_with(**{"dataset.toml": _manifest(start="2026-09-08")}),
        ("dataset.toml, column programme_start: [DATA] 2026-09-08 is a Tuesday",
         "the next is 2026-09-14"), 1),
    "--start not a Monday": Case(_plan_options("--start", "2026-09-13"),
                                 ("--start: [option] 2026-09-13 is a Sunday",
                                  "the next is 2026-09-14"), 1),
    "history after as_at": Case(_plan_with(**{"ilacs_history.csv": LATE_VISIT}),
                                ("ilacs_history.csv, row 6, column fieldwork_start: [DATA]",
                                 "ilacs_history.csv, row 6, column fieldwork_end: [DATA]",
                                 "ilacs_history.csv, row 6, column published: [DATA] "
                                 "2026-11-20 is after as_at 2026-08-22"), 3),
    "as_at after the programme start": Case(
        _plan_with(**{"dataset.toml": _manifest(as_at="2026-09-10")}),
        ("dataset.toml, column as_at: [DATA] 2026-09-10 is after programme_start",), 1),
    "--start before as_at": Case(_plan_options("--start", "2026-08-17"),
                                 ("--start: [option] 2026-08-17 is before as_at",), 1),
    "deferral in the past (local_authorities.csv)": Case(
        _plan_with(**{"local_authorities.csv": LAS.replace(",small\n", ",small,not_before\n")
                      .replace(",false\n", ",false,2026-06-01\n", 1)}),
        ("local_authorities.csv, row 2, column not_before: [R-DEFER] 2026-06-01 is before",),
        1),
    "deferral in the past (scenario)": Case(
        _scenario('[[edit]]\ntype = "defer"\nla = "E1"\nnot_before = 2026-10-05\n'),
        ("edit 1 (defer), field not_before: [R-DEFER] 2026-10-05 is before the re-plan date",),
        1),
    "pin on a Sunday": Case(
        _scenario('[[edit]]\ntype = "pin"\nla = "E1"\nevent = "SHT"\nstart = 2027-03-07\n'),
        ("edit 1 (pin), field start: [R-PIN] 2027-03-07 is a Sunday",), 1),
    "NUL bytes": Case(_binary("inspectors.csv", INSPECTORS.replace("North 2", "No\0rth")
                              .encode()), ("inspectors.csv, row 4: [DATA] holds a NUL byte",),
                      1),
    "Windows-1252 file": Case(_binary("local_authorities.csv",
                                      LAS.replace("Alpha", "Alphé").encode("cp1252")),
                              ("local_authorities.csv, row 2: [DATA] not UTF-8",), 1),
    "--time-limit 0": Case(_plan_options("--time-limit", 0), ("--time-limit: [option]",), 1),
    "--time-limit -5": Case(_plan_options("--time-limit", -5), ("--time-limit: [option]",), 1),
    "three bad configuration keys": Case(_config, (
        "config.toml: [config] solver: unknown key 'time_limt_seconds'; did you mean "
        "'time_limit_seconds'?", "config.toml: [config] solver.workers: expected int",
        "config.toml: [config] top level: unknown key 'widows'"), 3),
    "local authorities of their header alone": Case(
        _plan_with(**{"local_authorities.csv": LAS.splitlines()[0] + "\n"}),
        ("local_authorities.csv: [DATA] the file has a header but no rows",), 1),
    "a field over the CSV limit": Case(
        _plan_with(**{"inspectors.csv": INSPECTORS.replace("North 2", "x" * 140_000)}),
        ("inspectors.csv, row 4: [DATA] a field is longer than 131072 characters",), 1),
    "no inspector-days in a region": Case(_plan_with(**{"inspectors.csv": NO_FTE}), (
        "inspectors.csv, row 2, column fte: [R-CAP] region 'North' has no inspector-days",), 1),
    "a fixed JTAI on Christmas Day": Case(_fixed_jtai, (
        "jtai.csv, row 2, column fieldwork_start: [R-XMAS] a planned JTAI on site 2026-12-25",
        "R-BH"), 1),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_before_solving(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    outcome = cli(*case.build(tmp_path))
    lines = errors(outcome)
    for expected in case.expected:
        assert any(expected in line for line in lines), (expected, lines)
    if case.lines is not None:
        assert len(lines) == case.lines, lines
    assert "Planning" not in outcome.output  # refused before any model is built
    assert not (tmp_path / "out").exists()


# The neighbours: the nearest valid input to each case is read without a problem.
NEIGHBOURS: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "history dated as_at": ({"ilacs_history.csv": LATE_VISIT.replace("2026-10-06", "2026-08-20")
                             .replace("2026-10-07", "2026-08-21")
                             .replace("2026-11-20", "2026-08-22")}, {}),
    "as_at on the programme start": ({"dataset.toml": _manifest(as_at=START)}, {}),
    "--start on as_at's Monday": ({}, {"start": "2026-08-24", "weeks": 520}),
    "horizon of limits.max_horizon_weeks": ({"dataset.toml": _manifest(weeks=520)}, {}),
    "deferral to the programme start": (
        {"local_authorities.csv": LAS.replace(",small\n", ",small,not_before\n")
         .replace(",false\n", f",false,{START}\n", 1)}, {}),
    "a fixed JTAI with one working day after Christmas": (
        {"jtai.csv": "la_code,status,fieldwork_start,fieldwork_end,theme\n"
                     "E2,planned,2026-12-25,2026-12-29,t\n"}, {}),
    "a region of one inspector with some time": (
        {"inspectors.csv": NO_FTE.replace("North 4,North,HMI,0.0", "North 4,North,HMI,0.1")},
        {}),
    "a short time limit": ({}, {"time_limit": 0.1}),
}


@pytest.mark.parametrize("name", NEIGHBOURS)
def test_the_nearest_valid_input_is_accepted(name: str, tmp_path: Path) -> None:
    files, options = NEIGHBOURS[name]
    options = {"start": None, "weeks": None, "out": tmp_path / "out"} | options
    valid = load_input(_data(tmp_path, **files), None, **options)
    assert valid.dataset.las and valid.weeks == options["weeks"]


def test_a_folder_nobody_may_write_is_refused(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.access(locked, os.W_OK):  # root may write anywhere: deny it as the OS would
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
            Path(path) != locked and real(path, mode, **kw)))
    lines = errors(cli(*_plan(_data(tmp_path), "--out", locked / "out")))
    assert lines == [f"error --out: [option] {locked / 'out'} cannot be written: {locked} is "
                     "not writable"]


def test_a_writable_out_and_good_options_are_accepted(tiny_run: Run, tmp_path: Path) -> None:
    # The neighbour of the cases above: the same options, valid, are not refused.
    assert tiny_run.programme is not None
    data = _data(tmp_path)
    outcome = cli("check", tiny_run.programme, "--data", data, "--start", "2026-09-07",
                  "--weeks", 104)
    assert outcome.exit_code == 0, outcome.output


def test_each_configuration_file_is_named_for_its_own_keys(tmp_path: Path) -> None:
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    first.write_text("[solver]\nseed = 1.5\n", encoding="utf-8")
    second.write_text("[clash]\nmin_gap_weeks = 4\ncolour = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(first, second)
    assert [str(p) for p in caught.value.problems] == [
        f"{first}: [config] solver.seed: expected int, got 1.5",
        f"{second}: [config] clash: unknown key 'colour'"]
    second.write_text("[clash]\nmin_gap_weeks = 4\n", encoding="utf-8")
    assert load_config(second).clash.min_gap_weeks == 4  # the neighbour


def test_every_problem_of_every_input_at_once(tmp_path: Path) -> None:
    files = {"dataset.toml": _manifest() + "colour = 1\n",
             "ilacs_history.csv": LATE_VISIT.replace("2025-06-10", "10/06/2025")}
    outcome = cli(*_plan(_data(tmp_path, **files), "--time-limit", -1, "--start", "2026-09-09",
                         "--out", tmp_path / "data" / "dataset.toml"))
    lines = "\n".join(errors(outcome))
    for place in ("dataset.toml, column colour", "ilacs_history.csv, row 4, column "
                  "fieldwork_start", "ilacs_history.csv, row 6, column published",
                  "--time-limit", "--start", "--out"):
        assert place in lines, place


# --- `ilacs check` on a malformed programme: bad input, not rule violations --------------

def _programme_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


MALFORMED: dict[str, tuple[Callable[[list[dict[str, str]]], None], str]] = {
    "duplicate event_id": (lambda rows: rows[1].update(event_id=rows[0]["event_id"]),
                           "row 3, column event_id: [DATA] duplicate key"),
    "unknown LA": (lambda rows: rows[0].update(la_code="E9"),
                   "row 2, column la_code: [DATA] unknown LA code 'E9'"),
    "unknown event kind": (lambda rows: rows[0].update(event="XYZ"),
                           "row 2, column event: [DATA] unknown event 'XYZ'"),
    "unparsable date": (lambda rows: rows[0].update(fieldwork_start="2027-13-01"),
                        "row 2, column fieldwork_start: [DATA]"),
    "region not the LA's": (lambda rows: rows[0].update(region="South"),
                            "row 2, column region: [DATA] 'South'"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_check_refuses_a_malformed_programme(name: str, tiny_run: Run, tmp_path: Path) -> None:
    assert tiny_run.programme is not None
    rows = _programme_rows(tiny_run.programme)
    mutate, expected = MALFORMED[name]
    mutate(rows)
    path = _write_rows(tmp_path / "programme.csv", rows)
    lines = errors(cli("check", path, "--data", _data(tmp_path)))
    assert any(f"{path}, {expected}" in line for line in lines), lines


def test_check_accepts_the_programme_it_was_given(tiny_run: Run, tmp_path: Path) -> None:
    assert tiny_run.programme is not None
    path = _write_rows(tmp_path / "programme.csv", _programme_rows(tiny_run.programme))
    outcome = cli("check", path, "--data", _data(tmp_path))
    assert outcome.exit_code == 0, outcome.output


# --- property: any mutation of the tiny dataset's files -------------------------------------

CSV_FILES = ("local_authorities.csv", "ilacs_history.csv", "inspectors.csv", "area_send.csv")
MUTATIONS = ("drop a value", "garble a date", "swap two fields", "inject junk bytes")


def _mutated(text: str, mutation: str, row: int, column: int, junk: bytes) -> bytes:
    """``text`` (a CSV file) with one of MUTATIONS applied at a row and column."""
    lines = text.splitlines()
    line = lines[1 + row % (len(lines) - 1)]
    fields = line.split(",")
    i, j = column % len(fields), (column + 1) % len(fields)
    if mutation == "drop a value":
        fields[i] = ""
    elif mutation == "garble a date":  # the row's first date, else the field
        dated = [k for k, f in enumerate(fields) if re.fullmatch(r"\d{4}-\d\d-\d\d", f)]
        fields[(dated or [i])[0]] = "2026-02-30"
    elif mutation == "swap two fields":
        fields[i], fields[j] = fields[j], fields[i]
    else:  # the junk goes into the field
        data = text.encode()
        at = data.index(line.encode()) + len(",".join(fields[:i]).encode())
        return data[:at] + junk + data[at:]
    return text.replace(line, ",".join(fields), 1).encode()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(CSV_FILES), mutation=st.sampled_from(MUTATIONS),
       row=st.integers(0, 10), column=st.integers(0, 12),
       junk=st.binary(min_size=1, max_size=4))
def test_a_mutated_dataset_gives_a_programme_or_located_errors(
        tmp_path: Path, name: str, mutation: str, row: int, column: int, junk: bytes) -> None:
    folder = write_dataset(tmp_path / f"{name}-{mutation}-{row}-{column}-{junk.hex()}")
    path = folder / name
    path.write_bytes(_mutated(path.read_text(encoding="utf-8"), mutation, row, column, junk))
    out = folder.with_name(folder.name + "-out")
    outcome = cli("plan", "--data", folder, "--out", out, "--deterministic-time", 2)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (
        outcome.exception)
    if outcome.exit_code == 2:
        errors(outcome)
    else:
        assert outcome.exit_code in (0, 1, 3), outcome.output
        assert (out / "programme.csv").exists(), outcome.output
