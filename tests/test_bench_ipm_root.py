"""benchmarks/bench_ipm_root.py: the site-space interior point reaches the compact LP's value, and
the bound it reports is valid (at or above the LP, which is at or above the optimum)."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.bench_ipm_root import interior_point, schur_upper
from benchmarks.bench_lagrangian import exact_lp_duals, incidence
from tests.fast.test_branch_and_cut import brute_force, textbook_mclp

from siting.fast.pairs import fast_pairs


def test_the_schur_kernel_is_a_transpose_d_a() -> None:
    inst = textbook_mclp(1, n_demand=60, n_sites=10, p=3)
    a = incidence(fast_pairs(inst))
    d = np.random.default_rng(1).uniform(0.1, 5.0, a.shape[0])
    upper = schur_upper(a.indptr.astype(np.int64), a.indices.astype(np.int64), d, a.shape[1], 2)
    full = np.triu(upper) + np.triu(upper, 1).T
    dense = a.toarray()
    np.testing.assert_allclose(full, dense.T @ (d[:, None] * dense), rtol=1e-12)
    assert np.allclose(np.tril(upper, -1), 0.0)


@pytest.mark.parametrize("seed", range(4))
def test_the_bound_meets_the_lp_and_holds(seed: int) -> None:
    inst = textbook_mclp(seed, n_demand=300, n_sites=25, p=4)
    a, w, p = incidence(fast_pairs(inst)), inst.weight.astype(float), inst.params.p
    lp, _ = exact_lp_duals(a, w, p)
    root = interior_point(a, w, p)
    assert root.bound >= lp - 1e-6 * lp  # a Lagrangian value: never below the LP's minimum
    assert root.bound == pytest.approx(lp, rel=1e-4)
    assert root.primal == pytest.approx(lp, rel=1e-4)
    assert lp >= brute_force(inst) - 1e-9
