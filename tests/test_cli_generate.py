"""`ilacs generate`: writes a valid dataset; bad requests exit 2 with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.io import read_dataset

ENGLAND = Path(__file__).resolve().parents[1] / "data" / "england"


def _generate(out: Path, *extra: str, las: str = "12", regions: str = "2"):
    return CliRunner().invoke(app, ["generate", "--las", las, "--regions", regions,
                                    "--out", str(out), "--template", str(ENGLAND), *extra])


def test_writes_a_dataset_of_the_size_asked(tmp_path: Path) -> None:
    outcome = _generate(tmp_path / "d", "--seed", "4", "--start", "2027-01-04",
                        "--weeks", "52")
    assert outcome.exit_code == 0, outcome.output
    dataset = read_dataset(tmp_path / "d")
    assert len(dataset.las) == 12 and len(dataset.regions) == 2
    assert str(dataset.programme_start) == "2027-01-04" and dataset.horizon_weeks == 52
    assert "12 LAs in 2 regions" in outcome.output


def test_same_seed_same_files_and_force_overwrites(tmp_path: Path) -> None:
    assert _generate(tmp_path / "a", "--seed", "9").exit_code == 0
    assert _generate(tmp_path / "b", "--seed", "9").exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes()
               for n in names)
    refused = _generate(tmp_path / "a", "--seed", "1")
    assert refused.exit_code == 2 and "--force" in refused.output
    assert _generate(tmp_path / "a", "--seed", "1", "--force").exit_code == 0
    assert (tmp_path / "a" / "local_authorities.csv").read_bytes() != (
        tmp_path / "b" / "local_authorities.csv").read_bytes()


@pytest.mark.parametrize(("extra", "sizes", "message"), [
    ((), ("0", "1"), "las must be at least 1"),
    ((), ("3", "4"), "cannot exceed"),
    (("--start", "2027-13-01"), ("5", "1"), "is not a date"),
    (("--start", "2027-01-05"), ("5", "1"), "starts on a Monday"),
    (("--weeks", "0"), ("5", "1"), "at least 1 week"),
    (("--template", "/nonexistent"), ("5", "1"), "not a dataset folder"),
])
def test_refuses_bad_requests(tmp_path: Path, extra: tuple[str, ...], sizes: tuple[str, str],
                              message: str) -> None:
    outcome = _generate(tmp_path / "d", *extra, las=sizes[0], regions=sizes[1])
    assert outcome.exit_code == 2
    assert message in outcome.output and "Traceback" not in outcome.output
    assert not (tmp_path / "d").exists()


def test_refuses_an_out_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    outcome = _generate(tmp_path / "f")
    assert outcome.exit_code == 2 and "is a file" in outcome.output
