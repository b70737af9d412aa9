"""The peers, measured on the same instances: spopt's MCLP, LSCP, PMedian and FRLM, and a plain pyomo MCLP.

spopt (installed in the test/bench extra) gets the dense cost matrix it expects and solves with
its default CBC through PuLP, or with HiGHS through PuLP (`-highs`); the plain pyomo model is the obvious indexed formulation, built
row by row and solved with HiGHS through pyomo's appsi interface (the internal baseline).
spopt's FRLM (spopt >= 0.8, which needs Python >= 3.12) runs on corridor instances that are a plain
flow-refuelling location problem; elsewhere it reports a skipped status instead of failing.
"""

from __future__ import annotations

import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from siting.fast.instance import FastInstance
from siting.precompute import Pairs


def _pulp_solver(name: str, time_limit: float):
    """spopt's default CBC, or HiGHS through PuLP (its highspy interface)."""
    import pulp

    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)


def _dense_cost(inst: FastInstance, pairs: Pairs) -> np.ndarray:
    """spopt takes a dense demand x site cost matrix; pairs that do not exist cost infinity."""
    cost = np.full((inst.n_demand, inst.n_sites), np.inf)
    cost[pairs.row_ids(), pairs.indices] = pairs.distance
    return cost


def _spopt_result(model, build: float, solve: float, time_limit: float) -> dict:
    import pulp

    status = pulp.LpStatus[model.problem.status].lower()
    if status == "optimal" and solve >= time_limit:  # PuLP says Optimal for a time-limited incumbent too
        status = "time_limit"
    return {"build": build, "solve": solve, "objective": pulp.value(model.problem.objective), "status": status}


def _spopt(make_model, time_limit: float, solver: str) -> dict:
    """Build a spopt model (timed as build) and solve it through PuLP (timed as solve)."""
    t = time.perf_counter()
    model = make_model()
    build = time.perf_counter() - t
    t = time.perf_counter()
    model = model.solve(_pulp_solver(solver, time_limit))
    return _spopt_result(model, build, time.perf_counter() - t, time_limit)


def spopt_mclp(inst: FastInstance, pairs: Pairs, time_limit: float, solver: str = "cbc") -> dict:
    from spopt.locate import MCLP

    return _spopt(lambda: MCLP.from_cost_matrix(_dense_cost(inst, pairs), inst.weight,
                                                service_radius=float(inst.params.radius),
                                                p_facilities=int(inst.params.p)), time_limit, solver)


def spopt_lscp(inst: FastInstance, pairs: Pairs, time_limit: float, solver: str = "cbc") -> dict:
    """spopt's LSCP (fewest sites covering all): compare with siting's lscp at unit site costs."""
    from spopt.locate import LSCP

    return _spopt(lambda: LSCP.from_cost_matrix(_dense_cost(inst, pairs), service_radius=float(inst.params.radius)),
                  time_limit, solver)


def spopt_pmedian(inst: FastInstance, pairs: Pairs, time_limit: float, solver: str = "cbc") -> dict:
    """spopt's PMedian on the same distances (existing sites: none in the OR-Library instances)."""
    from spopt.locate import PMedian

    return _spopt(lambda: PMedian.from_cost_matrix(_dense_cost(inst, pairs), inst.weight,
                                                   p_facilities=int(inst.params.p)), time_limit, solver)


def build_pyomo_mclp(inst: FastInstance, pairs: Pairs):
    """The obvious indexed pyomo MCLP, built row by row as a pyomo user would."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, inst.n_demand - 1)
    m.J = pyo.RangeSet(0, inst.n_sites - 1)
    m.x = pyo.Var(m.J, domain=pyo.Binary)
    m.y = pyo.Var(m.I, bounds=(0, 1))
    cover = [pairs.row(i)[0].tolist() for i in range(inst.n_demand)]
    m.link = pyo.Constraint(m.I, rule=lambda m, i: m.y[i] <= sum(m.x[j] for j in cover[i]))
    m.count = pyo.Constraint(expr=sum(m.x[j] for j in m.J) <= int(inst.params.p))
    m.obj = pyo.Objective(expr=sum(float(inst.weight[i]) * m.y[i] for i in m.I), sense=pyo.maximize)
    return m


def pyomo_mclp(inst: FastInstance, pairs: Pairs, time_limit: float) -> dict:
    from pyomo.contrib.appsi.solvers import Highs

    t = time.perf_counter()
    m = build_pyomo_mclp(inst, pairs)
    build = time.perf_counter() - t

    solver = Highs()
    solver.config.time_limit = time_limit
    solver.config.load_solution = False
    t = time.perf_counter()
    result = solver.solve(m)
    solve = time.perf_counter() - t
    term = str(result.termination_condition)
    return {"build": build, "solve": solve, "objective": result.best_feasible_objective,
            "bound": result.best_objective_bound, "status": "optimal" if term.endswith("optimal") else term}


# ---- corridor: spopt's FRLM (spopt.locate.FRLM, spopt >= 0.8 on Python >= 3.12) ----

FRLM_NEEDS = "needs Python ≥ 3.12 and spopt ≥ 0.8"


def spopt_frlm_unavailable() -> str | None:
    """Why spopt's FRLM cannot run in this interpreter (a `skipped: ...` status), or None when it can."""
    if sys.version_info < (3, 12):
        return f"skipped: {FRLM_NEEDS} (this is Python {platform.python_version()})"
    try:
        spopt_version = version("spopt")
    except PackageNotFoundError:
        return f"skipped: {FRLM_NEEDS} (spopt is not installed)"
    release = tuple(int(part) if part.isdigit() else 0 for part in spopt_version.split(".")[:2])
    if release < (0, 8):
        return f"skipped: {FRLM_NEEDS} (this is spopt {spopt_version})"
    try:
        from spopt.locate import FRLM  # noqa: F401
    except ImportError as err:
        return f"skipped: {FRLM_NEEDS} (spopt {spopt_version}: {err})"
    return None


