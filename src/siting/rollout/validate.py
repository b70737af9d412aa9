"""Checks of the per-period columns: each period's demand column in the demand layer and its
headroom column in grid_areas exist and hold numbers (the fast model's rules for `weight` and
`available_kw`: w_it >= 0, H_gt any number, no empty cell)."""

from __future__ import annotations

from siting.checks import check_numeric_field
from siting.errors import InstanceError, Problem
from siting.io.layers import Table
from siting.rollout.params import RolloutConfig


def validate_periods(config: RolloutConfig, tables: dict[str, Table], file: str) -> None:
    problems: list[Problem] = []
    grid = tables.get("grid_areas")
    for t, period in enumerate(config.rollout.periods):
        check_numeric_field(tables["demand"], period.demand, 0.0, False, True)
        if grid is not None:
            check_numeric_field(grid, period.headroom, None, False, True)
        elif period.headroom != "available_kw":
            problems.append(Problem(file, f"period {period.year} names headroom column {period.headroom!r}, "
                                    "but the instance has no grid_areas layer", field=f"rollout.periods.{t}.headroom"))
        if period.p is None and config.fast.p is None and config.fast.objective != "lscp":
            problems.append(Problem(file, f"period {period.year} has no p and [fast] sets none: how many new "
                                    "sites may be open by then?", field=f"rollout.periods.{t}.p"))
    for table in tables.values():
        problems.extend(table.problems)
    if problems:
        raise InstanceError(list(dict.fromkeys(problems)))

