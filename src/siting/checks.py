"""The validation kit every model uses: named checks that record a `Problem` per offending row,
and the `Certificate` an independent checker returns.

Each check looks at one property of a table and records its problems on the table (naming file,
layer, row id and field); a model's `validate` module runs the checks it needs and raises one
`InstanceError` listing every problem, so a planner can fix the whole file in one go.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siting.config import ABSURD, InstanceConfig  # ABSURD: larger than any real cost, kW or weight
from siting.errors import InstanceError, Problem
from siting.io.layers import Table

MAX_REPORTED = 20  # per check and layer; a broken column should not print 10 000 lines
MAX_NAMED = 5  # ids named in one sentence of a screen or report



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
            table.problem(missing_column_message(table, name), field=name)
        return
    raw = df[name]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    v = values.to_numpy()
    missing = raw.isna().to_numpy()
    masks = [
        (missing if required else np.zeros(len(v), bool), lambda r, x: "value is missing"),
        (~missing & np.isnan(v), lambda r, x: f"not a number: {_shown(r)}" + (
            " (decimal comma? use a point)" if isinstance(r, str) and "," in r else "")),
        (np.isinf(v) | (np.abs(np.nan_to_num(v)) > ABSURD),
         lambda r, x: f"value {_shown(r)} is infinite or absurdly large (limit {ABSURD:g})"),
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


def _shown(raw) -> str:
    """A cell as the user wrote it: text quoted, numbers plain (no numpy reprs)."""
    if isinstance(raw, str):
        return repr(raw)
    try:
        return f"{float(raw):g}"
    except (TypeError, ValueError):
        return repr(raw)


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


# the site layers every model shares: layer -> field -> (minimum, integer, required)
SITE_FIELDS: dict[str, dict[str, tuple[float | None, bool, bool]]] = {
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
