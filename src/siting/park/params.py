"""Parameters of the `park` model (`[park]` in instance.toml); see models/park.md.

Symbols as in models/park.md. Money is in EUR, energy in kWh, power in kW, distances in the
instance's units (metres when spatial).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from siting.config import InstanceConfig, StrictModel

# `assign_costs` (company_id, square_id, annual_cost [, distance]) replaces walking distances;
# `parks` (polygons) is only drawn on the map.
LAYERS = ("companies", "squares", "tiers", "charger_types", "profiles", "assign_costs", "parks", "grid_areas", "region",
          "municipalities")


def annuity_factor(rate: float, years: float) -> float:
    """a(r, L) = r / (1 - (1 + r)^-L): the yearly payment that repays 1 EUR in L years at rate r
    (1 / L when r = 0)."""
    if years <= 0:
        raise ValueError("a lifetime must be > 0 years")
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


class ParkParams(StrictModel):
    """Parameters of the `park` model; symbols as in models/park.md."""

    slots: int = Field(default=96, ge=1, le=1440, description="T: slots of one representative day (at most "
                       "1440, one a minute)")
    slot_hours: float | None = Field(default=None, gt=0, description="h: hours per slot (default 24 / T)")
    walking_distance: float = Field(default=500.0, gt=0, description="D: a company may use squares with d_ks <= D")
    single_source: bool = Field(default=True, description="each company charges at one place (else split)")
    unmet_penalty: float | None = Field(default=None, ge=0, description="pi: EUR per kWh not delivered; "
                                        "None = all energy must be delivered")
    energy_price: float = Field(default=0.0, ge=0, description="EUR/kWh, flat (times price_profile)")
    price_profile: str | None = Field(default=None, description="profile column: time-of-use price factor per slot")
    days_per_year: float = Field(default=250.0, gt=0, description="working days: daily energy -> yearly")
    discount_rate: float = Field(default=0.05, ge=0, le=1, description="r in the annuity factor")
    life_square: float = Field(default=20.0, gt=0, description="years: square civil works")
    life_connection: float = Field(default=25.0, gt=0, description="years: grid connection (tier, own upgrade)")
    life_chargers: float = Field(default=10.0, gt=0, description="years: chargers")
    vehicles_per_point: float = Field(default=1.0, gt=0, description="rho: vehicles sharing one charge point")
    walk_cost_per_m: float = Field(default=0.0, ge=0, description="EUR per year per metre per vehicle "
                                   "(assignment cost when no assign_costs layer)")
    max_chargers: int = Field(default=200, ge=0, description="per type and square when land does not bound it")
    max_squares: int | None = Field(default=None, ge=0, description="at most this many squares "
                                    "(0: every company on its own connection)")
    contracts: list[str] | None = Field(default=None, description="allowed tier contracts, e.g. ['firm'] "
                                        "(None: every tier of the tiers layer)")
    reserve_contracts: bool = Field(default=False, description="the contracted capacity of every square's tier "
                                    "(x availability) must fit the grid headroom per slot, as a DSO grants it")
    small_connection_kw: float = Field(default=0.0, ge=0, description="tiers up to this kW are small-consumption "
                                       "connections, granted without headroom (3x80 A = 55.4 kW)")
    headroom_profile: str | None = Field(default=None, description="profile column applied to every grid area "
                                         "without its own `profile` field")

    def hours(self) -> float:
        """h: hours per slot."""
        return self.slot_hours if self.slot_hours is not None else 24.0 / self.slots

    def day_hours(self) -> float:
        return self.hours() * self.slots


class ParkConfig(InstanceConfig):
    """instance.toml of a `park` instance."""

    LAYERS: ClassVar[tuple[str, ...]] = LAYERS
    park: ParkParams = ParkParams()
