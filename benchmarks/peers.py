"""The peers, measured on the same instances: spopt's MCLP and a plain pyomo MCLP.

spopt (installed in the test/bench extra) gets the dense cost matrix it expects and solves with
its default CBC through PuLP; the plain pyomo model is the obvious indexed formulation, built
row by row and solved with HiGHS through pyomo's appsi interface (the internal baseline).
"""

from __future__ import annotations

import time

import numpy as np

from siting.instance import FastInstance
from siting.precompute import Pairs


def spopt_mclp(inst: FastInstance, pairs: Pairs, time_limit: float) -> dict:
    import pulp
    from spopt.locate import MCLP

    t = time.perf_counter()
    cost = np.full((inst.n_demand, inst.n_sites), np.inf)
    rows = pairs.row_ids()
    cost[rows, pairs.indices] = pairs.distance
    model = MCLP.from_cost_matrix(cost, inst.weight, service_radius=float(inst.params.radius),
                                  p_facilities=int(inst.params.p))
    build = time.perf_counter() - t
    t = time.perf_counter()
    model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    solve = time.perf_counter() - t
    status = pulp.LpStatus[model.problem.status]
    objective = pulp.value(model.problem.objective)
    return {"build": build, "solve": solve, "objective": objective,
            "status": "optimal" if status == "Optimal" and solve < time_limit else status.lower()}


def pyomo_mclp(inst: FastInstance, pairs: Pairs, time_limit: float) -> dict:
    import pyomo.environ as pyo

    t = time.perf_counter()
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, inst.n_demand - 1)
    m.J = pyo.RangeSet(0, inst.n_sites - 1)
    m.x = pyo.Var(m.J, domain=pyo.Binary)
    m.y = pyo.Var(m.I, bounds=(0, 1))
    cover = [pairs.row(i)[0].tolist() for i in range(inst.n_demand)]
    m.link = pyo.Constraint(m.I, rule=lambda m, i: m.y[i] <= sum(m.x[j] for j in cover[i]))
    m.count = pyo.Constraint(expr=sum(m.x[j] for j in m.J) <= int(inst.params.p))
    m.obj = pyo.Objective(expr=sum(float(inst.weight[i]) * m.y[i] for i in m.I), sense=pyo.maximize)
    build = time.perf_counter() - t
    from pyomo.contrib.appsi.solvers import Highs

    solver = Highs()
    solver.config.time_limit = time_limit
    solver.config.load_solution = False
    t = time.perf_counter()
    result = solver.solve(m)
    solve = time.perf_counter() - t
    term = str(result.termination_condition)
    return {"build": build, "solve": solve, "objective": result.best_feasible_objective,
            "bound": result.best_objective_bound, "status": "optimal" if term.endswith("optimal") else term}
