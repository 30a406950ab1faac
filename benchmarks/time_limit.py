"""Whether `--time-limit` holds as seconds on the clock (issue 22): `ilacs plan --time-limit S`
run ``--runs`` times, each a fresh process, on England and on a generated 1,530-LA dataset
(`ilacs generate --las 1530 --regions 90`).

    python -m benchmarks.time_limit --seconds 30 --runs 3

Prints, and writes to benchmarks/time_limit_results.md: per dataset the median wall time of
the whole command against the limit, the exit code, the status and objective written, the
events left unstaffed and the independent checker's verdict (from the command's own lines).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.report import machine

ROOT = Path(__file__).resolve().parents[1]


def _ilacs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def run_once(data: Path, out: Path, seconds: float) -> dict[str, object]:
    started = time.perf_counter()
    done = _ilacs("plan", "--data", str(data), "--out", str(out), "--time-limit", str(seconds))
    wall = time.perf_counter() - started
    record = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    check = re.search(r"independent check: (\d+) violations, (\d+) relaxed", done.stderr)
    unstaffed = (record.get("assignment") or {}).get("unstaffed")
    return {"exit": done.returncode, "wall": wall, "status": record.get("status"),
            "objective": record.get("objective"),
            "unstaffed": len(unstaffed) if isinstance(unstaffed, list) else unstaffed,
            "check": f"{check[1]} violations, {check[2]} named" if check else "none"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    info = machine()
    lines = [f"# `--time-limit {args.seconds:g}` on the clock: {date.today()}", "",
             f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python "
             f"{info['python']}, OR-Tools {info['ortools']}", "",
             f"{args.runs} runs each, a fresh process per run; wall time of the whole command.",
             "", "| dataset | limit (s) | median wall (s) | runs (s) | exit | status | "
             "objective | unstaffed | checker |", "|---" * 9 + "|"]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "synthetic10x"
        made = _ilacs("generate", "--las", "1530", "--regions", "90", "--out", str(big))
        if made.returncode:
            sys.exit(f"ilacs generate failed: {made.stderr}")
        for name, data in (("England", ROOT / "data" / "england"), ("synthetic 1,530 LAs", big)):
            runs = [run_once(data, Path(tmp) / f"{name}-{i}", args.seconds)
                    for i in range(args.runs)]
            walls = [float(r["wall"]) for r in runs]
            last = runs[-1]
            lines.append(f"| {name} | {args.seconds:g} | {statistics.median(walls):.1f} | "
                         f"{', '.join(f'{w:.1f}' for w in walls)} | {last['exit']} | "
                         f"{last['status']} | {last['objective']} | {last['unstaffed']} | "
                         f"{last['check']} |")
            print(lines[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines += ["", f"Peak resident memory of any run: {peak:,.0f} MiB."]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "time_limit_results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
