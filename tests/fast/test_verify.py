"""The fast checker (siting.fast.verify) catches a planted violation of every constraint family of
models/fast.md and agrees with the solver on a correct plan.

Each test takes a plan the solver proved optimal on a small seeded instance, breaks one family
(by editing the solution object, or the instance the plan is checked against where a family is
only reachable through the data) and expects the checker to name that family.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.fast.test_model import random_instance

from siting.fast.api import FastRun, solve_fast
from siting.fast.verify import verify_fast
from siting.options import SolveOptions
from siting.precompute import Pairs

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


def solved(**params) -> FastRun:
    run = solve_fast(random_instance(0, light=True, **params), EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    return run


@pytest.fixture(scope="module")
def mclp() -> FastRun:
    return solved(objective="mclp")


@pytest.fixture(scope="module")
def cap() -> FastRun:
    return solved(objective="capacitated")


def violations(run: FastRun, inst=None, pairs: Pairs | None = None, **changes) -> str:
    cert = verify_fast(run.instance if inst is None else inst, run.pairs if pairs is None else pairs,
                       replace(run.solution, **changes))
    return "\n".join(cert.violations)


def closed_new(run: FastRun) -> int:
    return int(np.flatnonzero(~run.solution.open & ~run.instance.is_existing & (run.instance.max_chargers >= 1))[0])


@pytest.mark.parametrize("params", [{"objective": "mclp"}, {"objective": "lscp", "p": None},
                                    {"objective": "pmedian", "radius": None},
                                    {"objective": "pmedian", "radius": None, "pmedian_formulation": "classic"},
                                    {"objective": "pmedian", "radius": None, "decay_beta": 1e-3},
                                    {"objective": "capacitated"}, {"objective": "capacitated", "serve_all": True, "radius": 20_000.0}])
def test_a_correct_optimal_plan_passes_with_the_solvers_objective(params) -> None:
    run = solved(**params)
    cert = verify_fast(run.instance, run.pairs, run.solution)
    assert cert.violations == []
    assert cert.objective == pytest.approx(run.objective, rel=1e-7, abs=1e-7)


def test_existing_site_closed(mclp) -> None:
    is_open = mclp.solution.open.copy()
    is_open[mclp.instance.is_existing] = False
    assert "an existing site is closed" in violations(mclp, open=is_open)


def test_existing_site_lost_chargers(mclp) -> None:
    assert "lost chargers" in violations(mclp, chargers=mclp.solution.chargers - mclp.instance.existing_chargers)


def test_chargers_max_open(mclp) -> None:
    chargers = mclp.solution.chargers.copy()
    chargers[closed_new(mclp)] = 1
    assert "chargers at a closed site" in violations(mclp, chargers=chargers)


def test_chargers_max(cap) -> None:
    chargers = cap.solution.chargers.copy()
    j = int(np.flatnonzero(cap.solution.open & ~cap.instance.is_existing)[0])
    chargers[j] = cap.instance.max_chargers[j] + 1
    assert "more chargers than max_chargers" in violations(cap, chargers=chargers)


def test_chargers_min(mclp) -> None:
    is_open = mclp.solution.open.copy()
    is_open[closed_new(mclp)] = True
    assert "fewer than min_chargers" in violations(mclp, open=is_open)


def test_site_count(mclp) -> None:
    is_open, chargers = mclp.solution.open.copy(), mclp.solution.chargers.copy()
    j = closed_new(mclp)
    is_open[j], chargers[j] = True, 1
    assert f"> p = {mclp.instance.params.p}" in violations(mclp, open=is_open, chargers=chargers)


def test_budget(mclp) -> None:
    inst = mclp.instance.with_params(budget=1.0)
    assert "> budget" in violations(mclp, inst)


def test_land(cap) -> None:
    inst = cap.instance
    land = np.where(cap.solution.open & ~inst.is_existing, 1.0, inst.land_m2)
    assert "land exceeded" in violations(cap, replace(inst, land_m2=land))


def test_land_of_an_existing_site_is_what_it_already_uses(mclp) -> None:
    inst = mclp.instance
    assert "land" not in violations(mclp, replace(inst, land_m2=np.where(inst.is_existing, 0.0, inst.land_m2)))


def test_grid(cap) -> None:
    inst = cap.instance
    from siting.resources import GridAreas

    none = GridAreas(ids=inst.grid.ids, available_kw=np.zeros(3), upgrade_kw=np.zeros(3), upgrade_cost=np.zeros(3))
    assert "grid headroom exceeded" in violations(cap, replace(inst, grid=none), upgrades=np.zeros(3, bool))
    upgrades = np.zeros(3, bool)
    upgrades[0] = True  # G0 offers none
    assert "offers none" in violations(cap, upgrades=upgrades)


def test_cover_lscp() -> None:
    run = solved(objective="lscp", p=None)
    is_open = run.instance.is_existing.copy()
    chargers = run.instance.existing_chargers.copy()
    assert "not covered" in violations(run, open=is_open, chargers=chargers)


def test_cover_link(mclp) -> None:
    assert "cover_link" in violations(mclp, covered=np.ones(mclp.instance.n_demand))


def test_assign_open_and_once(cap) -> None:
    z = cap.solution.assignment.copy()
    closed = ~cap.solution.open[cap.pairs.indices]
    z[np.flatnonzero(closed)[0]] = 0.5
    assert "assigned to a closed site" in violations(cap, assignment=z)
    z = cap.solution.assignment.copy() * 3.0
    assert "assigned more than once" in violations(cap, assignment=z)


def test_assign_must_serve() -> None:
    run = solved(objective="pmedian", radius=None, pmedian_formulation="classic")
    assert "not (fully) assigned" in violations(run, assignment=np.zeros_like(run.solution.assignment))


def test_capacity(cap) -> None:
    assert "exceed charger capacity" in violations(cap, cap.instance.with_params(sessions_per_charger=1e-3))


def test_assigned_beyond_the_radius(cap) -> None:
    """Coverage comes from the instance's coordinates: a pair planted beyond R is named, and so
    are pairs that disagree with the instance's distances."""
    inst, pairs, sol = cap.instance, cap.pairs, cap.solution
    d = np.hypot(*(inst.site_xy[None, :, :] - inst.demand_xy[:, None, :]).transpose(2, 0, 1))
    i, j = np.argwhere((d > inst.params.radius) & sol.open[None, :])[0]
    rows, cols, dist = pairs.to_coo()
    bad = Pairs.from_coo(np.r_[rows, i], np.r_[cols, j], np.r_[dist, 1.0], pairs.n_demand, pairs.n_candidates)
    z = np.zeros(bad.nnz)
    z[np.flatnonzero((bad.row_ids() == i) & (bad.indices == j))] = 1e-3
    text = violations(cap, pairs=bad, assignment=z)
    assert "beyond the radius R" in text and "disagree with the instance's distances" not in text
    assert "distance differs" in text
    empty = Pairs.empty(pairs.n_demand, pairs.n_candidates)
    assert "disagree with the instance's distances" in violations(cap, pairs=empty, assignment=np.zeros(0))


