"""Named checks of a corridor instance, run before anything is built (reuses siting.fast.validate).

Every problem names file, layer, row id and field; `validate_corridor` raises one InstanceError
listing all of them (exit code 2 in the CLI).
"""

from __future__ import annotations

import numpy as np

from siting.checks import (
    EMPTY_CELL,
    MAX_REPORTED,
    SITE_FIELDS,
    Fields,
    check_fields,
    check_ids,
    check_map_layers,
    check_not_empty,
    check_numeric_field,
    check_reference,
    check_unique_across,
)
from siting.config import InstanceConfig
from siting.errors import InstanceError, Problem
from siting.io.layers import Table, empty_cells, row_labels

CORRIDOR_FIELDS: Fields = {
    "candidates": SITE_FIELDS["candidates"],
    "existing": SITE_FIELDS["existing"],
    "grid_areas": SITE_FIELDS["grid_areas"],
    "od_flows": {"trucks_per_day": (0.0, False, True)},
    "search_areas": {"min_sites": (0.0, True, False), "max_sites": (0.0, True, False)},
}
KEYED = ("candidates", "existing", "grid_areas", "search_areas", "road_nodes", "od_points")
REQUIRED = ("roads", "od_flows", "candidates")


def length_column(roads: Table) -> str:
    return "length_km" if "length_km" in roads.df.columns or "length" not in roads.df.columns else "length"


def check_roads(roads: Table) -> None:
    """u, v present; length_km (or length) a number > 0 on every row; no self-loops."""
    for col in ("u", "v"):
        if col not in roads.df.columns:
            roads.problem("required column is missing", field=col)
    if roads.problems:
        return
    col = length_column(roads)
    check_numeric_field(roads, col, 0.0, False, True)
    values = roads.df[col].to_numpy(dtype=float) if col in roads.df.columns else np.zeros(0)
    labels = _labels(roads)
    for k in np.flatnonzero(values == 0)[:MAX_REPORTED]:
        roads.problem("road length must be > 0, got 0", row=labels[k], field=col)
    for col_name in ("u", "v"):
        for k in np.flatnonzero(empty_cells(roads.df[col_name]))[:MAX_REPORTED]:
            roads.problem("node id is empty", row=labels[k], field=col_name)
    loops = np.flatnonzero((roads.df["u"] == roads.df["v"]).to_numpy())
    for k in loops[:MAX_REPORTED]:
        roads.problem("a road from a node to itself", row=labels[k], field="v")


def _labels(table: Table) -> list[str]:
    return list(row_labels(table.df))


def check_od_ends(od: Table, known: set[str], target: str) -> None:
    """Both ends of every OD flow are given, known, and not the same place."""
    labels = _labels(od)
    for col in ("origin", "destination"):
        if col not in od.df.columns:
            od.problem("required column is missing", field=col)
            continue
        empty = empty_cells(od.df[col])
        for k in np.flatnonzero(empty)[:MAX_REPORTED]:
            od.problem(EMPTY_CELL, row=labels[k], field=col)
        count = 0
        for k, value in enumerate(od.df[col]):
            if not empty[k] and (not isinstance(value, str) or value not in known):
                od.problem(f"refers to unknown {target} '{value}'", row=labels[k], field=col)
                count += 1
                if count >= MAX_REPORTED:
                    break
    if {"origin", "destination"} <= set(od.df.columns):
        o, d = od.df["origin"], od.df["destination"]
        same = np.flatnonzero((o == d).to_numpy() & ~empty_cells(o))
        for k in same[:MAX_REPORTED]:
            od.problem(f"origin and destination are the same {target} '{o.iloc[k]}': a flow must go "
                       "somewhere (drop the row)", row=labels[k], field="destination")


def check_params(config: InstanceConfig, tables: dict[str, Table], file: str) -> list[Problem]:
    p = config.corridor
    problems = []
    for name in REQUIRED:
        if name not in tables:
            problems.append(Problem(file, f"layer '{name}' is required by the corridor model", field=f"layers.{name}"))
    n_new = len(tables["candidates"].df) if "candidates" in tables else 0
    if p.p is not None and p.p > n_new:
        problems.append(Problem(file, f"p = {p.p} is larger than the number of candidates ({n_new})", field="corridor.p"))
    if p.objective in ("flow", "truck_km") and p.p is None and p.budget is None:
        problems.append(Problem(file, f"objective {p.objective} needs p (number of new stations) or a budget",
                                field="corridor.p"))
    if p.inside_only and "search_areas" not in tables:
        problems.append(Problem(file, "inside_only needs a search_areas layer", field="corridor.inside_only"))
    return problems


