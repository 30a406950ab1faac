"""Tiny hand-made datasets in the DATA.md format."""

from __future__ import annotations

from pathlib import Path

import pytest

MANIFEST = """name = "tiny"
as_at = 2026-08-22
programme_start = 2026-09-07
horizon_weeks = {weeks}
licence = "test data"
"""

LAS = """la_code,dfe_code,name,region,la_type,small
E1,801,Alpha,North,Unitary authority,false
E2,802,Beta,North,Unitary authority,true
E3,803,Gamma,North,Unitary authority,false
"""

# Alpha: pathway 1 (good), due 2027; Beta: pathway 2 (RI) due 2027; Gamma: pathway 3.
HISTORY = """\
la_code,event,fieldwork_start,fieldwork_end,published,overall,leaders,help_protection,children_in_care,care_leavers,topic,source
E1,SHT,2024-03-18,2024-03-22,2024-05-16,good,good,good,good,good,,test
E2,STD,2024-06-03,2024-06-14,2024-08-01,requires_improvement,requires_improvement,requires_improvement,good,requires_improvement,,test
E2,FV,2025-06-10,,2025-07-20,,,,,,,test
E3,STD,2025-10-06,2025-10-17,2025-12-05,inadequate,inadequate,inadequate,requires_improvement,requires_improvement,,test
"""

INSPECTORS = """inspector_id,name,region,role,fte,inspection_share,can_lead
N-SHMI,North SHMI,North,SHMI,1.0,0.3,true
N-01,North 1,North,HMI,1.0,0.6,true
N-02,North 2,North,HMI,1.0,0.6,true
N-03,North 3,North,HMI,1.0,0.6,true
N-04,North 4,North,HMI,1.0,0.6,true
RI-1,Reg 1,,RI,1.0,0.6,false
EDU-1,Edu 1,,EDU,1.0,0.6,false
"""

SEND = """la_code,kind,status,fieldwork_start,fieldwork_end,published,outcome,source
E1,full,planned,2027-06-07,2027-06-11,,,test
"""


def write_dataset(folder: Path, weeks: int = 104, **overrides: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"dataset.toml": MANIFEST.format(weeks=weeks), "local_authorities.csv": LAS,
             "ilacs_history.csv": HISTORY, "inspectors.csv": INSPECTORS,
             "area_send.csv": SEND}
    files.update(overrides)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "tiny")
