"""Park options compared (`siting compare` of a park instance): the reference option "every company
on its own connection", park scenario files (every change and every id checked), the penalty
moving energy not delivered the expected way, and the comparison files (small seeded instances,
seconds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.core import test_report_html as harness

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.options import SolveOptions
from siting.park.api import solve_park
from siting.park.compare import solve_option
from siting.park.load import load_park
from siting.park.references import BASE, OWN_ONLY, REFERENCE_PENALTY, own_connections_only
from siting.park.scenario import load_option, load_scenario
from siting.park.synthetic import small_park, write_park_folder

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")
browser, open_page = harness.browser, harness.open_page  # the report.html harness's fixtures


def park_folder(root: Path, seed: int = 1, **park) -> Path:
    tables, config = small_park(seed)
    config["park"].update(park)
    return write_park_folder(root / f"park-{seed}", tables, config)


def scenario(tmp_path: Path, text: str, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text if text.startswith("name =") else f'name = "{name}"\n' + text)
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reference_has_no_square_and_companies_without_own_option_get_nothing(tmp_path, seed):
    inst = load_park(park_folder(tmp_path, seed))
    run = solve_park(own_connections_only(inst), EXACT)
    assert run.status == "optimal" and run.certificate.violations == []
    sol, k = run.solution, run.certificate.kpis
    assert k["squares_open"] == 0 and not sol.open.any() and sol.assign.sum() == 0
    no_own = ~inst.has_own
    assert no_own.any()  # the seeded parks have companies without an own connection
    assert sol.unmet[no_own] == pytest.approx(inst.energy_kwh[no_own])
    # the companies with one charge at home as far as it goes, never more than their energy
    assert np.all(sol.unmet[~no_own] <= inst.energy_kwh[~no_own] + 1e-6)
    # collective squares can only make it cheaper: the reference is a plan of the base too
    base = solve_park(inst, EXACT)
    assert base.objective <= run.objective + 1e-6
    assert base.certificate.kpis["energy_unmet_kwh_per_day"] <= k["energy_unmet_kwh_per_day"] + 1e-6


def test_reference_prices_unmet_energy_where_the_instance_does_not(tmp_path):
    tables, config = small_park(1)
    del config["park"]["unmet_penalty"]
    inst = load_park(write_park_folder(tmp_path / "strict", tables, config))
    assert inst.params.unmet_penalty is None
    ref = own_connections_only(inst)
    assert ref.params.unmet_penalty == REFERENCE_PENALTY and ref.params.max_squares == 0
    run = solve_park(ref, EXACT)
    assert run.status == "optimal" and run.certificate.kpis["energy_unmet_kwh_per_day"] > 0
    # without the price the same instance has no plan: some companies have no own connection
    assert solve_park(inst.with_params(max_squares=0), EXACT).status == "infeasible"


def test_a_higher_penalty_delivers_more(tmp_path):
    """Energy costs EUR 0.25/kWh (x1.6 in the peak): at EUR 0.05/kWh nothing is worth delivering;
    at EUR 0.50 most is, at EUR 50 all of it; unmet energy never rises with the penalty."""
    folder = park_folder(tmp_path, 1, unmet_penalty=0.05)
    unmet = []
    for penalty in (0.05, 0.5, 50.0):
        path = scenario(tmp_path, f'[set]\n"park.unmet_penalty" = {penalty}\n', name=f"p{penalty:g}")
        option = load_option(folder, load_scenario(path))
        assert option.params.unmet_penalty == penalty
        run = solve_option(option, EXACT)
        assert run.status == "optimal" and run.certificate.violations == []
        unmet.append(run.certificate.kpis["energy_unmet_kwh_per_day"])
    assert unmet[0] == pytest.approx(load_park(folder).energy_kwh.sum())
    assert unmet[0] > unmet[1] > unmet[2] and unmet[2] == pytest.approx(0.0, abs=1e-6)


def test_scenario_changes_tiers_contracts_grid_and_squares(tmp_path):
    folder = park_folder(tmp_path, 1)
    base = load_park(folder)
    path = scenario(tmp_path, """
