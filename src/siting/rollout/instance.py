"""A rollout instance: one single-year instance of the base model per period t (same sites,
network and parameters; the demand w_it or OD flows f_qt, headroom H_gt, p_t and B_t of its
year) and the weights that join them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from siting.corridor.instance import CorridorInstance
from siting.fast.instance import FastInstance
from siting.rollout.params import RolloutParams

BaseInstance = FastInstance | CorridorInstance


@dataclass(frozen=True)
class RolloutInstance:
    name: str
    params: RolloutParams
    periods: tuple[BaseInstance, ...]  # period t's single-year instance, ascending years

    @property
    def base(self) -> str:
        return self.params.base

    @property
    def years(self) -> np.ndarray:
        return np.array([q.year for q in self.params.periods])

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    @property
    def first(self) -> BaseInstance:
        return self.periods[0]

    @property
    def crs(self) -> str | None:
        return self.first.crs

    def discount(self) -> np.ndarray:
        """delta_t = (1 + r)^-(Y_t - Y_1): what a euro spent in Y_t weighs now."""
        return (1.0 + self.params.discount_rate) ** -(self.years - self.years[0]).astype(float)

    def period_weights(self) -> np.ndarray:
        """omega_t: as given, else 1 (each period's served demand or refuelled flow counts once)."""
        return np.array([1.0 if q.weight is None else q.weight for q in self.params.periods], dtype=float)


def rollout_of(base: BaseInstance, years: list[int], demand: list[np.ndarray] | None = None,
               headroom: list[np.ndarray] | None = None, p: list[int | None] | None = None,
               budget: list[float | None] | None = None, flows: list[np.ndarray] | None = None,
               **rollout) -> RolloutInstance:
    """A rollout instance from one fast or corridor instance and per-period data (tests,
    notebooks): period t takes `demand[t]` as w_i (fast) or `flows[t]` as f_q (corridor),
    `headroom[t]` as H_g, `p[t]` and `budget[t]` (None: the base's)."""
    from siting.rollout.params import PeriodParams

    kind = "corridor" if isinstance(base, CorridorInstance) else "fast"
    given = flows if kind == "corridor" else demand
    field = "flow" if kind == "corridor" else "weight"
    periods, params = [], []
    for t, year in enumerate(years):
        q = base
        if given is not None:
            q = replace(q, **{field: np.asarray(given[t], float)})
        if headroom is not None:
            q = replace(q, grid=replace(q.grid, available_kw=np.asarray(headroom[t], float)))
        pt = base.params.p if p is None or p[t] is None else p[t]
        bt = base.params.budget if budget is None or budget[t] is None else budget[t]
        periods.append(replace(q, name=f"{base.name} {year}", params=q.params.model_copy(update={"p": pt, "budget": bt})))
        params.append(PeriodParams(year=year, p=pt, budget=bt))
    return RolloutInstance(base.name, RolloutParams(base=kind, periods=params, **rollout), tuple(periods))
