"""Load an instance folder: TOML -> layers -> checks -> array-level instance."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from siting.config import apply_overrides, parse_config, read_config
from siting.errors import InstanceError, Problem
from siting.instance import FastInstance, fast_instance_from_tables
from siting.io.layers import Table, grid_area_of_points, read_layers
from siting.validate import check_crs, validate_fast


def instance_folder(path: str | Path) -> Path:
    path = Path(path)
    folder = path.parent if path.name == "instance.toml" else path
    if not folder.exists():
        raise InstanceError(Problem(str(path), "instance folder not found"))
    return folder


def load_tables(path: str | Path, overrides: list[str] | None = None):
    folder = instance_folder(path)
    toml_file = str(folder / "instance.toml")
    data = apply_overrides(read_config(folder), overrides or [])
    config = parse_config(data, toml_file)
    crs_problems = check_crs(config, toml_file)
    if crs_problems:
        raise InstanceError(crs_problems)
    tables = read_layers(folder, config)
    validate_fast(config, tables, toml_file)
    return folder, config, tables


def load_fast(path: str | Path, overrides: list[str] | None = None) -> FastInstance:
    """Read, check and convert an instance; raises InstanceError listing every problem."""
    _, config, tables = load_tables(path, overrides)
    areas = {name: _grid_areas(tables, name) for name in ("candidates", "existing") if name in tables}
    return fast_instance_from_tables(config, tables, areas)


def _grid_areas(tables: dict[str, Table], name: str) -> np.ndarray:
    """Each site's grid area: its `grid_area` field, else a spatial join (polygon or nearest)."""
    table = tables[name]
    given = table.df["grid_area"].to_numpy(dtype=object) if "grid_area" in table.df.columns else np.full(len(table.df), None)
    missing = np.array([not isinstance(a, str) or not a for a in given])
    grid = tables.get("grid_areas")
    if missing.any() and grid is not None and table.xy is not None and (grid.xy is not None or grid.geometry is not None):
        joined = grid_area_of_points(table.xy[missing], grid)
        given = given.copy()
        given[missing] = joined
    return given


def instance_hash(folder: Path) -> dict[str, str]:
    """sha256 of every file of the instance folder (provenance in summary.json)."""
    out = {}
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        out[str(f.relative_to(folder))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out
