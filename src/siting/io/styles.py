"""Default QGIS styles for the result layers, stored in the GeoPackage's `layer_styles` table.

QGIS applies the row of that table marked `useAsDefault` when it opens a layer (the table its own
"Save style > in database" writes), so a planner who opens sites.gpkg sees sites by status, demand
by served share and grid areas by headroom used, without styling anything.

The styles are chosen by layer name and built from what the file holds: the fields a renderer
names must be fields of that table (a renamed field falls back to the plain style of its geometry
rather than to a renderer QGIS would draw nothing with), and categories and class breaks come from
the values written. The QML is what QGIS 3.x writes (`<qgis styleCategories=...>` with a
`<renderer-v2>` and, where a name helps, `<labeling>`), built with ElementTree so every value is
escaped. A table without geometry (corridor flows, the park's grid load per slot) gets no style:
there is nothing to draw, and QGIS opens it as a plain table.
"""

from __future__ import annotations

import math
import sqlite3
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

QGIS_VERSION = "3.22.0-Białowieża"  # the format written (checked by loading in QGIS 3.22); newer QGIS reads it
UNIT_SCALE = "3x:0,0,0,0,0,0"
GEOMETRY_TYPE = {"marker": 0, "line": 1, "fill": 2}  # QML <layerGeometryType>
KIND_OF = {"POINT": "marker", "MULTIPOINT": "marker", "LINESTRING": "line", "MULTILINESTRING": "line",
           "CIRCULARSTRING": "line", "COMPOUNDCURVE": "line", "MULTICURVE": "line", "CURVE": "line",
           "POLYGON": "fill", "MULTIPOLYGON": "fill", "CURVEPOLYGON": "fill", "MULTISURFACE": "fill",
           "SURFACE": "fill"}
WKB_KIND = {1: "marker", 4: "marker", 2: "line", 5: "line", 3: "fill", 6: "fill"}

GREEN, DARK_GREY, LIGHT_GREY, GREY = (35, 139, 69), (99, 99, 99), (189, 189, 189), (150, 150, 150)
BLUE, ORANGE, RED, BLACK, WHITE = (33, 113, 181), (253, 141, 60), (203, 24, 29), (0, 0, 0), (255, 255, 255)
SHARE_COLOURS = [(215, 25, 28), (253, 174, 97), (255, 255, 191), (171, 217, 233), (44, 123, 182)]  # RdYlBu
LOAD_COLOURS = [(65, 171, 93), (173, 221, 142), (254, 178, 76), (227, 26, 28)]
FLOW_COLOURS = [(158, 202, 225), (66, 146, 198), (33, 113, 181), (8, 48, 107)]
FLOW_WIDTHS = [0.6, 1.0, 1.6, 2.4]  # mm, with FLOW_COLOURS
HUGE = 1e12  # open upper end of the last class: QGIS draws no feature outside every range


# -- what the file holds --------------------------------------------------------------------------
@dataclass
class Table:
    """One feature table of the GeoPackage, as a style needs it: its fields and values."""

    con: sqlite3.Connection
    name: str
    geometry_column: str
    kind: str | None  # "marker", "line", "fill" or None (no geometry to draw)
    fields: tuple[str, ...]

    def has(self, *names: str) -> bool:
        return all(n in self.fields for n in names)

    def values(self, expression: str) -> list:
        """The distinct values of an SQL expression (the same text as the QGIS expression)."""
        rows = self.con.execute(f'SELECT DISTINCT {expression} FROM "{self.name}"').fetchall()
        return [r[0] for r in rows if r[0] is not None]

    def max(self, expression: str) -> float:
        value = self.con.execute(f'SELECT MAX({expression}) FROM "{self.name}"').fetchone()[0]
        return float(value) if value is not None else 0.0


def read_table(con: sqlite3.Connection, name: str) -> Table | None:
    """The table `name` if it is a feature table of the GeoPackage."""
    row = con.execute("SELECT column_name, geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?",
                      (name,)).fetchone()
    if row is None:
        return None
    column, declared = row
    fields = tuple(r[1] for r in con.execute(f'PRAGMA table_info("{name}")') if r[1] != column)
    kind = KIND_OF.get(declared.upper())
    if kind is None:  # GEOMETRY: no rows, no geometries (a layer without coordinates), or mixed
        blob = con.execute(f'SELECT "{column}" FROM "{name}" WHERE "{column}" IS NOT NULL LIMIT 1').fetchone()
        kind = _blob_kind(blob[0]) if blob else None
    return Table(con, name, column, kind, fields)


