"""Plotly figures built from the frames of dashboard.data: pure functions, no Streamlit.

Every date axis and hover label reads dd/mm/yyyy; heights grow with the rows shown so a
chart stays readable on a laptop screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.data import EVENT_ORDER, kind_name

EVENT_COLOURS = dict(zip(EVENT_ORDER, px.colors.qualitative.Safe, strict=False))
CHANGE_COLOURS = {"moved": "#d95f02", "added": "#1b9e77", "removed": "#e7298a",
                  "unchanged": "#b0b0b0"}
PHASE_OPACITY = {"notice": 0.35, "on site": 1.0, "report": 0.2}
UK_AXIS = {"tickformat": "%d/%m/%Y", "hoverformat": "%d/%m/%Y"}
ROW_PX = 24  # height of one row of a Gantt chart
MONTH_LABEL = "%b %Y"


def _uk(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%d/%m/%Y").fillna("")


def _rows_height(rows: int, base: int = 120) -> int:
    return base + ROW_PX * max(rows, 3)


def capacity_heatmap(monthly: pd.DataFrame) -> go.Figure:
    """Region x month: share of the region's inspector-days used (R-CAP; over 100 % is
    borrowed, R-LEND)."""
    grid = monthly.pivot(index="region", columns="month", values="use_percent").sort_index()
    used = monthly.pivot(index="region", columns="month", values="used_days").reindex_like(grid)
    cap = monthly.pivot(index="region", columns="month", values="capacity_days").reindex_like(grid)
    labels = [m.strftime(MONTH_LABEL) for m in grid.columns]
    top = max(100.0, float(grid.max().max()) if grid.size else 100.0)
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=labels, y=list(grid.index), zmin=0, zmax=top,
        colorscale="YlOrRd", colorbar={"title": "% used"},
        customdata=np.dstack((used.values, cap.values)),
        texttemplate="%{z:.0f}", textfont={"size": 9},
        hovertemplate="%{y}, %{x}<br>%{customdata[0]:.1f} of %{customdata[1]:.1f} "
                      "inspector-days (%{z:.0f} %)<extra></extra>"))
    fig.update_layout(height=_rows_height(len(grid), 140), margin={"l": 10, "r": 10, "t": 30},
                      xaxis={"tickangle": -45}, title="Inspector-days used, % of capacity")
    return fig


def programme_timeline(frame: pd.DataFrame) -> go.Figure:
    """Every event as a point at its first on-site day, one band per region."""
    shown = frame.assign(type=frame["event"].map(kind_name), on_site=_uk(frame["fieldwork_start"]))
    fig = px.strip(shown, x="fieldwork_start", y="region", color="event",
                   color_discrete_map=EVENT_COLOURS, category_orders={"event": EVENT_ORDER},
                   hover_name="la_name", hover_data={"type": True, "on_site": True,
                                                     "status": True, "event": False,
                                                     "region": False, "fieldwork_start": False})
    fig.update_traces(marker={"size": 6, "opacity": 0.8}, jitter=0.8)
    regions = shown["region"].nunique()
    fig.update_layout(height=_rows_height(2 * regions, 160), xaxis_title="first on-site day",
                      yaxis_title="", legend_title="event", margin={"t": 30},
                      title="The programme: each event at its first on-site day")
    fig.update_xaxes(**UK_AXIS)
    return fig


def _bars(part: pd.DataFrame, y: str, **trace: object) -> go.Bar:
    """Horizontal date bars from ``start`` to ``end`` (exclusive)."""
    return go.Bar(y=part[y], base=part["start"], orientation="h",
                  x=(part["end"] - part["start"]).dt.total_seconds() * 1000, **trace)


def region_gantt(segments: pd.DataFrame) -> go.Figure:
    """Each LA's events: notice (light), on site (solid), report to publication (faint)."""
    fig = go.Figure()
    for kind in EVENT_ORDER:
        for phase, opacity in PHASE_OPACITY.items():
            part = segments[(segments["event"] == kind) & (segments["phase"] == phase)]
            if part.empty:
                continue
            custom = pd.DataFrame({"id": part["event_id"], "phase": phase,
                                   "from": _uk(part["start"]),
                                   "to": _uk(part["end"] - pd.Timedelta(days=1))})
            fig.add_trace(_bars(part, "la_name", name=kind_name(kind), legendgroup=kind,
                                showlegend=phase == "on site", opacity=opacity,
                                marker_color=EVENT_COLOURS[kind], customdata=custom.values,
                                hovertemplate="%{y}: %{customdata[0]}<br>%{customdata[1]} "
                                              "%{customdata[2]} to %{customdata[3]}"
                                              "<extra></extra>"))
    las = segments["la_name"].nunique()
    fig.update_layout(barmode="overlay", height=_rows_height(las), margin={"t": 30},
                      yaxis={"autorange": "reversed", "title": ""},
                      title="Events: notice week (light), on site (solid), report (faint)")
    fig.update_xaxes(type="date", **UK_AXIS)
    return fig


