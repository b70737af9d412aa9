"""Named checks that run before any model is built.

Each check looks at one property of the tables and records a `Problem` per offending row, naming
file, layer, row id and field. `validate_fast` runs them all and raises one `InstanceError` that
lists every problem, so a planner can fix the whole file in one go.
"""

from __future__ import annotations

import functools

import numpy as np

from siting.checks import (
    MAX_REPORTED,
    SITE_FIELDS,
    Fields,
    check_fields,
    check_ids,
    check_map_layers,
    check_not_empty,
    check_reference,
    check_text_field,
    check_unique_across,
    missing_column_message,
)
from siting.config import InstanceConfig
from siting.errors import InstanceError, Problem
from siting.io.layers import Table

# layer -> field -> (minimum, integer, required)
FAST_FIELDS: Fields = {
    "demand": {"weight": (0.0, False, True)},
    **SITE_FIELDS,
    "distances": {"distance": (0.0, False, True)},
    "graph": {"length": (0.0, False, True)},
}
KEYED_LAYERS = ("demand", "candidates", "existing", "grid_areas")


def check_locatable(table: Table, config: InstanceConfig, tables: dict[str, Table]) -> None:
    """A demand point or candidate needs a position: geometry, a graph node, or explicit pairs."""
    if table.problems:
        return
    if "graph" in tables:  # distances are shortest paths: every point needs its node, coordinates or not
        if "node" not in table.df.columns:
            table.problem("a graph instance needs a node column (the graph node of each row)", field="node")
        return
    if table.xy is not None:
        return
    if "coverage" in tables or "distances" in tables:
        return
    if table.name in ("demand", "candidates", "existing"):
        table.problem("no geometry, no coordinates and no coverage/distances/graph layer: cannot measure distances")


def check_graph_nodes(tables: dict[str, Table]) -> None:
    graph = tables["graph"]
    for col in ("u", "v"):
        if col not in graph.df.columns:
            graph.problem(missing_column_message(graph, col), field=col)
    if graph.problems:
        return
    for col in ("u", "v"):
        check_text_field(graph, col, required=True)
    nodes = set(graph.df["u"].dropna()) | set(graph.df["v"].dropna())
    for name in ("demand", "candidates", "existing"):
        if name in tables and "node" in tables[name].df.columns:
            check_text_field(tables[name], "node")  # distances are shortest paths: no node, no distance
            check_reference(tables[name], "node", nodes, "graph node")


def check_pair_table(pairs: Table, tables: dict[str, Table]) -> None:
    for col in ("demand_id", "candidate_id"):
        if col not in pairs.df.columns:
            pairs.problem(missing_column_message(pairs, col), field=col)
    if pairs.problems:
        return
    demand = set(tables["demand"].ids().dropna()) if "demand" in tables else set()
    sites = set()
    for name in ("candidates", "existing"):
        if name in tables:
            sites |= set(tables[name].ids().dropna())
    check_reference(pairs, "demand_id", demand, "demand", required=True)
    check_reference(pairs, "candidate_id", sites, "candidate", required=True)


def check_params(config: InstanceConfig, tables: dict[str, Table], file: str) -> list[Problem]:
    params = config.fast
    problems = []
    n_new = len(tables["candidates"].df) if "candidates" in tables else 0
    readable = "candidates" in tables and not tables["candidates"].problems
    if params.p is not None and params.p > n_new and readable:
        problems.append(Problem(file, f"p = {params.p} is larger than the number of candidates ({n_new})", field="fast.p"))
    explicit = "coverage" in tables
    if params.objective in ("lscp", "mclp", "capacitated") and params.radius is None and not explicit:
        problems.append(Problem(file, f"objective {params.objective} needs a radius (or a coverage layer)", field="fast.radius"))
    if params.objective == "pmedian" and explicit and "distances" not in tables:
        problems.append(Problem(file, "pmedian needs distances (geometry, a graph or a distances layer), not only coverage pairs", field="fast.objective"))
    if params.objective in ("mclp", "pmedian") and params.p is None and params.budget is None:
        problems.append(Problem(file, f"objective {params.objective} needs p (number of new sites) or a budget", field="fast.p"))
    for name in ("demand", "candidates"):
        if name not in tables:
            problems.append(Problem(file, f"layer '{name}' is required by the fast model", field=f"layers.{name}"))
    return problems


FAR_M = 100_000.0  # a point this far (or one instance width, if larger) from all other layers is misplaced
AREA_MARGIN_DEG = 1.0  # slack around the CRS's area of use (border regions, offshore sites)


