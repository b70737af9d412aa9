"""Emit a `Formulation` to a solver: straight to highspy (fast path) or as a pyomo model.

Both emitters read the same arrays, so the two models are the same by construction;
`tests/test_formulation.py` checks it by reading the matrix back out of the pyomo model.
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
import scipy.sparse as sp

from siting.formulation import INF, Formulation


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner from C++ on its first construction; keep stdout clean (--json)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs():
    """An empty, silent `highspy.Highs`: every HiGHS object siting makes comes from here, so the
    banner HiGHS prints on its first construction never reaches stdout (--json)."""
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


_scheduler_threads: list[int] = []  # the `threads` HiGHS's one task scheduler of this process was sized for


def size_scheduler(h) -> None:
    """Before a run of `h`: HiGHS sizes one task scheduler per process at its first run and ends a
    later run that asks for another `threads` at once, status kNotset (a 1-thread heuristic LP
    after a solve on 2 threads returned no plan); the scheduler is reset when the count changes."""
    import highspy

    threads = int(h.getOptionValue("threads")[1])
    if _scheduler_threads and _scheduler_threads[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [threads]


def run_highs(h) -> None:
    """h.run() with the process's task scheduler sized for h (size_scheduler)."""
    size_scheduler(h)
    h.run()


def to_highspy(form: Formulation):
    """A `highspy.Highs` holding the formulation (column-wise matrix, one bulk pass)."""
    import highspy

    cost, lb, ub, integer = form.column_arrays()
    row_lb, row_ub = form.row_bounds()
    a = sp.csc_array(form.matrix())
    h = new_highs()
    sense = highspy.ObjSense.kMaximize if form.sense == "max" else highspy.ObjSense.kMinimize
    status = h.passModel(
        form.n_cols,
        form.n_rows,
        int(a.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(sense),
        float(form.offset),
        cost,
        lb,
        ub,
        row_lb,
        row_ub,
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(np.float64),
        integer.astype(np.int32),  # HighsVarType: 0 continuous, 1 integer
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS refused the model {form.name!r}")
    return h


MODEL_FORMATS = (".lp", ".mps")


def write_model(form: Formulation, path) -> None:
    """The formulation as an LP or MPS file (by `path`'s suffix), written by HiGHS from the same
    arrays the solve passes it: columns are named `<block>(<k>)` and rows `<block>(<r>)`, with
    the blocks of `models/<model>.md`; the objective constant is kept (MPS: the objective's RHS)."""
    from pathlib import Path

    import highspy

    path = Path(path)
    if path.suffix.lower() not in MODEL_FORMATS:
        raise ValueError(f"{path}: write the model as .lp or .mps")
    h = to_highspy(form)
    lp = h.getLp()
    lp.col_names_ = [f"{name}({k})" for name, v in form.vars.items() for k in range(v.size)]
    lp.row_names_ = [f"{name}({r})" for name, c in form.cons.items() for r in range(c.size)]
    h.passModel(lp)
    if h.writeModel(str(path)) != highspy.HighsStatus.kOk:
        raise OSError(f"HiGHS could not write the model to {path}")


def _bound(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def to_pyomo(form: Formulation):
    """A pyomo `ConcreteModel`: one `Var` and one `Constraint` component per block."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    model = pyo.ConcreteModel(name=form.name)
    domains = {"binary": pyo.Binary, "integer": pyo.Integers, "continuous": pyo.Reals}
    columns: list = []
    for name, v in form.vars.items():
        var = pyo.Var(range(v.size), domain=domains[v.domain], doc=v.doc)
        model.add_component(name, var)
        for k in range(v.size):
            var[k].setlb(_bound(v.lb[k]))
            var[k].setub(_bound(v.ub[k]))
        columns.extend(var[k] for k in range(v.size))

    a = form.matrix()
    for name, c in form.cons.items():
        block = a[c.offset : c.offset + c.size]
        rows = {}
        for r in range(c.size):
            lo, hi = block.indptr[r], block.indptr[r + 1]
            expr = LinearExpression(
                constant=0.0,
                linear_coefs=block.data[lo:hi].tolist(),
                linear_vars=[columns[j] for j in block.indices[lo:hi]],
            )
            low, up = _bound(c.lower[r]), _bound(c.upper[r])
            rows[r] = (expr == low) if (low is not None and low == up) else (low, expr, up)
        model.add_component(name, pyo.Constraint(range(c.size), rule=lambda m, r, rows=rows: rows[r], doc=c.doc))

    cost, _, _, _ = form.column_arrays()
    nz = np.flatnonzero(cost)
    objective = LinearExpression(
        constant=float(form.offset),
        linear_coefs=cost[nz].tolist(),
        linear_vars=[columns[j] for j in nz],
    )
    sense = pyo.maximize if form.sense == "max" else pyo.minimize
    model.objective = pyo.Objective(expr=objective, sense=sense)
    model._siting_columns = columns  # column order, to read a solution back as one array
    return model


def pyomo_values(model) -> np.ndarray:
    """The solution of a solved pyomo model as one array in column order."""
    return np.array([v.value if v.value is not None else np.nan for v in model._siting_columns])


__all__ = ["new_highs", "to_highspy", "to_pyomo", "pyomo_values", "write_model", "MODEL_FORMATS", "INF"]
