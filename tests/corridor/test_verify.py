"""The corridor checker (siting.corridor.verify) catches a planted violation of every constraint
family of models/corridor.md, walks the paths itself, and agrees with the solver on a correct plan.

Each test takes a plan the solver proved optimal on a small seeded instance, breaks one family
(by editing the solution object, or, where a family is only reachable through the data, the
instance the plan is checked against) and expects the checker to name that family.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.corridor.test_model import random_instance

from siting.corridor.api import CorridorRun, solve_corridor
from siting.corridor.instance import CorridorInstance, RoadNetwork
from siting.corridor.params import CorridorParams
from siting.corridor.verify import verify_corridor
from siting.options import SolveOptions
from siting.precompute.paths import Paths
from siting.resources import GridAreas

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


def solved(**params) -> CorridorRun:
    run = solve_corridor(random_instance(0, **params), EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    return run


@pytest.fixture(scope="module")
def plain() -> CorridorRun:
    return solved()


@pytest.fixture(scope="module")
def capacitated() -> CorridorRun:
    return solved(capacitated=True)


def violations(run: CorridorRun, inst: CorridorInstance | None = None, paths: Paths | None = None, **changes) -> str:
    """The checker's violations, one per line, for the run's plan with `changes` planted."""
    sol = replace(run.solution, **changes)
    cert = verify_corridor(run.instance if inst is None else inst, run.paths if paths is None else paths, sol)
    return "\n".join(cert.violations)


def closed_new(run: CorridorRun) -> int:
    """A new candidate the plan leaves closed."""
    return int(np.flatnonzero(~run.solution.open & ~run.instance.is_existing)[0])


def test_a_correct_optimal_plan_passes_with_the_solvers_objective(plain, capacitated) -> None:
    for run in (plain, capacitated, solved(objective="truck_km"), solved(k_paths=3, detour=0.25),
                solved(objective="cost", p=None, required_share=0.3)):
        cert = verify_corridor(run.instance, run.paths, run.solution)
        assert cert.violations == []
        assert cert.objective == pytest.approx(run.objective, rel=1e-9, abs=1e-9)


# -- sites and chargers ---------------------------------------------------------------------------
def test_existing_station_closed(plain) -> None:
    is_open = plain.solution.open.copy()
    j = int(np.flatnonzero(plain.instance.is_existing)[0])
    is_open[j] = False
    chargers = plain.solution.chargers.copy()
    chargers[j] = 0
    assert "existing (or fixed-open) station is closed" in violations(plain, open=is_open, chargers=chargers)


def test_station_open_where_not_allowed(plain) -> None:
    inst = plain.instance.with_params(inside_only=True)
    outside = np.flatnonzero(~inst.is_existing & (inst.area_of_site < 0))
    is_open, chargers = plain.solution.open.copy(), plain.solution.chargers.copy()
    is_open[outside[0]], chargers[outside[0]] = True, 1
    assert "open where it is not allowed" in violations(plain, inst, open=is_open, chargers=chargers)


def test_existing_station_lost_chargers(plain) -> None:
    chargers = plain.solution.chargers.copy()
    chargers[plain.instance.existing_chargers > 0] -= 1
    assert "an existing station lost chargers" in violations(plain, chargers=chargers)


def test_chargers_at_a_closed_site(plain) -> None:
    chargers = plain.solution.chargers.copy()
    chargers[closed_new(plain)] = 1
    assert "chargers at a closed site" in violations(plain, chargers=chargers)


def test_chargers_min(plain) -> None:
    is_open = plain.solution.open.copy()
    is_open[closed_new(plain)] = True  # opened without chargers
    assert "fewer than min_chargers" in violations(plain, open=is_open)


def test_chargers_max(capacitated) -> None:
    inst, chargers = capacitated.instance, capacitated.solution.chargers.copy()
    j = int(np.flatnonzero(capacitated.solution.open & ~inst.is_existing)[0])
    chargers[j] = inst.max_chargers[j] + 1
    assert "more chargers than max_chargers" in violations(capacitated, chargers=chargers)


def test_uncapacitated_stations_have_exactly_min_chargers(plain) -> None:
    inst, chargers = plain.instance, plain.solution.chargers.copy()
    j = int(np.flatnonzero(plain.solution.open & ~inst.is_existing & (inst.max_chargers >= 2))[0])
    chargers[j] = 2
    assert "more chargers than min_chargers" in violations(plain, chargers=chargers)


def test_site_count(plain) -> None:
    is_open, chargers = plain.solution.open.copy(), plain.solution.chargers.copy()
    j = closed_new(plain)
    is_open[j], chargers[j] = True, 1
    assert f"new stations > p = {plain.instance.params.p}" in violations(plain, open=is_open, chargers=chargers)


def test_area_sites(plain) -> None:
    inst = plain.instance
    area = int(inst.area_of_site[plain.solution.open & ~inst.is_existing & (inst.area_of_site >= 0)][0])
    top = inst.area_max.copy()
    top[area] = 0.0
    assert f"search area {inst.area_ids[area]}" in violations(plain, replace(inst, area_max=top))


def test_land(capacitated) -> None:
    inst = capacitated.instance
    j = int(np.flatnonzero(~capacitated.solution.open & ~inst.is_existing & np.isfinite(inst.land_m2))[0])
    is_open, chargers = capacitated.solution.open.copy(), capacitated.solution.chargers.copy()
    is_open[j], chargers[j] = True, int(inst.land_m2[j] // inst.params.m2_per_charger) + 1
    assert "land exceeded" in violations(capacitated, open=is_open, chargers=chargers)


def test_land_of_an_existing_site_is_what_it_already_uses(plain) -> None:
    """An existing station fits its land whatever L_j says (models/corridor.md, land)."""
    inst = replace(plain.instance, land_m2=np.where(plain.instance.is_existing, 0.0, plain.instance.land_m2))
    assert "land" not in violations(plain, inst)


def test_grid_headroom(capacitated) -> None:
    inst = capacitated.instance
    j = int(np.flatnonzero(~inst.is_existing & (inst.grid_of_site == 1))[0])  # G1: headroom -400 kW
    is_open, chargers = capacitated.solution.open.copy(), capacitated.solution.chargers.copy()
    is_open[j], chargers[j] = True, 1
    upgrades = np.zeros_like(capacitated.solution.upgrades)
    assert "grid headroom exceeded" in violations(capacitated, open=is_open, chargers=chargers, upgrades=upgrades)


def test_upgrade_only_where_offered(plain) -> None:
    upgrades = plain.solution.upgrades.copy()
    upgrades[0] = True  # G0 offers no upgrade
    assert "offers none" in violations(plain, upgrades=upgrades)


def test_budget() -> None:
    run = solved(p=None, budget=2_000_000.0)
    is_open, chargers = run.solution.open.copy(), run.solution.chargers.copy()
    new = np.flatnonzero(~run.instance.is_existing & (run.instance.max_chargers >= 1))
    is_open[new], chargers[new] = True, 1
    assert "> budget" in violations(run, open=is_open, chargers=chargers)


# -- flows ----------------------------------------------------------------------------------------
def test_arc_cover_flow_refuelled_although_its_round_trip_fails(plain) -> None:
    y = plain.solution.refuelled.copy()
    assert np.any(y < 0.5)
    y[:] = 1.0
    assert "round trip fails" in violations(plain, refuelled=y)


def test_path_choice() -> None:
    run = solved(k_paths=3, detour=0.25)
    assert run.solution.path_refuelled is not None and run.solution.refuelled.max() > 0.5
    assert "path_choice" in violations(run, path_refuelled=np.zeros_like(run.solution.path_refuelled))


def test_required_share() -> None:
    run = solved(objective="cost", p=None, required_share=0.3)
    inst = run.instance
    is_open = inst.is_existing.copy()
    chargers = np.where(inst.is_existing, inst.existing_chargers, 0)
    y = np.zeros(inst.n_od)
    assert "below the required share" in violations(run, open=is_open, chargers=chargers, refuelled=y)


def test_assign(capacitated) -> None:
    z = capacitated.solution.assignment.copy()
    z[z > 0.5] *= 0.5
    assert "differs from the refuelled share" in violations(capacitated, assignment=z)


def test_assign_open(capacitated) -> None:
    sol = capacitated.solution
    pairs = sol.assignment_pairs
    k = int(np.flatnonzero(~sol.open[pairs[:, 1]])[0])
    z = sol.assignment.copy()
    z[k] = 0.1
    assert "energy assigned to a closed station" in violations(capacitated, assignment=z)


def test_capacity(capacitated) -> None:
    inst = capacitated.instance.with_params(kwh_per_charger_day=1.0)
    assert "exceeds the chargers' capacity" in violations(capacitated, inst)


# -- regressions (issue 18) -----------------------------------------------------------------------
def chain(max_chargers_b: int, **params) -> CorridorInstance:
    """a - b - c, 4 + 4, one candidate per node, flow a -> c of 10 trucks/day, R = 10, p = 1:
    only a station at b refuels the round trip."""
    net = RoadNetwork(np.array(["a", "b", "c"], object), np.array([0, 1]), np.array([1, 2]), np.array([4.0, 4.0]))
    return CorridorInstance(
        "chain", CorridorParams(**{"range": 10.0, "p": 1, **params}), net, np.array(["a->c"], object),
        np.array([0]), np.array([2]), np.array([10.0]), np.array(["a", "b", "c"], object), np.zeros(3, bool),
        np.array([0, 1, 2]), np.zeros(3), np.zeros(3), np.zeros(3, np.int64),
        np.array([1, max_chargers_b, 1], np.int64), np.full(3, np.inf), np.full(3, -1), None, np.full(3, -1))


@pytest.mark.parametrize("capacitated", [False, True])
def test_model_respects_max_chargers_zero(capacitated: bool) -> None:
    """Was: the uncapacitated model opened b (max_chargers 0) with one charger; solver 'optimal
    10', checker 'more chargers than max_chargers', status error."""
    run = solve_corridor(chain(0, capacitated=capacitated), EXACT)
    assert run.status == "optimal", run.result.message
    assert run.objective == pytest.approx(0.0) and not run.solution.open[1]
    assert run.certificate.violations == []
    run = solve_corridor(chain(1, capacitated=capacitated), EXACT)
    assert run.status == "optimal" and run.objective == pytest.approx(10.0) and run.solution.open[1]


