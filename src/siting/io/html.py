"""report.html: one self-contained page per solve with the summary, the result tables and an
interactive map that a planner opens from disk, mails on, or opens on a machine without network.

Everything the page needs is inside it: Leaflet 1.9.4 (static/leaflet.js, static/leaflet.css,
BSD-2, static/LEAFLET-LICENSE), the page's own script and style (static/report.js,
static/report.css) and the data as JSON. There is no tile layer (tiles need network): the result
layers are drawn as vectors in WGS84, or on Leaflet's plain planar CRS (L.CRS.Simple) for the
abstract instances without a CRS (OR-Library, Swain). A Content-Security-Policy that admits only
the page's own scripts and styles (by hash) makes "no network" a property of the page, not a
promise: any fetch, and any script that data smuggled in, is refused by the browser.

Text from data (ids and names from the user's files) is escaped here for the tables and is only
ever set as text (never as HTML) by report.js for the popups.

Big layers are drawn thinned, and the page says so: more than MAX_POINTS points of one layer
become one marker per square cell (count, summed weight, weight-weighted means), more than
MAX_LINES lines only the heaviest, and each table shows its first TABLE_ROWS rows (all rows are in
sites.gpkg). At 500 000 demand points the page stays a few megabytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from siting.io.summary_text import number

MAX_POINTS = 5_000  # markers of one point layer; SVG stays smooth to pan up to about 10 000 paths
MAX_LINES = 5_000
TABLE_ROWS = 500
OUTLINE_DETAIL = 3_000  # outlines are simplified to 1/OUTLINE_DETAIL of the map's longer side
WEIGHT_COLUMNS = ("weight", "refuelled_trucks_per_day", "trucks_per_day", "energy_kwh_per_day", "share")

# How each known result layer is drawn (report.js reads these keys); unknown layers get the
# defaults of their geometry. `classes` colours by a text field (or, with `threshold`, by a number
# above it or not), `ramp` by the first field present of a 0..1 list (red = 0, blue = 1, as in
# map.png), `size_by` and `width_by` scale.
OPEN = {"color": "#00441b", "fillColor": "#238b45"}
STYLES = {
    "demand": {"label": "demand", "radius": 2.5, "max_radius": 9, "size_by": "weight", "weight": 0,
               "fillOpacity": 0.8, "ramp": ["served_share", "covered"]},
    "companies": {"label": "companies", "radius": 4, "max_radius": 10, "size_by": "energy_kwh_per_day",
                  "color": "#08306b", "fillColor": "#2171b5", "weight": 1},
    "roads": {"label": "roads", "color": "#bdbdbd", "weight": 1, "width_by": "refuelled_trucks_per_day",
              "active_color": "#2171b5", "active_label": "refuelled truck flow (width: trucks/day)"},
    "assignments": {"label": "assignments (demand to site)", "color": "#6baed6", "weight": 1, "opacity": 0.6},
    "sites": {"label": "sites", "radius": 7, "weight": 1.5, "classes": {"field": "status", "values": {
        "new": {"label": "new site", "radius": 8, **OPEN},
        "existing": {"label": "existing site", "radius": 5, "color": "#252525", "fillColor": "#969696"},
        "closed": {"label": "candidate, not chosen", "color": "#636363", "fillColor": "#ffffff"}}}},
    "grid_use": {"label": "substations (grid areas)", "radius": 4, "weight": 1.5, "fillOpacity": 0.25, "classes": {
        "field": "available_kw", "threshold": 0, "values": {
            "above": {"label": "headroom > 0 kW", "color": "#31a354", "fillColor": "#31a354"},
            "below": {"label": "no headroom", "color": "#cb181d", "fillColor": "#cb181d"}}}},
    "squares": {"label": "charging squares", "radius": 8, "weight": 1.5, "classes": {"field": "status", "values": {
        "open": {"label": "charging square", **OPEN},
        "closed": {"label": "candidate square, not used", "color": "#636363", "fillColor": "#ffffff"}}}},
}
STYLES["hubs"] = {**STYLES["sites"], "label": "hubs and stations (size: chargers)", "size_by": "chargers",
                  "max_radius": 9}  # compare.html: the sites of a plan, sized by chargers
DRAW_ORDER = ("demand", "roads", "assignments", "grid_use", "companies")  # then the rest, sites on top
OUTLINE = {"color": "#737373", "weight": 1, "fill": False}
STATIC = ("leaflet.css", "report.css", "leaflet.js", "report.js")


def write_report_html(path: Path, summary: dict, markdown: str, layers: dict, crs: str | None,
                      outlines: dict) -> None:
    """report.html at `path`: `markdown` (summary.md) as HTML, every layer of `layers` (the
    sites.gpkg layers: Layer or GeoDataFrame) as a table and, with geometry, on the map, and
    `outlines` (name -> GeoSeries: region, municipalities, ...) as thin lines under them."""
    Path(path).write_text(report_html(summary, markdown, layers, crs, outlines), encoding="utf-8")


def report_html(summary: dict, markdown: str, layers: dict, crs: str | None, outlines: dict) -> str:
    data, notes = _map_data(layers, outlines, Projection(crs))
    title = f"siting — {summary['instance']['name']} ({summary['model']}): {summary['status']}"
    tables = "\n".join(_table_html(name, layer) for name, layer in layers.items())
    return _page(title, _markdown_html(markdown), data, notes, tables)


def _map_data(layers: dict, outlines: dict, to_map: Projection) -> tuple[dict, list[str]]:
    """What report.js draws, and the notes on what it leaves out."""
    drawn, notes = [], []
    extent = _extent(layers, outlines)
    for name, series in outlines.items():
        entry = _outline(name, series, to_map, extent)
        if entry is not None:
            drawn.append(entry)
    for name in sorted(layers, key=lambda n: (DRAW_ORDER.index(n) if n in DRAW_ORDER else len(DRAW_ORDER))):
        entry = _map_layer(name, layers[name], to_map)
        if entry is not None:
            drawn.append(entry)
            notes += [entry["note"]] if entry.get("note") else []
    notes += [to_map.note] if to_map.note else []
    return {"planar": to_map.planar, "bounds": _bounds(drawn), "layers": drawn}, notes


# -- coordinates ----------------------------------------------------------------------------------
class Projection:
    """Instance coordinates to what the map draws: (lon, lat) in WGS84 for an instance with a CRS
    that converts, else the planar coordinates unchanged (drawn on L.CRS.Simple)."""

    def __init__(self, crs: str | None) -> None:
        self.planar, self.note, self.unit, self._transform = True, "", "units", None
        if not crs:
            self.note = "The instance has no CRS: the map shows its planar coordinates, without a background."
            return
        from pyproj import CRS, Transformer
        from pyproj.exceptions import CRSError, ProjError

        try:
            source = CRS.from_user_input(crs)
            self._transform = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
            self.unit = source.axis_info[0].unit_name if source.axis_info else "units"
            self.planar = False
        except (CRSError, ProjError):
            self.note = f"The CRS {crs} does not convert to WGS84: the map shows its planar coordinates."

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if self.planar:
            return _round(xy, 8)
        lon, lat = self._transform.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 6)  # 6 decimals: about 0.1 m


def _round(values: np.ndarray, digits: int) -> np.ndarray:
    """Round to `digits` significant digits of the largest magnitude (planar data of any scale)."""
    scale = np.nanmax(np.abs(values)) if values.size else 0.0
    if not np.isfinite(scale) or scale == 0:
        return values
    return np.round(values, max(0, digits - 1 - int(math.floor(math.log10(scale)))))


def _geometry(layer) -> tuple[str, object] | None:
    """(kind, geometry in instance coordinates): ("point", (n, 2)), ("segment", (n, 2, 2)) or
    ("shape", shapely array); None when the layer has no geometry to draw."""
    coords = getattr(layer, "coords", None)
    if coords is not None:  # a siting.io.write.Layer: coordinates without shapely objects
        if not len(coords):
            return None
        return ("point", coords) if coords.ndim == 2 else ("segment", coords)
    import shapely

    geom = getattr(layer, "geometry", None)
    if geom is None or not len(layer):
        return None
    values = np.asarray(geom.to_numpy(), dtype=object)
    if (shapely.is_missing(values) | shapely.is_empty(values)).all():
        return None
    if (shapely.get_type_id(values) == 0).all():
        return "point", shapely.get_coordinates(values)
    return "shape", values


def _extent(layers: dict, outlines: dict) -> float:
    """The longer side of everything drawn, in instance units (sets the outline detail)."""
    boxes = []
    for layer in layers.values():
        found = _geometry(layer)
        if found is not None:
            kind, g = found
            if kind == "shape":
                import shapely

                boxes.append(shapely.total_bounds(g))
            else:
                xy = np.asarray(g, dtype=float).reshape(-1, 2)
                boxes.append(np.r_[xy.min(axis=0), xy.max(axis=0)])
    boxes += [np.asarray(s.total_bounds) for s in outlines.values() if len(s)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return 0.0
    b = np.array(boxes)
    return float(max(b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min()))


def _shapes_geojson(values, to_map: Projection) -> list:
    import shapely

    projected = shapely.transform(values, to_map)
    return [json.loads(shapely.to_geojson(g)) if g is not None and not shapely.is_empty(g) else None
            for g in projected]


# -- map layers -----------------------------------------------------------------------------------
def _outline(name: str, series, to_map: Projection, extent: float) -> dict | None:
    import shapely

    values = np.asarray(series.to_numpy(), dtype=object)
    values = values[~(shapely.is_missing(values) | shapely.is_empty(values))]
    if not len(values):
        return None
    if extent > 0:
        values = shapely.simplify(values, extent / OUTLINE_DETAIL, preserve_topology=True)
    return {"name": name, "kind": "shape", "outline": True, "fields": [], "rows": [[] for _ in values],
            "geometry": _shapes_geojson(values, to_map), "style": {"label": f"{name} (outline)", **OUTLINE}}


def _map_layer(name: str, layer, to_map: Projection) -> dict | None:
    found = _geometry(layer)
    if found is None:
        return None
    kind, geometry = found
    table = _attributes(layer)
    total, note = len(table), ""
    if kind == "point" and total > MAX_POINTS:
        table, geometry, cell = _aggregate(table, np.asarray(geometry, dtype=float), MAX_POINTS)
        note = (f"{name}: {total:,} points drawn as {len(table):,} cells of {cell:,.4g} x {cell:,.4g} "
                f"{to_map.unit} (a marker per cell with the points in it, their summed weight and "
                "weight-weighted means); every point is in sites.gpkg.")
    elif kind != "point" and total > MAX_LINES:
        by = next((c for c in WEIGHT_COLUMNS if c in table.columns and _is_number(table[c])), None)
        keep = (np.sort(np.argsort(-table[by].fillna(0).to_numpy(float), kind="stable")[:MAX_LINES]) if by
                else np.arange(MAX_LINES))
        table, geometry = table.iloc[keep].reset_index(drop=True), geometry[keep]
        note = (f"{name}: {'the ' + f'{MAX_LINES:,} heaviest (by {by})' if by else f'the first {MAX_LINES:,}'} "
                f"of {total:,} drawn; all are in sites.gpkg.")
    if kind == "shape":
        geometry = _shapes_geojson(geometry, to_map)
    else:
        xy = to_map(geometry).reshape(len(table), -1, 2)
        placed = np.isfinite(xy).all(axis=(1, 2))  # the loader refuses such rows; a picture must not fail
        geometry = [g if ok else None for g, ok in zip((xy[:, 0] if kind == "point" else xy).tolist(), placed,
                                                      strict=True)]
    style = dict(STYLES.get(name, {"label": name}))
    if "ramp" in style:
        style["ramp"] = next((c for c in style["ramp"] if c in table.columns), None)
    fields, rows = _records(table)
    return {"name": name, "kind": "point" if kind == "point" else "shape" if kind == "shape" else "line",
            "legend": _legend_kind(kind, found[1]), "fields": fields, "rows": rows, "geometry": geometry,
            "style": style, "note": note, "total": total}


def _legend_kind(kind: str, geometry) -> str:
    """The legend's swatch: a dot, a line or an area (a layer of mixed shapes shows an area)."""
    if kind != "shape":
        return "point" if kind == "point" else "line"
    import shapely

    types = set(shapely.get_type_id(geometry[~shapely.is_missing(geometry)]).tolist())
    return "line" if types <= {1, 2, 5} else "point" if types <= {0, 4} else "area"


