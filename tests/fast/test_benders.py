"""Benders decomposition of the mclp (siting.fast.benders): valid cuts, the same optimum as the compact
model, honest status at a time limit, and clear errors where it does not apply."""

from __future__ import annotations

import numpy as np
import pytest
from tests.fast.test_model import random_instance

from siting.errors import SitingError
from siting.fast.api import solve_fast
from siting.fast.benders import CoverOracle, solve_mclp_benders, spatial_groups
from siting.fast.model import build_fast
from siting.fast.pairs import fast_pairs
from siting.fast.reduction import reduce_fast
from siting.formulation import Formulation
from siting.options import SolveOptions

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


@pytest.mark.parametrize("seed", range(6))
def test_cuts_bound_the_cover_and_are_exact_at_their_point(seed: int) -> None:
    inst = random_instance(seed, objective="mclp", p=3)
    pairs = fast_pairs(inst)
    oracle = CoverOracle.build(inst, pairs, spatial_groups(inst, pairs, 3000.0))
    rng = np.random.default_rng(seed)
    for _ in range(20):
        at = rng.uniform(0, 1, inst.n_sites) * (rng.uniform(size=inst.n_sites) < 0.4)
        x = (rng.uniform(size=inst.n_sites) < 0.3).astype(float)
        full, constant, bound_at_x = oracle.separate(at, x)
        coefs = oracle.coefficients(full, np.arange(oracle.n_groups))
        assert np.allclose(constant + coefs @ at, oracle.value(at))  # exact at its point
        assert np.all(constant + coefs @ x >= oracle.value(x) - 1e-9)  # above the cover elsewhere
        assert np.allclose(bound_at_x, constant + coefs @ x)  # the matrix-free check agrees


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("cell", [None, 1.0, 1e9])  # side R, one group per point, one group
def test_benders_equals_the_compact_model(seed: int, cell: float | None) -> None:
    budget = None if seed % 2 else 450_000.0
    inst = random_instance(seed + 40, objective="mclp", p=1 + seed % 3, budget=budget)
    pairs = fast_pairs(inst)
    model_inst, model_pairs, _ = reduce_fast(inst, pairs)
    form = build_fast(model_inst, model_pairs)
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    benders = solve_mclp_benders(form, model_inst, model_pairs, EXACT, None, group_cell=cell)
    assert compact.status == benders.status == "optimal"
    assert benders.objective == pytest.approx(compact.objective, abs=1e-6)
    assert form.max_violation(benders.x)[0] <= 1e-6
    assert benders.best_bound >= benders.objective - 1e-6


def test_the_pipeline_uses_benders_for_mclp_and_verifies_it() -> None:
    inst = random_instance(7, objective="mclp", p=2)
    run = solve_fast(inst, EXACT)
    assert run.result.solver["interface"].endswith("Benders decomposition")
    assert run.status == "optimal" and run.certificate.violations == []
    assert run.certificate.objective == pytest.approx(run.objective)


def test_time_limit_keeps_the_warm_start_and_a_bound(tmp_path) -> None:
    from siting.fast.generate import FastSize, generate_fast

    generate_fast(FastSize(demand=20_000, candidates=400, grid_areas=8, p=15), seed=3, out=tmp_path / "inst")
    run = solve_fast(tmp_path / "inst", SolveOptions(time_limit=0.01, method="benders"))
    assert run.status == "time_limit"
    assert run.solution is not None and run.certificate.violations == []
    assert run.objective >= run.warm_start["objective"] - 1e-9
    assert run.result.best_bound >= run.objective - 1e-6 and run.result.gap is not None


def test_benders_is_refused_where_it_does_not_apply() -> None:
    inst = random_instance(1, objective="capacitated")
    with pytest.raises(SitingError, match="mclp"):
        solve_fast(inst, SolveOptions(method="benders"))
    with pytest.raises(SitingError, match="unknown method"):
        solve_fast(random_instance(1, objective="capacitated"), SolveOptions(method="dantzig-wolfe"))


def test_without_drops_blocks_and_renumbers_columns() -> None:
    form = Formulation("f", sense="max")
    x = form.add_var("x", 2, ub=1.0, cost=1.0)
    y = form.add_var("y", 3, ub=1.0, cost=2.0)
    z = form.add_var("z", 1, ub=5.0)
    form.add_constraint("link", 3, [(y, [0, 1, 2], [0, 1, 2], 1.0), (x, [0, 1, 2], [0, 1, 1], -1.0)], upper=0.0)
    form.add_constraint("cap", 1, [(x, [0, 0], [0, 1], 1.0), (z, [0], [0], -1.0)], upper=0.0)
    master, column_of = form.without({"y"}, {"link"})
    assert list(master.vars) == ["x", "z"] and list(master.cons) == ["cap"]
    assert column_of.tolist() == [0, 1, -1, -1, -1, 2]
    assert master.matrix().toarray().tolist() == [[1.0, 1.0, -1.0]]
    with pytest.raises(ValueError, match="dropped variable"):
        form.without({"y"}, set())


def test_groups_without_coordinates_are_row_blocks() -> None:
    """Coverage-table instances have no demand coordinates: groups are blocks of rows, same optimum."""
    from dataclasses import replace

    inst = random_instance(11, objective="mclp", p=2)
    pairs = fast_pairs(inst)
    model_inst, model_pairs, _ = reduce_fast(inst, pairs)
    no_xy = replace(model_inst, demand_xy=None)
    assert spatial_groups(no_xy, model_pairs, 5000.0).max() < 64
    form = build_fast(no_xy, model_pairs)
    benders = solve_mclp_benders(form, no_xy, model_pairs, EXACT, None)
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    assert benders.status == "optimal" and benders.objective == pytest.approx(compact.objective, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_chargers_are_projected_out_when_only_their_own_rows_use_them(seed: int) -> None:
    """Without grid rows and budget, n meets only chargers_min/max and land: the master has no n,
    sites that cannot open (nmax < nmin, too little land) are closed, and the answer is the same."""
    from dataclasses import replace

    from siting.fast.benders import Master, chargers_projectable

    inst = random_instance(seed + 80, objective="mclp", p=2 + seed % 3, min_chargers=2, kw_per_charger=0.0)
    inst = replace(inst, max_chargers=np.where(np.arange(inst.n_sites) % 4 == 1, 1, inst.max_chargers))
    pairs = fast_pairs(inst)
    form = build_fast(inst, pairs)
    assert chargers_projectable(form)
    assert not chargers_projectable(build_fast(inst.with_params(budget=450_000.0), pairs))
    opening = inst.opening_chargers()
    assert (opening < 0).any() and (opening >= 0).any()
    master = Master(form, CoverOracle.build(inst, pairs, spatial_groups(inst, pairs, 3000.0)), EXACT, opening)
    assert "n" not in master.form.vars and "land" not in master.form.cons
    assert np.all(master.form.vars["x"].ub[opening < 0] == 0) and np.all(form.vars["x"].ub[opening < 0] == 1)
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    benders = solve_mclp_benders(form, inst, pairs, EXACT, None)
    assert compact.status == benders.status == "optimal"
    assert benders.objective == pytest.approx(compact.objective, abs=1e-6)
    assert form.max_violation(benders.x)[0] <= 1e-6  # n filled in: nmin at open new sites, n0 at existing
