"""Known values of the corridor model on the 25-node FRLM network (Kuby & Lim 2005).

No published result table was found (instances/reference/frlm25/SOURCES.md), so the reference
is an independent brute force: every set of p stations (all C(25, p) of them) is checked by
simulating every OD pair's round trip (siting.corridor.verify.simulate_paths, which knows
nothing of the arc-cover sets or the MILP), and the best refuelled flow must equal the MILP's
proven optimum, for ranges 6, 8, 12, 16, 20 (network length units) and p = 1, 2, 3 (p = 4 is
marked slow). `BRUTE_FORCE` records the brute-force optima computed this way, so a change in
the simulation itself is caught too; they are our values, not published ones.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from siting.corridor.api import precompute_corridor, solve_corridor
from siting.corridor.load import load_corridor
from siting.corridor.verify import simulate_paths
from siting.importers import convert
from siting.options import SolveOptions

pytestmark = pytest.mark.solver

REFERENCE = Path(__file__).resolve().parents[2] / "instances" / "reference" / "frlm25"
EXACT = SolveOptions(profile="exact")
RANGES = [6, 8, 12, 16, 20]
TOTAL_FLOW = 17690.927970  # sum of f_ij over the 300 pairs i < j (SOURCES.md: 17690.928)

# (range, p) -> best refuelled flow over all station sets, from the brute force below
BRUTE_FORCE = {
    (6, 1): 2210.085815, (6, 2): 4128.622109, (6, 3): 5533.303315, (6, 4): 7230.161303,
    (8, 1): 2806.898673, (8, 2): 5285.608155, (8, 3): 7230.161303, (8, 4): 9022.255516,
    (12, 1): 2930.208098, (12, 2): 5408.917581, (12, 3): 7598.401918, (12, 4): 9335.952260,
    (16, 1): 3688.534270, (16, 2): 6051.425773, (16, 3): 8261.881908, (16, 4): 10338.662213,
    (20, 1): 5515.496281, (20, 2): 7962.232337, (20, 3): 10280.337267, (20, 4): 12324.941875,
}


@pytest.fixture(scope="module")
def frlm25(tmp_path_factory):
    folder = tmp_path_factory.mktemp("frlm25") / "frlm25"
    folder.mkdir()
    convert("frlm25", REFERENCE, folder)
    return load_corridor(folder)


def brute_force(inst, paths, p: int, r: float) -> tuple[float, list[tuple[int, ...]]]:
    """Best refuelled flow over every set of p sites, and the sets that reach it."""
    sets = list(itertools.combinations(range(inst.n_sites), p))
    open_node = np.zeros((len(sets), inst.network.n_nodes), bool)
    for k, s in enumerate(sets):
        open_node[k, inst.site_node[list(s)]] = True
    ok = simulate_paths(paths, open_node, r)
    values = ok.astype(float) @ inst.flow[paths.od]
    best = float(values.max())
    return best, [sets[k] for k in np.flatnonzero(values >= best - 1e-9)]


def test_import_matches_sources(frlm25):
    assert frlm25.n_od == 300 and frlm25.network.n_nodes == 25 and len(frlm25.network.u) == 43
    assert frlm25.flow.sum() == pytest.approx(TOTAL_FLOW, abs=1e-5)


def _cases(max_p: int, slow: bool):
    for r in RANGES:
        for p in range(1, max_p + 1):
            marks = [pytest.mark.slow] if slow and p == max_p else []
            yield pytest.param(r, p, id=f"R{r}-p{p}", marks=marks)


@pytest.mark.parametrize(("r", "p"), list(_cases(4, slow=True)))
def test_milp_equals_brute_force(frlm25, r, p):
    inst = frlm25.with_params(range=float(r), p=p)
    paths, _ = precompute_corridor(inst)
    best, best_sets = brute_force(inst, paths, p, float(r))
    assert best == pytest.approx(BRUTE_FORCE[(r, p)], abs=1e-5)
    run = solve_corridor(inst, EXACT, paths=paths)
    assert run.status == "optimal", run.result.message
    assert run.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert run.result.best_bound == pytest.approx(best, rel=1e-9, abs=1e-6)
    # the simulation of the MILP's own stations agrees with its objective, and is a best set
    assert run.certificate.violations == []
    assert run.certificate.objective == pytest.approx(run.objective, rel=1e-9, abs=1e-6)
    chosen = tuple(np.flatnonzero(run.solution.open).tolist())
    assert chosen in best_sets or len(chosen) < p


@pytest.mark.parametrize("r", RANGES)
def test_refuelled_flow_never_falls_when_range_or_p_grows(frlm25, r):
    """Metamorphic: the optimum is monotone in p (same range) and in the range (same p)."""
    for p in (1, 2, 3):
        assert BRUTE_FORCE[(r, p)] <= BRUTE_FORCE[(r, p + 1)]
    later = [x for x in RANGES if x > r]
    for p in (1, 2, 3):
        for r2 in later[:1]:
            assert BRUTE_FORCE[(r, p)] <= BRUTE_FORCE[(r2, p)] + 1e-9


def test_closing_a_chosen_station_never_increases_flow(frlm25):
    inst = frlm25.with_params(range=12.0, p=3)
    run = solve_corridor(inst, EXACT)
    chosen = np.flatnonzero(run.solution.open)
    for j in chosen:
        closed = np.zeros(inst.n_sites, bool)
        closed[j] = True
        again = solve_corridor(inst.with_sites_fixed(closed), EXACT, paths=run.paths)
        assert again.status == "optimal"
        assert again.certificate.violations == []
        assert again.objective <= run.objective + 1e-9
        assert not again.solution.open[j]


def test_pyomo_route_gives_the_same_optimum(frlm25):
    """The same formulation emitted as a pyomo model (appsi_highs) reaches the brute-force optimum."""
    import pyomo.environ as pyo

    if not pyo.SolverFactory("appsi_highs").available(exception_flag=False):
        pytest.skip("appsi_highs not available")
    inst = frlm25.with_params(range=12.0, p=2)
    run = solve_corridor(inst, SolveOptions(solver="appsi_highs", profile="exact"))
    assert run.status == "optimal"
    assert run.objective == pytest.approx(BRUTE_FORCE[(12, 2)], abs=1e-5)
    assert run.certificate.violations == []
