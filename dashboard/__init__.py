"""The Streamlit dashboard over the core API: `ilacs dashboard` (dashboard/app.py)."""
