"""Map furniture shared by every model's map.png.

A reader must be able to tell where a new site is: so a map names places (municipality outlines
and names from the instance's map-only layers), labels the new sites with their chargers, carries
a scale bar and a north arrow when the CRS is projected in metres, and a legend panel that
explains every symbol, marker sizes included. Each model's report.py draws its own content on a
`MapCanvas` and hands it its legend entries; this module knows nothing of the models.

Typical use::

    canvas = MapCanvas.create(bounds, crs, source)    # outlines of the instance's map-only layers
    pts = canvas.ax.scatter(..., s=size, label="new site")
    canvas.section("Sites", [pts, *canvas.size_key("*", [2, 6], "chargers", size_of)])
    canvas.label_sites(xy, texts, priority, size)
    canvas.finish("title", "what it shows")   # places labels, scale bar, legend; returns the figure
    save_map(canvas.fig, path)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


MAP_LAYERS = ("region", "municipalities")  # drawn under every model's content when the instance has them
MAX_SITE_LABELS = 30  # more sites than this: those of highest priority are labelled, the legend says how many
DPI = 100
MAP_W, MAP_H = 9.0, 7.4  # largest map area, inches (a 16:9 slide with a legend column)
MIN_MAP = 4.2  # smallest side of the map area, inches; a longer, thinner extent is widened to it
PANEL_W = 2.9  # legend column, inches
TITLE_H = 0.75  # title and subtitle band, inches
EDGE = 0.12  # outer margin, inches
OUTSIDE = "#e3e7eb"  # what lies beyond the mapped municipalities / region
BOUNDARY = "#b4b4b4"
REGION_EDGE = "#5a5a5a"
PLACE_TEXT = "#5f5f5f"
HALO = "white"
# label positions tried around a site, in units of its marker radius (+ a gap), nearest first:
# NE, SE, NW, SW, E, W, N, S; then the same on rings FAR times as far out, with a leader line
OFFSETS = [(0.8, 0.6), (0.8, -0.6), (-0.8, 0.6), (-0.8, -0.6), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
FAR = (2.5, 4.2, 6.5)


# -- the instance's map-only layers ---------------------------------------------------------------
@dataclass(frozen=True)
class MapLayer:
    """One map-only layer in the instance CRS: its geometry and a name per row (or None)."""

    name: str
    geometry: object  # GeoSeries
    names: np.ndarray | None


def read_source_layer(source: Path | None, name: str):
    """Layer `name` of the instance folder at `source` as a Table, read as the loader reads it;
    None when there is no folder or the instance declares no such layer. The instance was
    checked when it was loaded: a caller leaves a layer with problems out, never fails on it."""
    if source is None:
        return None
    from siting.config import LayerSource, read_config
    from siting.io.layers import read_layer

    data = read_config(source)
    spec = data.get("layers", {}).get(name)
    if spec is None:
        return None
    return read_layer(source, name, LayerSource.model_validate(spec), data.get("crs"))


def read_map_layers(source: Path | None, names: tuple[str, ...] = MAP_LAYERS) -> dict[str, MapLayer]:
    """The named layers the instance at `source` has and that read without problems: a layer that
    fails here is left off the map, never an error."""
    out = {}
    for name in names:
        table = read_source_layer(source, name)
        if table is None:
            continue
        geometry = table.geometry
        if geometry is None and table.xy is not None:
            import geopandas as gpd

            geometry = gpd.GeoSeries(gpd.points_from_xy(table.xy[:, 0], table.xy[:, 1]))
        if geometry is None or table.problems:
            continue
        labels = None
        if table.df is not None and "name" in table.df.columns:
            labels = table.df["name"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
        out[name] = MapLayer(name, geometry, labels)
    return out


def read_credits(source: Path | None) -> list[str]:
    """The `attribution` of every layer of the instance at `source`, once each, in layer order:
    the map shows data from all of them, and some licences (CC BY, ODbL) require the credit."""
    if source is None:
        return []
    from siting.config import read_config

    found = [spec.get("attribution") for spec in read_config(source).get("layers", {}).values()]
    return list(dict.fromkeys(a.strip() for a in found if isinstance(a, str) and a.strip()))


def place_names(xy: np.ndarray, layer: MapLayer | None, near: float = 2_000.0) -> np.ndarray:
    """The name of the polygon of `layer` each point lies in (or within `near` of: simplified
    boundaries cut corners), "" where none; object array."""
    out = np.full(len(xy), "", dtype=object)
    if layer is None or layer.names is None or not len(xy):
        return out
    import shapely

    polys = layer.geometry.to_numpy()
    tree = shapely.STRtree(polys)
    points = shapely.points(xy)
    inside, within = tree.query(points, predicate="within")
    hit = np.full(len(xy), -1)
    hit[inside[::-1]] = within[::-1]  # the first polygon a point falls in
    rest = np.flatnonzero(hit < 0)
    if len(rest):
        idx = tree.query_nearest(points[rest], max_distance=near, all_matches=False)
        hit[rest[idx[0]]] = idx[1]
    found = hit >= 0
    out[found] = layer.names[hit[found]]
    return out


# -- the canvas -----------------------------------------------------------------------------------
@dataclass
class _Label:
    xy: tuple[float, float]
    text: str
    priority: float
    radius: float  # of the site's marker, points


@dataclass
class MapCanvas:
    """A map area (axes off, equal aspect, fitted to the content) and a legend column beside it."""

    fig: object
    ax: object
    panel: object
    crs: str | None
    layers: dict[str, MapLayer] = field(default_factory=dict)
    credits: list[str] = field(default_factory=list)
    sections: list[tuple[str, list]] = field(default_factory=list)
    colour_keys: list[tuple[object, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    site_labels: list[_Label] = field(default_factory=list)
    label_noun: str = "new sites"
    label_order: str = "largest first"
    obstacles: list[np.ndarray] = field(default_factory=list)  # (x, y, radius in points, soft) of markers
    map_entries: list = field(default_factory=list)  # the outlines' legend entries, shown last

    @classmethod
    def create(cls, bounds: tuple[float, float, float, float], crs: str | None, source: Path | None = None,
               pad: float = 0.03, layers: dict[str, MapLayer] | None = None) -> MapCanvas:
        """A figure sized to the content's extent (`bounds` = xmin, ymin, xmax, ymax, padded by
        `pad` of the larger side), with the outline layers of the instance folder `source` (or
        `layers`, when the model has read them already) drawn under everything else."""
        x0, y0, x1, y1 = (float(b) for b in bounds)
        span = max(x1 - x0, y1 - y0, 1e-9)
        x0, x1, y0, y1 = x0 - pad * span, x1 + pad * span, y0 - pad * span, y1 + pad * span
        dx, dy = max(x1 - x0, 1e-9 * span), max(y1 - y0, 1e-9 * span)
        w, h = (MAP_W, MAP_W * dy / dx) if dx / dy >= MAP_W / MAP_H else (MAP_H * dx / dy, MAP_H)
        w, h = max(w, MIN_MAP), max(h, MIN_MAP)  # the aspect (adjustable datalim) widens the thin side
        fig_w, fig_h = EDGE + w + EDGE + PANEL_W + EDGE, EDGE + h + TITLE_H
        fig = pyplot().figure(figsize=(fig_w, fig_h), dpi=DPI)
        ax = fig.add_axes((EDGE / fig_w, EDGE / fig_h, w / fig_w, h / fig_h))
        panel = fig.add_axes(((2 * EDGE + w) / fig_w, EDGE / fig_h, PANEL_W / fig_w, h / fig_h))
        panel.set_axis_off()
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_axis_off()
        layers = read_map_layers(source) if layers is None else layers
        canvas = cls(fig, ax, panel, crs, layers, read_credits(source))
        canvas._draw_outlines()
        return canvas

    # -- what the models call ----------------------------------------------------------------
    def section(self, title: str, handles: list) -> None:
        """A titled group of legend entries: plotted artists (their label is the entry) and proxies."""
        handles = [h for h in handles if h is not None and not str(h.get_label()).startswith("_") and not _empty(h)]
        if title == "Map":  # the model's own map features join the outlines' section
            self.map_entries = handles + self.map_entries
        elif handles:
            self.sections.append((title, handles))

    def colour_key(self, mappable, label: str) -> None:
        """A horizontal colour bar in the legend column for a colour-mapped artist."""
        self.colour_keys.append((mappable, label))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def label_sites(self, xy: np.ndarray, texts, priority, size, noun: str = "new sites",
                    order: str = "largest first") -> None:
        """Label these sites (markers of scatter size `size`, points²), highest priority first,
        where a label fits without covering another label or marker; the legend says how many were
        labelled (`noun`, in `order`) when not all are."""
        self.label_noun, self.label_order = noun, order
        radius = np.broadcast_to(np.sqrt(np.asarray(size, dtype=float)) / 2, (len(xy),))
        self.site_labels += [_Label((float(x), float(y)), str(t), float(p), float(r))
                             for (x, y), t, p, r in zip(np.asarray(xy), texts, priority, radius, strict=True)]

    def avoid(self, xy: np.ndarray, size, soft: bool = False) -> None:
        """Markers (data xy, scatter size in points²) that labels must not cover; a `soft` one
        only where the label has another place (companies in a crowded park)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if len(xy):
            radius = np.broadcast_to(np.sqrt(np.asarray(size, dtype=float)) / 2, (len(xy),))
            self.obstacles.append(np.column_stack([xy, radius, np.full(len(xy), float(soft))]))

    def size_key(self, marker: str, values: list[float], unit: str | tuple[str, str], size, **style) -> list:
        """Legend proxies showing what a bigger marker means: one per value, `size(value)` being
        the scatter size (points²) the model used; `unit` may be (singular, plural)."""
        from matplotlib.lines import Line2D

        style = {"markerfacecolor": "#bdbdbd", "markeredgecolor": "#525252", "markeredgewidth": 0.5, **style}
        return [Line2D([], [], marker=marker, linestyle="none", markersize=math.sqrt(float(size(v))),
                       label=quantity(v, unit), **style) for v in values]

    def width_key(self, values: list[float], unit: str | tuple[str, str], width, **style) -> list:
        """Legend proxies for line widths: one per value, `width(value)` in points."""
        from matplotlib.lines import Line2D

        return [Line2D([], [], linewidth=float(width(v)), label=quantity(v, unit), **style) for v in values]

    def area_key(self, collection) -> object:
        """A legend square drawn like a polygon collection (a collection of paths has no legend
        handle of its own): same label, face and edge."""
        from matplotlib.patches import Patch

        return Patch(facecolor=collection.get_facecolor()[0], edgecolor=collection.get_edgecolor()[0],
                     linewidth=0.6, label=collection.get_label())

    def place_of(self, xy: np.ndarray) -> np.ndarray:
        """The municipality each point lies in ("" where the instance has no municipalities)."""
        return place_names(xy, self.layers.get("municipalities"))

    def finish(self, title: str, subtitle: str = "") -> object:
        """Title, labels, scale bar, north arrow and the legend column; returns the figure."""
        fig, ax = self.fig, self.ax
        ax.apply_aspect()
        renderer = fig.canvas.get_renderer()
        fig.text(EDGE / fig.get_figwidth(), 1 - 0.12 / fig.get_figheight(), title, ha="left", va="top",
                 fontsize=12.5, fontweight="bold", color="#252525")
        if subtitle:
            fig.text(EDGE / fig.get_figwidth(), 1 - 0.42 / fig.get_figheight(), subtitle, ha="left", va="top",
                     fontsize=9, color="#525252")
        occupied = []
        if metre_crs(self.crs):
            occupied += [artist.get_window_extent(renderer) for artist in add_scale_bar(ax)]
            occupied.append(add_north_arrow(ax).get_window_extent(renderer))
        elif self.crs is None:
            self.note("Coordinates in the instance's own units (no CRS): no scale.")
        occupied = [_box(b) for b in occupied]
        placed, wanted = self._place_site_labels(renderer, occupied)
        if wanted > placed:
            self.note(f"Labels: {placed} of {wanted} {self.label_noun} ({self.label_order}; where a label fits "
                      "without covering another). All are in sites.gpkg.")
        self._place_names(renderer, occupied)
        frame = pyplot().Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#9e9e9e",
                                   linewidth=0.8, zorder=20, gid="frame", clip_on=False)
        ax.add_patch(frame)
        self._draw_panel(renderer)
        return fig

    # -- outlines and names ------------------------------------------------------------------
    def _draw_outlines(self) -> None:
        """Municipalities (white, thin grey edges) and the region boundary over a pale 'outside'."""
        from matplotlib.collections import LineCollection, PathCollection
        from matplotlib.patches import Patch

        ax = self.ax
        entries = []
        areas = [self.layers[n] for n in ("municipalities", "region")
                 if n in self.layers and _polygonal(self.layers[n])]
        if not areas:
            return
        fill = areas[0]
        ax.add_collection(PathCollection(map_paths(fill.geometry), facecolor="white", edgecolor="none", zorder=0.2,
                                         label="_fill"))
        if self._outside_visible(fill):  # a patch, not the axes background: axes off hides that
            ax.add_patch(pyplot().Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=OUTSIDE, edgecolor="none",
                                            zorder=0.1, label="_outside"))
            where = "the mapped municipalities" if fill.name == "municipalities" else "the region"
            entries.append(Patch(facecolor=OUTSIDE, edgecolor="none", label=f"outside {where}"))
        if "municipalities" in self.layers and _polygonal(self.layers["municipalities"]):
            entries.append(ax.add_collection(LineCollection(
                _rings(self.layers["municipalities"].geometry), colors=BOUNDARY, linewidths=0.55, zorder=0.4,
                linestyles=(0, (4, 1.5)), label="municipality boundary (name in grey)")))
        if "region" in self.layers and _polygonal(self.layers["region"]):
            entries.append(ax.add_collection(LineCollection(
                _rings(self.layers["region"].geometry), colors=REGION_EDGE, linewidths=1.0, zorder=0.5,
                label="region boundary")))
        self.map_entries = entries

    def _outside_visible(self, layer: MapLayer) -> bool:
        import shapely

        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        view = shapely.box(x0, y0, x1, y1)
        covered = shapely.union_all(layer.geometry.to_numpy()).intersection(view).area
        return covered < 0.995 * view.area

    def _place_names(self, renderer, occupied: list) -> None:
        """Municipality names where they fit: at the representative point of the part in view,
        biggest first, never over a site label or another name."""
        layer = self.layers.get("municipalities")
        if layer is None or layer.names is None or not _polygonal(layer):
            return
        import shapely

        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        view = shapely.box(x0, y0, x1, y1)
        parts = shapely.intersection(layer.geometry.to_numpy(), view)
        area = shapely.area(parts)
        for k in np.argsort(-area, kind="stable"):
            if area[k] < 0.002 * view.area or not layer.names[k]:
                continue
            p = shapely.get_coordinates(shapely.point_on_surface(parts[k]))[0]
            text = self.ax.text(p[0], p[1], layer.names[k], ha="center", va="center", fontsize=6.8,
                                color=PLACE_TEXT, zorder=6, gid="place-label")
            _halo(text)
            box = _box(text.get_window_extent(renderer), grow=1.0)
            if _clashes(box, occupied) or not _inside(box, self.ax.get_window_extent(renderer)):
                text.remove()
            else:
                occupied.append(box)

    def _place_site_labels(self, renderer, occupied: list) -> tuple[int, int]:
        """Greedy placement: for each site (highest priority first), the first position around it
        where the label covers no other label, marker or map furniture and stays in the map; when
        there is none, the one that covers the fewest soft markers (and nothing else)."""
        labels = sorted(self.site_labels, key=lambda lab: -lab.priority)[:MAX_SITE_LABELS]
        if not labels:
            return 0, 0
        ax, px = self.ax, self.fig.dpi / 72
        frame = ax.get_window_extent(renderer)
        marks = np.vstack(self.obstacles) if self.obstacles else np.zeros((0, 4))
        centre = ax.transData.transform(marks[:, :2]) if len(marks) else np.zeros((0, 2))
        r = marks[:, 2:3] * px
        boxes = np.hstack([centre - r, centre + r]) if len(marks) else np.zeros((0, 4))
        soft = marks[:, 3] > 0
        positions = OFFSETS + [(f * a, f * b) for f in FAR for a, b in OFFSETS]
        placed = 0
        for lab in labels:
            at = ax.transData.transform(lab.xy)
            own = np.all(np.isclose(centre, at), axis=1) if len(marks) else np.zeros(0, bool)
            hard, loose = list(boxes[~own & ~soft]), list(boxes[~own & soft])
            fallback, fewest = None, np.inf
            for k, (ux, uy) in enumerate(positions):
                text = self._site_text(lab, ux, uy, leader=k >= len(OFFSETS))
                box = _box(text.get_window_extent(renderer), grow=1.5)
                if _inside(box, frame) and not _clashes(box, occupied) and not _clashes(box, hard):
                    covered = _count_clashes(box, loose)
                    if not covered:
                        break
                    if covered < fewest:
                        fallback, fewest = (ux, uy, k >= len(OFFSETS)), covered
                text.remove()
            else:
                if fallback is None:
                    continue
                text = self._site_text(lab, *fallback)
                box = _box(text.get_window_extent(renderer), grow=1.5)
            occupied.append(box)
            placed += 1
        return placed, len(self.site_labels)

    def _site_text(self, lab: _Label, ux: float, uy: float, leader: bool):
        gap = lab.radius + 2.5
        text = self.ax.annotate(
            lab.text, lab.xy, xytext=(ux * gap, uy * gap), textcoords="offset points", fontsize=7.6, color="#1b1b1b",
            ha="left" if ux > 0 else "right" if ux < 0 else "center",
            va="bottom" if uy > 0 else "top" if uy < 0 else "center", zorder=8, gid="site-label",
            arrowprops={"arrowstyle": "-", "color": "#636363", "linewidth": 0.5, "shrinkA": 0,
                        "shrinkB": lab.radius} if leader else None)
        _halo(text)
        return text

    # -- the legend column -------------------------------------------------------------------
    def _draw_panel(self, renderer) -> None:
        """Legend sections top down, then colour keys, then notes and credits at the foot."""
        from matplotlib.legend import Legend

        panel = self.panel
        height = panel.get_window_extent(renderer).height
        y = 1.0
        sections = self.sections + ([("Map", self.map_entries)] if self.map_entries else [])
        for title, handles in sections:
            legend = Legend(panel, handles, [h.get_label() for h in handles], loc="upper left",
                            bbox_to_anchor=(0.0, y), frameon=False, fontsize=7.8, title=title,
                            title_fontproperties={"weight": "bold", "size": 8.4}, alignment="left",
                            borderaxespad=0.0, handlelength=2.2, labelspacing=0.45, scatterpoints=1)
            panel.add_artist(legend)
            y -= legend.get_window_extent(renderer).height / height + 0.03
        for mappable, label in self.colour_keys:
            panel.text(0.0, y, label, transform=panel.transAxes, fontsize=7.8, fontweight="bold", va="top")
            y -= 0.045
            cax = panel.inset_axes((0.02, y - 0.022, 0.85, 0.022))
            bar = self.fig.colorbar(mappable, cax=cax, orientation="horizontal")
            bar.ax.tick_params(labelsize=7)
            bar.outline.set_linewidth(0.4)
            y -= 0.09
        foot = self.notes + ([f"Data: {'; '.join(self.credits)}."] if self.credits else [])
        if foot:
            panel.text(0.0, 0.0, "\n".join(_wrap(t, 52) for t in foot), transform=panel.transAxes, fontsize=6.6,
                       color="#525252", va="bottom", ha="left", linespacing=1.3, gid="notes")


