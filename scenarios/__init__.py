"""What-if scenarios and stable re-planning (issue 4; not built yet)."""
