"""An instance folder: where it is, its instance.toml read and checked (the front every model's
loader shares), the grid area of each site, and the hash of its files (provenance)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TypeVar

import numpy as np

from siting.checks import check_crs
from siting.config import InstanceConfig, apply_overrides, parse_config, read_config
from siting.errors import InstanceError, Problem
from siting.io.layers import Table, grid_area_of_points

Schema = TypeVar("Schema", bound=InstanceConfig)


def instance_folder(path: str | Path) -> Path:
    path = Path(path)
    folder = path.parent if path.name == "instance.toml" else path
    if not folder.exists():
        raise InstanceError(Problem(str(path), "instance folder not found"))
    return folder


def open_config(path: str | Path, overrides: list[str] | None, schema: type[Schema]) -> tuple[Path, Schema, str]:
    """(folder, config, instance.toml path) with the overrides applied; the CRS is checked before
    any layer is read, so a wrong CRS is reported once and not as a problem per point."""
    folder = instance_folder(path)
    toml_file = str(folder / "instance.toml")
    config = parse_config(apply_overrides(read_config(folder), overrides or []), schema, toml_file)
    crs_problems = check_crs(config, toml_file)
    if crs_problems:
        raise InstanceError(crs_problems)
    return folder, config, toml_file


def site_grid_areas(tables: dict[str, Table], name: str) -> np.ndarray:
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
