"""Downloads: the programme (CSV, Excel), calendars (.ics) and scenario files."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data, ui
from dashboard.scenario_file import SCENARIO_FILE

view = ui.page("Downloads")
st.warning(ui.CONFIDENTIAL)
source = view.source
out = Path(source.out)

st.subheader("Programme")
st.download_button("programme.csv (whole programme)", (out / "programme.csv").read_bytes(),
                   file_name="CONFIDENTIAL-programme.csv", mime="text/csv", on_click="ignore")
shown = data.filter_frame(data.programme_frame(source), view.regions, view.first, view.last)
st.download_button(f"programme.csv of the filtered view ({len(shown)} events)",
                   data.filtered_csv(source, tuple(view.regions), view.first, view.last),
                   file_name="CONFIDENTIAL-programme-filtered.csv", mime="text/csv",
                   on_click="ignore")
xlsx = out / "programme.xlsx"
if xlsx.is_file():
    st.download_button("programme.xlsx (national summary and one sheet per region)",
                       xlsx.read_bytes(), file_name="CONFIDENTIAL-programme.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore")
else:
    st.info(f"{xlsx} is not there: `ilacs plan` writes it with the programme.")

st.subheader("Calendars")
region = st.selectbox("Region", view.regions, key="ics_region")
st.download_button(f"{region}'s calendar (.ics)", data.region_ics(source, region),
                   file_name=f"CONFIDENTIAL-{data.file_stem(region)}.ics",
                   mime="text/calendar", on_click="ignore", key="ics_download")
st.caption("Every event of the region: notification, each on-site day and the report "
           "milestones. Each inspector's own calendar is on the Inspectors page.")

st.subheader("Scenario files")
files = sorted((out / "scenarios").glob(f"*/{SCENARIO_FILE}"))
if not files:
    st.caption("No scenario has been written yet (What-if page).")
for path in files:
    st.download_button(f"{path.parent.name}.toml", path.read_bytes(),
                       file_name=f"{path.parent.name}.toml", mime="application/toml",
                       on_click="ignore", key=f"scenario_{path.parent.name}")
