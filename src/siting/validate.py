"""Named checks that run before any model is built.

Each check looks at one property of the tables and records a `Problem` per offending row, naming
file, layer, row id and field. `validate_fast` runs them all and raises one `InstanceError` that
lists every problem, so a planner can fix the whole file in one go.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.config import InstanceConfig
from siting.errors import InstanceError, Problem
from siting.io.layers import Table

MAX_REPORTED = 20  # per check and layer; a broken column should not print 10 000 lines

# layer -> field -> (minimum, integer, required)
FAST_FIELDS: dict[str, dict[str, tuple[float | None, bool, bool]]] = {
    "demand": {"weight": (0.0, False, True)},
    "candidates": {
        "fixed_cost": (0.0, False, False),
        "cost_per_charger": (0.0, False, False),
        "max_chargers": (0.0, True, False),
        "land_m2": (0.0, False, False),
    },
    "existing": {
        "chargers": (0.0, True, True),
        "power_kw": (0.0, False, False),
        "cost_per_charger": (0.0, False, False),
        "max_chargers": (0.0, True, False),
        "land_m2": (0.0, False, False),
    },
    "grid_areas": {
        "available_kw": (None, False, True),
        "upgrade_kw": (0.0, False, False),
        "upgrade_cost": (0.0, False, False),
    },
    "distances": {"distance": (0.0, False, True)},
    "graph": {"length": (0.0, False, True)},
}
KEYED_LAYERS = ("demand", "candidates", "existing", "grid_areas")
ABSURD = 1e15  # larger than any real cost, kW or weight: most likely a unit or parsing error


def check_not_empty(table: Table) -> None:
    if not table.problems and len(table.df) == 0:
        table.problem("the layer has no rows")


def check_ids(table: Table) -> None:
    if "id" not in table.df.columns:
        table.problem("required column is missing", field="id")
        return
    ids = table.df["id"]
    for k in np.flatnonzero(ids.isna().to_numpy() | (ids.astype(str).str.len() == 0).to_numpy())[:MAX_REPORTED]:
        table.problem("id is empty", row=f"#{k + 1}", field="id")
    dup = ids[ids.duplicated(keep="first") & ids.notna()]
    for value in dup.unique()[:MAX_REPORTED]:
        table.problem("duplicate id (ids must be unique within the layer)", row=str(value), field="id")


def check_numeric_field(table: Table, name: str, minimum: float | None, integer: bool, required: bool) -> None:
    """Coerce `name` to numbers in place; report text, NaN, infinity, negatives, fractions."""
    df = table.df
    if name not in df.columns:
        if required:
            table.problem("required column is missing", field=name)
        return
    raw = df[name]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    v = values.to_numpy()
    missing = raw.isna().to_numpy()
    masks = [
        (missing if required else np.zeros(len(v), bool), lambda r, x: "value is missing"),
        (~missing & np.isnan(v), lambda r, x: f"not a number: {r!r}" + (
            " (decimal comma? use a point)" if isinstance(r, str) and "," in r else "")),
        (np.isinf(v) | (np.abs(np.nan_to_num(v)) > ABSURD), lambda r, x: f"value {r!r} is infinite or absurdly large"),
    ]
    if minimum is not None:
        masks.append((v < minimum, lambda r, x: f"must be >= {minimum:g}, got {x:g}"))
    if integer:
        masks.append((np.isfinite(v) & (np.mod(np.nan_to_num(v), 1) != 0), lambda r, x: f"must be a whole number, got {x:g}"))
    labels = df["id"].astype(str).to_numpy() if "id" in df.columns else None
    for mask, message in masks:
        for k in np.flatnonzero(mask)[:MAX_REPORTED]:
            row = labels[k] if labels is not None else f"#{k + 1}"
            table.problem(message(raw.iloc[k], v[k]), row=row, field=name)
    df[name] = values


def check_reference(table: Table, name: str, known: set[str], target: str) -> None:
    """Every non-empty value of `name` must be an id of layer `target`."""
    if name not in table.df.columns:
        return
    labels = table.df["id"].astype(str) if "id" in table.df.columns else None
    count = 0
    for k, value in enumerate(table.df[name]):
        if isinstance(value, str) and value and value not in known:
            row = labels.iloc[k] if labels is not None else f"#{k + 1}"
            table.problem(f"refers to unknown {target} id '{value}'", row=row, field=name)
            count += 1
            if count >= MAX_REPORTED:
                break


def check_unique_across(first: Table, second: Table) -> None:
    both = set(first.ids().dropna()) & set(second.ids().dropna())
    for value in sorted(both)[:MAX_REPORTED]:
        second.problem(f"id also used in layer '{first.name}' (ids of sites must be unique)", row=value, field="id")


def check_locatable(table: Table, config: InstanceConfig, tables: dict[str, Table]) -> None:
    """A demand point or candidate needs a position: geometry, a graph node, or explicit pairs."""
    if table.xy is not None or table.problems:
        return
    if "graph" in tables:
        if "node" not in table.df.columns:
            table.problem("a graph instance needs a node column", field="node")
        return
    if "coverage" in tables or "distances" in tables:
        return
    if table.name in ("demand", "candidates", "existing"):
        table.problem("no geometry, no coordinates and no coverage/distances/graph layer: cannot measure distances")


def check_graph_nodes(tables: dict[str, Table]) -> None:
    graph = tables["graph"]
    for col in ("u", "v"):
        if col not in graph.df.columns:
            graph.problem("required column is missing", field=col)
    if graph.problems:
        return
    nodes = set(graph.df["u"].dropna()) | set(graph.df["v"].dropna())
    for name in ("demand", "candidates", "existing"):
        if name in tables and "node" in tables[name].df.columns:
            check_reference(tables[name], "node", nodes, "graph node")


def check_pair_table(pairs: Table, tables: dict[str, Table]) -> None:
    for col in ("demand_id", "candidate_id"):
        if col not in pairs.df.columns:
            pairs.problem("required column is missing", field=col)
    if pairs.problems:
        return
    demand = set(tables["demand"].ids().dropna()) if "demand" in tables else set()
    sites = set()
    for name in ("candidates", "existing"):
        if name in tables:
            sites |= set(tables[name].ids().dropna())
    check_reference(pairs, "demand_id", demand, "demand")
    check_reference(pairs, "candidate_id", sites, "candidate")


def check_params(config: InstanceConfig, tables: dict[str, Table], file: str) -> list[Problem]:
    params = config.fast
    problems = []
    n_new = len(tables["candidates"].df) if "candidates" in tables else 0
    if params.p is not None and params.p > n_new:
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


def validate_fast(config: InstanceConfig, tables: dict[str, Table], file: str) -> None:
    """Run every check; raise one InstanceError listing all problems."""
    problems = check_params(config, tables, file)
    for name in KEYED_LAYERS:
        if name in tables:
            check_not_empty(tables[name])
            if not tables[name].problems:
                check_ids(tables[name])
    for name, fields in FAST_FIELDS.items():
        if name in tables and not tables[name].problems:
            for field_name, (minimum, integer, required) in fields.items():
                check_numeric_field(tables[name], field_name, minimum, integer, required)
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
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(problems)
