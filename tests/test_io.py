"""Bad input is refused with file, row, column and rule; good input is read."""

from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.io import read_dataset
from tests.conftest import HISTORY, INSPECTORS, LAS, write_dataset


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_dataset(folder)
    return [str(p) for p in caught.value.problems]


def test_reads_the_england_dataset() -> None:
    dataset = read_dataset(Path("data/england"))
    assert len(dataset.las) == 153
    assert len(dataset.regions) == 8


def test_unknown_la_code_names_file_row_and_column(tmp_path: Path) -> None:
    history = HISTORY + "E9,FV,,,2025-01-01,,,,,,,test\n"
    found = problems(write_dataset(tmp_path, **{"ilacs_history.csv": history}))
    assert found == ["ilacs_history.csv, row 6, column la_code: [DATA] unknown LA code 'E9' "
                     "(not in local_authorities.csv)"]


def test_bad_date_unknown_judgement_and_duplicate(tmp_path: Path) -> None:
    history = HISTORY.replace("2024-05-16", "16/05/2024").replace(",good,good,good,good,good",
                                                                  ",good,great,good,good,good")
    las = LAS + "E1,804,Again,North,Unitary authority,false\n"
    found = problems(write_dataset(tmp_path, **{"ilacs_history.csv": history,
                                               "local_authorities.csv": las}))
    assert any("local_authorities.csv, row 5, column la_code" in f and "duplicate" in f
               for f in found)
    assert any("row 2, column published" in f and "not a date" in f for f in found)
    assert any("column leaders: [R-PATH] unknown judgement 'great'" in f for f in found)


def test_missing_column_gives_one_line_not_one_per_reference(tmp_path: Path) -> None:
    las = LAS.replace(",small\n", "\n", 1)
    found = problems(write_dataset(tmp_path / "a", **{"local_authorities.csv": las}))
    assert found == ["local_authorities.csv, column small: [DATA] required column is missing"]


def test_unknown_region_of_an_inspector(tmp_path: Path) -> None:
    inspectors = INSPECTORS + "X-1,Someone,Atlantis,HMI,1.0,0.6,true\n"
    found = problems(write_dataset(tmp_path, **{"inspectors.csv": inspectors}))
    assert any("inspectors.csv, row 9, column region" in f and "Atlantis" in f for f in found)
