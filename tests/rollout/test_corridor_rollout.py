"""The rollout over the corridor model (`rollout.base = "corridor"`, models/rollout.md): one
period is the single-year corridor optimum on the 25-node FRLM network; two periods with seeded
per-period flows and headroom equal a brute force over phased station sets (each set checked by
the round-trip simulation, which knows nothing of the arc-cover rows); the checker catches
broken lock-in and per-period headroom; the folder, its CSVs and the bundled instance."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.corridor.api import precompute_corridor, solve_corridor
from siting.corridor.load import load_corridor
from siting.corridor.verify import simulate_paths
from siting.errors import InstanceError
from siting.importers import convert
from siting.options import SolveOptions
from siting.resources import GridAreas
from siting.rollout.api import solve_rollout
from siting.rollout.instance import rollout_of
from siting.rollout.load import load_rollout
from siting.rollout.verify import verify_rollout

pytestmark = pytest.mark.solver

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "instances" / "reference" / "frlm25"
EXACT = SolveOptions(profile="exact")
# (range, p) -> best refuelled flow over all station sets (tests/corridor/test_known_values.py)
KNOWN_R12_P3 = 7598.401918  # frlm25, range 12, p = 3, no grid (tests/corridor/test_known_values.py)
KNOWN = {(6, 2): 4128.622109, (8, 3): 7230.161303, (12, 1): 2930.208098, (16, 3): 8261.881908,
         (20, 2): 7962.232337}


@pytest.fixture(scope="module")
def frlm25_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("frlm25") / "frlm25"
    folder.mkdir()
    convert("frlm25", REFERENCE, folder)
    return folder


@pytest.fixture(scope="module")
def frlm25(frlm25_folder):
    return load_corridor(frlm25_folder)


@pytest.mark.parametrize(("r", "p"), list(KNOWN), ids=[f"R{r}-p{p}" for r, p in KNOWN])
def test_one_period_is_the_single_year_corridor_optimum(frlm25, r, p):
    inst = frlm25.with_params(range=float(r), p=p)
    run = solve_rollout(rollout_of(inst, [2030]), EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    assert run.objective == pytest.approx(KNOWN[(r, p)], abs=1e-5)
    assert run.certificate.objective == pytest.approx(KNOWN[(r, p)], abs=1e-5)
    single = solve_corridor(inst, EXACT)
    assert run.objective == pytest.approx(single.objective, abs=1e-6)
    assert run.formulation.summary() == single.formulation.summary()  # row for row the single-year model


# -- brute force over phased station sets ---------------------------------------------------------
def _seeded(frlm25, seed: int):
    """frlm25 with 1 MW per station and two grid areas (node parity); two periods whose flows are
    seeded, mostly different subsets of the network's flows (so what is best early is not what is
    best later, and lock-in binds), headroom for 0-2 new stations per area, p_t."""
    rng = np.random.default_rng(seed)
    r = float(rng.choice([8, 12, 16]))
    grid = GridAreas(ids=np.array(["even", "odd"], object), available_kw=np.zeros(2), upgrade_kw=np.zeros(2),
                     upgrade_cost=np.zeros(2))
    inst = replace(frlm25.with_params(range=r, p=3, kw_per_charger=1000.0), grid=grid,
                   grid_of_site=(frlm25.site_node % 2).astype(np.int64))
    early = rng.random(frlm25.n_od) < 0.3
    flows = [frlm25.flow * early * rng.uniform(0.5, 1.5, frlm25.n_od),
             frlm25.flow * ~early * rng.uniform(0.5, 1.5, frlm25.n_od)]
    first = rng.integers(1, 3, 2)
    headroom = [1000.0 * first, 1000.0 * (first + rng.integers(0, 2, 2))]
    p1 = int(rng.integers(1, 3))
    p = [p1, p1 + int(rng.integers(0, 2))]
    return inst, flows, headroom, p


def _brute_force(inst, flows, headroom, p, weights) -> float:
    paths, _ = precompute_corridor(inst)
    n = inst.n_sites
    sets = [c for k in range(p[1] + 1) for c in itertools.combinations(range(n), k)]
    open_node = np.zeros((len(sets), inst.network.n_nodes), bool)
    for k, s in enumerate(sets):
        open_node[k, inst.site_node[list(s)]] = True
    ok = simulate_paths(paths, open_node, inst.params.range)  # per set and path: the round trip completes
    value = [ok.astype(float) @ f[paths.od] for f in flows]
    index = {s: k for k, s in enumerate(sets)}

    def fits(s, t) -> bool:
        count = np.bincount(inst.grid_of_site[list(s)], minlength=2) if s else np.zeros(2)
        return len(s) <= p[t] and bool(np.all(1000.0 * count <= headroom[t]))

    best = -1.0
    for later in sets:
        if not fits(later, 1):
            continue
        for k in range(len(later) + 1):
            for first in itertools.combinations(later, k):
                if fits(first, 0):
                    best = max(best, weights[0] * value[0][index[first]] + weights[1] * value[1][index[later]])
    return best


@pytest.mark.parametrize("seed", range(4))
def test_two_periods_equal_brute_force_over_phased_station_sets(frlm25, seed):
    inst, flows, headroom, p = _seeded(frlm25, seed)
    rollout = rollout_of(inst, [2025, 2030], flows=flows, headroom=headroom, p=p)
    run = solve_rollout(rollout, EXACT)
    assert run.status == "optimal", run.result.message
    assert run.certificate.violations == []
    assert run.objective == pytest.approx(_brute_force(inst, flows, headroom, p, [1.0, 1.0]), abs=1e-6)
    assert run.myopic_certificate.violations == []
    assert run.warm_start["used"]
    assert run.objective >= run.myopic_certificate.objective - 1e-6
    first, later = run.solution.periods
    assert not np.any(first.open & ~later.open)


def test_weights_and_headroom_change_the_phasing(frlm25):
    """omega_t weighs the periods: with the first period weighted 0 only the second counts."""
    inst, flows, headroom, p = _seeded(frlm25, 1)
    rollout = rollout_of(inst, [2025, 2030], flows=flows, headroom=headroom, p=p)
    params = rollout.params.model_copy(update={"periods": [q.model_copy(update={"weight": w})
                                                           for q, w in zip(rollout.params.periods, [0.0, 1.0])]})
    run = solve_rollout(replace(rollout, params=params), EXACT)
    assert run.objective == pytest.approx(_brute_force(inst, flows, headroom, p, [0.0, 1.0]), abs=1e-6)


# -- the checker ----------------------------------------------------------------------------------
def test_the_checker_catches_broken_lock_in(frlm25):
    inst, flows, _, _ = _seeded(frlm25, 2)
    roomy = [np.full(2, 3000.0)] * 2
    rollout = rollout_of(inst, [2025, 2030], flows=flows, headroom=roomy, p=[2, 3])
    run = solve_rollout(rollout, EXACT)
    first, later = run.solution.periods
    opened = np.flatnonzero(first.open)
    assert len(opened)
    closed = replace(later, open=later.open.copy(), chargers=later.chargers.copy(), refuelled=np.zeros(inst.n_od))
    closed.open[opened[0]] = False
    closed.chargers[opened[0]] = 0
    found = verify_rollout(rollout, run.data, replace(run.solution, periods=(first, closed))).violations
    assert any(v.startswith("lock-in:") and "closed in 2030" in v for v in found)
    fewer = replace(later, chargers=later.chargers.copy())
    fewer.chargers[opened[0]] = 0
    found = verify_rollout(rollout, run.data, replace(run.solution, periods=(first, fewer))).violations
    assert any("chargers removed" in v for v in found)
    # the untouched plan passes
    assert verify_rollout(rollout, run.data, run.solution).violations == []


def test_the_checker_applies_each_periods_headroom(frlm25):
    inst, flows, _, _ = _seeded(frlm25, 0)
    run = solve_rollout(rollout_of(inst, [2025, 2030], flows=flows, headroom=[np.full(2, 3000.0)] * 2,
                                   p=[2, 3]), EXACT)
    tight = rollout_of(inst, [2025, 2030], flows=flows, headroom=[np.full(2, 3000.0), np.zeros(2)], p=[2, 3])
    violations = verify_rollout(tight, run.data, run.solution).violations
    assert any(v.startswith("2030: grid headroom exceeded") for v in violations)


# -- the folder and the CLI -----------------------------------------------------------------------
def _rollout_folder(frlm25_folder: Path, root: Path, edit=None) -> Path:
    folder = root / "corridor-rollout"
    folder.mkdir(parents=True)
    for name in ("roads.csv", "candidates.csv"):
        (folder / name).write_bytes((frlm25_folder / name).read_bytes())
    od = pd.read_csv(frlm25_folder / "od_flows.csv")
    od["trucks_2025"], od["trucks_2030"] = (od["trucks_per_day"] * 0.1).round(6), od["trucks_per_day"]
    od.to_csv(folder / "od_flows.csv", index=False)
    cand = pd.read_csv(folder / "candidates.csv")
    cand["grid_area"] = np.where(cand["node"] % 2 == 0, "even", "odd")
    cand.to_csv(folder / "candidates.csv", index=False)
    pd.DataFrame({"id": ["even", "odd"], "available_kw": [1000.0, 1000.0],
                  "available_kw_2030": [2000.0, 1000.0]}).to_csv(folder / "grid_areas.csv", index=False)
    toml = """name = "frlm25-rollout"
