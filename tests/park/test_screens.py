"""Park infeasibility screens (siting.park.screens): firm demand (no unmet_penalty) that the
squares, connections or grid cannot carry is named in planner's words before any relaxation."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.options import SolveOptions
from siting.park.api import solve_park
from siting.park.load import load_park
from siting.park.screens import screen_company_reach, screen_grid_areas, screen_park
from siting.park.synthetic import small_park, write_park_folder


def firm_park(tmp_path: Path, edit=None, penalty: bool = False):
    """small_park(1) (8 companies, 4 squares, 8 slots of 3 h, grid area G1) with firm demand."""
    tables, config = small_park(1)
    if not penalty:
        config["park"].pop("unmet_penalty")
    if edit is not None:
        edit(tables)
    return load_park(write_park_folder(tmp_path / "park", tables, config))


def thin_grid(tables) -> None:  # 30 kW for the whole park: each company fits alone, not together
    tables["grid_areas"]["available_kw"] = 30.0


def small_tiers(tables) -> None:  # 8 kW connections at most, no own connections
    tables["tiers"]["capacity_kw"] = [5.0, 8.0, 8.0]
    tables["companies"]["own_kw"] = 0.0


def test_screens_pass_on_a_feasible_park(tmp_path):
    assert screen_park(firm_park(tmp_path)) == []


def test_screens_are_silent_with_an_unmet_penalty(tmp_path):
    """With a penalty nothing is infeasible: unmet energy is reported instead."""
    assert screen_park(firm_park(tmp_path, small_tiers, penalty=True)) == []


def test_company_reach_names_company_window_and_options(tmp_path):
    found = screen_company_reach(firm_park(tmp_path, small_tiers))
    text = " ".join(found)
    assert "company c001 needs 388 kWh/day but can get at most 120 kWh" in text
    assert "18:00-09:00" in text and "squares s1, s3" in text and "no own connection" in text
    assert "c005" in text and "c006" in text and "c002" not in text  # 85 kWh fits in 8 kW x 15 h


def test_grid_area_screen_names_area_headroom_and_companies(tmp_path):
    inst = firm_park(tmp_path, thin_grid)
    assert screen_company_reach(inst) == []  # every company alone fits the 30 kW
    (finding,) = screen_grid_areas(inst)
    assert finding.startswith("grid area G1 has headroom for 450 kWh")
    assert "8 companies that can only charge there need 1,150 kWh/day" in finding


@pytest.mark.solver
@pytest.mark.parametrize(("edit", "words"), [(small_tiers, "company c001 needs 388 kWh/day"),
                                             (thin_grid, "grid area G1 has headroom for 450 kWh")])
def test_infeasible_solve_reports_the_screen(tmp_path, edit, words):
    run = solve_park(firm_park(tmp_path, edit), SolveOptions(profile="exact"))
    assert run.status == "infeasible"
    assert any(words in d for d in run.diagnosis), run.diagnosis
