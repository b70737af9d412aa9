"""Build instances/rijssen-holten-park/ (model `park`) from the staged NAL-Oost data.

Real inputs (../shared/data/nl-oost):
- business_parks/ibis2017_rijssen_holten_polygons.geojson: the 20 IBIS business parks of
  Rijssen-Holten (polygons, gross hectares) -> layer `parks` and the places of squares/companies;
- grid_capacity/dso_stations_capaciteit_oost.geojson: the Enexis substations around them with
  their available offtake capacity (PDOK/VIVET, peildatum 2023) -> layer `grid_areas`;
- gemeenten/gemeenten_2023_oost.geojson: Rijssen-Holten and the municipalities that border it
  (CBS 2023) -> layer `municipalities`, drawn on the map only (outlines and place names).

Synthetic (seeded; every assumption is listed in the instance README.md with its tag):
companies (count proportional to gross park area, fleets, energy, dwell windows, own-connection
headroom), candidate squares (points inside the parks), charger prices, the off-peak headroom.

    python scripts/build_rijssen_holten_park.py [--data ../shared/data/nl-oost] [--seed 2026]

Same data and seed, same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tomli_w

from siting.park.synthetic import TRUCK_KW, VAN_KW, random_companies

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "instances" / "rijssen-holten-park"
CRS = "EPSG:28992"

MUNICIPALITY = "GM1742"  # Rijssen-Holten (CBS gemeentecode)
CBS_BOUNDARIES = "CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0)"
HA_PER_COMPANY = 5.0  # [estimate] gross hectares per company with a vehicle fleet
SQUARE_SPACING = 400.0  # m between candidate squares inside a park [estimate]
SQUARE_LAND_M2 = 2500.0  # parcel area offered for a square [estimate]
SQUARE_FIXED_M2 = 150.0  # MV substation + lanes on the parcel [estimate]
SQUARE_COST = 150_000.0  # civil works + MV substation (<= 100 000, Stedin 2022 [sourced]) [estimate]
SQUARE_ANNUAL = 5_000.0  # operation, lease of the parcel [estimate]
OFFPEAK_SHARE = 0.05  # off-peak headroom = 5 % of the station's offtake capacity [estimate]
PEAK = (16.0, 21.0)  # netbewust peak window 16:00-21:00 [sourced: Stedin call]
SLOTS = 96
# Share of each company's fleet that is electric in the planning year (2030): e-vans 267 000 of
# ~852 000 vans = 31 %, e-trucks 16 000 of ~140 000 = 11 % [derived: NAL 2030 / NKL fleet, DOMAIN 2b]
EV_SHARE_VANS, EV_SHARE_TRUCKS = 0.31, 0.11

# Enexis connection categories (DOMAIN.md 2d). One-off fee: Enexis eenmalige tarieven 2016 [sourced; old].
# Periodic fee: Liander 2017 per month [sourced; old] (3x80 A and 3x160 A: [estimate]). kW = kVA (power
# factor 1) [estimate]; 3-phase 400 V: kVA = sqrt(3) x 0.4 kV x A.
TIERS = [
    # id, kVA, one-off EUR, periodic EUR/month
    ("3x80A", np.sqrt(3) * 0.4 * 80, 1_500.0, 20.0),  # small consumption: fee [estimate]
    ("3x160A", np.sqrt(3) * 0.4 * 160, 2_602.0, 30.0),
    ("3x250A", np.sqrt(3) * 0.4 * 250, 3_438.0, 45.96),
    ("630kVA", 630.0, 11_033.0, 45.96),
    ("1750kVA", 1750.0, 24_620.0, 89.0),
    ("6000kVA", 6000.0, 168_363.0, 665.0),
    ("10000kVA", 10000.0, 252_920.0, 665.0),
]
TIMEBOUND_DISCOUNT = 0.5  # periodic fee of a time-bound contract vs firm [estimate]

CHARGERS = pd.DataFrame({  # [estimate] prices; powers [sourced]: AC 11 kW point, depot <= 100 kW per truck
    "id": ["AC11", "DC50", "DC100"],
    "power_kw": [11.0, 50.0, 100.0],
    "cost": [2_500.0, 30_000.0, 60_000.0],
    "annual_cost": [150.0, 1_500.0, 3_000.0],
    "m2": [15.0, 30.0, 100.0],  # van bay; DC bay; truck bay 4 m x 25 m [estimate]
    "vehicle": ["van", "any", "truck"],
})


def read_parks(data: Path) -> gpd.GeoDataFrame:
    parks = gpd.read_file(data / "business_parks" / "ibis2017_rijssen_holten_polygons.geojson").to_crs(CRS)
    parks = parks.sort_values("rin", key=lambda s: s.astype(str)).reset_index(drop=True)
    return gpd.GeoDataFrame({
        "id": parks["rin"].astype(str), "name": parks["naam"], "kern": parks["kern"],
        "ha_bruto": parks["ha_bruto_attr"].astype(float),
    }, geometry=parks.geometry.make_valid(), crs=CRS)


def municipalities(data: Path) -> gpd.GeoDataFrame:
    """Rijssen-Holten and its neighbours (those whose polygon touches it): the park map shows the
    municipal boundary and where the neighbouring towns are."""
    gem = gpd.read_file(data / "gemeenten" / "gemeenten_2023_oost.geojson").to_crs(CRS)
    home = gem.loc[gem["gemeentecode"] == MUNICIPALITY, "geometry"].iloc[0]
    near = gem[gem.geometry.intersects(home.buffer(50.0))]
    return gpd.GeoDataFrame({
        "id": near["gemeentecode"].astype(str), "name": near["gemeentenaam"].astype(str),
        "province": near["provincie"].astype(str), "inwoners_2023": near["aantalInwoners"].round().astype("int64"),
    }, geometry=shapely.set_precision(near.geometry.values, 0.1), crs=CRS).sort_values("id").reset_index(drop=True)


def points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    """n seeded random points inside a polygon (rejection sampling in its bounding box)."""
    x0, y0, x1, y1 = poly.bounds
    out = []
    while len(out) < n:
        xy = rng.uniform((x0, y0), (x1, y1), (4 * n + 8, 2))
        inside = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        out.extend(xy[inside].tolist())
    return np.array(out[:n])


def candidate_squares(parks: gpd.GeoDataFrame) -> pd.DataFrame:
    """A regular grid of points inside each park (at least its representative point)."""
    rows = []
    for _, park in parks.iterrows():
        poly = park.geometry
        x0, y0, x1, y1 = poly.bounds
        gx = np.arange(x0 + SQUARE_SPACING / 2, x1, SQUARE_SPACING)
        gy = np.arange(y0 + SQUARE_SPACING / 2, y1, SQUARE_SPACING)
        xx, yy = np.meshgrid(gx, gy)
        inside = shapely.contains_xy(poly, xx.ravel(), yy.ravel())
        pts = np.column_stack([xx.ravel()[inside], yy.ravel()[inside]])
        if not len(pts):
            p = poly.representative_point()
            pts = np.array([[p.x, p.y]])
        for j, (x, y) in enumerate(pts):
            rows.append({"id": f"sq-{park['id']}-{j + 1}", "park": park["name"], "x": round(x, 1), "y": round(y, 1)})
    sq = pd.DataFrame(rows)
    sq["land_m2"] = SQUARE_LAND_M2
    sq["fixed_m2"] = SQUARE_FIXED_M2
    sq["fixed_cost"] = SQUARE_COST
    sq["annual_cost"] = SQUARE_ANNUAL
    return sq


def companies(parks: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    for _, park in parks.iterrows():
        n = max(1, int(round(park["ha_bruto"] / HA_PER_COMPANY)))
        frames.append(random_companies(rng, n, points_in(park.geometry, n, rng), prefix="c", per_vehicle=True))
    comp = pd.concat(frames, ignore_index=True)
    # electric part of the fleet (binomial draw per company), energy and power scale with it
    fleet_vans, fleet_trucks = comp["vans"].to_numpy(), comp["trucks"].to_numpy()
    ev_vans = rng.binomial(fleet_vans, EV_SHARE_VANS)
    ev_trucks = rng.binomial(fleet_trucks, EV_SHARE_TRUCKS)
    van_kwh, truck_kwh = comp.pop("van_kwh").to_numpy(), comp.pop("truck_kwh").to_numpy()
    comp["fleet_vans"], comp["fleet_trucks"] = fleet_vans, fleet_trucks
    comp["vans"], comp["trucks"] = ev_vans, ev_trucks
    comp["kwh_per_day"] = np.round(ev_vans * van_kwh + ev_trucks * truck_kwh, 1)
    comp["max_kw"] = ev_vans * VAN_KW + ev_trucks * TRUCK_KW
    comp = comp[comp["vans"] + comp["trucks"] > 0].reset_index(drop=True)
    comp["id"] = [f"c{k + 1:03d}" for k in range(len(comp))]
    # own connection: spare capacity of the existing connection for charging [estimate], and the
    # cost of charging at home: home chargers (AC 11 kW per 1.5 vans, DC 50 kW per truck) + a
    # connection upgrade to 3x160 A (EUR 2 602, Enexis 2016 [sourced; old])
    comp["own_kw"] = rng.choice([20.0, 40.0, 60.0, 80.0], len(comp))
    comp["own_cost"] = np.round(2_602.0 + 2_500.0 * np.ceil(comp["vans"] / 1.5) + 30_000.0 * comp["trucks"], 0)
    comp["own_annual_cost"] = 150.0 * np.ceil(comp["vans"] / 1.5) + 1_500.0 * comp["trucks"]
    return comp


def grid_areas(data: Path, parks: gpd.GeoDataFrame) -> pd.DataFrame:
    st = gpd.read_file(data / "grid_capacity" / "dso_stations_capaciteit_oost.geojson").to_crs(CRS)
    centre = parks.geometry.union_all().centroid
    st = st[st.distance(centre) <= 12_000].reset_index(drop=True)
    # keep the stations that are the nearest one of some park (the loader joins by nearest station)
    nearest = {int(st.distance(p).idxmin()) for p in parks.geometry.representative_point()}
    st = st.loc[sorted(nearest)].copy()
    total = st["totale_capaciteit_afname_mva"].astype(float) * 1000.0
    free = pd.to_numeric(st["beschikbare_capaciteit_afname_huidig_mva"], errors="coerce").fillna(0.0) * 1000.0
    return pd.DataFrame({
        "id": st["station"].astype(str).to_numpy(),
        "operator": st["netbeheerder"].to_numpy(),
        "x": st.geometry.x.round(1).to_numpy(), "y": st.geometry.y.round(1).to_numpy(),
        "offtake_total_kw": total.to_numpy(),
        "offtake_free_2023_kw": free.to_numpy(),
        # headroom per slot = available_kw x profile `congestion`: off-peak OFFPEAK_SHARE of the station,
        # in the peak window only the published free capacity (0 at Rijssen)
        "available_kw": np.round(np.maximum(OFFPEAK_SHARE * total, free), 1).to_numpy(),
        "profile": [f"congestion-{s}" for s in st["station"].astype(str)],
        "overload_year": st["verwacht_jaar_van_overbelasting_afname"].astype(str).to_numpy(),
    }).sort_values("id").reset_index(drop=True)


def profiles(grid: pd.DataFrame) -> pd.DataFrame:
    hours = np.arange(SLOTS) * 24.0 / SLOTS
    mid = hours + 12.0 / SLOTS
    peak = (mid >= PEAK[0]) & (mid < PEAK[1])
    out = {"slot": np.arange(SLOTS), "timebound": np.where(peak, 0.0, 1.0), "tou": np.where(peak, 1.3, 1.0)}
    for _, g in grid.iterrows():
        in_peak = g["offtake_free_2023_kw"] / g["available_kw"] if g["available_kw"] > 0 else 0.0
        out[g["profile"]] = np.where(peak, round(in_peak, 6), 1.0)
    return pd.DataFrame(out)


def tiers() -> pd.DataFrame:
    rows = []
    for name, kva, one_off, month in TIERS:
        rows.append({"id": name, "capacity_kw": round(kva, 1), "one_off_cost": one_off,
                     "annual_cost": round(12 * month, 2), "contract": "firm"})
        if kva > 100:  # large consumers: a time-bound contract (no transport 16:00-21:00) as well
            rows.append({"id": f"{name}-timebound", "capacity_kw": round(kva, 1), "one_off_cost": one_off,
                         "annual_cost": round(12 * month * TIMEBOUND_DISCOUNT, 2), "contract": "timebound"})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "nl-oost")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    parks = read_parks(args.data)
    comp = companies(parks, rng)
    sq = candidate_squares(parks)
    grid = grid_areas(args.data, parks)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    path = out / "parks.geojson"
    path.unlink(missing_ok=True)
    parks.to_file(path, driver="GeoJSON")
    towns = municipalities(args.data)
    (out / "municipalities.geojson").unlink(missing_ok=True)
    towns.to_file(out / "municipalities.geojson", driver="GeoJSON")
    comp.to_csv(out / "companies.csv", index=False)
    sq.to_csv(out / "squares.csv", index=False)
    tiers().to_csv(out / "tiers.csv", index=False)
    CHARGERS.to_csv(out / "charger_types.csv", index=False)
    profiles(grid).to_csv(out / "profiles.csv", index=False)
    grid.to_csv(out / "grid_areas.csv", index=False)
    xy = {"x": "x", "y": "y"}
    config = {
        "name": "rijssen-holten-park",
        "description": ("Collective charging squares on the 20 IBIS business parks of Rijssen-Holten: real park "
                        "polygons and substation capacity (2023), synthetic companies (seed "
                        f"{args.seed}); see README.md"),
        "model": "park",
        "crs": CRS,
        "layers": {
            "companies": {"file": "companies.csv", **xy},
            "squares": {"file": "squares.csv", **xy},
            "tiers": {"file": "tiers.csv"},
            "charger_types": {"file": "charger_types.csv"},
            "profiles": {"file": "profiles.csv"},
            "grid_areas": {"file": "grid_areas.csv", **xy, "attribution": "VIVET / netbeheerders, via PDOK"},
            "parks": {"file": "parks.geojson", "attribution": "IBIS bedrijventerreinen, provincie Overijssel / IPO"},
            "municipalities": {"file": "municipalities.geojson", "attribution": CBS_BOUNDARIES},
        },
        "park": {
            "slots": SLOTS,
            "walking_distance": 750.0,
            "single_source": True,
            "unmet_penalty": 0.60,
            "energy_price": 0.25,
            "price_profile": "tou",
            "days_per_year": 250.0,
            "discount_rate": 0.05,
            "life_square": 20.0,
            "life_connection": 25.0,
            "life_chargers": 10.0,
            "vehicles_per_point": 1.5,
            "reserve_contracts": True,
            "small_connection_kw": round(float(np.sqrt(3) * 0.4 * 80), 1),
        },
    }
    (out / "instance.toml").write_text(tomli_w.dumps(config))
    energy = comp["kwh_per_day"].sum()
    print(f"{out}: {len(parks)} parks, {len(comp)} companies ({comp['vans'].sum()} vans, {comp['trucks'].sum()} trucks, "
          f"{energy:,.0f} kWh/day), {len(sq)} candidate squares, {len(grid)} substations, {len(towns)} municipalities "
          f"({', '.join(towns['name'])})")


if __name__ == "__main__":
    main()
