"""The `park` model as the registry, the CLI and the sweep see it."""

from __future__ import annotations

from siting.park.api import describe_park, solve_park
from siting.park.load import load_park
from siting.park.params import ParkConfig
from siting.park.report import write_park_results
from siting.registry import ModelSpec

# what a sweep table shows: energy not delivered and why (the report's split; the economic part
# where the report gives it), the squares, and the annualised cost by line (the objective is the sum)
MAIN_KPIS = ("energy_unmet_kwh_per_day", "energy_unmet_window_kwh_per_day", "energy_unmet_grid_kwh_per_day",
             "energy_unmet_economic_kwh_per_day", "squares_open", "cost_squares", "cost_connections",
             "cost_chargers", "cost_own_connections", "cost_energy", "cost_unmet_penalty")

SPEC = ModelSpec("park", ParkConfig, load_park, solve_park, write_park_results, describe_park,
                 main_kpis=MAIN_KPIS)
