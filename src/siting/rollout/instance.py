"""A rollout instance: one fast instance per period t (same sites, pairs and parameters; the
demand w_it, headroom H_gt, p_t and B_t of its year) and the weights that join them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.fast.instance import FastInstance
from siting.rollout.params import RolloutParams


@dataclass(frozen=True)
class RolloutInstance:
    name: str
    params: RolloutParams
    periods: tuple[FastInstance, ...]  # period t's single-year instance, ascending years

    @property
    def years(self) -> np.ndarray:
        return np.array([q.year for q in self.params.periods])

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    @property
    def first(self) -> FastInstance:
        return self.periods[0]

    @property
    def crs(self) -> str | None:
        return self.first.crs

    def discount(self) -> np.ndarray:
        """delta_t = (1 + r)^-(Y_t - Y_1): what a euro spent in Y_t weighs now."""
        return (1.0 + self.params.discount_rate) ** -(self.years - self.years[0]).astype(float)

    def period_weights(self) -> np.ndarray:
        """omega_t: as given, else 1 (each period's served demand counts once)."""
        return np.array([1.0 if q.weight is None else q.weight for q in self.params.periods], dtype=float)


def rollout_of(base: FastInstance, years: list[int], demand: list[np.ndarray] | None = None,
               headroom: list[np.ndarray] | None = None, p: list[int | None] | None = None,
               budget: list[float | None] | None = None, **rollout) -> RolloutInstance:
    """A rollout instance from one fast instance and per-period data (tests, notebooks): period t
    takes `demand[t]` as w_i, `headroom[t]` as H_g, `p[t]` and `budget[t]` (None: the base's)."""
    from dataclasses import replace

    from siting.rollout.params import PeriodParams

    periods, params = [], []
    for t, year in enumerate(years):
        q = base
        if demand is not None:
            q = replace(q, weight=np.asarray(demand[t], float))
        if headroom is not None:
            q = replace(q, grid=replace(q.grid, available_kw=np.asarray(headroom[t], float)))
        pt = base.params.p if p is None or p[t] is None else p[t]
        bt = base.params.budget if budget is None or budget[t] is None else budget[t]
        periods.append(replace(q, name=f"{base.name} {year}", params=q.params.model_copy(update={"p": pt, "budget": bt})))
        params.append(PeriodParams(year=year, p=pt, budget=bt))
    return RolloutInstance(base.name, RolloutParams(periods=params, **rollout), tuple(periods))
