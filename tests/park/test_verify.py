"""The park checker (siting.park.verify) catches a planted violation of every constraint family
of models/park.md and agrees with the solver on a correct plan.

Each test takes a plan the solver proved optimal on a small seeded park, breaks one family (by
editing the solution object, or, where a family is only reachable through the data, the
instance the plan is checked against) and expects the checker to name that family.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from siting.options import SolveOptions
from siting.park.api import ParkRun, solve_park
from siting.park.instance import ParkInstance
from siting.park.load import load_park
from siting.park.params import annuity_factor
from siting.park.synthetic import small_park, write_park_folder
from siting.park.verify import annuity, charger_limit, verify_park

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


@pytest.fixture(scope="module")
def park(tmp_path_factory) -> ParkInstance:
    return load_park(write_park_folder(tmp_path_factory.mktemp("park") / "p", *small_park(0)))


@pytest.fixture(scope="module")
def run(park) -> ParkRun:
    run = solve_park(park, EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    assert run.solution.open.any() and run.solution.assign.sum() > 0.5
    return run


def violations(run: ParkRun, inst: ParkInstance | None = None, **changes) -> str:
    cert = verify_park(run.instance if inst is None else inst, replace(run.solution, **changes))
    return "\n".join(cert.violations)


def at_square(run: ParkRun) -> tuple[int, int]:
    """(company, square) of a company that charges at a square."""
    k, s = np.argwhere(run.solution.assign > 0.5)[0]
    return int(k), int(s)


def test_a_correct_optimal_plan_passes_with_the_solvers_objective(run, park) -> None:
    cert = verify_park(park, run.solution)
    assert cert.violations == []
    assert cert.objective == pytest.approx(run.objective, rel=1e-7)
    split = solve_park(park.with_params(single_source=False), EXACT)
    assert verify_park(split.instance, split.solution).violations == []
    assert verify_park(split.instance, split.solution).objective == pytest.approx(split.objective, rel=1e-7)


def test_own_coefficients_equal_the_instances() -> None:
    """The checker's annuity and nmax_sc are its own code; they agree with the model's."""
    for rate, years in ((0.0, 20), (0.05, 20), (0.07, 12.5)):
        assert annuity(rate, years) == pytest.approx(annuity_factor(rate, years), rel=1e-15)


def test_charger_limit_is_the_smaller_of_land_and_the_parameter(park) -> None:
    assert np.array_equal(charger_limit(park), park.max_chargers())
    assert charger_limit(park.with_params(max_chargers=1)).max() <= 1


# -- squares, tiers, chargers ---------------------------------------------------------------------
def test_tier(run) -> None:
    tier = run.solution.tier.copy()
    tier[run.solution.open] = -1
    assert "open square without a tier" in violations(run, tier=tier)


def test_tier_of_another_square(run, park) -> None:
    tier = run.solution.tier.copy()
    s = int(np.flatnonzero(run.solution.open)[0])
    tier[s] = int(np.flatnonzero(park.tier_square != s)[0])
    assert "another square's tier" in violations(run, tier=tier)


def test_chargers_open(run) -> None:
    chargers = run.solution.chargers.copy()
    chargers[int(np.flatnonzero(~run.solution.open)[0]), 0] = 1
    assert "chargers at a closed square" in violations(run, chargers=chargers)


def test_charger_limit(run, park) -> None:
    chargers = run.solution.chargers.copy()
    s = int(np.flatnonzero(run.solution.open)[0])
    chargers[s, 0] = int(charger_limit(park)[s, 0]) + 1
    assert "more chargers of a type than fit" in violations(run, chargers=chargers)


def test_square_count_max_squares(run, park) -> None:
    """Was: the checker never read max_squares, so a plan with a square open passed with
    max_squares = 0."""
    assert "> max_squares = 0" in violations(run, park.with_params(max_squares=0))
    assert "max_squares" not in violations(run, park.with_params(max_squares=int(run.solution.open.sum())))


def test_land(run, park) -> None:
    s = int(np.flatnonzero(run.solution.open)[0])
    land = park.land_m2.copy()
    land[s] = park.square_m2[s] - 1.0
    assert "exceed the parcel" in violations(run, replace(park, land_m2=land))


# -- assignment -----------------------------------------------------------------------------------
def test_assign_beyond_walking_distance(run, park) -> None:
    far = np.ones_like(run.solution.assign, bool)
    far[park.pair_company, park.pair_square] = False
    k, s = np.argwhere(far)[0]
    assign = run.solution.assign.copy()
    assign[k, s] = 0.5
    assert "beyond walking distance" in violations(run, assign=assign)


def test_assign_open(run) -> None:
    k, s = at_square(run)
    is_open, tier, chargers = run.solution.open.copy(), run.solution.tier.copy(), run.solution.chargers.copy()
    is_open[s], tier[s], chargers[s] = False, -1, 0
    assert "assigned to a closed square" in violations(run, open=is_open, tier=tier, chargers=chargers)


def test_own_option(run, park) -> None:
    own = run.solution.own.copy()
    k = int(np.flatnonzero(~np.any((park.own_kw > 0) & park.window, axis=1))[0])
    own[k] = 1.0
    assert "home charging for a company without an own option" in violations(run, own=own)


def test_assign_once(run, park) -> None:
    k, s = at_square(run)
    assign = run.solution.assign.copy()
    assign[k, s] = 0.0
    assert "not assigned exactly once" in violations(run, park.with_params(unmet_penalty=None), assign=assign)
    assign[k, s] = 2.0  # more than once is wrong with a penalty too
    assert "not assigned exactly once" in violations(run, assign=assign)


def test_single_source(run) -> None:
    k, s = at_square(run)
    assign = run.solution.assign.copy()
    assign[k, s] = 0.6
    assert "split" in violations(run, assign=assign)


# -- power and energy -----------------------------------------------------------------------------
def test_negative_power(run) -> None:
    power = run.solution.power.copy()
    power[0, 0, 0] = -1.0
    assert "negative power" in violations(run, power=power)


def test_dwell_window(run, park) -> None:
    k, s = at_square(run)
    t = int(np.flatnonzero(~park.window[k])[0])
    power = run.solution.power.copy()
    power[k, s, t] = 1.0
    assert "outside a dwell window" in violations(run, power=power)


def test_power_assign(run, park) -> None:
    k, s = at_square(run)
    t = int(np.flatnonzero(park.window[k])[0])
    power = run.solution.power.copy()
    power[k, s, t] = park.max_kw[k] + 1.0
    assert "power above Pmax_k" in violations(run, power=power)


def test_energy_assign() -> None:
    """A split company takes more energy at a square than its share there."""
    inst = small_one_company()
    sol = split_plan(inst, share=0.5, energy_share=0.8)
    assert "more energy at a square than its share" in "\n".join(verify_park(inst, sol).violations)


def test_energy_own() -> None:
    inst = small_one_company()
    sol = split_plan(inst, share=0.5, energy_share=0.2)  # so 0.8 of the energy at home on a share of 0.5
    assert "more energy at home than its share" in "\n".join(verify_park(inst, sol).violations)


def test_own_power(run, park) -> None:
    home = np.flatnonzero(run.solution.own > 0.5)
    k = int(home[0]) if len(home) else int(np.flatnonzero(np.any((park.own_kw > 0) & park.window, axis=1))[0])
    own, own_power = run.solution.own.copy(), run.solution.own_power.copy()
    own[k] = 1.0
    t = int(np.flatnonzero(park.window[k] & (park.own_kw[k] > 0))[0])
    own_power[k, t] = park.own_kw[k, t] + 1.0
    assert "home charging above the own connection" in violations(run, own=own, own_power=own_power)


def test_energy(run) -> None:
    k, s = at_square(run)
    power = run.solution.power.copy()
    power[k, s] *= 0.5
    assert "energy delivered + unmet != daily energy" in violations(run, power=power)


def test_unmet(run, park) -> None:
    unmet = run.solution.unmet.copy()
    unmet[0] = 1.0
    strict = park.with_params(unmet_penalty=None)
    assert "unmet energy although all energy must be delivered" in violations(run, strict, unmet=unmet)
    unmet[0] = park.energy_kwh[0] + 1.0
    assert "unmet energy above a company's daily energy" in violations(run, unmet=unmet)


# -- squares per slot, grid -----------------------------------------------------------------------
def test_connection(run, park) -> None:
    s = int(np.flatnonzero(run.solution.open)[0])
    small = park.tier_kw.copy()
    small[run.solution.tier[s]] = 1e-3
    assert "load above the connection tier" in violations(run, replace(park, tier_kw=small))


def test_charger_power(run, park) -> None:
    assert "installed charger power" in violations(run, replace(park, charger_kw=park.charger_kw * 1e-3))


def test_points(run, park) -> None:
    assert "too few charge points" in violations(run, park.with_params(vehicles_per_point=1e-3))


def test_grid_slot(run, park) -> None:
    assert "grid headroom exceeded" in violations(run, park.with_headroom(np.zeros_like(park.headroom_kw)))


def test_grid_contract(run, park) -> None:
    strict = park.with_params(reserve_contracts=True, small_connection_kw=0.0)
    none = strict.with_headroom(np.zeros_like(park.headroom_kw))
    assert "contracted square connections exceed the grid headroom" in violations(run, none)


def test_objective_is_recomputed(run, park) -> None:
    """Costs come from the instance: a dearer square raises the checker's objective by its annuity."""
    s = int(np.flatnonzero(run.solution.open)[0])
    cost = park.square_cost.copy()
    cost[s] += 1000.0
    dearer = verify_park(replace(park, square_cost=cost), run.solution).objective
    p = park.params
    assert dearer - run.certificate.objective == pytest.approx(1000.0 * annuity(p.discount_rate, p.life_square))


