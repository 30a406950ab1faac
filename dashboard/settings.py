"""Where the dashboard reads from, and its display defaults (dashboard/defaults.toml).

The folders come from the command line after `--` (`streamlit run dashboard/app.py --
--out DIR --data DIR`), else from ILACS_OUT / ILACS_DATA (set by `ilacs dashboard`), else
out/ and data/england.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")


@dataclass(frozen=True)
class Settings:
    out: Path
    data: Path
    edge_weeks: int
    solve_time_limit: float
    scenario_time_limit: float
    scenario_seed: int
    poll_seconds: float


def _defaults(path: Path) -> dict[str, float]:
    values = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(Settings)} - {"out", "data"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown key {unknown[0]!r}")
    missing = sorted(known - set(values))
    if missing:
        raise ValueError(f"{path}: missing key {missing[0]!r}")
    return values


def load_settings(argv: Sequence[str], environ: Mapping[str, str],
                  defaults: Path = DEFAULTS_PATH) -> Settings:
    """Folders from ``argv`` (after streamlit's own arguments), then the environment."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--out")
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(list(argv))
    out = args.out or environ.get("ILACS_OUT") or "out"
    data = args.data or environ.get("ILACS_DATA") or "data/england"
    values = _defaults(defaults)
    return Settings(out=Path(out), data=Path(data), edge_weeks=int(values["edge_weeks"]),
                    solve_time_limit=float(values["solve_time_limit"]),
                    scenario_time_limit=float(values["scenario_time_limit"]),
                    scenario_seed=int(values["scenario_seed"]),
                    poll_seconds=float(values["poll_seconds"]))
