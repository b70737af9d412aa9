"""The reference options every park comparison carries: every company on its own connection, and
the base instance. The value of collective squares is the difference to the first.

"Every company on its own connection" is the same instance with no collective square
(`park.max_squares = 0`, the `square_count` row of models/park.md): each company charges on its
own connection where it has one, and a company without an own option (or whose own connection
is too small in its dwell window) shows as energy not delivered. That needs a price for energy not
delivered: the instance's `park.unmet_penalty`, or REFERENCE_PENALTY where the instance has none
(all energy must then be delivered, which no plan without squares may manage) — high enough that
the reference delivers all it can before it saves a euro, and named in compare.md.
"""

from __future__ import annotations

from siting.park.instance import ParkInstance

OWN_ONLY = "every company on its own connection"
BASE = "base"
REFERENCE_PENALTY = 1000.0  # EUR per kWh not delivered, only where the instance sets no penalty


def own_connections_only(inst: ParkInstance) -> ParkInstance:
    """The instance without collective squares (max_squares = 0), with a price for energy not
    delivered (the instance's, else REFERENCE_PENALTY)."""
    penalty = inst.params.unmet_penalty
    return inst.with_params(max_squares=0, unmet_penalty=REFERENCE_PENALTY if penalty is None else penalty)
