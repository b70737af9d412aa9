"""Parameters of the white-spot analysis (`[whitespots]` in instance.toml) and its instance schema."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from siting.config import InstanceConfig, StrictModel

LAYERS = ("cells", "public_points", "plan_locations", "municipalities", "grid_areas", "region")
STATUSES = ("designated", "requested", "realised")  # of a plan-map location
PROCEDURES = ("concession", "omm")  # how a municipality grants public points: the Oost concession or open market


class WhitespotsParams(StrictModel):
    """Symbols as in models/whitespots.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min_households: float = Field(default=125.0, ge=0, description="a cell with at least this many households "
                                  "should hold a public point (NAL dashboard)")
    reach_m: float = Field(default=250.0, gt=0, le=250.0, description="a plan-map location within this distance "
                           "of a cell's centre lies inside the cell (at most half the cell side) and fills it")
    concession_m: float = Field(default=250.0, ge=0, description="the concession grants a point only where no "
                                "public point lies within this distance (Oost concession)")
    kw_per_point: float = Field(default=11.0, ge=0, description="kW of one regular public charge point")
    points_per_location: int = Field(default=2, ge=1, le=100, description="charge points a new location gets")
    simultaneity: float = Field(default=1.0, ge=0, le=1)
    m2_per_point: float = Field(default=0.0, ge=0, description="land a charge point needs (parking bay)")
    site_m2: float = Field(default=0.0, ge=0, description="fixed land of a location")
    cost_per_location: float = Field(default=1.0, ge=0, description="cost of one location in the LSCP objective "
                                     "(1: the fewest locations; EUR when grid upgrades carry EUR costs)")

    @property
    def kw_per_location(self) -> float:
        return self.kw_per_point * self.points_per_location * self.simultaneity

    @property
    def land_per_location(self) -> float:
        return self.m2_per_point * self.points_per_location + self.site_m2


class WhitespotsConfig(InstanceConfig):
    """instance.toml of a white-spot analysis."""

    LAYERS: ClassVar[tuple[str, ...]] = LAYERS
    model: Literal["whitespots"] = "whitespots"  # type: ignore[assignment]
    whitespots: WhitespotsParams = WhitespotsParams()
