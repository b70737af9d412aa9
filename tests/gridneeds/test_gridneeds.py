"""Grid needs (siting.gridneeds): every +1 MW value listed is confirmed by an independent solve of
an instance folder written with that area's headroom +1000 kW; areas with headroom left get no
re-solve and no value; the kW without the grid limit is at least the kW with it.

Instances (tiny, written here): the fast tiny instance with G-west cut to 300 kW (it blocks a
second site in the west), the corridor chain with range 30 and G1 at 500 kW (no hub of 1 MW fits
at A), and a two-period rollout of the tiny instance.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.conftest import write_tiny
from tests.corridor.test_load import write_instance

from siting.gridneeds.api import gain_of, grid_needs, needs_table, ranked_areas
from siting.gridneeds.sweep import Resolve
from siting.options import SolveOptions

pytestmark = pytest.mark.solver
EXACT = SolveOptions(profile="exact", threads=1)


# -- instances ------------------------------------------------------------------------------------
def fast_folder(root: Path, name: str = "fast", more: dict[str, float] | None = None) -> Path:
    def edit(layers):
        grid = layers["grid_areas"]
        grid.loc[grid["id"] == "G-west", "available_kw"] = 300.0
        for area, kw in (more or {}).items():
            grid.loc[grid["id"] == area, "available_kw"] += kw

    return write_tiny(root / name, edit=edit)


def corridor_folder(root: Path, name: str = "corridor", more: dict[str, float] | None = None) -> Path:
    def edit(frames, tables):
        grid = frames["grid_areas"]
        grid["available_kw"] = [500.0, 3000.0]
        grid["upgrade_kw"] = [0.0, 0.0]
        for area, kw in (more or {}).items():
            grid.loc[grid["id"] == area, "available_kw"] += kw

    return write_instance(root / name, edit=edit, toml=lambda c: c["corridor"].update(range=30.0))


def rollout_folder(root: Path, name: str = "rollout", more: dict[str, float] | None = None) -> Path:
    def edit(layers):
        grid = layers["grid_areas"]
        layers["demand"]["weight_2030"] = layers["demand"]["weight"] * 2.0
        grid["available_kw_2030"] = grid["available_kw"] + 300.0
        for area, kw in (more or {}).items():  # every period
            grid.loc[grid["id"] == area, ["available_kw", "available_kw_2030"]] += kw

    def toml(config):
        config["model"] = "rollout"
        config["rollout"] = {"periods": [{"year": 2026, "p": 2},
                                         {"year": 2030, "demand": "weight_2030", "headroom": "available_kw_2030",
                                          "p": 4}]}

    return write_tiny(root / name, edit=edit, toml=toml)


def solved_objective(model: str, folder: Path) -> float:
    """An independent solve of the instance folder, through the model's own API."""
    if model == "fast":
        from siting.fast.api import solve_fast as solve
    elif model == "corridor":
        from siting.corridor.api import solve_corridor as solve
    else:
        from siting.rollout.api import solve_rollout as solve
    run = solve(folder, EXACT)
    assert run.status == "optimal", run.result.message
    return run.objective


CASES = {"fast": fast_folder, "corridor": corridor_folder, "rollout": rollout_folder}


# -- the analysis against independent solves ------------------------------------------------------
@pytest.mark.parametrize("model", list(CASES))
def test_every_listed_gain_is_confirmed_by_an_independent_solve(tmp_path, model):
    build = CASES[model]
    run = grid_needs(build(tmp_path), EXACT)
    assert run.model == model and run.base.status == "optimal"
    table = needs_table(run)
    assert run.base.objective == pytest.approx(solved_objective(model, build(tmp_path, "base-again")))
    listed = table.dropna(subset=["gain_1mw"]).drop_duplicates("grid_area")
    assert len(listed), "no binding area: the case tests nothing"
    assert (listed["gain_1mw"] > 0).any(), "no area where the grid blocks the plan: the case tests nothing"
    for row in listed.itertuples():
        more = solved_objective(model, build(tmp_path, f"plus-{row.grid_area}", {row.grid_area: 1000.0}))
        assert row.gain_1mw == pytest.approx(more - run.base.objective, abs=1e-6), row.grid_area
        assert row.gain_1mw_exact and row.status_1mw == "optimal"
        assert row.gain_5mw >= row.gain_1mw - 1e-9  # more headroom never gains less


@pytest.mark.parametrize("model", list(CASES))
def test_areas_with_headroom_left_get_no_gain(tmp_path, model):
    run = grid_needs(CASES[model](tmp_path), EXACT)
    table = needs_table(run)
    free = table[~table["binding"]]
    assert len(free), "every area binds: the case tests nothing"
    for area in set(free["grid_area"]) - set(table.loc[table["binding"], "grid_area"]):
        g = list(run.area_ids).index(area)
        assert not any(key[0] == g for key in run.more), f"{area} was re-solved"
        rows = table[table["grid_area"] == area]
        assert rows["gain_1mw"].isna().all() and rows["gain_5mw"].isna().all() and (rows["status_1mw"] == "").all()
    assert (free["slack_kw"] >= run.step_kw[[list(run.area_ids).index(a) for a in free["grid_area"]]] - 1e-6).all()


