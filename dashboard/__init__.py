"""Streamlit dashboard over the core API (issue 5; not built yet)."""
