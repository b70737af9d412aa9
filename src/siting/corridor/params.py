"""Parameters of the `corridor` model (`[corridor]` in instance.toml); see models/corridor.md.

Symbols as in models/corridor.md. Distances are in the unit of the road lengths (`length_km`:
km; abstract units for the frlm25 network), energy in kWh, power in kW, money in EUR.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from siting.config import InstanceConfig, StrictModel

# roads: table u, v, length_km, road, tent (or a .graphml file); road_nodes: points with id;
# od_flows: origin, destination, trucks_per_day; od_points: points the OD ends refer to (snapped
# to the nearest road node); search_areas: polygons (or a table) id, name, min_sites, max_sites.
LAYERS = ("candidates", "existing", "grid_areas", "roads", "road_nodes", "od_flows", "od_points", "search_areas",
          "region", "municipalities")


class CorridorParams(StrictModel):
    """Parameters of the `corridor` model; symbols as in models/corridor.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # nan/inf are typos here

    objective: Literal["flow", "truck_km", "cost"] = Field(
        default="flow", description="flow: max refuelled trucks/day; truck_km: max refuelled truck-km/day; "
        "cost: min cost to refuel required_share of the flow")
    range: float | None = Field(default=None, description="R: distance on one full charge, in road-length units; "
                                "default usable_share * battery_kwh / kwh_per_km")
    p: int | None = Field(default=None, ge=0, description="p: at most p new stations")
    budget: float | None = Field(default=None, ge=0, description="B: total investment limit (EUR)")
    required_share: float | None = Field(default=None, ge=0, le=1, description="s: objective cost: refuel at least "
                                         "this share of all OD flow")
    required_truck_km: float | None = Field(default=None, ge=0, description="objective cost: refuel at least this "
                                            "many truck-km per day (one way; the least-cost stage after truck_km)")
    lifetime_years: float = Field(default=15.0, gt=0, description="years over which the investment is annualised "
                                  "(annual cost in siting compare) [estimate]")
    interest_rate: float = Field(default=0.05, ge=0, description="interest rate of the annuity [estimate]")
    capacitated: bool = Field(default=False, description="charger capacity limits the energy a station delivers")
    binary_flow: bool = Field(default=False, description="y_q in {0,1} instead of [0,1]")
    battery_kwh: float = Field(default=600.0, gt=0, description="battery capacity, kWh")
    usable_share: float = Field(default=0.6, gt=0, le=1, description="usable share of the battery (20 -> 80 %)")
    kwh_per_km: float = Field(default=1.2, gt=0, description="epsilon: consumption per road-length unit")
    public_share: float = Field(default=1.0, ge=0, le=1, description="sigma: share of a round trip's energy "
                                "charged at corridor stations (capacitated)")
    kw_per_charger: float = Field(default=1000.0, ge=0, description="P: kW per charger (grid rows)")
    simultaneity: float = Field(default=1.0, ge=0, le=1, description="s_P: share of charger power at the grid peak")
    kwh_per_charger_day: float = Field(default=8000.0, gt=0, description="kappa: energy one charger delivers per day")
    m2_per_charger: float = Field(default=0.0, ge=0, description="a_c: land per charger (bay), m2")
    site_m2: float = Field(default=0.0, ge=0, description="a_0: fixed land of an open station, m2")
    min_chargers: int = Field(default=1, ge=0, description="nmin: chargers at a new station")
    max_chargers: int = Field(default=12, ge=0, description="nmax: default chargers per station (capacitated)")
    max_snap: float = Field(default=3000.0, gt=0, description="largest snap distance of a site or OD end to a road "
                            "node, in CRS units (metres)")
    inside_only: bool = Field(default=False, description="new stations only inside a search area")
    detour: float = Field(default=0.0, ge=0, description="delta: alternative paths up to (1 + delta) x shortest")
    k_paths: int = Field(default=1, ge=1, description="k: paths per OD considered (k-shortest simple paths)")
    afir_spacing: bool = Field(default=False, description="require a pool within half the AFIR spacing (60 km core, "
                               "100 km comprehensive) of every node of a TEN-T road (else only reported)")
    afir_pool_power: bool = Field(default=False, description="with afir_spacing: a pool counts only with the AFIR "
                                  "2030 power, >= 3 600 kW incl. 2 points >= 350 kW (core), >= 1 500 kW incl. 1 "
                                  "(comprehensive) [sourced, secondary]")
    afir_outside_region: bool = Field(default=False, description="assess AFIR spacing and pool power also on road "
                                      "stretches outside the region (region layer, else the municipalities)")
    strict: bool = Field(default=False, description="an OD pair without a path is an error, not a warning")

    @field_validator("range")
    @classmethod
    def _range_positive(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("range must be > 0 (road-length units)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CorridorParams:
        if self.objective == "cost" and self.required_share is None and self.required_truck_km is None:
            raise ValueError("objective 'cost' needs required_share (e.g. 0.5) or required_truck_km")
        if self.afir_pool_power and not self.afir_spacing:
            raise ValueError("afir_pool_power is a condition on the AFIR spacing pools: set afir_spacing = true")
        if self.capacitated and self.k_paths > 1:
            raise ValueError("the capacitated variant uses one path per OD: set k_paths = 1")
        return self

    def vehicle_range(self) -> float:
        """R: the given range, else usable_share * battery_kwh / kwh_per_km."""
        return self.range if self.range is not None else self.usable_share * self.battery_kwh / self.kwh_per_km


class CorridorConfig(InstanceConfig):
    """instance.toml of a `corridor` instance."""

    LAYERS: ClassVar[tuple[str, ...]] = LAYERS
    corridor: CorridorParams = CorridorParams()
