"""A quick first staffing, event by event in date order: for each part the least used
inspectors who can take it on (the lead first, for a monitoring visit one who led the
LA's visits before if free; the event's own region before others). The staffing model
starts from it."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.assign_book import Bookings
from scheduler.assign_duties import LEAD, TEAM, Part, event_parts
from scheduler.domain import Inspector
from scheduler.programme import ProgrammeRow

Staffed = dict[str, dict[str, list[str]]]  # event_id -> part name -> inspector ids


@dataclass(frozen=True)
class Job:
    """The parts of one event that a model staffs."""

    row: ProgrammeRow
    parts: tuple[Part, ...]


def greedy(bookings: Bookings, jobs: list[Job], people: dict[str, Inspector]) -> Staffed:
    """A staffing of as many events as the greedy rule manages (``bookings`` untouched)."""
    trial = bookings.copy()
    staffed: Staffed = {}
    for job in sorted(jobs, key=lambda j: (j.row.fieldwork_start, j.row.event_id)):
        chosen = _choose(trial, job, people)
        if chosen is None:
            continue
        staffed[job.row.event_id] = chosen
        parts = {part.name: part for part in job.parts}
        for name, members in chosen.items():
            for pid in members:
                trial.book(pid, job.row, parts[name])
    return staffed


def could_staff(bookings: Bookings, row: ProgrammeRow) -> bool:
    """Whether the greedy rule finds every part of the event its people (of its region or
    the pools, or with lending any), everyone's diary as ``bookings`` has it."""
    problem = bookings.problem
    job = Job(row, tuple(event_parts(problem, row).values()))
    people = {pid: person for pid, person in problem.dataset.inspectors.items()
              if problem.config.capacity.lending or person.region in ("", row.region)}
    return _choose(bookings, job, people) is not None


def _choose(trial: Bookings, job: Job, people: dict[str, Inspector]
            ) -> dict[str, list[str]] | None:
    """Inspectors for every part of the job, or None if a part cannot be filled."""
    parts = {part.name: part for part in job.parts}
    row = job.row
    preferred = trial.visit_leads.get(row.la_code, set()) if row.event == "MV" else set()
    taken: set[str] = set()

    def pick(holds: list[Part], count: int) -> list[str]:
        order = sorted(people.values(), key=lambda person: (
            person.region not in ("", row.region), person.inspector_id not in preferred,
            trial.use(person.inspector_id), person.inspector_id))
        found = [person.inspector_id for person in order if person.inspector_id not in taken
                 and trial.obstacle(row, holds, person) is None][:count]
        taken.update(found)
        return found

    chosen: dict[str, list[str]] = {}
    if LEAD in parts:
        chosen[LEAD] = pick([parts[TEAM], parts[LEAD]], 1)
        chosen[TEAM] = list(chosen[LEAD])
    for name, part in parts.items():
        if name == LEAD:
            continue
        have = chosen.get(name, [])
        chosen[name] = have + pick([part], part.count - len(have))
    if any(len(chosen[name]) < part.count for name, part in parts.items()):
        return None
    return chosen
