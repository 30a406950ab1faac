"""Long runs (`ilacs plan`, `ilacs scenario run`) in a subprocess, so the page stays
responsive: the command's progress lines (its stderr) go to a log file the page reads while
it runs, and a stop button ends it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def ilacs(*args: str) -> list[str]:
    """The command line of an `ilacs` command run with this interpreter."""
    return [sys.executable, "-m", "scheduler.cli", *args]


def plan_command(data: Path, out: Path, time_limit: float) -> list[str]:
    return ilacs("plan", "--data", str(data), "--out", str(out), "--time-limit", f"{time_limit:g}")


def scenario_command(scenario_file: Path, out: Path) -> list[str]:
    return ilacs("scenario", "run", str(scenario_file), "--out", str(out))


@dataclass
class Job:
    """One command running (or finished) in a subprocess, its stderr in ``log``."""

    args: list[str]
    log: Path
    process: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    stopped: bool = False

    @classmethod
    def start(cls, args: list[str], log: Path) -> Job:
        log.parent.mkdir(parents=True, exist_ok=True)
        # Wide lines: rich wraps its progress at the terminal width, 80 when there is none.
        env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        with log.open("wb") as handle:
            process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=env,
                                       start_new_session=True)
        return cls(args, log, process)

    @property
    def running(self) -> bool:
        if self.process.poll() is None:
            return True
        if self.ended is None:
            self.ended = time.monotonic()
        return False

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def elapsed(self) -> float:
        """Seconds it has run so far, or ran until it ended (as first seen)."""
        if self.running or self.ended is None:
            return time.monotonic() - self.started
        return self.ended - self.started

    def lines(self) -> list[str]:
        """Everything the command has printed so far."""
        if not self.log.is_file():
            return []
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def stop(self, grace: float = 5.0) -> None:
        """End the command (and anything it started): SIGTERM, then SIGKILL after ``grace``."""
        if not self.running:
            return
        self.stopped = True
        with contextlib.suppress(ProcessLookupError):  # it may end of itself meanwhile
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
