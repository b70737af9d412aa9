"""Checks of the per-period columns: each period's demand column in the demand layer (base fast)
or flow column in od_flows (base corridor), and its headroom column in grid_areas, exist and hold
numbers (the base model's rules for `weight` / `trucks_per_day` and `available_kw`: w_it, f_qt
>= 0, H_gt any number, no empty cell); a period without p where the base needs one."""

from __future__ import annotations

from dataclasses import replace

from siting.checks import check_numeric_field
from siting.errors import InstanceError, Problem
from siting.io.layers import Table
from siting.rollout.params import RolloutConfig

# per base: (layer, period key) of the per-period column, and the base's own column
PERIOD_LAYER = {"fast": ("demand", "demand"), "corridor": ("od_flows", "flows")}


def validate_periods(config: RolloutConfig, tables: dict[str, Table], file: str) -> None:
    problems: list[Problem] = []
    base = config.rollout.base
    layer, key = PERIOD_LAYER[base]
    params = config.base_params
    grid = tables.get("grid_areas")
    n_candidates = len(tables["candidates"].df) if "candidates" in tables else None
    for t, period in enumerate(config.rollout.periods):
        if layer in tables:
            check_numeric_field(tables[layer], getattr(period, key), 0.0, False, True)
        if grid is not None:
            check_numeric_field(grid, period.headroom, None, False, True)
        elif period.headroom != "available_kw":
            problems.append(Problem(file, f"period {period.year} names headroom column {period.headroom!r}, "
                                    "but the instance has no grid_areas layer", field=f"rollout.periods.{t}.headroom"))
        if period.p is None and params.p is None and _needs_p(base, params, period):
            problems.append(Problem(file, f"period {period.year} has no p and [{base}] sets none: how many new "
                                    "sites may be open by then?", field=f"rollout.periods.{t}.p"))
        if base == "corridor" and period.p is not None and n_candidates is not None and period.p > n_candidates:
            problems.append(Problem(file, f"period {period.year}: p = {period.p} is larger than the number of "
                                    f"candidates ({n_candidates})", field=f"rollout.periods.{t}.p"))
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(list(dict.fromkeys(problems)))


def _needs_p(base: str, params, period) -> bool:
    """fast: every objective but lscp; corridor: flow and truck_km without a budget (its own rule)."""
    if base == "fast":
        return params.objective != "lscp"
    return params.objective != "cost" and period.budget is None and params.budget is None


def with_column(table: Table, name: str, source: str) -> Table:
    """The table with column `source` copied to `name` (the column the base model reads)."""
    if source == name:
        return table
    df = table.df.copy()
    df[name] = df[source]
    return replace(table, df=df)
