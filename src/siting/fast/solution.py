"""The solution of the fast model (sites, chargers, upgrades, assignment, coverage) and the KPIs
that follow from it alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.precompute import Pairs


@dataclass(frozen=True)
class FastSolution:
    open: np.ndarray  # bool[J]
    chargers: np.ndarray  # int[J]
    upgrades: np.ndarray  # bool[G]: upgrade bought per grid area
    assignment: np.ndarray | None  # z per pair (pmedian: nearest open site; capacitated)
    covered: np.ndarray | None  # y per demand point (mclp)


def nearest_open_assignment(pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """z_ij = 1 for the nearest open site of each point (ties: lowest site index), else 0.

    Points with no open site in N_i stay unassigned (only possible for accessibility)."""
    rows = pairs.row_ids()
    k = np.flatnonzero(is_open[pairs.indices])
    k = k[np.lexsort((pairs.indices[k], pairs.distance[k], rows[k]))]
    first = np.ones(len(k), bool)
    first[1:] = rows[k][1:] != rows[k][:-1]
    z = np.zeros(pairs.nnz)
    z[k[first]] = 1.0
    return z


def pairs_open_count(pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """Number of open sites within reach of each demand point."""
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    return np.bincount(rows, weights=is_open[pairs.indices].astype(float), minlength=pairs.n_demand)
