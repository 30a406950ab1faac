"""One validation pass before any model is built: the dataset (scheduler.io), the
configuration (scheduler.config) and the command's options (`--start`, `--weeks`,
`--time-limit`, `--out`), every problem reported at once by file or option, row, column
and rule. Input valid in form but hopeless on its face (a fixed JTAI on no working day) is
refused here too, in the ids of the rules it breaks; `ilacs check` refuses a malformed
programme here, before any rule is checked."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from scheduler.calendar import Calendar
from scheduler.config import Config, load_config
from scheduler.domain import Dataset, FixedJtai
from scheduler.errors import InputError, InputProblem
from scheduler.io import CsvReader, not_a_monday, read_dataset

if TYPE_CHECKING:
    from scheduler.problem import Problem
    from scheduler.programme import ProgrammeRow

T = TypeVar("T")


@dataclass(frozen=True)
class ValidInput:
    """A dataset, configuration and options that passed every check."""

    dataset: Dataset
    config: Config
    start: date | None  # `--start`, a Monday (None: the dataset's)
    weeks: int | None  # `--weeks` (None: the dataset's)


def _option(option: str, message: str) -> InputProblem:
    return InputProblem(option, None, None, "option", message)


def _collect(problems: list[InputProblem], read: Callable[..., T], *args: object) -> T | None:
    """``read(*args)``, its InputError's problems added to ``problems`` instead."""
    try:
        return read(*args)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def load_input(data: Path, config: Path | None, start: str | None, weeks: int | None, *,
               out: Path | None = None, time_limit: float | None = None,
               deterministic_time: float | None = None) -> ValidInput:
    """The dataset, the configuration and the options, checked together; InputError lists
    every problem found in any of them."""
    problems: list[InputProblem] = []
    dataset = _collect(problems, read_dataset, data)
    settings = _collect(problems, load_config, *([config] if config else []))
    first = _start(start, dataset, problems)
    max_weeks = settings.limits.max_horizon_weeks if settings else None
    problems += option_problems(weeks=weeks, time_limit=time_limit, out=out, max_weeks=max_weeks,
                                deterministic_time=deterministic_time)
    if dataset and settings:
        problems += dataset_problems(dataset, settings)
    if problems or dataset is None or settings is None:
        raise InputError(problems)
    return ValidInput(dataset, settings, first, weeks)


def _start(text: str | None, dataset: Dataset | None,
           problems: list[InputProblem]) -> date | None:
    """`--start`: a Monday, not before the dataset's as_at."""
    if text is None:
        return None
    try:
        first = date.fromisoformat(text)
    except ValueError:
        problems.append(_option("--start", f"{text!r} is not a date (YYYY-MM-DD)"))
        return None
    if not_a_monday(first):
        problems.append(_option("--start", str(not_a_monday(first))))
    if dataset and first < dataset.as_at:
        problems.append(_option("--start", f"{first} is before as_at {dataset.as_at} "
                                           "(dataset.toml): a programme cannot start before "
                                           "the facts it is planned from"))
    return first


def option_problems(*, weeks: int | None = None, time_limit: float | None = None,
                    out: Path | None = None, max_weeks: int | None = None,
                    deterministic_time: float | None = None) -> list[InputProblem]:
    """`--weeks`, `--time-limit`, `--deterministic-time` and `--out`, where given."""
    problems = []
    if weeks is not None:
        problems += [_option("--weeks", m) for m in _horizon_problems(weeks, max_weeks)]
    for name, seconds in (("--time-limit", time_limit),
                          ("--deterministic-time", deterministic_time)):
        if seconds is not None and not 0 < seconds < math.inf:
            problems.append(_option(name, f"{seconds:g} is not a number of seconds above 0"))
    if out is not None:
        problems += [_option("--out", m) for m in _out_problems(out)]
    return problems


def check_options(*, out: Path | None = None, time_limit: float | None = None) -> None:
    """`--out` and `--time-limit` of a command that reads no dataset itself (`scenario run`);
    InputError if either is bad."""
    problems = option_problems(out=out, time_limit=time_limit)
    if problems:
        raise InputError(problems)


