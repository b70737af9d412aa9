"""The array-level `park` instance (no geopandas, no pyomo); symbols as in models/park.md.

Companies k, squares s, connection-tier options o (each belongs to one square: a tier row
without a square is copied to every square), charger types c, slots t, grid areas g, and the
company-square pairs q = (k, s) that exist (d_ks <= D, or the rows of an `assign_costs` table).
Profiles are already applied: `window[k, t]`, `own_kw[k, t]`, `tier_avail[o, t]`,
`headroom_kw[g, t]` and `price[t]` are plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from siting.park.params import ParkParams, annuity_factor
from siting.resources import GridAreas

VEHICLE_KINDS = ("van", "truck", "any")


@dataclass(frozen=True)
class ParkInstance:
    name: str
    params: ParkParams
    # companies k
    company_ids: np.ndarray
    vans: np.ndarray
    trucks: np.ndarray
    energy_kwh: np.ndarray  # E_k per day
    max_kw: np.ndarray  # Pmax_k: all vehicles of k together
    window: np.ndarray  # bool [K, T]: slot t lies inside k's dwell window
    own_kw: np.ndarray  # [K, T]: own-connection headroom (0: no own option)
    own_cost: np.ndarray  # one-off upgrade cost of the own connection
    own_annual: np.ndarray
    company_grid: np.ndarray  # g(k), -1 outside every area
    # squares s
    square_ids: np.ndarray
    land_m2: np.ndarray  # L_s (inf: no limit)
    square_m2: np.ndarray  # a0_s: fixed area of an open square (transformer, lanes)
    square_cost: np.ndarray  # one-off
    square_annual: np.ndarray
    square_grid: np.ndarray  # g(s), -1 outside every area
    # tier options o (one square each)
    tier_ids: np.ndarray
    tier_square: np.ndarray
    tier_kw: np.ndarray
    tier_cost: np.ndarray  # one-off connection fee
    tier_annual: np.ndarray  # periodic fee per year
    tier_contract: np.ndarray  # "firm" or the profile name of a time-bound contract
    tier_avail: np.ndarray  # [O, T] share of tier_kw available in slot t
    # charger types c
    charger_ids: np.ndarray
    charger_kw: np.ndarray
    charger_cost: np.ndarray
    charger_annual: np.ndarray
    charger_m2: np.ndarray
    charger_vehicle: np.ndarray  # "van", "truck" or "any"
    # pairs q = (k, s), sorted by company then square
    pair_company: np.ndarray
    pair_square: np.ndarray
    pair_cost: np.ndarray  # c_ks: annual cost when k uses s for all its charging
    pair_distance: np.ndarray
    # grid and prices
    grid: GridAreas | None
    headroom_kw: np.ndarray  # [G, T] (may be <= 0: a queue)
    price: np.ndarray  # [T] EUR/kWh
    company_xy: np.ndarray | None = None
    square_xy: np.ndarray | None = None
    crs: str | None = None
    notes: tuple[str, ...] = ()  # companies that cannot get all their energy, found while loading
    # [K, 2] dwell start and end in hours as read (NaN, NaN: the whole day), for the checker to
    # derive W_k itself; None when `window` was given directly
    dwell_hours: np.ndarray | None = None

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def n_companies(self) -> int:
        return len(self.company_ids)

    @property
    def n_squares(self) -> int:
        return len(self.square_ids)

    @property
    def n_tiers(self) -> int:
        return len(self.tier_ids)

    @property
    def n_chargers(self) -> int:
        return len(self.charger_ids)

    @property
    def n_slots(self) -> int:
        return self.window.shape[1]

    @property
    def n_pairs(self) -> int:
        return len(self.pair_company)

    @property
    def vehicles(self) -> np.ndarray:
        return self.vans + self.trucks

    @property
    def has_own(self) -> np.ndarray:
        """Companies that may charge on their own connection."""
        return (self.own_kw * self.window).max(axis=1, initial=0.0) > 0

    @property
    def hours(self) -> float:
        return self.params.hours()

    def max_energy(self) -> np.ndarray:
        """Most energy k can take in its window at full power: Pmax_k h |W_k|."""
        return self.max_kw * self.hours * self.window.sum(axis=1)

    def annuity(self) -> dict[str, float]:
        p = self.params
        return {kind: annuity_factor(p.discount_rate, years) for kind, years in
                (("square", p.life_square), ("connection", p.life_connection), ("chargers", p.life_chargers))}

    def max_chargers(self) -> np.ndarray:
        """nmax_sc: chargers of type c that fit on square s alone (or params.max_chargers)."""
        free = self.land_m2 - self.square_m2
        cap = np.full((self.n_squares, self.n_chargers), float(self.params.max_chargers))
        with np.errstate(divide="ignore", invalid="ignore"):
            by_land = np.floor(np.maximum(free, 0.0)[:, None] / self.charger_m2[None, :])
        limited = np.isfinite(by_land) & (self.charger_m2[None, :] > 0)
        cap[limited] = np.minimum(cap[limited], by_land[limited])
        return cap

    def with_params(self, **changes) -> ParkInstance:
        return replace(self, params=self.params.model_copy(update=changes))

    def with_headroom(self, headroom_kw: np.ndarray) -> ParkInstance:
        return replace(self, headroom_kw=np.asarray(headroom_kw, float))


def dwell_window(start: np.ndarray, end: np.ndarray, slots: int, hours: float) -> np.ndarray:
    """bool [K, T]: slot t = [t h, (t+1) h) lies wholly inside [start, end) (wrapping past
    midnight when start > end). NaN start and end: the whole day."""
    t0 = np.arange(slots) * hours
    t1 = t0 + hours
    s = np.asarray(start, float)[:, None]
    e = np.asarray(end, float)[:, None]
    eps = 1e-9
    straight = (t0[None, :] >= s - eps) & (t1[None, :] <= e + eps)
    wrapped = (t0[None, :] >= s - eps) | (t1[None, :] <= e + eps)
    win = np.where(s <= e, straight, wrapped)
    whole = np.isnan(s) & np.isnan(e)
    return np.where(whole, True, win)
