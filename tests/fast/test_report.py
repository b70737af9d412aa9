"""Result writing: point and line layers written straight from coordinates give the same
GeoPackage layers as GeoDataFrames through pyogrio.write_dataframe; the shared report helpers;
map.png for many demand points (a raster of cells instead of one marker per point)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from siting.fast import report
from siting.io.report import id_labels
from siting.io.write import Layer, point_layer, segment_layer, write_gpkg

CRS = "EPSG:28992"


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    weight = rng.random(n)
    if n:
        weight[0] = np.nan  # NaN is written as NULL, as write_dataframe does
    return pd.DataFrame({
        "id": np.array([f"d{k}" for k in range(n)], dtype=object).astype(str),
        "weight": weight,
        "count": np.arange(n),
        "covered": np.arange(n) % 2 == 0,
        "area": np.array(["" if k % 3 else f"g{k}" for k in range(n)], dtype=object),
    })


def _write_both(tmp_path: Path, layer, crs: str | None) -> tuple[Path, Path]:
    fast, reference = tmp_path / "fast.gpkg", tmp_path / "reference.gpkg"
    write_gpkg(fast, {"layer": layer}, crs)
    write_gpkg(reference, {"layer": layer.to_geodataframe()}, crs)
    return fast, reference


def _assert_same_layer(a: Path, b: Path) -> None:
    ia, ib = pyogrio.read_info(a, layer="layer"), pyogrio.read_info(b, layer="layer")
    for key in ("crs", "geometry_type", "features"):
        assert ia[key] == ib[key], key
    assert list(ia["fields"]) == list(ib["fields"]) and list(ia["dtypes"]) == list(ib["dtypes"])
    if ia["features"]:
        assert np.array_equal(ia["total_bounds"], ib["total_bounds"])
    da, db = pyogrio.read_dataframe(a, layer="layer"), pyogrio.read_dataframe(b, layer="layer")
    pd.testing.assert_frame_equal(da, db)


@pytest.mark.parametrize("n", [0, 1, 257])
@pytest.mark.parametrize("crs", [CRS, None])
def test_point_layer_as_written_by_pyogrio(tmp_path: Path, n: int, crs: str | None) -> None:
    xy = np.random.default_rng(1).normal(size=(n, 2)) * 1000 + [200_000, 450_000]
    layer = point_layer(_table(n), xy, crs)
    assert isinstance(layer, Layer) and len(layer) == n
    _assert_same_layer(*_write_both(tmp_path, layer, crs))


@pytest.mark.parametrize("n", [0, 5, 300])
def test_line_layer_as_written_by_pyogrio(tmp_path: Path, n: int) -> None:
    rng = np.random.default_rng(2)
    layer = segment_layer(_table(n), rng.random((n, 2)) * 5000, rng.random((n, 2)) * 5000, CRS)
    assert isinstance(layer, Layer)
    _assert_same_layer(*_write_both(tmp_path, layer, CRS))


def test_layers_without_coordinates_have_no_geometry(tmp_path: Path) -> None:
    points, lines = point_layer(_table(4), None, CRS), segment_layer(_table(4), None, None, CRS)
    write_gpkg(tmp_path / "x.gpkg", {"points": points, "lines": lines}, CRS)
    for name in ("points", "lines"):
        back = pyogrio.read_dataframe(tmp_path / "x.gpkg", layer=name)
        assert len(back) == 4 and back.geometry.isna().all()


def test_id_labels() -> None:
    ids = np.array(["a", "b", "c"], dtype=object)
    assert id_labels(ids, np.array([2, -1, 0])).tolist() == ["c", "", "a"]
    assert id_labels(np.array([], dtype=object), np.array([-1, -1])).tolist() == ["", ""]
    assert id_labels(ids, np.array([], dtype=int)).tolist() == []


def test_demand_raster_is_the_weighted_share_per_cell() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # two points in the lower-left cell (weights 1 and 3, shares 1 and 0), one in the upper right
    # with weight 0 (its plain share counts), nothing elsewhere
    xy = np.array([[0.0, 0.0], [0.1, 0.1], [10.0, 10.0]])
    weight, share = np.array([1.0, 3.0, 0.0]), np.array([1.0, 0.0, 0.5])
    fig, ax = plt.subplots()
    old = report.MAP_CELLS
    try:
        report.MAP_CELLS = 2
        im, cell = report._demand_raster(ax, xy, weight, share)
    finally:
        report.MAP_CELLS = old
        plt.close(fig)
    image = im.get_array()
    assert cell == pytest.approx(5.0)
    assert image.shape == (3, 3)  # 10 / 5 + 1 cells each way
    assert image[0, 0] == pytest.approx(0.25)
    assert image[2, 2] == pytest.approx(0.5)
    assert image.mask.sum() == 7  # cells without demand stay blank


@pytest.mark.solver
def test_many_demand_points_map_is_a_raster(tiny_instance: Path, tmp_path: Path, monkeypatch) -> None:
    from siting.fast.api import solve_fast
    from siting.options import SolveOptions
    run = solve_fast(tiny_instance, SolveOptions())
    run.source = tiny_instance
    markers, raster = tmp_path / "markers", tmp_path / "raster"
    report.write_results(run, markers)
    monkeypatch.setattr(report, "MAP_MARKERS_MAX", 5)  # the tiny instance has 12 demand points
    summary = report.write_results(run, raster)
    assert summary["map"] == "map.png"
    assert (raster / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (raster / "map.png").read_bytes() != (markers / "map.png").read_bytes()
    # everything else is the same
    assert sorted(p.name for p in raster.iterdir()) == sorted(p.name for p in markers.iterdir())
    for name, _ in pyogrio.list_layers(raster / "sites.gpkg"):
        pd.testing.assert_frame_equal(pyogrio.read_dataframe(raster / "sites.gpkg", layer=name),
                                      pyogrio.read_dataframe(markers / "sites.gpkg", layer=name))
    a, b = (json.loads((f / "summary.json").read_text()) for f in (raster, markers))
    assert {k: v for k, v in a.items() if k != "times"} == {k: v for k, v in b.items() if k != "times"}


@pytest.mark.solver
def test_new_sites_are_named_by_their_municipality(tmp_path: Path) -> None:
    """summary.md names the municipality of each new site when the instance has that layer: west
    of X0 is 'West', east of it 'East' (the tiny instance's candidates lie on both sides)."""
    import geopandas as gpd
    import shapely
    from tests.conftest import CRS, X0, Y0, write_tiny

    from siting.fast.api import solve_fast

    def edit(layers: dict) -> None:
        layers["municipalities"] = gpd.GeoDataFrame(
            {"id": ["w", "e"], "name": ["West", "East"]},
            geometry=[shapely.box(X0 - 20_000, Y0 - 20_000, X0, Y0 + 20_000),
                      shapely.box(X0, Y0 - 20_000, X0 + 20_000, Y0 + 20_000)], crs=CRS)

    def toml(config: dict) -> None:
        config["layers"]["municipalities"] = {"file": "data.gpkg", "layer": "municipalities"}

    run = solve_fast(write_tiny(tmp_path / "named", edit=edit, toml=toml))
    text = report.summary_markdown(report.summary_dict(run), run)
    table = text.split("## New sites")[1].strip().split("\n\n")[0].splitlines()
    assert table[0] == "| site | municipality | chargers | kW | grid area |"
    new = report._sites_table(run).query("status == 'new'")
    assert len(table) - 2 == len(new) > 0
    xy = run.instance.site_xy[new.index.to_numpy()]
    for line, x in zip(table[2:], xy[:, 0], strict=True):
        assert line.split(" | ")[1] == ("West" if x < X0 else "East"), line
