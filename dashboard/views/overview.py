"""National overview: headline figures, capacity use by region and month, the programme."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, figures, ui

view = ui.page("National overview")
source = view.source
problem = data.problem(source)
run = data.run_record(source)
regional = data.programme_frame(source)
regional = regional[regional["region"].isin(view.regions)]

years = data.programme_years(problem)
year = st.selectbox("Programme year", range(len(years)),
                    index=data.current_year(years, date.today()),
                    format_func=lambda y: f"Year {y + 1}: {data.uk(years[y][0])} to "
                                          f"{data.uk(years[y][1])}")
first, last = years[year]
figures_now = data.kpis(regional, run, view.edge_weeks, first, last)
use = data.weekly_use(source)
use = use[use["region"].isin(view.regions)]

status, gap = st.columns(2)
status.metric("Solver status", run.get("status", "?"),
              help="From run.json: OPTIMAL, or FEASIBLE within the time limit.")
gap_text = "–" if pd.isna(figures_now["gap %"]) else f"{figures_now['gap %']:.2f} %"
gap.metric("Gap to the lower bound", gap_text,
           help="How far the programme's cost may be above the best possible (run.json).")
counts = data.events_by_type(regional, first, last)
columns = st.columns(len(counts))
for column, (kind, count) in zip(columns, counts.items(), strict=True):
    column.metric(data.kind_name(kind), count, help=f"{kind} events on site in year {year + 1}")
overdue, edge, lent, borrowed = st.columns(4)
overdue.metric("Overdue LAs", figures_now["overdue LAs"], help="R-OVERDUE: past their window.")
edge.metric("LAs near a window edge", figures_now["LAs near a window edge"],
            help=f"Graded inspection within {view.edge_weeks} weeks of a window end (R-WIN).")
lent.metric("Events with lending", figures_now["events with lending"],
            help="Events whose region borrows inspector-days (R-LEND).")
borrowed.metric("Inspector-days borrowed", f"{data.borrowed_days(use):.1f}",
                help="Days used beyond regions' own weekly capacity, lent by others (R-LEND).")

monthly = data.monthly_use(use[(use["monday"] >= pd.Timestamp(view.first))
                               & (use["monday"] <= pd.Timestamp(view.last))])
st.plotly_chart(figures.capacity_heatmap(monthly), key="heatmap")
shown = data.filter_frame(regional, view.regions, view.first, view.last)
st.plotly_chart(figures.programme_timeline(shown), key="timeline")

left, right = st.columns(2)
with left:
    st.subheader("Overdue LAs")
    ui.table(data.overdue_las(shown), {"la_name": "LA", "region": "region", "event": "type",
                                       "fieldwork_start": "on site from",
                                       "window_close": "window closed"}, key="overdue")
with right:
    st.subheader("Near a window edge")
    ui.table(data.near_edge(shown, view.edge_weeks),
             {"la_name": "LA", "region": "region", "event": "type",
              "fieldwork_start": "on site from", "window_open": "window opens",
              "window_close": "window closes"}, key="edge")
