"""Read the layers an instance.toml names into plain tables with projected coordinates.

This is the one adapter from files (GeoPackage, GeoJSON, CSV) to arrays: it checks that files
and layers exist, that the CRS is known and projected, reprojects to the instance CRS, and turns
geometries into x/y (polygons: a representative point inside them). Problems are collected, not
raised one by one, so the user sees every defect in one run.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siting.config import ABSURD, InstanceConfig, LayerSource, did_you_mean
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
    xy_field: str | None = None  # where xy came from: "geometry" or the CSV columns ("x/y", "lon/lat")

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


def row_labels(df: pd.DataFrame) -> np.ndarray:
    """How a problem names each row: its id where it has one, else its row number ("#3", from 1)."""
    numbers = np.array([f"#{k + 1}" for k in range(len(df))], dtype=object)
    if "id" not in df.columns:
        return numbers
    ids = df["id"].to_numpy(dtype=object)
    has_id = np.array([isinstance(v, str) and bool(v.strip()) for v in ids], dtype=bool)
    return np.where(has_id, ids, numbers)


def empty_cells(values: pd.Series) -> np.ndarray:
    """bool per cell: empty - a blank CSV cell, NULL/NaN/None in a GeoPackage attribute, or text
    that is only spaces. The one definition of "empty" every check uses."""
    missing = values.isna().to_numpy()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        blank = np.array([isinstance(v, str) and not v.strip() for v in values.to_numpy(dtype=object)], dtype=bool)
        return missing | blank
    return missing


def read_layer(folder: Path, name: str, source: LayerSource, crs: str | None) -> Table:
    path = folder / source.file
    label = str(path)
    table = Table(name, label, pd.DataFrame())
    if "\x00" in source.file:
        table.problem("the file name contains a NUL character")
        return table
    try:
        _read_file(table, path, source, crs)
    except OSError as err:  # a name too long for the file system, a loop of links, an I/O error
        table.problem(f"cannot open the file: {err.strerror or err}")
    return table


def _read_file(table: Table, path: Path, source: LayerSource, crs: str | None) -> None:
    if path.is_symlink() and not path.exists():
        table.problem(f"broken link: {source.file} points to {os.readlink(path)}, which does not exist")
        return
    if not path.exists():
        table.problem(f"file not found: {source.file}")
        return
    if path.is_dir():
        table.problem(f"{source.file} is a folder, expected a file")
        return
    suffix = path.suffix.lower()
    if suffix not in SPATIAL_SUFFIXES | {".csv"}:
        table.problem(f"unsupported file type {suffix!r}: use .gpkg, .geojson or .csv")
        return
    if not os.access(path, os.R_OK):
        table.problem("permission denied: the file cannot be read")
        return
    try:
        if suffix == ".csv":
            _read_csv(table, path, source, crs)
        else:
            _read_spatial(table, path, source, crs)
    except PermissionError:
        table.problem("permission denied: the file cannot be read")


def _read_csv(table: Table, path: Path, source: LayerSource, crs: str | None) -> None:
    df = _csv_frame(table, path)
    if df is None:
        return
    table.df = _ids_as_strings(df, table)
    if source.lon or source.lat or source.x or source.y:
        geographic = bool(source.lon or source.lat)
        xcol, ycol = (source.lon, source.lat) if geographic else (source.x, source.y)
        src_crs = "EPSG:4326" if geographic else (source.coords_crs or crs)
        xs = _coordinate(table, xcol)
        ys = _coordinate(table, ycol)
        if xs is None or ys is None:
            return
        if geographic and not _lon_lat_in_range(table, xs, ys, xcol, ycol):
            return
        table.xy_field = f"{xcol}/{ycol}"
        if src_crs is None:  # no CRS anywhere: abstract planar coordinates (e.g. Swain's 55 points)
            table.xy = np.column_stack([xs, ys])
            return
        field = "coords_crs" if source.coords_crs and not geographic else None
        table.xy = project_points(table, np.column_stack([xs, ys]), src_crs, crs, field=field)


def _stray_carriage_return(table: Table, text: str) -> bool:
    """A carriage return inside a row, outside quotes (pandas would take it for a line end and
    shift the row's cells into other columns): a problem naming the row and field."""
    lines = text.split("\n")
    header = lines[0].split(",")
    for number, line in enumerate(lines[1:], start=1):
        at = line.find("\r")
        while at >= 0 and line[:at].count('"') % 2:  # inside a quoted cell: pandas reads it right
            at = line.find("\r", at + 1)
        if at >= 0:
            column = line[:at].count(",")  # commas outside quotes (a quoted cell with commas is rare here)
            field = header[column].strip() if column < len(header) else None
            table.problem("a carriage return (\\r) inside the row: remove it (in Excel: =CLEAN(cell))",
                          row=f"#{number}", field=field)
            return True
    return False


def _csv_frame(table: Table, path: Path) -> pd.DataFrame | None:
    """The CSV as text columns (UTF-8, a BOM and Windows line ends allowed), or None after a problem."""
    raw = path.read_bytes()
    if not raw.strip():
        table.problem("the file is empty")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        table.problem(f"not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start}): "
                      "save it as 'CSV UTF-8'")
        return None
    if "\x00" in text:
        table.problem("the file contains NUL bytes: it is not a text CSV file")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\n" not in text.rstrip("\r"):
            text = text.replace("\r", "\n")  # classic Mac line ends
        elif _stray_carriage_return(table, text):
            return None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        table.problem("the file is empty")
        return None
    except (pd.errors.ParserError, ValueError, csv.Error) as err:
        table.problem(f"not a readable CSV file: {_one_line(err)}")
        return None
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) == 1:
        header = df.columns[0]
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header:
                table.problem(f"fields are separated by {name} ('{sep}' in the header {header[:60]!r}): "
                              "siting reads comma-separated files; export as 'CSV UTF-8 (comma delimited)'")
                return None
    columns = list(df.columns)
    repeated = [c for c in columns if columns.count(c) > 1]  # pandas renames a repeated 'x' to 'x.1'
    repeated += [c.rsplit(".", 1)[0] for c in columns if re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in columns]
    if repeated:
        table.problem(f"column {repeated[0]!r} appears more than once in the header", field=repeated[0])
        return None
    return df.replace({"": np.nan})


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


