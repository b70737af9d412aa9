"""Shared fixtures: a tiny but complete spatial instance, written by code at test time.

The instance (EPSG:28992, metres, around (200 000, 450 000)) has every part the fast model
reads: weighted demand points, candidates with costs and limits, existing sites with chargers,
and grid areas as substation points (one with negative headroom that an upgrade can lift).

`tiny_instance` writes it as a GeoPackage, `tiny_csv_instance` as CSV files with x/y columns.
`tiny_builder` returns the writer itself, so a test can build a broken copy: it passes `edit`
(changes the layer tables before they are written) and/or `toml` (changes instance.toml).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """`--dist loadgroup` (make test): the group as a suffix of each marked test's node id, which
    is how pytest-xdist's scheduler sends a group to one worker. xdist 3.8 writes it to
    `item._nodeid`, which pytest 9 no longer reads (it reads `item._id`), so without this every
    xdist_group mark was ignored: a module fixture meant to be built once was built per worker."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


CRS = "EPSG:28992"
X0, Y0 = 200_000.0, 450_000.0

# Demand: three clusters west / centre / east, 12 points, weight = sessions per day.
DEMAND = pd.DataFrame({
    "id": [f"D{k:02d}" for k in range(1, 13)],
    "weight": [6.0, 4.0, 9.0, 3.0, 12.0, 5.0, 7.0, 2.0, 8.0, 10.0, 1.0, 4.0],
    "x": X0 + np.array([-6000, -5200, -4300, -6500, 0, 800, -900, 300, 5600, 6400, 4800, 12000]),
    "y": Y0 + np.array([200, -900, 600, 1500, 0, 900, -700, -1600, 400, -500, 1200, 9000]),
})
# Candidates: two per cluster; land_m2 500 m2 fits (500 - 100) / 40 = 10 chargers.
CANDIDATES = pd.DataFrame({
    "id": ["C1", "C2", "C3", "C4", "C5", "C6"],
    "fixed_cost": [100_000.0, 80_000.0, 120_000.0, 90_000.0, 110_000.0, 70_000.0],
    "cost_per_charger": [60_000.0, 65_000.0, 55_000.0, 60_000.0, 58_000.0, 62_000.0],
    "max_chargers": [4, 3, 6, 4, 5, 2],
    "land_m2": [500.0, 300.0, 1000.0, 400.0, 600.0, 250.0],
    "x": X0 + np.array([-5500, -4000, 400, -1200, 5900, 4500]),
    "y": Y0 + np.array([0, 800, 300, -1000, 0, 1500]),
})
# Existing sites, open with their chargers.
EXISTING = pd.DataFrame({
    "id": ["E1", "E2"],
    "chargers": [2, 1],
    "x": X0 + np.array([-200, 6100]),
    "y": Y0 + np.array([-300, -900]),
})
# Substations: every site belongs to the area of the nearest one.
GRID_AREAS = pd.DataFrame({
    "id": ["G-west", "G-centre", "G-east"],
    "available_kw": [600.0, -150.0, 300.0],
    "upgrade_kw": [0.0, 900.0, 0.0],
    "upgrade_cost": [0.0, 40_000.0, 0.0],
    "x": X0 + np.array([-5000, 0, 5500]),
    "y": Y0 + np.array([0, 0, 0]),
})
FRAMES = {"demand": DEMAND, "candidates": CANDIDATES, "existing": EXISTING, "grid_areas": GRID_AREAS}

FAST = {
    "objective": "capacitated",
    "radius": 3000.0,
    "p": 3,
    "kw_per_charger": 150.0,
    "sessions_per_charger": 7.0,
    "m2_per_charger": 40.0,
    "site_m2": 100.0,
}


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Fresh copies of the four tables (x/y columns in EPSG:28992)."""
    return {name: df.copy() for name, df in FRAMES.items()}


def tiny_config(csv: bool) -> dict:
    """The instance.toml of the tiny instance, as a dict."""
    if csv:
        layers = {name: {"file": f"{name}.csv", "x": "x", "y": "y"} for name in FRAMES}
    else:
        layers = {name: {"file": "data.gpkg", "layer": name} for name in FRAMES}
    return {"name": "tiny", "description": "test instance", "model": "fast", "crs": CRS,
            "layers": layers, "fast": dict(FAST)}


def write_tiny(
    folder: Path,
    *,
    csv: bool = False,
    edit: Callable[[dict], None] | None = None,
    toml: Callable[[dict], None] | None = None,
) -> Path:
    """Write the tiny instance to `folder` (created) and return it.

    `edit(layers)` may change the tables before writing: for a GeoPackage `layers` maps names to
    GeoDataFrames in EPSG:28992 (reassign an entry to change its CRS or geometry); for CSV to
    DataFrames with x/y columns. `toml(config)` may change the instance.toml dict.
    """
    import geopandas as gpd
    import pyogrio

    folder.mkdir(parents=True, exist_ok=True)
    config = copy.deepcopy(tiny_config(csv))
    if toml is not None:
        toml(config)
    frames = tiny_frames()
    if csv:
        if edit is not None:
            edit(frames)
        for name, df in frames.items():
            df.to_csv(folder / f"{name}.csv", index=False)
    else:
        layers = {
            name: gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(df["x"], df["y"]), crs=CRS)
            for name, df in frames.items()
        }
        if edit is not None:
            edit(layers)
        path = folder / "data.gpkg"
        for name, gdf in layers.items():
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="'crs' was not provided")  # a test's choice
                pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", append=path.exists())
    (folder / "instance.toml").write_text(tomli_w.dumps(config))
    return folder


@pytest.fixture
def tiny_instance(tmp_path: Path) -> Path:
    """The tiny instance as data.gpkg + instance.toml; returns the folder."""
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny_csv_instance(tmp_path: Path) -> Path:
    """The same data as CSV files with x/y columns; returns the folder."""
    return write_tiny(tmp_path / "tiny-csv", csv=True)


@pytest.fixture
def tiny_builder(tmp_path: Path) -> Callable[..., Path]:
    """`build(name="broken", csv=False, edit=None, toml=None)` writes a variant in tmp_path."""

    def build(name: str = "broken", **kwargs) -> Path:
        return write_tiny(tmp_path / name, **kwargs)

    return build


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny GeoPackage instance, written once per session: for tests that only read it."""
    return write_tiny(tmp_path_factory.mktemp("shared") / "tiny")


@pytest.fixture(scope="session")
def pmed22_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OR-Library pmed22 imported once (per test process): a solve that takes minutes, for tests
    that need a run still going while they act (signals, the result-folder claim)."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("pmed22") / "pmed22"
    subprocess.run([Path(sys.executable).parent / "siting", "import", "orlib-pmed",
                    Path(__file__).resolve().parents[1] / "instances/reference/orlib-pmed/pmed22.txt", "--out", folder],
                   check=True, capture_output=True)
    return folder
