"""Line ends in CSV files: Windows (CRLF) and classic Mac (CR) files read as they are; a carriage
return inside a row (an Excel cell with a stray CR) is refused naming the row and field, instead
of pandas taking it for a line end and shifting the row's cells into other columns (found by the
corridor fuzzing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.errors import InstanceError
from siting.fast.load import load_fast


def _rewrite(folder: Path, name: str, edit) -> None:
    path = folder / name
    path.write_bytes(edit(path.read_bytes().replace(b"\r\n", b"\n")))


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_windows_and_mac_line_ends_read_alike(tiny_csv_instance, ending):
    before = load_fast(tiny_csv_instance)
    _rewrite(tiny_csv_instance, "candidates.csv", lambda data: data.replace(b"\n", ending))
    after = load_fast(tiny_csv_instance)
    assert list(after.site_ids) == list(before.site_ids)
    assert (after.max_chargers == before.max_chargers).all()


def test_a_carriage_return_inside_a_row_names_row_and_field(tiny_csv_instance):
    lines = (tiny_csv_instance / "candidates.csv").read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    header = lines[0].split(b",")
    column = header.index(b"max_chargers")
    cells = lines[2].split(b",")
    cells[column] = b"3\r"
    lines[2] = b",".join(cells)
    (tiny_csv_instance / "candidates.csv").write_bytes(b"\n".join(lines))
    with pytest.raises(InstanceError) as err:
        load_fast(tiny_csv_instance)
    [problem] = [p for p in err.value.problems if "carriage return" in p.message]
    assert problem.file.endswith("candidates.csv") and problem.row == "#2" and problem.field == "max_chargers"
