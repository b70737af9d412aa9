"""Branch and Benders cut for the mclp (siting.fast.branch_and_cut): the optimum of brute-force
enumeration and of the compact model, a bound never below the optimum, honest status when stopped."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from tests.fast.test_model import random_instance

from siting.fast.api import solve_fast
from siting.fast.branch_and_cut import Pseudocosts, reduced_cost_fixing, solve_mclp_bnb
from siting.fast.instance import FastInstance
from siting.fast.model import build_fast
from siting.fast.pairs import fast_pairs
from siting.fast.params import FastParams
from siting.fast.reduction import reduce_fast
from siting.options import SolveOptions

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


def textbook_mclp(seed: int, n_demand: int = 60, n_sites: int = 14, p: int = 3, radius: float = 2_500.0) -> FastInstance:
    """A seeded textbook MCLP (no grid, no budget, no existing sites), weights 1-100."""
    rng = np.random.default_rng(seed)
    return FastInstance(
        name=f"textbook-{seed}", params=FastParams(objective="mclp", radius=radius, p=p, kw_per_charger=0.0),
        demand_ids=np.array([f"d{i}" for i in range(n_demand)], dtype=object),
        weight=rng.integers(1, 101, n_demand).astype(float),
        site_ids=np.array([f"s{j}" for j in range(n_sites)], dtype=object), is_existing=np.zeros(n_sites, bool),
        fixed_cost=np.zeros(n_sites), cost_per_charger=np.zeros(n_sites),
        existing_chargers=np.zeros(n_sites, np.int64), max_chargers=np.ones(n_sites, np.int64),
        land_m2=np.full(n_sites, np.inf), grid_of_site=np.full(n_sites, -1, np.int64), grid=None,
        demand_xy=rng.uniform(0, 10_000, (n_demand, 2)), site_xy=rng.uniform(0, 10_000, (n_sites, 2)))


def brute_force(inst: FastInstance) -> float:
    """The best cover over every set of at most p sites (p sites suffice: covering is monotone)."""
    pairs = fast_pairs(inst)
    rows = pairs.row_ids()
    best = 0.0
    for sites in combinations(range(inst.n_sites), min(inst.params.p, inst.n_sites)):
        is_open = np.zeros(inst.n_sites, bool)
        is_open[list(sites)] = True
        covered = np.zeros(inst.n_demand, bool)
        covered[rows[is_open[pairs.indices]]] = True
        best = max(best, float(inst.weight[covered].sum()))
    return best


def bnb(inst: FastInstance, options: SolveOptions = EXACT, warm: bool = False, cell: float | None = None):
    model_inst, model_pairs, _ = reduce_fast(inst, fast_pairs(inst))
    form = build_fast(model_inst, model_pairs)
    return form, solve_mclp_bnb(form, model_inst, model_pairs, options, None, group_cell=cell)


@pytest.mark.parametrize("seed", range(8))
def test_bnb_equals_brute_force_and_the_compact_model(seed: int) -> None:
    inst = textbook_mclp(seed, p=2 + seed % 3)
    form, result = bnb(inst, cell=[None, 1.0, 1e9][seed % 3])
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    assert result.status == compact.status == "optimal"
    assert result.objective == pytest.approx(brute_force(inst), abs=1e-6)
    assert result.objective == pytest.approx(compact.objective, abs=1e-6)
    assert form.max_violation(result.x)[0] <= 1e-6
    assert form.objective_value(result.x) == pytest.approx(result.objective)
    assert result.best_bound >= result.objective - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_bnb_on_the_full_fast_model_equals_the_compact_model(seed: int) -> None:
    """With grid rows, land, existing sites and (every other seed) a budget, as test_benders does."""
    budget = None if seed % 2 else 450_000.0
    inst = random_instance(seed + 40, objective="mclp", p=1 + seed % 3, budget=budget)
    form, result = bnb(inst)
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    assert result.status == compact.status == "optimal"
    assert result.objective == pytest.approx(compact.objective, abs=1e-6)
    assert form.max_violation(result.x)[0] <= 1e-6
    assert result.best_bound >= result.objective - 1e-6


@pytest.mark.parametrize("seed", range(3))
def test_a_stopped_run_reports_an_honest_gap(seed: int) -> None:
    inst = textbook_mclp(seed + 100, n_demand=400, n_sites=60, p=6, radius=1_800.0)
    optimum = solve_fast(inst, SolveOptions(profile="exact", method="compact")).objective
    _, result = bnb(inst, SolveOptions(profile="exact", time_limit=0.05))
    assert result.status in ("time_limit", "optimal")
    if result.objective is not None:
        assert result.objective <= optimum + 1e-6
    assert result.best_bound is not None and result.best_bound >= optimum - 1e-6
    if result.status == "time_limit" and result.objective is not None:
        assert result.gap == pytest.approx((result.best_bound - result.objective) / result.objective)


def test_reduced_cost_fixing_fixes_only_what_cannot_pay() -> None:
    lower, upper = np.zeros(4), np.ones(4)
    values, reduced = np.array([0.0, 0.0, 1.0, 0.5]), np.array([-5.0, -20.0, 30.0, 0.0])
    n = reduced_cost_fixing(lower, upper, values, reduced, value=100.0, incumbent=90.0)
    assert n == 2
    assert lower.tolist() == [0, 0, 1, 0] and upper.tolist() == [1, 0, 1, 1]


def test_the_pipeline_runs_bnb_on_request_and_verifies_it() -> None:
    inst = textbook_mclp(5, n_demand=200, n_sites=30, p=4)
    run = solve_fast(inst, SolveOptions(profile="exact", method="bnb"))
    assert run.result.solver["interface"].endswith("branch and Benders cut")
    assert run.status == "optimal" and run.certificate.violations == []
    assert run.certificate.objective == pytest.approx(run.objective)
    assert run.objective == pytest.approx(brute_force(inst), abs=1e-6)


def test_auto_takes_bnb_on_the_textbook_mclp_and_benders_with_grid_rows() -> None:
    from siting.fast.branch_and_cut import bnb_fits

    textbook = textbook_mclp(6, n_demand=200, n_sites=30, p=4)
    run = solve_fast(textbook, SolveOptions(profile="exact", method="auto"))
    assert bnb_fits(run.formulation)
    assert run.result.solver["interface"] == "highspy, branch and Benders cut"
    assert run.status == "optimal" and run.objective == pytest.approx(brute_force(textbook), abs=1e-6)
    gridded = random_instance(41, objective="mclp", p=2)
    assert gridded.grid is not None and gridded.grid.size > 0
    run = solve_fast(gridded, SolveOptions(profile="exact", method="auto"))
    assert not bnb_fits(run.formulation)
    assert run.result.solver["interface"] == "highspy, Benders decomposition"
    compact = solve_fast(gridded, SolveOptions(profile="exact", method="compact"))
    assert run.status == "optimal" and run.objective == pytest.approx(compact.objective, abs=1e-6)


@pytest.mark.parametrize("limit", ["AUTO_MAX_PAIRS", "AUTO_MAX_CLASSES"])
def test_auto_takes_benders_above_its_pair_and_class_limits(monkeypatch: pytest.MonkeyPatch, limit: str) -> None:
    from siting.fast import branch_and_cut

    textbook = textbook_mclp(6, n_demand=200, n_sites=30, p=4)
    monkeypatch.setattr(branch_and_cut, limit, 10)
    run = solve_fast(textbook, SolveOptions(profile="exact", method="auto"))
    assert run.result.solver["interface"] == "highspy, Benders decomposition"
    assert run.status == "optimal" and run.objective == pytest.approx(brute_force(textbook), abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_a_root_lp_that_does_not_converge_in_its_share_falls_back_to_the_benders_mip(seed: int) -> None:
    """auto's fallback: a share of ~0 of 60 s stops the root's cutting planes after one LP round."""
    inst = textbook_mclp(seed + 200, n_demand=300, n_sites=22, p=4, radius=1_800.0)
    model_inst, model_pairs, _ = reduce_fast(inst, fast_pairs(inst))
    form = build_fast(model_inst, model_pairs)
    options = SolveOptions(profile="exact", time_limit=60.0)
    result = solve_mclp_bnb(form, model_inst, model_pairs, options, None, fallback_share=1e-12)
    assert result.solver["interface"].startswith("highspy, Benders decomposition (branch and cut's root LP")
    assert result.solver["benders"]["lp_rounds"] == 1
    assert result.status == "optimal"
    assert result.objective == pytest.approx(brute_force(inst), abs=1e-6)
    assert form.max_violation(result.x)[0] <= 1e-6 and result.best_bound >= result.objective - 1e-6


def test_bnb_is_refused_where_it_does_not_apply() -> None:
    from siting.errors import SitingError

    with pytest.raises(SitingError, match="mclp"):
        solve_fast(random_instance(1, objective="capacitated"), SolveOptions(method="bnb"))


@pytest.mark.parametrize("max_rounds", [None, 0, 2])
@pytest.mark.parametrize("branching", ["fractional", "pseudocost", "reliability", "strong"])
def test_every_variant_finds_the_optimum(max_rounds: int | None, branching: str) -> None:
    inst = textbook_mclp(11, n_demand=300, n_sites=24, p=4, radius=2_000.0)
    model_inst, model_pairs, _ = reduce_fast(inst, fast_pairs(inst))
    form = build_fast(model_inst, model_pairs)
    result = solve_mclp_bnb(form, model_inst, model_pairs, EXACT, None, max_rounds=max_rounds,
                            branching=branching, strong=3, plunge=branching != "strong")
    assert result.status == "optimal"
    assert result.objective == pytest.approx(brute_force(inst), abs=1e-6)
    assert result.best_bound >= result.objective - 1e-6
    assert (result.solver["bnb"]["probe_lps"] > 0) == (branching in ("strong", "reliability")
                                                      and result.solver["bnb"]["nodes"] > 1)


def test_saved_bases_survive_the_purge_and_the_optimum_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cuts purged at every other node: every child not solved right after its parent still
    starts from its parent's basis (the purge keeps the rows nonbasic in a saved basis)."""
    from siting.fast import branch_and_cut

    monkeypatch.setattr(branch_and_cut, "_PURGE_EVERY", 2)
    restored = purged = 0
    for seed, (n_demand, n_sites, p, radius) in enumerate([(300, 80, 6, 2000.0), (400, 100, 8, 1800.0)] * 2):
        inst = textbook_mclp(seed + 200, n_demand=n_demand, n_sites=n_sites, p=p, radius=radius)
        _, result = bnb(inst)
        stats = result.solver["bnb"]
        optimum = solve_fast(inst, SolveOptions(profile="exact", method="compact")).objective
        assert result.status == "optimal" and result.objective == pytest.approx(optimum, abs=1e-6)
        assert stats["bases_lost"] == 0
        restored, purged = restored + stats["bases_restored"], purged + stats["cuts_purged"]
    assert restored > 0 and purged > 0


