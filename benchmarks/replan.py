"""How long a what-if re-plan of England takes (issue 4): each example scenario run
``--runs`` times as `ilacs scenario run`, each run a fresh process, against one baseline.

    python -m benchmarks.replan --baseline out/programme.csv --runs 5

Prints, and writes to benchmarks/replan_results.md: per scenario the median wall time of
the whole command (start-up, reading, applying the edits, solving, writing, checking) and
of its solve alone, the regions it planned again, the events that moved and the
independent checker's verdict.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.dashboard_load import machine

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("hartlepool_deferral", "north_east_staffing", "stockton_inadequate",
             "agreed_pins", "tees_merger")


def run_once(scenario: Path, baseline: Path, out: Path) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scheduler.cli", "scenario", "run",
                           str(scenario), "--out", str(out), "--baseline", str(baseline)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    kpis = json.loads((out / "kpis.json").read_text()) if (out / "kpis.json").is_file() else {}
    changes = kpis.get("changes") or {}
    return {"exit": done.returncode, "wall": wall, "solve": kpis.get("wall_time_seconds"),
            "status": kpis.get("status"), "violations": kpis.get("violations"),
            "regions": kpis.get("replanned_regions"), "moved": changes.get("moved")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    lines = [f"# Re-planning England: {date.today()}", "", f"Machine: {machine()}", "",
             f"Baseline: `{args.baseline}`; {args.runs} runs each, a fresh process per run.",
             "", "| scenario | median wall (s) | median in-process (s) | runs (s) | status | "
             "regions planned again | events moved | checker |", "|---" * 8 + "|"]
    for name in args.scenarios:
        scenario = ROOT / "scenarios" / "examples" / f"{name}.toml"
        with tempfile.TemporaryDirectory() as tmp:
            runs = [run_once(scenario, args.baseline.resolve(), Path(tmp) / f"run{i}")
                    for i in range(args.runs)]
        last = runs[-1]
        walls = [float(r["wall"]) for r in runs]
        solves = [float(r["solve"]) for r in runs if r["solve"] is not None]
        regions = last["regions"]
        line = (f"| {name} | {statistics.median(walls):.1f} | "
                f"{statistics.median(solves):.1f} | "
                f"{', '.join(f'{w:.1f}' for w in walls)} | {last['status']} | "
                f"{', '.join(regions) if isinstance(regions, list) else regions} | "
                f"{last['moved']} | {last['violations']} violations |")
        print(line, flush=True)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "replan_results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
