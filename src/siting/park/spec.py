"""The `park` model as the registry, the CLI and the sweep see it."""

from __future__ import annotations

from siting.park.api import describe_park, solve_park
from siting.park.load import load_park
from siting.park.params import ParkConfig
from siting.park.report import write_park_results
from siting.registry import ModelSpec

SPEC = ModelSpec("park", ParkConfig, load_park, solve_park, write_park_results, describe_park)
