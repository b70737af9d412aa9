"""Seeded synthetic park instances: small ones for tests, and the generator of the companies of
real parks (scripts/build_rijssen_holten_park.py). Same seed, same tables.

Tables are plain DataFrames with the park layers' columns (x/y in metres); `write_park_folder`
writes them as CSV next to an instance.toml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

# Energy per vehicle and day (DOMAIN.md 2c "park" defaults):
VAN_KM, VAN_KWH_PER_KM = 70.0, (0.22, 0.25)  # [sourced] CBS km/day; e-van test 22-25 kWh/100 km
RIGID_KM, TRACTOR_KM, TRUCK_KWH_PER_KM = 138.0, 294.0, 1.1  # [sourced] CBS 2021; NL prognosis ~1.1
VAN_KW, TRUCK_KW = 11.0, 100.0  # [sourced] AC point 11 kW; depot <= 100 kW per truck


def random_companies(rng: np.random.Generator, n: int, xy: np.ndarray, prefix: str = "c",
                     per_vehicle: bool = False) -> pd.DataFrame:
    """n companies at the given points: 1-20 vans, half of them 0-10 trucks [estimate], energy
    from km/day x kWh/km per vehicle, overnight dwell windows, max power per vehicle. With
    `per_vehicle` the kWh/day of one van and one truck of each company are kept (van_kwh, truck_kwh)."""
    vans = rng.integers(1, 21, n)
    trucks = np.where(rng.random(n) < 0.5, rng.integers(0, 11, n), 0)
    tractor_share = rng.uniform(0.0, 0.5, n)
    van_kwh = VAN_KM * rng.uniform(*VAN_KWH_PER_KM, n)
    truck_kwh = TRUCK_KWH_PER_KM * (RIGID_KM * (1 - tractor_share) + TRACTOR_KM * tractor_share)
    energy = vans * van_kwh + trucks * truck_kwh
    start = rng.choice([16.0, 17.0, 18.0, 19.0], n)
    end = rng.choice([6.0, 7.0, 8.0], n)
    out = pd.DataFrame({
        "id": [f"{prefix}{k + 1:03d}" for k in range(n)],
        "x": np.round(xy[:, 0], 1), "y": np.round(xy[:, 1], 1),
        "vans": vans, "trucks": trucks,
        "kwh_per_day": np.round(energy, 1),
        "max_kw": vans * VAN_KW + trucks * TRUCK_KW,
        "dwell_start": start, "dwell_end": end,
    })
    if per_vehicle:
        out["van_kwh"], out["truck_kwh"] = van_kwh, truck_kwh
    return out


def small_park(seed: int, *, slots: int = 8, grid_kw: float = 600.0) -> tuple[dict[str, pd.DataFrame], dict]:
    """A small seeded park (tests): 6-10 companies, 3-4 squares, 3 tiers (one time-bound), 3
    charger types, one grid area, T slots of 24/T h."""
    rng = np.random.default_rng(seed)
    n_comp, n_sq = int(rng.integers(6, 11)), int(rng.integers(3, 5))
    comp = random_companies(rng, n_comp, rng.uniform(0, 1000, (n_comp, 2)))
    comp["vans"] = rng.integers(1, 6, n_comp)
    comp["trucks"] = np.where(rng.random(n_comp) < 0.4, rng.integers(1, 3, n_comp), 0)
    comp["kwh_per_day"] = np.round(comp["vans"] * 17.0 + comp["trucks"] * 160.0, 1)
    comp["max_kw"] = comp["vans"] * VAN_KW + comp["trucks"] * TRUCK_KW
    own = rng.random(n_comp) < 0.5
    comp["own_kw"] = np.where(own, rng.choice([40.0, 80.0, 120.0], n_comp), 0.0)
    comp["own_cost"] = np.where(own, rng.integers(20, 80, n_comp) * 1000.0, 0.0)
    hours = 24.0 / slots
    comp["dwell_start"] = np.round(rng.choice([16.0, 18.0], n_comp) / hours) * hours
    comp["dwell_end"] = np.round(rng.choice([6.0, 9.0], n_comp) / hours) * hours
    squares = pd.DataFrame({
        "id": [f"s{j + 1}" for j in range(n_sq)],
        "x": rng.uniform(200, 800, n_sq).round(1), "y": rng.uniform(200, 800, n_sq).round(1),
        "land_m2": rng.integers(4, 16, n_sq) * 100.0,
        "fixed_m2": 60.0,
        "fixed_cost": rng.integers(40, 120, n_sq) * 1000.0,
    })
    tiers = pd.DataFrame({
        "id": ["3x250A", "630kVA", "630kVA-timebound"],
        "capacity_kw": [170.0, 600.0, 600.0],
        "one_off_cost": [3438.0, 11033.0, 11033.0],
        "annual_cost": [1200.0, 6000.0, 3000.0],
        "contract": ["firm", "firm", "timebound"],
    })
    chargers = pd.DataFrame({
        "id": ["AC11", "DC50", "DC100"],
        "power_kw": [11.0, 50.0, 100.0],
        "cost": [2500.0, 30000.0, 55000.0],
        "m2": [15.0, 25.0, 40.0],
        "vehicle": ["van", "any", "truck"],
    })
    t = (np.arange(slots) + 0.5) * hours
    peak = (t >= 16) & (t < 21)
    profiles = pd.DataFrame({"slot": np.arange(slots), "timebound": np.where(peak, 0.0, 1.0),
                             "netbewust": np.where(peak, 0.5, 1.0), "tou": np.where(peak, 1.6, 1.0)})
    grid = pd.DataFrame({"id": ["G1"], "x": [500.0], "y": [500.0], "available_kw": [grid_kw], "profile": ["netbewust"]})
    tables = {"companies": comp, "squares": squares, "tiers": tiers, "charger_types": chargers,
              "profiles": profiles, "grid_areas": grid}
    config = {"name": f"small-park-{seed}", "model": "park", "crs": "EPSG:28992",
              "park": {"slots": slots, "walking_distance": 600.0, "unmet_penalty": 2.0, "energy_price": 0.25,
                       "price_profile": "tou", "vehicles_per_point": 2.0}}
    return tables, config


SPATIAL = ("companies", "squares", "grid_areas")


def write_park_folder(folder: Path, tables: dict[str, pd.DataFrame], config: dict) -> Path:
    """CSV layers (x/y columns for the spatial ones) and instance.toml; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layers = {}
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
        layers[name] = {"file": f"{name}.csv", **({"x": "x", "y": "y"} if name in SPATIAL and "x" in df else {})}
    (folder / "instance.toml").write_text(tomli_w.dumps({**config, "layers": layers}))
    return folder