def _not_plain_frlm(inst) -> str | None:
    """What of a corridor instance spopt's FRLM cannot express, or None: FRLM opens exactly p stations
    among all road nodes (no existing stations, no costs, grid, land, areas), one shortest path per flow,
    uncapacitated; objective flow or vmt (= our truck_km)."""
    par = inst.params
    nodes = np.sort(inst.site_node[~inst.is_existing])
    problems = [
        ("objective cost", par.objective == "cost"), ("no p", par.p is None), ("a budget", par.budget is not None),
        ("capacitated", par.capacitated), ("k_paths > 1", par.k_paths > 1), ("afir_spacing", par.afir_spacing),
        ("existing stations", bool(inst.is_existing.any())), ("search areas", len(inst.area_ids) > 0),
        ("grid rows", inst.grid is not None and par.kw_per_charger > 0),
        ("candidates are not one per road node", not np.array_equal(nodes, np.arange(inst.network.n_nodes))),
        ("range <= 1 (FRLM reads it as a share of the longest path)", inst.vehicle_range <= 1),
    ]
    found = [what for what, bad in problems if bad]
    return f"skipped: not a plain FRLM instance ({', '.join(found)})" if found else None


def spopt_frlm(folder: Path, time_limit: float, solver: str = "cbc") -> dict:
    """spopt's FRLM (its AC-PC MILP, uncapacitated) on a corridor instance: same road network, OD flows,
    range and p. Build = network matrix + flow table + `FRLM.from_flow_dataframe` (shortest paths, its
    arc sets, the PuLP model); solve = `FRLM.solve` through PuLP. Besides its own objective it reports
    its stations and the flow they refuel under the round-trip rules, checked by spopt's own
    `check_path_refueling_feasibility` (`round_trip_flow`): spopt's arc sets are not those rules
    (benchmarks/README.md), so its objective is not a refuelled flow. Never raises for a missing spopt."""
    reason = spopt_frlm_unavailable()
    if reason:
        return {"status": reason}
    import pandas as pd
    import scipy.sparse as sp
    from spopt.locate import FRLM

    from siting.corridor.load import load_corridor

    inst = load_corridor(folder)
    reason = _not_plain_frlm(inst)
    if reason:
        return {"status": reason}
    r, p = float(inst.vehicle_range), int(inst.params.p)
    net = inst.network
    t = time.perf_counter()
    n = net.n_nodes
    network = sp.coo_matrix((np.r_[net.length, net.length], (np.r_[net.u, net.v], np.r_[net.v, net.u])),
                            shape=(n, n)).tocsr()
    # object columns: DataFrame.iterrows would turn the node indices into floats next to the float volumes
    flows = pd.DataFrame({"origin": inst.od_origin.tolist(), "destination": inst.od_destination.tolist(),
                          "volume": inst.flow.tolist()}, dtype=object)
    model = FRLM.from_flow_dataframe(network, flows, vehicle_range=r, p_facilities=p,
                                     objective="vmt" if inst.params.objective == "truck_km" else "flow")
    build = time.perf_counter() - t
    t = time.perf_counter()
    model.solve(_pulp_solver(solver, time_limit))
    out = _spopt_result(model, build, time.perf_counter() - t, time_limit)
    stations = sorted(model.selected_facilities)
    refuelled = [od for od, path in model.flow_paths.items() if model.check_path_refueling_feasibility(path, stations)]
    out.update({
        "stations": [str(net.node_ids[k]) for k in stations],
        "round_trip_flow": float(sum(model.flows[od] for od in refuelled)),
        "size": {"variables": len(model.problem.variables()), "constraints": len(model.problem.constraints)},
    })
    return out
