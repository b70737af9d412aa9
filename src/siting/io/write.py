"""Write a result folder atomically: a temporary sibling folder, renamed when complete.

Contents: sites.gpkg (layers sites, assignments, grid_use, demand), summary.json, summary.md,
map.png. An existing folder is replaced only with overwrite=True.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
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
    """Call write_contents(tmp_folder), then move tmp_folder to `out` in one rename; the folder
    it landed in is returned.

    A folder that appeared at `out` while the contents were written (made by hand or by a program
    that takes no claim) is never replaced without `overwrite`, and the finished contents are
    never dropped either: they land beside it, in `<out>-<n>`."""
    out = Path(out)
    check_output_folder(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        write_contents(tmp)
        if out.exists() and overwrite:
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, trash / out.name)
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
            return out
        return _rename_beside(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _rename_beside(tmp: Path, out: Path) -> Path:
    """Rename `tmp` to `out`, or to the first free `<out>-<n>` when `out` exists by now."""
    for n in range(10_000):
        target = out if n == 0 else out.with_name(f"{out.name}-{n}")
        if target.exists():
            continue
        try:
            os.rename(tmp, target)  # refuses a non-empty folder that appeared meanwhile (POSIX)
        except OSError:
            if target.exists():
                continue
            raise
        return target
    raise SitingError(f"no free folder name beside {out}")


def write_result_folder(out: Path, overwrite: bool, summary: dict, *, solved: bool, layers, crs: str | None,
                        pictures: dict, markdown, outlines=dict, extras=None) -> dict:
    """The result folder every model writes: sites.gpkg (when solved), its pictures, report.html,
    summary.json, summary.md. `layers()`, `markdown()` and `outlines()` (name -> GeoSeries of the
    instance's map-only layers) are called inside the temporary folder's lifetime; `pictures`
    maps a summary key to (file name, draw(path) -> bool).

    report.html is written for every run, also without a plan: its summary says why. `extras(folder)`,
    when given, writes a model's own further files (a rollout's CSVs) and returns their summary keys."""
    from siting.io.html import write_report_html

    def contents(folder: Path) -> None:
        drawn = layers() if solved else {}
        if solved:
            write_gpkg(folder / "sites.gpkg", drawn, crs)
            for key, (name, draw) in pictures.items():
                summary[key] = name if draw(folder / name) else None
        if extras is not None:
            summary.update(extras(folder))
        summary["report_html"] = "report.html"
        text = markdown()  # once: the page shows the same words as summary.md
        write_report_html(folder / "report.html", summary, text, drawn, crs, outlines() if solved else {})
        write_json(folder / "summary.json", summary)
        (folder / "summary.md").write_text(text)

    written = write_atomic(out, overwrite, contents)
    if written != Path(out):
        summary["written_to"] = str(written)  # only in the returned dict: the file was written before
    return summary


@dataclass(frozen=True, eq=False)
class Layer:
    """A table with one point (coords (n, 2)) or one straight segment (coords (n, 2, 2)) per row.

    write_gpkg writes it straight from the coordinates (WKB built with numpy): no shapely object
    per row, which at 500 k demand points saves about a second. `to_geodataframe()` gives the
    same layer as a GeoDataFrame.
    """

    table: pd.DataFrame
    coords: np.ndarray
    crs: str | None

    def __len__(self) -> int:
        return len(self.table)

    @property
    def geometry_type(self) -> str:
        if not len(self.coords):
            return "Unknown"  # what pyogrio.write_dataframe declares for an empty frame
        return "Point" if self.coords.ndim == 2 else "LineString"

    def to_geodataframe(self):
        import geopandas as gpd
        import shapely

        geometry = shapely.points(self.coords) if self.coords.ndim == 2 else shapely.linestrings(self.coords)
        return gpd.GeoDataFrame(self.table, geometry=gpd.GeoSeries(geometry, index=self.table.index), crs=self.crs)

    def wkb(self) -> np.ndarray:
        """The geometries as little-endian 2-D WKB, the bytes shapely.to_wkb writes: one packed
        record per row (21 bytes a point, 41 a segment)."""
        n = len(self.coords)
        if self.coords.ndim == 2:  # byte order, type 1 (Point), x, y
            rec = np.empty(n, dtype=np.dtype([("order", "u1"), ("type", "<u4"), ("xy", "<f8", (2,))]))
            rec["type"] = 1
        else:  # byte order, type 2 (LineString), 2 points, x0, y0, x1, y1
            rec = np.empty(n, dtype=np.dtype([("order", "u1"), ("type", "<u4"), ("points", "<u4"),
                                              ("xy", "<f8", (2, 2))]))
            rec["type"], rec["points"] = 2, 2
        rec["order"] = 1
        rec["xy"] = self.coords
        return rec


def point_layer(df: pd.DataFrame, xy: np.ndarray | None, crs: str | None):
    """A point layer (a Layer), or a GeoDataFrame without geometry when xy is None."""
    import geopandas as gpd

    if xy is None:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df)), crs=crs)
    return Layer(df, np.asarray(xy, dtype=float).reshape(len(df), 2), crs)


def segment_layer(df: pd.DataFrame, start: np.ndarray | None, end: np.ndarray | None, crs: str | None):
    """A layer of straight segments start -> end (a Layer), or without geometry when either is None."""
    import geopandas as gpd

    if start is None or end is None:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([None] * len(df)), crs=crs)
    coords = np.stack([np.asarray(start, dtype=float).reshape(len(df), 2),
                       np.asarray(end, dtype=float).reshape(len(df), 2)], axis=1)
    return Layer(df, coords, crs)


def write_gpkg(path: Path, layers: dict, crs: str | None) -> None:
    """Each layer (a GeoDataFrame or a Layer) into the GeoPackage at `path`, in order, each with
    its default QGIS style in layer_styles (siting.io.styles)."""
    import warnings

    import pyogrio

    from siting.io.styles import write_styles

    for name, frame in layers.items():
        with warnings.catch_warnings():
            if crs is None:  # abstract planar instances (OR-Library, Swain) have no CRS by design
                warnings.filterwarnings("ignore", message="'crs' was not provided")
            if isinstance(frame, Layer) and not _has_datetimes(frame.table):
                _write_layer(path, name, frame)
            elif isinstance(frame, Layer):  # time zones: leave them to pyogrio
                pyogrio.write_dataframe(frame.to_geodataframe(), path, layer=name, driver="GPKG",
                                        append=path.exists())
            else:
                pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
    if layers:
        write_styles(path, layers)


def _write_layer(path: Path, name: str, layer: Layer) -> None:
    """What pyogrio.write_dataframe does with the same rows as a GeoDataFrame, without the
    shapely geometries: same fields, field types, geometry type, CRS and values."""
    from pyogrio.raw import write

    rec = layer.wkb()
    size = rec.dtype.itemsize
    options = {"layer": name, "driver": "GPKG", "geometry_type": layer.geometry_type, "crs": _crs_text(layer.crs),
               "append": path.exists()}
    data = rec.tobytes()
    geometry = np.empty(len(rec), dtype=object)
    geometry[:] = [data[k:k + size] for k in range(0, len(data), size)]
    fields, values, masks = [], [], []
    for column in layer.table.columns:
        fields.append(column)
        v = layer.table[column].array
        if isinstance(v, pd.arrays.IntegerArray | pd.arrays.FloatingArray | pd.arrays.BooleanArray):
            values.append(v._data)
            masks.append(v._mask)
        elif isinstance(v, pd.api.extensions.ExtensionArray) and not isinstance(v, pd.arrays.NumpyExtensionArray):
            values.append(np.asarray(v))
            masks.append(np.asarray(v.isna()))
        else:
            values.append(layer.table[column].to_numpy())
            masks.append(None)
    write(path, geometry=geometry, field_data=values, field_mask=masks, fields=fields, nan_as_null=True, **options)


def _has_datetimes(table: pd.DataFrame) -> bool:
    types = pd.api.types
    return any(types.is_datetime64_any_dtype(t) or (t == object and types.infer_dtype(table[c]) == "datetime")
               for c, t in table.dtypes.items())


def _crs_text(crs: str | None) -> str | None:
    """The CRS as pyogrio.write_dataframe passes it to GDAL: EPSG:<code> when it has one, else WKT."""
    if not crs:
        return None
    from pyproj import CRS

    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.to_wkt("WKT1_GDAL")


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
