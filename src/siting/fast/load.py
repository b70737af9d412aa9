"""Load a fast instance folder: TOML -> layers -> checks -> array-level instance."""

from __future__ import annotations

from pathlib import Path

from siting.fast.instance import FastInstance, fast_instance_from_tables
from siting.fast.params import FastConfig
from siting.fast.validate import validate_fast
from siting.io.folder import open_config, site_grid_areas
from siting.io.layers import read_layers


def load_tables(path: str | Path, overrides: list[str] | None = None):
    folder, config, toml_file = open_config(path, overrides, FastConfig)
    tables = read_layers(folder, config)
    validate_fast(config, tables, toml_file)
    return folder, config, tables


def load_fast(path: str | Path, overrides: list[str] | None = None) -> FastInstance:
    """Read, check and convert an instance; raises InstanceError listing every problem."""
    _, config, tables = load_tables(path, overrides)
    areas = {name: site_grid_areas(tables, name) for name in ("candidates", "existing") if name in tables}
    return fast_instance_from_tables(config, tables, areas)
