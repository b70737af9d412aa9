"""The corridor model on small seeded random road networks: every variant solved exactly and
checked by the round-trip simulation (siting.corridor.verify), plus metamorphic properties.

Networks are 5 x 5 grids with integer edge lengths 2..6; 25 OD flows; 10 new candidates (two
may share a node) and 2 existing stations; two grid areas (one with negative headroom and an
upgrade) and two search areas.
"""

from __future__ import annotations

import numpy as np
import pytest

from siting.corridor.api import CorridorRun, precompute_corridor, solve_corridor
from siting.corridor.instance import CorridorInstance, RoadNetwork
from siting.corridor.model import build_corridor
from siting.corridor.params import CorridorParams
from siting.formulation.emit import to_pyomo
from siting.options import SolveOptions
from siting.resources import GridAreas

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")
SEEDS = [0, 1, 2]
BASE = {"range": 12.0, "p": 3, "kw_per_charger": 400.0, "kwh_per_charger_day": 4000.0, "kwh_per_km": 1.2,
        "min_chargers": 1, "max_chargers": 4, "m2_per_charger": 100.0, "site_m2": 200.0}


def grid_network(rng: np.random.Generator, side: int = 5) -> RoadNetwork:
    u, v = [], []
    for r in range(side):
        for c in range(side):
            k = r * side + c
            if c + 1 < side:
                u.append(k), v.append(k + 1)
            if r + 1 < side:
                u.append(k), v.append(k + side)
    xy = np.array([[c * 10.0, r * 10.0] for r in range(side) for c in range(side)])
    return RoadNetwork(np.array([f"n{k}" for k in range(side * side)], dtype=object), np.array(u), np.array(v),
                       rng.integers(2, 7, len(u)).astype(float), node_xy=xy)


def random_instance(seed: int, **params) -> CorridorInstance:
    rng = np.random.default_rng(seed)
    net = grid_network(rng)
    n_od = 25
    o = rng.integers(0, 25, n_od)
    d = (o + rng.integers(1, 25, n_od)) % 25
    n_new, n_old = 10, 2
    nodes = rng.choice(25, n_new + n_old - 1, replace=False)
    site_node = np.r_[nodes, nodes[0]].astype(np.int64)  # two candidates share a node
    site_node[[n_new - 1, n_new]] = site_node[[n_new, n_new - 1]]
    n_sites = n_new + n_old
    is_existing = np.r_[np.zeros(n_new, bool), np.ones(n_old, bool)]
    grid = GridAreas(ids=np.array(["G0", "G1"], dtype=object), available_kw=np.array([2000.0, -400.0]),
                     upgrade_kw=np.array([0.0, 3000.0]), upgrade_cost=np.array([0.0, 250_000.0]))
    return CorridorInstance(
        name=f"random-{seed}", params=CorridorParams(**{**BASE, **params}), network=net,
        od_ids=np.array([f"q{k}" for k in range(n_od)], dtype=object),
        od_origin=o.astype(np.int64), od_destination=d.astype(np.int64),
        flow=rng.integers(5, 100, n_od).astype(float),
        site_ids=np.array([f"s{j}" for j in range(n_sites)], dtype=object), is_existing=is_existing,
        site_node=site_node,
        fixed_cost=np.r_[rng.integers(5, 15, n_new) * 100_000.0, np.zeros(n_old)],
        cost_per_charger=np.full(n_sites, 300_000.0),
        existing_chargers=np.r_[np.zeros(n_new, np.int64), np.array([1, 2])],
        max_chargers=np.r_[rng.integers(1, 5, n_new), np.array([2, 4])].astype(np.int64),
        land_m2=np.r_[rng.choice([np.inf, 400.0, 600.0], n_new), np.full(n_old, np.inf)],
        grid_of_site=rng.integers(0, 2, n_sites).astype(np.int64), grid=grid,
        area_of_site=np.r_[rng.integers(-1, 2, n_new), np.full(n_old, -1)].astype(np.int64),
        area_ids=np.array(["A", "B"], dtype=object), area_min=np.array([0.0, 0.0]), area_max=np.array([np.inf, np.inf]),
        site_xy=net.node_xy[site_node],
    )