def _blob_kind(blob: bytes) -> str | None:
    """The symbol kind of a GeoPackage geometry blob: a header ('GP', version, flags, srs id,
    envelope) followed by WKB."""
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 7, 0)
    wkb = blob[8 + envelope:]
    if len(wkb) < 5:
        return None
    code = int.from_bytes(wkb[1:5], "little" if wkb[0] == 1 else "big")
    return WKB_KIND.get(code % 1000)


# -- symbols --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Symbol:
    """One symbol of one symbol layer: a QGIS class (SimpleMarker, SimpleLine, SimpleFill), its
    options, and data-defined properties (property name -> QGIS expression)."""

    kind: str
    layer_class: str
    options: dict
    data_defined: dict = field(default_factory=dict)
    alpha: float = 1.0


def rgba(colour: tuple[int, int, int], alpha: int = 255) -> str:
    return ",".join(str(c) for c in (*colour, alpha))


def marker(colour, *, shape: str = "circle", size: float = 2.0, outline=BLACK, outline_width: float = 0.2,
           size_expression: str | None = None, alpha: float = 1.0, fill_alpha: int = 255) -> Symbol:
    options = {
        "angle": "0", "cap_style": "square", "color": rgba(colour, fill_alpha), "horizontal_anchor_point": "1",
        "joinstyle": "bevel", "name": shape, "offset": "0,0", "offset_map_unit_scale": UNIT_SCALE,
        "offset_unit": "MM", "outline_color": rgba(outline), "outline_style": "solid" if outline_width else "no",
        "outline_width": f"{outline_width:g}", "outline_width_map_unit_scale": UNIT_SCALE,
        "outline_width_unit": "MM", "scale_method": "diameter", "size": f"{size:g}",
        "size_map_unit_scale": UNIT_SCALE, "size_unit": "MM", "vertical_anchor_point": "1",
    }
    return Symbol("marker", "SimpleMarker", options, {"size": size_expression} if size_expression else {}, alpha)


def line(colour, *, width: float = 0.4, alpha: float = 1.0) -> Symbol:
    options = {
        "align_dash_pattern": "0", "capstyle": "round", "customdash": "5;2", "customdash_map_unit_scale": UNIT_SCALE,
        "customdash_unit": "MM", "dash_pattern_offset": "0", "dash_pattern_offset_map_unit_scale": UNIT_SCALE,
        "dash_pattern_offset_unit": "MM", "draw_inside_polygon": "0", "joinstyle": "round",
        "line_color": rgba(colour), "line_style": "solid", "line_width": f"{width:g}", "line_width_unit": "MM",
        "offset": "0", "offset_map_unit_scale": UNIT_SCALE, "offset_unit": "MM", "ring_filter": "0",
        "trim_distance_end": "0", "trim_distance_end_map_unit_scale": UNIT_SCALE, "trim_distance_end_unit": "MM",
        "trim_distance_start": "0", "trim_distance_start_map_unit_scale": UNIT_SCALE,
        "trim_distance_start_unit": "MM", "tweak_dash_pattern_on_corners": "0", "use_custom_dash": "0",
        "width_map_unit_scale": UNIT_SCALE,
    }
    return Symbol("line", "SimpleLine", options, alpha=alpha)


def fill(colour, *, outline=DARK_GREY, alpha: int = 110) -> Symbol:
    options = {
        "border_width_map_unit_scale": UNIT_SCALE, "color": rgba(colour, alpha), "joinstyle": "bevel",
        "offset": "0,0", "offset_map_unit_scale": UNIT_SCALE, "offset_unit": "MM", "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": "0.26", "outline_width_unit": "MM", "style": "solid",
    }
    return Symbol("fill", "SimpleFill", options)


