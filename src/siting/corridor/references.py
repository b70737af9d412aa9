"""The reference options every corridor comparison carries: what the existing stations do alone,
and the base instance. The value of new hubs is the difference to the first.

"Existing stations only" is the same instance with no new hub, no added charger and no grid item
(investment 0), for every objective:

- `flow` / `truck_km`: p = 0 and every candidate closed; the objective is kept, so the service is
  the most the existing stations (with their chargers, capacitated) can give;
- `cost` (least cost for a required share): the required share may be out of reach without new
  hubs, so the reference maximises the flow instead (objective `flow`) - its cost is 0 by
  definition and the share it reaches is what the comparison shows;
- budget, search-area minima and AFIR spacing are dropped (they would ask for new hubs; the
  AFIR gaps are still reported).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from siting.corridor.instance import CorridorInstance

EXISTING_ONLY = "existing stations only"
BASE = "base"


def existing_only(inst: CorridorInstance) -> CorridorInstance:
    objective = "truck_km" if inst.params.objective == "truck_km" else "flow"
    ref = inst.with_params(objective=objective, p=0, budget=None, required_share=None, required_truck_km=None,
                           afir_spacing=False)
    ref = replace(ref, max_chargers=np.where(inst.is_existing, inst.existing_chargers, inst.max_chargers),
                  area_min=np.zeros_like(inst.area_min), _forced=None)
    if inst.grid is not None:
        ref = replace(ref, grid=replace(inst.grid, upgrade_kw=np.zeros(inst.grid.size),
                                        upgrade_cost=np.zeros(inst.grid.size)))
    return ref.with_sites_fixed(~inst.is_existing)