[squares]
open = ["s2"]
closed = ["s1"]
[tiers]
drop = ["3x250A"]
[tiers.change."630kVA"]
one_off_cost = 20000.0
capacity_kw = 500.0
[[tiers.add]]
id = "1000kVA-tb"
capacity_kw = 1000.0
annual_cost = 100.0
contract = "timebound"
square = "s3"
[contracts]
profile = { timebound = "netbewust" }
[grid]
headroom_kw = { "G1" = 900.0 }
extra_kw = { "G1" = 100.0 }
""")
    inst = load_option(folder, load_scenario(path))
    sq = inst.square_ids[inst.tier_square].astype(str)
    assert "3x250A" in base.tier_ids and "3x250A" not in inst.tier_ids
    assert "s1" not in sq  # closed: no tier left
    assert sorted(inst.tier_ids[sq == "s3"]) == ["1000kVA-tb", "630kVA", "630kVA-timebound"]
    assert sorted(inst.tier_ids[sq == "s2"]) == ["630kVA", "630kVA-timebound"]
    firm = inst.tier_ids == "630kVA"
    assert np.all(inst.tier_cost[firm] == 20000.0) and np.all(inst.tier_kw[firm] == 500.0)
    profile = pd.read_csv(folder / "profiles.csv").sort_values("slot")["netbewust"].to_numpy()
    timebound = inst.tier_contract == "netbewust"
    assert timebound.sum() == 3 + 1 and np.all(inst.tier_avail[timebound] == profile)
    assert inst.headroom_kw[0] == pytest.approx(1000.0 * profile)  # the grid area's profile is netbewust too
    assert inst.fixed_open.tolist() == [False, True, False, False]
    run = solve_option(inst, EXACT)
    assert run.status == "optimal" and run.certificate.violations == []
    assert run.solution.open[1] and not run.solution.open[0]


def test_contracts_allowed_keeps_only_those_tiers(tmp_path):
    folder = park_folder(tmp_path, 1)
    option = load_option(folder, load_scenario(scenario(tmp_path, '[contracts]\nallowed = ["firm"]\n')))
    assert set(option.tier_contract) == {"firm"}
    assert option.params.contracts == ["firm"]


BAD = [  # (scenario text, field named, id named)
    ('[squares]\nopen = ["s9"]\n', "squares.open", "s9"),
    ('[squares]\nclosed = ["sq1"]\n', "squares.closed", "sq1"),
    ('[squares]\nopen = ["s1"]\nclosed = ["s1"]\n', "squares.open", "s1"),
    ('[tiers]\ndrop = ["630kva"]\n', "tiers.drop", "630kva"),
    ('[tiers.change."9MVA"]\nannual_cost = 1.0\n', "tiers.change", "9MVA"),
    ('[[tiers.add]]\nid = "x"\ncapacity_kw = 10.0\nsquare = "s7"\n', "tiers.add.square", "s7"),
    ('[[tiers.add]]\nid = "x"\ncapacity_kw = 10.0\ncontract = "night"\n', "tiers.add.contract", "night"),
    ('[[tiers.add]]\nid = "630kVA"\ncapacity_kw = 10.0\n', "tiers.add.id", "630kVA"),
    ('[contracts]\nallowed = ["frim"]\n', "contracts.allowed", "frim"),
    ('[contracts]\nprofile = { evening = "netbewust" }\n', "contracts.profile", "evening"),
    ('[contracts]\nprofile = { timebound = "nightly" }\n', "contracts.profile", "nightly"),
    ('[grid]\nheadroom_kw = { "G2" = 10.0 }\n', "grid.headroom_kw", "G2"),
    ('[grid]\nextra_kw = { "g1" = 10.0 }\n', "grid.extra_kw", "g1"),
    ('[grid]\nprofile = { "G1" = "flat" }\n', "grid.profile", "flat"),
    ('[set]\n"park.unmet_penalt" = 1.0\n', "set.park.unmet_penalt'", "unmet_penalty"),
    ('[set]\n"park.unmet_penalty" = -1.0\n', "set.park.unmet_penalty", "-1"),
    ('[set]\nunmet_penalty = 1.0\n', "set.unmet_penalty", "SECTION.KEY"),
    ('[square]\nopen = ["s1"]\n', "square", "unknown key"),
    ('name = "good"\n', "name", "'good' is taken"),
    ('name = "base"\n', "name", "'base' is taken"),
]


@pytest.mark.parametrize(("text", "field", "name"), BAD)
def test_bad_scenarios_exit_2_naming_file_key_and_id(tmp_path, text, field, name):
    folder = park_folder(tmp_path, 1)
    good = scenario(tmp_path, '[set]\n"park.unmet_penalty" = 5.0\n', name="good")
    bad = scenario(tmp_path, text, name="bad")
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(folder), "--scenario", str(good), "--scenario", str(bad),
                                   "--out", str(out), "--profile", "exact"])
    assert res.exit_code == 2, res.output
    assert str(bad) in res.output and f"field '{field}" in res.output and name in res.output, res.output
    assert not out.exists()


OPTIONS = [OWN_ONLY, BASE, "penalty high", "s2 fixed"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """The comparison of small park 1 (penalty EUR 0.50/kWh) with two scenarios, through the CLI."""
    root = tmp_path_factory.mktemp("park-compare")
    folder = park_folder(root, 1, unmet_penalty=0.5)
    high = scenario(root, 'description = "EUR 50/kWh"\n[set]\n"park.unmet_penalty" = 50.0\n', name="penalty high")
    fixed = scenario(root, '[squares]\nopen = ["s2"]\nclosed = ["s4"]\n', name="s2 fixed")
    out = root / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(folder), "--scenario", str(high), "--scenario", str(fixed),
                                   "--out", str(out), "--profile", "exact"])
    assert res.exit_code == 0, res.output
    return out


def test_compare_writes_references_scenarios_and_files(compared):
    out = compared
    assert {p.name for p in out.iterdir()} == {
        "compare.csv", "compare.md", "compare.html", "map-every-company-on-its-own-connection.png", "map-base.png",
        "map-penalty-high.png", "map-s2-fixed.png"}
    table = pd.read_csv(out / "compare.csv", index_col=0)
    assert list(table.columns) == OPTIONS
    assert (table.loc["result"] == "optimal").all()
    num = lambda label: table.loc[label].astype(float)  # noqa: E731
    assert num("collective squares").iloc[0] == 0 and num("companies charging at a square").iloc[0] == 0
    assert (num("annual cost, EUR/yr (annualised, penalty included)").iloc[1:]
            <= num("annual cost, EUR/yr (annualised, penalty included)").iloc[0] + 1e-6).all()
    unmet = num("energy not delivered, kWh/day")
    assert unmet[BASE] == pytest.approx(85.0) and unmet["penalty high"] == pytest.approx(0.0)
    assert unmet[OWN_ONLY] > unmet[BASE]
    window, grid = num("… of which the dwell window is too short (no plan delivers it), kWh/day"), \
        num("… of which the grid and the connections cannot carry, kWh/day")
    assert (window + grid <= unmet + 1e-6).all()
    cost = [num(f"cost: {line}") for line in ("squares (civil works), EUR/yr", "grid connections of the squares, "
            "EUR/yr", "chargers, EUR/yr", "own connections, EUR/yr", "electricity, EUR/yr", "walking/driving, EUR/yr",
            "penalty for energy not delivered, EUR/yr")]
    assert sum(cost).to_numpy() == pytest.approx(num("annual cost, EUR/yr (annualised, penalty included)").to_numpy())
    assert num("cost: penalty for energy not delivered, EUR/yr")[BASE] == pytest.approx(0.5 * 250 * 85.0)
    assert num("one-off investment, EUR (squares, connections, chargers, own upgrades)")[OWN_ONLY] > 0
    assert table.loc["open square ids (for scenario files)", "s2 fixed"].split()[0] == "s2"
    assert "s4" not in table.loc["open square ids (for scenario files)", "s2 fixed"].split()
    assert "(fixed open)" in table.loc["where the squares are", "s2 fixed"]
    assert "park.unmet_penalty = 50.0" == table.loc["what the option changes", "penalty high"]
    assert "square s2: peak / connection kW" in table.index and any(i.startswith("grid G1") for i in table.index)
    assert any(i.startswith("company ") for i in table.index)
    text = (out / "compare.md").read_text()
    for phrase in ("# Business-park options compared", "## Peak load / connection kW at each square",
                   "## Grid: peak charging load / headroom kW per grid area", "## Energy not delivered per company"):
        assert phrase in text, phrase
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert page.count('<tr class="option">') == 4 and page.count('class="siting-map"') == 4
    assert "<script src" not in page and "business-park options compared" in page


def test_compare_html_draws_a_map_per_option(compared, open_page):
    """compare.html in a headless browser (tests/core/test_report_html.py's harness; skips without
    chromium): a row and a drawn map with squares and companies per option, offline, no errors."""
    page = open_page(compared / "compare.html")
    assert "Energy not delivered per company" in page.page.inner_text("#tables")
    harness.check_compare_page(page, OPTIONS, ("squares", "companies"))


def test_a_square_fixed_open_needs_a_tier(tmp_path):
    folder = park_folder(tmp_path, 1)
    text = ('[squares]\nopen = ["s1"]\n[tiers]\ndrop = ["3x250A", "630kVA", "630kVA-timebound"]\n'
            '[[tiers.add]]\nid = "s2-only"\ncapacity_kw = 200.0\nsquare = "s2"\n')
    with pytest.raises(InstanceError, match="no connection tier left") as err:
        load_option(folder, load_scenario(scenario(tmp_path, text)))
    assert err.value.problems[0].row == "s1" and err.value.problems[0].field == "squares.open"


def test_the_documented_example_is_a_valid_scenario_file(tmp_path):
    import siting.park.scenario as module

    text = module.__doc__.split("```toml\n", 1)[1].split("```", 1)[0]
    sc = load_scenario(scenario(tmp_path, text))
    assert sc.name == "penalty high" and sc.tiers.add[0].square == "sq-693-2"
    assert sc.contracts.allowed == ["firm", "netbewust"] and sc.grid.extra_kw == {"Rijssen": 500.0}
    assert "tier added: 2000kVA-timebound (2000 kW, timebound, at sq-693-2)" in sc.changes()


def test_bundled_scenarios_load_against_their_instance():
    folder = Path(__file__).resolve().parents[2] / "instances" / "rijssen-holten-park"
    paths = sorted((folder / "scenarios").glob("*.toml"))
    assert len(paths) >= 2
    for path in paths:
        sc = load_scenario(path)
        assert "[estimate]" in path.read_text() or "[sourced]" in path.read_text(), path.name
        option = load_option(folder, sc)
        assert option.n_tiers > 0, path.name
