"""The array-level `park` instance (no geopandas, no pyomo); symbols as in models/park.md.

Companies k, squares s, connection-tier options o (each belongs to one square: a tier row
without a square is copied to every square), charger types c, slots t, grid areas g, and the
company-square pairs q = (k, s) that exist (d_ks <= D, or the rows of an `assign_costs` table).
Profiles are already applied: `window[k, t]`, `own_kw[k, t]`, `tier_avail[o, t]`,
`headroom_kw[g, t]` and `price[t]` are plain arrays. `fixed_open[s]` marks the squares a scenario
fixes open (x_s = 1); `company_names` and `square_names` are what a planner calls them ("" where
the layers give no name), for the reports only.
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
    # bool [S]: squares fixed open (x_s = 1, a scenario's [squares] open); None: all False
    fixed_open: np.ndarray | None = None
    company_names: np.ndarray | None = None  # [K] names as the layer gives them ("" or None: none)
    square_names: np.ndarray | None = None  # [S] the square's name, else its business park

    def __post_init__(self) -> None:
        fixed = np.zeros(len(self.square_ids), bool) if self.fixed_open is None else self.fixed_open
        object.__setattr__(self, "fixed_open", np.asarray(fixed, bool))
        for name, ids in (("company_names", self.company_ids), ("square_names", self.square_ids)):
            given = getattr(self, name)
            names = np.full(len(ids), "", dtype=object) if given is None else np.array(
                [v.strip() if isinstance(v, str) else "" for v in given], dtype=object)
            object.__setattr__(self, name, names)

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

    def company_label(self, k: int) -> str:
        """"Name (id)" where company k has a name, else its id."""
        return name_and_id(self.company_names[k], self.company_ids[k])

    def square_label(self, s: int) -> str:
        """"Name (id)" where square s has a name (or a business park), else its id."""
        return name_and_id(self.square_names[s], self.square_ids[s])

    def with_params(self, **changes) -> ParkInstance:
        return replace(self, params=self.params.model_copy(update=changes))

    def with_headroom(self, headroom_kw: np.ndarray) -> ParkInstance:
        return replace(self, headroom_kw=np.asarray(headroom_kw, float))


def name_and_id(name: str, id_) -> str:
    """"Name (id)" in a planner's words, or the bare id where there is no name."""
    return f"{name} ({id_})" if name and name != str(id_) else str(id_)


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
