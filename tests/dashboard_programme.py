"""A small solved programme for the dashboard tests: the tiny dataset spread over two regions,
with leave, planned by `ilacs plan` (solved, staffed, written by scheduler.export) and
re-verified by the independent checker from the files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scheduler.check import check_file
from scheduler.cli import app
from scheduler.config import load_config
from scheduler.io import read_dataset
from scheduler.problem import Problem
from tests.conftest import write_dataset

TIME_LIMIT = 20.0  # seconds; the instance solves to optimality in about one

LAS = """la_code,dfe_code,name,region,la_type,small
E1,801,Alpha,North,Unitary authority,false
E2,802,Beta,North,Unitary authority,true
E3,803,Gamma,South,Unitary authority,false
"""

INSPECTORS = """inspector_id,name,region,role,fte,inspection_share,can_lead
N-SHMI,North SHMI,North,SHMI,1.0,0.3,true
N-01,North 1,North,HMI,1.0,0.6,true
N-02,North 2,North,HMI,1.0,0.6,true
N-03,North 3,North,HMI,1.0,0.6,true
S-SHMI,South SHMI,South,SHMI,1.0,0.3,true
S-01,South 1,South,HMI,1.0,0.6,true
S-02,South 2,South,HMI,1.0,0.6,true
S-03,South 3,South,HMI,1.0,0.6,true
RI-1,Reg 1,,RI,1.0,0.6,false
EDU-1,Edu 1,,EDU,1.0,0.6,false
"""

# N-01 is away for the whole weeks of 12 and 19 October 2026 (10 working days).
LEAVE = """inspector_id,start,end,reason
N-01,2026-10-12,2026-10-23,annual leave
"""


def solved_programme(folder: Path) -> tuple[Path, Path]:
    """(dataset folder, programme folder) of a solved two-region programme."""
    data = write_dataset(folder / "data", **{"local_authorities.csv": LAS,
                                             "inspectors.csv": INSPECTORS, "leave.csv": LEAVE})
    out = folder / "out"
    planned = CliRunner().invoke(app, ["plan", "--data", str(data), "--out", str(out),
                                       "--deterministic-time", str(TIME_LIMIT)])
    assert planned.exit_code == 0, planned.output
    violations = check_file(Problem.build(read_dataset(data), load_config()),
                            out / "programme.csv")
    assert violations == [], [str(v) for v in violations]
    return data, out