def check_area_limits(areas: Table) -> None:
    df = areas.df
    if "min_sites" in df.columns and "max_sites" in df.columns:
        labels = _labels(areas)
        lo, hi = df["min_sites"].to_numpy(float), df["max_sites"].to_numpy(float)
        for k in np.flatnonzero(np.isfinite(lo) & np.isfinite(hi) & (lo > hi))[:MAX_REPORTED]:
            areas.problem(f"min_sites {lo[k]:g} > max_sites {hi[k]:g}", row=labels[k], field="min_sites")


def validate_corridor(config: InstanceConfig, tables: dict[str, Table], file: str,
                      extra: list[Problem] | None = None) -> None:
    """Run every check; raise one InstanceError listing all problems (and the `extra` ones)."""
    problems = check_params(config, tables, file) + list(extra or [])
    for name in KEYED:
        if name in tables:
            check_not_empty(tables[name])
            if not tables[name].problems:
                check_ids(tables[name])
    for name in ("roads", "od_flows"):
        if name in tables:
            check_not_empty(tables[name])
    if "roads" in tables and not tables["roads"].problems:
        check_roads(tables["roads"])
        check_roads_reference_nodes(tables)
    check_fields(tables, CORRIDOR_FIELDS)
    check_map_layers(tables)
    if "search_areas" in tables and not tables["search_areas"].problems:
        check_area_limits(tables["search_areas"])
    if "candidates" in tables and "existing" in tables:
        check_unique_across(tables["candidates"], tables["existing"])
    for ref, layer in (("grid_area", "grid_areas"), ("search_area", "search_areas")):
        if layer in tables:
            known = set(tables[layer].ids().dropna())
            for name in ("candidates", "existing"):
                if name in tables:
                    check_reference(tables[name], ref, known, layer.replace("_", " ").rstrip("s"))
        else:
            for name in ("candidates", "existing"):
                if name in tables and ref in tables[name].df.columns and tables[name].df[ref].notna().any():
                    tables[name].problem(f"a {ref} is given but the instance has no '{layer}' layer", field=ref)
    nodes = road_node_ids(tables)
    if "od_flows" in tables and not tables["od_flows"].problems and nodes is not None:
        if "od_points" in tables:
            check_od_ends(tables["od_flows"], set(tables["od_points"].ids().dropna()), "od point")
        else:
            check_od_ends(tables["od_flows"], nodes, "road node")
            if not tables["od_flows"].problems:
                check_od_connected(tables)
    for name in ("candidates", "existing"):
        if name in tables and not tables[name].problems:
            table = tables[name]
            if "node" in table.df.columns and nodes is not None:
                check_reference(table, "node", nodes, "road node")
            elif table.xy is None:
                table.problem("a site needs a road node: give a `node` column or point geometry / coordinates to snap")
    if "od_points" in tables and tables["od_points"].xy is None and not tables["od_points"].problems:
        tables["od_points"].problem("od points need point geometry or coordinates (they are snapped to road nodes)")
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(problems)


def road_node_ids(tables: dict[str, Table]) -> set[str] | None:
    """Node ids of the road graph: the road_nodes layer, else every u and v of the roads."""
    if "road_nodes" in tables and not tables["road_nodes"].problems:
        return set(tables["road_nodes"].ids().dropna())
    roads = tables.get("roads")
    if roads is None or roads.problems or "u" not in roads.df.columns or "v" not in roads.df.columns:
        return None
    return set(roads.df["u"].dropna()) | set(roads.df["v"].dropna())


