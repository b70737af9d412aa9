"""Corridor options compared: the least-cost second stage, the existing-only reference, priced grid
items in scenarios, the why line and the comparison files (small seeded instances, seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.corridor.test_load import write_instance
from tests.corridor.test_model import EXACT, SEEDS, random_instance, solve_checked

from siting.cli.main import cli
from siting.corridor.api import solve_corridor
from siting.corridor.least_cost import TOL, least_cost
from siting.corridor.load import load_corridor
from siting.corridor.references import existing_only
from siting.corridor.scenario import apply_scenario, load_scenario
from siting.corridor.verify import verify_corridor
from siting.errors import InstanceError
from siting.options import SolveOptions

pytestmark = pytest.mark.solver


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", [{}, {"capacitated": True}, {"objective": "truck_km"},
                                     {"p": None, "budget": 2_500_000.0}, {"k_paths": 3, "detour": 0.25}])
def test_least_cost_keeps_the_service_and_never_costs_more(seed, variant):
    first = solve_checked(random_instance(seed, **variant))
    plan = least_cost(first, EXACT)
    second, k1 = plan.run, first.certificate.kpis
    assert second.status == "optimal" and second.certificate.violations == []
    k2 = second.certificate.kpis
    served = "refuelled_truck_km" if variant.get("objective") == "truck_km" else "refuelled_flow"
    assert k2[served] >= (1 - TOL) * k1[served] - 1e-9
    assert k2[served] == pytest.approx(k1[served], rel=2 * TOL)  # more service is not lost nor gained much
    assert k2["cost"] <= k1["cost"] + 1e-6
    assert plan.saved == pytest.approx(k1["cost"] - k2["cost"])
    # the independent checker, run again on the second stage's plan, agrees with its objective
    again = verify_corridor(second.instance, second.paths, second.solution)
    assert again.violations == [] and again.objective == pytest.approx(second.objective, rel=1e-7, abs=1e-6)


def test_least_cost_drops_hubs_that_add_no_service():
    """a - b - c: only a hub at b refuels the trip; with p = 2 the flow objective may open a or c as
    well (no cost term), the second stage opens b alone."""
    from dataclasses import replace

    from tests.corridor.test_verify import chain

    inst = replace(chain(4, p=2), fixed_cost=np.array([1e5, 2e5, 1e5]))
    first = solve_corridor(inst, EXACT, warm_start=np.array([1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]))
    plan = least_cost(first, EXACT)
    assert plan.run.certificate.kpis["refuelled_flow"] == pytest.approx(first.certificate.kpis["refuelled_flow"])
    assert plan.run.certificate.kpis["cost"] <= first.certificate.kpis["cost"]
    assert plan.run.certificate.kpis["new_stations"] == 1 and plan.run.solution.open[1]
    assert plan.run.certificate.kpis["cost"] == pytest.approx(2e5)


def test_cost_objective_needs_no_second_stage():
    first = solve_checked(random_instance(0, objective="cost", p=None, required_share=0.3))
    plan = least_cost(first, EXACT)
    assert plan.run is first and plan.second is None


@pytest.mark.parametrize("variant", [{}, {"capacitated": True}, {"objective": "cost", "p": None, "required_share": 0.3}])
def test_existing_only_builds_nothing_and_is_a_lower_bound(variant):
    inst = random_instance(1, **variant)
    ref = solve_corridor(existing_only(inst), EXACT)
    assert ref.status == "optimal" and ref.certificate.violations == []
    k = ref.certificate.kpis
    assert k["new_stations"] == 0 and k["new_chargers"] == 0 and k["cost"] == 0 and k["grid_upgrades"] == 0
    base = solve_corridor(inst, EXACT).certificate.kpis
    assert base["refuelled_flow"] >= k["refuelled_flow"] - 1e-6


def _items(tmp_path, text: str):
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\n' + text)
    return load_scenario(path)


def test_priced_grid_item_is_an_upgrade_bought_only_when_used(tmp_path):
    """The chain: G2 (around C) has headroom -500 kW and its own upgrade; G1 (around A) 5 MW.
    An item at G1 is bought only when it is needed, and its cost is in the investment."""
    folder = write_instance(tmp_path / "chain")
    item = ('[[grid.items]]\nsubstation = "G1"\nkw = 3000.0\ncost = 50000.0\nannual_cost = 1000.0\nyear = 2028\n'
            'what = "3 MW"\n')
    inst = apply_scenario(load_corridor(folder), _items(tmp_path, item))
    assert inst.grid.upgrade_kw.tolist() == [3000.0, 4000.0] and inst.grid.upgrade_cost.tolist() == [50000.0, 2e5]
    late = apply_scenario(load_corridor(folder), _items(tmp_path, item.replace("2028", "2031")))
    assert late.grid.upgrade_kw.tolist() == [0.0, 4000.0]  # not available by 2030: left out
    with pytest.raises(InstanceError, match="offers an upgrade"):
        apply_scenario(load_corridor(folder), _items(tmp_path, item.replace('"G1"', '"G2"')))
    with pytest.raises(InstanceError, match="G9"):
        apply_scenario(load_corridor(folder), _items(tmp_path, item.replace('"G1"', '"G9"')))
    # G1's 5 MW take two 2-charger hubs of 1 MW chargers; the flow needs one: the item stays unbought
    run = least_cost(solve_corridor(inst, EXACT), EXACT).run
    assert run.certificate.violations == [] and not run.solution.upgrades[0]
    tight = apply_scenario(load_corridor(folder, ["corridor.min_chargers=6", "corridor.max_chargers=8"]),
                           _items(tmp_path, item))
    bought = least_cost(solve_corridor(tight, EXACT), EXACT).run
    if bought.solution.open[0]:  # a 6 MW hub at A needs the item
        assert bought.solution.upgrades[0]
        assert bought.certificate.kpis["cost"] >= 50000.0


def test_compare_writes_references_least_cost_items_and_why(tmp_path):
    folder = write_instance(tmp_path / "chain")
    a = tmp_path / "a.toml"
    a.write_text('name = "C fixed"\n[set]\n"corridor.p" = 1\n[sites]\nopen = ["cC"]\n')
    b = tmp_path / "b.toml"
    b.write_text('name = "G2 bought"\n[[grid.items]]\nsubstation = "G1"\nkw = 2000.0\ncost = 1.0e5\n'
                 'annual_cost = 5000.0\nyear = 2027\nwhat = "2 MW connection"\n')
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(folder), "--scenario", str(a), "--scenario", str(b),
                                   "--out", str(out), "--profile", "exact"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "compare.csv", index_col=0)
    assert list(table.columns) == ["existing stations only", "base", "C fixed", "G2 bought"]
    assert (table.loc["result"] == "optimal").all()
    flow = table.loc["e-trucks per day whose round trip can be charged"].astype(float)
    assert flow.iloc[0] <= flow.min() + 1e-9  # existing stations only is the floor here
    extra = table.loc["extra e-trucks per day over existing stations only"].astype(float)
    assert extra.to_numpy() == pytest.approx((flow - flow.iloc[0]).to_numpy())
    cost = table.loc["investment, EUR (least cost at this service)"].astype(float)
    first = table.loc["investment of the flow-only plan (first stage), EUR"].astype(float)
    assert (cost <= first + 1e-6).all() and cost.iloc[0] == 0
    per = table.loc["investment per extra e-truck/day over existing stations only, EUR"].astype(float)
    ok = extra > 0
    assert per[ok].to_numpy() == pytest.approx((cost[ok] / extra[ok]).to_numpy())
    assert table.loc["why this plan"].notna().all()
    assert "p = 1 allowed" in table.loc["why this plan", "C fixed"]
    assert any(i.startswith("search area LoLa-A") for i in table.index)
    text = (out / "compare.md").read_text()
    assert "## New hubs per LoLa search area" in text and "around A" in text
    assert (out / "map-existing-stations-only.png").exists() and (out / "map-c-fixed.png").exists()


def test_bundled_scenarios_price_their_grid_items():
    from siting.io.folder import instance_folder

    folder = instance_folder("instances/nal-oost-corridor")
    for path in sorted((folder / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.grid.items and not scenario.grid.extra_kw, path.name
        assert all(it.cost > 0 and it.year <= scenario.year for it in scenario.grid.items)
        text = path.read_text()
        assert "[sourced" in text and "[derived" in text and "[estimate]" in text
        inst = apply_scenario(load_corridor(folder, scenario.overrides()), scenario)
        assert np.count_nonzero(inst.grid.upgrade_cost) >= len(scenario.grid.items)


def test_truck_km_second_stage_row_is_checked():
    inst = random_instance(2, objective="cost", p=None, required_share=None, required_truck_km=1e9)
    run = solve_corridor(inst, SolveOptions(profile="exact"))
    assert run.status == "infeasible"


def test_afir_pool_power_needs_the_class_power_at_every_pool(tmp_path):
    """A1 W-A-B-C-E with 25 km edges (core): W and E need a pool within 30 km, so A and C; with
    afir_pool_power a pool needs >= 3 600 kW, i.e. 4 chargers of 1 MW, and the checker refuses a
    plan whose pool at A has 2."""
    from dataclasses import replace

    def longer(frames, tables):
        tables["roads"].loc[:3, "length_km"] = 25.0
        frames["grid_areas"]["available_kw"] = 20_000.0

    params = {"afir_spacing": True, "afir_pool_power": True, "capacitated": True, "range": 500.0, "p": 3,
              "min_chargers": 1, "max_chargers": 8}
    folder = write_instance(tmp_path / "afir", edit=longer, toml=lambda c: c["corridor"].update(params))
    inst = load_corridor(folder)
    run = solve_corridor(inst, EXACT)
    assert run.status == "optimal" and run.certificate.violations == [], run.result.message
    assert "afir_power" in run.formulation.cons and "w" in run.formulation.vars
    chargers = dict(zip(inst.site_ids.tolist(), run.solution.chargers.tolist(), strict=True))
    assert chargers["cA"] >= 4 and chargers["cC"] >= 4
    weak = replace(run.solution, chargers=np.where(inst.site_ids == "cA", 2, run.solution.chargers))
    assert any("AFIR" in v for v in verify_corridor(inst, run.paths, weak).violations)
    plain = solve_corridor(inst.with_params(afir_pool_power=False), EXACT)
    assert plain.status == "optimal" and "afir_power" not in plain.formulation.cons
    assert plain.certificate.kpis["new_chargers"] <= run.certificate.kpis["new_chargers"]
    with pytest.raises(ValueError, match="afir_spacing"):
        inst.params.model_validate({**inst.params.model_dump(), "afir_spacing": False})


def test_afir_keeps_to_the_region_unless_asked(tmp_path):
    """Only the chain's W-A-B edges lie in the region: the gaps and the rows cover them alone, and
    afir_outside_region brings the B-C-E stretch back."""
    from dataclasses import replace

    from siting.corridor.api import afir_rows
    from siting.corridor.verify import afir_gaps

    inst = load_corridor(write_instance(tmp_path / "chain"))
    assert inst.network.in_region is None  # no region or municipalities layer: every edge counts
    inside = np.array([True, True, False, False, False, False])
    region = replace(inst, network=replace(inst.network, in_region=inside), params=inst.params.model_copy(
        update={"afir_spacing": True}))
    a1 = {g["road"]: g for g in afir_gaps(region, region.is_existing)}["A1"]
    assert a1["length_km"] == pytest.approx(20.0)
    everywhere = region.with_params(afir_outside_region=True)
    assert {g["road"]: g for g in afir_gaps(everywhere, region.is_existing)}["A1"]["length_km"] == pytest.approx(40.0)
    assert len(afir_rows(region)[0]) < len(afir_rows(everywhere)[0])


def test_bundled_region_is_the_municipalities():
    inst = load_corridor("instances/nal-oost-corridor")
    assert 0 < inst.network.in_region.sum() < len(inst.network.u)
