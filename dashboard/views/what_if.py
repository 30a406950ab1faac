"""What-if: build a scenario (defer an LA, add leave, change a weight or rule parameter),
run it with `ilacs scenario run` in the background, compare it with the baseline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, figures, ui
from dashboard.jobs import Job, scenario_command
from dashboard.scenario_file import (
    RESULT_DIR,
    Scenario,
    defer_edit,
    leave_edit,
    parameter_edit,
    parameters,
    scenario_text,
    slug,
    write_scenario,
)
from scheduler.config import EVENT_KINDS

JOB = "scenario_job"
LOWER_IS_BETTER = ("overdue LAs", "LAs near a window edge", "events with lending", "objective",
                   "gap %")

view = ui.page("What-if")
source = view.source
problem = data.problem(source)
out = Path(source.out)
edits: list[dict] = st.session_state.setdefault("edits", [])

st.subheader("1. Build the scenario")
name = st.text_input("Name", "what if", key="scenario_name")
description = st.text_input("Description", "", key="scenario_description")
las = {code: la for code, la in sorted(problem.dataset.las.items(), key=lambda i: i[1].name)
       if la.region in view.regions}
defer, leave, parameter = st.tabs(["Defer an LA", "Add leave", "Change a weight or parameter"])
with defer, st.form("defer_form"):
    la_code = st.selectbox("Local authority", list(las), key="defer_la",
                           format_func=lambda c: f"{las[c].name} ({las[c].region})")
    kind = st.selectbox("Event", ["", *EVENT_KINDS], key="defer_event",
                        format_func=lambda k: data.kind_name(k) if k else "every event")
    not_before = st.date_input("Not before", problem.start + timedelta(weeks=12),
                               format="DD/MM/YYYY", key="defer_date")
    if st.form_submit_button("Add deferral (R-DEFER)"):
        edits.append(defer_edit(la_code, not_before, kind))
with leave, st.form("leave_form"):
    people = data.roster(problem, view.regions)
    inspector_id = st.selectbox("Inspector", people["inspector_id"], key="leave_inspector")
    first = st.date_input("From", problem.start, format="DD/MM/YYYY", key="leave_from")
    last = st.date_input("To", problem.start + timedelta(days=13), format="DD/MM/YYYY",
                         key="leave_to")
    if st.form_submit_button("Add leave (R-CAP)"):
        edits.append(leave_edit(inspector_id, first, last))
with parameter, st.form("parameter_form"):
    settings = parameters(problem.config)
    key = st.selectbox("Setting", list(settings), key="parameter_key",
                       help="Weights are the costs of the soft rules; the other settings are "
                            "rule parameters (scheduler/defaults.toml).")
    current = settings[key]
    value = (st.checkbox("Value", current, key="parameter_bool") if isinstance(current, bool)
             else st.number_input("Value", value=current, key="parameter_value",
                                  step=1 if isinstance(current, int) else 0.1))
    st.caption(f"Now {current}.")
    if st.form_submit_button("Add change"):
        edits.append(parameter_edit(key, type(current)(value)))

if edits:
    st.dataframe(pd.DataFrame([{"type": e["type"], "details": ", ".join(
        f"{k} {data.uk(v) if hasattr(v, 'strftime') else v}" for k, v in e.items()
        if k != "type")} for e in edits]), hide_index=True, key="edits_table")
    if st.button("Clear the edits"):
        edits.clear()
        st.rerun()
else:
    st.caption("No edits yet: add one above.")
seed_col, limit_col, replan_col = st.columns(3)
seed = seed_col.number_input("Seed", 0, 10**6, view.settings.scenario_seed, key="scenario_seed")
time_limit = limit_col.number_input("Time limit (seconds)", 1.0, 3600.0,
                                    view.settings.scenario_time_limit, key="scenario_limit")
replan = replan_col.date_input("Re-plan from (optional)", None, format="DD/MM/YYYY",
                               key="replan_date",
                               help="Events before this date stay as in the baseline.")
scenario = Scenario(name=name, description=description, data=Path(source.data),
                    baseline=out / "programme.csv", seed=int(seed), time_limit=float(time_limit),
                    replan_date=replan, edits=tuple(edits))
folder = out / "scenarios" / slug(name)
st.download_button("Download the scenario file", scenario_text(scenario, folder),
                   file_name=f"{slug(name)}.toml", mime="application/toml", on_click="ignore")

st.subheader("2. Run it")
job: Job | None = st.session_state.get(JOB)
busy = job is not None and job.running
if st.button("Run the scenario", type="primary", disabled=busy or not edits,
             help="Add at least one edit first." if not edits else None):
    path = write_scenario(scenario, folder)
    st.session_state[JOB] = Job.start(scenario_command(path, folder / RESULT_DIR),
                                      folder / "run.log")
    st.session_state["scenario_shown"] = str(folder)
job = st.session_state.get(JOB)
if job is not None:
    ui.follow(JOB, view.settings.poll_seconds)
    explanation = Path(st.session_state["scenario_shown"]) / RESULT_DIR / "explanation.md"
    if not job.running and explanation.is_file():
        with st.expander("Why no programme meets every hard rule (explanation.md)",
                         expanded=True):
            st.markdown(data.uk_text(explanation.read_text(encoding="utf-8")))

st.subheader("3. Compare with the baseline")
# A run under way is replacing its folder's files; one with no programme meeting every
# rule wrote relaxed_programme.csv and explanation.md, not programme.csv and diff.csv.
under_way = st.session_state["scenario_shown"] if job is not None and job.running else None
runs = [f for f in sorted((out / "scenarios").glob("*")) if str(f) != under_way and all(
    (f / RESULT_DIR / name).is_file() for name in ("programme.csv", "diff.csv"))]
if not runs:
    st.caption("No scenario run on this programme has a programme meeting every hard rule "
               "to compare yet.")
    st.stop()
names = [str(f) for f in runs]
shown = st.session_state.get("scenario_shown")
chosen = Path(st.selectbox("Scenario", names, format_func=lambda f: Path(f).name,
                           index=names.index(shown) if shown in names else 0, key="compare"))
result = chosen / RESULT_DIR
other = data.source_of(result, Path(source.data))
ui.problem_or_stop(other)
base_frame, base_run = data.programme_frame(source), data.run_record(source)
new_frame, new_run = data.programme_frame(other), data.run_record(other)
base_frame = base_frame[base_frame["region"].isin(view.regions)]
new_frame = new_frame[new_frame["region"].isin(view.regions)]
span = (problem.start, problem.weeks.end)
before = data.kpis(base_frame, base_run, view.edge_weeks, *span)
after = data.kpis(new_frame, new_run, view.edge_weeks, *span)
for column, (label, value) in zip(st.columns(len(after)), after.items(), strict=True):
    label_text = label.replace("this programme year", "in the horizon")
    change = value - before[label]
    column.metric(label_text, f"{value:g}", delta=f"{change:+g}" if change else None,
                  delta_color="inverse" if label in LOWER_IS_BETTER else "normal",
                  help=f"Baseline {before[label]:g}")
kpi_file = data.read_json(result / "kpis.json")
if kpi_file:
    with st.expander("The scenario run's own figures (kpis.json)"):
        table = data.kpi_table(kpi_file)
        if table is None:
            st.json(kpi_file)
        else:
            st.dataframe(table, key="kpis_json")

score = result / "score.md"
if score.is_file():
    with st.expander("Cost of each soft rule in the scenario (score.md)"):
        st.markdown(data.uk_text(score.read_text(encoding="utf-8")))

diff = data.read_diff(result)
diff = diff[diff["la_code"].isin(set(base_frame["la_code"]) | set(new_frame["la_code"]))]
changed = diff[diff["change"] != "unchanged"].assign(reason=lambda f: f["reason"].map(data.uk_text))
st.markdown(f"**{len(changed)}** events changed: " + ", ".join(
    f"{n} {c}" for c, n in changed["change"].value_counts().items()) if len(changed) else
    "No event changed.")
ui.table(changed, {"change": "change", "la_name": "LA", "event_id": "event", "kind": "type",
                   "from_start": "baseline on site", "to_start": "scenario on site",
                   "weeks_moved": "weeks moved", "reason": "reason"}, key="diff")
if len(changed):
    affected = set(changed["la_code"])
    change = diff.set_index("event_id")["change"]
    x_range = (pd.Timestamp(problem.start), pd.Timestamp(problem.weeks.end))
    left, right = st.columns(2)
    left.plotly_chart(figures.compare_timeline(
        base_frame[base_frame["la_code"].isin(affected)], change, "Baseline", x_range),
        key="compare_base")
    right.plotly_chart(figures.compare_timeline(
        new_frame[new_frame["la_code"].isin(affected)], change, "Scenario", x_range),
        key="compare_new")