def check_roads_reference_nodes(tables: dict[str, Table]) -> None:
    """With a road_nodes layer, every u and v must be one of its ids."""
    if "road_nodes" not in tables or "roads" not in tables:
        return
    known = set(tables["road_nodes"].ids().dropna())
    roads = tables["roads"]
    labels = _labels(roads)
    count = 0
    for col in ("u", "v"):
        if col not in roads.df.columns:
            continue
        for k, value in enumerate(roads.df[col]):
            if isinstance(value, str) and value not in known:
                roads.problem(f"refers to unknown road node '{value}'", row=labels[k], field=col)
                count += 1
                if count >= MAX_REPORTED:
                    return


def check_od_connected(tables: dict[str, Table]) -> None:
    """OD ends given as road node ids (no od_points layer) must be joined by a road path.

    The table names two nodes of the user's own graph, so no path means the graph or the table is
    wrong (a missing or mistyped road): an error naming the OD row. OD ends given as od_points are
    snapped, and a point that lands on a detached road piece is excluded and listed instead
    (load_corridor; `corridor.strict` makes that an error too)."""
    if "od_points" in tables or "od_flows" not in tables or "roads" not in tables:
        return
    od, roads = tables["od_flows"], tables["roads"]
    if od.problems or roads.problems or not {"origin", "destination"} <= set(od.df.columns):
        return
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    ids = road_node_ids(tables) or set()
    index = {n: k for k, n in enumerate(sorted(ids))}
    u = np.array([index.get(a, -1) for a in roads.df["u"]])
    v = np.array([index.get(b, -1) for b in roads.df["v"]])
    ok = (u >= 0) & (v >= 0)
    graph = coo_array((np.ones(int(ok.sum())), (u[ok], v[ok])), shape=(len(index), len(index)))
    _, label = connected_components(graph, directed=False)
    size = np.bincount(label)
    labels = _labels(od)
    count = 0
    for k, (a, b) in enumerate(zip(od.df["origin"], od.df["destination"], strict=True)):
        if a not in index or b not in index or a == b or label[index[a]] == label[index[b]]:
            continue  # unknown ids are reported by check_od_ends
        od.problem(f"no path in the road graph from origin '{a}' to destination '{b}': they lie in separate parts "
                   f"of the graph ({size[label[index[a]]]} and {size[label[index[b]]]} nodes); a road is missing "
                   "or an OD end is mistyped", row=labels[k], field="origin/destination")
        count += 1
        if count >= MAX_REPORTED:
            return


def check_scenarios(folder, tables: dict[str, Table], data: dict) -> list[Problem]:
    """Every scenario file in the instance's `scenarios/` folder names sites, search areas and grid
    areas that exist, and sets valid parameters: a broken option is found before a compare or a
    sweep runs it."""
    from pathlib import Path

    from siting.config import apply_overrides, did_you_mean, parse_config
    from siting.corridor.params import CorridorConfig
    from siting.corridor.scenario import load_scenario

    problems: list[Problem] = []
    folder = Path(folder) / "scenarios"
    if not folder.is_dir():
        return problems
    ids = {"site": set(), "search area": set(), "grid area": set()}
    for layer, what in (("candidates", "site"), ("existing", "site"), ("search_areas", "search area"),
                        ("grid_areas", "grid area")):
        if layer in tables and "id" in tables[layer].df.columns:
            ids[what] |= set(tables[layer].df["id"].dropna().astype(str))
    for path in sorted(folder.glob("*.toml")):
        try:
            scenario = load_scenario(path)
            parse_config(apply_overrides(data, scenario.overrides(), str(path)), CorridorConfig, str(path))
        except InstanceError as err:
            problems.extend(err.problems)
            continue
        wanted = [("sites.open", "site", scenario.sites.open), ("sites.closed", "site", scenario.sites.closed),
                  ("search_areas.allowed", "search area", scenario.search_areas.allowed or []),
                  ("grid.extra_kw", "grid area", list(scenario.grid.extra_kw)),
                  ("grid.items.substation", "grid area", [item.substation for item in scenario.grid.items])]
        for field_name, what, values in wanted:
            known = {v: v for v in ids[what]}
            for value in values[:MAX_REPORTED]:
                if value not in known:
                    problems.append(Problem(str(path), f"unknown {what} id '{value}'{did_you_mean(value, known)}",
                                            row=value, field=field_name))
    return problems
