"""The swap local search (siting.fast.local_search): feasible, never worse than greedy, never better
than the optimum, and swap-optimal (no single feasible swap adds covered demand)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from tests.fast.test_model import brute_force_mclp, random_instance

from siting.fast.heuristics import greedy_fast
from siting.fast.instance import FastInstance
from siting.fast.local_search import iterated_swaps, swap_improve
from siting.fast.pairs import fast_pairs
from siting.fast.params import FastParams
from siting.fast.verify import verify_fast

SEEDS = range(12)


def _covered(inst: FastInstance, is_open: np.ndarray) -> float:
    reach = cdist(inst.demand_xy, inst.site_xy) <= inst.params.radius
    return float(inst.weight @ reach[:, is_open].any(axis=1))


def _fits(inst: FastInstance, is_open: np.ndarray) -> bool:
    """Grid headroom without upgrades, budget and land for a plan with the minimum chargers."""
    p = inst.params
    new = is_open & ~inst.is_existing
    kw = p.kw_per_charger * p.simultaneity * p.min_chargers
    load = np.bincount(inst.grid_of_site[new], minlength=inst.grid.size) * kw
    if np.any(load > np.maximum(inst.grid.available_kw, 0.0) + 1e-9):
        return False
    cost = inst.fixed_cost[new].sum() + inst.cost_per_charger[new].sum() * p.min_chargers
    if p.budget is not None and cost > p.budget + 1e-9:
        return False
    land_ok = p.m2_per_charger * p.min_chargers + p.site_m2 <= inst.land_m2[new]
    return bool(land_ok.all() and (inst.max_chargers[new] >= p.min_chargers).all())


def _greedy_case(seed: int, budget: float | None, p: int, max_new: int):
    """A seeded random MCLP (grid, existing sites, optional budget), its pairs and greedy plan."""
    inst = random_instance(seed + 300, objective="mclp", p=p, max_new=max_new, budget=budget)
    pairs = fast_pairs(inst)
    return inst, pairs, greedy_fast(inst, pairs)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("budget", [None, 400_000.0])
def test_swaps_are_feasible_better_and_swap_optimal(seed: int, budget: float | None) -> None:
    inst, pairs, greedy = _greedy_case(seed, budget, p=3, max_new=10)
    plan, _ = swap_improve(inst, pairs, greedy)
    assert verify_fast(inst, pairs, plan).violations == []
    assert _fits(inst, plan.open)
    value = _covered(inst, plan.open)
    assert value >= _covered(inst, greedy.open) - 1e-9
    if budget is None:
        assert value <= brute_force_mclp(inst) + 1e-9
    for j in np.flatnonzero(plan.open & ~inst.is_existing):  # no single swap improves
        for k in np.flatnonzero(~plan.open):
            other = plan.open.copy()
            other[j], other[k] = False, True
            if _fits(inst, other):
                assert _covered(inst, other) <= value + 1e-9, (j, k)


def _trap() -> FastInstance:
    xy_demand = np.array([[0.0, 0], [1, 0], [3, 0], [4, 0]])
    weight = np.array([2.0, 2.0, 2.0, 2.0])
    xy_sites = np.array([[2.0, 0], [0.5, 0], [3.5, 0]])
    inst = FastInstance(
        "trap", FastParams(objective="mclp", radius=1.5, p=2, min_chargers=1),
        demand_ids=np.array(list("abcd"), object), weight=weight,
        site_ids=np.array(["mid", "left", "right"], object), is_existing=np.zeros(3, bool),
        fixed_cost=np.zeros(3), cost_per_charger=np.zeros(3), existing_chargers=np.zeros(3, int),
        max_chargers=np.ones(3, int), land_m2=np.full(3, np.inf), grid_of_site=np.full(3, -1), grid=None,
        demand_xy=xy_demand, site_xy=xy_sites)
    # mid reaches b and c (4), left reaches a, b (4), right reaches c, d (4): greedy may take mid
    weight[[1, 2]] = 2.5  # ... and with b, c heavier it must: mid 5 > left 4.5
    return inst


def test_swap_repairs_the_greedy_trap() -> None:
    """Greedy opens the big middle site first and then only one more; two side sites cover all."""
    inst = _trap()
    weight = inst.weight
    pairs = fast_pairs(inst)
    greedy = greedy_fast(inst, pairs)
    assert greedy.open.tolist() == [True, True, False] or greedy.open.tolist() == [True, False, True]
    plan, swaps = swap_improve(inst, pairs, greedy)
    assert plan.open.tolist() == [False, True, True] and swaps == 1
    assert _covered(inst, plan.open) == weight.sum()


def test_no_swap_starts_after_the_deadline() -> None:
    import time

    inst = _trap()
    pairs = fast_pairs(inst)
    greedy = greedy_fast(inst, pairs)
    plan, swaps = swap_improve(inst, pairs, greedy, deadline=time.perf_counter() - 1.0)
    assert swaps == 0 and plan.open.tolist() == greedy.open.tolist()
    plan, swaps = swap_improve(inst, pairs, greedy, deadline=time.perf_counter() + 60.0)
    assert swaps == 1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("budget", [None, 400_000.0])
def test_iterated_swaps_keep_the_plan_feasible_and_never_lose(seed: int, budget: float | None) -> None:
    inst, pairs, greedy = _greedy_case(seed, budget, p=4, max_new=13)
    swapped, _ = swap_improve(inst, pairs, greedy)
    plan, info = iterated_swaps(inst, pairs, greedy, neighbourhood=2, patience=20, seed=seed)
    assert verify_fast(inst, pairs, plan).violations == []
    assert _fits(inst, plan.open)
    assert (plan.open & ~inst.is_existing).sum() == (swapped.open & ~inst.is_existing).sum()
    assert _covered(inst, plan.open) >= _covered(inst, swapped.open) - 1e-9
    if budget is None:
        assert _covered(inst, plan.open) <= brute_force_mclp(inst) + 1e-9
    assert info["search_rounds"] >= 20  # it stops after `patience` rounds in a row without a gain


def test_iterated_swaps_reach_the_optimum_of_small_textbook_mclps() -> None:
    """From a random plan, on textbook MCLPs (every plan has p sites), against all p-subsets."""
    from itertools import combinations

    from benchmarks.mclp_families import mclp_instance

    from siting.fast.local_search import plan_in_order

    for seed in range(8):
        rng = np.random.default_rng(seed)
        inst = mclp_instance(f"t{seed}", rng.uniform(0, 10_000, (60, 2)), rng.integers(1, 101, 60),
                             rng.uniform(0, 10_000, (14, 2)), 2_000.0, 4)
        pairs = fast_pairs(inst)
        best = max(_covered(inst, np.isin(np.arange(14), subset)) for subset in combinations(range(14), 4))
        start = plan_in_order(inst, rng.permutation(inst.n_sites))
        plan, _ = iterated_swaps(inst, pairs, start, neighbourhood=2, patience=40, seed=seed)
        assert plan.open.sum() == 4
        assert _covered(inst, plan.open) == pytest.approx(best, abs=1e-9), seed


def test_iterated_swaps_are_repeatable_and_stop_at_the_deadline() -> None:
    import time

    inst = random_instance(307, objective="mclp", p=4, max_new=13)
    pairs = fast_pairs(inst)
    greedy = greedy_fast(inst, pairs)
    first, info = iterated_swaps(inst, pairs, greedy, seed=3)
    again, info_again = iterated_swaps(inst, pairs, greedy, seed=3)
    assert first.open.tolist() == again.open.tolist() and info == info_again
    _, late = iterated_swaps(inst, pairs, greedy, deadline=time.perf_counter() - 1.0)
    assert late["search_rounds"] == 0 and late["swaps"] == 0



@pytest.mark.parametrize("seed", range(6))
def test_the_lp_guided_plan_by_the_iterated_search_is_no_worse(seed: int) -> None:
    from siting.fast.local_search import lp_guided_plan

    inst = random_instance(seed + 700, objective="mclp", p=4, max_new=13)
    pairs = fast_pairs(inst)
    x_lp = np.random.default_rng(seed).random(inst.n_sites)
    swapped, _ = lp_guided_plan(inst, pairs, x_lp)
    iterated, _ = lp_guided_plan(inst, pairs, x_lp, iterate=True, seed=seed)
    assert verify_fast(inst, pairs, iterated).violations == [] and _fits(inst, iterated.open)
    assert _covered(inst, iterated.open) >= _covered(inst, swapped.open) - 1e-9
