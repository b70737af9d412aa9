"""The rollout model as the registry, the CLI and the sweep see it."""

from __future__ import annotations

from siting.registry import ModelSpec
from siting.rollout.api import describe_rollout, solve_rollout
from siting.rollout.load import load_rollout
from siting.rollout.params import RolloutConfig
from siting.rollout.report import write_rollout_results

# a sweep table shows those the runs report (base fast or corridor): the last period's, then each
# earlier period's (sweep/report.period_columns)
MAIN_KPIS = ("served_demand_pct", "covered_demand_pct", "refuelled_pct", "new_sites", "new_stations", "new_chargers",
             "cost", "grid_upgrades")

SPEC = ModelSpec("rollout", RolloutConfig, load_rollout, solve_rollout, write_rollout_results, describe_rollout,
                 main_kpis=MAIN_KPIS)
