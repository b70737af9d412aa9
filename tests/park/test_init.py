"""`siting init park`: a new park instance folder that validates and solves as written, squares
from a parks layer, every key and column documented, no user file overwritten, and bad --parks
files named by file, row and field."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from siting.cli.init import init_cmd
from siting.cli.main import cli
from siting.park import init as park_init
from siting.park.load import load_park
from siting.park.params import ParkParams

ROOT = Path(__file__).resolve().parents[2]
PARKS = ROOT / "instances" / "rijssen-holten-park" / "parks.geojson"
LAYERS = {"companies", "squares", "tiers", "charger_types", "grid_areas", "profiles"}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def init(runner: CliRunner, *args: str):
    return runner.invoke(init_cmd, ["park", *args])


def solve(runner: CliRunner, folder: Path, out: Path) -> dict:
    result = runner.invoke(cli, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())


@pytest.mark.solver
def test_init_without_parks_validates_and_solves(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "my-park"
    result = init(runner, str(out))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {f"{n}.csv" for n in LAYERS} | {"instance.toml", "README.md"}
    companies = pd.read_csv(out / "companies.csv")
    assert companies["id"].tolist() == ["example-company"]
    assert pd.read_csv(out / "squares.csv")["id"].tolist() == ["sq-example"]
    assert "valid" in runner.invoke(cli, ["validate", str(out)]).output
    inst = load_park(out)
    assert inst.n_pairs == 1  # the example company can walk to the example square
    assert inst.energy_kwh[0] == pytest.approx(4 * 70 * 0.22 + 138 * 1.1)
    summary = solve(runner, out, tmp_path / "result")
    assert summary["status"] == "optimal"


@pytest.mark.solver
def test_init_with_parks_one_square_per_park(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "rh"
    result = init(runner, str(out), "--parks", str(PARKS))
    assert result.exit_code == 0, result.output
    assert "20 squares" in result.output
    parks = gpd.read_file(PARKS)
    squares = pd.read_csv(out / "squares.csv")
    assert squares["park"].tolist() == parks["name"].tolist()
    assert squares["id"].is_unique and squares["id"].str.startswith("sq-").all()
    assert squares["land_m2"].to_numpy() == pytest.approx(0.015 * parks.area.to_numpy(), abs=0.5)
    inside = shapely.contains_xy(parks.geometry.to_numpy(), squares["x"], squares["y"])
    assert inside.all(), squares.loc[~inside, "id"].tolist()
    config = tomllib.loads((out / "instance.toml").read_text())
    assert config["layers"]["parks"] == {"file": "parks.geojson"}
    assert len(gpd.read_file(out / "parks.geojson")) == 20
    assert "valid" in runner.invoke(cli, ["validate", str(out)]).output
    inst = load_park(out)
    assert inst.n_squares == 20 and inst.n_pairs >= 1
    assert solve(runner, out, tmp_path / "result")["status"] == "optimal"


def test_parks_in_lon_lat_with_ibis_field_names(tmp_path: Path) -> None:
    """IBIS names the id `rin` and the name `naam`; a CRS84 file is reprojected to RD New."""
    parks = gpd.read_file(PARKS).rename(columns={"id": "rin", "name": "naam"}).to_crs("EPSG:4326")
    source = tmp_path / "ibis.geojson"
    parks.to_file(source, driver="GeoJSON")
    read = park_init.read_parks(source)
    assert read.ids.tolist() == parks["rin"].tolist() and read.names.tolist() == parks["naam"].tolist()
    assert read.area_m2 == pytest.approx(gpd.read_file(PARKS).area.to_numpy(), rel=1e-3)
    out = park_init.write_park_template(tmp_path / "ibis", read)
    load_park(out)


def test_every_parameter_and_column_is_documented(tmp_path: Path) -> None:
    out = park_init.write_park_template(tmp_path / "doc")
    text = (out / "instance.toml").read_text()
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert " # " in line, f"key without a comment: {line}"
    written = tomllib.loads(text)["park"]
    ParkParams(**written)  # valid values
    for key in ParkParams.model_fields:
        assert key in written or f"# {key} = " in text, f"park.{key} is not in instance.toml"
    readme = (out / "README.md").read_text()
    documented = {(layer, c.strip()) for layer, cols in park_init.COLUMNS.items() for names, _, _ in cols
                  for c in names.split(",")}
    for layer in LAYERS:
        for column in pd.read_csv(out / f"{layer}.csv", nrows=0).columns:
            assert (layer, column) in documented, f"{layer}.csv column {column} has no unit in README.md"
    assert "[sourced" in readme and "[estimate" in readme


def test_refuses_a_folder_with_files(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "companies.csv").write_text("my own data\n")
    result = init(runner, str(out))
    assert result.exit_code == 1
    assert f"{out} exists and is not empty: siting init never writes into a folder" in result.output
    assert (out / "companies.csv").read_text() == "my own data\n"
    assert [p.name for p in out.iterdir()] == ["companies.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary folder left behind


def test_writes_into_an_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert init(runner, str(out)).exit_code == 0
    assert (out / "instance.toml").exists()


def test_a_failure_while_writing_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(park_init, "readme_text", broken)
    with pytest.raises(OSError, match="disk full"):
        park_init.write_park_template(tmp_path / "half")
    assert list(tmp_path.iterdir()) == []


def _points(path: Path) -> None:
    gpd.GeoDataFrame({"id": ["a"], "name": ["A"]}, geometry=[shapely.Point(230000, 480000)],
                     crs="EPSG:28992").to_file(path, driver="GeoJSON")


def _repeated_id(path: Path) -> None:
    parks = gpd.read_file(PARKS)
    parks.loc[3, "id"] = parks.loc[1, "id"]
    parks.to_file(path, driver="GeoJSON")


def _copy(path: Path) -> None:
    path.write_bytes(PARKS.read_bytes())


def _metres_as_lon_lat(path: Path) -> None:
    data = json.loads(PARKS.read_text())
    data.pop("crs")  # a GeoJSON without "crs" is lon/lat: these RD metres are then no place on earth
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(("file", "make", "args", "expected"), [
    ("points.geojson", _points, [], ["no polygons", "field 'geometry'"]),
    ("repeated.geojson", _repeated_id, [], ["row id '#4'", "field 'id'", "id '130060' repeated (also row #2)"]),
    ("missing.geojson", None, [], ["file not found"]),
    ("broken.geojson", lambda p: p.write_text("{not json"), [], ["not a readable GeoJSON"]),
    ("table.csv", lambda p: p.write_text("id,x,y\n1,2,3\n"), [], ["unsupported file type '.csv'"]),
    ("typo.geojson", _copy, ["--name-field", "nmae"], ["field 'nmae'", "did you mean 'name'"]),
    ("nocrs.geojson", _metres_as_lon_lat, [], ["cannot be converted"]),
], ids=["points", "repeated-id", "missing", "broken", "csv", "name-field-typo", "metres-as-lon-lat"])
def test_bad_parks_file_is_named(runner: CliRunner, tmp_path: Path, file, make, args, expected) -> None:
    source = tmp_path / file
    if make is not None:
        make(source)
    out = tmp_path / "out"
    result = runner.invoke(init_cmd, ["park", str(out), "--parks", str(source), *args])
    assert result.exit_code == 2, result.output
    for part in [str(source), *expected]:
        assert part in result.output
    assert not out.exists()


def test_parks_options_need_parks(runner: CliRunner, tmp_path: Path) -> None:
    result = init(runner, str(tmp_path / "x"), "--name-field", "naam")
    assert result.exit_code == 2 and "--name-field needs --parks" in result.output
    assert not (tmp_path / "x").exists()