# -- a hand-made company with a split plan ---------------------------------------------------------
def small_one_company() -> ParkInstance:
    """One company (E = 100 kWh, Pmax = 100 kW, own connection 100 kW), one square with one
    1000 kW tier, four slots of 6 h, no chargers, no grid."""
    from siting.park.params import ParkParams

    T = 4
    one = np.ones(1)
    return ParkInstance(
        name="one", params=ParkParams(slots=T, single_source=False),
        company_ids=np.array(["k"], object), vans=one, trucks=np.zeros(1), energy_kwh=np.array([100.0]),
        max_kw=np.array([100.0]), window=np.ones((1, T), bool), own_kw=np.full((1, T), 100.0),
        own_cost=np.zeros(1), own_annual=np.zeros(1), company_grid=np.full(1, -1),
        square_ids=np.array(["s"], object), land_m2=np.full(1, np.inf), square_m2=np.zeros(1),
        square_cost=np.zeros(1), square_annual=np.zeros(1), square_grid=np.full(1, -1),
        tier_ids=np.array(["o"], object), tier_square=np.zeros(1, np.int64), tier_kw=np.array([1000.0]),
        tier_cost=np.zeros(1), tier_annual=np.zeros(1), tier_contract=np.array(["firm"], object),
        tier_avail=np.ones((1, T)),
        charger_ids=np.zeros(0, object), charger_kw=np.zeros(0), charger_cost=np.zeros(0),
        charger_annual=np.zeros(0), charger_m2=np.zeros(0), charger_vehicle=np.zeros(0, object),
        pair_company=np.zeros(1, np.int64), pair_square=np.zeros(1, np.int64), pair_cost=np.zeros(1),
        pair_distance=np.zeros(1), grid=None, headroom_kw=np.zeros((0, T)), price=np.zeros(T))


