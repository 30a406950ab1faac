"""Local authority: history, pathway, window, planned events, area SEND and JTAI dates, and
why each planned event is where it is."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from scheduler.config import GRADED

HISTORY_LABELS = {"event": "event", "fieldwork_start": "on site from", "fieldwork_end": "to",
                  "published": "published", "overall": "overall", "leaders": "leaders",
                  "help_protection": "help and protection", "children_in_care": "in care",
                  "care_leavers": "care leavers", "topic": "topic"}

view = ui.page("Local authority")
source = view.source
problem = data.problem(source)
frame = data.programme_frame(source)
plans = {code: plan for code, plan in problem.plans.items() if plan.la.region in view.regions}
code = st.selectbox("Local authority", sorted(plans, key=lambda c: plans[c].la.name),
                    format_func=lambda c: f"{plans[c].la.name} ({plans[c].la.region})", key="la")
plan = plans[code]
graded = next((n for n in plan.needs if n.kind in GRADED), None)

pathway, opens, closes, last = st.columns(4)
pathway.metric("Pathway", plan.pathway, help="R-PATH-1/2/3, from the last graded judgements.")
window_help = "R-WIN: 3 years after the last inspection, give or take 6 months."
opens.metric("Window opens", data.uk(graded.window_open) if graded else "–", help=window_help)
closes.metric("Window closes", data.uk(graded.window_close) if graded else "–", help=window_help)
last.metric("Last graded inspection",
            f"{plan.last_graded.event} {data.uk(plan.reference)}" if plan.last_graded else "none",
            help="Its last on-site day: the reference date of the window.")
for note in plan.notes:
    st.info(data.uk_text(note))

mine = frame[frame["la_code"] == code].sort_values("fieldwork_start")
st.subheader("Planned events")
ui.table(mine, {k: v for k, v in ui.EVENT_LABELS.items() if k not in ("la_name", "region")},
         key="planned")

st.subheader("Why these dates")
st.caption("For each event, the weeks before it and the rules that rule them out: calendar "
           "and window rules, the LA's other events (checked as the independent checker "
           "would), and the region's inspector-days.")
run = data.run_record(source)
if run.get("status") != "OPTIMAL":
    st.caption(f"The solver's status is {run.get('status', 'unknown')}, not proven optimal "
               f"(gap {100 * (run.get('gap') or 0):.1f} %): where earlier weeks were open, a "
               "cheaper placement may exist.")
for why in data.why(source, code):
    with st.expander(f"{why.event_id}: on site from {data.uk(why.planned)}",
                     expanded=why.event not in ("AEM",)):
        st.markdown(data.uk_text(why.summary(data.uk)))
        spans = pd.DataFrame([{"from": first, "to": end,
                               "rules": ", ".join(rules) or "open (no hard rule)",
                               "detail": data.uk_text(detail)}
                              for first, end, rules, detail in why.spans()],
                             columns=["from", "to", "rules", "detail"])
        if len(spans):
            ui.table(spans.astype({"from": "datetime64[ns]", "to": "datetime64[ns]"}),
                     {"from": "first on-site day from", "to": "to", "rules": "rules",
                      "detail": "for example"}, key=f"why_{why.event_id}", wide=("detail",))

history, nearby = st.columns(2)
with history:
    st.subheader("History")
    ui.table(data.la_history(problem, code), HISTORY_LABELS, key="history")
with nearby:
    st.subheader("Area SEND and JTAI dates")
    ui.table(data.la_nearby(problem, frame, code),
             {"what": "what", "status": "status", "start": "from", "end": "to"}, key="nearby")
