"""The ILACS dashboard, a thin client over the core API.

Run `ilacs dashboard [--out DIR] [--data DIR]`, or `streamlit run dashboard/app.py -- --out
DIR --data DIR`. Each page lives in dashboard/views/; this script draws the sidebar (folders
and filters) and hands over to the page chosen.
"""

from __future__ import annotations

import os
import sys

import streamlit as st

from dashboard import ui
from dashboard.settings import load_settings

st.set_page_config(page_title="ILACS programme", page_icon=":material/event:", layout="wide")
st.session_state["view"] = ui.sidebar(load_settings(sys.argv[1:], os.environ))
PAGES = [
    st.Page("views/overview.py", title="National overview", icon=":material/public:",
            url_path="overview", default=True),
    st.Page("views/region.py", title="Region", icon=":material/map:", url_path="region"),
    st.Page("views/local_authority.py", title="Local authority", icon=":material/apartment:",
            url_path="local-authority"),
    st.Page("views/inspectors.py", title="Inspectors", icon=":material/badge:",
            url_path="inspectors"),
    st.Page("views/what_if.py", title="What-if", icon=":material/science:", url_path="what-if"),
    st.Page("views/downloads.py", title="Downloads", icon=":material/download:",
            url_path="downloads"),
]
st.navigation(PAGES).run()