@pytest.mark.parametrize("model", list(CASES))
def test_without_the_limit_the_plan_draws_at_least_as_much(tmp_path, model):
    run = grid_needs(CASES[model](tmp_path), EXACT)
    table = needs_table(run)
    assert run.unlimited.status == "optimal"
    assert run.unlimited.objective >= run.base.objective - 1e-9  # a relaxation
    assert (table["load_without_limit_kw"] >= table["load_with_limit_kw"] - 1e-9).all()
    assert (table["load_with_limit_kw"] <= table["allowed_kw"] + 1e-6).all()
    assert table["shortfall_kw"].max() > 0  # the grid blocks something in each case
    assert table["shortfall_kw"].tolist() == pytest.approx(
        np.maximum(table["load_without_limit_kw"] - table["load_with_limit_kw"], 0).tolist())


def test_the_fast_case_in_numbers(tmp_path):
    """G-west (300 kW) holds back a second western site: +1 MW there serves 8 sessions/day more;
    G-east binds too but more headroom there gains nothing; G-centre has 450 kW left."""
    run = grid_needs(fast_folder(tmp_path), EXACT)
    table = needs_table(run).set_index("grid_area")
    assert table.loc["G-west", "gain_1mw"] == pytest.approx(8.0)
    assert table.loc["G-west", "shortfall_kw"] == pytest.approx(300.0)
    assert table.loc["G-east", "gain_1mw"] == 0.0 and table.loc["G-east", "binding"]
    assert not table.loc["G-centre", "binding"] and table.loc["G-centre", "slack_kw"] == pytest.approx(450.0)
    assert [run.area_ids[g] for g in ranked_areas(run)] == ["G-west", "G-east"]


def test_rollout_rows_per_period_and_headroom_in_every_period(tmp_path):
    run = grid_needs(rollout_folder(tmp_path), EXACT)
    table = needs_table(run)
    assert sorted(set(table["period"])) == ["2026", "2030"] and len(table) == 2 * 3
    assert table.loc[table["period"] == "2030", "headroom_kw"].tolist() == pytest.approx(
        (table.loc[table["period"] == "2026", "headroom_kw"] + 300.0).tolist())
    binding = table[table["binding"]]
    for area in set(binding["grid_area"]):  # one value per area, shown in each of its periods
        assert table.loc[table["grid_area"] == area, "gain_1mw"].nunique() == 1


# -- honest values from solves that did not finish -----------------------------------------------
def resolve(status: str, objective: float | None, bound: float | None) -> Resolve:
    return Resolve("x", status, objective, bound, None, 0.0, needed_kw=np.zeros((1, 1)))


def test_a_gain_is_exact_only_when_both_solves_are_optimal_and_their_bounds_meet():
    exact = gain_of("max", resolve("optimal", 100.0, 100.0), resolve("optimal", 110.0, 110.0), 1.0)
    assert exact.exact and exact.value == 10.0 and exact.text() == "10.0"
    within_gap = gain_of("max", resolve("optimal", 100.0, 100.01), resolve("optimal", 110.0, 110.0), 1.0)
    assert not within_gap.exact and within_gap.low == pytest.approx(9.99) and within_gap.high == pytest.approx(10.0)
    assert within_gap.text() == "≈ 10.0 (within the solver's gap)" and within_gap.text(2) == "9.99 to 10.00"
    stopped = gain_of("max", resolve("optimal", 100.0, 100.0), resolve("time_limit", 104.0, 120.0), 1.0)
    assert not stopped.exact and (stopped.low, stopped.high) == (4.0, 20.0) and stopped.text() == "4.0 to 20.0"
    unbounded = gain_of("max", resolve("optimal", 100.0, 100.0), resolve("time_limit", 99.0, None), 1.0)
    assert unbounded.low == 0.0 and unbounded.high is None and unbounded.text().startswith("at least 0.0")
    saved = gain_of("min", resolve("optimal", 500.0, 480.0), resolve("optimal", 400.0, 400.0), 1.0)
    assert (saved.low, saved.high, saved.value, saved.exact) == (80.0, 100.0, 100.0, False)
    failed = gain_of("max", resolve("optimal", 100.0, 100.0), Resolve("x", "error", None, None, None, 0.0), 1.0)
    assert failed.value is None and failed.text() == "unknown (error)"


# -- the command ----------------------------------------------------------------------------------
def test_the_command_writes_the_folder_from_dask_workers(tmp_path):
    from siting.cli.gridneeds import grid_needs_cmd

    folder = fast_folder(tmp_path)
    out = tmp_path / "out"
    args = [str(folder), "--out", str(out), "--workers", "1", "--profile", "exact"]
    result = CliRunner().invoke(grid_needs_cmd, args)
    assert result.exit_code == 0, result.output
    for name in ("grid_needs.csv", "grid_needs.md", "grid_needs.png", "summary.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "grid_needs.csv").set_index("grid_area")
    assert table.loc["G-west", "gain_1mw"] == pytest.approx(8.0) and math.isnan(table.loc["G-centre", "gain_1mw"])
    text = (out / "grid_needs.md").read_text()
    assert "| 1 | G-west | 300 | 300 | 600 | 300 | 150 | 8.0 (+13.56 %) | 8.0 (+13.56 %) |" in text
    assert "| 2 |" not in text and "gains nothing (within the solver's tolerance) at 1 substation(s): G-east" in text
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["workers"] == 1 and [r["status"] for r in summary["resolves"]] == ["optimal"] * 6
    again = CliRunner().invoke(grid_needs_cmd, args)
    assert again.exit_code != 0 and "exists" in again.output
    bad = CliRunner().invoke(grid_needs_cmd, [*args[:3], "--mw", "1,-5", "--overwrite"])
    assert bad.exit_code == 2 and "--mw" in bad.output
