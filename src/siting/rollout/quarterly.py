"""The rollout plan for the grid operators (NAL article 9, "uitrolplanning"): every connection the
plan needs, in the quarter it must be requested, and per grid area and quarter the kW and the
connections requested over the next `horizon_quarters` (two years) from `start`.

Timing rule (models/rollout.md): what period t adds (a new site's connection, or more kW at a
site) is needed by the last quarter of Y_t. Within a period the additions are spread evenly
over the quarters from the end of the previous period (or `start`) to Q4 of Y_t, busiest site
first [estimate: even phasing; the plan fixes what is built by Y_t, not the order]. It is
requested `lead_quarters` before it is needed; one needed before `start + lead_quarters` is
requested in the first quarter and marked late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.rollout.instance import RolloutInstance
from siting.rollout.solution import RolloutSolution


def quarter_index(text: str) -> int:
    year, q = text.split("-Q")
    return int(year) * 4 + int(q) - 1


def quarter_text(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def connection_requests(inst: RolloutInstance, sol: RolloutSolution, served: np.ndarray,
                        municipality: np.ndarray | None = None) -> pd.DataFrame:
    """One row per (site, period) that adds kW: when it is needed and when to request it.

    `served`: float[T, J], demand served at each site per period (orders the sites)."""
    p = inst.first.params
    start, lead = quarter_index(inst.params.start), inst.params.lead_quarters
    kw_per = p.kw_per_charger * p.simultaneity
    grid = inst.first.grid
    n0 = inst.first.existing_chargers
    rows = []
    previous_end = start - 1
    for t, year in enumerate(inst.years):
        before = n0 if t == 0 else sol.periods[t - 1].chargers
        added = sol.periods[t].chargers - before
        sites = np.flatnonzero(added > 0)
        sites = sites[np.argsort(-served[t, sites], kind="stable")]
        last = year * 4 + 3
        first = max(previous_end + 1, start)
        span = max(last - first + 1, 1)
        for k, j in enumerate(sites):
            needed = min(first + (k * span) // max(len(sites), 1), last) if last >= first else last
            request = needed - lead
            was_open = (sol.periods[t - 1].open[j] if t else inst.first.is_existing[j])
            rows.append({
                "site": str(inst.first.site_ids[j]),
                "municipality": "" if municipality is None else (municipality[j] or ""),
                "grid_area": str(grid.ids[inst.first.grid_of_site[j]]) if grid is not None
                and inst.first.grid_of_site[j] >= 0 else "",
                "period": int(year),
                "kind": "more power at a site" if was_open else "new connection",
                "chargers_added": int(added[j]),
                "kw": float(added[j] * kw_per),
                "needed_by": quarter_text(needed),
                "request_in": quarter_text(max(request, start)),
                "late": bool(request < start),
                "_request": max(request, start),
            })
        previous_end = max(previous_end, last)
    return pd.DataFrame(rows, columns=["site", "municipality", "grid_area", "period", "kind", "chargers_added", "kw",
                                       "needed_by", "request_in", "late", "_request"])


def quarterly_plan(inst: RolloutInstance, requests: pd.DataFrame) -> pd.DataFrame:
    """Per quarter of the horizon and grid area: connections and kW to request (zeros included,
    so an operator sees every quarter of every area the plan touches)."""
    start = quarter_index(inst.params.start)
    quarters = np.arange(start, start + inst.params.horizon_quarters)
    areas = sorted(set(requests["grid_area"])) if len(requests) else []
    inside = requests[requests["_request"].isin(quarters)]
    rows = []
    for q in quarters:
        for area in areas:
            these = inside[(inside["_request"] == q) & (inside["grid_area"] == area)]
            rows.append({"quarter": quarter_text(q), "grid_area": area,
                         "new_connections": int((these["kind"] == "new connection").sum()),
                         "extensions": int((these["kind"] != "new connection").sum()),
                         "kw_requested": float(these["kw"].sum()),
                         "late_requests": int(these["late"].sum()),
                         "sites": "; ".join(f"{s} ({m})" if m else s for s, m in zip(these["site"],
                                                                                    these["municipality"]))})
    plan = pd.DataFrame(rows, columns=["quarter", "grid_area", "new_connections", "extensions", "kw_requested",
                                       "late_requests", "sites"])
    if len(plan):
        plan["kw_requested_cumulative"] = plan.groupby("grid_area")["kw_requested"].cumsum()
    return plan