def split_plan(inst: ParkInstance, share: float, energy_share: float):
    """Square share `share`, home share 1 - share; `energy_share` of the energy at the square."""
    from siting.park.solution import ParkSolution

    T, h = inst.n_slots, 24.0 / inst.n_slots
    e = inst.energy_kwh[0]
    power = np.zeros((1, 1, T))
    power[0, 0, :] = energy_share * e / (h * T)
    own_power = np.full((1, T), (1 - energy_share) * e / (h * T))
    return ParkSolution(open=np.ones(1, bool), tier=np.zeros(1, np.int64), chargers=np.zeros((1, 0), np.int64),
                        assign=np.array([[share]]), own=np.array([1 - share]), power=power, own_power=own_power,
                        unmet=np.zeros(1))


def test_the_split_plan_itself_is_feasible() -> None:
    inst = small_one_company()
    assert verify_park(inst, split_plan(inst, share=0.5, energy_share=0.5)).violations == []


# -- dwell windows from the dwell hours ------------------------------------------------------------
def test_window_from_dwell_hours_is_the_checkers_own(run, park) -> None:
    assert park.dwell_hours is not None
    shifted = np.roll(park.window, 1, axis=1)  # a loader that put every window one slot late
    assert "dwell windows W_k differ from the dwell hours" in violations(run, replace(park, window=shifted))


@pytest.mark.parametrize("slots", [24, 96, 7])
def test_dwell_slots_agree_with_the_loaders_window_on_every_kind_of_window(slots) -> None:
    from siting.park.instance import dwell_window
    from siting.park.verify import dwell_slots

    hours = [0.0, 0.25, 6.0, 7.5, 12.0, 18.0, 23.75, 24.0]
    starts, ends = np.array([(s, e) for s in hours for e in hours]).T
    starts, ends = np.r_[starts, np.nan], np.r_[ends, np.nan]  # and the whole day
    k = len(starts)
    inst = small_one_company()
    inst = replace(inst, params=inst.params.model_copy(update={"slots": slots}), company_ids=np.arange(k).astype(object),
                   window=dwell_window(starts, ends, slots, 24.0 / slots), dwell_hours=np.column_stack([starts, ends]),
                   own_kw=np.zeros((k, slots)))
    assert np.array_equal(dwell_slots(inst), inst.window)
