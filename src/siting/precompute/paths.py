"""Truck paths on a road graph and the arc-cover sets K_{q,a} of the corridor model.

Paths are stored flat (CSR): path q visits road nodes ``node[ptr[q]:ptr[q+1]]`` and
``pos[ptr[q]:ptr[q+1]]`` holds the distance driven from the path's origin to each of them (a
left-to-right running sum of the edge lengths, so every consumer sees the same floats).

Boundary convention (defined here, nowhere else; models/corridor.md): with range R, a truck
that charged to full at position ``s`` can drive to position ``t`` when ``t - s <= R`` (a
distance exactly equal to the range is drivable); a truck starting with half a charge at the
start of a leg can drive to ``t`` when ``t <= R / 2`` (``0.5 * R``, exact in binary floats).
The same comparisons, in the same float arithmetic, are used by the kernel, by its plain-Python
reference and by the round-trip simulation in :mod:`siting.corridor.verify`.

Arc-cover rows of path q with nodes v_0 .. v_m (origin v_0, destination v_m), positions c_k:

* outbound arc i = (v_{i-1} -> v_i), i = 1..m: free when ``c_i <= R/2``; else
  K = {sites at v_k : k <= i-1 and ``c_i - c_k <= R``};
* return arc i = (v_i -> v_{i-1}), i = m..1: free when ``c_m - c_{i-1} <= R/2``; else
  K = {sites at v_k : k >= i and ``c_k - c_{i-1} <= R``};
* one "station" row: K = {sites at any v_k} (a path needs at least one station on it).

Every K is a window of consecutive site-bearing positions of the path, so the kernel keeps only
the minimal windows (a row whose window contains another row's window is implied by it);
``reduce=False`` returns every row, as the reference does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

__all__ = [
    "ArcCover",
    "KIND_OUTBOUND",
    "KIND_RETURN",
    "KIND_STATION",
    "Paths",
    "arc_cover_reference",
    "arc_cover_sets",
    "half_range",
    "k_shortest_paths",
    "reachable",
    "shortest_paths",
]

KIND_OUTBOUND, KIND_RETURN, KIND_STATION = 0, 1, 2


def half_range(r: float) -> float:
    """R / 2, the charge of a truck that leaves an origin (or destination) without a station."""
    return 0.5 * r


def reachable(driven, charge):
    """True when a truck with ``charge`` left can drive ``driven`` more: ``driven <= charge``."""
    return driven <= charge


_reachable_nb = njit(cache=True)(reachable)


@dataclass(frozen=True)
class Paths:
    """Paths as flat arrays; path q belongs to OD flow ``od[q]``."""

    ptr: np.ndarray  # int64 (n_paths + 1)
    node: np.ndarray  # int64, road node index per visit
    pos: np.ndarray  # float64, distance from the path's origin
    od: np.ndarray  # int64 (n_paths)

    @property
    def n_paths(self) -> int:
        return len(self.ptr) - 1

    @property
    def length(self) -> np.ndarray:
        """One-way length L_q of every path."""
        return self.pos[self.ptr[1:] - 1] if self.n_paths else np.zeros(0)

    def nodes_of(self, q: int) -> np.ndarray:
        return self.node[self.ptr[q] : self.ptr[q + 1]]

    def pos_of(self, q: int) -> np.ndarray:
        return self.pos[self.ptr[q] : self.ptr[q + 1]]

    @classmethod
    def from_lists(cls, node_lists: list, edge_lengths: list, od: np.ndarray) -> Paths:
        """Build from node sequences and the lengths of their edges (running sums left to right)."""
        counts = np.array([len(n) for n in node_lists], dtype=np.int64)
        ptr = np.zeros(len(node_lists) + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        node = np.concatenate([np.asarray(n, np.int64) for n in node_lists]) if node_lists else np.zeros(0, np.int64)
        pos = np.zeros(len(node), dtype=np.float64)
        for q, lengths in enumerate(edge_lengths):
            acc = 0.0
            base = ptr[q]
            for k, d in enumerate(lengths):
                acc = acc + float(d)
                pos[base + k + 1] = acc
        return cls(ptr, node, pos, np.asarray(od, dtype=np.int64))


# -- paths on the road graph ------------------------------------------------------------------------
def _csgraph(n_nodes: int, u: np.ndarray, v: np.ndarray, length: np.ndarray):
    """Symmetric CSR graph; parallel edges keep their minimum length (lengths must be > 0)."""
    from scipy.sparse import csr_array

    a = np.concatenate([u, v])
    b = np.concatenate([v, u])
    w = np.concatenate([length, length])
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return csr_array((w[first], (a[first], b[first])), shape=(n_nodes, n_nodes))


def _edge_length_lookup(n_nodes: int, u: np.ndarray, v: np.ndarray, length: np.ndarray) -> dict:
    best: dict[tuple[int, int], float] = {}
    for a, b, w in zip(u.tolist(), v.tolist(), length.tolist(), strict=True):
        key = (a, b) if a < b else (b, a)
        if key not in best or w < best[key]:
            best[key] = w
    return best


def shortest_paths(n_nodes: int, u, v, length, origins, destinations) -> tuple[Paths, np.ndarray]:
    """One shortest path per OD pair (scipy dijkstra from each distinct origin).

    Returns the paths of the connected pairs (``od`` = position in the input) and a boolean
    array, True for the pairs that are connected. Ties between equally short paths are broken
    by scipy's dijkstra, deterministically for the same input.
    """
    from scipy.sparse.csgraph import dijkstra

    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    length = np.asarray(length, np.float64)
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    graph = _csgraph(n_nodes, u, v, length)
    lookup = _edge_length_lookup(n_nodes, u, v, length)
    sources, inverse = np.unique(origins, return_inverse=True)
    connected = np.zeros(len(origins), dtype=bool)
    node_lists: list[list[int]] = [[] for _ in origins]
    for s_idx, s in enumerate(sources):
        _, pred = dijkstra(graph, directed=False, indices=int(s), return_predecessors=True)
        for q in np.flatnonzero(inverse == s_idx):
            t = int(destinations[q])
            if t != s and pred[t] < 0:
                continue
            seq = [t]
            while seq[-1] != s:
                seq.append(int(pred[seq[-1]]))
            node_lists[q] = seq[::-1]
            connected[q] = True
    keep = np.flatnonzero(connected)
    lists = [node_lists[q] for q in keep]
    lengths = [[lookup[(a, b) if a < b else (b, a)] for a, b in zip(n[:-1], n[1:], strict=True)] for n in lists]
    return Paths.from_lists(lists, lengths, keep), connected


def k_shortest_paths(n_nodes: int, u, v, length, origins, destinations, k: int, detour: float) -> tuple[Paths, np.ndarray]:
    """Up to k shortest simple paths per OD pair no longer than (1 + detour) x the shortest (Yen,
    networkx ``shortest_simple_paths``); the shortest path comes first."""
    import networkx as nx

    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    length = np.asarray(length, np.float64)
    lookup = _edge_length_lookup(n_nodes, u, v, length)
    g = nx.Graph()
    g.add_nodes_from(range(n_nodes))
    g.add_weighted_edges_from(((a, b, w) for (a, b), w in lookup.items()), weight="length")
    lists, lengths, ods = [], [], []
    connected = np.zeros(len(origins), dtype=bool)
    for q, (s, t) in enumerate(zip(np.asarray(origins).tolist(), np.asarray(destinations).tolist(), strict=True)):
        if s == t or not nx.has_path(g, s, t):
            continue
        connected[q] = True
        shortest = None
        for path in nx.shortest_simple_paths(g, s, t, weight="length"):
            edges = [lookup[(a, b) if a < b else (b, a)] for a, b in zip(path[:-1], path[1:], strict=True)]
            total = float(sum(edges))
            if shortest is None:
                shortest = total
            elif total > (1.0 + detour) * shortest:
                break
            lists.append(path)
            lengths.append(edges)
            ods.append(q)
            if sum(1 for o in ods if o == q) >= k:
                break
    return Paths.from_lists(lists, lengths, np.array(ods, np.int64)), connected


# -- arc-cover sets -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArcCover:
    """Rows r of the arc cover: path ``path[r]``, kind (outbound/return/station), arc index
    (1..m; 0 for the station row) and the sites K_{q,a} = ``sites[ptr[r]:ptr[r+1]]``.
    ``impossible[q]``: some arc of q is out of reach of every site on q (y_q = 0 always)."""

    ptr: np.ndarray
    sites: np.ndarray
    path: np.ndarray
    kind: np.ndarray
    arc: np.ndarray
    impossible: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.ptr) - 1

    def row_sets(self) -> list[tuple[int, int, int, frozenset]]:
        return [(int(self.path[r]), int(self.kind[r]), int(self.arc[r]),
                 frozenset(self.sites[self.ptr[r]:self.ptr[r + 1]].tolist())) for r in range(self.n_rows)]


@njit(cache=True)
def _windows(ptr, node, pos, has_site, r, reduce):
    """Per path: candidate windows [a, b] (indices into the path's site-bearing positions).

    Returns (row_path, row_kind, row_arc, row_lo, row_hi, impossible), rows of a path in order
    outbound, return, station; with `reduce`, only minimal windows are kept."""
    n_paths = len(ptr) - 1
    cap = 0
    for q in range(n_paths):
        cap += 2 * (ptr[q + 1] - ptr[q]) + 1
    row_path = np.empty(cap, np.int64)
    row_kind = np.empty(cap, np.int64)
    row_arc = np.empty(cap, np.int64)
    row_lo = np.empty(cap, np.int64)
    row_hi = np.empty(cap, np.int64)
    impossible = np.zeros(n_paths, np.bool_)
    half = 0.5 * r
    n_rows = 0
    for q in range(n_paths):
        s, e = ptr[q], ptr[q + 1]
        m = e - s - 1
        # site-bearing positions of the path, and for each path position the number of them before it
        before = np.zeros(m + 2, np.int64)
        for k in range(m + 1):
            before[k + 1] = before[k] + (1 if has_site[node[s + k]] else 0)
        n_cand = before[m + 1]
        start = n_rows
        if n_cand == 0:
            impossible[q] = True
            continue
        end = pos[e - 1]
        # outbound arcs: window = site positions k in [lo, i-1] with pos_i - pos_k <= R
        lo = 0
        for i in range(1, m + 1):
            if _reachable_nb(pos[s + i], half):
                continue
            while lo < i and not _reachable_nb(pos[s + i] - pos[s + lo], r):
                lo += 1
            a = before[lo]
            b = before[i] - 1
            if a > b:
                impossible[q] = True
                break
            row_path[n_rows] = q
            row_kind[n_rows] = 0
            row_arc[n_rows] = i
            row_lo[n_rows] = a
            row_hi[n_rows] = b
            n_rows += 1
        if impossible[q]:
            n_rows = start
            continue
        # return arcs (v_i -> v_{i-1}), i = m..1: window = site positions k in [i, hi] with pos_k - pos_{i-1} <= R
        hi = m
        for i in range(m, 0, -1):
            if _reachable_nb(end - pos[s + i - 1], half):
                continue
            while hi >= i and not _reachable_nb(pos[s + hi] - pos[s + i - 1], r):
                hi -= 1
            a = before[i]
            b = before[hi + 1] - 1
            if a > b:
                impossible[q] = True
                break
            row_path[n_rows] = q
            row_kind[n_rows] = 1
            row_arc[n_rows] = i
            row_lo[n_rows] = a
            row_hi[n_rows] = b
            n_rows += 1
        if impossible[q]:
            n_rows = start
            continue
        row_path[n_rows] = q
        row_kind[n_rows] = 2
        row_arc[n_rows] = 0
        row_lo[n_rows] = 0
        row_hi[n_rows] = n_cand - 1
        n_rows += 1
        if reduce and n_rows - start > 1:
            # keep minimal windows: sort by (hi asc, lo desc, original order); a window is implied
            # when an earlier one in that order has lo' >= lo (then lo <= lo', hi' <= hi)
            cnt = n_rows - start
            key = np.empty(cnt, np.int64)
            big = n_cand + 1
            for t in range(cnt):
                key[t] = (row_hi[start + t] * big + (big - 1 - row_lo[start + t])) * (cap + 1) + t
            order = np.argsort(key)
            keep = np.zeros(cnt, np.bool_)
            max_lo = -1
            for t in order:
                if row_lo[start + t] > max_lo:
                    keep[t] = True
                    max_lo = row_lo[start + t]
            w = start
            for t in range(cnt):
                if keep[t]:
                    row_path[w] = row_path[start + t]
                    row_kind[w] = row_kind[start + t]
                    row_arc[w] = row_arc[start + t]
                    row_lo[w] = row_lo[start + t]
                    row_hi[w] = row_hi[start + t]
                    w += 1
            n_rows = w
    return (row_path[:n_rows], row_kind[:n_rows], row_arc[:n_rows], row_lo[:n_rows], row_hi[:n_rows], impossible)


@njit(cache=True)
def _expand(ptr, node, has_site, site_ptr, site_idx, row_path, row_lo, row_hi):
    """Sites of each window: walk the path's site-bearing positions a..b, all sites per node."""
    n_rows = len(row_path)
    out_ptr = np.zeros(n_rows + 1, np.int64)
    # count
    for t in range(n_rows):
        q = row_path[t]
        c = 0
        seen = -1
        for k in range(ptr[q], ptr[q + 1]):
            nd = node[k]
            if has_site[nd]:
                seen += 1
                if row_lo[t] <= seen <= row_hi[t]:
                    c += site_ptr[nd + 1] - site_ptr[nd]
        out_ptr[t + 1] = out_ptr[t] + c
    out = np.empty(out_ptr[n_rows], np.int64)
    for t in range(n_rows):
        q = row_path[t]
        w = out_ptr[t]
        seen = -1
        for k in range(ptr[q], ptr[q + 1]):
            nd = node[k]
            if has_site[nd]:
                seen += 1
                if row_lo[t] <= seen <= row_hi[t]:
                    for j in range(site_ptr[nd], site_ptr[nd + 1]):
                        out[w] = site_idx[j]
                        w += 1
    return out_ptr, out


def node_site_csr(n_nodes: int, site_node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sites per road node (CSR, sites in index order)."""
    site_node = np.asarray(site_node, np.int64)
    order = np.argsort(site_node, kind="stable")
    counts = np.bincount(site_node, minlength=n_nodes)
    ptr = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, order.astype(np.int64)


def _check(paths: Paths, n_nodes: int, site_node, r: float) -> None:
    if not (np.isfinite(r) and r > 0):
        raise ValueError(f"range must be finite and > 0, got {r!r}")
    if paths.ptr.dtype != np.int64 or paths.node.dtype != np.int64 or paths.pos.dtype != np.float64:
        raise ValueError("paths must hold int64 ptr/node and float64 pos")
    if len(paths.node) and (paths.node.min() < 0 or paths.node.max() >= n_nodes):
        raise ValueError("path nodes out of range")
    if np.any(np.diff(paths.ptr) < 1):
        raise ValueError("every path needs at least one node")
    sn = np.asarray(site_node)
    if len(sn) and (sn.min() < 0 or sn.max() >= n_nodes):
        raise ValueError("site nodes out of range")


def arc_cover_sets(paths: Paths, n_nodes: int, site_node, r: float, reduce: bool = True) -> ArcCover:
    """The arc-cover rows of every path (numba kernel); see the module docstring."""
    _check(paths, n_nodes, site_node, float(r))
    site_ptr, site_idx = node_site_csr(n_nodes, site_node)
    has_site = np.diff(site_ptr) > 0
    rp, rk, ra, lo, hi, impossible = _windows(paths.ptr, paths.node, paths.pos, has_site, float(r), reduce)
    ptr, sites = _expand(paths.ptr, paths.node, has_site, site_ptr, site_idx, rp, lo, hi)
    return ArcCover(ptr, sites, rp, rk.astype(np.int8), ra, impossible)


def arc_cover_reference(paths: Paths, site_node, r: float) -> tuple[list[tuple[int, int, int, frozenset]], np.ndarray]:
    """Plain-Python definition of every (unreduced) row: [(path, kind, arc, K)], impossible."""
    r = float(r)
    half = half_range(r)
    sites_at: dict[int, list[int]] = {}
    for j, nd in enumerate(np.asarray(site_node).tolist()):
        sites_at.setdefault(nd, []).append(j)
    rows: list[tuple[int, int, int, frozenset]] = []
    impossible = np.zeros(paths.n_paths, dtype=bool)
    for q in range(paths.n_paths):
        nodes = paths.nodes_of(q).tolist()
        c = paths.pos_of(q).tolist()
        m = len(nodes) - 1
        mine: list[tuple[int, int, int, frozenset]] = []
        everywhere = frozenset(j for nd in nodes for j in sites_at.get(nd, []))
        if not everywhere:
            impossible[q] = True
            continue
        for i in range(1, m + 1):
            if reachable(c[i], half):
                continue
            k_set = frozenset(j for k in range(i) if reachable(c[i] - c[k], r) for j in sites_at.get(nodes[k], []))
            mine.append((q, KIND_OUTBOUND, i, k_set))
        for i in range(m, 0, -1):
            if reachable(c[m] - c[i - 1], half):
                continue
            k_set = frozenset(j for k in range(i, m + 1) if reachable(c[k] - c[i - 1], r) for j in sites_at.get(nodes[k], []))
            mine.append((q, KIND_RETURN, i, k_set))
        if any(not row[3] for row in mine):
            impossible[q] = True
            continue
        mine.append((q, KIND_STATION, 0, everywhere))
        rows.extend(mine)
    return rows, impossible


# -- AFIR spacing ---------------------------------------------------------------------------------
AFIR_LIMIT_KM = {"core": 60.0, "comprehensive": 100.0}  # HDV pools, 2030 [sourced, secondary] (DOMAIN.md 1.2)


def road_subgraph(n_nodes: int, u, v, length, keep: np.ndarray):
    """Symmetric CSR graph of the edges flagged in `keep` and the nodes they touch."""
    from scipy.sparse import coo_array

    e = np.flatnonzero(keep)
    rows, cols, w = np.r_[u[e], v[e]], np.r_[v[e], u[e]], np.r_[length[e], length[e]]
    # parallel roads between two nodes: the shortest counts (a sparse build would add them up)
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    g = coo_array((w[first], (rows[first], cols[first])), shape=(n_nodes, n_nodes)).tocsr()
    on = np.zeros(n_nodes, bool)
    on[u[e]] = on[v[e]] = True
    return g, on


def afir_sets(n_nodes: int, u, v, length, road, tent, site_node, site_near: np.ndarray):
    """Covering rows of the AFIR spacing constraint (models/corridor.md, "AFIR spacing").

    For every road r and TEN-T class c with limit S_c, and every node t of that road's edges:
    K_t = {sites j near the road (`site_near`) at a node of r with road distance d(t, node_j) <= S_c / 2
    along r}. Returns (ptr, sites, labels, uncoverable): CSR rows (duplicates per road removed),
    a label "road: node" per row, and the (road, node) pairs with K_t empty."""
    from scipy.sparse.csgraph import dijkstra

    ptr, out, labels, uncoverable = [0], [], [], []
    site_node = np.asarray(site_node, np.int64)
    for cls, limit in AFIR_LIMIT_KM.items():
        for name in sorted(set(np.asarray(road)[np.asarray(tent) == cls].tolist())):
            g, on = road_subgraph(n_nodes, u, v, length, (np.asarray(tent) == cls) & (np.asarray(road) == name))
            pools = np.flatnonzero(site_near & on[site_node])
            nodes = np.flatnonzero(on)
            if len(pools):
                pool_nodes, inv = np.unique(site_node[pools], return_inverse=True)
                d = dijkstra(g, directed=False, indices=pool_nodes, limit=float(np.nextafter(limit / 2, np.inf)))
            seen = set()
            for t in nodes:
                k_set = tuple(pools[reachable(d[inv, t], 0.5 * limit)].tolist()) if len(pools) else ()
                if not k_set:
                    uncoverable.append((name, int(t)))
                    continue
                if k_set in seen:
                    continue
                seen.add(k_set)
                out.extend(k_set)
                ptr.append(len(out))
                labels.append((name, int(t)))
    return np.array(ptr, np.int64), np.array(out, np.int64), labels, uncoverable
