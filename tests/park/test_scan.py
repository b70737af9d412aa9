"""The business-park region scan (park/scan.py, `siting scan-parks`): the per-park companies add up
to the parks table, collective charging never costs more than every company on its own connection,
the grid-bound shortfall is found where the headroom is gone, and the CLI writes a ranked table."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from siting.cli.scan import scan_parks_cmd
from siting.errors import InstanceError
from siting.options import SolveOptions
from siting.park.references import own_connections_only
from siting.park.scan import (
    draw_companies,
    load_scan,
    park_instance,
    rank,
    scan_park,
    solve_plan,
)
from siting.park.verify import verify_park

ROOT = Path(__file__).resolve().parents[2]
SCAN = ROOT / "instances" / "nal-oost-parks"
OPTIONS = SolveOptions(profile="exact", threads=1, time_limit=60.0)
LOCATIONS = {"ibis2017_polygon", "municipality_point"}


@pytest.fixture(scope="module")
def scan():
    return load_scan(SCAN)


def test_the_companies_add_up_to_the_parks_table(scan) -> None:
    for _, row in scan.parks.iterrows():
        comp = draw_companies(row, scan.config.scan)
        assert comp["vans"].sum() == row["ev_vans"] and comp["trucks"].sum() == row["ev_trucks"], row["id"]
        assert np.isclose(comp["kwh_per_day"].sum(), row["kwh_per_day"], atol=0.01), row["id"]
        assert len(comp) <= row["companies"]
        d = np.hypot(comp["x"] - row["x"], comp["y"] - row["y"])
        assert (d <= row["radius_m"] + 0.1).all(), row["id"]  # on the disc of the park's gross area
    first = scan.parks.iloc[4]
    pd.testing.assert_frame_equal(draw_companies(first, scan.config.scan), draw_companies(first, scan.config.scan))


def test_every_park_has_a_location_and_a_grid_area_with_headroom(scan) -> None:
    parks = scan.parks
    assert len(parks) == 250 and parks["id"].is_unique
    assert set(parks["location_source"]) == LOCATIONS
    assert parks["grid_area"].isin(scan.grid["id"]).all()
    assert (parks["headroom_offpeak_kw"] >= parks["headroom_peak_kw"]).all()
    # the headroom is split over the parks of one substation, never counted twice (0.1 kW rounding)
    split = parks.groupby("grid_area")["headroom_offpeak_kw"].agg(["sum", "size"])
    available = scan.grid.set_index("id")["available_kw"].reindex(split.index)
    assert (np.abs(split["sum"] - available) <= 0.05 * split["size"] + 1e-9).all()


@pytest.mark.solver
@pytest.mark.parametrize("park", ["582", "574", "25139"])
def test_collective_never_costs_more_than_own_connections(scan, park: str) -> None:
    """Checked independently: the own-connection plan is a plan of the collective instance (the
    checker accepts it there) and costs at least the collective plan."""
    inst = park_instance(scan, scan.parks.loc[scan.parks["id"] == park].iloc[0])
    own = solve_plan(own_connections_only(inst), OPTIONS)
    best = solve_plan(inst, OPTIONS)  # no start: the property is the model's, not the start's
    assert own.status == best.status == "optimal"
    as_collective = verify_park(inst, own.solution)
    assert not as_collective.violations
    assert verify_park(inst, best.solution).objective <= as_collective.objective + 1e-6 * as_collective.objective
    row = scan_park(scan, park, OPTIONS)
    assert row["collective_cost_eur"] == pytest.approx(best.certificate.objective, rel=1e-6)
    assert row["saving_eur"] == pytest.approx(row["individual_cost_eur"] - row["collective_cost_eur"], abs=0.02)


@pytest.mark.solver
def test_a_square_pays_where_trucks_cannot_charge_at_home(scan) -> None:
    """SPECHTHORST 1 + 2 (57 ha): own connections leave truck energy unmet, one square serves it."""
    row = scan_park(scan, "582", OPTIONS)
    assert row["individual_unmet_kwh_per_day"] > 100
    assert row["squares_open"] == 1 and row["saving_eur"] > 1000 and row["collective_unmet_kwh_per_day"] < 1


@pytest.mark.solver
def test_no_headroom_is_a_grid_block(scan) -> None:
    """With its substation's headroom gone, a park's energy is unmet and attributed to the grid."""
    parks = scan.parks.copy()
    at = parks["id"] == "574"
    parks.loc[at, ["headroom_offpeak_kw", "headroom_peak_kw"]] = 0.0
    from dataclasses import replace

    row = scan_park(replace(scan, parks=parks), "574", OPTIONS)
    assert row["grid_blocked"]
    assert row["collective_unmet_kwh_per_day"] == pytest.approx(row["kwh_per_day"], rel=1e-6)
    assert row["unmet_grid_kwh_per_day"] == pytest.approx(row["kwh_per_day"], rel=1e-6)
    assert row["saving_eur"] == pytest.approx(0.0, abs=0.02)


def test_rank_orders_by_saving_then_percent_then_id() -> None:
    rows = [{"id": "b", "saving_eur": 10.0, "saving_pct": 1.0}, {"id": "a", "saving_eur": 10.0, "saving_pct": 1.0},
            {"id": "c", "saving_eur": 50.0, "saving_pct": 0.5}, {"id": "d", "saving_eur": 10.0, "saving_pct": 3.0},
            {"id": "e", "saving_eur": 0.0, "saving_pct": 0.0}]
    table = rank(rows)
    assert table["id"].tolist() == ["c", "d", "a", "b", "e"]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]


def test_a_bad_parks_table_names_row_and_field(tmp_path: Path) -> None:
    copy = tmp_path / "scan"
    shutil.copytree(SCAN, copy)
    parks = pd.read_csv(copy / "parks.csv", dtype=str)
    parks.loc[3, "grid_area"] = "Nowhere"
    parks.loc[5, "ev_vans"] = "-2"
    parks.to_csv(copy / "parks.csv", index=False)
    with pytest.raises(InstanceError) as err:
        load_scan(copy)
    text = err.value.describe()
    assert "Nowhere" in text and parks.loc[3, "id"] in text and "grid_area" in text and "ev_vans" in text


@pytest.mark.solver
def test_scan_parks_end_to_end_on_five_parks(tmp_path: Path) -> None:
    """The CLI on a copy of the instance (nothing outside it is read), on a one-worker Dask cluster."""
    copy = tmp_path / "nal-oost-parks"
    shutil.copytree(SCAN, copy)
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(scan_parks_cmd, [str(copy), "--out", str(out), "--limit", "5", "--workers", "1",
                                            "--profile", "exact"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"scan.csv", "scan.md", "scan_map.png"}
    assert (out / "scan_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "scan.csv", dtype={"id": str})
    assert len(table) == 5 and set(table["id"]) == set(load_scan(copy).parks["id"].head(5))
    assert table["grid_area"].notna().all() and set(table["location_source"]) <= LOCATIONS
    solved = table[table["status"] != "no_vehicles"]
    assert (solved["status"] == "ok").all()
    assert (solved["collective_cost_eur"] <= solved["individual_cost_eur"] + 0.01).all()
    assert np.allclose(solved["saving_eur"], solved["individual_cost_eur"] - solved["collective_cost_eur"], atol=0.02)
    assert table["rank"].tolist() == list(range(1, 6))
    assert (np.diff(table["saving_eur"].to_numpy()) <= 0).all()
    assert (table["saving_eur"] > 0).any()  # SPECHTHORST 1 + 2 is among the first five
    md = (out / "scan.md").read_text()
    assert "SPECHTHORST 1 + 2" in md and "## Where the grid blocks it" in md
    again = runner.invoke(scan_parks_cmd, [str(copy), "--out", str(out), "--limit", "5", "--workers", "1"])
    assert again.exit_code != 0 and "--overwrite" in again.output
