"""What the rollout needs of its base model, one `Base` per model (`rollout.base`): how to read
the per-period instances, the data every period shares (fast: the pairs; corridor: the paths and
arc-cover sets), the single-year model and its read-back, the warm-start vector, the single-year
run a map is drawn from, and a few report figures. The rollout's own code (stacking, lock-in,
year by year, checker, report, quarterly plan) is the same for every base.

The base solutions share `open`, `chargers` and `upgrades`; the base instances share the site
and grid fields (`site_ids`, `is_existing`, `existing_chargers`, `grid`, `grid_of_site`,
`site_xy`, `params.kw_per_charger`, `params.simultaneity`, `params.p`, `params.budget`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from siting.formulation import Formulation


@dataclass(frozen=True)
class Base:
    name: str
    load: Callable  # (folder, config, toml_file) -> tuple of single-year instances, one per period
    precompute: Callable  # (first instance) -> data shared by every period
    build: Callable  # (instance, data) -> Formulation
    extract: Callable  # (form, instance, x, data) -> solution
    vector: Callable  # (form, instance, data, solution, x of its own solve) -> column vector (warm start)
    objective_kind: Callable  # (instance) -> str; "cost": discounted increments, else omega-weighted
    period_run: Callable  # (run, t, result, certificate) -> the base model's single-year run of period t
    draw_map: Callable  # (single-year run, path) -> bool
    served_by_site: Callable  # (run) -> float[T, J]: what each site serves per period (orders requests)
    grid_use: Callable  # (instance, solution) -> (new load kW, allowed kW) per grid area
    describe: Callable  # (rollout instance) -> str
    size: Callable  # (run) -> dict of the instance's sizes for summary.json
    period_rows: list[tuple[str, str, str]]  # (KPI, label, unit) of summary.md's table per period
    more_is_fine: bool = False  # the checker may find more than a maximising incumbent claims


def fix_built(form: Formulation, before: Any, inst: Any) -> None:
    """What the earlier years built stays: lower bounds on x, n and u (any base)."""
    form.vars["x"].lb = np.maximum(form.vars["x"].lb, before.open.astype(float))
    form.vars["n"].lb = np.maximum(form.vars["n"].lb, before.chargers.astype(float))
    if "u" in form.vars:
        bought = np.asarray(before.upgrades, bool)[inst.grid.upgradable]
        form.vars["u"].lb = np.maximum(form.vars["u"].lb, bought.astype(float))
