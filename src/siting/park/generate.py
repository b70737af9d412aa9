"""Synthetic `park` instances from a seed (`siting generate park`), for benchmarks and scale tests.

A municipality of 10 x 8 km with a few business parks (centres and lognormal radii); companies
are drawn around the parks by park size with `siting.park.synthetic.random_companies` (the
generator of the Rijssen-Holten companies), each with an own connection as fallback; candidate
squares (parcels) sit inside the parks, at least one per park. Connection tiers and charger
types are those of instances/rijssen-holten-park (Enexis / Liander fees, see its README.md);
grid areas are the nearest of G substations with a congestion profile: full headroom off-peak,
a random share of it (zero for a third of them, as in `fast`) in the 16:00-21:00 peak.

CSV layers with fixed float formatting: the same seed gives the same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from siting.generate import CRS, ORIGIN, write_csv
from siting.park.synthetic import random_companies

MUNICIPALITY = (10_000.0, 8_000.0)  # m: the parks lie in a municipality of this size
PEAK = (16.0, 21.0)  # netbewust peak window 16:00-21:00 [sourced: Stedin call, as rijssen-holten-park]

# Enexis connection tiers (id, kW, one-off EUR, periodic EUR/month) and the time-bound discount,
# as scripts/build_rijssen_holten_park.py (sources and tags in instances/rijssen-holten-park/README.md).
TIERS = [
    ("3x80A", 55.4, 1_500.0, 20.0), ("3x160A", 110.9, 2_602.0, 30.0), ("3x250A", 173.2, 3_438.0, 45.96),
    ("630kVA", 630.0, 11_033.0, 45.96), ("1750kVA", 1750.0, 24_620.0, 89.0),
    ("6000kVA", 6000.0, 168_363.0, 665.0), ("10000kVA", 10000.0, 252_920.0, 665.0),
]
TIMEBOUND_DISCOUNT = 0.5
CHARGERS = pd.DataFrame({
    "id": ["AC11", "DC50", "DC100"], "power_kw": [11.0, 50.0, 100.0], "cost": [2_500.0, 30_000.0, 60_000.0],
    "annual_cost": [150.0, 1_500.0, 3_000.0], "m2": [15.0, 30.0, 100.0], "vehicle": ["van", "any", "truck"],
})


@dataclass(frozen=True)
class ParkSize:
    companies: int = 40
    squares: int = 5
    parks: int = 3
    grid_areas: int = 1
    slots: int = 96


def tiers() -> pd.DataFrame:
    """Firm tiers, and a time-bound contract (no transport in the peak) for the large ones."""
    rows = []
    for name, kw, one_off, month in TIERS:
        rows.append({"id": name, "capacity_kw": kw, "one_off_cost": one_off, "annual_cost": 12 * month,
                     "contract": "firm"})
        if kw > 100:
            rows.append({"id": f"{name}-timebound", "capacity_kw": kw, "one_off_cost": one_off,
                         "annual_cost": 12 * month * TIMEBOUND_DISCOUNT, "contract": "timebound"})
    return pd.DataFrame(rows)


def profiles(slots: int, peak_share: np.ndarray, grid_ids: list[str]) -> pd.DataFrame:
    """Per slot: `timebound` availability, `tou` price factor, each grid area's congestion factor."""
    mid = (np.arange(slots) + 0.5) * 24.0 / slots
    peak = (mid >= PEAK[0]) & (mid < PEAK[1])
    out = {"slot": np.arange(slots), "timebound": np.where(peak, 0.0, 1.0), "tou": np.where(peak, 1.3, 1.0)}
    for gid, share in zip(grid_ids, peak_share, strict=True):
        out[f"congestion-{gid}"] = np.where(peak, share, 1.0)
    return pd.DataFrame(out)


def _around(rng, centre: np.ndarray, spread: float, n: int) -> np.ndarray:
    return centre + rng.normal(size=(n, 2)) * spread


def companies(rng, size: ParkSize, centre: np.ndarray, radius: np.ndarray) -> pd.DataFrame:
    """Companies around the parks (more on larger parks), own connection as the fallback option."""
    area = radius**2
    park_of = np.sort(rng.choice(len(centre), size=size.companies, p=area / area.sum()))
    xy = np.vstack([_around(rng, centre[k], radius[k] / 2, 1) for k in park_of]) if size.companies else np.zeros((0, 2))
    comp = random_companies(rng, size.companies, xy)
    # own connection: spare capacity for charging at home [estimate], and its cost: home chargers
    # (AC 11 kW per 1.5 vans, DC 50 kW per truck) + an upgrade to 3x160 A, as rijssen-holten-park
    comp["own_kw"] = rng.choice([20.0, 40.0, 60.0, 80.0], size.companies)
    points = np.ceil(comp["vans"] / 1.5)
    comp["own_cost"] = 2_602.0 + 2_500.0 * points + 30_000.0 * comp["trucks"]
    comp["own_annual_cost"] = 150.0 * points + 1_500.0 * comp["trucks"]
    return comp


