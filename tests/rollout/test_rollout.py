"""The rollout model (models/rollout.md): one period is the single-year model; several periods
equal brute-force enumeration of phased plans; lock-in and per-period headroom are checked; the
folder, the CSVs for the grid operators and the bad-input messages."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.conftest import write_tiny

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.fast.api import solve_fast
from siting.fast.instance import FastInstance
from siting.fast.load import load_fast
from siting.fast.params import FastParams
from siting.importers import convert
from siting.options import SolveOptions
from siting.resources import GridAreas
from siting.rollout.api import solve_rollout
from siting.rollout.instance import rollout_of
from siting.rollout.load import load_rollout
from siting.rollout.quarterly import quarter_index
from siting.rollout.verify import verify_rollout

ROOT = Path(__file__).resolve().parents[2]
EXACT = SolveOptions(profile="exact")
KNOWN = [  # (format, file, overrides, published optimum)
    ("orlib-scp", "orlib-scp/scp41.txt", [], 429),
    ("orlib-scp", "orlib-scp/scp51.txt", [], 253),
    ("orlib-pmed", "orlib-pmed/pmed1.txt", [], 5819),
    ("orlib-pmed", "orlib-pmed/pmed4.txt", [], 3034),
    ("spopt-sf", None, ["fast.objective=mclp", "fast.radius=5000"], 875247),
    ("spopt-sf", None, ["fast.objective=lscp", "fast.radius=5000"], 8),
]


def _known_folder(fmt: str, file: str | None, tmp_path: Path) -> Path:
    from tests.fast.test_known_values import manifest_rows

    if file is None:  # spopt's San Francisco data: the file the fast known-value test uses
        file = next(r["file"] for r in manifest_rows() if r["set"] == "spopt").removeprefix("instances/reference/")
    folder = tmp_path / "instance"
    folder.mkdir()
    convert(fmt, ROOT / "instances" / "reference" / file, folder)
    return folder


@pytest.mark.solver
@pytest.mark.parametrize("fmt, file, overrides, expected", KNOWN, ids=[f"{k[0]}-{k[3]}" for k in KNOWN])
def test_one_period_is_the_single_year_optimum(fmt, file, overrides, expected, tmp_path):
    inst = load_fast(_known_folder(fmt, file, tmp_path), overrides)
    run = solve_rollout(rollout_of(inst, [2030]), EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    assert round(run.objective) == expected and abs(run.objective - expected) < 1e-6 * max(1, expected)
    assert abs(run.certificate.objective - run.objective) < 1e-6 * max(1, expected)


def test_one_period_of_the_tiny_capacitated_instance_equals_solve_fast(tiny_instance):
    inst = load_fast(tiny_instance)
    single = solve_fast(inst, EXACT)
    run = solve_rollout(rollout_of(inst, [2030]), EXACT)
    assert run.status == single.status == "optimal"
    assert run.objective == pytest.approx(single.objective, rel=1e-9)
    assert run.certificate.objective == pytest.approx(single.certificate.objective, rel=1e-9)


# -- brute force ----------------------------------------------------------------------------------
def _seeded(seed: int) -> tuple[FastInstance, list[np.ndarray], list[np.ndarray], list[int]]:
    """An mclp with 9 points, 6 candidates in 2 grid areas (1 kW per charger, 1 charger per site),
    two periods: demand, headroom (in sites) and p per period."""
    rng = np.random.default_rng(seed)
    n_i, n_j = 9, 6
    grid = GridAreas(ids=np.array(["g0", "g1"], object), available_kw=np.zeros(2), upgrade_kw=np.zeros(2),
                     upgrade_cost=np.zeros(2))
    inst = FastInstance(
        f"seed{seed}", FastParams(objective="mclp", radius=4.0, p=1, kw_per_charger=1.0, min_chargers=1),
        demand_ids=np.array([f"d{i}" for i in range(n_i)], object), weight=np.ones(n_i),
        site_ids=np.array([f"s{j}" for j in range(n_j)], object), is_existing=np.zeros(n_j, bool),
        fixed_cost=np.zeros(n_j), cost_per_charger=np.zeros(n_j), existing_chargers=np.zeros(n_j, int),
        max_chargers=np.ones(n_j, int), land_m2=np.full(n_j, np.inf), grid_of_site=np.arange(n_j) % 2, grid=grid,
        demand_xy=rng.uniform(0, 10, (n_i, 2)), site_xy=rng.uniform(0, 10, (n_j, 2)))
    demand = [rng.integers(1, 10, n_i).astype(float), rng.integers(1, 20, n_i).astype(float)]
    headroom = [rng.integers(0, 3, 2).astype(float), rng.integers(0, 4, 2).astype(float)]
    p = [int(rng.integers(1, 3)), int(rng.integers(2, 5))]
    return inst, demand, headroom, p


def _brute_force(inst: FastInstance, demand, headroom, p, weights) -> float:
    from siting.fast.pairs import fast_pairs

    pairs = fast_pairs(inst)
    rows = pairs.row_ids()
    n_j = inst.n_sites

    def covered(sites: set[int], w: np.ndarray) -> float:
        hit = np.zeros(inst.n_demand, bool)
        hit[rows[np.isin(pairs.indices, list(sites))]] = True
        return float(w @ hit)

    def fits(sites: set[int], t: int) -> bool:
        count = np.bincount(inst.grid_of_site[list(sites)], minlength=2) if sites else np.zeros(2)
        return len(sites) <= p[t] and bool(np.all(count <= headroom[t]))

    best = -1.0
    subsets = [set(c) for k in range(n_j + 1) for c in itertools.combinations(range(n_j), k)]
    for first in subsets:
        if not fits(first, 0):
            continue
        for later in subsets:
            if first <= later and fits(later, 1):
                best = max(best, weights[0] * covered(first, demand[0]) + weights[1] * covered(later, demand[1]))
    return best


@pytest.mark.solver
@pytest.mark.parametrize("seed", range(8))
def test_two_periods_equal_brute_force(seed):
    inst, demand, headroom, p = _seeded(seed)
    rollout = rollout_of(inst, [2025, 2030], demand=demand, headroom=headroom, p=p)
    run = solve_rollout(rollout, EXACT)
    assert run.status == "optimal"
    assert run.certificate.violations == []
    assert run.objective == pytest.approx(_brute_force(inst, demand, headroom, p, [1.0, 1.0]), abs=1e-6)
    # the year-by-year plan is feasible for the joined model, so planning ahead is never worse
    assert run.myopic_certificate.violations == []
    assert run.objective >= run.myopic_certificate.objective - 1e-6


def test_planning_ahead_beats_year_by_year_on_a_constructed_case():
    """Two sites; 2025 may open one. Year by year takes A (more demand in 2025); from 2030 on the
    demand is at B, and with one site allowed by 2030 as well, A is a dead end."""
    grid = GridAreas(ids=np.array(["g"], object), available_kw=np.array([10.0]), upgrade_kw=np.zeros(1),
                     upgrade_cost=np.zeros(1))
    inst = FastInstance(
        "ahead", FastParams(objective="mclp", radius=1.0, p=1, kw_per_charger=1.0, min_chargers=1),
        demand_ids=np.array(["a", "b"], object), weight=np.ones(2), site_ids=np.array(["A", "B"], object),
        is_existing=np.zeros(2, bool), fixed_cost=np.zeros(2), cost_per_charger=np.zeros(2),
        existing_chargers=np.zeros(2, int), max_chargers=np.ones(2, int), land_m2=np.full(2, np.inf),
        grid_of_site=np.zeros(2, int), grid=grid, demand_xy=np.array([[0.0, 0.0], [10.0, 0.0]]),
        site_xy=np.array([[0.0, 0.0], [10.0, 0.0]]))
    rollout = rollout_of(inst, [2025, 2030], demand=[np.array([3.0, 2.0]), np.array([0.0, 10.0])], p=[1, 1])
    run = solve_rollout(rollout, EXACT)
    assert run.myopic_certificate.objective == pytest.approx(3.0)  # A, then stuck with A
    assert run.objective == pytest.approx(12.0)  # B from the start: 2 + 10
    assert run.solution.periods[0].open.tolist() == [False, True]


def test_the_checker_catches_a_broken_lock_in():
    inst, demand, headroom, p = _seeded(3)
    rollout = rollout_of(inst, [2025, 2030], demand=demand, headroom=[np.full(2, 3.0)] * 2, p=[2, 3])
    run = solve_rollout(rollout, EXACT)
    first, later = run.solution.periods
    opened = np.flatnonzero(first.open)
    assert len(opened)
    closed = replace(later, open=later.open.copy(), chargers=later.chargers.copy())
    closed.open[opened[0]] = False
    closed.chargers[opened[0]] = 0
    broken = replace(run.solution, periods=(first, closed))
    assert any("lock-in" in v for v in verify_rollout(rollout, run.pairs, broken).violations)


def test_the_checker_applies_each_periods_headroom():
    inst, demand, _, _ = _seeded(5)
    roomy = rollout_of(inst, [2025, 2030], demand=demand, headroom=[np.full(2, 3.0)] * 2, p=[3, 3])
    run = solve_rollout(roomy, EXACT)
    tight = rollout_of(inst, [2025, 2030], demand=demand, headroom=[np.full(2, 3.0), np.zeros(2)], p=[3, 3])
    violations = verify_rollout(tight, run.pairs, run.solution).violations
    assert any(v.startswith("2030: grid headroom exceeded") for v in violations)


# -- the folder and the CLI -----------------------------------------------------------------------
def _rollout_folder(root: Path, edit_toml=None) -> Path:
    def add_columns(layers):
        layers["demand"]["weight_2030"] = layers["demand"]["weight"] * 2.0
        layers["grid_areas"]["available_kw_2030"] = layers["grid_areas"]["available_kw"] + 300.0

    def toml(config):
        config["model"] = "rollout"
        config["rollout"] = {"start": "2026-Q1", "lead_quarters": 2, "periods": [
            {"year": 2026, "p": 2}, {"year": 2030, "demand": "weight_2030", "headroom": "available_kw_2030", "p": 4}]}
        if edit_toml:
            edit_toml(config)

    return write_tiny(root / "rollout", edit=add_columns, toml=toml)


def test_solve_writes_the_rollout_folder(tmp_path):
    folder = _rollout_folder(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["solve", str(folder), "--out", str(out), "--profile", "exact"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "rollout" and summary["status"] == "optimal"
    assert summary["verified"]["feasible"]
    for name in ("plan.csv", "grid_by_period.csv", "connection_requests.csv", "rollout_plan_quarterly.csv",
                 "map-2026.png", "map-2030.png", "sites.gpkg", "report.html", "summary.md"):
        assert (out / name).exists(), name
    plan = pd.read_csv(out / "plan.csv")
    assert (plan["chargers_2030"] >= plan["chargers_2026"]).all()  # lock-in, as written
    requests = pd.read_csv(out / "connection_requests.csv")
    kw = 150.0
    added = (plan["chargers_2030"] - plan["existing_chargers"]).sum()
    assert requests["kw"].sum() == pytest.approx(kw * added)
    for row in requests.itertuples():
        needed, asked = quarter_index(row.needed_by), quarter_index(row.request_in)
        assert needed <= row.period * 4 + 3  # in place by the end of its year
        assert asked == max(needed - 2, quarter_index("2026-Q1"))
        assert row.late == (needed - 2 < quarter_index("2026-Q1"))
    quarterly = pd.read_csv(out / "rollout_plan_quarterly.csv")
    assert sorted(set(quarterly["quarter"])) == [f"{y}-Q{q}" for y in (2026, 2027) for q in (1, 2, 3, 4)]
    in_horizon = requests[requests["request_in"].map(quarter_index) < quarter_index("2028-Q1")]
    assert quarterly["kw_requested"].sum() == pytest.approx(in_horizon["kw"].sum())
    grid = pd.read_csv(out / "grid_by_period.csv")
    assert (grid["new_load_kw"] <= grid["allowed_kw"] + 1e-6).all()
    text = (out / "summary.md").read_text()
    assert "Planning ahead against planning year by year" in text and "## The plan per period" in text


def test_a_missing_period_column_names_layer_row_and_field(tmp_path):
    folder = _rollout_folder(tmp_path, lambda c: c["rollout"]["periods"][1].update(demand="weight_2035"))
    with pytest.raises(InstanceError) as err:
        load_rollout(folder)
    text = err.value.describe()
    assert "demand" in text and "weight_2035" in text and "missing" in text


def test_an_empty_cell_in_a_period_column_is_refused(tmp_path):
    def add_columns(layers):
        layers["demand"]["weight_2030"] = layers["demand"]["weight"]
        layers["demand"].loc[3, "weight_2030"] = np.nan

    def toml(config):
        config["model"] = "rollout"
        config["rollout"] = {"periods": [{"year": 2030, "demand": "weight_2030"}]}

    folder = write_tiny(tmp_path / "bad", edit=add_columns, toml=toml)
    with pytest.raises(InstanceError) as err:
        load_rollout(folder)
    problem = err.value.problems[0]
    assert (problem.layer, problem.field, problem.row) == ("demand", "weight_2030", "D04")


def test_years_must_ascend_and_counts_accumulate(tmp_path):
    folder = _rollout_folder(tmp_path, lambda c: c["rollout"]["periods"][1].update(p=1))
    with pytest.raises(InstanceError, match="cumulative"):
        load_rollout(folder)


def test_the_bundled_rollout_instance_loads():
    inst = load_rollout(ROOT / "instances" / "nal-oost-rollout")
    assert inst.years.tolist() == [2025, 2030, 2035]
    totals = [q.weight.sum() for q in inst.periods]
    assert totals[0] < totals[1] < totals[2]  # the BEV share grows
    assert [q.params.p for q in inst.periods] == [5, 25, 45]