def check_region(tables: dict[str, Table], crs: str | None) -> None:
    """Points must lie where the instance is: inside the CRS's area of use and near the other layers.

    Two rules, each catching what the other misses:
    - area of use: a point outside the area where the instance CRS is defined (widened by
      AREA_MARGIN_DEG, or a quarter of the area if larger) is in the wrong place - lon/lat
      typed as metres, a coordinate from another continent;
    - outlier: a point more than max(FAR_M, the diagonal of the other layers' bounding box) from
      that bounding box - swapped x/y, a layer in another CRS than declared.
    Abstract instances without a CRS are not checked.
    """
    if crs is None:
        return
    located = {name: t for name, t in tables.items() if t.xy is not None and len(t.xy) and not t.problems}
    if not located:
        return
    flagged = _outside_area_of_use(located, crs)
    if len(located) < 2:
        return
    for name, table in located.items():
        others = np.vstack([t.xy for n, t in located.items() if n != name])
        lo, hi = others.min(axis=0), others.max(axis=0)
        limit = max(FAR_M, float(np.hypot(*(hi - lo))))
        gap = np.hypot(*np.maximum(np.maximum(lo - table.xy, table.xy - hi), 0.0).T)
        far = np.flatnonzero((gap > limit) & ~flagged[name])
        _report_points(table, far, lambda k, gap=gap: f"lies {gap[k] / 1000:,.0f} km from the bounding box of "
                       "the other layers: swapped x/y, or coordinates in another CRS than declared?")


@functools.lru_cache(maxsize=8)
def _area_of_use(crs: str):
    """(west, south, east, north, name) of the CRS's area of use and a transformer to lon/lat, or None."""
    from pyproj import CRS, Transformer

    target = CRS.from_user_input(crs)
    area = target.area_of_use
    if area is None or area.east < area.west:  # unknown, or across the antimeridian: not checked
        return None
    name = area.name.split(",")[0].split(" - ")[0]
    return (*area.bounds, name, Transformer.from_crs(target, "EPSG:4326", always_xy=True))


def _outside_area_of_use(located: dict[str, Table], crs: str) -> dict[str, np.ndarray]:
    """Per layer, which points lie outside the CRS's area of use (reported here)."""
    outside = {name: np.zeros(len(t.xy), bool) for name, t in located.items()}
    area = _area_of_use(crs)
    if area is None:
        return outside
    west, south, east, north, region, to_lonlat = area
    margin = max(AREA_MARGIN_DEG, 0.25 * max(east - west, north - south))
    xy = np.vstack([t.xy for t in located.values()])
    lon, lat = (np.asarray(a) for a in to_lonlat.transform(xy[:, 0], xy[:, 1]))
    out = ~((lon >= west - margin) & (lon <= east + margin) & (lat >= south - margin) & (lat <= north + margin))
    start = 0
    for name, table in located.items():
        part = slice(start, start + len(table.xy))
        start = part.stop
        outside[name] = out[part]
        lo, la = lon[part], lat[part]
        _report_points(table, np.flatnonzero(out[part]), lambda k, lo=lo, la=la: (
            f"lies outside the area of {crs} ({region}): at lon {lo[k]:.2f}, lat {la[k]:.2f} - wrong "
            "coordinates, or coordinates in another CRS than declared?"))
    return outside


def _report_points(table: Table, rows: np.ndarray, message) -> None:
    """One problem per misplaced point; one for the layer when every point is misplaced."""
    if not len(rows):
        return
    labels = table.df["id"].astype(str).to_numpy() if "id" in table.df.columns else None

    def label(k: int) -> str:
        return labels[k] if labels is not None and labels[k] not in ("", "nan") else f"#{k + 1}"

    if len(rows) == len(table.xy) > 1:
        degrees = bool((np.abs(table.xy[:, 0]) <= 180).all() and (np.abs(table.xy[:, 1]) <= 90).all())
        hint = "; the values look like longitude/latitude: use lon = / lat = in instance.toml" if degrees else ""
        table.problem(f"all {len(rows)} points of the layer are misplaced, the first {message(rows[0])}{hint}",
                      row=label(rows[0]), field=table.xy_field)
        return
    for k in rows[:MAX_REPORTED]:
        table.problem(message(k), row=label(k), field=table.xy_field)
    if len(rows) > MAX_REPORTED:
        table.problem(f"... and {len(rows) - MAX_REPORTED} more rows like these", field=table.xy_field)


def _unique(problems: list[Problem]) -> list[Problem]:
    """One line per defect: a file that cannot be read is named once, not once per layer in it."""
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.message, p.row, p.field)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def validate_fast(config: InstanceConfig, tables: dict[str, Table], file: str) -> None:
    """Run every check; raise one InstanceError listing all problems."""
    problems: list[Problem] = []
    for name in KEYED_LAYERS:
        if name in tables:
            check_not_empty(tables[name])
            if not tables[name].problems:
                check_ids(tables[name])
    check_fields(tables, FAST_FIELDS)
    check_map_layers(tables)
    if "candidates" in tables and "existing" in tables:
        check_unique_across(tables["candidates"], tables["existing"])
    if "grid_areas" in tables:
        known = set(tables["grid_areas"].ids().dropna())
        for name in ("candidates", "existing"):
            if name in tables:
                check_reference(tables[name], "grid_area", known, "grid area")
    for name in ("demand", "candidates", "existing"):
        if name in tables:
            check_locatable(tables[name], config, tables)
    if "graph" in tables:
        check_graph_nodes(tables)
    for name in ("coverage", "distances"):
        if name in tables and not tables[name].problems:
            check_pair_table(tables[name], tables)
    check_region(tables, config.crs)
    problems.extend(check_params(config, tables, file))  # after the layer checks: p needs readable candidates
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(_unique(problems))
