"""Parameters of the `fast` model (`[fast]` in instance.toml) and its instance schema; see models/fast.md."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from siting.config import ABSURD, InstanceConfig, StrictModel

LAYERS = ("demand", "candidates", "existing", "grid_areas", "coverage", "distances", "graph", "region", "municipalities")


class FastParams(StrictModel):
    """Parameters of the `fast` model; symbols as in models/fast.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # nan/inf are typos here

    objective: Literal["lscp", "mclp", "pmedian", "capacitated"] = "mclp"
    radius: float | None = Field(default=None, description="R: d_ij <= R covers")
    p: int | None = Field(default=None, ge=0, description="number of new sites")
    budget: float | None = Field(default=None, ge=0)
    decay_beta: float = Field(default=0.0, ge=0)
    kw_per_charger: float = Field(default=150.0, ge=0)
    simultaneity: float = Field(default=1.0, ge=0, le=1)
    sessions_per_charger: float = Field(default=7.0, gt=0)
    m2_per_charger: float = Field(default=0.0, ge=0)
    site_m2: float = Field(default=0.0, ge=0)
    min_chargers: int = Field(default=1, ge=0)
    serve_all: bool = False
    # pmedian: "radius" = chained covering levels (García, Labbé & Marín 2011), "classic" = z_ij per pair
    pmedian_formulation: Literal["radius", "classic"] = "radius"
    aggregate_demand: bool = True  # merge demand points with identical pair rows (exact)
    drop_dominated: bool = True  # leave out candidates another site dominates (exact; mclp, lscp)

    @field_validator("radius", "budget", "decay_beta", "kw_per_charger", "sessions_per_charger", "m2_per_charger",
                     "site_m2", "p", "min_chargers")
    @classmethod
    def _not_absurd(cls, value: float | None) -> float | None:
        if value is not None and abs(value) > ABSURD:
            raise ValueError(f"value {value:g} is absurdly large (limit {ABSURD:g})")
        return value

    @field_validator("radius")
    @classmethod
    def _radius_positive(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("radius must be > 0 (distance units of the instance)")
        return value


class FastConfig(InstanceConfig):
    """instance.toml of a `fast` instance."""

    LAYERS: ClassVar[tuple[str, ...]] = LAYERS
    fast: FastParams = FastParams()
