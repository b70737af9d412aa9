"""The peers, measured on the same instances: spopt's MCLP, LSCP and PMedian, and a plain pyomo MCLP.

spopt (installed in the test/bench extra) gets the dense cost matrix it expects and solves with
its default CBC through PuLP, or with HiGHS through PuLP (`-highs`); the plain pyomo model is the obvious indexed formulation, built
row by row and solved with HiGHS through pyomo's appsi interface (the internal baseline).
"""

from __future__ import annotations

import time

import numpy as np

from siting.instance import FastInstance
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
