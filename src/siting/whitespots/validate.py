"""Checks of a white-spot instance before anything is computed: every problem is named by file, layer,
row and field, all of them in one InstanceError (exit 2, nothing written).

The empty-cell rule is the one of every model (src/siting/checks.py): an absent optional column takes
its default, an empty cell in a present column is an error; `grid_area` and `name` are lookups.
"""

from __future__ import annotations

import numpy as np

from siting.checks import (
    SITE_FIELDS,
    check_fields,
    check_ids,
    check_map_layers,
    check_not_empty,
    check_reference,
    check_text_field,
    raise_if_problems,
)
from siting.errors import Problem
from siting.io.layers import Table
from siting.whitespots.cells import check_cells
from siting.whitespots.params import PROCEDURES, STATUSES, WhitespotsConfig

REQUIRED = ("cells", "public_points", "plan_locations", "municipalities")
FIELDS = {
    "plan_locations": {"land_m2": (0.0, False, False)},
    "grid_areas": SITE_FIELDS["grid_areas"],
}


def _needs_points(table: Table) -> None:
    if not table.problems and table.xy is None:
        table.problem("the layer needs point geometry (or x/y or lon/lat columns in instance.toml)", field="geometry")


def validate_whitespots(config: WhitespotsConfig, tables: dict[str, Table], toml_file: str) -> None:
    problems = [Problem(toml_file, f"layer '{name}' is required for the white-spot analysis", field=f"layers.{name}")
                for name in REQUIRED if name not in config.layers]
    if problems:
        raise_if_problems(problems, {})
    cells = tables["cells"]
    if not cells.problems:
        check_not_empty(cells)
    if not cells.problems:
        check_cells(cells)
    for name in ("public_points", "plan_locations", "grid_areas"):
        if name in tables and not tables[name].problems:
            table = tables[name]
            if name != "public_points":  # no public points at all is a region without chargers: allowed
                check_not_empty(table)
            check_ids(table)
            _needs_points(table)
    check_fields(tables, FIELDS)
    _check_municipalities(tables["municipalities"])
    check_map_layers({k: v for k, v in tables.items() if k == "region"})
    plan = tables["plan_locations"]
    if not plan.problems:
        check_text_field(plan, "status", required=True, choices=STATUSES)
        check_text_field(plan, "gemeente", required=True)
        muni = tables["municipalities"]
        if not muni.problems:
            known = set(muni.ids().dropna()) | set(muni.df["name"].dropna().astype(str))
            check_reference(plan, "gemeente", known, "municipality (id or name)")
        if "grid_areas" in tables and not tables["grid_areas"].problems:
            check_reference(plan, "grid_area", set(tables["grid_areas"].ids().dropna()), "grid area")
    raise_if_problems([], tables)


def _check_municipalities(table: Table) -> None:
    if table.problems:
        return
    check_not_empty(table)
    if table.problems:
        return
    check_ids(table)
    check_text_field(table, "name", required=True)
    check_text_field(table, "procedure", required=True, choices=PROCEDURES)
    if table.geometry is None and not table.problems:
        table.problem("municipalities need polygon geometry (the cells are assigned by their centre)",
                      field="geometry")
    if "name" in table.df.columns:
        names = table.df["name"].dropna().astype(str)
        for value in np.unique(names[names.duplicated()])[:5]:
            table.problem("duplicate municipality name (plan-map rows may name their municipality)", row=value,
                          field="name")
