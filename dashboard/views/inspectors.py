"""Inspectors: each one's calendar, leave and workload, and their .ics calendar."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, figures, ui

WORKLOAD_LABELS = {"month": "month", "onsite_days": "on site", "offsite_days": "off site",
                   "report_days": "report writing", "leave_days": "leave",
                   "working_days": "working days", "share_days": "days within share",
                   "use_percent": "% of share"}

view = ui.page("Inspectors")
source = view.source
problem = data.problem(source)
frame = data.programme_frame(source)
people = data.roster(problem, view.regions)

inspector_id = st.selectbox(
    "Inspector", people["inspector_id"],
    format_func=lambda i: f"{problem.dataset.inspectors[i].name} ({i}, "
                          f"{problem.dataset.inspectors[i].role}, "
                          f"{problem.dataset.inspectors[i].region or 'national pool'})",
    key="inspector")
person = problem.dataset.inspectors[inspector_id]
role, fte, share, lead = st.columns(4)
role.metric("Role", person.role)
fte.metric("FTE", f"{person.fte:g}")
share.metric("Inspection share", f"{100 * person.inspection_share:.0f} %",
             help="Share of working time available for ILACS work over a quarter (R-CAP).")
lead.metric("May lead", "yes" if person.can_lead else "no")

events = data.between(data.inspector_events(frame, inspector_id), view.first, view.last)
leave = data.inspector_leave(problem, inspector_id)
if not data.has_teams(frame):
    st.info("This programme names no lead inspector or team (programme.csv columns "
            "lead_inspector and team are empty), so calendars show leave only. Re-plan with a "
            "version of `ilacs plan` that assigns inspectors to fill them.")
leave = data.between(leave, view.first, view.last, "start", "end")
if len(events) or len(leave):
    st.plotly_chart(figures.inspector_calendar(
        events, leave, (pd.Timestamp(view.first), pd.Timestamp(view.last))), key="calendar")
else:
    st.caption(f"Nothing on site and no leave between {data.uk(view.first)} and "
               f"{data.uk(view.last)}.")
left, right = st.columns(2)
with left:
    st.subheader("Events")
    ui.table(events,
             {"event_id": "event", "la_name": "LA", "event": "type", "role": "role",
              "fieldwork_start": "on site from", "fieldwork_end": "on site to"}, key="events")
with right:
    st.subheader("Leave")
    ui.table(leave, {"start": "from", "end": "to", "reason": "reason"}, key="leave")

st.subheader("Workload")
group = data.workload_of_group(data.workload_frame(source), inspector_id)
group = group[(group["month"] >= pd.Timestamp(view.first).to_period("M").to_timestamp())
              & (group["month"] <= pd.Timestamp(view.last))]
st.plotly_chart(figures.workload_heatmap(group), key="workload")
ui.table(group[group["inspector_id"] == inspector_id].assign(
    month=lambda f: f["month"].dt.strftime("%b %Y")), WORKLOAD_LABELS, key="workload_rows")
st.download_button(f"Download {person.name}'s calendar (.ics)",
                   data.inspector_ics(source, inspector_id),
                   file_name=f"CONFIDENTIAL-{inspector_id}.ics", mime="text/calendar",
                   on_click="ignore", help=ui.CONFIDENTIAL)
