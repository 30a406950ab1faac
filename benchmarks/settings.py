"""The suite's settings (benchmarks.toml, overridden from the command line) and the
targets of issue 6 with the verdict on a measured figure."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scheduler.errors import InputError, InputProblem

DEFAULTS = Path(__file__).with_name("benchmarks.toml")
ROOT = Path(__file__).resolve().parents[1]  # relative paths in the settings start here
GIB_IN_MIB = 1024


@dataclass(frozen=True)
class Target:
    """One target of the issue: a time to first feasible, a gap within a time, or memory."""

    instance: str
    horizons: list[int]
    text: str
    gap: float | None = None
    seconds: float | None = None
    feasible_seconds: float | None = None
    memory_gib: float | None = None

    def applies(self, instance: str, weeks: int) -> bool:
        return instance == self.instance and weeks in self.horizons

    def met(self, row: dict[str, Any]) -> bool:
        """Whether the medians of one instance and horizon meet the target."""
        if self.feasible_seconds is not None:
            first = row.get("first_feasible_seconds")
            return (first is not None and first < self.feasible_seconds
                    and not row.get("first_violations"))
        if self.memory_gib is not None:
            return row["peak_memory_mib"] < self.memory_gib * GIB_IN_MIB
        gap, seconds = row.get("gap"), row.get("solve_seconds")
        return (gap is not None and seconds is not None and gap <= (self.gap or 0.0)
                and seconds < (self.seconds or float("inf")))


@dataclass(frozen=True)
class Settings:
    runs: int
    sizes: list[float]
    horizons: list[int]
    england: Path | None
    template: Path  # the dataset whose mix the synthetic instances copy (England's)
    generator_seed: int
    timeout_factor: float
    timeout_slack_seconds: float
    scale_las: int
    scale_regions: int
    time_limits: dict[str, float]
    targets: list[Target] = field(default_factory=list)
    time_limit: float | None = None  # one limit for every instance (overrides time_limits)

    def timeout_for(self, instance: str) -> float:
        """When a run of ``instance`` is stopped (seconds)."""
        return self.timeout_factor * self.limit_for(instance) + self.timeout_slack_seconds

    def limit_for(self, instance: str) -> float:
        if self.time_limit is not None:
            return self.time_limit
        return self.time_limits.get(instance, self.time_limits["default"])

    def targets_for(self, instance: str, weeks: int) -> list[Target]:
        return [t for t in self.targets if t.applies(instance, weeks)]


def size_key(size: float) -> str:
    """How a size is named in settings and tables: 1, 3, 10, 0.1."""
    return f"{size:g}"


def load_settings(path: Path = DEFAULTS, quick: bool = False, **overrides: Any) -> Settings:
    """The settings in ``path``; with ``quick`` its [quick] table; then every override
    that is not None. A file that cannot be read or lacks a key raises InputError."""
    try:
        return _settings(tomllib.loads(path.read_text(encoding="utf-8")), quick, overrides)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        problem = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError([InputProblem(str(path), None, None, "CLI", problem)]) from None


def _settings(data: dict[str, Any], quick: bool, overrides: dict[str, Any]) -> Settings:
    settings = Settings(
        runs=data["runs"], sizes=[float(s) for s in data["sizes"]], horizons=data["horizons"],
        england=ROOT / data["england"], template=ROOT / data["england"],
        generator_seed=data["generator_seed"],
        timeout_factor=data["timeout_factor"],
        timeout_slack_seconds=data["timeout_slack_seconds"], scale_las=data["scale"]["las"],
        scale_regions=data["scale"]["regions"],
        time_limits={key: float(v) for key, v in data["time_limit"].items()},
        targets=[Target(**t) for t in data.get("targets", [])])
    if quick:
        q = data["quick"]
        settings = replace(settings, sizes=[float(s) for s in q["sizes"]],
                           horizons=q["horizons"], runs=q["runs"],
                           time_limit=float(q["time_limit"]),
                           england=settings.england if q["england"] else None)
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
