"""Which cells are white spots, and in which category (models/whitespots.md, "Categories").

A cell must hold a public point when it has >= min_households households; it is white when no public
point (nor a realised plan-map location) lies inside it. A plan-map location within reach_m (<= 250 m)
of a cell's centre lies inside the cell, so it fills it. For every white spot:

- (a) a designated location within reach can be realised by the usual procedure: its land fits, its
  grid area has headroom for it today, and (in a concession municipality) no public point lies within
  concession_m of it (the concession's 250 m rule);
- (b) not (a), but one extra action fills it: grid headroom (a designated location waits for the planned
  upgrade of its grid area), land (a designated location lacks the space), or a new location (a
  requested location to designate, or none within reach while the cell's grid area has headroom);
- (c) not to be filled, with the reason: every location within reach is refused by the 250 m rule, or
  the grid area has no headroom and no upgrade.
Everything here is arrays and the shared pairs kernel: no solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.precompute import Pairs, euclidean_pairs
from siting.whitespots.cells import CELL_M
from siting.whitespots.instance import WhitespotsInstance

FILLS = ("designated", "requested")  # plan-map locations that can still become a public point


def pairs_within(a: np.ndarray, b: np.ndarray, radius: float) -> Pairs:
    if not len(a) or not len(b):
        return Pairs.from_coo([], [], [], len(a), len(b))
    return euclidean_pairs(a, b, radius)


def cell_keys(xy: np.ndarray) -> np.ndarray:
    """One integer per 500 m cell (from a point, or a cell's south-west corner)."""
    ix = np.floor(xy[:, 0] / CELL_M).astype(np.int64)
    iy = np.floor(xy[:, 1] / CELL_M).astype(np.int64)
    return ix * 10_000_000 + iy


@dataclass(frozen=True)
class LocationState:
    """Per plan-map location: what stands between it and a public point."""

    fills: np.ndarray  # designated or requested
    grid_now: np.ndarray  # its grid area has headroom for one location today (or no grid data)
    grid_later: np.ndarray  # ... after the area's upgrade
    land_ok: np.ndarray
    rule_ok: np.ndarray  # the concession's 250 m rule admits it (always in an OMM municipality)
    nearest_point: np.ndarray  # id of a public point within concession_m, "" if none

    @property
    def usable(self) -> np.ndarray:
        """Can be realised, at most after a grid upgrade: the LSCP's candidates."""
        return self.fills & self.grid_later & self.land_ok & self.rule_ok


def location_state(inst: WhitespotsInstance) -> LocationState:
    p = inst.params
    kw = p.kw_per_location
    g = inst.plan_grid
    if inst.grid is not None:
        now_kw, extra_kw = inst.grid.headroom()
        room = np.where(g >= 0, now_kw[np.maximum(g, 0)], np.inf)
        room_later = np.where(g >= 0, (now_kw + extra_kw)[np.maximum(g, 0)], np.inf)
    else:
        room = room_later = np.full(len(g), np.inf)
    near = pairs_within(inst.plan_xy, inst.point_xy, p.concession_m)
    has_near = np.diff(near.indptr) > 0
    nearest = np.full(len(g), "", dtype=object)
    first = near.indptr[:-1][has_near]
    nearest[has_near] = inst.point_ids[near.indices[first]] if len(first) else []
    concession = inst.procedure[inst.plan_municipality] == "concession"
    return LocationState(
        fills=np.isin(inst.plan_status, FILLS),
        grid_now=room >= kw, grid_later=room_later >= kw,
        land_ok=inst.plan_land_m2 >= p.land_per_location,
        rule_ok=~(concession & has_near), nearest_point=nearest)


@dataclass(frozen=True)
class Classification:
    must: np.ndarray  # bool per cell: >= min_households
    nodata: np.ndarray  # households unknown (CBS no-data code)
    covered: np.ndarray  # must and a public point inside
    white: np.ndarray
    category: np.ndarray  # "", "a", "b", "c" per cell
    action: np.ndarray  # (b): the extra action(s); (a): "none"
    reason: np.ndarray  # in words, for every white cell
    pairs: Pairs  # cells x plan-map locations within reach_m of the centre
    state: LocationState


def _any(pairs: Pairs, flag: np.ndarray) -> np.ndarray:
    """Per cell: some location within reach has `flag`."""
    out = np.zeros(pairs.n_demand, bool)
    np.logical_or.at(out, pairs.row_ids(), flag[pairs.indices])
    return out


def _first(pairs: Pairs, flag: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Per cell: the id of its nearest location with `flag` ("" if none)."""
    rows, cols, dist = pairs.row_ids(), pairs.indices, pairs.distance
    k = np.flatnonzero(flag[cols])
    k = k[np.lexsort((cols[k], dist[k], rows[k]))]
    out = np.full(pairs.n_demand, "", dtype=object)
    first = np.ones(len(k), bool)
    first[1:] = rows[k][1:] != rows[k][:-1]
    out[rows[k][first]] = ids[cols[k][first]]
    return out


def classify(inst: WhitespotsInstance) -> Classification:
    p = inst.params
    nodata = np.isnan(inst.households)
    must = ~nodata & (inst.households >= p.min_households)
    realised = inst.plan_status == "realised"
    occupied = np.isin(cell_keys(inst.cell_corner), np.r_[cell_keys(inst.point_xy), cell_keys(inst.plan_xy[realised])])
    covered = must & occupied
    white = must & ~occupied
    state = location_state(inst)
    pairs = pairs_within(inst.cell_centre, inst.plan_xy, p.reach_m)
    designated = inst.plan_status == "designated"
    st = state
    ids = inst.plan_ids
    cand = _any(pairs, st.fills)
    a_loc = designated & st.grid_now & st.land_ok & st.rule_ok
    grid_loc = designated & ~st.grid_now & st.grid_later & st.land_ok & st.rule_ok
    land_loc = st.fills & st.grid_later & ~st.land_ok & st.rule_ok
    req_loc = (inst.plan_status == "requested") & st.grid_later & st.land_ok & st.rule_ok
    refused = cand & ~_any(pairs, st.fills & st.rule_ok)
    no_grid = cand & ~_any(pairs, st.fills & st.grid_later)
    index = {j: k for k, j in enumerate(ids)}
    is_a, by_grid, by_land, by_req = (_any(pairs, f) for f in (a_loc, grid_loc, land_loc, req_loc))
    cell_now, cell_later, area = _cell_grid(inst)
    by_new = ~cand & cell_later

    n = inst.n_cells
    category = np.full(n, "", dtype=object)
    action = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    reach = f"{p.reach_m:g} m"
    a = white & is_a
    a_id = _first(pairs, a_loc, ids)
    category[a], action[a] = "a", "none"
    reason[a] = [f"designated location {j} within {reach}: the usual procedure can realise it" for j in a_id[a]]
    b = white & ~is_a & (by_grid | by_land | by_req | by_new)
    category[b] = "b"
    grid_id, land_id, req_id = (_first(pairs, f, ids) for f in (grid_loc, land_loc, req_loc))
    for i in np.flatnonzero(b):
        options, words = [], []
        if by_grid[i]:
            options.append("grid headroom")
            words.append(f"grid headroom: designated location {grid_id[i]} waits for the upgrade of grid area "
                         f"{_area(inst, inst.plan_grid[index[grid_id[i]]])}")
        if by_land[i]:
            options.append("land")
            words.append(f"land: location {land_id[i]} lacks space for {p.points_per_location} point(s)"
                         + (" (and is only requested)" if inst.plan_status[index[land_id[i]]] == "requested" else ""))
        if by_req[i]:
            options.append("a new location")
            words.append(f"a new location: designate requested location {req_id[i]}")
        if by_new[i] and not (by_grid[i] or by_land[i] or by_req[i]):
            options.append("a new location")
            text = f"a new location: no plan-map location within {reach}; the municipality designates one in the cell"
            if not cell_now[i]:
                options.append("grid headroom")
                text += f", after the upgrade of grid area {area[i]}"
            words.append(text)
        action[i] = " + ".join(dict.fromkeys(options)) if by_new[i] and not (by_grid[i] or by_land[i] or by_req[i]) \
            else " or ".join(dict.fromkeys(options))
        reason[i] = "; or ".join(words)
    c = white & ~a & ~b
    category[c] = "c"
    near_id = _first(pairs, st.fills & ~st.rule_ok, ids)
    for i in np.flatnonzero(c):
        if refused[i]:
            j = index[near_id[i]]
            reason[i] = (f"not to be filled: the concession refuses every plan-map location within {reach} "
                         f"(public point {st.nearest_point[j]} lies within {p.concession_m:g} m of location "
                         f"{near_id[i]}), so the cell's households have a public point nearby")
        elif no_grid[i]:
            reason[i] = (f"not to be filled: the plan-map location(s) within {reach} lie in a grid area without "
                         "headroom and without a planned upgrade")
        elif cand[i]:
            reason[i] = (f"not to be filled: each plan-map location within {reach} is refused by the concession's "
                         f"{p.concession_m:g} m rule or lies in a grid area without headroom or planned upgrade")
        else:
            reason[i] = (f"not to be filled: no plan-map location within {reach}, and grid area {area[i]} has no "
                         "headroom and no planned upgrade")
    return Classification(must, nodata, covered, white, category, action, reason, pairs, state)


def _area(inst: WhitespotsInstance, g: int) -> str:
    if inst.grid is None or g < 0:
        return "(none)"
    year = inst.grid_upgrade_year[g] if inst.grid_upgrade_year is not None else ""
    return f"{inst.grid.ids[g]}" + (f" (planned {year})" if year else "")


def _cell_grid(inst: WhitespotsInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: its grid area (nearest substation) has headroom for a location today / after the upgrade."""
    n = inst.n_cells
    if inst.grid is None:
        return np.ones(n, bool), np.ones(n, bool), np.full(n, "(none)", dtype=object)
    now_kw, extra_kw = inst.grid.headroom()
    g = inst.cell_grid
    kw = inst.params.kw_per_location
    ok = g >= 0
    now = ~ok | (now_kw[np.maximum(g, 0)] >= kw)
    later = ~ok | ((now_kw + extra_kw)[np.maximum(g, 0)] >= kw)
    area = np.array([_area(inst, int(k)) for k in g], dtype=object)
    return now, later, area
