"""The park model on small seeded synthetic parks (siting.park.synthetic.small_park, 8 slots).

Every solve goes through `solve_checked`: optimum proven, the independent checker
(`verify_park`) finds no violation and recomputes the solver's objective. Metamorphic tests:
a tighter grid headroom never lowers cost; a time-bound contract is never worth more than the
same firm one; allowing split never costs more than single source. Structural tests count
variables and rows without a solver, and the formulation reaches pyomo unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.formulation.test_formulation import read_pyomo

from siting.formulation.emit import to_pyomo
from siting.options import SolveOptions
from siting.park.api import ParkRun, solve_park
from siting.park.instance import dwell_window
from siting.park.load import load_park
from siting.park.model import build_park, park_index
from siting.park.params import annuity_factor
from siting.park.synthetic import small_park, write_park_folder
from siting.park.verify import verify_park
from siting.solve import solve

EXACT = SolveOptions(profile="exact")
SEEDS = [0, 1, 2, 3]


@pytest.fixture(scope="module")
def park_folders(tmp_path_factory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("parks")
    return {seed: write_park_folder(root / f"p{seed}", *small_park(seed)) for seed in SEEDS}


def solve_checked(inst) -> ParkRun:
    run = solve_park(inst, EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    assert run.certificate.objective == pytest.approx(run.objective, rel=1e-6, abs=1e-6)
    assert run.result.best_bound == pytest.approx(run.objective, rel=1e-6, abs=1e-6)
    return run


# -- no solver ------------------------------------------------------------------------------------
def test_annuity_factor() -> None:
    assert annuity_factor(0.0, 20) == pytest.approx(0.05)
    assert annuity_factor(0.05, 20) == pytest.approx(0.0802426, rel=1e-6)
    # paying a(r, L) for L years repays 1 EUR at rate r
    a = annuity_factor(0.07, 12)
    assert sum(a / 1.07**t for t in range(1, 13)) == pytest.approx(1.0)


def test_dwell_window_wraps_past_midnight() -> None:
    w = dwell_window(np.array([18.0, 6.0, np.nan, 18.0]), np.array([6.0, 18.0, np.nan, 7.0]), 8, 3.0)
    assert w[0].tolist() == [True, True, False, False, False, False, True, True]  # 18-06
    assert w[1].tolist() == [False, False, True, True, True, True, False, False]  # 06-18
    assert w[2].all()
    assert w[3].tolist() == [True, True, False, False, False, False, True, True]  # 06-09 not whole


@pytest.mark.parametrize("seed", SEEDS)
def test_structure_is_sparse(park_folders, seed: int) -> None:
    inst = load_park(park_folders[seed])
    idx = park_index(inst)
    form = build_park(inst, idx)
    # pairs exactly those within D, counted with plain numpy
    d = np.hypot(inst.company_xy[:, None, 0] - inst.square_xy[None, :, 0],
                 inst.company_xy[:, None, 1] - inst.square_xy[None, :, 1])
    assert inst.n_pairs == int(np.sum(d <= inst.params.walking_distance))
    assert form.vars["z"].size == inst.n_pairs
    assert form.vars["p"].size == int(inst.window[inst.pair_company].sum())
    assert form.vars["x"].size == inst.n_squares and form.vars["y"].size == inst.n_tiers
    assert form.vars["n"].size == inst.n_squares * inst.n_chargers
    assert form.cons["energy"].size == form.cons["assign"].size == inst.n_companies
    assert form.cons["power_assign"].size == form.vars["p"].size
    assert form.cons["connection"].size == len(np.unique(inst.pair_square[idx.p_pair] * inst.n_slots + idx.p_slot))
    # every p entry lies inside its company's window
    assert inst.window[inst.pair_company[idx.p_pair], idx.p_slot].all()


def test_pyomo_model_equals_formulation(park_folders) -> None:
    form = build_park(load_park(park_folders[0]))
    got = read_pyomo(to_pyomo(form), form)
    cost, lb, ub, integer = form.column_arrays()
    lower, upper = form.row_bounds()
    np.testing.assert_array_equal(got["a"], form.matrix().toarray())
    np.testing.assert_array_equal(got["row_lower"], lower)
    np.testing.assert_array_equal(got["row_upper"], upper)
    np.testing.assert_array_equal(got["lb"], lb)
    np.testing.assert_array_equal(got["ub"], ub)
    np.testing.assert_array_equal(got["integer"], integer)
    np.testing.assert_array_equal(got["cost"], cost)


# -- solves ---------------------------------------------------------------------------------------
@pytest.mark.solver
def test_highs_direct_and_pyomo_appsi_agree(park_folders) -> None:
    form = build_park(load_park(park_folders[1]))
    direct = solve(form, SolveOptions(solver="highs", profile="exact"))
    via_pyomo = solve(form, SolveOptions(solver="appsi_highs", profile="exact"))
    assert direct.status == via_pyomo.status == "optimal"
    assert via_pyomo.objective == pytest.approx(direct.objective, rel=1e-6)


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
def test_tighter_grid_never_lowers_cost(park_folders, seed: int) -> None:
    inst = load_park(park_folders[seed])
    costs, unmet = [], []
    for scale in (1.0, 0.5, 0.25, 0.1, 0.0):
        run = solve_checked(inst.with_headroom(inst.headroom_kw * scale))
        costs.append(run.objective)
        unmet.append(run.certificate.kpis["energy_unmet_kwh_per_day"])
        assert run.certificate.kpis["peak_grid_load_kw"] <= float(inst.headroom_kw.max()) * scale + 1e-6
    assert all(b >= a - 1e-6 * abs(a) for a, b in zip(costs, costs[1:], strict=False)), costs
    assert unmet[-1] > 0  # no headroom at all: the grid leaves energy undelivered


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
def test_time_bound_contract_never_beats_firm_at_same_price(park_folders, seed: int) -> None:
    inst = load_park(park_folders[seed])
    firm = inst.tier_contract == "firm"
    base = solve_checked(inst).objective
    # make the time-bound tier cost what the firm one costs: it can then only be worse or equal,
    # so dropping it from the menu must not change the optimum
    from dataclasses import replace

    same_price = replace(inst, tier_annual=np.where(firm, inst.tier_annual, 6000.0))
    only_firm = replace(same_price, tier_kw=np.where(firm, inst.tier_kw, 1e-9))
    assert solve_checked(same_price).objective >= base - 1e-6
    assert solve_checked(only_firm).objective == pytest.approx(solve_checked(same_price).objective, rel=1e-7)


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
def test_split_never_costs_more_than_single_source(park_folders, seed: int) -> None:
    inst = load_park(park_folders[seed])
    single = solve_checked(inst).objective
    split = solve_checked(inst.with_params(single_source=False)).objective
    assert split <= single + 1e-6 * abs(single)


@pytest.mark.solver
def test_unmet_energy_reported_per_company_and_checked(park_folders) -> None:
    inst = load_park(park_folders[2])
    run = solve_checked(inst.with_headroom(np.zeros_like(inst.headroom_kw)))
    sol, k = run.solution, run.certificate.kpis
    # no headroom: squares and own connections in the grid area deliver nothing
    assert sol.power.sum() == pytest.approx(0.0, abs=1e-6)
    assert k["energy_unmet_kwh_per_day"] == pytest.approx(inst.energy_kwh.sum() - k["energy_delivered_kwh_per_day"])
    assert k["companies_with_unmet_energy"] >= 1


@pytest.mark.solver
def test_checker_catches_a_broken_solution(park_folders) -> None:
    from dataclasses import replace

    inst = load_park(park_folders[0])
    run = solve_checked(inst)
    sol = run.solution
    more_power = replace(sol, power=sol.power * 1.5 + 1.0)
    assert verify_park(inst, more_power).violations
    assert verify_park(inst, replace(sol, assign=np.zeros_like(sol.assign))).violations  # power without a share
    far = np.ones_like(sol.assign, bool)
    far[inst.pair_company, inst.pair_square] = False
    k, s = np.argwhere(far)[0]
    moved = np.zeros_like(sol.assign)
    moved[k, s] = 1.0
    assert any("beyond walking distance" in v for v in verify_park(inst, replace(sol, assign=moved)).violations)


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
def test_reserved_contracts_need_headroom_in_every_slot(park_folders, seed: int) -> None:
    """No headroom in the peak: only time-bound (or small) tiers can be contracted, and reserving
    contracted capacity never lowers cost."""
    inst = load_park(park_folders[seed])
    peak = inst.tier_avail[inst.tier_contract == "timebound"][0] == 0
    congested = inst.with_headroom(np.where(peak, 0.0, inst.headroom_kw))
    loose = solve_checked(congested)
    strict = solve_checked(congested.with_params(reserve_contracts=True, small_connection_kw=100.0))
    assert strict.objective >= loose.objective - 1e-6 * abs(loose.objective)
    chosen = strict.solution.tier[strict.solution.tier >= 0]
    big_firm = (inst.tier_contract[chosen] == "firm") & (inst.tier_kw[chosen] > 100.0)
    assert not big_firm.any()


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
def test_fixed_power_reduction_keeps_the_optimum(tmp_path, monkeypatch, seed: int) -> None:
    """Companies whose window at full power holds exactly their energy (every CFLP customer) get no
    p columns: the optimum, the checker's verdict and the answer's power stay those of the full model,
    with own options, chargers, a grid area and 8 slots in play."""
    from dataclasses import replace

    from siting.park import model

    inst = load_park(write_park_folder(tmp_path, *small_park(seed, grid_kw=5000.0)))
    inst = replace(inst.with_params(unmet_penalty=None), max_kw=inst.max_kw * 0.25)
    inst = replace(inst, energy_kwh=inst.max_energy())
    assert model.fixed_power(inst).all()
    reduced = solve_checked(inst)
    assert "p" not in reduced.formulation.vars and "power_assign" not in reduced.formulation.cons
    monkeypatch.setattr(model, "fixed_power", lambda i: np.zeros(i.n_companies, bool))
    full = solve_checked(inst)
    assert full.formulation.vars["p"].size == len(reduced.index.p_pair)
    assert reduced.objective == pytest.approx(full.objective, rel=1e-7)


def test_cover_row_is_the_aggregate_capacity_of_a_cflp(tmp_path) -> None:
    """A CFLP import gets sum_s cap_s x_s >= sum_k d_k, and the proven optimum satisfies it."""
    from siting.importers.orlib_cap import write_cflp

    rng = np.random.default_rng(3)
    demand = rng.integers(5, 30, 12).astype(float)
    capacity = np.full(4, np.ceil(demand.sum() / 2.5))
    cost = rng.uniform(10, 100, (4, 12)).round(2)
    write_cflp(tmp_path, "tiny", capacity, rng.uniform(50, 90, 4).round(2), demand, cost, single_source=False,
               header=["test"], description="tiny CFLP")
    inst = load_park(tmp_path)
    form = build_park(inst)
    rows = form.cons["cover_connection"]
    assert rows.size == 1
    assert rows.lower[0] == pytest.approx(demand.sum())
    run = solve_checked(inst)
    assert form.max_violation(run.result.x)[0] <= 1e-6
