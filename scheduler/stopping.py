"""When a command's solves must stop: Ctrl-C or SIGTERM, and the wall-clock `--time-limit`.

Every CP-SAT solve gets its parameters through `solve.apply_parameters`, which calls
`register` here: the solver is then stopped at once by a signal or by the deadline, and never
given more wall-clock time than the command has left. A command arms the clock with
`deadline(seconds)` and the signals with `signals()`; `interrupted()` tells it afterwards
whether a signal stopped it (its exit code is then 128 + the signal's number).
"""

from __future__ import annotations

import os
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

MIN_SECONDS = 0.05  # what a solve is still given once the clock has run out: a plan kept
STARTED = time.monotonic()  # about when the command started: this is among its first imports
STOPPING = (signal.SIGINT, signal.SIGTERM)


@dataclass
class _Clock:
    ends_at: float | None = None  # time.monotonic() of the wall-clock deadline
    signal_number: int | None = None
    handling: bool = False  # within `signals()`: Ctrl-C is ours, not CP-SAT's
    solvers: weakref.WeakSet[cp_model.CpSolver] = field(default_factory=weakref.WeakSet)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def stop_all(self) -> None:
        with self.lock:
            for solver in list(self.solvers):
                solver.stop_search()


_clock = _Clock()


class Interrupted(Exception):
    """Ctrl-C or SIGTERM stopped the command: nothing more is solved or written."""

    def __init__(self, signal_number: int):
        super().__init__(signal.Signals(signal_number).name)
        self.exit_code = 128 + signal_number


def register(solver: cp_model.CpSolver) -> None:
    """Stop ``solver`` on a signal or at the deadline; cap its wall time to what is left."""
    check()
    if _clock.handling:
        solver.parameters.catch_sigint_signal = False
    left = remaining()
    if left is not None:
        own = solver.parameters.max_time_in_seconds
        solver.parameters.max_time_in_seconds = max(MIN_SECONDS, min(own, left))
    with _clock.lock:
        _clock.solvers.add(solver)


def remaining() -> float | None:
    """Wall-clock seconds left before the deadline (None: no deadline)."""
    if _clock.ends_at is None:
        return None
    return max(0.0, _clock.ends_at - time.monotonic())


def out_of_time() -> bool:
    left = remaining()
    return left is not None and left <= 0


@contextmanager
def deadline(seconds: float | None, started: float | None = None) -> Iterator[None]:
    """Within the block, every solve ends by ``seconds`` of wall clock from ``started`` (a
    time.monotonic(); default now; None seconds: no deadline); an earlier deadline stays."""
    if seconds is None:
        yield
        return
    before = _clock.ends_at
    ends_at = (time.monotonic() if started is None else started) + seconds
    _clock.ends_at = ends_at if before is None else min(before, ends_at)
    timer = threading.Timer(max(0.0, ends_at - time.monotonic()), _clock.stop_all)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        _clock.ends_at = before


@contextmanager
def signals(on_signal: Callable[[str], None] | None = None) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM stop every solve at once, and the next solve
    raises `Interrupted`; ``on_signal(name)`` is told first (e.g. to say so).

    Python runs a signal's handler only when the main thread is back in Python, not while
    CP-SAT searches, so a thread woken through `signal.set_wakeup_fd` stops the solvers; and
    CP-SAT's own SIGINT catching (which ends one solve and swallows the Ctrl-C) is off
    (`register` turns it off for the solves inside the block)."""
    def record(number: int) -> None:
        with _clock.lock:
            first = _clock.signal_number is None
            if first:
                _clock.signal_number = number
        if first and on_signal:
            on_signal(signal.Signals(number).name)
        _clock.stop_all()

    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    watcher = threading.Thread(target=_watch, args=(read_end, record), daemon=True)
    previous = {s: signal.signal(s, lambda number, _frame: record(number)) for s in STOPPING}
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher.start()
    _clock.handling = True
    try:
        yield
        check()
    finally:
        _clock.handling = False
        signal.set_wakeup_fd(previous_fd)
        os.close(write_end)
        watcher.join()
        os.close(read_end)
        for number, handler in previous.items():
            signal.signal(number, handler)
        _clock.signal_number = None


def _watch(read_end: int, record: Callable[[int], None]) -> None:
    """Stop the solvers as soon as a stopping signal arrives, until the pipe closes."""
    while data := os.read(read_end, 16):
        for number in data:
            if number in STOPPING:
                record(number)


def check() -> None:
    """Raise `Interrupted` if a signal has stopped the command."""
    if _clock.signal_number is not None:
        raise Interrupted(_clock.signal_number)
