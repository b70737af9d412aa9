"""Cheap infeasibility screen of the corridor model: range vs the longest gap on a path.

A round trip can be charged only if every stretch between possible stations (allowed candidates
and existing stations on its path) is within range; at the turn-around ends the truck drives the
last stretch out and back. When a required share of the flow cannot be refuelled, the heaviest
flows that no set of stations can serve are named with their longest gap.
"""

from __future__ import annotations

import numpy as np

from siting.corridor.instance import CorridorInstance
from siting.precompute.paths import ArcCover, Paths


def longest_gap(inst: CorridorInstance, paths: Paths, q: int) -> tuple[float, str, str]:
    """(length, from, to) of the longest stretch of path q a truck must drive on one charge."""
    nodes, pos = paths.nodes_of(q), paths.pos_of(q)
    ok = np.isin(nodes, inst.site_node[inst.allowed | inst.is_existing])
    at = np.flatnonzero(ok)
    net = inst.network
    if not len(at):
        return 2 * float(pos[-1]), net.label(nodes[0]), net.label(nodes[-1])
    gaps = [(2 * float(pos[at[0]]), nodes[0], nodes[at[0]]), (2 * float(pos[-1] - pos[at[-1]]), nodes[at[-1]], nodes[-1])]
    gaps += [(float(pos[b] - pos[a]), nodes[a], nodes[b]) for a, b in zip(at[:-1], at[1:], strict=True)]
    length, a, b = max(gaps, key=lambda g: g[0])
    return length, net.label(a), net.label(b)


def screen_range_gaps(inst: CorridorInstance, paths: Paths, cover: ArcCover, limit: int = 3) -> list[str]:
    """The heaviest OD flows that no station set can refuel, each with its longest gap vs the range."""
    impossible = np.flatnonzero(cover.impossible)
    if not len(impossible):
        return []
    flows = inst.flow[paths.od[impossible]]
    found = []
    for q in impossible[np.argsort(-flows, kind="stable")][:limit]:
        gap, a, b = longest_gap(inst, paths, int(q))
        o = int(paths.od[q])
        found.append(f"OD flow {inst.od_ids[o]} ({inst.flow[o]:,.1f} trucks/day) cannot be refuelled: the longest "
                     f"stretch without a possible station, {a} - {b}, is {gap:,.1f} (out and back at a turn-around) "
                     f"but the range is {inst.vehicle_range:g}")
    if len(impossible) > limit:
        found.append(f"… and {len(impossible) - limit} more paths out of range")
    return found
