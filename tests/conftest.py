"""Tiny hand-made datasets in the DATA.md format.

`write_dataset` writes the 3-LA `tiny` dataset below; any file can be replaced, either as
CSV text (``**{"ilacs_history.csv": text}``) or as rows built with the small helpers here
(`la`, `graded`, `visit`, `area_send`, `jtai`, `inspector`, `roster`), e.g.
``write_dataset(folder, las=[la("E1")], history=[graded("E1", "SHT", "2024-03-22")])``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.calendar import add_months
from tests.helpers import Run, feasible

MANIFEST = """name = "tiny"
as_at = {as_at}
programme_start = {start}
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

HEADERS = {
    "local_authorities.csv": LAS.splitlines()[0].split(","),
    "ilacs_history.csv": HISTORY.splitlines()[0].split(","),
    "area_send.csv": SEND.splitlines()[0].split(","),
    "jtai.csv": ["la_code", "status", "fieldwork_start", "fieldwork_end", "theme"],
    "inspectors.csv": INSPECTORS.splitlines()[0].split(","),
    "leave.csv": ["inspector_id", "start", "end", "reason"],
    "conflicts.csv": ["inspector_id", "la_code", "reason"],
}

START = date(2026, 9, 7)  # the tiny programme's first Monday
Row = dict[str, str]


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def la(code: str, region: str = "North", small: bool = False, **planning: object) -> Row:
    """A local_authorities.csv row; ``planning`` sets the optional columns of DATA.md
    (force_standard, august_fv_agreed, send_monitoring, not_before)."""
    row = {"la_code": code, "dfe_code": code[-3:].rjust(3, "0"), "name": f"LA {code}",
           "region": region, "la_type": "Unitary authority", "small": _text(small)}
    return row | {key: _text(value) for key, value in planning.items()}


def graded(code: str, event: str, fieldwork_end: str | date, judgement: str = "good",
           **judgements: str) -> Row:
    """A graded inspection whose last on-site day is ``fieldwork_end``, published 8 weeks
    later, every judgement ``judgement`` unless named in ``judgements``."""
    end = date.fromisoformat(str(fieldwork_end))
    start = end - timedelta(days=4 if event == "SHT" else 11)
    grades = {c: judgement for c in ("overall", "leaders", "help_protection",
                                     "children_in_care", "care_leavers")}
    return {"la_code": code, "event": event, "fieldwork_start": str(start),
            "fieldwork_end": str(end), "published": str(end + timedelta(weeks=8)),
            **grades, **judgements, "topic": "", "source": "test"}


def visit(code: str, event: str, fieldwork_start: str | date) -> Row:
    """A focused or monitoring visit (or JTAI) already carried out."""
    start = date.fromisoformat(str(fieldwork_start))
    return {"la_code": code, "event": event, "fieldwork_start": str(start),
            "fieldwork_end": str(start + timedelta(days=1)),
            "published": str(start + timedelta(weeks=5)), "source": "test"}


def area_send(code: str, fieldwork_start: str | date, kind: str = "full",
              status: str = "planned") -> Row:
    """An area SEND inspection on site Monday to Friday of the week of ``fieldwork_start``."""
    start = date.fromisoformat(str(fieldwork_start))
    return {"la_code": code, "kind": kind, "status": status, "fieldwork_start": str(start),
            "fieldwork_end": str(start + timedelta(days=4)), "source": "test"}


def jtai(code: str, fieldwork_start: str | date, status: str = "planned") -> Row:
    """A JTAI on site Monday to Friday of the week of ``fieldwork_start``."""
    start = date.fromisoformat(str(fieldwork_start))
    return {"la_code": code, "status": status, "fieldwork_start": str(start),
            "fieldwork_end": str(start + timedelta(days=4)), "theme": "test"}


def inspector(inspector_id: str, region: str = "North", role: str = "HMI", fte: float = 1.0,
              share: float = 0.6) -> Row:
    return {"inspector_id": inspector_id, "name": inspector_id, "region": region, "role": role,
            "fte": str(fte), "inspection_share": str(share),
            "can_lead": _text(role in ("HMI", "SHMI"))}


def roster(region: str = "North", hmis: int = 4) -> list[Row]:
    """A region's senior HMI and ``hmis`` HMIs."""
    return [inspector(f"{region}-SHMI", region, "SHMI", share=0.3)] + [
        inspector(f"{region}-{k:02d}", region) for k in range(1, hmis + 1)]


def pools(count: int = 1) -> list[Row]:
    """``count`` regulatory inspectors (RI) and as many education HMIs (EDU)."""
    return [inspector(f"{role}-{k}", "", role) for role in ("RI", "EDU")
            for k in range(1, count + 1)]


POOLS = pools()


def csv_text(name: str, rows: list[Row]) -> str:
    """The file ``name`` with these rows: its DATA.md columns, then any others they use."""
    columns = list(dict.fromkeys([*HEADERS[name], *(key for row in rows for key in row)]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_dataset(folder: Path, weeks: int = 104, *, las: list[Row] | None = None,
                  history: list[Row] | None = None, send: list[Row] | None = None,
                  jtais: list[Row] | None = None, inspectors: list[Row] | None = None,
                  **files: str) -> Path:
    """Write the tiny dataset, with any of its files replaced by ``files`` (name -> text)
    or by rows (an empty list: the header alone)."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"dataset.toml": MANIFEST.format(weeks=weeks, start=START,
                                             as_at=START - timedelta(days=16)),
             "local_authorities.csv": LAS, "ilacs_history.csv": HISTORY,
             "inspectors.csv": INSPECTORS, "area_send.csv": SEND}
    for name, rows in (("local_authorities.csv", las), ("ilacs_history.csv", history),
                       ("area_send.csv", send), ("jtai.csv", jtais),
                       ("inspectors.csv", inspectors)):
        if rows is not None:
            texts[name] = csv_text(name, rows)
    texts.update(files)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def due_on(folder: Path, monday: date, *, send: list[Row] | None = None,
           jtais: list[Row] | None = None, inspectors: list[Row] | None = None,
           **planning: object) -> Path:
    """One pathway 1 LA (E1, North) whose last short inspection ended 36 months before
    ``monday``: its next one is due that day, and with `window.tolerance_months = 0` it can
    only start then. No area SEND or JTAI unless given; a full North roster by default."""
    return write_dataset(folder, las=[la("E1", **planning)],
                         history=[graded("E1", "SHT", add_months(monday, -36))],
                         send=send or [], jtais=jtais or [],
                         inspectors=inspectors or roster() + POOLS)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "tiny")


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny dataset solved once with the defaults; its programme passes the checker.
    Tests edit copies of its rows (they are frozen) to break one rule at a time."""
    return feasible(write_dataset(tmp_path_factory.mktemp("tiny") / "tiny"))