def test_station_off_the_flows_path_is_refused(capacitated) -> None:
    """Was: the checker took the model's (flow, station) pairs on trust, so a plan charging a
    flow at a station off its path passed."""
    inst, sol, paths = capacitated.instance, capacitated.solution, capacitated.paths
    q = int(np.flatnonzero(sol.refuelled > 0.5)[0])
    on_path = set(np.concatenate([paths.nodes_of(k) for k in np.flatnonzero(paths.od == q)]).tolist())
    j = int(np.flatnonzero(sol.open & ~np.isin(inst.site_node, list(on_path)))[0])
    mine = sol.assignment_pairs[:, 0] == q
    pairs = np.vstack([sol.assignment_pairs[~mine], [[q, j]]])
    z = np.r_[sol.assignment[~mine], 1.0]
    assert "off the flow's path" in violations(capacitated, assignment=z, assignment_pairs=pairs)


def test_the_checker_walks_the_paths_itself(plain) -> None:
    """A path that uses a road that does not exist, or is not a shortest one, is named."""
    paths, net = plain.paths, plain.instance.network
    nodes = [paths.nodes_of(k).tolist() for k in range(paths.n_paths)]
    step = {}
    for x, y, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist(), strict=True):
        step[(min(x, y), max(x, y))] = w

    def with_path(q: int, row: list[int]) -> Paths:
        rows = nodes[:q] + [row] + nodes[q + 1:]
        edges = [[step.get((min(x, y), max(x, y)), 1.0) for x, y in zip(r[:-1], r[1:], strict=True)] for r in rows]
        return Paths.from_lists(rows, edges, paths.od)

    q = int(np.argmax(np.diff(paths.ptr)))  # a path with several edges
    skipped = nodes[q][:1] + nodes[q][2:]  # two nodes of a 5 x 5 grid two steps apart: no road joins them
    assert "over existing roads" in violations(plain, paths=with_path(q, skipped))
    a, b = nodes[q][0], nodes[q][1]  # round one grid cell instead of the edge a - b: longer
    adj: dict[int, set[int]] = {}
    for x, y in step:
        adj.setdefault(x, set()).add(y)
        adj.setdefault(y, set()).add(x)
    around = next([a, m, w, b] for m in sorted(adj[a] - {b}) for w in sorted(adj[m] & adj[b] - {a})
                  if m not in nodes[q] and w not in nodes[q])
    assert "not a shortest path" in violations(plain, paths=with_path(q, around + nodes[q][2:]))