def solve_checked(inst: CorridorInstance, paths=None) -> CorridorRun:
    """Solve exactly; the simulation must agree with the solver and find no violation."""
    run = solve_corridor(inst, EXACT, paths=paths)
    assert run.status in ("optimal", "infeasible"), run.result.message
    if run.status == "optimal":
        assert run.certificate.violations == []
        assert run.certificate.objective == pytest.approx(run.objective, rel=1e-7, abs=1e-6)
        assert run.solution.open[inst.is_existing].all()
        assert (run.solution.chargers >= inst.existing_chargers).all()
    return run


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", [
    {}, {"objective": "truck_km"}, {"capacitated": True}, {"p": None, "budget": 2_000_000.0},
    {"objective": "cost", "p": None, "required_share": 0.3}, {"k_paths": 3, "detour": 0.25},
    {"binary_flow": True, "inside_only": True},
])
def test_variants_agree_with_simulation(seed, variant):
    solve_checked(random_instance(seed, **variant))


@pytest.mark.parametrize("seed", SEEDS)
def test_flow_never_falls_when_range_or_p_grows(seed):
    base = random_instance(seed)
    runs = {(r, p): solve_checked(base.with_params(range=r, p=p)).objective for r in (8.0, 12.0, 18.0) for p in (1, 2, 3)}
    for (r, p), value in runs.items():
        if (r, p + 1) in runs:
            assert value <= runs[(r, p + 1)] + 1e-7
        bigger = [r2 for r2 in (8.0, 12.0, 18.0) if r2 > r]
        if bigger:
            assert value <= runs[(bigger[0], p)] + 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_closing_a_chosen_station_never_increases_flow(seed):
    inst = random_instance(seed)
    run = solve_checked(inst)
    for j in np.flatnonzero(run.solution.open & ~inst.is_existing):
        closed = np.zeros(inst.n_sites, bool)
        closed[j] = True
        again = solve_checked(inst.with_sites_fixed(closed), paths=run.paths)
        assert again.objective <= run.objective + 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_capacity_and_detour_bounds(seed):
    plain = solve_checked(random_instance(seed)).objective
    assert solve_checked(random_instance(seed, capacitated=True)).objective <= plain + 1e-7
    assert solve_checked(random_instance(seed, k_paths=3, detour=0.3)).objective >= plain - 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_tighter_grid_never_raises_flow(seed):
    inst = random_instance(seed, capacitated=True)
    loose = solve_checked(inst).objective
    tight_grid = GridAreas(ids=inst.grid.ids, available_kw=inst.grid.available_kw * 0.25,
                           upgrade_kw=np.zeros(2), upgrade_cost=np.zeros(2))
    from dataclasses import replace

    tight = solve_checked(replace(inst, grid=tight_grid))
    if tight.status == "optimal":
        assert tight.objective <= loose + 1e-7


def test_search_area_quotas_and_inside_only():
    inst = random_instance(0)
    from dataclasses import replace

    assert np.any(inst.area_of_site == 1)
    quota = replace(inst, area_min=np.array([0.0, 1.0]), area_max=np.array([0.0, 1.0]))
    run = solve_checked(quota)
    new = run.solution.open & ~inst.is_existing
    assert int(np.sum(new & (inst.area_of_site == 1))) == 1
    assert int(np.sum(new & (inst.area_of_site == 0))) == 0
    inside = solve_checked(inst.with_params(inside_only=True))
    assert not np.any(inside.solution.open & ~inst.is_existing & (inst.area_of_site < 0))


def test_fixed_open_site_stays_open():
    inst = random_instance(1)
    j = int(np.flatnonzero(~inst.is_existing)[-1])
    opened = np.zeros(inst.n_sites, bool)
    opened[j] = True
    run = solve_checked(inst.with_sites_open(opened))
    assert run.solution.open[j]


def test_infeasible_quota_is_diagnosed():
    from dataclasses import replace

    inst = random_instance(2)
    bad = replace(inst, area_min=np.array([5.0, 5.0]), area_max=np.array([np.inf, np.inf]))
    run = solve_corridor(bad, EXACT)
    assert run.status == "infeasible"
    assert run.diagnosis and any("search area" in d or "p =" in d for d in run.diagnosis)


def test_pyomo_model_has_the_same_blocks_and_sizes():
    inst = random_instance(0, capacitated=True)
    paths, cover = precompute_corridor(inst)
    form = build_corridor(inst, paths, cover)
    model = to_pyomo(form)
    for name, block in form.vars.items():
        assert len(getattr(model, name)) == block.size
    for name, block in form.cons.items():
        assert len(getattr(model, name)) == block.size
    assert {"x", "y", "n", "z", "u"} <= set(form.vars) and {"arc_cover", "capacity", "grid", "land"} <= set(form.cons)