def squares(rng, size: ParkSize, centre: np.ndarray, radius: np.ndarray) -> pd.DataFrame:
    """Squares inside the parks: one per park first (largest first), then by park size."""
    order = np.argsort(-radius, kind="stable")
    park_of = [int(order[j % len(order)]) for j in range(size.squares)]
    xy = np.round(np.vstack([_around(rng, centre[k], radius[k] / 3, 1) for k in park_of]), 1)
    return pd.DataFrame({
        "id": [f"sq{j + 1:03d}" for j in range(size.squares)],
        "park": [f"park {k + 1}" for k in park_of],
        "x": xy[:, 0], "y": xy[:, 1],
        "land_m2": np.round(rng.uniform(1_500, 4_000, size.squares), -1),
        "fixed_m2": 150.0,  # MV substation + lanes [estimate]
        "fixed_cost": np.round(rng.uniform(100_000, 200_000, size.squares), -3),
        "annual_cost": 5_000.0,
    })


def generate_park(size: ParkSize, seed: int, out: Path, name: str | None = None) -> dict:
    rng = np.random.default_rng(seed)
    width, height = MUNICIPALITY
    centre = rng.uniform([1_000, 1_000], [width - 1_000, height - 1_000], (size.parks, 2))
    radius = np.clip(rng.lognormal(np.log(500.0), 0.4, size.parks), 250.0, 1_200.0)
    comp = companies(rng, size, centre, radius)
    sq = squares(rng, size, centre, radius)
    grid_ids = [f"g{k + 1}" for k in range(size.grid_areas)]
    subs = rng.uniform([0, 0], [width, height], (size.grid_areas, 2))
    available = np.round(rng.lognormal(np.log(1_500.0), 0.5, size.grid_areas), -1)
    peak_share = np.round(rng.uniform(0.0, 0.3, size.grid_areas), 3)
    peak_share[rng.random(size.grid_areas) < 1 / 3] = 0.0

    ox, oy = ORIGIN[0] + 70_000.0, ORIGIN[1] + 55_000.0  # in the middle of the `fast` region
    for frame in (comp, sq):
        frame["x"] += ox
        frame["y"] += oy
    grid = pd.DataFrame({"id": grid_ids, "x": subs[:, 0] + ox, "y": subs[:, 1] + oy, "available_kw": available,
                         "profile": [f"congestion-{g}" for g in grid_ids]})
    out.mkdir(parents=True, exist_ok=True)
    tables = {"companies": comp, "squares": sq, "tiers": tiers(), "charger_types": CHARGERS,
              "profiles": profiles(size.slots, peak_share, grid_ids), "grid_areas": grid}
    for layer, frame in tables.items():
        write_csv(out / f"{layer}.csv", frame)
    spatial = {"companies", "squares", "grid_areas"}
    config = {
        "name": name or out.name,
        "description": f"synthetic park instance, seed {seed}: {size.companies} companies on {size.parks} parks, "
                       f"{size.squares} candidate squares, {size.grid_areas} grid areas, {size.slots} slots "
                       "(siting generate park)",
        "model": "park",
        "crs": CRS,
        "layers": {k: {"file": f"{k}.csv", **({"x": "x", "y": "y"} if k in spatial else {})} for k in tables},
        "park": {  # as rijssen-holten-park (see its README.md for the tags)
            "slots": size.slots, "walking_distance": 750.0, "single_source": True, "unmet_penalty": 0.6,
            "energy_price": 0.25, "price_profile": "tou", "days_per_year": 250.0, "discount_rate": 0.05,
            "life_square": 20.0, "life_connection": 25.0, "life_chargers": 10.0, "vehicles_per_point": 1.5,
            "reserve_contracts": True, "small_connection_kw": 55.4},
    }
    (out / "instance.toml").write_text(tomli_w.dumps(config))
    return {"companies": size.companies, "squares": size.squares, "parks": size.parks,
            "grid_areas": size.grid_areas, "slots": size.slots}
