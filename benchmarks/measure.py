"""Run one measured run (benchmarks.one_run) as a child process and read back its record,
with the child's peak memory.

Peak memory is the child's own `ru_maxrss`, from `os.wait4`: the rusage of that one child,
the same figure `resource.getrusage(RUSAGE_CHILDREN)` gives, which is the largest over all
children so far and so cannot tell one run from the next.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

KIB = 1024


def measured_run(args: list[str], timeout: float) -> dict[str, object]:
    """``python -m benchmarks.one_run ARGS --record FILE``: its record, plus
    ``peak_memory_mib``; a run that fails or passes ``timeout`` seconds is recorded as
    status ERROR or TIMEOUT, with the end of its error output (and what its partial record
    holds: the time and check of its first programme)."""
    with tempfile.TemporaryDirectory() as work:
        record, errors = Path(work) / "record.json", Path(work) / "stderr.txt"
        with errors.open("w") as stderr:
            child = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.one_run", *args, "--record", str(record)],
                stdout=subprocess.DEVNULL, stderr=stderr)
            expired = threading.Event()
            timer = threading.Timer(timeout, lambda: (expired.set(), child.kill()))
            timer.start()
            try:
                _, status, usage = os.wait4(child.pid, 0)
            finally:
                timer.cancel()
            child.returncode = os.waitstatus_to_exitcode(status)
        peak = round(usage.ru_maxrss / KIB, 1)  # ru_maxrss is in KiB on Linux
        if record.exists() and child.returncode == 0:
            return {**json.loads(record.read_text()), "peak_memory_mib": peak}
        status_name = "TIMEOUT" if expired.is_set() else "ERROR"
        tail = errors.read_text(errors="replace").strip().splitlines()[-3:]
        partial = json.loads(record.read_text()) if record.exists() else {}
        return {**partial, "status": status_name, "feasible": False, "peak_memory_mib": peak,
                "error": " | ".join(tail) or f"exit code {child.returncode}"}
