"""The Formulation is the single source of truth: both emitters must say exactly what it says.

(a) the pyomo model, read back with pyomo's own tools (no siting code), has the same matrix,
    row and column bounds, integrality and objective;
(b) the highspy model, read back with `Highs.getLp()`, has the same arrays;
(c) HiGHS direct and pyomo's `appsi_highs` find the same optimum;
(d) structural counts without a solver;
(e) `Formulation.max_violation` finds violated rows and fractional integers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from siting.fast.load import load_fast
from siting.fast.model import build_fast, radius_levels
from siting.fast.pairs import fast_pairs
from siting.formulation import Formulation
from siting.formulation.emit import to_highspy, to_pyomo
from siting.options import SolveOptions
from siting.solve import solve

# name -> --set overrides on the tiny instance (objective capacitated, R = 3000 m, p = 3)
VARIANTS = {
    "lscp": ['fast.objective="lscp"'],
    "mclp": ['fast.objective="mclp"'],
    "pmedian": ['fast.objective="pmedian"'],
    "capacitated": [],
    "capacitated-serve_all": ["fast.serve_all=true"],
    "pmedian-decay": ['fast.objective="pmedian"', "fast.decay_beta=0.0005"],
    "pmedian-classic": ['fast.objective="pmedian"', 'fast.pmedian_formulation="classic"'],
    "pmedian-decay-classic": ['fast.objective="pmedian"', "fast.decay_beta=0.0005", 'fast.pmedian_formulation="classic"'],
    "capacitated-budget": ["fast.budget=400000"],
}
INF = float("inf")


def build(folder: Path, variant: str):
    inst = load_fast(folder, VARIANTS[variant])
    pairs = fast_pairs(inst)
    return inst, pairs, build_fast(inst, pairs)


@pytest.fixture(scope="module", params=list(VARIANTS))
def built(request, tiny_folder: Path):
    return (request.param, *build(tiny_folder, request.param))


# -- (a) pyomo, read back without siting's code ---------------------------------------------------
def _bound(value) -> float:
    return float(value) if value is not None else np.nan


def read_pyomo(model, form: Formulation) -> dict:
    """Matrix, bounds, integrality and objective of a pyomo model, using pyomo only.

    Variables map to columns by name: `block[k]` is column `form.vars[block].offset + k`.
    Constraints are read in model order; each must be the next row of the formulation.
    """
    import pyomo.environ as pyo
    from pyomo.repn import generate_standard_repn

    def column(var) -> int:
        block = form.vars[var.parent_component().name]
        k = var.index()
        assert 0 <= k < block.size
        return block.offset + k

    n_rows, n_cols = form.n_rows, form.n_cols
    a = np.zeros((n_rows, n_cols))
    row_lo, row_up = np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    r = -1
    for r, con in enumerate(model.component_data_objects(pyo.Constraint, active=True, descend_into=True)):
        block = form.cons[con.parent_component().name]
        assert block.offset + con.index() == r, f"constraint {con.name} is not row {r}"
        repn = generate_standard_repn(con.body, compute_values=True)
        assert repn.is_linear()
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            a[r, column(var)] += coef
        const = float(repn.constant)
        row_lo[r] = -INF if con.lower is None else pyo.value(con.lower) - const
        row_up[r] = INF if con.upper is None else pyo.value(con.upper) - const
    assert r + 1 == n_rows

    lb, ub = np.full(n_cols, np.nan), np.full(n_cols, np.nan)
    integer = np.zeros(n_cols, bool)
    seen = np.zeros(n_cols, int)
    for var in model.component_data_objects(pyo.Var, descend_into=True):
        j = column(var)
        seen[j] += 1
        lb[j] = -INF if var.lb is None else var.lb
        ub[j] = INF if var.ub is None else var.ub
        integer[j] = var.is_integer() or var.is_binary()
    assert np.all(seen == 1), "every column exactly one pyomo variable"

    (objective,) = list(model.component_data_objects(pyo.Objective, active=True))
    repn = generate_standard_repn(objective.expr, compute_values=True)
    assert repn.is_linear()
    cost = np.zeros(n_cols)
    for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        cost[column(var)] += coef
    return {
        "a": a, "row_lower": row_lo, "row_upper": row_up, "lb": lb, "ub": ub, "integer": integer,
        "cost": cost, "offset": float(repn.constant), "maximize": objective.sense == pyo.maximize,
    }


def test_pyomo_model_equals_formulation(built) -> None:
    _, _, _, form = built
    got = read_pyomo(to_pyomo(form), form)
    cost, lb, ub, integer = form.column_arrays()
    row_lower, row_upper = form.row_bounds()
    np.testing.assert_array_equal(got["a"], form.matrix().toarray())
    np.testing.assert_array_equal(got["row_lower"], row_lower)
    np.testing.assert_array_equal(got["row_upper"], row_upper)
    np.testing.assert_array_equal(got["lb"], lb)
    np.testing.assert_array_equal(got["ub"], ub)
    np.testing.assert_array_equal(got["integer"], integer)
    np.testing.assert_array_equal(got["cost"], cost)
    assert got["offset"] == pytest.approx(form.offset, abs=0)
    assert got["maximize"] == (form.sense == "max")


# -- (b) highspy, read back with getLp ------------------------------------------------------------
def test_highspy_model_equals_formulation(built) -> None:
    import highspy

    _, _, _, form = built
    lp = to_highspy(form).getLp()
    cost, lb, ub, integer = form.column_arrays()
    row_lower, row_upper = form.row_bounds()
    assert (lp.num_col_, lp.num_row_) == (form.n_cols, form.n_rows)
    assert lp.a_matrix_.format_ == highspy.MatrixFormat.kColwise
    got = sp.csc_array(
        (np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.start_)),
        shape=(form.n_rows, form.n_cols),
    )
    want = sp.csc_array(form.matrix())
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    got.eliminate_zeros()
    want.eliminate_zeros()
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_array_equal(got.data, want.data)
    np.testing.assert_array_equal(lp.col_cost_, cost)
    np.testing.assert_array_equal(lp.col_lower_, lb)
    np.testing.assert_array_equal(lp.col_upper_, ub)
    np.testing.assert_array_equal(lp.row_lower_, row_lower)
    np.testing.assert_array_equal(lp.row_upper_, row_upper)
    np.testing.assert_array_equal([int(t) for t in lp.integrality_], integer.astype(int))
    assert lp.offset_ == form.offset
    want_sense = highspy.ObjSense.kMaximize if form.sense == "max" else highspy.ObjSense.kMinimize
    assert lp.sense_ == want_sense


# -- (c) the same optimum through HiGHS direct and through pyomo ----------------------------------
@pytest.mark.solver
def test_highs_direct_and_pyomo_appsi_agree(built) -> None:
    _, _, _, form = built
    direct = solve(form, SolveOptions(solver="highs", profile="exact"))
    via_pyomo = solve(form, SolveOptions(solver="appsi_highs", profile="exact"))
    assert direct.status == via_pyomo.status == "optimal"
    assert via_pyomo.objective == pytest.approx(direct.objective, rel=1e-6, abs=1e-6)
    # each answer is feasible for the formulation and its objective is what the arrays say
    for result in (direct, via_pyomo):
        violation, where = form.max_violation(result.x)
        assert violation <= 1e-6, where
        assert form.objective_value(result.x) == pytest.approx(result.objective, rel=1e-6, abs=1e-6)


# -- (d) structural counts, no solver -------------------------------------------------------------
def independent_pairs(inst) -> np.ndarray:
    """Boolean I x J coverage from plain scipy distances (d <= R)."""
    return cdist(inst.demand_xy, inst.site_xy) <= inst.params.radius


def test_tiny_pairs_counted_independently(tiny_folder: Path) -> None:
    inst, pairs, _ = build(tiny_folder, "capacitated")
    cover = independent_pairs(inst)
    assert pairs.nnz == int(cover.sum()) == 29
    np.testing.assert_array_equal(np.diff(pairs.indptr), cover.sum(axis=1))
    assert int((cover.sum(axis=1) > 0).sum()) == 11  # D12 is a white spot


def test_structure(built) -> None:
    variant, inst, pairs, form = built
    p = inst.params
    cover = independent_pairs(inst)
    n_pairs, coverable = int(cover.sum()), int((cover.sum(axis=1) > 0).sum())
    n_sites, n_new, n_demand = inst.n_sites, int((~inst.is_existing).sum()), inst.n_demand
    sizes = {name: v.size for name, v in form.vars.items()}
    rows = {name: c.size for name, c in form.cons.items()}

    assert sizes["x"] == sizes["n"] == n_sites == 8
    assert sizes.get("u") == 1  # only G-centre offers an upgrade
    classic = p.objective == "capacitated" or (p.objective == "pmedian" and p.pmedian_formulation == "classic")
    assert sizes.get("z") == (n_pairs if classic else None)
    assert ("s" in sizes) == (p.objective == "pmedian" and not classic)
    assert sizes.get("y") == (n_demand if p.objective == "mclp" else None)
    assert form.n_cols == sum(sizes.values())

    assert rows.get("cover") == (coverable if p.objective == "lscp" else None)
    assert rows.get("cover_link") == (n_demand if p.objective == "mclp" else None)
    assert rows.get("assign") == (n_demand if "z" in sizes else None)
    assert rows.get("assign_open") == (n_pairs if "z" in sizes else None)
    if "s" in sizes:  # one row per distinct distance of a point, up to its nearest existing site
        assert rows["radius_chain"] == len(radius_levels(inst, pairs).demand) <= n_pairs
    assert rows.get("capacity") == (n_sites if p.objective == "capacitated" else None)
    assert rows.get("site_count") == (None if p.objective == "lscp" else 1)
    assert rows["chargers_min"] == rows["chargers_max"] == n_new
    assert rows["land"] == n_new  # existing sites have no land limit here
    assert rows["grid"] == 3
    assert rows.get("budget") == (1 if variant == "capacitated-budget" else None)
    assert form.n_rows == sum(rows.values())

    if "cover" in rows:
        assert len(form.cons["cover"].coefs) == n_pairs  # white spots have no row and no terms
    if "cover_link" in rows:
        assert len(form.cons["cover_link"].coefs) == n_demand + n_pairs
        np.testing.assert_array_equal(form.vars["y"].ub, (cover.sum(axis=1) > 0).astype(float))
    if "capacity" in rows:
        assert len(form.cons["capacity"].coefs) == n_pairs + n_sites
    # existing sites are fixed open, with at least their chargers
    x, n = form.vars["x"], form.vars["n"]
    np.testing.assert_array_equal(x.lb[inst.is_existing], 1.0)
    np.testing.assert_array_equal(n.lb[inst.is_existing], inst.existing_chargers[inst.is_existing])
    expected_sense = {"lscp": "min", "mclp": "max", "pmedian": "min", "capacitated": "max",
                      "capacitated-serve_all": "min", "pmedian-decay": "max", "capacitated-budget": "max",
                      "pmedian-classic": "min", "pmedian-decay-classic": "max"}
    assert form.sense == expected_sense[variant]


def test_grid_row_of_queued_area(tiny_folder: Path) -> None:
    """G-centre has -150 kW: no new load without the upgrade, which adds max(-150 + 900, 0) = 750 kW."""
    inst, _, form = build(tiny_folder, "capacitated")
    grid = form.cons["grid"]
    a = form.matrix().toarray()[grid.offset : grid.offset + grid.size]
    u_col = form.vars["u"].offset
    n0 = form.vars["n"].offset
    centre = 1  # rows follow grid areas with sites: west, centre, east
    assert a[centre, u_col] == -750.0
    existing_centre_kw = 150.0 * 2  # E1 has 2 chargers in G-centre
    assert grid.upper[centre] == 0.0 + existing_centre_kw
    np.testing.assert_array_equal(np.flatnonzero(a[centre, n0 : n0 + inst.n_sites]), [2, 3, 6])  # C3, C4, E1


def test_decay_objective_coefficients(tiny_folder: Path) -> None:
    inst, pairs, form = build(tiny_folder, "pmedian-decay-classic")
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    want = inst.weight[rows] * np.exp(-0.0005 * pairs.distance)
    np.testing.assert_allclose(form.vars["z"].cost, want, rtol=1e-12)
    assert np.all(want > 0) and np.all(want <= inst.weight[rows])


# -- (e) max_violation ----------------------------------------------------------------------------
def small_formulation() -> Formulation:
    form = Formulation("check")
    x = form.add_var("x", 2, domain="binary")
    n = form.add_var("n", 1, ub=10.0, domain="integer")
    form.add_constraint("pick_one", 1, [(x, [0, 0], [0, 1], 1.0)], upper=1.0)
    form.add_constraint("link", 1, [(n, [0], [0], 1.0), (x, [0], [0], -5.0)], upper=0.0)
    return form


def test_max_violation_of_feasible_point_is_zero() -> None:
    assert small_formulation().max_violation(np.array([1.0, 0.0, 4.0])) == (0.0, "")


def test_max_violation_finds_violated_row() -> None:
    violation, where = small_formulation().max_violation(np.array([1.0, 1.0, 0.0]))
    assert violation == pytest.approx(1.0)
    assert where == "constraint pick_one[0]"


def test_max_violation_finds_fractional_integer() -> None:
    violation, where = small_formulation().max_violation(np.array([1.0, 0.0, 2.4]))
    assert violation == pytest.approx(0.4)
    assert where == "variable n[0]"


def test_max_violation_finds_fractional_binary_and_bound() -> None:
    form = small_formulation()
    assert form.max_violation(np.array([0.3, 0.0, 0.0])) == (pytest.approx(0.3), "variable x[0]")
    assert form.max_violation(np.array([1.0, 0.0, 12.0])) == (pytest.approx(7.0), "constraint link[0]")


@pytest.mark.solver
def test_max_violation_on_tiny_solution(tiny_folder: Path) -> None:
    inst, _, form = build(tiny_folder, "lscp")
    result = solve(form, SolveOptions(profile="exact"))
    assert form.max_violation(result.x)[0] <= 1e-6
    closed = result.x.copy()
    closed[form.vars["x"].offset : form.vars["x"].offset + inst.n_sites][~inst.is_existing] = 0.0
    closed[form.vars["n"].offset : form.vars["n"].offset + inst.n_sites][~inst.is_existing] = 0.0
    violation, where = form.max_violation(closed)  # no new site: some coverable point uncovered
    assert violation == pytest.approx(1.0)
    assert where.startswith("constraint cover[")