def test_pmedian_objective_uses_the_instances_distances() -> None:
    run = solved(objective="pmedian", radius=None, pmedian_formulation="classic")
    inst = run.instance
    far = replace(inst, demand_xy=inst.demand_xy + 1.0)
    assert verify_fast(far, run.pairs, run.solution).objective != pytest.approx(run.objective, rel=1e-9)


def test_an_area_without_headroom_is_not_counted_as_used_up(cap) -> None:
    """grid_areas_full: areas whose positive headroom the plan fills; an area at 0 kW (or a queue,
    < 0) is closed to new load and counted in grid_areas_without_headroom instead."""
    from siting.fast.verify import grid_load_kw
    from siting.resources import GridAreas

    inst, sol = cap.instance, cap.solution
    load = grid_load_kw(inst, sol)
    busy = int(np.argmax(load))
    assert load[busy] > 0
    # the busiest area at exactly the plan's load (used up), the others at 0 kW and at -100 kW (a queue)
    available = np.where(np.arange(3) == busy, load[busy], 0.0)
    available[(busy + 1) % 3] = -100.0
    tight = GridAreas(ids=inst.grid.ids, available_kw=available, upgrade_kw=np.zeros(3), upgrade_cost=np.zeros(3))
    kpis = verify_fast(replace(inst, grid=tight), cap.pairs, replace(sol, upgrades=np.zeros(3, bool))).kpis
    assert kpis["grid_areas_full"] == 1
    assert kpis["grid_areas_without_headroom"] == 2
