"""The `fast` model as the registry, the CLI and the sweep see it."""

from __future__ import annotations

import time
from pathlib import Path

from siting.errors import SitingError
from siting.fast.api import describe_fast, solve_fast
from siting.fast.load import load_fast
from siting.fast.pairs import fast_pairs
from siting.fast.params import FastConfig
from siting.fast.report import write_results
from siting.options import SolveOptions
from siting.registry import ModelSpec, SharedPrecompute


def pairs_affected_by(key: str) -> bool:
    """The pairs depend on the layers and the radius, not on the other `fast.*` parameters."""
    return not key.startswith("fast.") or key == "fast.radius"


def precompute_pairs(path: str | Path, overrides: list[str]):
    """The pairs of an instance with these overrides (and the seconds they took)."""
    start = time.perf_counter()
    pairs = fast_pairs(load_fast(path, overrides))
    return pairs, time.perf_counter() - start


def solve_with_pairs(instance, pairs, options: SolveOptions):
    """`solve_fast` on a loaded instance, with its pairs already computed."""
    if pairs.shape != (instance.n_demand, instance.n_sites):
        raise SitingError(f"shared pairs have shape {pairs.shape}, the instance needs {(instance.n_demand, instance.n_sites)}")
    run = solve_fast(instance, options, pairs=pairs)
    run.times["precompute"] = 0.0  # computed once for the group, outside this run
    return run


# what a sweep table shows: service, distance, what the plan adds and costs, white spots left
MAIN_KPIS = ("served_demand_pct", "covered_demand_pct", "mean_distance", "new_sites", "new_chargers", "cost",
             "grid_upgrades", "white_spots")

SPEC = ModelSpec("fast", FastConfig, load_fast, solve_fast, write_results, describe_fast,
                 SharedPrecompute(pairs_affected_by, precompute_pairs, solve_with_pairs), main_kpis=MAIN_KPIS)
