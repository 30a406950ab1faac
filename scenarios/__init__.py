"""What-if scenarios: edits as data (TOML), stable re-planning against a baseline (R-PIN,
R-DEFER), the diff and KPI deltas, comparisons and sweeps.

The dashboard calls `load_scenario`, `run_scenario` and `compare`.
"""

from scenarios.compare import compare
from scenarios.replan import Prepared, prepare
from scenarios.runner import ScenarioOutcome, run_scenario
from scenarios.spec import Edit, Scenario, load_scenario

__all__ = ["Edit", "Prepared", "Scenario", "ScenarioOutcome", "compare", "load_scenario",
           "prepare", "run_scenario"]
