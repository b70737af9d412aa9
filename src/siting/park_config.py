"""Parameters of the `park` model (`[park]` in instance.toml); see models/park.md."""

from __future__ import annotations

from siting.config_base import StrictModel

PARK_LAYERS = ("companies", "squares", "tiers", "charger_types", "profiles")


class ParkParams(StrictModel):
    """Filled in by the park model."""