def _lon_lat_in_range(table: Table, lon: np.ndarray, lat: np.ndarray, xcol: str, ycol: str) -> bool:
    """Degrees must be degrees: metres in a lon/lat column mean the wrong column or CRS."""
    ok = True
    for values, column, limit, what in ((lon, xcol, 180.0, "longitude"), (lat, ycol, 90.0, "latitude")):
        bad = np.flatnonzero(np.abs(values) > limit)
        if len(bad):
            k = bad[0]
            more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
            table.problem(f"{what} {values[k]:g} is outside [-{limit:g}, {limit:g}]{more}: are these projected "
                          "coordinates? use x = / y = and coords_crs = in instance.toml",
                          row=_row_label(table.df, k), field=column)
            ok = False
    return ok


def _coordinate(table: Table, column: str | None) -> np.ndarray | None:
    if column is None or column not in table.df.columns:
        table.problem("coordinate column missing", field=column)
        return None
    values = pd.to_numeric(table.df[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    for k in bad[:20]:
        raw = table.df[column].iloc[k]
        if not isinstance(raw, str):
            table.problem("coordinate is missing", row=_row_label(table.df, k), field=column)
            continue
        hint = " (decimal comma? use a point)" if "," in raw else ""
        table.problem(f"coordinate is not a finite number: {raw!r}{hint}", row=_row_label(table.df, k), field=column)
    absurd = np.flatnonzero(np.abs(np.nan_to_num(values)) > ABSURD)
    for k in absurd[:20]:
        table.problem(f"coordinate {values[k]:g} is absurdly large (limit {ABSURD:g})", row=_row_label(table.df, k),
                      field=column)
    return None if len(bad) or len(absurd) else values


def project_points(table: Table, xy: np.ndarray, src_crs: str, dst_crs: str | None,
             field: str | None = None) -> np.ndarray | None:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(src_crs)
    except CRSError:
        table.problem(f"unknown CRS {src_crs!r}: use an EPSG code such as \"EPSG:28992\"", field=field)
        return None
    try:
        dst = CRS.from_user_input(dst_crs) if dst_crs else src
    except CRSError:
        table.problem(f"unknown instance CRS {dst_crs!r}: use an EPSG code such as \"EPSG:28992\"")
        return None
    if dst.is_geographic:
        table.problem(f"instance CRS {dst_crs} is geographic (degrees); distances need a projected CRS in metres, e.g. EPSG:28992")
        return None
    if src == dst:
        return xy
    x, y = Transformer.from_crs(src, dst, always_xy=True).transform(xy[:, 0], xy[:, 1])
    out = np.column_stack([x, y])
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
    if len(bad):
        more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
        table.problem(f"the coordinates cannot be converted from {src_crs} to {dst_crs}{more}: wrong CRS?",
                      row=_row_label(table.df, bad[0]), field=table.xy_field)
        return None
    return out


ID_COLUMNS = ("id", "demand_id", "candidate_id", "grid_area", "u", "v", "node")


def _ids_as_strings(df: pd.DataFrame, table: Table | None = None) -> pd.DataFrame:
    """Ids as stripped strings (missing: NaN); a value that is no usable id is reported once per column."""
    for col in ID_COLUMNS:
        if col not in df.columns:
            continue
        fast = _plain_id_strings(df[col])
        if fast is not None:
            df[col] = fast
            continue
        values = df[col].astype(object).to_numpy()
        strings, bad = [], []
        for k, value in enumerate(values):
            text = _id_string(value)
            if text is None:
                bad.append(k)
                text = np.nan
            strings.append(text)
        df[col] = pd.Series(strings, index=df.index, dtype=object)
        if bad and table is not None:
            k = bad[0]
            more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
            table.problem(f"{_describe_bad_id(values[k])}: ids must be text or whole numbers{more}",
                          row=f"#{k + 1}", field=col)
    return df


def _plain_id_strings(column: pd.Series) -> pd.Series | None:
    """The common cases at C speed: all text (missing allowed) or all whole numbers; else None."""
    if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.astype(str).astype(object)
    if pd.api.types.is_string_dtype(column.dtype) and pd.api.types.infer_dtype(column, skipna=True) == "string":
        return column.str.strip().astype(object)
    return None


def _id_string(value) -> str | float | None:
    """The id as a string, NaN when missing, None when the value cannot be an id."""
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8").strip()
        except UnicodeDecodeError:
            return None
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return np.nan
        if not np.isfinite(value) or not float(value).is_integer():
            return None
        return str(int(value))  # 12.0 from a GeoPackage integer column read as float
    return str(value).strip()


def _describe_bad_id(value) -> str:
    if isinstance(value, bytes | bytearray):
        return f"id is binary data ({bytes(value)[:8].hex(' ')}...)"
    return f"id {value!r} is not usable" if isinstance(value, bool | np.bool_) else f"id {value:g} is not a whole number"


def _read_spatial(table: Table, path: Path, source: LayerSource, crs: str | None) -> None:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = [str(entry[0]) for entry in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError) as err:
        kind = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON"}.get(path.suffix.lower(), path.suffix)
        table.problem(f"not a readable {kind} file ({_gdal_reason(err)})")
        return
    layer = source.layer
    if layer is None and len(layers) > 1:
        table.problem(f"the file has several layers ({', '.join(layers)}): name one with layer = ...")
        return
    if layer is not None and layer not in layers:
        hint = did_you_mean(layer, layers)
        table.problem(f"layer '{layer}' not found in {path.name}{hint}; it has: {', '.join(layers) or 'no layers'}")
        return
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (DataLayerError, DataSourceError) as err:
        table.problem(f"cannot read the layer ({_gdal_reason(err)})")
        return
    table.df = _ids_as_strings(pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")), table)
    if "geometry" not in gdf.columns or gdf.geometry.isna().all():
        return
    _geometry_to_xy(table, gdf, crs)


def _gdal_reason(err: BaseException) -> str:
    """GDAL's message in one short line, without the path (the problem already names the file)."""
    text = _one_line(err)
    if "malformed" in text or "not a database" in text:
        return "the file is damaged or cut off: copy or export it again"
    text = re.sub(r"'[^']*' (not recognized)", r"\1", text)
    return text.split("; It might help")[0][:160].rstrip(". ")


POINT_KINDS = {"Point", "MultiPoint"}
AREA_KINDS = {"Polygon", "MultiPolygon"}


def _geometry_to_xy(table: Table, gdf, crs: str | None) -> None:
    """Points (or a representative point of polygons) in the instance CRS; every bad row reported."""
    import shapely
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if gdf.crs is None:
        table.problem("the layer has geometry but no CRS: assign one in QGIS (Layer CRS) and save again")
        return
    if crs is None:
        table.problem("the layer has geometry: set crs = \"EPSG:...\" (projected, metres) in instance.toml")
        return
    try:
        target = CRS.from_user_input(crs)
    except CRSError:
        table.problem(f"unknown instance CRS {crs!r}: use an EPSG code such as \"EPSG:28992\"")
        return
    if target.is_geographic:
        table.problem(f"instance CRS {crs} is geographic (degrees); distances need a projected CRS in metres, e.g. EPSG:28992")
        return
    geom = gdf.geometry.reset_index(drop=True)
    values = geom.to_numpy()
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    kinds = geom.geom_type.to_numpy(dtype=object)
    unsupported = ~missing & ~np.isin(kinds, list(POINT_KINDS | AREA_KINDS))
    several = ~missing & (kinds == "MultiPoint") & (shapely.get_num_geometries(values) > 1)
    invalid = ~missing & ~unsupported & ~several & ~shapely.is_valid(values)
    checks = [
        (missing, lambda k: "empty or missing geometry"),
        (unsupported, lambda k: f"geometry type {kinds[k]} not supported here (use points or polygons)"),
        (several, lambda k: f"a MultiPoint with {shapely.get_num_geometries(values[k])} points: one row needs "
                            "one point (split it with 'Multipart to singleparts' in QGIS)"),
        (invalid, lambda k: f"invalid geometry ({shapely.is_valid_reason(values[k])})"),
    ]
    bad = 0
    for mask, message in checks:
        for k in np.flatnonzero(mask)[: max(0, 20 - bad)]:
            table.problem(message(k), row=_row_label(table.df, k), field="geometry")
        bad += int(mask.sum())
    has_z = np.flatnonzero(~missing & shapely.has_z(values))
    if len(has_z):
        more = f" (and {len(has_z) - 1} more rows)" if len(has_z) > 1 else ""
        table.problem(f"3D geometry with Z values{more}: siting measures distances in 2D; drop Z "
                      "(QGIS: 'Drop M/Z values') and save again", row=_row_label(table.df, has_z[0]),
                      field="geometry")
        bad += 1
    if bad:
        return
    geom = geom.to_crs(target)
    table.xy_field = "geometry"
    if set(kinds) & AREA_KINDS:
        table.geometry = geom
        points = geom.representative_point()
    else:
        points = _single_points(geom)
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    off = np.flatnonzero(~(np.isfinite(xy) & (np.abs(xy) <= ABSURD)).all(axis=1))
    if len(off):
        more = f" (and {len(off) - 1} more rows)" if len(off) > 1 else ""
        table.problem(f"the coordinates cannot be converted from {gdf.crs.to_string()} to {crs}{more}: wrong CRS?",
                      row=_row_label(table.df, off[0]), field="geometry")
        return
    table.xy = xy


def _single_points(geom):
    """Single-part MultiPoints (QGIS saves points that way) as their one point."""
    import shapely

    values = geom.to_numpy()
    multi = shapely.get_type_id(values) == 4
    if not multi.any():
        return geom
    values = values.copy()
    values[multi] = shapely.get_geometry(values[multi], 0)
    return type(geom)(values, crs=geom.crs)


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
