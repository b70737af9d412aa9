"""Named sparse blocks: one source of truth for a MILP, emitted to highspy or to pyomo.

A `Formulation` is a list of variable blocks (a name, a size, bounds, a domain and objective
coefficients) and constraint blocks (a name, row bounds, and sparse terms over variable blocks,
given as COO arrays). Builders fill it with vectorised numpy, never one Python call per nonzero.
`to_highspy` passes the CSC matrix straight to HiGHS; `to_pyomo` builds an equivalent
`ConcreteModel` (component names = block names) for any pyomo solver and for LP/MPS export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

Domain = Literal["binary", "integer", "continuous"]
Sense = Literal["min", "max"]
INF = float("inf")


@dataclass
class VarBlock:
    name: str
    size: int
    offset: int  # first column of this block in the full column vector
    lb: np.ndarray
    ub: np.ndarray
    domain: Domain
    cost: np.ndarray
    doc: str = ""

    @property
    def columns(self) -> np.ndarray:
        return np.arange(self.offset, self.offset + self.size)


@dataclass
class ConBlock:
    name: str
    size: int
    offset: int  # first row of this block
    rows: np.ndarray  # local row index per nonzero
    cols: np.ndarray  # global column index per nonzero
    coefs: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    doc: str = ""
    labels: np.ndarray | None = None  # what each row is about (a grid area id, a demand id)


def _full(value: float | np.ndarray, size: int) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (size,))
    return np.array(arr, dtype=np.float64)


@dataclass
class Formulation:
    """A MILP `min/max c'x + offset, row_lower <= A x <= row_upper, lb <= x <= ub`."""

    name: str
    sense: Sense = "min"
    offset: float = 0.0
    vars: dict[str, VarBlock] = field(default_factory=dict)
    cons: dict[str, ConBlock] = field(default_factory=dict)

    # -- building -----------------------------------------------------------------------------
    @property
    def n_cols(self) -> int:
        return sum(v.size for v in self.vars.values())

    @property
    def n_rows(self) -> int:
        return sum(c.size for c in self.cons.values())

    @property
    def nnz(self) -> int:
        return sum(len(c.coefs) for c in self.cons.values())

    def add_var(
        self,
        name: str,
        size: int,
        *,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = INF,
        domain: Domain = "continuous",
        cost: float | np.ndarray = 0.0,
        doc: str = "",
    ) -> VarBlock:
        if name in self.vars:
            raise ValueError(f"variable block {name!r} defined twice")
        block = VarBlock(
            name, int(size), self.n_cols, _full(lb, size), _full(ub, size), domain,
            _full(cost, size), doc,
        )
        if domain == "binary":
            block.lb = np.maximum(block.lb, 0.0)
            block.ub = np.minimum(block.ub, 1.0)
        self.vars[name] = block
        return block

    def add_constraint(
        self,
        name: str,
        size: int,
        terms: list[tuple[VarBlock, np.ndarray, np.ndarray, np.ndarray | float]],
        *,
        lower: float | np.ndarray = -INF,
        upper: float | np.ndarray = INF,
        doc: str = "",
        labels: np.ndarray | list | None = None,
    ) -> ConBlock:
        """Add `size` rows; each term is (var block, local row, local var index, coefficient).

        `labels` name the rows in the user's terms (ids), for infeasibility diagnosis."""
        if name in self.cons:
            raise ValueError(f"constraint block {name!r} defined twice")
        rows, cols, coefs = [], [], []
        for var, r, j, a in terms:
            r = np.asarray(r, dtype=np.int64)
            j = np.asarray(j, dtype=np.int64)
            rows.append(r)
            cols.append(j + var.offset)
            coefs.append(np.broadcast_to(np.asarray(a, dtype=np.float64), r.shape))
        block = ConBlock(
            name, int(size), self.n_rows,
            np.concatenate(rows) if rows else np.empty(0, np.int64),
            np.concatenate(cols) if cols else np.empty(0, np.int64),
            np.concatenate(coefs) if coefs else np.empty(0),
            _full(lower, size), _full(upper, size), doc,
            None if labels is None else np.asarray(labels, dtype=object),
        )
        self.cons[name] = block
        return block

    def without(self, var_names: set[str], con_names: set[str], name: str | None = None) -> tuple[Formulation, np.ndarray]:
        """A copy without some blocks (a decomposition's master), and the map old column -> new
        column (-1 where dropped). A kept constraint must not use a dropped variable."""
        out = Formulation(name=name or self.name, sense=self.sense, offset=self.offset)
        new_col = np.full(self.n_cols, -1, np.int64)
        for v in self.vars.values():
            if v.name in var_names:
                continue
            kept = out.add_var(v.name, v.size, lb=v.lb, ub=v.ub, domain=v.domain, cost=v.cost, doc=v.doc)
            new_col[v.columns] = kept.columns
        for c in self.cons.values():
            if c.name in con_names:
                continue
            cols = new_col[c.cols]
            if (cols < 0).any():
                raise ValueError(f"constraint block {c.name!r} uses a dropped variable")
            out.cons[c.name] = ConBlock(c.name, c.size, out.n_rows, c.rows, cols, c.coefs, c.lower, c.upper,
                                        c.doc, c.labels)
        return out, new_col

    # -- views ----------------------------------------------------------------------------------
    def column_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(cost, lower, upper, is_integer) over all columns."""
        blocks = list(self.vars.values())
        if not blocks:
            empty = np.empty(0)
            return empty, empty, empty, np.empty(0, bool)
        cost = np.concatenate([v.cost for v in blocks])
        lb = np.concatenate([v.lb for v in blocks])
        ub = np.concatenate([v.ub for v in blocks])
        integer = np.concatenate([np.full(v.size, v.domain != "continuous") for v in blocks])
        return cost, lb, ub, integer

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        blocks = list(self.cons.values())
        if not blocks:
            return np.empty(0), np.empty(0)
        return (np.concatenate([c.lower for c in blocks]), np.concatenate([c.upper for c in blocks]))

    def matrix(self) -> sp.csr_array:
        """The constraint matrix A (rows in block order), duplicate entries summed."""
        blocks = list(self.cons.values())
        if not blocks:
            return sp.csr_array((0, self.n_cols))
        rows = np.concatenate([c.rows + c.offset for c in blocks])
        cols = np.concatenate([c.cols for c in blocks])
        vals = np.concatenate([c.coefs for c in blocks])
        a = sp.coo_array((vals, (rows, cols)), shape=(self.n_rows, self.n_cols)).tocsr()
        a.sum_duplicates()
        return a

    def values(self, x: np.ndarray, name: str) -> np.ndarray:
        v = self.vars[name]
        return x[v.offset : v.offset + v.size]

    def objective_value(self, x: np.ndarray) -> float:
        cost, _, _, _ = self.column_arrays()
        return float(cost @ x + self.offset)

    def max_violation(self, x: np.ndarray) -> tuple[float, str]:
        """Largest bound, row or integrality violation of `x`, and where it is."""
        cost, lb, ub, integer = self.column_arrays()
        worst, where = 0.0, ""
        for name, v in self.vars.items():
            xs = x[v.offset : v.offset + v.size]
            viol = np.maximum(v.lb - xs, xs - v.ub)
            if v.domain != "continuous":
                viol = np.maximum(viol, np.abs(xs - np.round(xs)))
            if viol.size and viol.max() > worst:
                worst, where = float(viol.max()), f"variable {name}[{int(viol.argmax())}]"
        ax = self.matrix() @ x
        for name, c in self.cons.items():
            act = ax[c.offset : c.offset + c.size]
            viol = np.maximum(c.lower - act, act - c.upper)
            if viol.size and viol.max() > worst:
                worst, where = float(viol.max()), f"constraint {name}[{int(viol.argmax())}]"
        return worst, where

    def summary(self) -> dict[str, int]:
        return {"variables": self.n_cols, "constraints": self.n_rows, "nonzeros": self.nnz}
