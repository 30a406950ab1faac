"""Streamlit pieces the pages share: the sidebar (folders, region and date filters), tables
with dd/mm/yyyy dates, the offer to solve a folder that has no programme, and the live
progress of a command running in a subprocess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.jobs import Job, plan_command
from dashboard.settings import Settings
from scheduler.cli_common import EXIT_BAD_INPUT, EXIT_BROKEN, EXIT_HOLDS, EXIT_RELAXED
from scheduler.errors import InputError

CONFIDENTIAL = ("Confidential (R-CONFIDENTIAL): inspection dates must not reach an LA before "
                "its notification. Do not forward these pages or their downloads to LAs.")
PLAN_JOB = "plan_job"
# How `ilacs plan` and `ilacs scenario run` end (README, "What it decides"): the message
# shown and whether it is a success, a warning or an error.
OUTCOMES = {
    EXIT_HOLDS: ("success", "Finished: a programme in which every rule holds."),
    EXIT_RELAXED: ("warning", "Finished with named relaxations (exit code 3): no programme "
                              "meets every hard rule; the one written breaks only the rules "
                              "its rows name in `relaxed` (see the output)."),
    EXIT_BROKEN: ("error", "No programme, or one breaking a rule its rows do not name (exit "
                           "code 1): see the output."),
    EXIT_BAD_INPUT: ("error", "Bad input (exit code 2): see the output for each problem."),
}


@dataclass(frozen=True)
class View:
    """What the sidebar selects: the folders and the filters every page applies."""

    settings: Settings
    source: data.Source
    regions: list[str]
    first: date
    last: date
    edge_weeks: int


def problem_or_stop(source: data.Source):
    """The programme's problem (data.problem), else its input problems and the page stops."""
    try:
        return data.problem(source)
    except InputError as exc:
        st.error(f"The dataset in {source.data} (or the scenario {source.out} was re-planned "
                 "from) cannot be used:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        st.stop()


def sidebar(settings: Settings) -> View:
    """Folders and filters in the sidebar; the view is kept for the pages."""
    bar = st.sidebar
    out = Path(bar.text_input("Programme folder", str(settings.out), key="out_folder",
                              help="A folder written by `ilacs plan` (programme.csv, run.json)."))
    folder = Path(bar.text_input("Dataset folder", str(settings.data), key="data_folder"))
    if not folder.is_dir():
        st.error(f"Dataset folder {folder} not found: set it in the sidebar.")
        st.stop()
    source = data.source_of(out, folder)
    problem = problem_or_stop(source)
    regions = problem.dataset.regions
    chosen = bar.multiselect("Regions", regions, default=regions, key="regions")
    span = bar.date_input("Dates", (problem.start, problem.weeks.end), format="DD/MM/YYYY",
                          min_value=problem.start, max_value=problem.weeks.end, key="dates")
    first, last = (span[0], span[-1]) if isinstance(span, tuple) and span else (
        problem.start, problem.weeks.end)
    edge = bar.number_input("Near a window edge: weeks", 1, 52, settings.edge_weeks,
                            key="edge_weeks",
                            help="A graded inspection this close to an end of its R-WIN "
                                 "window counts as near the edge.")
    bar.caption(CONFIDENTIAL)
    return View(settings, source, chosen or regions, first, last, int(edge))


def page(title: str) -> View:
    """A page's heading; its view, once the folder has a programme (else the offer to solve
    and the page stops)."""
    view: View = st.session_state["view"]
    st.title(title)
    require_programme(view)
    return view


def require_programme(view: View) -> None:
    """Stop the page with an offer to solve when the folder has no programme yet (or while
    the solve started here is still running)."""
    job: Job | None = st.session_state.get(PLAN_JOB)
    solving = job is not None and job.running
    if data.has_programme(view.source) and not solving:
        for warning in data.warnings(view.source):
            st.warning(warning)
        return
    out = Path(view.source.out)
    st.info(f"No programme in {out} yet. Solve one now with `ilacs plan` on the dataset "
            f"{view.source.data}; it runs in the background and this page follows it.")
    limit = st.number_input("Time limit (seconds)", 5.0, 3600.0,
                            view.settings.solve_time_limit, key="solve_limit")
    if not solving and st.button("Solve now", type="primary"):
        job = Job.start(plan_command(Path(view.source.data), out, limit), out / "plan.log")
        st.session_state[PLAN_JOB] = job
    if job is not None:
        follow(PLAN_JOB, view.settings.poll_seconds)
    st.stop()


def follow(key: str, poll_seconds: float) -> None:
    """Show the job in session state under ``key``: live while it runs (a fragment that
    refreshes itself), with a stop button; its outcome once it has ended."""
    job: Job = st.session_state[key]
    if job.running:
        st.fragment(run_every=poll_seconds)(_live)(key)
    else:
        _outcome(job)


def _live(key: str) -> None:
    job: Job = st.session_state[key]
    if not job.running:  # it has just ended: show the whole page again with its results
        st.rerun()
    st.markdown(f"**Running** `{' '.join(job.args[2:])}` for {job.elapsed:.0f} s")
    st.code("\n".join(job.lines()[-8:]) or "starting…", language=None)
    if st.button("Stop", key=f"{key}_stop"):
        job.stop()
        st.rerun()


def outcome(job: Job) -> tuple[str, str]:
    """How an ended job is shown: ("success" | "warning" | "error", message)."""
    if job.stopped:
        return "warning", f"Stopped after {job.elapsed:.0f} s."
    return OUTCOMES.get(job.returncode,
                        ("error", f"The command ended with exit code {job.returncode}."))


def _outcome(job: Job) -> None:
    tail = "\n".join(job.lines()[-12:])
    level, message = outcome(job)
    getattr(st, level)(message)
    with st.expander("Output", expanded=job.returncode != 0 and not job.stopped):
        st.code(tail or "(nothing printed)", language=None)


def table(frame: pd.DataFrame, labels: dict[str, str], key: str | None = None,
          wide: tuple[str, ...] = ()) -> None:
    """The ``labels`` columns of ``frame`` under their labels; dates as dd/mm/yyyy, blanks
    for missing values; the ``wide`` columns get the most room."""
    shown = frame[[c for c in labels if c in frame]].rename(columns=labels)
    config: dict[str, object] = {
        label: st.column_config.DateColumn(label, format="DD/MM/YYYY")
        for column, label in labels.items()
        if column in frame and pd.api.types.is_datetime64_any_dtype(frame[column])}
    config.update({labels[c]: st.column_config.TextColumn(labels[c], width="large")
                   for c in wide})
    st.dataframe(shown, hide_index=True, column_config=config, key=key, placeholder="")


EVENT_LABELS = {"event_id": "event", "la_name": "LA", "region": "region", "event": "type",
                "status": "status", "notify_date": "notified", "fieldwork_start": "on site from",
                "fieldwork_end": "on site to", "publication_due": "publication due",
                "window_open": "window opens", "window_close": "window closes",
                "pathway": "pathway", "lent_from": "lent from",
                "lead_inspector": "lead inspector", "team": "team"}
