"""Constraint families: one module per rule family of RULES.md, each with its rule ids.

A family may exclude candidate weeks (calendar holes), add constraints and return soft
penalties (`build`), and re-check a written programme from its rows alone (`check`).
`FAMILIES` is the registry the model, the checker and the reports read.
"""

from __future__ import annotations

from constraints.assignment import Assignment
from constraints.base import Family
from constraints.calendar_rules import CalendarRules
from constraints.capacity import Capacity
from constraints.clashes import Clashes
from constraints.engagement import Engagement
from constraints.headcount import Headcount
from constraints.jtai import JtaiCap
from constraints.monitoring import MonitoringRate
from constraints.sequence import Sequence
from constraints.stability import Stability
from constraints.windows import Windows

FAMILIES: list[type[Family]] = [
    Windows,
    CalendarRules,
    Clashes,
    Sequence,
    MonitoringRate,
    JtaiCap,
    Engagement,
    Capacity,
    Headcount,  # after Capacity: it reuses R-LEND's borrowed days
    Assignment,
    Stability,
]

__all__ = ["FAMILIES", "Family"]
