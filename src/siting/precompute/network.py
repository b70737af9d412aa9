"""Shortest-path demand x candidate pairs on an undirected road graph, and decay weights."""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

from .pairs import Pairs, covered

__all__ = ["decay_weights", "graph_distances"]

# Upper bound on the number of floats in one dense dijkstra result block (128 MiB).
_DIJKSTRA_BLOCK = 1 << 24


def _node_array(a, n_nodes: int, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer node indices, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0 or arr.max() >= n_nodes:
        raise ValueError(f"{name} must hold node indices in [0, {n_nodes})")
    return arr


def _zero_length_labels(n_nodes: int, u: np.ndarray, v: np.ndarray) -> tuple[int, np.ndarray]:
    """Label nodes joined by zero-length edges with one id (their mutual distance is 0).

    csgraph treats a stored 0 as "no edge", so these edges are contracted instead of stored.
    """
    ones = np.ones(u.size, dtype=np.int8)
    zero_graph = coo_array((ones, (u, v)), shape=(n_nodes, n_nodes)).tocsr()
    n_comp, labels = connected_components(zero_graph, directed=False)
    return int(n_comp), labels.astype(np.int64)


def _contracted_graph(
    n_nodes: int, u: np.ndarray, v: np.ndarray, length: np.ndarray
) -> tuple[csr_array, np.ndarray]:
    """CSR graph on zero-length components; parallel edges keep their minimum length."""
    zero = length == 0
    n_comp, labels = _zero_length_labels(n_nodes, u[zero], v[zero])
    a, b = labels[u], labels[v]
    keep = a != b  # self-loops (incl. edges inside a zero component) never shorten a path
    lo, hi, w = np.minimum(a, b)[keep], np.maximum(a, b)[keep], length[keep]
    # csr construction would SUM duplicates: sort so the minimum comes first, keep it only.
    order = np.lexsort((w, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    first = np.ones(lo.size, dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    graph = csr_array((w[first], (lo[first], hi[first])), shape=(n_comp, n_comp))
    return graph, labels


def _check_limit(limit) -> float | None:
    if limit is None:
        return None
    lim = float(limit)
    if math.isnan(lim) or lim < 0:
        raise ValueError(f"limit must be >= 0, got {limit!r}")
    return lim


def _unique_source_pairs(
    graph: csr_array, src: np.ndarray, tgt: np.ndarray, limit: float | None, n_targets: int
) -> Pairs:
    """Pairs (row = unique source component, column = target position), blockwise dijkstra."""
    # nextafter: stay correct whatever strictness scipy applies at the limit; filter below.
    sp_limit = np.inf if limit is None else float(np.nextafter(limit, np.inf))
    block = max(1, _DIJKSTRA_BLOCK // max(graph.shape[0], 1))
    rows, cols, dists = [], [], []
    for start in range(0, src.size, block):
        chunk = src[start : start + block]
        dist = dijkstra(graph, directed=False, indices=chunk, limit=sp_limit)[:, tgt]
        ok = np.isfinite(dist)
        if limit is not None:
            ok &= covered(dist, limit)
        r, c = np.nonzero(ok)
        rows.append(r + start)
        cols.append(c)
        dists.append(dist[r, c])
    if not rows:
        return Pairs.empty(src.size, n_targets)
    return Pairs.from_coo(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(dists), src.size, n_targets
    )


def graph_distances(n_nodes: int, u, v, length, sources, targets, limit=None) -> Pairs:
    """Shortest-path pairs between ``sources`` (rows) and ``targets`` (columns).

    The graph is undirected with edges ``(u[e], v[e], length[e])`` over nodes ``0..n_nodes-1``.
    Lengths must be finite and >= 0; zero-length edges are allowed (contracted exactly);
    parallel edges keep their MINIMUM length.  Row ``k`` belongs to ``sources[k]`` and column
    ``t`` to ``targets[t]``; both may repeat nodes (several demand points or candidates on one
    node).  A pair is stored when the nodes are connected and, if ``limit`` is given,
    ``distance <= limit`` (the boundary convention of :mod:`siting.precompute.pairs`).
    """
    n_nodes = int(n_nodes)
    if n_nodes < 0:
        raise ValueError("n_nodes must be >= 0")
    u = _node_array(u, n_nodes, "u")
    v = _node_array(v, n_nodes, "v")
    length = np.asarray(length, dtype=np.float64)
    if not (u.shape == v.shape == length.shape):
        raise ValueError("u, v and length must have the same length")
    if not np.all(np.isfinite(length)) or np.any(length < 0):
        raise ValueError("edge lengths must be finite and >= 0")
    sources = _node_array(sources, n_nodes, "sources")
    targets = _node_array(targets, n_nodes, "targets")
    lim = _check_limit(limit)
    if sources.size == 0 or targets.size == 0:
        return Pairs.empty(sources.size, targets.size)

    graph, labels = _contracted_graph(n_nodes, u, v, length)
    src_comp, row_of_source = np.unique(labels[sources], return_inverse=True)
    unique_pairs = _unique_source_pairs(graph, src_comp, labels[targets], lim, targets.size)
    return unique_pairs.take_rows(row_of_source.ravel())


def decay_weights(distance, beta: float) -> np.ndarray:
    """Accessibility weights ``exp(-beta * d)``; ``beta == 0`` gives ones (also for d = inf)."""
    b = float(beta)
    if not (math.isfinite(b) and b >= 0):
        raise ValueError(f"beta must be finite and >= 0, got {beta!r}")
    d = np.asarray(distance, dtype=np.float64)
    if np.any(np.isnan(d)) or np.any(d < 0):
        raise ValueError("distance must be >= 0 and not NaN")
    if b == 0:
        return np.ones(d.shape, dtype=np.float64)
    return np.exp(-b * d)
