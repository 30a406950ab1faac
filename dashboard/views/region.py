"""Region: its events as a Gantt chart, inspector-days per week, its LAs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, figures, ui

view = ui.page("Region")
source = view.source
region = st.selectbox("Region", view.regions, key="region")
frame = data.filter_frame(data.programme_frame(source), [region], view.first, view.last)

st.plotly_chart(figures.region_gantt(data.gantt_segments(frame)), key="gantt")
use = data.weekly_use(source)
use = use[(use["region"] == region) & (use["monday"] >= pd.Timestamp(view.first))
          & (use["monday"] <= pd.Timestamp(view.last))]
st.plotly_chart(figures.weekly_capacity(use), key="capacity")
st.caption(f"{use['leave_days'].sum():.1f} inspector-days of leave and "
           f"{(use['bank_holidays'] != '').sum()} weeks with a bank holiday in these dates; "
           f"{data.borrowed_days(use):.1f} inspector-days borrowed from other regions (R-LEND).")

st.subheader(f"Local authorities in {region}")
ui.table(data.la_table(data.problem(source), data.programme_frame(source), [region]),
         {"la_name": "LA", "pathway": "pathway", "window_open": "window opens",
          "window_close": "window closes", "planned": "planned", "planned_date": "on site from",
          "status": "status", "events": "events in the programme"}, key="las")
