"""A run's output folder as a whole: its files appear together or not at all.

A run writes into a fresh staging folder beside `--out`, holding a lock that refuses a second
run into the same folder. Only when the run has written everything are its files moved in,
with signals held off: what an earlier run wrote and this one did not (a programme, an
explanation) is removed then, so the folder never mixes two runs. A run that fails or is
stopped before that leaves the folder as it was. Other files in the folder (a scenario's
sub-folder, the user's own notes) are left alone.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler import stopping
from scheduler.errors import InputError

# Every file or folder a run may write into `--out` (`ilacs plan`, `scenario run`).
RUN_FILES = ("explanation.md", "programme.csv", "programme.xlsx", "summary.md",
             "relaxed_programme.csv", "diff.csv", "diff.md", "score.md", "kpis.json",
             "scenario.json", "run.log", "run.json")


@contextmanager
def output_folder(out: Path) -> Iterator[Path]:
    """The staging folder to write a run's files into; moved into ``out`` on success."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
        try:
            yield staging
            stopping.check()  # stopped while writing: the folder stays as it was
            _swap_in(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError([f"--out {out}: [option] another run is writing to this folder "
                              f"now (lock {lock_path}); wait for it or choose another --out"]
                             ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _swap_in(staging: Path, out: Path) -> None:
    """Replace the run files in ``out`` by those in ``staging``, run.json last."""
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        out.mkdir(parents=True, exist_ok=True)
        new = {path.name for path in staging.iterdir()}
        for name in RUN_FILES:
            if name not in new:
                _remove(out / name)
        for name in sorted(new, key=lambda n: (n == "run.json", n)):
            target = out / name
            if (staging / name).is_dir():
                _remove(target)
            os.replace(staging / name, target)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
