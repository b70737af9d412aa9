"""Loading, validation and the CLI of corridor instances (small spatial instance written here).

The instance: a road chain W - A - B - C - E (10 km apart, EPSG:28992) with a spur B - S, plus
an island road I1 - I2 not connected to it; OD points near W, E, S and I1; candidates near A, C
and S (snapped to road nodes); one existing station at B; two substations; a search-area polygon
around A.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from click.testing import CliRunner

from siting.cli.main import cli
from siting.corridor.load import load_corridor
from siting.errors import InstanceError

CRS = "EPSG:28992"
X0, Y0 = 200_000.0, 450_000.0
NODES = pd.DataFrame({"id": ["W", "A", "B", "C", "E", "S", "I1", "I2"],
                      "x": X0 + np.array([0, 10_000, 20_000, 30_000, 40_000, 20_000, 0, 5_000]),
                      "y": Y0 + np.array([0, 0, 0, 0, 0, 10_000, 50_000, 50_000])})
ROADS = pd.DataFrame({"u": ["W", "A", "B", "C", "B", "I1"], "v": ["A", "B", "C", "E", "S", "I2"],
                      "length_km": [10.0, 10.0, 10.0, 10.0, 10.0, 5.0], "road": ["A1"] * 4 + ["A50", "N1"],
                      "tent": ["core"] * 4 + ["comprehensive", ""]})
OD_POINTS = pd.DataFrame({"id": ["pW", "pE", "pS", "pI"], "x": X0 + np.array([300, 39_800, 20_100, 100]),
                          "y": Y0 + np.array([200, -100, 10_200, 50_000])})
OD = pd.DataFrame({"origin": ["pW", "pW", "pS", "pW"], "destination": ["pE", "pS", "pE", "pI"],
                   "trucks_per_day": [100.0, 40.0, 30.0, 5.0]})
CANDIDATES = pd.DataFrame({"id": ["cA", "cC", "cS"], "fixed_cost": [1e6, 1.2e6, 0.8e6],
                           "cost_per_charger": [3e5] * 3, "land_m2": [2000.0, 1500.0, 1000.0],
                           "x": X0 + np.array([10_400, 29_700, 20_300]), "y": Y0 + np.array([500, -300, 9_800])})
EXISTING = pd.DataFrame({"id": ["eB"], "chargers": [2], "x": [X0 + 20_000], "y": [Y0 + 100]})
GRID = pd.DataFrame({"id": ["G1", "G2"], "available_kw": [5000.0, -500.0], "upgrade_kw": [0.0, 4000.0],
                     "upgrade_cost": [0.0, 2e5], "x": X0 + np.array([10_000, 30_000]), "y": [Y0, Y0]})
PARAMS = {"objective": "flow", "range": 45.0, "p": 2, "kw_per_charger": 1000.0, "max_snap": 2000.0}


def write_instance(folder: Path, *, edit=None, toml=None, graphml: bool = False) -> Path:
    import geopandas as gpd
    import pyogrio
    import shapely

    folder.mkdir(parents=True, exist_ok=True)
    frames = {"road_nodes": NODES.copy(), "od_points": OD_POINTS.copy(), "candidates": CANDIDATES.copy(),
              "existing": EXISTING.copy(), "grid_areas": GRID.copy()}
    tables = {"roads": ROADS.copy(), "od_flows": OD.copy()}
    area = gpd.GeoDataFrame({"id": ["LoLa-A"], "name": ["around A"], "min_sites": [0], "max_sites": [1]},
                            geometry=[shapely.box(X0 + 8000, Y0 - 3000, X0 + 13000, Y0 + 3000)], crs=CRS)
    if edit is not None:
        edit(frames, tables)
    layers = {name: gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(df["x"], df["y"]), crs=CRS)
              for name, df in frames.items()}
    layers["search_areas"] = area
    path = folder / "data.gpkg"
    for name, gdf in layers.items():
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", append=path.exists())
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    config = {"name": "chain", "model": "corridor", "crs": CRS,
              "layers": {**{n: {"file": "data.gpkg", "layer": n} for n in layers},
                         "roads": {"file": "roads.csv"}, "od_flows": {"file": "od_flows.csv"}},
              "corridor": dict(PARAMS)}
    if graphml:
        import networkx as nx

        g = nx.Graph()
        for _, row in NODES.iterrows():
            g.add_node(row["id"], x=float(row["x"]), y=float(row["y"]))
        for _, row in ROADS.iterrows():
            g.add_edge(row["u"], row["v"], len_km=float(row["length_km"]), road=row["road"], tent=row["tent"])
        nx.write_graphml(g, folder / "roads.graphml")
        config["layers"]["roads"] = {"file": "roads.graphml"}
        del config["layers"]["road_nodes"]
    if toml is not None:
        toml(config)
    (folder / "instance.toml").write_text(tomli_w.dumps(config))
    return folder


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    return write_instance(tmp_path / "chain")


def test_loads_snaps_and_excludes_disconnected(chain):
    inst = load_corridor(chain)
    names = inst.network.node_ids
    assert names[inst.site_node].tolist() == ["A", "C", "S", "B"]
    assert inst.site_snap == pytest.approx([640.312424, 424.264069, 360.555128, 100.0])
    assert inst.area_ids.tolist() == ["LoLa-A"] and inst.area_of_site.tolist() == [0, -1, -1, -1]
    assert inst.n_od == 3 and inst.excluded == (("pW->pI", "origin and destination are not connected by the road graph"),)
    assert inst.grid.ids[inst.grid_of_site].tolist() == ["G1", "G2", "G2", "G1"]


def test_graphml_roads_give_the_same_network(tmp_path):
    a = load_corridor(write_instance(tmp_path / "csv"))
    b = load_corridor(write_instance(tmp_path / "graphml", graphml=True))
    assert sorted(zip(a.network.node_ids[a.network.u], a.network.node_ids[a.network.v], a.network.length, strict=True)) == \
        sorted(zip(b.network.node_ids[b.network.u], b.network.node_ids[b.network.v], b.network.length, strict=True))
    assert b.network.node_ids[b.site_node].tolist() == a.network.node_ids[a.site_node].tolist()


def _problems(folder: Path) -> str:
    with pytest.raises(InstanceError) as err:
        load_corridor(folder)
    return err.value.describe()


def test_strict_turns_exclusion_into_an_error(tmp_path):
    folder = write_instance(tmp_path / "strict", toml=lambda c: c["corridor"].update(strict=True))
    text = _problems(folder)
    assert "od_flows" in text and "pW->pI" in text and "not connected" in text


@pytest.mark.parametrize(("edit", "toml", "expected"), [
    (lambda f, t: f["candidates"].loc.__setitem__((1, "x"), X0 + 35_000), None,
     ["candidates", "cC", "geometry", "max_snap"]),
    (lambda f, t: t["roads"].loc.__setitem__((2, "length_km"), 0.0), None, ["roads", "#3", "length_km", "> 0"]),
    (lambda f, t: t["roads"].loc.__setitem__((1, "length_km"), -3.0), None, ["roads", "#2", "length_km", ">= 0"]),
    (lambda f, t: f["candidates"].__setitem__("search_area", ["LoLa-A", "LoLa-X", None]), None,
     ["candidates", "cC", "search_area", "LoLa-X"]),
    (lambda f, t: t["od_flows"].loc.__setitem__((0, "destination"), "nowhere"), None,
     ["od_flows", "destination", "nowhere"]),
    (lambda f, t: t["roads"].loc.__setitem__((0, "v"), "Z"), None, ["roads", "field 'v'", "'Z'"]),
    (None, lambda c: c["corridor"].update(range=0.0), ["corridor", "range must be > 0"]),
    (None, lambda c: c["corridor"].update(rnage=3.0), ["corridor.rnage", "did you mean 'range'"]),
    (lambda f, t: t.__setitem__("od_flows", t["od_flows"].astype({"trucks_per_day": object}))
     or t["od_flows"].loc.__setitem__((2, "trucks_per_day"), "many"), None,
     ["od_flows", "trucks_per_day", "not a number"]),
])
def test_bad_input_names_file_layer_row_and_field(tmp_path, edit, toml, expected):
    text = _problems(write_instance(tmp_path / "bad", edit=edit, toml=toml))
    for part in expected:
        assert part in text, text


def test_cli_validate_solve_and_bad_exit_code(tmp_path, chain):
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(chain)])
    assert res.exit_code == 0, res.output
    assert "3 OD flows" in res.output and "1 OD flows excluded" in res.output
    out = tmp_path / "result"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # matplotlib/pyogrio internals on some platforms
        res = runner.invoke(cli, ["solve", str(chain), "--out", str(out), "--profile", "exact"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "objective", "best_bound", "gap", "model", "objective_kind", "times", "solver", "instance", "kpis"):
        assert key in summary
    assert summary["model"] == "corridor" and summary["status"] == "optimal"
    assert summary["verified"]["violations"] == [] and summary["excluded"][0]["od"] == "pW->pI"
    assert (out / "sites.gpkg").exists() and (out / "map.png").exists() and (out / "summary.md").exists()
    # W-E round trip (40 km each way, range 45): needs stations near both ends or the middle
    assert summary["kpis"]["refuelled_flow"] == pytest.approx(summary["objective"])
    bad = write_instance(tmp_path / "bad", edit=lambda f, t: t["roads"].loc.__setitem__((0, "length_km"), 0.0))
    res = runner.invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 2 and "length_km" in res.output


def test_afir_gaps_on_the_chain(chain):
    from siting.corridor.verify import afir_gaps

    inst = load_corridor(chain)
    only_b = {g["road"]: g for g in afir_gaps(inst, inst.is_existing)}
    assert only_b["A1"]["pools"] == 1 and only_b["A1"]["longest_gap_km"] == 0.0
    assert only_b["A1"]["end_stretch_km"] == pytest.approx(20.0) and only_b["A1"]["compliant"]
    all_open = {g["road"]: g for g in afir_gaps(inst, np.ones(inst.n_sites, bool))}
    assert all_open["A1"]["pools"] == 3 and all_open["A1"]["longest_gap_km"] == pytest.approx(10.0)
    assert all_open["A50"]["tent"] == "comprehensive" and all_open["A50"]["limit_km"] == 100.0
    assert "N1" not in all_open  # not a TEN-T road


def test_scenarios_and_compare(tmp_path, chain):
    from siting.corridor.scenario import apply_scenario, load_scenario

    a = tmp_path / "a.toml"
    a.write_text('name = "C fixed"\n[set]\n"corridor.p" = 1\n[sites]\nopen = ["cC"]\n')
    b = tmp_path / "b.toml"
    b.write_text('name = "only LoLa-A"\n[search_areas]\nallowed = ["LoLa-A"]\n[grid]\nextra_kw = { G2 = 1000.0 }\n')
    inst = apply_scenario(load_corridor(chain), load_scenario(b))
    assert inst.allowed.tolist() == [True, False, False, True]
    assert inst.grid.available_kw.tolist() == [5000.0, 500.0]
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(chain), "--scenario", str(a), "--scenario", str(b), "--out", str(out),
                                   "--profile", "exact"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "compare.csv", index_col=0)
    assert list(table.columns) == ["existing stations only", "base", "C fixed", "only LoLa-A"]
    assert (table.loc["result"] == "optimal").all()
    assert "cC" in table.loc["where the new hubs are", "C fixed"]
    assert (out / "compare.md").exists() and (out / "map-c-fixed.png").exists()


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "x"\n[sites]\nopen = ["cZ"]\n', ["sites.open", "cZ", "unknown site"]),
    ('name = "x"\n[sites]\nclosed = ["eB"]\n', ["sites.closed", "eB", "existing station"]),
    ('name = "x"\n[search_areas]\nallowed = ["LoLa-Q"]\n', ["search_areas.allowed", "LoLa-Q"]),
    ('name = "x"\n[grid]\nextra_kw = { G9 = 1.0 }\n', ["grid.extra_kw", "G9"]),
    ('name = "x"\n[site]\nopen = []\n', ["site", "unknown key"]),
])
def test_bad_scenario_exits_2_naming_the_key(tmp_path, chain, text, expected):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    res = CliRunner().invoke(cli, ["compare", str(chain), "--scenario", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    for part in expected:
        assert part in res.output
    assert not (tmp_path / "o").exists()


def test_afir_spacing_constraint_opens_pools_along_the_core_road(tmp_path):
    """A1 W-A-B-C-E with 25 km edges: the pool at B leaves W and E 50 km away (> 60 / 2), so the
    constraint needs pools at A and C; with p = 1 the plan is infeasible and the diagnosis says why."""
    def longer(frames, tables):
        tables["roads"].loc[:3, "length_km"] = 25.0

    folder = write_instance(tmp_path / "afir", edit=longer,
                            toml=lambda c: c["corridor"].update(afir_spacing=True, range=500.0))
    from siting.corridor.api import solve_corridor
    from siting.options import SolveOptions

    inst = load_corridor(folder)
    run = solve_corridor(inst, SolveOptions(profile="exact"))
    assert run.status == "optimal" and run.certificate.violations == []
    assert set(inst.site_ids[run.solution.open].tolist()) >= {"cA", "cC", "eB"}
    assert "afir" in run.formulation.cons
    one = solve_corridor(inst.with_params(p=1), SolveOptions(profile="exact"))
    assert one.status == "infeasible" and any("afir" in d for d in one.diagnosis)
