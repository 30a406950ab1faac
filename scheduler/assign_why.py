"""Why an event could not be staffed (R-ASSIGN): for each part still missing, who of the
right role was on leave, conflicted, already booked, out of days, or free (but too few)."""

from __future__ import annotations

from collections import defaultdict

from scheduler.assign_book import Bookings
from scheduler.assign_duties import LEAD, TEAM, Part
from scheduler.programme import ProgrammeRow

NAMES_SHOWN = 4  # inspectors named per reason; the rest are counted


def why_unstaffed(bookings: Bookings, row: ProgrammeRow, parts: dict[str, Part],
                  missing: tuple[str, ...]) -> str:
    """One sentence per missing part: how many it needs, who is free, what stopped the rest
    (the lead is asked about the team's days and the lead's own together)."""
    problem = bookings.problem
    lending = problem.config.capacity.lending
    sentences = []
    for name in missing:
        part = parts[name]
        holds = [parts[TEAM], part] if name == LEAD else [part]
        by_reason: dict[str, list[str]] = defaultdict(list)
        free = []
        for person in problem.dataset.inspectors.values():
            if person.role not in part.roles or not (
                    lending or not person.region or person.region == row.region):
                continue
            obstacle = bookings.obstacle(row, holds, person)
            if obstacle is None:
                free.append(person.inspector_id)
                continue
            reason, detail = obstacle
            by_reason[reason].append(f"{person.inspector_id} ({detail})" if detail
                                     else person.inspector_id)
        detail = "; ".join(f"{reason}: {_names(names)}" for reason, names in
                           sorted(by_reason.items(), key=lambda item: -len(item[1])))
        sentences.append(f"{name} needs {part.count} of {'/'.join(part.roles)}"
                         f"{_span(holds)}, {len(free)} free ({_names(free) or 'none'})"
                         + (f"; {detail}" if detail else ""))
    return ". ".join(sentences)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _span(parts: list[Part]) -> str:
    days = sorted(day for part in parts for day in part.days)
    return f" on {days[0]}..{days[-1]}" if days else ""

