"""How long each dashboard page takes to load a programme: the app's very first load (nothing
cached, imports included), each page's first view, then the median of repeated loads once
its data is cached.

    python -m benchmarks.dashboard_load --out /tmp/england_out --data data/england

It drives the pages with Streamlit's AppTest, so the figures are the server's script time for
a page (reading, deriving, building figures); the browser's drawing comes on top.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import streamlit
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = ("views/overview.py", "views/region.py", "views/local_authority.py",
         "views/inspectors.py", "views/what_if.py", "views/downloads.py")
TIMEOUT = 300  # seconds: a cold first load reads and derives everything


def machine() -> str:
    """The machine the figures were measured on."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    return (f"{platform.node()}: {model}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, Streamlit {streamlit.__version__}")


def timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception[0].value}")
    return elapsed


def measure(out: Path, data: Path, repeat: int
            ) -> tuple[float, list[tuple[str, float, list[float]]]]:
    """The app's cold first load, then (page, first view, cached loads) for every page, as
    one user going through them (one session, the caches shared)."""
    os.environ["ILACS_OUT"] = str(out)
    os.environ["ILACS_DATA"] = str(data)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    cold = timed(at)
    found = []
    for page in PAGES:
        at.switch_page(page)
        first = timed(at)
        found.append((page, first, [timed(at) for _ in range(repeat)]))
    return cold, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="programme folder")
    parser.add_argument("--data", type=Path, default=Path("data/england"), help="dataset")
    parser.add_argument("--repeat", type=int, default=7, help="cached loads per page")
    args = parser.parse_args()
    cold, results = measure(args.out.resolve(), args.data.resolve(), args.repeat)
    print(f"Dashboard page loads of {args.out} ({args.data}) on {machine()}")
    print(f"first load of the app, nothing cached: {cold:.2f} s")
    print(f"{'page':28} {'first view s':>12} {'cached median s':>16} {'cached max s':>13}")
    for page, first, cached in results:
        print(f"{page:28} {first:12.2f} {statistics.median(cached):16.2f} {max(cached):13.2f}")
    worst = max(statistics.median(cached) for _, _, cached in results)
    print(f"slowest cached page: {worst:.2f} s (median of {args.repeat})")


if __name__ == "__main__":
    main()
