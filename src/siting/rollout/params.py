"""Parameters of a rollout instance (`[rollout]` and `[[rollout.periods]]` in instance.toml);
symbols as in models/rollout.md. `rollout.base` names the single-year model every period is an
instance of (`fast` or `corridor`); its own section (`[fast]` or `[corridor]`) holds what every
period shares: the objective, the radius or range, the charger and grid parameters."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from siting.config import ABSURD, InstanceConfig, StrictModel
from siting.corridor.params import LAYERS as CORRIDOR_LAYERS
from siting.corridor.params import CorridorParams
from siting.fast.params import LAYERS as FAST_LAYERS
from siting.fast.params import FastParams

QUARTER = r"^\d{4}-Q[1-4]$"


class PeriodParams(StrictModel):
    """One period t: its year Y_t and what changes in it. Counts and budgets are cumulative
    (open by Y_t, spent by Y_t), so one period is exactly the single-year model."""

    year: int = Field(ge=1900, le=2200, description="Y_t: the plan stands in this year")
    demand: str = Field(default="weight", min_length=1, description="demand column holding w_it (base fast)")
    flows: str = Field(default="trucks_per_day", min_length=1,
                       description="od_flows column holding f_qt, trucks per day (base corridor)")
    headroom: str = Field(default="available_kw", min_length=1, description="grid_areas column holding H_gt")
    p: int | None = Field(default=None, ge=0, description="p_t: new sites open by Y_t (default the base's p)")
    budget: float | None = Field(default=None, ge=0, description="B_t: spent by Y_t, EUR (default the base's budget)")
    weight: float | None = Field(default=None, ge=0, description="omega_t: weight of the period in the objective")

    @field_validator("budget")
    @classmethod
    def _not_absurd(cls, value: float | None) -> float | None:
        if value is not None and value > ABSURD:
            raise ValueError(f"value {value:g} is absurdly large (limit {ABSURD:g})")
        return value


class RolloutParams(StrictModel):
    base: Literal["fast", "corridor"] = Field(default="fast", description="the single-year model of every period")
    discount_rate: float = Field(default=0.0, ge=0, le=1, description="r: costs in year Y weigh (1+r)^-(Y-Y_1)")
    start: str = Field(default="2027-Q1", pattern=QUARTER, description="first quarter of the grid-operator plan")
    horizon_quarters: int = Field(default=8, ge=1, le=40, description="quarters in the grid-operator plan (2 years)")
    lead_quarters: int = Field(default=4, ge=0, le=40,
                               description="a connection is requested this many quarters before it is needed")
    periods: list[PeriodParams] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> RolloutParams:
        years = [q.year for q in self.periods]
        if any(b <= a for a, b in zip(years, years[1:])):
            raise ValueError(f"periods must have ascending, distinct years, got {years}")
        for key in ("p", "budget"):
            given = [(q.year, getattr(q, key)) for q in self.periods if getattr(q, key) is not None]
            for (y0, a), (y1, b) in zip(given, given[1:]):
                if b < a:
                    raise ValueError(f"{key} is cumulative (open or spent by the year): {y1} has {b:g}, "
                                     f"less than {a:g} in {y0}")
        return self


BASE_LAYERS = {"fast": FAST_LAYERS, "corridor": CORRIDOR_LAYERS}
PERIOD_COLUMN = {"fast": "demand", "corridor": "flows"}  # the per-period key of each base


class RolloutConfig(InstanceConfig):
    """instance.toml of a rollout instance: the base instance's keys (its layers and its `[fast]`
    or `[corridor]` section), plus `[rollout]`."""

    LAYERS: ClassVar[tuple[str, ...]] = tuple(dict.fromkeys(FAST_LAYERS + CORRIDOR_LAYERS))
    model: Literal["rollout"] = "rollout"  # type: ignore[assignment]
    rollout: RolloutParams
    fast: FastParams = FastParams()
    corridor: CorridorParams = CorridorParams()

    @model_validator(mode="after")
    def _one_base(self) -> RolloutConfig:
        base = self.rollout.base
        other = "corridor" if base == "fast" else "fast"
        if other in self.model_fields_set:
            raise ValueError(f"rollout.base is {base!r}: the [{other}] section belongs to the other base model")
        foreign = [name for name in self.layers if name not in BASE_LAYERS[base]]
        if foreign:
            raise ValueError(f"rollout.base is {base!r}: layers {foreign} are not {base} layers "
                             f"(known: {', '.join(BASE_LAYERS[base])})")
        wrong = PERIOD_COLUMN[other]
        for q in self.rollout.periods:
            if wrong in q.model_fields_set:
                raise ValueError(f"period {q.year} sets {wrong!r}, a key of base {other!r}; base {base!r} takes "
                                 f"{PERIOD_COLUMN[base]!r}")
        return self

    @property
    def base_params(self) -> FastParams | CorridorParams:
        return self.fast if self.rollout.base == "fast" else self.corridor