def test_pseudocosts_learn_the_mean_drop_per_unit() -> None:
    costs = Pseudocosts(3)
    costs.learn((0, True, 0.5, 10.0), 9.0)  # up by 0.5, dropped 1: 2 per unit
    costs.learn((0, True, 0.25, 10.0), 9.0)  # 4 per unit
    costs.learn((1, False, 0.5, 10.0), 10.5)  # a child above its parent counts as no drop
    per_unit = costs.estimates()
    assert per_unit[1, 0] == pytest.approx(3.0)  # the mean of 2 and 4
    assert per_unit[0, 1] == pytest.approx(0.0)
    assert per_unit[1, 2] == pytest.approx(3.0) and per_unit[0, 2] == pytest.approx(0.0)  # unseen: the mean
    # column 2 is unseen (mean estimates) and column 0 has no down drop: the product picks
    # the column with the larger estimated product, never a fixed or integral one
    values = np.array([0.5, 0.5, 0.5])
    assert costs.column(values, np.zeros(3), np.array([1.0, 1.0, 0.0])) in (0, 1)
    assert costs.column(np.array([1.0, 0.0, 0.5]), np.zeros(3), np.array([1.0, 1.0, 0.0])) == -1


def test_a_stopped_incumbent_with_y_below_its_cover_is_revalued_not_rejected(monkeypatch):
    """HiGHS may stop with an incumbent whose y_i lag behind its open sites; the answer is valued
    exactly from the sites (status stays time_limit), not flagged as a disagreement with the check."""
    import siting.fast.api as api
    from siting.solve import SolveResult

    inst = textbook_mclp(3)
    exact = solve_fast(inst, EXACT)
    assert exact.result.status == "optimal"

    def stopped(form, model_inst, model_pairs, options, warm):
        x = exact.result.x.copy()
        y = form.vars["y"]
        x[y.offset : y.offset + y.size] = 0.0  # feasible, but counts no coverage at all
        return SolveResult(status="time_limit", x=x, objective=form.objective_value(x),
                           best_bound=exact.result.best_bound, gap=1.0, solver={}, seconds=0.0)

    monkeypatch.setattr(api, "solve_fast_model", stopped)
    run = solve_fast(inst, EXACT)
    assert run.result.status == "time_limit"
    assert run.result.objective == pytest.approx(brute_force(inst))
    assert run.certificate.objective == pytest.approx(run.result.objective)
    assert run.result.gap == pytest.approx(0.0, abs=1e-9)
    assert "re-valued" in run.result.message
