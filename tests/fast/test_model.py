"""Metamorphic properties of the fast model on small seeded random instances (exact profile).

Instances are built directly as `FastInstance` objects: 20-40 demand points, 8-15 sites on a
10 km x 10 km plane (no CRS), three grid areas (one with negative headroom and an upgrade).
Every solve goes through `solve_checked`, which asserts the optimum is proven, the independent
certificate (`siting.fast.verify.verify_fast`) has no violations and agrees with the solver's
objective, and existing sites stay open with at least their chargers.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from siting.fast.api import FastRun, solve_fast
from siting.fast.heuristics import greedy_fast
from siting.fast.instance import FastInstance, GridAreas
from siting.fast.model import objective_sense
from siting.fast.pairs import fast_pairs
from siting.fast.params import FastParams
from siting.fast.verify import verify_fast
from siting.options import SolveOptions

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")
SEEDS = [0, 1, 2, 3]
BASE = {"radius": 2500.0, "p": 3, "kw_per_charger": 150.0, "sessions_per_charger": 7.0,
        "m2_per_charger": 40.0, "site_m2": 100.0, "min_chargers": 1}


def random_instance(seed: int, *, max_new: int = 13, light: bool = False, **params) -> FastInstance:
    """A seeded instance. `light`: little demand and ample grid (serve_all is feasible)."""
    rng = np.random.default_rng(seed)
    n_demand = int(rng.integers(20, 41))
    n_new = int(rng.integers(6, max_new + 1))
    n_old = 2
    n_sites = n_new + n_old
    weight = rng.uniform(0.2, 2.0, n_demand) if light else rng.integers(1, 15, n_demand).astype(float)
    existing_chargers = np.r_[np.zeros(n_new, np.int64), rng.integers(1, 3, n_old)]
    max_chargers = np.r_[rng.integers(1, 7, n_new), np.zeros(n_old, np.int64)]
    grid = GridAreas(
        ids=np.array(["G0", "G1", "G2"], dtype=object),
        available_kw=np.array([3000.0, -150.0, 2400.0]) if light else np.array([600.0, -150.0, 450.0]),
        upgrade_kw=np.array([0.0, 900.0, 300.0]),
        upgrade_cost=np.array([0.0, 40_000.0, 25_000.0]),
    )
    return FastInstance(
        name=f"random-{seed}",
        params=FastParams(**{**BASE, **params}),
        demand_ids=np.array([f"d{i}" for i in range(n_demand)], dtype=object),
        weight=weight,
        site_ids=np.array([f"s{j}" for j in range(n_sites)], dtype=object),
        is_existing=np.r_[np.zeros(n_new, bool), np.ones(n_old, bool)],
        fixed_cost=np.r_[rng.integers(50, 150, n_new) * 1000.0, np.zeros(n_old)],
        cost_per_charger=rng.integers(40, 70, n_sites) * 1000.0,
        existing_chargers=existing_chargers,
        max_chargers=np.maximum(max_chargers, existing_chargers),
        land_m2=np.r_[rng.choice([np.inf, 250.0, 400.0], n_new), np.full(n_old, np.inf)],
        grid_of_site=rng.integers(0, 3, n_sites).astype(np.int64),
        grid=grid,
        demand_xy=rng.uniform(0, 10_000, (n_demand, 2)),
        site_xy=rng.uniform(0, 10_000, (n_sites, 2)),
    )


def solve_checked(inst: FastInstance) -> FastRun:
    """Solve exactly and check the answer independently; infeasible is allowed, nothing else."""
    run = solve_fast(inst, EXACT)
    assert run.status in ("optimal", "infeasible"), run.result.message
    if run.status == "infeasible":
        assert run.solution is None
        return run
    cert, sol = run.certificate, run.solution
    assert cert.violations == []
    assert cert.objective == pytest.approx(run.objective, rel=1e-6, abs=1e-6)
    ex = inst.is_existing
    assert sol.open[ex].all(), "an existing site is closed"
    assert np.all(sol.chargers[ex] >= inst.existing_chargers[ex]), "an existing site lost chargers"
    return run


def value(run: FastRun, sense: str) -> float:
    """The optimum, with infeasible as the worst value of the sense."""
    if run.status == "infeasible":
        return -np.inf if sense == "max" else np.inf
    return run.objective


def covering_radius(inst: FastInstance) -> float:
    """The smallest R at which every demand point has a site within reach."""
    return float(cdist(inst.demand_xy, inst.site_xy).min(axis=1).max())


# -- monotone in p and R --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_coverage_never_falls_when_p_grows(seed: int) -> None:
    inst = random_instance(seed, objective="mclp")
    covered = [solve_checked(inst.with_params(p=p)).objective for p in range(5)]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(covered)), covered
    assert covered[-1] > covered[0], "opening sites should help on these instances"


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_coverage_never_falls_when_radius_grows(seed: int) -> None:
    inst = random_instance(seed, objective="mclp")
    covered = [solve_checked(inst.with_params(radius=r)).objective for r in (1000.0, 1800.0, 2500.0, 4000.0)]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(covered)), covered
    assert covered[-1] > covered[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_cost_never_falls_when_radius_shrinks(seed: int) -> None:
    """Radii at or above the covering radius, so the set of coverable points is the same for all:
    (below it, points turn into white spots, drop out of the model and the cost may fall)."""
    inst = random_instance(seed, objective="lscp", light=True)
    r0 = covering_radius(inst) * 1.0001
    costs = [value(solve_checked(inst.with_params(radius=r0 * f)), "min") for f in (2.0, 1.5, 1.2, 1.0)]
    assert np.isfinite(costs[0]), "the largest radius should be feasible"
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(costs)), costs
    assert costs[-1] > costs[0], "shrinking the radius should cost something on these instances"


# -- monotone in grid headroom --------------------------------------------------------------------
def with_less_headroom(inst: FastInstance, kw: float) -> FastInstance:
    from dataclasses import replace

    grid = replace(inst.grid, available_kw=inst.grid.available_kw - kw)
    return replace(inst, grid=grid)


CUTS = (0.0, 150.0, 300.0, 600.0, 1200.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_capacitated_served_never_rises_when_headroom_falls(seed: int) -> None:
    inst = random_instance(seed, objective="capacitated")
    served = [value(solve_checked(with_less_headroom(inst, kw)), "max") for kw in CUTS]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(served)), served
    assert served[-1] < served[0], "the cuts should bind on these instances"


@pytest.mark.parametrize("seed", SEEDS)
def test_serve_all_cost_never_falls_when_headroom_falls(seed: int) -> None:
    inst = random_instance(seed, objective="capacitated", serve_all=True, light=True, p=None)
    costs = [value(solve_checked(with_less_headroom(inst, kw)), "min") for kw in CUTS]
    assert np.isfinite(costs[0]), "serve_all should be feasible with the full headroom"
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(costs)), costs
    assert costs[-1] > costs[0], "the cuts should bind on these instances"


# -- brute force ----------------------------------------------------------------------------------
def brute_force_mclp(inst: FastInstance) -> float:
    """Best covered weight over every set of at most p new sites that fits land and grid.

    Coverage depends on the open sites only, so each new site gets the minimum number of
    chargers; mclp has no budget, so every upgrade may be bought.
    """
    p = inst.params
    kw = p.kw_per_charger * p.simultaneity
    nmin = p.min_chargers
    reach = cdist(inst.demand_xy, inst.site_xy) <= p.radius
    g = inst.grid
    allowed = np.maximum(np.maximum(g.available_kw, 0.0), np.maximum(g.available_kw + g.upgrade_kw, 0.0))
    new = np.flatnonzero(~inst.is_existing)
    fits = [j for j in new if inst.max_chargers[j] >= nmin and p.m2_per_charger * nmin + p.site_m2 <= inst.land_m2[j]]
    best = -1.0
    for size in range(p.p + 1):
        for subset in itertools.combinations(fits, size):
            is_open = inst.is_existing.copy()
            is_open[list(subset)] = True
            load = np.bincount(inst.grid_of_site[list(subset)], minlength=g.size) * kw * nmin
            if np.any(load > allowed + 1e-9):
                continue
            best = max(best, float(inst.weight @ reach[:, is_open].any(axis=1)))
    return best


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mclp_matches_brute_force(seed: int, p: int) -> None:
    inst = random_instance(seed + 100, objective="mclp", p=p, max_new=10)
    assert (~inst.is_existing).sum() <= 10
    assert solve_checked(inst).objective == pytest.approx(brute_force_mclp(inst), rel=1e-9, abs=1e-9)


# -- the greedy heuristic -------------------------------------------------------------------------
GREEDY_CASES = {
    # the greedy never buys grid upgrades, so for lscp every area gets positive headroom: with the
    # queue of G1 (-150 kW) a point reachable only from G1 cannot be covered by the greedy
    "lscp": {"objective": "lscp", "light": True, "extra_kw": 1000.0},
    "mclp": {"objective": "mclp"},
    "pmedian": {"objective": "pmedian", "radius": None},
    "pmedian-decay": {"objective": "pmedian", "radius": None, "decay_beta": 0.0003},
    "capacitated": {"objective": "capacitated"},
    "capacitated-budget": {"objective": "capacitated", "budget": 300_000.0},
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", list(GREEDY_CASES))
def test_greedy_is_feasible_and_never_better(case: str, seed: int) -> None:
    kwargs = dict(GREEDY_CASES[case])
    light = kwargs.pop("light", False)
    extra_kw = kwargs.pop("extra_kw", 0.0)
    inst = with_less_headroom(random_instance(seed, light=light, **kwargs), -extra_kw)
    pairs = fast_pairs(inst)
    greedy = greedy_fast(inst, pairs)
    cert = verify_fast(inst, pairs, greedy)
    assert cert.violations == []
    optimum = solve_checked(inst).objective
    if objective_sense(inst) == "max":
        assert cert.objective <= optimum + 1e-6 * max(1.0, abs(optimum))
    else:
        assert cert.objective >= optimum - 1e-6 * max(1.0, abs(optimum))
