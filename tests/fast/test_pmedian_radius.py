"""The radius p-median (models/fast.md, `pmedian_formulation = "radius"`) equals the classic one.

* the same proven optimum on seeded random instances (existing sites, p, grid areas, land;
  with and without R; weighted distance and accessibility),
* the same LP bound (the chained rows telescope to the strong covering rows),
* hand-checked levels: ties in distance share a level, rows stop at an existing site,
* the nearest-open assignment is deterministic, the greedy warm start maps to a feasible s,
* both emitters (pyomo, highspy) say what the radius blocks say.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from tests.fast.test_model import random_instance, solve_checked
from tests.formulation.test_formulation import read_pyomo

from siting.fast.extract import solution_vector
from siting.fast.heuristics import greedy_fast
from siting.fast.instance import FastInstance
from siting.fast.model import build_fast, radius_levels
from siting.fast.pairs import fast_pairs
from siting.fast.solution import nearest_open_assignment
from siting.fast.verify import verify_fast
from siting.formulation.emit import to_highspy, to_pyomo
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.solve import solve

SEEDS = [0, 1, 2, 3]
CASES = {  # name -> FastParams changes (objective pmedian)
    "all-pairs": {"radius": None},
    "radius-4km": {"radius": 4000.0},
    "decay": {"radius": None, "decay_beta": 0.0003},
    "decay-radius-2.5km": {"radius": 2500.0, "decay_beta": 0.0003},
}


def pmedian(seed: int, formulation: str, **params) -> FastInstance:
    return random_instance(seed, objective="pmedian", pmedian_formulation=formulation, **params)


# -- same optimum ---------------------------------------------------------------------------------
@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", list(CASES))
def test_radius_and_classic_give_the_same_optimum(seed: int, case: str) -> None:
    for p in (0, 1, 3):
        runs = {f: solve_checked(pmedian(seed, f, p=p, **CASES[case])) for f in ("classic", "radius")}
        classic, radius = runs["classic"], runs["radius"]
        assert "s" in radius.formulation.vars and "z" not in radius.formulation.vars
        assert radius.status == classic.status
        if classic.status == "optimal":
            assert radius.objective == pytest.approx(classic.objective, rel=1e-9, abs=1e-9), (p, case)
            assert radius.certificate.kpis["new_sites"] <= p


@pytest.mark.solver
def test_some_random_cases_are_feasible() -> None:
    """Guard for the test above: it must compare optima, not only 'infeasible' on both sides."""
    assert solve_checked(pmedian(0, "radius", p=3, radius=4000.0)).status == "optimal"


def relaxed(form):
    form = copy.deepcopy(form)
    for block in form.vars.values():
        block.domain = "continuous"
    return form


@pytest.mark.solver
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", ["all-pairs", "decay"])
def test_radius_and_classic_have_the_same_lp_bound(seed: int, case: str) -> None:
    bounds = {}
    for f in ("classic", "radius"):
        inst = pmedian(seed, f, p=2, **CASES[case])
        result = solve(relaxed(build_fast(inst, fast_pairs(inst))), SolveOptions(profile="exact"))
        assert result.status == "optimal"
        bounds[f] = result.objective
    assert bounds["radius"] == pytest.approx(bounds["classic"], rel=1e-7)


# -- levels by hand -------------------------------------------------------------------------------
def toy(is_existing: list[bool], beta: float = 0.0) -> tuple[FastInstance, Pairs]:
    """Point a: sites 0..3 at 2, 1, 2, 5; point b: site 1 at 3; point c: no site (white spot)."""
    from siting.fast.params import FastParams

    n = len(is_existing)
    inst = FastInstance(
        "toy", FastParams(objective="pmedian", p=1, decay_beta=beta, kw_per_charger=0.0),
        demand_ids=np.array(["a", "b", "c"], object), weight=np.array([2.0, 3.0, 5.0]),
        site_ids=np.array([f"s{j}" for j in range(n)], object), is_existing=np.array(is_existing),
        fixed_cost=np.zeros(n), cost_per_charger=np.zeros(n), existing_chargers=np.zeros(n, int),
        max_chargers=np.ones(n, int), land_m2=np.full(n, np.inf), grid_of_site=np.full(n, -1), grid=None)
    pairs = Pairs.from_coo([0, 0, 0, 0, 1], [0, 1, 2, 3, 1], [2.0, 1.0, 2.0, 5.0, 3.0], 3, n)
    return inst, pairs


def chain_rows(form) -> np.ndarray:
    c = form.cons["radius_chain"]
    return form.matrix().toarray()[c.offset : c.offset + c.size]


def test_levels_share_ties_and_chain_the_rows() -> None:
    inst, pairs = toy([False] * 4)
    levels = radius_levels(inst, pairs)
    np.testing.assert_array_equal(levels.demand, [0, 0, 0, 1])
    np.testing.assert_array_equal(levels.distance, [1.0, 2.0, 5.0, 3.0])
    np.testing.assert_array_equal(levels.pair_level, [1, 0, 1, 2, 3])  # sites 0 and 2 tie at 2
    np.testing.assert_array_equal(levels.has_var, [True, True, False, False])  # s^K = 0: assigned
    form = build_fast(inst, pairs)
    a = chain_rows(form)
    x, s = form.vars["x"].offset, form.vars["s"].offset
    np.testing.assert_array_equal(a[:, x : x + 4], [[0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    np.testing.assert_array_equal(a[:, s : s + 2], [[1, 0], [-1, 1], [0, -1], [0, 0]])
    np.testing.assert_array_equal(form.cons["radius_chain"].lower, [1, 0, 0, 1])
    # a: 2 * (1 + (2 - 1) s^1 + (5 - 2) s^2); b: 3 * 3; c: a white spot, nothing
    np.testing.assert_array_equal(form.vars["s"].cost, [2.0, 6.0])
    assert form.offset == 2.0 * 1.0 + 3.0 * 3.0


def test_rows_stop_at_an_existing_site() -> None:
    inst, pairs = toy([False, False, True, False])  # site 2 (d = 2 from a) always open
    levels = radius_levels(inst, pairs)
    np.testing.assert_array_equal(levels.distance, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(levels.pair_level, [1, 0, 1, -1, 2])  # site 3 (d = 5) is never needed
    np.testing.assert_array_equal(levels.has_var, [True, False, False])


def test_accessibility_keeps_the_last_level_optional() -> None:
    beta = 0.5
    inst, pairs = toy([False] * 4, beta)
    levels = radius_levels(inst, pairs)
    np.testing.assert_array_equal(levels.has_var, [True, True, True, True])  # a point may stay unserved
    form = build_fast(inst, pairs)
    v = np.exp(-beta * np.array([1.0, 2.0, 5.0, 3.0]))
    np.testing.assert_allclose(form.vars["s"].cost, [2 * (v[1] - v[0]), 2 * (v[2] - v[1]), -2 * v[2], -3 * v[3]])
    assert form.offset == pytest.approx(2 * v[0] + 3 * v[3])
    inst, pairs = toy([False, False, True, False], beta)  # the existing site serves a for sure
    np.testing.assert_array_equal(radius_levels(inst, pairs).has_var, [True, False, True])


def test_nearest_open_assignment_breaks_ties_by_site_index() -> None:
    _, pairs = toy([False] * 4)
    z = nearest_open_assignment(pairs, np.array([True, False, True, True]))
    np.testing.assert_array_equal(z, [1, 0, 0, 0, 0])  # a: sites 0 and 2 tie at 2 -> 0; b: site 1 closed
    z = nearest_open_assignment(pairs, np.array([False, True, False, False]))
    np.testing.assert_array_equal(z, [0, 1, 0, 0, 1])


# -- warm start and emission ----------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", list(CASES))
def test_greedy_maps_to_a_feasible_radius_vector(seed: int, case: str) -> None:
    inst = pmedian(seed, "radius", **CASES[case])
    pairs = fast_pairs(inst)
    form = build_fast(inst, pairs)
    greedy = greedy_fast(inst, pairs)
    x = solution_vector(form, inst, pairs, greedy)
    cert = verify_fast(inst, pairs, greedy)
    if cert.violations:  # the greedy cannot always serve every reachable point under the grid limits
        assert form.max_violation(x)[0] > 1e-6
        return
    assert form.max_violation(x) == (0.0, "")
    assert form.objective_value(x) == pytest.approx(cert.objective, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("case", list(CASES))
def test_emitters_say_what_the_radius_blocks_say(seed: int, case: str) -> None:
    inst = pmedian(seed, "radius", **CASES[case])
    form = build_fast(inst, fast_pairs(inst))
    got = read_pyomo(to_pyomo(form), form)
    row_lower, row_upper = form.row_bounds()
    cost, lb, ub, integer = form.column_arrays()
    np.testing.assert_array_equal(got["a"], form.matrix().toarray())
    np.testing.assert_array_equal(got["row_lower"], row_lower)
    np.testing.assert_array_equal(got["row_upper"], row_upper)
    np.testing.assert_array_equal(got["cost"], cost)
    np.testing.assert_array_equal(got["lb"], lb)
    np.testing.assert_array_equal(got["ub"], ub)
    assert got["offset"] == pytest.approx(form.offset, rel=1e-12)
    lp = to_highspy(form).getLp()
    np.testing.assert_array_equal(lp.col_cost_, cost)
    np.testing.assert_array_equal(lp.row_lower_, row_lower)
    assert lp.offset_ == form.offset
    a = sp.csc_array((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_),
                      np.asarray(lp.a_matrix_.start_)), shape=(form.n_rows, form.n_cols))
    np.testing.assert_array_equal(a.toarray(), form.matrix().toarray())
