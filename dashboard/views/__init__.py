"""The dashboard pages, one script each, run by st.navigation from dashboard/app.py. Not named
pages/: Streamlit treats a folder of that name beside the entrypoint as a legacy multipage app
(pages run without the entrypoint, deep links fail on a fresh server)."""