def _horizon_problems(weeks: int, max_weeks: int | None) -> Iterator[str]:
    if weeks < 1:
        yield f"{weeks} weeks: a programme is at least 1 week long"
    elif max_weeks is not None and weeks > max_weeks:
        yield f"{weeks} weeks is longer than limits.max_horizon_weeks ({max_weeks})"


def _out_problems(out: Path) -> Iterator[str]:
    """The output folder exists as a folder, or can be made, and can be written to."""
    if out.exists() and not out.is_dir():
        yield f"{out} is a file, not a folder"
        return
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        yield f"{out} cannot be made: {existing} is a file"
    elif not os.access(existing, os.W_OK | os.X_OK):
        yield f"{out} cannot be written: {existing} is not writable"


def dataset_problems(dataset: Dataset, config: Config) -> list[InputProblem]:
    """What the dataset's files cannot say without the configuration: the horizon's length
    and the planned JTAIs no calendar rule allows."""
    problems = [InputProblem("dataset.toml", None, "horizon_weeks", "DATA", message)
                for message in _horizon_problems(dataset.horizon_weeks,
                                                 config.limits.max_horizon_weeks)]
    planned = [j for j in dataset.jtai if j.status == "planned" and j.row is not None]
    if planned:
        calendar = Calendar(min(j.fieldwork_start for j in planned),
                            max(j.fieldwork_end for j in planned))
        problems += [problem for jtai in planned
                     for problem in _fixed_jtai_problems(jtai, dataset, config, calendar)]
    return problems


def _fixed_jtai_problems(jtai: FixedJtai, dataset: Dataset, config: Config,
                         calendar: Calendar) -> Iterator[InputProblem]:
    """A planned JTAI on no working day at all (a weekend, Christmas) has no on-site day to
    hold: refused in the ids of the calendar rules its dates break."""
    if calendar.working_days(jtai.fieldwork_start, jtai.fieldwork_end):
        return
    from constraints.calendar_rules import calendar_breaches

    days = tuple(jtai.fieldwork_start + timedelta(days=i)
                 for i in range((jtai.fieldwork_end - jtai.fieldwork_start).days + 1))
    la = dataset.las.get(jtai.la_code)
    breaches = calendar_breaches(config, calendar.is_bank_holiday, "JTAI", days, None,
                                 bool(la and la.august_fv_agreed), jtai.fieldwork_start)
    rules = [rule for rule, _ in breaches if rule != "R-BH"] or ["R-BH"]
    reasons = "; ".join(f"{rule} {reason}" for rule, reason in breaches) or "R-BH a weekend"
    yield InputProblem("jtai.csv", jtai.row, "fieldwork_start", rules[0],
                       f"a planned JTAI on site {jtai.fieldwork_start} to {jtai.fieldwork_end}"
                       f" has not one working day ({reasons})")


def read_programme(problem: Problem, path: Path) -> list[ProgrammeRow]:
    """A programme.csv given to a command, refused as bad input (InputError: file, row,
    column) unless each row has an event_id of its own, a known LA in its own region and a
    known kind of event, besides the format scheduler.programme reads."""
    from scheduler.programme import read_programme_csv

    problems: list[InputProblem] = []
    reader = CsvReader(path, problems, label=str(path))
    seen: dict[object, int] = {}
    for row in reader.rows(()):  # scheduler.programme names the columns missing
        if "event_id" in row:
            reader.unique(seen, row["event_id"], "event_id")
        if "la_code" in row:
            _la_row_problems(reader, row, problem.dataset)
        if "event" in row and row["event"] not in problem.config.events:
            reader.problem("event", f"unknown event {row['event']!r} (known: "
                                    f"{', '.join(problem.config.events)})")
    if any(p.column is None for p in problems):  # not readable as CSV
        raise InputError(problems)
    rows = _collect(problems, read_programme_csv, path)
    if problems or rows is None:
        raise InputError(problems)
    return rows


def _la_row_problems(reader: CsvReader, row: dict[str, str], dataset: Dataset) -> None:
    """A programme row's LA is known, and in the region the row says."""
    la = dataset.las.get(reader.la(row, dataset.las))
    if la and row.get("region", la.region) != la.region:
        reader.problem("region", f"{row['region']!r}: {la.name} is in {la.region!r}")
