"""The rollout over the `fast` model: every period a fast instance with its own demand column
(`weight`) and headroom column (`available_kw`); the pairs are shared (positions and R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siting.fast.api import FastRun
from siting.fast.extract import extract_fast, solution_vector
from siting.fast.load import fast_instance_from_tables
from siting.fast.model import build_fast, objective_kind
from siting.fast.pairs import fast_pairs
from siting.fast.report import draw_map
from siting.fast.validate import validate_fast
from siting.fast.verify import grid_allowed_kw, grid_load_kw
from siting.io.layers import Table, read_layers
from siting.rollout.adapter import Base
from siting.rollout.params import RolloutConfig
from siting.rollout.validate import validate_periods, with_column


def load_periods(folder: Path, config: RolloutConfig, toml_file: str) -> tuple:
    """The fast instance's layers, checked once, then one fast instance per period with that
    period's demand and headroom columns in place of `weight` and `available_kw`."""
    tables = read_layers(folder, config)
    validate_fast(config, tables, toml_file)
    validate_periods(config, tables, toml_file)
    return tuple(fast_instance_from_tables(_period_config(config, q), _period_tables(tables, q))
                 for q in config.rollout.periods)


def _period_config(config: RolloutConfig, period) -> RolloutConfig:
    fast = config.fast.model_copy(update={"p": config.fast.p if period.p is None else period.p,
                                          "budget": config.fast.budget if period.budget is None else period.budget})
    return config.model_copy(update={"fast": fast, "name": f"{config.name} {period.year}"})


def _period_tables(tables: dict[str, Table], period) -> dict[str, Table]:
    out = dict(tables)
    out["demand"] = with_column(tables["demand"], "weight", period.demand)
    if "grid_areas" in tables:
        out["grid_areas"] = with_column(tables["grid_areas"], "available_kw", period.headroom)
    return out


def period_run(run, t: int, result, certificate) -> FastRun:
    return FastRun(instance=run.instance.periods[t], pairs=run.data, formulation=run.stacked.periods[t],
                   result=result, solution=run.solution.periods[t] if run.solution is not None else None,
                   certificate=certificate, times={}, source=run.source)


def served_by_site(run) -> np.ndarray:
    """float[T, J]: demand served (capacitated, p-median) or within reach (otherwise) per site."""
    pairs = run.data
    rows = pairs.row_ids()
    out = []
    for q, s in zip(run.instance.periods, run.solution.periods):
        z = s.assignment if s.assignment is not None else s.open[pairs.indices].astype(float)
        out.append(np.bincount(pairs.indices, weights=q.weight[rows] * z, minlength=q.n_sites))
    return np.array(out)


def describe(inst) -> str:
    q = inst.first
    return (f"{inst.name}: valid — {inst.n_periods} periods ({', '.join(map(str, inst.years))}), "
            f"{q.n_demand} demand points, {int((~q.is_existing).sum())} candidates, {int(q.is_existing.sum())} "
            f"existing sites, {q.grid.size if q.grid else 0} grid areas; objective {q.params.objective}")


PERIOD_ROWS = [("served_demand_pct", "demand served", "%"), ("covered_demand_pct", "demand within reach", "%"),
               ("new_sites", "new sites open", ""), ("new_chargers", "new chargers", ""),
               ("new_kw", "new charging power", "kW"), ("cost", "invested by then", "EUR"),
               ("grid_areas_full", "grid areas whose headroom the plan uses up", ""),
               ("grid_areas_without_headroom", "grid areas with no headroom at all", "")]

FAST = Base(
    name="fast", load=load_periods, precompute=fast_pairs, build=build_fast,
    extract=lambda form, q, x, pairs: extract_fast(form, q, x, pairs),
    vector=lambda form, q, pairs, sol, x: solution_vector(form, q, pairs, sol),
    objective_kind=objective_kind, period_run=period_run, draw_map=draw_map, served_by_site=served_by_site,
    grid_use=lambda q, s: (grid_load_kw(q, s), grid_allowed_kw(q, s)), describe=describe,
    size=lambda run: {"demand_points": run.instance.first.n_demand, "sites": run.instance.first.n_sites,
                      "pairs": run.data.nnz},
    period_rows=PERIOD_ROWS)

__all__ = ["FAST"]