def draw_substations(ax, grid, size: float) -> list:
    """Grid areas with a location as open triangles, red without headroom, green with; the
    artists drawn (none for a kind the instance does not have), for the legend."""
    if grid is None or grid.xy is None:
        return []
    full = grid.available_kw <= 0
    out = []
    for mask, colour, label in ((full, "#cb181d", "substation, no headroom"),
                                (~full, "#31a354", "substation with headroom")):
        if mask.any():
            out.append(ax.scatter(grid.xy[mask, 0], grid.xy[mask, 1], marker="^", s=size, facecolors="none",
                                  edgecolors=colour, linewidths=0.9, zorder=3, label=label))
    return out


def save_map(fig, path: Path) -> bool:
    """Write the map as a 256-colour PNG (a third of the size of a full-colour one and not
    visibly different: a map has few colours) and free the figure. Pillow comes with matplotlib."""
    from PIL import Image

    fig.canvas.draw()
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, format="PNG", optimize=True)
    pyplot().close(fig)
    return True


# -- scale bar and north arrow --------------------------------------------------------------------
def metre_crs(crs: str | None) -> bool:
    """True for a projected CRS whose axes are in metres (a scale bar in km is honest)."""
    if crs is None:
        return False
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        c = CRS.from_user_input(crs)
    except CRSError:
        return False
    return c.is_projected and all(a.unit_name in ("metre", "meter") for a in c.axis_info[:2])


