"""Plain problem data: what the dataset says, as small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

JUDGEMENTS = ("outstanding", "good", "requires_improvement", "inadequate")
JUDGEMENT_COLUMNS = ("overall", "leaders", "help_protection", "children_in_care", "care_leavers")
PRACTICE_COLUMNS = ("help_protection", "children_in_care", "care_leavers")
HISTORY_EVENTS = ("STD", "SHT", "SIF", "FV", "MV", "JTAI")
ROLES = ("HMI", "SHMI", "RI", "EDU")
REGIONAL_ROLES = ("HMI", "SHMI")  # social care inspectors: each has a home region


@dataclass(frozen=True)
class LocalAuthority:
    la_code: str
    dfe_code: str
    name: str
    region: str
    la_type: str
    small: bool = False
    force_standard: bool = False  # R-PATH-X
    august_fv_agreed: bool = False  # R-AUG
    send_monitoring: bool = False  # R-MV-SEND
    not_before: date | None = None  # R-DEFER
    row: int | None = field(default=None, compare=False)  # line in its CSV file, if read


@dataclass(frozen=True)
class PastEvent:
    """One row of ilacs_history.csv."""

    la_code: str
    event: str
    fieldwork_start: date | None
    fieldwork_end: date | None
    published: date | None
    judgements: dict[str, str] = field(default_factory=dict)
    topic: str = ""

    @property
    def graded(self) -> bool:
        return self.event in ("STD", "SHT", "SIF")

    @property
    def known_date(self) -> date:
        """The most informative date the row has (for ordering)."""
        return self.fieldwork_end or self.fieldwork_start or self.published  # type: ignore[return-value]


@dataclass(frozen=True)
class AreaSend:
    la_code: str
    kind: str  # full | monitoring
    status: str  # completed | planned
    fieldwork_start: date | None
    fieldwork_end: date | None


@dataclass(frozen=True)
class FixedJtai:
    la_code: str
    status: str
    fieldwork_start: date
    fieldwork_end: date
    theme: str = ""
    row: int | None = field(default=None, compare=False)  # line in its CSV file, if read


@dataclass(frozen=True)
class Inspector:
    inspector_id: str
    name: str
    region: str  # blank for the national pools
    role: str
    fte: float
    inspection_share: float
    can_lead: bool
    row: int | None = field(default=None, compare=False)  # line in its CSV file, if read


@dataclass(frozen=True)
class Leave:
    inspector_id: str
    start: date
    end: date
    reason: str = ""


@dataclass(frozen=True)
class Conflict:
    inspector_id: str
    la_code: str
    reason: str = ""


@dataclass(frozen=True)
class Dataset:
    """A whole dataset as read from one folder (DATA.md)."""

    name: str
    as_at: date
    programme_start: date
    horizon_weeks: int
    licence: str
    las: dict[str, LocalAuthority]
    history: tuple[PastEvent, ...]
    area_send: tuple[AreaSend, ...]
    jtai: tuple[FixedJtai, ...]
    inspectors: dict[str, Inspector]
    leave: tuple[Leave, ...]
    conflicts: tuple[Conflict, ...]
    input_hash: str = ""

    @property
    def regions(self) -> list[str]:
        return sorted({la.region for la in self.las.values()})

    def history_of(self, la_code: str) -> list[PastEvent]:
        return sorted(
            (e for e in self.history if e.la_code == la_code), key=lambda e: e.known_date
        )
