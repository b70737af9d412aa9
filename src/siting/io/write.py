"""Write a result folder atomically: a temporary sibling folder, renamed when complete.

Contents: sites.gpkg (layers sites, assignments, grid_use, demand), summary.json, summary.md,
map.png. An existing folder is replaced only with overwrite=True.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import SitingError


def check_output_folder(out: Path, overwrite: bool) -> None:
    """Refuse early (before solving) to replace an existing folder without --overwrite."""
    if out.exists() and not overwrite:
        raise SitingError(f"output folder {out} exists; use --overwrite to replace it or --out to choose another")
    if out.exists() and not out.is_dir():
        raise SitingError(f"output path {out} is a file, not a folder")


def write_atomic(out: Path, overwrite: bool, write_contents) -> Path:
    """Call write_contents(tmp_folder), then move tmp_folder to `out` in one rename."""
    out = Path(out)
    check_output_folder(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        write_contents(tmp)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, trash / out.name)
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_result_folder(out: Path, overwrite: bool, summary: dict, *, solved: bool, layers, crs: str | None,
                        pictures: dict, markdown) -> dict:
    """The result folder every model writes: sites.gpkg (when solved), its pictures, summary.json,
    summary.md. `layers()` and `markdown()` are called inside the temporary folder's lifetime;
    `pictures` maps a summary key to (file name, draw(path) -> bool)."""

    def contents(folder: Path) -> None:
        if solved:
            write_gpkg(folder / "sites.gpkg", layers(), crs)
            for key, (name, draw) in pictures.items():
                summary[key] = name if draw(folder / name) else None
        write_json(folder / "summary.json", summary)
        (folder / "summary.md").write_text(markdown())

    write_atomic(out, overwrite, contents)
    return summary


def _frame(df: pd.DataFrame, xy: np.ndarray | None, crs: str | None):
    import geopandas as gpd

    if xy is None:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df)), crs=crs)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def _lines(df: pd.DataFrame, start: np.ndarray | None, end: np.ndarray | None, crs: str | None):
    import geopandas as gpd
    import shapely

    if start is None or end is None:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df)), crs=crs)
    coords = np.stack([start, end], axis=1)
    return gpd.GeoDataFrame(df, geometry=shapely.linestrings(coords), crs=crs)


def write_gpkg(path: Path, layers: dict, crs: str | None) -> None:
    import warnings

    import pyogrio

    for name, frame in layers.items():
        with warnings.catch_warnings():
            if crs is None:  # abstract planar instances (OR-Library, Swain) have no CRS by design
                warnings.filterwarnings("ignore", message="'crs' was not provided")
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value)}")
