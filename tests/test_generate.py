"""Synthetic datasets: valid, deterministic, and with England's mix."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.domain import Dataset
from scheduler.generate import generate_dataset
from scheduler.io import read_dataset
from scheduler.pathways import pathway_of

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"
SIZES = {"small": (30, 3), "medium": (459, 24)}


def _generate(folder: Path, las: int, regions: int, seed: int = 1,
              programme_start: date | None = None, horizon_weeks: int | None = None) -> Path:
    generate_dataset(folder, las, regions, seed, template=ENGLAND,
                     programme_start=programme_start, horizon_weeks=horizon_weeks)
    return folder


@pytest.fixture(scope="module")
def england() -> Dataset:
    return read_dataset(ENGLAND)


@pytest.fixture(scope="module", params=list(SIZES))
def generated(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[int, int, Dataset]:
    las, regions = SIZES[request.param]
    folder = _generate(tmp_path_factory.mktemp(request.param), las, regions)
    return las, regions, read_dataset(folder)


def _pathway_shares(dataset: Dataset) -> dict[int, float]:
    config = load_config()
    counts: Counter[int] = Counter()
    for code in dataset.las:
        graded = [e for e in dataset.history_of(code) if e.graded]
        latest = max(graded, key=lambda e: e.fieldwork_end or e.fieldwork_start or e.known_date)
        counts[pathway_of(latest, config)] += 1
    return {p: n / len(dataset.las) for p, n in counts.items()}


def test_counts_of_las_and_regions(generated: tuple[int, int, Dataset]) -> None:
    las, regions, dataset = generated
    assert len(dataset.las) == las
    assert dataset.regions == [f"Region {i:02d}" for i in range(1, regions + 1)]
    assert len({la.dfe_code for la in dataset.las.values()}) == las
    sizes = Counter(la.region for la in dataset.las.values())
    assert max(sizes.values()) <= 1.5 * las / regions
    assert min(sizes.values()) >= 0.5 * las / regions


def test_pathway_shares_follow_england(generated: tuple[int, int, Dataset],
                                       england: Dataset) -> None:
    las, _, dataset = generated
    shares = _pathway_shares(dataset)
    for pathway, share in _pathway_shares(england).items():
        assert shares.get(pathway, 0.0) == pytest.approx(share, abs=1 / las + 0.01)


def test_roster_per_region(generated: tuple[int, int, Dataset], england: Dataset) -> None:
    las, regions, dataset = generated
    roles = Counter((i.region, i.role) for i in dataset.inspectors.values())
    for region in dataset.regions:
        assert roles[(region, "SHMI")] == 1
        assert roles[(region, "HMI")] >= 3
    assert roles[("", "RI")] >= 2 and roles[("", "EDU")] >= 2
    def hmis(dataset: Dataset) -> int:
        return sum(i.role == "HMI" for i in dataset.inspectors.values())

    ratio = hmis(england) / len(england.las)
    assert hmis(dataset) == pytest.approx(las * ratio, abs=3 * regions)


def test_dates_are_plausible(generated: tuple[int, int, Dataset]) -> None:
    _, _, dataset = generated
    for event in dataset.history:
        assert event.known_date <= dataset.as_at
        if event.graded:
            assert event.fieldwork_start and event.fieldwork_start.weekday() == 0
            span = 4 if event.event == "SHT" else 11
            assert event.fieldwork_end == event.fieldwork_start + timedelta(days=span)
    planned = [a for a in dataset.area_send if a.status == "planned"]
    assert planned
    for row in planned:
        assert row.fieldwork_start and row.fieldwork_start.weekday() == 0
        assert row.fieldwork_end == row.fieldwork_start + timedelta(days=4)
        for day in (row.fieldwork_start + timedelta(days=i) for i in range(5)):
            assert day.month != 8
            assert (1, 10) < (day.month, day.day) < (12, 15)


def test_leave_and_conflicts(generated: tuple[int, int, Dataset]) -> None:
    las, _, dataset = generated
    per_inspector = Counter(leave.inspector_id for leave in dataset.leave)
    assert set(per_inspector) == set(dataset.inspectors)
    assert len(dataset.conflicts) == round(las / 9)
    for conflict in dataset.conflicts:
        assert dataset.inspectors[conflict.inspector_id].region == (
            dataset.las[conflict.la_code].region)


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", 30, 3, seed=5)
    again = _generate(tmp_path / "b", 30, 3, seed=5)
    other = _generate(tmp_path / "c", 30, 3, seed=6)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert any((first / name).read_bytes() != (other / name).read_bytes() for name in names)


def test_leave_covers_a_later_horizon(tmp_path: Path) -> None:
    start = date(2031, 1, 6)
    dataset = read_dataset(_generate(tmp_path / "later", 12, 2, programme_start=start,
                                     horizon_weeks=104))
    assert dataset.programme_start == start and dataset.horizon_weeks == 104
    for year in (2031, 2032):
        away = Counter(leave.inspector_id for leave in dataset.leave if leave.start.year == year)
        assert set(away) == set(dataset.inspectors)
        assert min(away.values()) >= 3


@pytest.mark.parametrize(("las", "regions", "message"), [
    (0, 1, "las must be at least 1"),
    (5, 0, "regions must be at least 1"),
    (3, 4, "cannot exceed"),
])
def test_refuses_bad_sizes(tmp_path: Path, las: int, regions: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_dataset(tmp_path / "bad", las, regions, 1, template=ENGLAND)
    assert not (tmp_path / "bad").exists()
