"""Read the layers an instance.toml names into plain tables with projected coordinates.

This is the one adapter from files (GeoPackage, GeoJSON, CSV) to arrays: it checks that files
and layers exist, that the CRS is known and projected, reprojects to the instance CRS, and turns
geometries into x/y (polygons: a representative point inside them). Problems are collected, not
raised one by one, so the user sees every defect in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siting.config import InstanceConfig, LayerSource
from siting.errors import Problem

SPATIAL_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb"}


@dataclass
class Table:
    """One layer: its attribute table (ids as strings), coordinates and where it came from."""

    name: str
    file: str
    df: pd.DataFrame
    xy: np.ndarray | None = None  # (n, 2) in the instance CRS, or None when the layer has no geometry
    geometry: object | None = None  # a GeoSeries for polygon grid areas (spatial join)
    problems: list[Problem] = field(default_factory=list)

    def ids(self) -> pd.Series:
        return self.df["id"] if "id" in self.df.columns else pd.Series([], dtype=str)

    def problem(self, message: str, row: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, layer=self.name, row=row, field=field))


def _row_label(df: pd.DataFrame, position: int) -> str:
    if "id" in df.columns:
        value = df["id"].iloc[position]
        if isinstance(value, str) and value.strip():
            return value
    return f"#{position + 1}"


def read_layer(folder: Path, name: str, source: LayerSource, crs: str | None) -> Table:
    path = folder / source.file
    label = str(path)
    table = Table(name, label, pd.DataFrame())
    if not path.exists():
        table.problem(f"file not found: {source.file}")
        return table
    if path.is_dir():
        table.problem(f"{source.file} is a folder, expected a file")
        return table
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            _read_csv(table, path, source, crs)
        elif suffix in SPATIAL_SUFFIXES:
            _read_spatial(table, path, source, crs)
        else:
            table.problem(f"unsupported file type {suffix!r}: use .gpkg, .geojson or .csv")
    except PermissionError:
        table.problem("permission denied")
    return table


def _read_csv(table: Table, path: Path, source: LayerSource, crs: str | None) -> None:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        table.problem(f"not a readable CSV file: {err}")
        return
    except pd.errors.EmptyDataError:
        table.problem("the file is empty")
        return
    df.columns = [c.strip() for c in df.columns]
    df = df.replace({"": np.nan})
    table.df = _ids_as_strings(df)
    if source.lon or source.lat or source.x or source.y:
        xcol, ycol = (source.lon, source.lat) if (source.lon or source.lat) else (source.x, source.y)
        src_crs = "EPSG:4326" if source.lon or source.lat else (source.coords_crs or crs)
        xs = _coordinate(table, xcol)
        ys = _coordinate(table, ycol)
        if xs is None or ys is None:
            return
        if src_crs is None:  # no CRS anywhere: abstract planar coordinates (e.g. Swain's 55 points)
            table.xy = np.column_stack([xs, ys])
            return
        table.xy = _project(table, np.column_stack([xs, ys]), src_crs, crs)


def _coordinate(table: Table, column: str | None) -> np.ndarray | None:
    if column is None or column not in table.df.columns:
        table.problem("coordinate column missing", field=column)
        return None
    values = pd.to_numeric(table.df[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    for k in bad[:20]:
        raw = table.df[column].iloc[k]
        hint = " (decimal comma? use a point)" if isinstance(raw, str) and "," in raw else ""
        table.problem(f"coordinate is not a finite number: {raw!r}{hint}", row=_row_label(table.df, k), field=column)
    return None if len(bad) else values


def _project(table: Table, xy: np.ndarray, src_crs: str, dst_crs: str | None) -> np.ndarray | None:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(src_crs)
        dst = CRS.from_user_input(dst_crs) if dst_crs else src
    except CRSError as err:
        table.problem(f"unknown CRS: {err}")
        return None
    if dst.is_geographic:
        table.problem(f"instance CRS {dst_crs} is geographic (degrees); distances need a projected CRS in metres, e.g. EPSG:28992")
        return None
    if src == dst:
        return xy
    x, y = Transformer.from_crs(src, dst, always_xy=True).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _ids_as_strings(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("id", "demand_id", "candidate_id", "grid_area", "u", "v", "node"):
        if col in df.columns:
            df[col] = df[col].map(_id_string)
    return df


def _id_string(value) -> str | float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12.0 from a GeoPackage integer column read as float
    return str(value).strip()


def _read_spatial(table: Table, path: Path, source: LayerSource, crs: str | None) -> None:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = [str(entry[0]) for entry in pyogrio.list_layers(path)]
    except DataSourceError as err:
        table.problem(f"not a readable {path.suffix} file: {err}")
        return
    layer = source.layer
    if layer is None and len(layers) > 1:
        table.problem(f"the file has several layers ({', '.join(layers)}): name one with layer = ...")
        return
    if layer is not None and layer not in layers:
        table.problem(f"layer '{layer}' not found in {path.name}; it has: {', '.join(layers)}")
        return
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (DataLayerError, DataSourceError) as err:
        table.problem(f"cannot read: {err}")
        return
    table.df = _ids_as_strings(pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")))
    if "geometry" not in gdf.columns or gdf.geometry.isna().all():
        return
    _geometry_to_xy(table, gdf, crs)


def _geometry_to_xy(table: Table, gdf, crs: str | None) -> None:
    from pyproj import CRS

    if gdf.crs is None:
        table.problem("the layer has geometry but no CRS")
        return
    if crs is None:
        table.problem("the layer has geometry: set crs = \"EPSG:...\" (projected, metres) in instance.toml")
        return
    target = CRS.from_user_input(crs)
    if target.is_geographic:
        table.problem(f"instance CRS {crs} is geographic (degrees); distances need a projected CRS in metres, e.g. EPSG:28992")
        return
    geom = gdf.geometry
    ok = True
    for k in np.flatnonzero(geom.isna().to_numpy() | geom.is_empty.to_numpy()):
        table.problem("empty or missing geometry", row=_row_label(table.df, k), field="geometry")
        ok = False
    for k in np.flatnonzero(~geom.is_valid.to_numpy() & ~geom.is_empty.to_numpy()):
        table.problem("invalid geometry (self-intersecting or broken)", row=_row_label(table.df, k), field="geometry")
        ok = False
    kinds = set(geom.geom_type.dropna())
    allowed = {"Point", "Polygon", "MultiPolygon"}
    for k in np.flatnonzero(~geom.geom_type.isin(list(allowed)).to_numpy() & ~geom.isna().to_numpy()):
        table.problem(f"geometry type {geom.geom_type.iloc[k]} not supported here (use points or polygons)",
                      row=_row_label(table.df, k), field="geometry")
        ok = False
    if not ok:
        return
    geom = geom.to_crs(target)
    if kinds & {"Polygon", "MultiPolygon"}:
        table.geometry = geom.reset_index(drop=True)
        points = geom.representative_point()
    else:
        points = geom
    table.xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def read_layers(folder: Path, config: InstanceConfig) -> dict[str, Table]:
    return {name: read_layer(folder, name, src, config.crs) for name, src in config.layers.items()}


def grid_area_of_points(xy: np.ndarray, grid: Table) -> np.ndarray:
    """The grid-area id of each point: the polygon containing it, else the nearest area point."""
    ids = grid.ids().to_numpy()
    if grid.geometry is not None:
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]))
        polys = gpd.GeoDataFrame({"gid": ids}, geometry=grid.geometry.to_numpy())
        joined = gpd.sjoin(gpd.GeoDataFrame(geometry=pts), polys, how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]  # overlapping polygons: first one
        return joined["gid"].reindex(range(len(xy))).to_numpy(dtype=object)
    from scipy.spatial import cKDTree

    _, nearest = cKDTree(grid.xy).query(xy)
    return ids[nearest]
