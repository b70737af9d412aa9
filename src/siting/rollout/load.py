"""Load a rollout instance folder: the fast instance's layers, checked once, then one fast
instance per period with that period's demand and headroom columns in place of `weight` and
`available_kw`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from siting.fast.load import fast_instance_from_tables
from siting.fast.validate import validate_fast
from siting.io.folder import open_config
from siting.io.layers import Table, read_layers
from siting.rollout.instance import RolloutInstance
from siting.rollout.params import RolloutConfig
from siting.rollout.validate import validate_periods


def load_rollout(path: str | Path, overrides: list[str] | None = None) -> RolloutInstance:
    """Read, check and convert; raises InstanceError listing every problem."""
    folder, config, toml_file = open_config(path, overrides, RolloutConfig)
    tables = read_layers(folder, config)
    validate_fast(config, tables, toml_file)
    validate_periods(config, tables, toml_file)
    periods = tuple(fast_instance_from_tables(_period_config(config, q), _period_tables(tables, q))
                    for q in config.rollout.periods)
    return RolloutInstance(config.name, config.rollout, periods)


def _period_config(config: RolloutConfig, period) -> RolloutConfig:
    fast = config.fast.model_copy(update={"p": config.fast.p if period.p is None else period.p,
                                          "budget": config.fast.budget if period.budget is None else period.budget})
    return config.model_copy(update={"fast": fast, "name": f"{config.name} {period.year}"})


def _period_tables(tables: dict[str, Table], period) -> dict[str, Table]:
    out = dict(tables)
    out["demand"] = _with_column(tables["demand"], "weight", period.demand)
    if "grid_areas" in tables:
        out["grid_areas"] = _with_column(tables["grid_areas"], "available_kw", period.headroom)
    return out


def _with_column(table: Table, name: str, source: str) -> Table:
    if source == name:
        return table
    df = table.df.copy()
    df[name] = df[source]
    return replace(table, df=df)