def _properties(parent: ET.Element, tag: str, data_defined: dict) -> None:
    """A data-defined property collection (`tag` is data_defined_properties in symbols,
    dd_properties in labels); each property is an expression (type 3)."""
    outer = ET.SubElement(ET.SubElement(parent, tag), "Option", type="Map")
    ET.SubElement(outer, "Option", type="QString", name="name", value="")
    props = ET.SubElement(outer, "Option", name="properties")
    if data_defined:
        props.set("type", "Map")
    for key, expression in data_defined.items():
        prop = ET.SubElement(props, "Option", type="Map", name=key)
        ET.SubElement(prop, "Option", type="bool", name="active", value="true")
        ET.SubElement(prop, "Option", type="QString", name="expression", value=expression)
        ET.SubElement(prop, "Option", type="int", name="type", value="3")
    ET.SubElement(outer, "Option", type="QString", name="type", value="collection")


def _symbol(parent: ET.Element, symbol: Symbol, name: str, tag: str = "symbol") -> None:
    el = ET.SubElement(parent, tag, alpha=f"{symbol.alpha:g}", clip_to_extent="1", force_rhr="0",
                       frame_rate="10", is_animated="0", name=name, type=symbol.kind)
    _properties(el, "data_defined_properties", {})
    layer = ET.SubElement(el, "layer", {"class": symbol.layer_class, "enabled": "1", "id": "", "locked": "0",
                                        "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in symbol.options.items():
        ET.SubElement(options, "Option", type="QString", name=key, value=value)
    _properties(layer, "data_defined_properties", symbol.data_defined)


# -- renderers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """A layer's renderer (single, categorized or graduated) and optional label expression."""

    renderer: str  # singleSymbol, categorizedSymbol, graduatedSymbol
    symbols: list[Symbol]
    attr: str = ""  # a field name or a QGIS expression
    classes: list = field(default_factory=list)  # (value, label) or (lower, upper, label), one per symbol
    label: str | None = None  # a QGIS expression
    label_placement: str = "point"
    description: str = ""


def _uuid(*parts) -> str:
    """A stable uuid (QGIS writes one per category and range): same data, same file."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "siting/" + "/".join(map(str, parts)))) + "}"


def _renderer(root: ET.Element, style: Style, table: str) -> None:
    r = ET.SubElement(root, "renderer-v2", enableorderby="0", forceraster="0", referencescale="-1", symbollevels="0",
                      type=style.renderer)
    if style.renderer == "categorizedSymbol":
        r.set("attr", style.attr)
        cats = ET.SubElement(r, "categories")
        for k, (value, label) in enumerate(style.classes):
            ET.SubElement(cats, "category", label=label, render="true", symbol=str(k),
                          type="string", uuid=_uuid(table, value), value=str(value))
    elif style.renderer == "graduatedSymbol":
        r.set("attr", style.attr)
        r.set("graduatedMethod", "GraduatedColor")
        ranges = ET.SubElement(r, "ranges")
        for k, (lower, upper, label) in enumerate(style.classes):
            ET.SubElement(ranges, "range", label=label, lower=f"{lower:.15f}", upper=f"{upper:.15f}", render="true",
                          symbol=str(k), uuid=_uuid(table, lower, upper))
    symbols = ET.SubElement(r, "symbols")
    for k, symbol in enumerate(style.symbols):
        _symbol(symbols, symbol, str(k))
    if style.renderer != "singleSymbol":
        _symbol(ET.SubElement(r, "source-symbol"), style.symbols[0], "0")
    if style.renderer == "graduatedSymbol":
        method = ET.SubElement(r, "classificationMethod", id="Custom")  # the breaks are ours, not QGIS's
        ET.SubElement(method, "symmetricMode", astride="0", enabled="0", symmetrypoint="0")
        ET.SubElement(method, "labelFormat", format="%1 - %2", labelprecision="2", trimtrailingzeroes="1")
        ET.SubElement(ET.SubElement(method, "parameters"), "Option")
        ET.SubElement(method, "extraInformation")
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")


def _labeling(root: ET.Element, expression: str, placement: str) -> None:
    """Simple labels: dark text with a white halo, placed around a point or along a line; QGIS
    leaves out labels that would overlap."""
    settings = ET.SubElement(ET.SubElement(root, "labeling", type="simple"), "settings", calloutType="simple")
    text = ET.SubElement(settings, "text-style", {
        "fieldName": expression, "isExpression": "1", "fontFamily": "Open Sans", "namedStyle": "Regular",
        "fontSize": "8", "fontSizeUnit": "Point", "fontSizeMapUnitScale": UNIT_SCALE, "fontWeight": "50",
        "fontItalic": "0", "fontUnderline": "0", "fontStrikeout": "0", "fontKerning": "1", "fontLetterSpacing": "0",
        "fontWordSpacing": "0", "capitalization": "0", "textColor": rgba((40, 40, 40)), "textOpacity": "1",
        "blendMode": "0", "multilineHeight": "1", "multilineHeightUnit": "Percentage", "allowHtml": "0",
        "useSubstitutions": "0", "textOrientation": "horizontal", "previewBkgrdColor": rgba(WHITE),
        "legendString": "Aa", "forcedBold": "0", "forcedItalic": "0"})
    ET.SubElement(text, "families")
    ET.SubElement(text, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferSizeMapUnitScale=UNIT_SCALE, bufferColor=rgba(WHITE), bufferOpacity="0.8", bufferNoFill="1",
                  bufferJoinStyle="128", bufferBlendMode="0")
    ET.SubElement(text, "background", shapeDraw="0")
    ET.SubElement(text, "shadow", shadowDraw="0")
    _properties(text, "dd_properties", {})
    ET.SubElement(text, "substitutions")
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="0", useMaxLineLengthForAutoWrap="1",
                  multilineAlign="0", addDirectionSymbol="0", formatNumbers="0", decimals="3", plussign="0")
    on_line = placement == "line"
    ET.SubElement(settings, "placement", {
        "placement": "2" if on_line else "6", "placementFlags": "10", "dist": "1", "distUnits": "MM",
        "distMapUnitScale": UNIT_SCALE, "offsetType": "0", "quadOffset": "4", "xOffset": "0", "yOffset": "0",
        "offsetUnits": "MM", "labelOffsetMapUnitScale": UNIT_SCALE, "priority": "5",
        "overlapHandling": "PreventOverlap", "allowDegraded": "0", "centroidInside": "0", "centroidWhole": "0",
        "fitInPolygonOnly": "0", "maxCurvedCharAngleIn": "25", "maxCurvedCharAngleOut": "-25",
        "preserveRotation": "1", "rotationAngle": "0", "rotationUnit": "AngleDegrees", "repeatDistance": "0",
        "repeatDistanceUnits": "MM", "repeatDistanceMapUnitScale": UNIT_SCALE,
        "predefinedPositionOrder": "TR,TL,BR,BL,R,L,TSR,BSR",
        "layerType": "LineGeometry" if on_line else "PointGeometry",
        "lineAnchorPercent": "0.5", "lineAnchorType": "0", "lineAnchorClipping": "0",
        "lineAnchorTextPoint": "FollowPlacement", "polygonPlacementFlags": "2", "geometryGeneratorEnabled": "0",
        "geometryGenerator": "", "geometryGeneratorType": "PointGeometry", "overrunDistance": "0",
        "overrunDistanceUnit": "MM", "overrunDistanceMapUnitScale": UNIT_SCALE})
    ET.SubElement(settings, "rendering", drawLabels="1", obstacle="1", obstacleFactor="1", obstacleType="1",
                  mergeLines="1" if on_line else "0", scaleVisibility="0", scaleMin="0", scaleMax="0",
                  limitNumLabels="0", maxNumLabels="2000", minFeatureSize="0", fontLimitPixelSize="0",
                  fontMinPixelSize="3", fontMaxPixelSize="10000", upsidedownLabels="0", labelPerPart="0", zIndex="0",
                  unplacedVisibility="0")
    _properties(settings, "dd_properties", {})


def qml(style: Style, table: Table) -> str:
    """The style as a QML document in the form QGIS 3.x writes."""
    root = ET.Element("qgis", labelsEnabled="1" if style.label else "0", styleCategories="Symbology|Labeling",
                      version=QGIS_VERSION)
    _renderer(root, style, table.name)
    if style.label:
        _labeling(root, style.label, style.label_placement)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = str(GEOMETRY_TYPE[table.kind])
    ET.indent(root, space="  ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


# -- the styles of the result layers --------------------------------------------------------------
def _relative_size(table: Table, expression: str, smallest: float, largest: float) -> str | None:
    """A marker diameter (mm) whose area grows with `expression` (the same text in SQL and QGIS):
    `smallest` at 0, `largest` at the layer's maximum; None when nothing is above 0 (one size)."""
    top = table.max(expression)
    if not top > 0:
        return None
    return f"{smallest:g} + {largest - smallest:g} * sqrt(max(coalesce({expression}, 0), 0) / {top:.6g})"


def _categories(table: Table, expression: str, known: dict[str, tuple[str, Symbol]]) -> tuple[list, list]:
    """(classes, symbols) for the values of `expression` the layer has, the known ones in their
    order (value -> (legend label, symbol)); a value no style knows gets a grey circle rather than
    no symbol at all."""
    present = {str(v) for v in table.values(expression)}
    order = [v for v in known if v in present] + sorted(present - set(known))
    chosen = [known.get(value, (value, marker(GREY))) for value in order]
    return [(value, label) for value, (label, _) in zip(order, chosen, strict=True)], [s for _, s in chosen]


def sites_style(t: Table) -> Style | None:
    """fast and corridor: new / existing / closed, marker area by chargers, labelled by name or id."""
    if not t.has("status", "chargers", "id"):
        return None
    size = _relative_size(t, '"chargers"', 2.4, 7.0)
    star = f"1.25 * ({size})" if size else None  # a star of the same diameter looks smaller than a square
    classes, symbols = _categories(t, '"status"', {
        "new": ("new site", marker(GREEN, shape="star", size=4.0, size_expression=star)),
        "existing": ("existing site", marker(DARK_GREY, shape="square", size=3.0, outline=WHITE, size_expression=size)),
        "closed": ("closed (not chosen)", marker(LIGHT_GREY, size=2.0, outline=GREY, size_expression=size)),
    })
    # corridor stations have names a reader knows; fast ids are long codes, shown for new sites only
    label = ("coalesce(nullif(\"name\", ''), \"id\")" if t.has("name")
             else "CASE WHEN \"status\" = 'new' THEN \"id\" END")
    return Style("categorizedSymbol", symbols, attr="status", classes=classes, label=label,
                 description="sites by status (new, existing, closed), marker area by chargers")


def demand_style(t: Table) -> Style | None:
    """fast: served share in five classes where demand is assigned (capacitated, p-median),
    covered or not where it is only covered (LSCP, MCLP); marker area by weight."""
    size = _relative_size(t, '"weight"', 1.2, 4.5) if t.has("weight") else None

    def dot(colour) -> Symbol:
        return marker(colour, size=2.0, outline_width=0, size_expression=size, alpha=0.85)

    if t.has("served_share"):
        bounds = [-0.001, 0.2, 0.4, 0.6, 0.8, HUGE]  # shares are sums of floats: 1 may be 1 + 1e-12
        names = ["0-20 %", "20-40 %", "40-60 %", "60-80 %", "80-100 %"]
        classes = [(lo, hi, f"{name} served") for lo, hi, name in zip(bounds[:-1], bounds[1:], names, strict=True)]
        return Style("graduatedSymbol", [dot(c) for c in SHARE_COLOURS], attr="served_share", classes=classes,
                     description="demand by share served, marker area by weight")
    if t.has("covered"):
        covered = "CASE WHEN \"covered\" THEN 'covered' ELSE 'not covered' END"
        classes, symbols = _categories(t, covered, {"covered": ("within reach of an open site", dot(SHARE_COLOURS[-1])),
                                                    "not covered": ("not within reach", dot(SHARE_COLOURS[0]))})
        return Style("categorizedSymbol", symbols, attr=covered, classes=classes,
                     description="demand covered or not, marker area by weight")
    return None


def assignments_style(t: Table) -> Style | None:
    """fast and park: thin, see-through lines, so that many of them read as a haze, not a wall."""
    what = "company to square" if t.has("company_id") else "demand point to site"
    return Style("singleSymbol", [line(BLUE, width=0.2, alpha=0.35)], description=f"{what}, thin see-through lines")


def grid_style(t: Table) -> Style | None:
    """fast and corridor: substations by the share of today's headroom the new load takes
    (available_kw <= 0 with new load: over; without: no headroom, unused)."""
    if not t.has("id", "available_kw", "new_load_kw"):
        return None
    used = ('CASE WHEN "available_kw" > 0 THEN "new_load_kw" / "available_kw" '
            'WHEN "new_load_kw" > 0 THEN 1000000 ELSE -1 END')
    classes = [(-2.0, -0.5, "no headroom today, no new load"), (-0.001, 0.5, "up to half the headroom used"),
               (0.5, 0.8, "50-80 % of the headroom used"), (0.8, 1.0 + 1e-9, "80-100 % of the headroom used"),
               (1.0 + 1e-9, HUGE, "over today's headroom (upgrade)")]
    symbols = [marker(c, shape="triangle", size=4.0, outline_width=0.3) for c in [LIGHT_GREY, *LOAD_COLOURS]]
    label = ("CASE WHEN \"new_load_kw\" > 0 THEN "  # only where the plan adds load: most areas get none
             "concat(\"id\", ': ', round(\"new_load_kw\"), ' / ', round(\"available_kw\"), ' kW') END")
    return Style("graduatedSymbol", symbols, attr=used, classes=classes, label=label,
                 description="grid areas by headroom used (new load / available)")


def roads_style(t: Table) -> Style | None:
    """corridor: road links by the trucks per day whose round trip the plan charges, wider and
    darker as more (breaks at a quarter, half and three quarters of the busiest link); links
    without any stay thin and grey. Labelled by road number."""
    if not t.has("refuelled_trucks_per_day"):
        return None
    top = t.max('"refuelled_trucks_per_day"')
    classes, symbols = [(-1.0, 1e-6, "no charged trucks")], [line(LIGHT_GREY, width=0.3)]
    if top > 1e-6:
        uppers = [b for b in sorted({_nice(top * k / 4) for k in (1, 2, 3)}) if 0 < b < top] + [HUGE]
        lowers = [1e-6, *uppers[:-1]]
        n = len(uppers)
        for k, (lo, hi, colour, width) in enumerate(zip(lowers, uppers, FLOW_COLOURS[-n:], FLOW_WIDTHS[-n:],
                                                         strict=True)):
            text = f"up to {hi:g}" if k == 0 else f"over {lo:g}" if hi == HUGE else f"{lo:g} - {hi:g}"
            classes.append((lo, hi, f"{text} charged trucks/day"))
            symbols.append(line(colour, width=width))
    label = '"road"' if t.has("road") and any(str(v).strip() for v in t.values('"road"')) else None
    return Style("graduatedSymbol", symbols, attr="refuelled_trucks_per_day", classes=classes, label=label,
                 label_placement="line", description="roads by charged truck flow")


def _nice(x: float) -> float:
    """x rounded to two significant digits, for class breaks a reader can take in."""
    return round(x, 1 - math.floor(math.log10(x))) if x > 0 else 0.0


def squares_style(t: Table) -> Style | None:
    """park: charging squares in use (star, area by chargers, labelled with their connection
    tier) and candidate squares left unused (open grey square)."""
    if not t.has("status", "id"):
        return None
    size = _relative_size(t, '"n_chargers"', 3.0, 7.0) if t.has("n_chargers") else None
    classes, symbols = _categories(t, '"status"', {
        "open": ("charging square", marker(GREEN, shape="star", size=5.0, size_expression=size)),
        "closed": ("candidate square, not used",
                   marker(DARK_GREY, shape="square", size=2.6, outline=DARK_GREY, outline_width=0.3, fill_alpha=0)),
    })
    tier = "concat(\"id\", ': ', \"tier\")" if t.has("tier") else '"id"'
    return Style("categorizedSymbol", symbols, attr="status", classes=classes,
                 label=f"CASE WHEN \"status\" = 'open' THEN {tier} END",
                 description="squares: in use or not, marker area by chargers")


def companies_style(t: Table) -> Style | None:
    """park: where each company charges (at a square, on its own connection) and whether energy
    goes undelivered; marker area by vans and trucks."""
    if not t.has("charges_at", "unmet_kwh_per_day"):
        return None
    where = ("CASE WHEN \"unmet_kwh_per_day\" > 0.001 THEN 'energy not delivered' "
             "WHEN \"charges_at\" = 'own connection' THEN 'own connection' ELSE 'at a square' END")
    size = _relative_size(t, '"vans" + "trucks"', 1.6, 4.6) if t.has("vans", "trucks") else None
    classes, symbols = _categories(t, where, {
        "at a square": ("charges at a square", marker(BLUE, size=2.4, outline=WHITE, size_expression=size)),
        "own connection": ("on its own connection", marker(ORANGE, size=2.4, outline=WHITE, size_expression=size)),
        "energy not delivered": ("energy not delivered", marker(RED, size=2.4, outline=WHITE, size_expression=size)),
    })
    return Style("categorizedSymbol", symbols, attr=where, classes=classes,
                 description="companies by where they charge, marker area by vehicles")


def cells_style(t: Table) -> Style | None:
    """whitespots: the CBS cells that should hold a public point, by white-spot category."""
    if not t.has("category"):
        return None
    classes, symbols = _categories(t, '"category"', {
        "covered": ("covered (a public point)", fill((158, 202, 225), outline=WHITE, alpha=200)),
        "a": ("(a) a designated location can be realised", fill(GREEN, outline=WHITE, alpha=200)),
        "b": ("(b) extra action needed", fill(ORANGE, outline=WHITE, alpha=200)),
        "c": ("(c) not to be filled", fill(RED, outline=WHITE, alpha=200)),
        "no data": ("no data (CBS code)", fill(LIGHT_GREY, outline=WHITE, alpha=120)),
    })
    return Style("categorizedSymbol", symbols, attr="category", classes=classes,
                 description="cells by white-spot category")


STYLES: dict[str, Callable[[Table], Style | None]] = {
    "cells": cells_style,
    "sites": sites_style, "demand": demand_style, "assignments": assignments_style, "grid_use": grid_style,
    "roads": roads_style, "squares": squares_style, "companies": companies_style,
}
PLAIN = {"marker": marker(BLUE, size=2.0, outline=WHITE), "line": line(BLUE, width=0.4), "fill": fill(BLUE)}


def style_for(table: Table) -> Style:
    """The layer's own style, or the plain one of its geometry when it has none (or lacks a field
    its style needs)."""
    own = STYLES.get(table.name)
    style = own(table) if own is not None else None
    if style is not None and style.symbols and style.symbols[0].kind == table.kind:
        return style
    return Style("singleSymbol", [PLAIN[table.kind]], description=f"{table.name}: plain {table.kind} style")


# -- the table ------------------------------------------------------------------------------------
CREATE = """CREATE TABLE IF NOT EXISTS "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT,
  "styleSLD" TEXT, "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def write_styles(path: Path, layers) -> None:
    """One default style for each of `layers` that has geometry, into the layer_styles table of
    the GeoPackage at `path` (made, and registered in gpkg_contents as an attributes table as QGIS
    does, when there is something to style).

    A layer's earlier default style is replaced, so writing a layer again leaves one. update_time
    stays empty: the same run gives the same file contents (QGIS lists a style without a time)."""
    con = sqlite3.connect(path)
    try:
        with con:
            tables = [t for t in (read_table(con, name) for name in layers) if t is not None and t.kind is not None]
            rows = [(t.name, t.geometry_column, t.name, qml(style, t), style.description)
                    for t, style in ((t, style_for(t)) for t in tables)]
            if not rows:
                return
            con.execute(CREATE)
            con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
                        "srs_id) SELECT 'layer_styles', 'attributes', 'layer_styles', '', "
                        "strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0 WHERE NOT EXISTS "
                        "(SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles')")
            con.executemany("DELETE FROM layer_styles WHERE f_table_name = ? AND useAsDefault", [(r[0],) for r in rows])
            con.executemany("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, "
                            "ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, NULL)", rows)
    finally:
        con.close()
