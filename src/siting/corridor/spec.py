"""The `corridor` model as the registry, the CLI and the sweep see it."""

from __future__ import annotations

import time
from pathlib import Path

from siting.corridor.api import corridor_paths, describe_corridor, solve_corridor
from siting.corridor.load import load_corridor
from siting.corridor.params import CorridorConfig
from siting.corridor.report import write_corridor_results
from siting.options import SolveOptions
from siting.registry import ModelSpec, SharedPrecompute


def paths_affected_by(key: str) -> bool:
    """Paths depend on the network, the OD flows and how they are read, not on stations or range;
    a scenario file's sites, search areas and grid parts do not change them either."""
    return not key.startswith("corridor.") or key in (
        "corridor.k_paths", "corridor.detour", "corridor.max_snap", "corridor.strict")


def precompute_paths(path: str | Path, overrides: list[str]):
    """The OD paths of an instance with these overrides (and the seconds they took)."""
    start = time.perf_counter()
    paths = corridor_paths(load_corridor(path, overrides))
    return paths, time.perf_counter() - start


def solve_with_paths(instance, paths, options: SolveOptions):
    """`solve_corridor` with the group's shared OD paths."""
    return solve_corridor(instance, options, paths=paths)


# what a sweep table shows: what the plan adds and costs (the objective column has the flow)
MAIN_KPIS = ("new_chargers", "cost", "grid_upgrades")

SPEC = ModelSpec("corridor", CorridorConfig, load_corridor, solve_corridor, write_corridor_results, describe_corridor,
                 SharedPrecompute(paths_affected_by, precompute_paths, solve_with_paths), main_kpis=MAIN_KPIS)