model = "rollout"

[rollout]
base = "corridor"
start = "2026-Q1"
lead_quarters = 2

[[rollout.periods]]
year = 2026
flows = "trucks_2025"
p = 1

[[rollout.periods]]
year = 2030
flows = "trucks_2030"
headroom = "available_kw_2030"
p = 3

[layers.roads]
file = "roads.csv"

[layers.od_flows]
file = "od_flows.csv"

[layers.candidates]
file = "candidates.csv"

[layers.grid_areas]
file = "grid_areas.csv"

[corridor]
objective = "flow"
range = 12.0
p = 3
kw_per_charger = 1000.0
"""
    (folder / "instance.toml").write_text(edit(toml) if edit else toml)
    return folder


def test_solve_writes_the_corridor_rollout_folder(frlm25_folder, tmp_path):
    folder = _rollout_folder(frlm25_folder, tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["solve", str(folder), "--out", str(out), "--profile", "exact"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "rollout" and summary["status"] == "optimal"
    assert summary["verified"]["feasible"] and "corridor" in summary["instance"]["parameters"]
    assert summary["size"]["od_flows"] == 300
    for name in ("plan.csv", "grid_by_period.csv", "connection_requests.csv", "rollout_plan_quarterly.csv",
                 "sites.gpkg", "summary.md"):
        assert (out / name).exists(), name
    plan = pd.read_csv(out / "plan.csv")
    assert (plan["chargers_2030"] >= plan["chargers_2026"]).all()
    assert int((plan["chargers_2026"] > 0).sum()) <= 1 and int((plan["chargers_2030"] > 0).sum()) <= 3
    grid = pd.read_csv(out / "grid_by_period.csv")
    assert (grid["new_load_kw"] <= grid["allowed_kw"] + 1e-6).all()
    assert set(grid["year"]) == {2026, 2030}
    requests = pd.read_csv(out / "connection_requests.csv")
    assert requests["kw"].sum() == pytest.approx(1000.0 * (plan["chargers_2030"] - plan["existing_chargers"]).sum())
    text = (out / "summary.md").read_text()
    assert "e-trucks per day whose round trip can be charged" in text
    assert "Planning ahead against planning year by year" in text


def test_one_period_folder_equals_the_corridor_folder(frlm25_folder, tmp_path):
    """A one-period corridor rollout of a folder solves to the corridor model's optimum on the
    same layers read as a corridor instance (model = "corridor", no [rollout])."""
    def one_period(toml: str) -> str:
        head, rest = toml.split("[[rollout.periods]]", 1)
        return head + "[[rollout.periods]]\nyear = 2030\n\n[layers.roads]" + rest.split("[layers.roads]", 1)[1]

    folder = _rollout_folder(frlm25_folder, tmp_path, one_period)
    plain = tmp_path / "plain"
    plain.mkdir()
    for f in folder.glob("*.csv"):
        (plain / f.name).write_bytes(f.read_bytes())
    toml = (folder / "instance.toml").read_text()
    head, rest = toml.split("[rollout]", 1)
    (plain / "instance.toml").write_text(head.replace('model = "rollout"', 'model = "corridor"')
                                         + "[layers.roads]" + rest.split("[layers.roads]", 1)[1])
    run = solve_rollout(folder, EXACT)
    single = solve_corridor(plain, EXACT)
    assert run.status == single.status == "optimal"
    assert run.certificate.violations == []
    assert run.objective == pytest.approx(single.objective, abs=1e-6)
    assert run.objective < KNOWN_R12_P3 - 1.0  # the headroom (one 1 MW hub per area) binds: not the free optimum


def test_bad_corridor_rollout_input_is_named(frlm25_folder, tmp_path):
    missing = _rollout_folder(frlm25_folder, tmp_path / "a", lambda t: t.replace('"trucks_2030"', '"trucks_2035"'))
    with pytest.raises(InstanceError) as err:
        load_rollout(missing)
    text = err.value.describe()
    assert "od_flows" in text and "trucks_2035" in text and "missing" in text
    mixed = _rollout_folder(frlm25_folder, tmp_path / "b", lambda t: t.replace('flows = "trucks_2025"',
                                                                               'demand = "trucks_2025"'))
    with pytest.raises(InstanceError, match="base 'fast'"):
        load_rollout(mixed)
    wrong_p = _rollout_folder(frlm25_folder, tmp_path / "c", lambda t: t.replace("p = 3\n\n[layers", "p = 30\n\n[layers"))
    with pytest.raises(InstanceError, match="larger than the number of candidates"):
        load_rollout(wrong_p)


def test_the_bundled_corridor_rollout_instance_loads():
    inst = load_rollout(ROOT / "instances" / "nal-oost-corridor-rollout")
    assert inst.base == "corridor" and inst.years.tolist() == [2025, 2030, 2035]
    totals = [q.flow.sum() for q in inst.periods]
    assert totals[0] < totals[1] < totals[2]  # the electric share grows
    assert all(q.grid is not None for q in inst.periods)
    assert not np.array_equal(inst.periods[0].grid.available_kw, inst.periods[2].grid.available_kw)
