"""The CBS reader and the three categories, each produced by the constructed tiny instance (conftest)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from tests.whitespots.conftest import CELLS, write_cbs

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.whitespots.api import run_whitespots
from siting.whitespots.classify import classify
from siting.whitespots.load import load_whitespots


def by_cell(inst, values):
    return dict(zip(inst.cell_ids, values, strict=True))


def test_cbs_gpkg_read_unchanged_with_no_data_codes(tiny):
    inst = load_whitespots(tiny)
    assert list(inst.cell_ids) == list(CELLS)
    assert inst.cell_corner[0].tolist() == [200_000.0, 450_000.0]
    hh = by_cell(inst, inst.households)
    assert hh["E2005N4500"] == 200 and np.isnan(hh["E2040N4500"])  # -99997 "geheim" is no data, not a count
    assert np.isnan(by_cell(inst, inst.urbanity)["E2040N4500"])


def test_each_category_from_the_constructed_case(tiny):
    inst = load_whitespots(tiny)
    c = classify(inst)
    cat = by_cell(inst, np.where(c.covered, "covered", c.category))
    assert cat == {"E2000N4500": "covered", "E2005N4500": "a", "E2010N4500": "b", "E2015N4500": "b",
                   "E2020N4500": "c", "E2030N4500": "c", "E2035N4500": "", "E2040N4500": ""}
    action, reason = by_cell(inst, c.action), by_cell(inst, c.reason)
    assert action["E2010N4500"] == "grid headroom" and "g_up" in reason["E2010N4500"]
    assert action["E2015N4500"] == "a new location"
    assert "concession refuses" in reason["E2020N4500"] and "p2" in reason["E2020N4500"]
    assert "no headroom and no planned upgrade" in reason["E2030N4500"] and "g_none" in reason["E2030N4500"]
    assert by_cell(inst, c.nodata)["E2040N4500"] and not c.white[inst.cell_ids == "E2040N4500"].any()


def test_land_is_the_extra_action_when_a_location_lacks_space(tiny):
    plan = (tiny / "plan.csv").read_text().replace("g_ok,30.0", "g_ok,5.0", 1)  # L_a: 5 m2 < 2 points x 10 m2
    (tiny / "plan.csv").write_text(plan)
    inst = load_whitespots(tiny)
    c = classify(inst)
    assert by_cell(inst, c.category)["E2005N4500"] == "b" and by_cell(inst, c.action)["E2005N4500"] == "land"


def test_omm_municipality_has_no_250_m_rule(tiny):
    path = tiny / "gemeenten.geojson"
    path.write_text(path.read_text().replace('"concession"', '"omm"'))
    inst = load_whitespots(tiny)
    assert by_cell(inst, classify(inst).category)["E2020N4500"] == "a"


@pytest.mark.solver
def test_lscp_fills_the_fillable_spots_with_kw_per_grid_area(tiny):
    run = run_whitespots(tiny)
    assert run.status == "optimal"
    assert set(run.instance.plan_ids[run.chosen]) == {"L_a", "L_b"}
    assert run.lscp.certificate.violations == []


@pytest.mark.solver
def test_cli_writes_the_tables_layers_and_map(tiny, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["whitespots", str(tiny), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("municipalities.csv", "municipalities.md", "sites.gpkg", "map.png", "report.html", "summary.json"):
        assert (out / name).exists(), name
    csv = (out / "municipalities.csv").read_text().splitlines()
    assert csv[0].startswith("gemeente,name,procedure,cells_125,covered,white,white_a,white_b,white_c")
    assert csv[1].startswith("GM0001,Testdorp,concession,6,1,5,1,2,2,1,2,44.0,g_ok: 22; g_up: 22")
    import pyogrio

    layers = {row[0] for row in pyogrio.list_layers(out / "sites.gpkg")}
    assert {"cells", "public_points", "plan_locations", "sites", "grid_use"} <= layers
    import sqlite3

    with sqlite3.connect(out / "sites.gpkg") as con:
        styles = dict(con.execute("SELECT f_table_name, description FROM layer_styles").fetchall())
    assert styles["cells"] == "cells by white-spot category" and styles["sites"].startswith("sites by status")


@pytest.mark.parametrize("rows, extra, row, field, words", [
    ({"E2000N4500": -5}, None, "E2000N4500", "aantal_part_huishoudens", "CBS no-data code"),
    ({"E2000N45": 10}, None, "E2000N45", "crs28992res500m", "not a CBS cell code"),
    ({"E2001N4500": 10}, None, "E2001N4500", "crs28992res500m", "not on the 500 m grid"),
    ({"E2000N4500": 10}, {"aantal_part_huishoudens": [None]}, "E2000N4500", "aantal_part_huishoudens",
     "value is missing"),
    ({"E2000N4500": 10}, {"stedelijkheid": [7]}, "E2000N4500", "stedelijkheid", "must be 1..5"),
])
def test_bad_cbs_rows_are_named(tiny, rows, extra, row, field, words):
    write_cbs(tiny / "cbs_vk500_2023_v1.gpkg", rows, extra)
    with pytest.raises(InstanceError) as err:
        load_whitespots(tiny)
    text = err.value.describe()
    assert "cbs_vk500_2023_v1.gpkg" in text and "cbs_vk500_2023" in text
    assert f"row id '{row}'" in text and f"field '{field}'" in text and words in text


def test_bad_plan_map_exits_2_and_writes_nothing(tiny, tmp_path):
    plan = (tiny / "plan.csv").read_text().replace("designated", "maybe", 1).replace("GM0001", "", 1)
    (tiny / "plan.csv").write_text(plan)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["whitespots", str(tiny), "--out", str(out)])
    assert result.exit_code == 2
    assert "plan.csv, layer 'plan_locations', row id 'L_a', field 'status'" in result.output
    assert "field 'gemeente': value is missing" in result.output
    assert not out.exists()
