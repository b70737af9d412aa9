"""A small white-spot instance written in the real schemas: a CBS 500 m GeoPackage (layer cbs_vk500_2023,
polygon column geom, CBS no-data codes), public points, a plan map, municipalities and grid areas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

CRS = "EPSG:28992"
# cell corner (x, y) -> households; the reach of a location is 250 m from the cell centre
CELLS = {
    "E2000N4500": 300,  # covered: public point p1 inside
    "E2005N4500": 200,  # (a): designated L_a, grid area g_ok has headroom
    "E2010N4500": 150,  # (b) grid headroom: designated L_b in area g_up (0 kW today, upgrade planned)
    "E2015N4500": 140,  # (b) a new location: no plan location, the cell's area g_ok has headroom
    "E2020N4500": 130,  # (c) the concession refuses L_c: public point p2 within 250 m of it (in the next cell)
    "E2030N4500": 126,  # (c) no location, grid area g_none without headroom or upgrade
    "E2035N4500": 50,  # too few households: no white spot
    "E2040N4500": -99997,  # CBS "geheim": no data, never white
}
CONFIG = """name = "tiny-ws"
model = "whitespots"
crs = "EPSG:28992"

[layers.cells]
file = "cbs_vk500_2023_v1.gpkg"
layer = "cbs_vk500_2023"
[layers.public_points]
file = "points.csv"
x = "x"
y = "y"
[layers.plan_locations]
file = "plan.csv"
x = "x"
y = "y"
[layers.municipalities]
file = "gemeenten.geojson"
[layers.grid_areas]
file = "grid.csv"
x = "x"
y = "y"

[whitespots]
m2_per_point = 10.0
"""


def write_cbs(path: Path, rows: dict[str, int], extra: dict | None = None) -> None:
    """A GeoPackage in CBS's cbs_vk500 schema (a subset of its columns, names and no-data codes as CBS)."""
    codes = list(rows)
    x = [int(c[1:5]) * 100 for c in codes]
    y = [int(c[6:10]) * 100 for c in codes]
    frame = {"crs28992res500m": codes, "aantal_inwoners": [max(h * 2, -99997) if h > 0 else h for h in rows.values()],
             "aantal_part_huishoudens": list(rows.values()),
             "stedelijkheid": [3 if h >= 125 else (-99997 if h < 0 else 5) for h in rows.values()]}
    frame.update(extra or {})
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.box(x, y, [a + 500 for a in x], [b + 500 for b in y]),
                                                         crs=CRS)).rename_geometry("geom")
    gdf.to_file(path, layer="cbs_vk500_2023", driver="GPKG")


@pytest.fixture
def tiny(tmp_path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "instance.toml").write_text(CONFIG)
    write_cbs(folder / "cbs_vk500_2023_v1.gpkg", CELLS)
    pd.DataFrame({"id": ["p1", "p2"], "x": [200_100.0, 202_560.0], "y": [450_100.0, 450_250.0]}).to_csv(
        folder / "points.csv", index=False)
    pd.DataFrame({
        "id": ["L_a", "L_b", "L_c"], "gemeente": ["GM0001", "GM0001", "Testdorp"],
        "status": ["designated", "designated", "designated"],
        "x": [200_750.0, 201_250.0, 202_400.0], "y": [450_250.0, 450_250.0, 450_250.0],
        "grid_area": ["g_ok", "g_up", "g_ok"], "land_m2": [30.0, 30.0, 30.0],
    }).to_csv(folder / "plan.csv", index=False)
    muni = gpd.GeoDataFrame({"id": ["GM0001"], "name": ["Testdorp"], "procedure": ["concession"]},
                            geometry=[shapely.box(199_000, 449_000, 205_000, 452_000)], crs=CRS)
    muni.to_file(folder / "gemeenten.geojson", driver="GeoJSON")
    pd.DataFrame({"id": ["g_ok", "g_up", "g_none"], "available_kw": [500.0, 0.0, 0.0], "upgrade_kw": [0.0, 1000.0, 0.0],
                  "x": [201_750.0, 201_250.0, 203_250.0], "y": [450_250.0, 449_600.0, 450_250.0]}).to_csv(
        folder / "grid.csv", index=False)
    return folder
