"""The validation kit every model uses: named checks that record a `Problem` per offending row,
and the `Certificate` an independent checker returns.

Each check looks at one property of a table and records its problems on the table (naming file,
layer, row id and field); a model's `validate` module runs the checks it needs and raises one
`InstanceError` listing every problem, so a planner can fix the whole file in one go.

The rule for empty cells and absent columns, the same in every model (README, "Input"):
- a column that is absent takes its documented default (or, when it is required, is an error);
- an empty cell in a column that is present - a blank CSV cell, NULL/NaN in a GeoPackage - is an
  error naming the file, layer, row (its id, else its number) and field. A default is never
  filled in per cell: a blank price is not a free charger. The only columns where an empty cell
  means something are the lookups listed in LOOKUP_COLUMNS ("not given: look it up").
`check_numeric_field`, `check_text_field` and `check_reference` apply it; `fields_of` lists the
fields of a layer; `check_map_layer` checks a layer that is only drawn (ids, geometry, numbers).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siting.config import ABSURD, InstanceConfig  # ABSURD: larger than any real cost, kW or weight
from siting.errors import InstanceError, Problem
from siting.io.layers import Table, empty_cells, row_labels

MAX_REPORTED = 20  # per check and layer; a broken column should not print 10 000 lines
MAX_NAMED = 5  # ids named in one sentence of a screen or report
EMPTY_CELL = "value is missing (an empty cell: a default applies only when the whole column is left out)"
# layer -> field -> (minimum, integer, required): a numeric field and how it is checked
Fields = dict[str, dict[str, tuple[float | None, bool, bool]]]
# text columns where an empty cell is allowed and means "not given": the site's grid area, search
# area and road node are then found from its geometry; a tier without `square` applies to every
# square; a road without `road` / `tent` is an ordinary road, not TEN-T; `name` is only shown.
LOOKUP_COLUMNS = ("grid_area", "search_area", "node", "square", "road", "tent", "name")


def missing_column_message(table: Table, name: str) -> str:
    """ "required column is missing", naming a near miss the file does have ('Weight', 'gewicht ')."""
    columns = [str(c) for c in table.df.columns]
    near = [c for c in columns if c.strip().lower() == name] or difflib.get_close_matches(name, columns, n=1, cutoff=0.75)
    return f"required column is missing; the file has {near[0]!r}: rename it to {name!r}" if near else \
        "required column is missing"


def check_not_empty(table: Table) -> None:
    if not table.problems and len(table.df) == 0:
        table.problem("the layer has no rows")


def check_ids(table: Table) -> None:
    if "id" not in table.df.columns:
        table.problem(missing_column_message(table, "id"), field="id")
        return
    ids = table.df["id"]
    for k in np.flatnonzero(empty_cells(ids))[:MAX_REPORTED]:
        table.problem("id is empty", row=f"#{k + 1}", field="id")
    dup = ids[ids.duplicated(keep="first") & ids.notna()]
    for value in dup.unique()[:MAX_REPORTED]:
        table.problem("duplicate id (ids must be unique within the layer)", row=str(value), field="id")


def check_numeric_field(table: Table, name: str, minimum: float | None, integer: bool, required: bool) -> None:
    """Coerce `name` to numbers in place; report empty cells, text, NaN, infinity, negatives,
    fractions. `required`: the column must be present (else it takes its default); an empty cell
    is an error either way."""
    df = table.df
    if name not in df.columns:
        if required:
            table.problem(missing_column_message(table, name), field=name)
        return
    raw = df[name]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    v = values.to_numpy()
    missing = empty_cells(raw)
    masks = [
        (missing, lambda r, x: EMPTY_CELL),
        (~missing & np.isnan(v), lambda r, x: f"not a number: {_shown(r)}" + (
            " (decimal comma? use a point)" if isinstance(r, str) and "," in r else "")),
        (np.isinf(v) | (np.abs(np.nan_to_num(v)) > ABSURD),
         lambda r, x: f"value {_shown(r)} is infinite or absurdly large (limit {ABSURD:g})"),
    ]
    if minimum is not None:
        masks.append((v < minimum, lambda r, x: f"must be >= {minimum:g}, got {x:g}"))
    if integer:
        masks.append((np.isfinite(v) & (np.mod(np.nan_to_num(v), 1) != 0), lambda r, x: f"must be a whole number, got {x:g}"))
    labels = row_labels(df)
    for mask, message in masks:
        for k in np.flatnonzero(mask)[:MAX_REPORTED]:
            table.problem(message(raw.iloc[k], v[k]), row=labels[k], field=name)
    df[name] = values


def check_fields(tables: dict[str, Table], fields: Fields) -> None:
    """`check_numeric_field` for every declared field of every layer given (and readable)."""
    for name, spec in fields.items():
        if name in tables and not tables[name].problems:
            for field_name, (minimum, integer, required) in spec.items():
                check_numeric_field(tables[name], field_name, minimum, integer, required)


def check_text_field(table: Table, name: str, required: bool = False, choices: tuple[str, ...] | None = None) -> None:
    """A text column (a contract, a profile, a vehicle kind): no empty cells where it is present;
    with `choices`, each value one of them."""
    df = table.df
    if name not in df.columns:
        if required:
            table.problem(missing_column_message(table, name), field=name)
        return
    labels = row_labels(df)
    for k in np.flatnonzero(empty_cells(df[name]))[:MAX_REPORTED]:
        table.problem(EMPTY_CELL, row=labels[k], field=name)
    if choices is not None:
        count = 0
        for k, value in enumerate(df[name]):
            if isinstance(value, str) and value.strip() and value not in choices:
                table.problem(f"{name} must be one of {', '.join(choices)}, got {value!r}", row=labels[k], field=name)
                count += 1
                if count >= MAX_REPORTED:
                    break


def _shown(raw) -> str:
    """A cell as the user wrote it: text quoted, numbers plain (no numpy reprs)."""
    if isinstance(raw, str):
        return repr(raw)
    try:
        return f"{float(raw):g}"
    except (TypeError, ValueError):
        return repr(raw)


def check_reference(table: Table, name: str, known: set[str], target: str, required: bool = False) -> None:
    """Every value of `name` must be an id of layer `target`. An empty cell is an error too, unless
    `name` is a lookup column (LOOKUP_COLUMNS: empty = not given); `required`: the column must be
    present."""
    if name not in table.df.columns:
        if required:
            table.problem(missing_column_message(table, name), field=name)
        return
    labels = row_labels(table.df)
    if name not in LOOKUP_COLUMNS:
        for k in np.flatnonzero(empty_cells(table.df[name]))[:MAX_REPORTED]:
            table.problem(EMPTY_CELL, row=labels[k], field=name)
    count = 0
    for k, value in enumerate(table.df[name]):
        if isinstance(value, str) and value.strip() and value not in known:
            table.problem(f"refers to unknown {target} id '{value}'", row=labels[k], field=name)
            count += 1
            if count >= MAX_REPORTED:
                break


def check_map_layer(table: Table, fields: dict[str, tuple[float | None, bool, bool]]) -> None:
    """A layer the instance names only to draw it (business parks, the region outline, the
    municipalities) is input like any other: rows, unique ids, a geometry on every row (read_layer
    reports bad ones) and its declared numbers."""
    if table.problems:
        return
    check_not_empty(table)
    if table.problems:
        return
    check_ids(table)
    if table.xy is None and not table.problems:
        table.problem("a map layer needs geometry (points or polygons)", field="geometry")
    for name, (minimum, integer, required) in fields.items():
        check_numeric_field(table, name, minimum, integer, required)


def check_unique_across(first: Table, second: Table) -> None:
    both = set(first.ids().dropna()) & set(second.ids().dropna())
    for value in sorted(both)[:MAX_REPORTED]:
        second.problem(f"id also used in layer '{first.name}' (ids of sites must be unique)", row=value, field="id")


# the site layers every model shares: layer -> field -> (minimum, integer, required)
SITE_FIELDS: Fields = {
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
}


# layers an instance names only to draw them on the map: layer -> its numeric fields
MAP_LAYERS: Fields = {
    "region": {},
    "municipalities": {"inwoners_2023": (0.0, True, False)},  # outlines and names (CBS gemeenten); population
    "parks": {"ha_bruto": (0.0, False, False)},  # gross area of the business park (IBIS), ha
}


def check_map_layers(tables: dict[str, Table]) -> None:
    for name, fields in MAP_LAYERS.items():
        if name in tables:
            check_map_layer(tables[name], fields)


def check_crs(config: InstanceConfig, file: str) -> list[Problem]:
    """The instance CRS must exist and be projected (distances in metres), before any layer is read."""
    if config.crs is None:
        return []
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(config.crs)
    except CRSError:
        return [Problem(file, f"unknown CRS {config.crs!r}: use an EPSG code such as \"EPSG:28992\"", field="crs")]
    if crs.is_geographic:
        return [Problem(file, f"{config.crs} is geographic (degrees); distances need a projected CRS in metres, "
                              "e.g. EPSG:28992 (Netherlands) or a UTM zone", field="crs")]
    return []


def raise_if_problems(problems: list[Problem], tables: dict[str, Table]) -> None:
    problems = list(problems)
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(problems)


def named(ids, limit: int = MAX_NAMED) -> str:
    """Up to `limit` ids, then "and N more" (for messages that name rows)."""
    ids = [str(i) for i in ids]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


@dataclass
class Certificate:
    objective: float
    kpis: dict
    violations: list[str] = field(default_factory=list)
    # arrays the checker computed that the result writers reuse (not written to summary.json)
    details: dict = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations
