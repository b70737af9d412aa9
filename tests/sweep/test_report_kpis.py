"""Which KPIs the sweep table shows: each model's spec names them (registry.ModelSpec.main_kpis).
Fast and corridor tables keep the columns of the one fast-centric list they used to share; a park
table shows energy not delivered and the cost split instead of its first six numeric KPIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.options import SolveOptions
from siting.registry import model_spec
from siting.sweep.report import SweepReport, sweep_table
from siting.sweep.spec import RunSpec, Sweep

# the list sweep/report.py used for every model before the specs named their own
OLD_MAIN_KPIS = ("served_demand_pct", "covered_demand_pct", "mean_distance", "new_sites", "new_chargers", "cost",
                 "grid_upgrades", "white_spots")
FIXED = ["run", "fast.p", "status", "objective", "best_bound", "gap"]
TIMES = ["seconds", "solve_seconds", "message"]


def report(model: str, kpis: list[dict]) -> SweepReport:
    runs = tuple(RunSpec(f"r{k}", (), {"fast.p": k}) for k in range(len(kpis)))
    sweep = Sweep("s", Path("s.toml"), Path("instance"), model, SolveOptions(), runs, ("fast.p",))
    summaries = {f"r{k}": {"status": "optimal", "objective": 1.0, "kpis": kp, "times": {}} for k, kp in enumerate(kpis)}
    return SweepReport(sweep, Path("out"), summaries=summaries)


def kpi_columns(model: str, kpis: list[dict]) -> list[str]:
    columns = list(sweep_table(report(model, kpis)).columns)
    assert columns[:6] == FIXED and columns[-3:] == TIMES
    return columns[6:-3]


FAST = {"demand_total": 10.0, "covered_demand": 8.0, "covered_demand_pct": 80.0, "sites_open": 3, "new_sites": 2,
        "new_chargers": 4, "cost": 1e5, "grid_upgrades": 0, "mean_distance": 900.0}
CORRIDOR = {"od_flows": 12, "flow_total": 100.0, "refuelled_flow": 60.0, "refuelled_pct": 60.0, "stations_open": 3,
            "new_stations": 2, "chargers": 8, "new_chargers": 6, "new_kw": 6000.0, "cost": 2e6, "grid_upgrades": 1,
            "range": 300.0}


@pytest.mark.parametrize(("model", "kpis"), [("fast", FAST), ("corridor", CORRIDOR)])
def test_fast_and_corridor_tables_keep_their_columns(model, kpis):
    old = [k for k in OLD_MAIN_KPIS if k in kpis]
    assert kpi_columns(model, [kpis, kpis]) == old
    assert model_spec(model).main_kpis  # named by the model, not by the sweep


@pytest.mark.solver
def test_park_table_shows_unmet_energy_and_the_cost_split(tmp_path):
    from siting.park.api import solve_park
    from siting.park.report import summary_dict
    from siting.park.synthetic import small_park, write_park_folder

    run = solve_park(write_park_folder(tmp_path / "park", *small_park(1)), SolveOptions(profile="exact"))
    kpis = summary_dict(run)["kpis"]
    columns = kpi_columns("park", [kpis])
    assert columns[0] == "energy_unmet_kwh_per_day"
    for key in ("energy_unmet_window_kwh_per_day", "energy_unmet_grid_kwh_per_day", "squares_open", "cost_squares",
                "cost_connections", "cost_chargers", "cost_own_connections", "cost_unmet_penalty"):
        assert key in columns, key
    assert ("energy_unmet_economic_kwh_per_day" in columns) == ("energy_unmet_economic_kwh_per_day" in kpis)
    assert "companies" not in columns  # the old fallback's first numeric KPI
    assert set(columns) <= set(model_spec("park").main_kpis)


def test_a_model_that_names_no_kpis_shows_its_first_six_numeric_ones(monkeypatch):
    from dataclasses import replace

    import siting.registry

    spec = replace(model_spec("park"), main_kpis=())
    monkeypatch.setattr(siting.registry, "model_spec", lambda name: spec)
    kpis = {"a": 1, "b": "text", "c": 2.0, "d": True, "e": 3, "f": 4, "g": 5, "h": 6, "i": 7}
    assert kpi_columns("park", [kpis]) == ["a", "c", "e", "f", "g", "h"]
