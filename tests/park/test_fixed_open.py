"""Squares fixed open as part of the instance (`ParkInstance.fixed_open`): the builder bounds
x_s >= 1, the checker calls a closed fixed square a violation, the screens name a fixed square
that cannot open, and compare solves a scenario's fixed squares through solve_park itself.

small_park(1) (seeded, 4 squares) opens only s4 at its least cost; fixing s1 open must open it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from siting.options import SolveOptions
from siting.park.api import solve_park
from siting.park.compare import solve_option
from siting.park.load import load_park
from siting.park.model import build_park, park_index
from siting.park.scenario import load_option, load_scenario, without_squares
from siting.park.screens import screen_park
from siting.park.synthetic import small_park, write_park_folder
from siting.park.verify import verify_park

EXACT = SolveOptions(profile="exact")


@pytest.fixture
def folder(tmp_path):
    return write_park_folder(tmp_path / "park", *small_park(1))


def fixed(inst, *ids: str):
    return replace(inst, fixed_open=np.isin(inst.square_ids.astype(str), ids))


def test_default_is_no_square_fixed_and_the_bound_is_zero(folder):
    inst = load_park(folder)
    assert inst.fixed_open.dtype == bool and not inst.fixed_open.any()
    assert len(inst.fixed_open) == inst.n_squares
    x = build_park(inst, park_index(inst)).vars["x"]
    np.testing.assert_array_equal(x.lb, 0.0)


def test_builder_bounds_x_at_one_for_a_fixed_square(folder):
    inst = fixed(load_park(folder), "s1", "s3")
    x = build_park(inst, park_index(inst)).vars["x"]
    np.testing.assert_array_equal(x.lb, [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(x.ub, 1.0)


@pytest.mark.solver
def test_a_fixed_square_opens_and_the_plan_costs_at_least_the_free_one(folder):
    inst = load_park(folder)
    free = solve_park(inst, EXACT)
    assert free.status == "optimal" and not free.solution.open[0]  # s1 is not worth opening
    run = solve_park(fixed(inst, "s1"), EXACT)
    assert run.status == "optimal" and run.certificate.violations == []
    assert run.solution.open[0]
    assert run.objective >= free.objective - 1e-6
    assert run.objective == pytest.approx(run.certificate.objective, rel=1e-9)


@pytest.mark.solver
def test_checker_calls_a_closed_fixed_square_a_violation(folder):
    inst = load_park(folder)
    run = solve_park(inst, EXACT)
    assert verify_park(inst, run.solution).violations == []
    closed = np.flatnonzero(~run.solution.open)
    cert = verify_park(fixed(inst, *inst.square_ids[closed].astype(str)), run.solution)
    assert len(cert.violations) == 1 and "fixed open are closed" in cert.violations[0]
    assert all(str(s) in cert.violations[0] for s in inst.square_ids[closed][:5])


@pytest.mark.solver
def test_a_fixed_square_without_a_tier_is_named_by_the_screens(folder):
    inst = load_park(folder)
    inst = fixed(without_squares(inst, inst.square_ids == "s2"), "s2")
    assert screen_park(inst) == ["square s2 is fixed open but has no connection tier"]
    run = solve_park(inst, EXACT)
    assert run.status == "infeasible" and run.diagnosis == screen_park(inst)
    too_many = fixed(load_park(folder), "s1", "s2").with_params(max_squares=1)
    assert screen_park(too_many) == ["2 squares are fixed open, more than park.max_squares = 1"]


@pytest.mark.solver
def test_compare_solves_a_scenario_with_fixed_squares_through_solve_park(folder, tmp_path, monkeypatch):
    """The scenario's [squares] open is in the instance load_option returns; solve_option is
    solve_park (nothing else builds or bounds the model), and the fixed square opens."""
    import siting.park.api as api

    path = tmp_path / "s1.toml"
    path.write_text('name = "s1 open"\n[squares]\nopen = ["s1"]\n')
    inst = load_option(folder, load_scenario(path))
    assert inst.fixed_open.tolist() == [True, False, False, False]
    calls = []
    real = api.solve_park
    monkeypatch.setattr(api, "solve_park", lambda *a, **k: calls.append(a) or real(*a, **k))
    run = solve_option(inst, EXACT, folder=folder)
    assert len(calls) == 1 and run.source == folder and run.options is EXACT
    assert run.status == "optimal" and run.certificate.violations == [] and run.solution.open[0]
