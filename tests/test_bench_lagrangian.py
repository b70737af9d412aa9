"""benchmarks/bench_lagrangian.py: the Lagrangian bound holds at any multipliers in the box, equals
the LP bound at the LP's duals, and its fixing never closes a site of an optimal plan."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from benchmarks.bench_lagrangian import (
    closed_sites,
    exact_lp_duals,
    incidence,
    lagrangian,
    subgradient,
)
from tests.fast.test_branch_and_cut import brute_force, textbook_mclp

from siting.fast.pairs import fast_pairs


@pytest.mark.parametrize("seed", range(4))
def test_the_bound_holds_anywhere_and_meets_the_lp_at_its_duals(seed: int) -> None:
    inst = textbook_mclp(seed, n_demand=50, n_sites=12, p=3)
    pairs = fast_pairs(inst)
    w, p, n_sites, a = inst.weight.astype(float), inst.params.p, inst.n_sites, incidence(pairs)
    optimum = brute_force(inst)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value, _, _ = lagrangian(a, w, p, w * rng.random(w.size))
        assert value >= optimum - 1e-9
    lp, u = exact_lp_duals(a, w, p)
    value, big_u, top = lagrangian(a, w, p, u)
    assert value == pytest.approx(lp, rel=1e-9) and lp >= optimum - 1e-9
    bound, _, _ = subgradient(a, w, p, optimum, 200)
    assert bound >= lp - 1e-6  # a Lagrangian value never beats the LP's minimum
    # fixing against "better than optimum - 1": no optimal plan opens a closed site
    closed = closed_sites(value, big_u, top, p, optimum - 1.0)
    assert closed.any()  # these draws close 4-8 of 12 sites: the check below is not vacuous
    rows = pairs.row_ids()
    for sites in combinations(range(n_sites), p):
        is_open = np.zeros(n_sites, bool)
        is_open[list(sites)] = True
        covered = np.zeros(w.size, bool)
        covered[rows[is_open[pairs.indices]]] = True
        if w[covered].sum() >= optimum - 1e-9:
            assert not closed[list(sites)].any(), f"an optimal plan {sites} opens a closed site"