def weekly_capacity(use: pd.DataFrame) -> go.Figure:
    """One region's inspector-days per week: used, capacity (after leave and bank holidays),
    what it would be without leave, and the bank holidays."""
    over = use["used_days"] > use["capacity_days"]
    week = _uk(use["monday"])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=use["monday"], y=use["used_days"], name="used",
                         marker_color=["#d62728" if o else "#1f77b4" for o in over],
                         customdata=week, hovertemplate="week of %{customdata}: %{y:.1f} "
                                                        "days used<extra></extra>"))
    fig.add_trace(go.Scatter(x=use["monday"], y=use["capacity_days"], name="capacity",
                             line={"shape": "hv", "color": "#2ca02c"}, customdata=week,
                             hovertemplate="capacity %{y:.1f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=use["monday"], y=use["capacity_days"] + use["leave_days"],
                             name="capacity without leave",
                             line={"shape": "hv", "dash": "dot", "color": "#7f7f7f"},
                             hovertemplate="without leave %{y:.1f}<extra></extra>"))
    holidays = use[use["bank_holidays"] != ""]
    fig.add_trace(go.Scatter(x=holidays["monday"], y=holidays["capacity_days"], mode="markers",
                             name="bank holiday", marker={"symbol": "star", "size": 10,
                                                          "color": "#9467bd"},
                             customdata=holidays["bank_holidays"].str.replace(";", ", "),
                             hovertemplate="%{customdata}<extra></extra>"))
    fig.update_layout(height=380, hovermode="x unified", yaxis_title="inspector-days",
                      margin={"t": 30}, legend={"orientation": "h", "y": -0.2},
                      title="Inspector-days per week (red: above the region's own capacity)")
    fig.update_xaxes(**UK_AXIS)
    return fig


def inspector_calendar(events: pd.DataFrame, leave: pd.DataFrame,
                       x_range: tuple[pd.Timestamp, pd.Timestamp]) -> go.Figure:
    """An inspector's on-site events (one row per LA and event type) and leave."""
    parts = [events.assign(label=events["la_name"] + " " + events["event"],
                           start=events["fieldwork_start"], kind=events["event"],
                           end=events["fieldwork_end"] + pd.Timedelta(days=1)),
             leave.assign(label="leave", end=leave["end"] + pd.Timedelta(days=1), kind="leave")]
    shown = pd.concat(parts, ignore_index=True)
    fig = go.Figure()
    for kind, part in shown.groupby("kind", sort=False):
        custom = pd.DataFrame({"from": _uk(part["start"]),
                               "to": _uk(part["end"] - pd.Timedelta(days=1))})
        fig.add_trace(_bars(part, "label", name=kind_name(str(kind)),
                            marker_color=EVENT_COLOURS.get(str(kind), "#7f7f7f"),
                            customdata=custom.values,
                            hovertemplate="%{y}<br>%{customdata[0]} to %{customdata[1]}"
                                          "<extra></extra>"))
    fig.update_layout(barmode="overlay", height=_rows_height(shown["label"].nunique()),
                      yaxis={"autorange": "reversed", "title": ""}, margin={"t": 30},
                      title="On site and on leave")
    fig.update_xaxes(type="date", range=list(x_range), **UK_AXIS)
    return fig


def workload_heatmap(table: pd.DataFrame) -> go.Figure:
    """Inspector x month: ILACS days (on site, off site, report) as a share of the days
    within the inspector's inspection_share (R-CAP)."""
    grid = table.pivot_table(index="name", columns="month", values="use_percent",
                             aggfunc="sum", fill_value=0).sort_index()
    days = table.pivot_table(index="name", columns="month", values="inspection_days",
                             aggfunc="sum", fill_value=0).reindex_like(grid)
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[m.strftime(MONTH_LABEL) for m in grid.columns], y=list(grid.index),
        zmin=0, zmax=max(100.0, float(grid.max().max()) if grid.size else 100.0),
        colorscale="Blues", colorbar={"title": "% of share"}, customdata=days.values,
        hovertemplate="%{y}, %{x}: %{customdata} ILACS days, %{z:.0f} % of the inspection "
                      "share<extra></extra>"))
    fig.update_layout(height=_rows_height(len(grid)), margin={"t": 30}, xaxis={"tickangle": -45},
                      title="Workload: ILACS days per month, % of each inspector's share")
    return fig


def compare_timeline(frame: pd.DataFrame, change: pd.Series, title: str,
                     x_range: tuple[pd.Timestamp, pd.Timestamp]) -> go.Figure:
    """Events of one programme at their first on-site day; ``change`` (per event_id:
    moved/added/removed/unchanged) colours them, so moved events stand out."""
    shown = frame.assign(change=frame["event_id"].map(change).fillna("unchanged"),
                         on_site=_uk(frame["fieldwork_start"]))
    fig = px.scatter(shown, x="fieldwork_start", y="la_name", color="change",
                     symbol="event", color_discrete_map=CHANGE_COLOURS,
                     category_orders={"change": list(CHANGE_COLOURS)},
                     hover_name="event_id", hover_data={"on_site": True, "change": True,
                                                        "fieldwork_start": False,
                                                        "la_name": False, "event": False})
    fig.update_traces(marker={"size": 10, "line": {"width": 1, "color": "#333"}})
    fig.update_layout(height=_rows_height(shown["la_name"].nunique(), 220), title=title,
                      yaxis={"title": "", "categoryorder": "category descending"},
                      xaxis_title="first on-site day", margin={"t": 40, "b": 110},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.45, "x": 0,
                              "title": ""})
    fig.update_xaxes(range=list(x_range), nticks=6, tickangle=0, **UK_AXIS)
    return fig