def test_afir_spacing() -> None:
    """Five nodes 40 km apart on a core TEN-T road, a candidate at every node: with none open the
    checker names the AFIR family."""
    n = 5
    net = RoadNetwork(np.array([f"n{k}" for k in range(n)], object), np.arange(n - 1), np.arange(1, n),
                      np.full(n - 1, 40.0), road=np.full(n - 1, "A1", object), tent=np.full(n - 1, "core", object))
    inst = CorridorInstance(
        "afir", CorridorParams(range=500.0, p=5, afir_spacing=True), net, np.array(["n0->n4"], object),
        np.array([0]), np.array([n - 1]), np.array([1.0]), np.array([f"s{k}" for k in range(n)], object),
        np.zeros(n, bool), np.arange(n), np.zeros(n), np.zeros(n), np.zeros(n, np.int64), np.ones(n, np.int64),
        np.full(n, np.inf), np.full(n, -1), None, np.full(n, -1))
    run = solve_corridor(inst, EXACT)
    assert run.status == "optimal" and run.certificate.violations == []
    none = replace(run.solution, open=np.zeros(n, bool), chargers=np.zeros(n, np.int64),
                   refuelled=np.zeros(1))
    assert "AFIR" in "\n".join(verify_corridor(inst, run.paths, none).violations)


def test_grid_rows_count_only_new_load(plain) -> None:
    """The checker's grid load is P s (n - n0): existing stations in queue areas are fine."""
    inst = plain.instance
    queue = GridAreas(ids=inst.grid.ids, available_kw=np.array([-1.0, -1.0]), upgrade_kw=np.zeros(2),
                      upgrade_cost=np.zeros(2))
    only_existing = replace(plain.solution, open=inst.is_existing.copy(), chargers=inst.existing_chargers.copy(),
                            refuelled=np.zeros(inst.n_od), upgrades=np.zeros(2, bool))
    assert verify_corridor(replace(inst, grid=queue), plain.paths, only_existing).violations == []
