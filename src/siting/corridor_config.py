"""Parameters of the `corridor` model (`[corridor]` in instance.toml); see models/corridor.md."""

from __future__ import annotations

from siting.config_base import StrictModel

CORRIDOR_LAYERS = ("roads", "od_flows", "search_areas")


class CorridorParams(StrictModel):
    """Filled in by the corridor model."""
