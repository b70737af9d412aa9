"""Dominated candidates: the kernel matches the definition, and leaving them out keeps the optimum."""

from __future__ import annotations

import numpy as np
import pytest

from siting.fast.api import solve_fast
from siting.fast.dominance import dominated_candidates
from siting.fast.instance import FastInstance
from siting.fast.pairs import fast_pairs
from siting.fast.params import FastParams
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.resources import GridAreas


def _instance(seed: int, objective: str, *, budget: float | None = None, drop: bool = True) -> FastInstance:
    """Demand on a coarse raster (so coverage sets nest often), some sites doubled, existing sites,
    grid areas, land limits and costs drawn from the seed."""
    rng = np.random.default_rng(seed)
    demand = np.floor(rng.uniform(0, 8_000, (60, 2)) / 1_000) * 1_000
    sites = rng.uniform(0, 8_000, (14, 2))
    sites[10:12] = sites[0:2]  # the same place twice: equal coverage sets, a tie or a strict win
    n_existing = int(rng.integers(0, 3))
    n = len(sites)
    is_existing = np.arange(n) >= n - n_existing
    covering = objective == "lscp"  # every row must be coverable: fewer sites that cannot open
    grid = GridAreas(ids=np.array(["g0", "g1"], dtype=object), available_kw=np.array([1_500.0 if covering else 450.0, 1e4]),
                     upgrade_kw=np.zeros(2), upgrade_cost=np.zeros(2))
    params = FastParams(objective=objective, radius=2_500.0, p=None if objective == "lscp" else 3, budget=budget,
                        kw_per_charger=150.0, min_chargers=1, m2_per_charger=30.0, site_m2=20.0,
                        drop_dominated=drop)
    return FastInstance(
        f"dominance-{seed}", params,
        demand_ids=np.array([f"d{i}" for i in range(len(demand))], dtype=object),
        weight=rng.integers(0, 5, len(demand)).astype(float),  # some zero weights
        site_ids=np.array([f"s{j}" for j in range(n)], dtype=object), is_existing=is_existing,
        fixed_cost=np.where(is_existing, 0.0, rng.integers(1, 4, n) * 10.0),
        cost_per_charger=rng.integers(1, 3, n) * 1.0, existing_chargers=np.where(is_existing, 1, 0),
        max_chargers=rng.integers(1 if covering else 0, 4, n),  # nmax 0: cannot open
        land_m2=np.where(rng.random(n) < (0.05 if covering else 0.2), 40.0, np.inf),  # 40 m² < 30 + 20: cannot open
        grid_of_site=rng.integers(-1, 2, n), grid=grid, demand_xy=demand, site_xy=sites,
    )


def _reference(inst: FastInstance, pairs: Pairs) -> np.ndarray:
    """The definition of models/fast.md, written out with Python sets."""
    p = inst.params
    rows = [set(pairs.indices[pairs.indptr[i]:pairs.indptr[i + 1]].tolist()) for i in range(pairs.n_demand)]
    covered_anyway = {i for i, r in enumerate(rows) if any(inst.is_existing[j] for j in r)}
    reach = {j: {i for i, r in enumerate(rows) if j in r and i not in covered_anyway
                 and (p.objective != "mclp" or inst.weight[i] > 0)} for j in range(inst.n_sites)}
    nmin = p.min_chargers
    can_open = (inst.max_chargers >= nmin) & (inst.land_m2 >= p.m2_per_charger * nmin + p.site_m2)
    cost_counts = p.objective == "lscp" or p.budget is not None
    cost = inst.fixed_cost + inst.cost_per_charger * nmin if cost_counts else np.zeros(inst.n_sites)
    area = inst.grid_of_site

    def dominates(k: int, j: int) -> bool:
        if k == j or inst.is_existing[k] or not can_open[k] or cost[k] > cost[j]:
            return False
        if area[k] not in (-1, area[j]) or not reach[j] <= reach[k]:
            return False
        tie = reach[j] == reach[k] and cost[k] == cost[j] and area[k] == area[j]
        return not (tie and k > j)

    return np.array([not inst.is_existing[j] and (not reach[j] or any(dominates(k, j) for k in range(inst.n_sites)))
                     for j in range(inst.n_sites)])


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("objective,budget", [("mclp", None), ("mclp", 60.0), ("lscp", None)])
def test_the_kernel_matches_the_definition(seed, objective, budget):
    inst = _instance(seed, objective, budget=budget)
    pairs = fast_pairs(inst)
    assert np.array_equal(dominated_candidates(inst, pairs), _reference(inst, pairs))


def test_the_relation_drops_something_and_keeps_a_dominator():
    """Across the seeds both strict and tied dominance occur; an equal pair keeps exactly one."""
    dropped = [dominated_candidates(_instance(seed, "mclp"), fast_pairs(_instance(seed, "mclp")))
               for seed in range(40)]
    assert sum(int(d.sum()) for d in dropped) > 40
    assert all(not d.all() for d in dropped)


def test_other_objectives_and_negative_costs_keep_every_candidate():
    inst = _instance(1, "mclp")
    pairs = fast_pairs(inst)
    assert dominated_candidates(inst.with_params(objective="pmedian"), pairs).sum() == 0
    assert dominated_candidates(inst.with_params(objective="capacitated"), pairs).sum() == 0
    from dataclasses import replace
    negative = replace(inst, fixed_cost=inst.fixed_cost - 100.0)
    assert dominated_candidates(negative.with_params(objective="lscp"), pairs).sum() == 0


@pytest.mark.solver
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("objective,budget", [("mclp", None), ("mclp", 60.0), ("lscp", None)])
def test_leaving_them_out_keeps_the_optimum(seed, objective, budget):
    exact = SolveOptions(profile="exact")
    reduced = solve_fast(_instance(seed, objective, budget=budget), exact)
    full = solve_fast(_instance(seed, objective, budget=budget, drop=False), exact)
    assert full.dominated_candidates == 0
    assert reduced.status == full.status
    if full.status != "optimal":
        return
    assert reduced.objective == pytest.approx(full.objective, rel=1e-9, abs=1e-9)
    # the answer is stated for every original site, and the independent check agrees
    assert len(reduced.solution.open) == reduced.instance.n_sites
    assert reduced.certificate.violations == []
    assert reduced.certificate.objective == pytest.approx(reduced.objective, rel=1e-9, abs=1e-9)


def test_take_columns_renumbers_and_drops_pairs():
    pairs = Pairs.from_coo([0, 0, 1, 2, 2], [0, 2, 1, 0, 3], [1.0, 2.0, 3.0, 4.0, 5.0], 3, 4)
    kept = pairs.take_columns([0, 3])
    assert kept.shape == (3, 2)
    assert kept.indptr.tolist() == [0, 1, 1, 3]
    assert kept.indices.tolist() == [0, 0, 1]
    assert kept.distance.tolist() == [1.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="ascending"):
        pairs.take_columns([3, 0])
