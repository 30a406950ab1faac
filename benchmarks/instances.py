"""The instances the suite measures: England itself and synthetic datasets of a multiple of
its size, generated with `scheduler.generate` (as `ilacs generate` does)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.settings import Settings, size_key
from scheduler.generate import generate_dataset


@dataclass(frozen=True)
class Instance:
    key: str  # "england" or the size ("1", "3", "10"): how settings and targets name it
    label: str
    folder: Path


def prepare(settings: Settings, workdir: Path) -> list[Instance]:
    """England (if set) and one synthetic dataset per size, written under ``workdir``, each
    with the longest horizon so that its leave covers every horizon measured."""
    instances = []
    if settings.england is not None:
        instances.append(Instance("england", "England", settings.england))
    for size in settings.sizes:
        key = size_key(size)
        las = max(1, round(settings.scale_las * size))
        regions = min(las, max(1, round(settings.scale_regions * size)))
        folder = workdir / f"synthetic-{key}x"
        generate_dataset(folder, las, regions, settings.generator_seed,
                         template=settings.template, horizon_weeks=max(settings.horizons))
        instances.append(Instance(key, f"synthetic {key}x", folder))
    return instances
