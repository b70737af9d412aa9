"""Demand aggregation is exact: grouping matches a plain dict, and the optimum does not change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.fast.api import solve_fast
from siting.fast.instance import FastInstance
from siting.fast.params import FastParams
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.precompute.reduce import aggregate_demand


def _reference_classes(pairs: Pairs, with_distance: bool) -> list[list[int]]:
    groups: dict[tuple, list[int]] = {}
    for i in range(pairs.n_demand):
        idx, dist = pairs.row(i)
        key = (tuple(idx.tolist()), tuple(dist.tolist()) if with_distance else ())
        groups.setdefault(key, []).append(i)
    return sorted(groups.values())


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([1.0, 2.0])), max_size=4), min_size=1, max_size=30),
       st.booleans())
def test_grouping_matches_a_dict(rows, with_distance):
    r, c, d = [], [], []
    for i, row in enumerate(rows):
        for j, dist in dict(row).items():
            r.append(i), c.append(j), d.append(dist)
    pairs = Pairs.from_coo(np.array(r, dtype=np.int64), np.array(c, dtype=np.int64), np.array(d), len(rows), 6)
    weight = np.arange(1, len(rows) + 1, dtype=float)
    classes = aggregate_demand(pairs, weight, with_distance)
    got = sorted([np.flatnonzero(classes.class_of == k).tolist() for k in range(classes.n_classes)])
    assert got == _reference_classes(pairs, with_distance)
    assert classes.weight.sum() == pytest.approx(weight.sum())
    assert np.all(classes.representative == [np.flatnonzero(classes.class_of == k)[0] for k in range(classes.n_classes)])
    values = np.arange(classes.pairs.nnz, dtype=float)
    expanded = classes.expand_pairs(pairs, values)
    rep_rows = classes.representative[classes.class_of[pairs.row_ids()]]
    assert np.array_equal(classes.pairs.indices[expanded.astype(int)], pairs.indices)
    assert np.all(np.isin(expanded, values))
    assert len(rep_rows) == pairs.nnz


def _gridded(objective: str, aggregate: bool, seed: int = 3) -> FastInstance:
    """Demand snapped to a coarse grid, so many points share their coverage set."""
    rng = np.random.default_rng(seed)
    demand = np.floor(rng.uniform(0, 10_000, (300, 2)) / 1500) * 1500
    sites = rng.uniform(0, 10_000, (12, 2))
    n = len(sites)
    return FastInstance(
        "gridded", FastParams(objective=objective, radius=None if objective == "pmedian" else 3000.0, p=4, aggregate_demand=aggregate,
                              sessions_per_charger=7.0, kw_per_charger=0.0),
        demand_ids=np.array([f"d{i}" for i in range(len(demand))], dtype=object),
        weight=rng.integers(1, 5, len(demand)).astype(float),
        site_ids=np.array([f"s{j}" for j in range(n)], dtype=object), is_existing=np.zeros(n, bool),
        fixed_cost=rng.integers(1, 9, n) * 1.0, cost_per_charger=np.ones(n), existing_chargers=np.zeros(n, int),
        max_chargers=np.full(n, 6), land_m2=np.full(n, np.inf), grid_of_site=np.full(n, -1), grid=None,
        demand_xy=demand, site_xy=sites,
    )


@pytest.mark.solver
@pytest.mark.parametrize("objective", ["mclp", "lscp", "capacitated", "pmedian"])
def test_aggregation_keeps_the_optimum(objective):
    exact = SolveOptions(profile="exact")
    merged = solve_fast(_gridded(objective, True), exact)
    plain = solve_fast(_gridded(objective, False), exact)
    assert merged.status == plain.status == "optimal"
    assert merged.objective == pytest.approx(plain.objective, rel=1e-9)
    assert merged.demand_classes < merged.instance.n_demand  # the reduction did something
    assert merged.certificate.violations == []
    assert merged.certificate.objective == pytest.approx(merged.objective, rel=1e-9)


@pytest.mark.parametrize("with_distance", [False, True])
def test_the_exact_check_catches_a_wrong_grouping(with_distance):
    """Grouping is by hash; the entry-by-entry check must reject rows that differ (a collision)."""
    from siting.precompute.reduce import _check_identical

    pairs = Pairs.from_coo([0, 1, 2, 2], [0, 0, 0, 1], [1.0, 2.0, 1.0, 1.0], 3, 2)
    _check_identical(pairs, np.array([0, 1, 2]), np.array([0, 1, 2]), with_distance)  # singletons: fine
    if with_distance:  # rows 0 and 1: same site, other distance
        with pytest.raises(RuntimeError, match="collision"):
            _check_identical(pairs, np.array([0, 0, 1]), np.array([0, 2]), True)
    else:
        _check_identical(pairs, np.array([0, 0, 1]), np.array([0, 2]), False)
    with pytest.raises(RuntimeError, match="collision"):  # rows 0 and 2: other lengths
        _check_identical(pairs, np.array([0, 1, 0]), np.array([0, 1]), with_distance)