def nice_length(span: float) -> float:
    """A round bar length (1, 2 or 5 x 10^k) of at most a quarter of `span`."""
    target = span / 4
    base = 10 ** math.floor(math.log10(target))
    return max(m * base for m in (1, 2, 5) if m * base <= target)


def scale_text(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def add_scale_bar(ax) -> list:
    """A two-part black/white bar in the lower right corner with its length in km (or m)."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    bar = AnchoredSizeBar(ax.transData, length, scale_text(length), loc="lower right", pad=0.4, borderpad=0.6,
                          sep=3, frameon=True, size_vertical=(y1 - y0) * 0.006, color="#252525",
                          fontproperties={"size": 7.5})
    bar.patch.set(facecolor="white", alpha=0.85, edgecolor="none")
    bar.set_gid("scale-bar")
    bar.set_zorder(9)
    ax.add_artist(bar)
    return [bar]


def add_north_arrow(ax):
    """An arrow pointing to grid north, above the scale bar (in RD New grid north is within a
    degree of true north)."""
    arrow = ax.annotate("N", xy=(0.965, 0.2), xytext=(0.965, 0.12), xycoords="axes fraction", ha="center",
                        va="top", fontsize=8.5, fontweight="bold", color="#252525", zorder=9, gid="north-arrow",
                        arrowprops={"arrowstyle": "-|>", "color": "#252525", "linewidth": 1.2})
    _halo(arrow)
    return arrow


# -- helpers --------------------------------------------------------------------------------------
def quantity(value: float, unit: str | tuple[str, str]) -> str:
    """'1 vehicle', '5 vehicles', 'weight 5': `unit` is one word for both, (singular, plural), or
    a template with {} for the number."""
    if isinstance(unit, str) and "{}" in unit:
        return unit.format(number_text(value))
    one, many = (unit, unit) if isinstance(unit, str) else unit
    return f"{number_text(value)} {one if float(value) == 1 else many}"


def number_text(value: float) -> str:
    """A legend number: integers plain, thousands with a thin space."""
    v = float(value)
    if v == round(v):
        return f"{int(round(v)):,}".replace(",", "\u2009")
    return f"{v:.3g}"


def nice_values(values: np.ndarray, n: int = 3) -> list[float]:
    """Up to n round values (1, 2 or 5 x 10^k) spanning the positive `values`, for size and width
    keys: the largest at or below the maximum, then half and a tenth of it."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return []
    top = _round_nice(float(values.max()), down=True)
    keys = {top} | {_round_nice(top * f) for f in (0.5, 0.1) if top * f >= float(values.min())}
    return sorted(keys)[-n:]


def integer_keys(values: np.ndarray, n: int = 3) -> list[int]:
    """Up to n integers from min to max of `values` (for counts such as chargers)."""
    values = np.asarray(values)
    if not len(values):
        return []
    lo, hi = int(values.min()), int(values.max())
    return sorted({lo, (lo + hi) // 2, hi})[:n]


def _round_nice(v: float, down: bool = False) -> float:
    base = 10 ** math.floor(math.log10(v))
    steps = [m * base for m in (1, 2, 5, 10)]
    if down:
        return max(m for m in steps if m <= v * (1 + 1e-9))
    return min(steps, key=lambda m: abs(m - v))


def _empty(handle) -> bool:
    """A plotted collection without a single item (no existing sites, say) is not worth an entry
    (a scatter of nothing has no offsets; a polygon collection has its one default offset)."""
    from matplotlib.collections import LineCollection, PathCollection

    if isinstance(handle, LineCollection):
        return not len(handle.get_segments())
    if isinstance(handle, PathCollection):
        return not len(handle.get_offsets())
    return False


def _polygonal(layer: MapLayer) -> bool:
    import shapely

    return bool(np.isin(shapely.get_type_id(layer.geometry.to_numpy()), (3, 6)).all())


def map_paths(geometry) -> list:
    """matplotlib Paths of (multi)polygons, holes included."""
    import shapely
    from matplotlib.path import Path as MPath

    out = []
    for geom in geometry.to_numpy():
        rings = []
        for poly in shapely.get_parts(geom):
            rings.append(shapely.get_coordinates(poly.exterior))
            rings += [shapely.get_coordinates(r) for r in poly.interiors]
        verts = np.vstack(rings)
        codes = np.concatenate([[MPath.MOVETO] + [MPath.LINETO] * (len(r) - 2) + [MPath.CLOSEPOLY] for r in rings])
        out.append(MPath(verts, codes))
    return out


def _rings(geometry) -> list:
    import shapely

    return [shapely.get_coordinates(r) for r in shapely.get_parts(shapely.boundary(geometry.to_numpy()))]


def _halo(text) -> None:
    from matplotlib import patheffects

    text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground=HALO)])


def _box(bbox, grow: float = 0.0) -> np.ndarray:
    return np.array([bbox.x0 - grow, bbox.y0 - grow, bbox.x1 + grow, bbox.y1 + grow])


def _clashes(box: np.ndarray, others: list) -> bool:
    return _count_clashes(box, others) > 0


def _count_clashes(box: np.ndarray, others: list) -> int:
    if not others:
        return 0
    o = np.asarray(others)
    return int(((box[0] < o[:, 2]) & (o[:, 0] < box[2]) & (box[1] < o[:, 3]) & (o[:, 1] < box[3])).sum())


def _inside(box: np.ndarray, frame) -> bool:
    return box[0] >= frame.x0 and box[1] >= frame.y0 and box[2] <= frame.x1 and box[3] <= frame.y1


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
