"""Exact reduction: candidates that another site dominates are left out of the model.

For the covering objectives (mclp, lscp) a new candidate j is **dominated** by a site k when
everything j can do, k does at no more cost (models/fast.md, "Exact reduction: dominated
candidates"):

* N'(j) ⊆ N'(k), where N'(j) are the demand rows j reaches that matter: rows not already
  covered by an existing site, and (mclp) with weight > 0;
* k can open with nmin chargers (nmax_k ≥ nmin, land), and its grid row is no tighter
  (same grid area as j, or no area) when the grid is modelled;
* k costs no more, f_k + c_k nmin ≤ f_j + c_j nmin, when cost counts (lscp, or a budget);
* ties (same rows, same area, same cost) keep the lowest index, so the relation is a strict
  partial order and every dropped candidate has an undropped dominator.

Swapping a dominated j for its dominator (or closing j when both are open) keeps every row of
the model satisfied and never lowers the objective, so the optimum is unchanged. A candidate
with N'(j) = ∅ covers nothing the existing sites do not, and is dropped too.

The search is a numba loop over candidates: for j, only sites reaching j's rarest row can
contain N'(j); each is checked by a sorted merge that stops at the first missing row. No
N × N product of the coverage matrix is formed.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from siting.fast.instance import FastInstance
from siting.precompute.pairs import Pairs

_COVERING = ("mclp", "lscp")


def dominated_candidates(inst: FastInstance, pairs: Pairs) -> np.ndarray:
    """Boolean mask over the sites: True for the new candidates the model can leave out."""
    p = inst.params
    if p.objective not in _COVERING or inst.n_sites == 0:
        return np.zeros(inst.n_sites, bool)
    if np.any(inst.fixed_cost < 0) or np.any(inst.cost_per_charger < 0):
        return np.zeros(inst.n_sites, bool)  # a negative cost can make opening pay: the swap argument fails
    indptr, indices = pairs.indptr.astype(np.int64), pairs.indices.astype(np.int64)
    weighted = inst.weight > 0 if p.objective == "mclp" else np.ones(pairs.n_demand, bool)
    relevant = _relevant_rows(indptr, indices, inst.is_existing, weighted)
    site_ptr, site_rows, new_in_row = _rows_per_site(indptr, indices, relevant, inst.is_existing, inst.n_sites)

    nmin = float(p.min_chargers)
    can_open = (inst.opening_chargers() >= 0) & ~inst.is_existing
    grid_modelled = inst.grid is not None and p.kw_per_charger * p.simultaneity > 0
    area = inst.grid_of_site.astype(np.int64) if grid_modelled else np.full(inst.n_sites, -1, np.int64)
    cost_counts = p.objective == "lscp" or p.budget is not None
    cost = inst.fixed_cost + inst.cost_per_charger * nmin if cost_counts else np.zeros(inst.n_sites)
    return _dominated(site_ptr, site_rows, indptr, indices, new_in_row, inst.is_existing, can_open, area,
                      cost.astype(np.float64))


@njit(cache=True)
def _relevant_rows(indptr, indices, is_existing, weighted):
    """Rows that matter for domination: no existing site covers them, and (mclp) w_i > 0."""
    n = len(indptr) - 1
    out = np.zeros(n, np.bool_)
    for i in range(n):
        if not weighted[i]:
            continue
        out[i] = True
        for t in range(indptr[i], indptr[i + 1]):
            if is_existing[indices[t]]:
                out[i] = False
                break
    return out


@njit(cache=True)
def _rows_per_site(indptr, indices, relevant, is_existing, n_sites):
    """N'_j for every site (ascending relevant rows; empty for existing sites), and how many new
    sites reach each row: the transpose of the relevant part, by counting sort."""
    count = np.zeros(n_sites + 1, np.int64)
    new_in_row = np.zeros(len(indptr) - 1, np.int64)
    for i in range(len(indptr) - 1):
        if relevant[i]:
            for t in range(indptr[i], indptr[i + 1]):
                j = indices[t]
                if not is_existing[j]:
                    count[j + 1] += 1
                    new_in_row[i] += 1
    site_ptr = np.cumsum(count)
    fill = site_ptr[:-1].copy()
    site_rows = np.empty(site_ptr[-1], np.int64)
    for i in range(len(indptr) - 1):
        if relevant[i]:
            for t in range(indptr[i], indptr[i + 1]):
                j = indices[t]
                if not is_existing[j]:
                    site_rows[fill[j]] = i
                    fill[j] += 1
    return site_ptr, site_rows, new_in_row


@njit(cache=True)
def _contains(rows_k, rows_j) -> bool:
    """rows_j ⊆ rows_k, both ascending."""
    t = 0
    n = len(rows_k)
    for r in rows_j:
        while t < n and rows_k[t] < r:
            t += 1
        if t == n or rows_k[t] != r:
            return False
        t += 1
    return True


@njit(cache=True, parallel=True)
def _dominated(site_ptr, site_rows, row_ptr, row_sites, new_in_row, is_existing, can_open, area, cost):
    n = len(site_ptr) - 1
    out = np.zeros(n, np.bool_)
    for j in prange(n):
        if is_existing[j]:
            continue
        lo, hi = site_ptr[j], site_ptr[j + 1]
        size_j = hi - lo
        if size_j == 0:
            out[j] = True  # reaches nothing that is not covered already
            continue
        rarest, fewest = -1, 1 << 62
        for t in range(lo, hi):
            r = site_rows[t]
            if new_in_row[r] < fewest:
                rarest, fewest = r, new_in_row[r]
        for q in range(row_ptr[rarest], row_ptr[rarest + 1]):
            k = row_sites[q]
            if k == j or not can_open[k] or cost[k] > cost[j]:
                continue
            if area[k] != -1 and area[k] != area[j]:
                continue
            size_k = site_ptr[k + 1] - site_ptr[k]
            if size_k < size_j:
                continue
            tie = size_k == size_j and cost[k] == cost[j] and area[k] == area[j]
            if tie and k > j:
                continue  # equal in everything: the lower index stays
            if _contains(site_rows[site_ptr[k]:site_ptr[k + 1]], site_rows[lo:hi]):
                out[j] = True
                break
    return out