def _attributes(layer) -> pd.DataFrame:
    table = getattr(layer, "table", None)
    if table is None:  # a GeoDataFrame
        table = pd.DataFrame(layer.drop(columns=layer.geometry.name) if hasattr(layer, "geometry") else layer)
    return table.reset_index(drop=True)


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _aggregate(table: pd.DataFrame, xy: np.ndarray, limit: int) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Points into square cells, coarser until at most `limit` cells hold points: per cell its
    point count, summed weight and the weight-weighted mean of every other number or yes/no
    column, at the weighted centre of its points. Returns (cells, their xy, cell size)."""
    w = table["weight"].fillna(0).to_numpy(float) if "weight" in table.columns else np.ones(len(table))
    lo = xy.min(axis=0)
    span = max(float((xy.max(axis=0) - lo).max()), 1e-9)
    cells = int(2 * math.sqrt(limit))
    while True:
        cell = span / cells
        ix = np.minimum(((xy - lo) / cell).astype(np.int64), cells)
        key, inverse = np.unique(ix[:, 1] * (cells + 1) + ix[:, 0], return_inverse=True)
        if len(key) <= limit or cells <= 1:
            break
        cells = max(1, int(cells / 1.25))
    count = np.bincount(inverse)
    total = np.bincount(inverse, weights=w)
    by = np.where(total > 0, total, count)  # a cell of weight-0 points: plain means
    share = np.where(total[inverse] > 0, w, 1.0)
    centre = np.column_stack([np.bincount(inverse, weights=share * xy[:, d]) for d in (0, 1)]) / by[:, None]
    out = {"points": count}
    if "weight" in table.columns:
        out["weight"] = total
    for column in table.columns:
        values = table[column]
        if column == "weight" or not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            continue
        v = values.astype(float).to_numpy()
        known = np.isfinite(v)
        s = np.bincount(inverse, weights=np.where(known, share * v, 0.0))
        d = np.bincount(inverse, weights=np.where(known, share, 0.0))
        out[column] = np.where(d > 0, s / np.where(d > 0, d, 1.0), np.nan)
    return pd.DataFrame(out), centre, cell


def _bounds(drawn: list[dict]) -> list | None:
    """[[south, west], [north, east]] (planar: [[ymin, xmin], [ymax, xmax]]) of what is drawn."""
    xy = []
    for entry in drawn:
        if entry["kind"] == "shape":
            xy += [np.asarray(_flatten(g["coordinates"]), dtype=float).reshape(-1, 2)
                   for g in entry["geometry"] if g is not None]
        else:
            xy += [np.asarray(g, dtype=float).reshape(-1, 2) for g in entry["geometry"] if g is not None]
    if not xy:
        return None
    xy = np.concatenate(xy)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = np.where(hi - lo > 0, 0.0, np.maximum(np.abs(hi) * 1e-3, 1e-3))  # one point: a small box
    lo, hi = lo - pad, hi + pad
    return [[float(lo[1]), float(lo[0])], [float(hi[1]), float(hi[0])]]


def _flatten(coordinates) -> list:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [coordinates]
    return [c for part in coordinates for c in _flatten(part)]


def _records(table: pd.DataFrame) -> tuple[list[str], list[list]]:
    """Field names and rows as JSON values: numbers (6 significant digits), yes/no, text, null."""
    columns = [_json_values(table[c]) for c in table.columns]
    return [str(c) for c in table.columns], [list(row) for row in zip(*columns, strict=True)] if columns else []


def _json_values(values: pd.Series) -> list:
    types = pd.api.types
    missing = values.isna().to_numpy()
    if types.is_bool_dtype(values):
        out = values.astype(object).tolist()
        return [None if m else bool(v) for v, m in zip(out, missing, strict=True)]
    if types.is_integer_dtype(values):
        return [None if m else int(v) for v, m in zip(values.astype(object).tolist(), missing, strict=True)]
    if types.is_float_dtype(values):
        return [float(f"{v:.6g}") if math.isfinite(v) else None for v in values.to_numpy(float, na_value=np.nan)]
    return [None if m else str(v) for v, m in zip(values.tolist(), missing, strict=True)]


# -- tables and page ------------------------------------------------------------------------------
def _markdown_html(text: str) -> str:
    """summary.md as HTML. Raw HTML in it is escaped (names come from user files) and images are
    off: an image would be a fetch."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("image").render(text)


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        return number(float(value))
    return str(value)


