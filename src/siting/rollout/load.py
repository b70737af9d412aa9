"""Load a rollout instance folder: instance.toml with `[rollout]`, then the base model's layers,
checked once, and one single-year instance per period with that period's columns (bases.py:
fast_base.load_periods, corridor_base.load_periods)."""

from __future__ import annotations

from pathlib import Path

from siting.io.folder import open_config
from siting.rollout.bases import base_of
from siting.rollout.instance import RolloutInstance
from siting.rollout.params import RolloutConfig


def load_rollout(path: str | Path, overrides: list[str] | None = None) -> RolloutInstance:
    """Read, check and convert; raises InstanceError listing every problem."""
    folder, config, toml_file = open_config(path, overrides, RolloutConfig)
    periods = base_of(config.rollout.base).load(folder, config, toml_file)
    return RolloutInstance(config.name, config.rollout, periods)