def _table_html(name: str, layer) -> str:
    table = _attributes(layer)
    shown = table.head(TABLE_ROWS)
    numeric = [_is_number(table[c]) for c in table.columns]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td{' class=num' if n else ''}>{html.escape(_cell(v))}</td>"
                         for v, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False, name=None))
    count = (f"first {len(shown):,} of {len(table):,} rows; all rows are in sites.gpkg, layer {name}"
             if len(table) > len(shown) else f"{len(table):,} row{'s' if len(table) != 1 else ''}")
    return (f'<section class="table" id="table-{html.escape(name)}"><h3>{html.escape(name)} '
            f'<small>({html.escape(count)})</small></h3>\n<div class="scroll"><table>'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div></section>")


def static_text(name: str) -> str:
    return resources.files("siting").joinpath("io", "static", name).read_text(encoding="utf-8")


def _script_json(data: dict) -> str:
    """JSON that cannot end its <script> element or open a comment inside it."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def maps_page(title: str, body_html: str, maps: list[dict]) -> str:
    """A self-contained page of `body_html` (built by the caller, text escaped) followed by one map
    per entry of `maps`: {"title", "note", "layers", "crs", "outlines"} as for report_html (the
    corridor comparison: one map per option). Same scripts, styles and policy as report.html."""
    sections, scripts = [], []
    for k, entry in enumerate(maps):
        data, notes = _map_data(entry["layers"], entry["outlines"], Projection(entry["crs"]))
        note_html = "".join(f"<li>{html.escape(n)}</li>" for n in [entry.get("note", ""), *notes] if n)
        if data["layers"]:
            drawn = (f'<div class="siting-map" id="map-{k}" data-map="map-data-{k}" data-ready="0" role="application" '
                     f'aria-label="map: {html.escape(entry["title"])}"></div>')
            scripts.append(f'<script id="map-data-{k}" type="application/json">{_script_json(data)}</script>')
        else:
            drawn = '<p class="no-map" data-ready="1">No map: this option has no plan.</p>'
        sections.append(f'<section class="option-map"><h2>{html.escape(entry["title"])}</h2>\n{drawn}\n'
                        f'<ul class="notes">{note_html}</ul></section>')
    body = f'{body_html}\n<div class="maps">' + "\n".join(sections) + "</div>"
    return _document(title, body, "\n".join(scripts), "maps", "maps-page")


def _document(title: str, body: str, data_scripts: str, drawn: str = "maps", page_class: str = "") -> str:
    """The HTML document around `body`: inline Leaflet, report.css/js, the data scripts, and a
    Content-Security-Policy that admits only those scripts and styles."""
    leaflet_css, report_css, leaflet_js, report_js = (static_text(n) for n in STATIC)
    # The source map comment would send an open developer tool to a file that is not shipped.
    leaflet_js = "\n".join(line for line in leaflet_js.splitlines() if not line.startswith("//# sourceMappingURL"))
    policy = (f"default-src 'none'; script-src {_csp_hash(leaflet_js)} {_csp_hash(report_js)}; "
              f"style-src {_csp_hash(leaflet_css)} {_csp_hash(report_css)}; img-src data:; base-uri 'none'; "
              "form-action 'none'")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{leaflet_css}</style>
<style>{report_css}</style>
</head>
<body>
<main{f' class="{page_class}"' if page_class else ""}>
{body}
<footer>Written by siting; {drawn} drawn with Leaflet 1.9.4 (BSD-2-Clause), no background map. This file needs
no network.</footer>
</main>
{data_scripts}
<script>{leaflet_js}</script>
<script>{report_js}</script>
</body>
</html>
"""


def markdown_html(text: str) -> str:
    """Markdown as HTML, raw HTML escaped and images off (see _markdown_html)."""
    return _markdown_html(text)


def _page(title: str, summary_html: str, data: dict, notes: list[str], tables: str) -> str:
    if data["layers"]:
        map_html = '<div id="map" data-ready="0" role="application" aria-label="map of the result"></div>'
    else:
        map_html = '<p id="no-map" data-ready="1">No map: there is no plan, or it has no coordinates to draw.</p>'
    note_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    body = f"""<section id="summary">
{summary_html}</section>
<section id="map-section">
<h2>Map</h2>
{map_html}
<ul class="notes">{note_html}</ul>
</section>
<section id="tables">
<h2>Result tables</h2>
{tables}
</section>"""
    return _document(title, body, f'<script id="siting-data" type="application/json">{_script_json(data)}</script>',
                     "map")
