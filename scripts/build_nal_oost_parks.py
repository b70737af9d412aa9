"""Build instances/nal-oost-parks/ (the business-park region scan, `siting scan-parks`) from the
staged NAL-Oost data.

Real inputs (../shared/data/nl-oost):
- business_parks/ibis2024_bedrijventerreinen_partial_oost.csv: 250 IBIS 2024 business parks in 18
  municipalities (name, gross/net hectares; no coordinates) -> one row of `parks.csv` each;
- business_parks/ibis2017_rijssen_holten_polygons.geojson: IBIS 2017 polygons of Rijssen-Holten ->
  the location of a 2024 park with the same RIN (`location_source = ibis2017_polygon`);
- gemeenten/gemeenten_2023_oost.csv (+ .geojson, provincies_oost.geojson): the municipality's
  representative point -> the location of every other park (`location_source = municipality_point`);
  outlines for the map;
- grid_capacity/dso_stations_capaciteit_oost.geojson: DSO substations with their offtake capacity
  (PDOK/VIVET 2023) -> each park's grid area = the nearest substation, and its headroom.

Estimated (tagged in the instance README.md and SOURCES.md, with the data that would make them real):
vehicles per hectare, companies per hectare, the electric share, the split of a substation's
headroom over the parks nearest to it. The companies themselves are drawn per park at scan time
(siting.park.scan, seeded); only their totals are in this table.

    python scripts/build_nal_oost_parks.py [--data ../shared/data/nl-oost] [--out instances/nal-oost-parks]

Same data, same files (rows sorted by id, fixed float format).
"""

# ruff: noqa: E501  (long lines are README / SOURCES text)
from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "instances" / "nal-oost-parks"
CRS = "EPSG:28992"
SLOTS = 24  # hourly: every profile and dwell time below changes on the hour, so 96 quarter-hours give the same optimum [derived]
PEAK = (16.0, 21.0)  # netbewust peak window 16:00-21:00 [sourced: Stedin call, as rijssen-holten-park]

# -- per-hectare ratios (DOMAIN.md 2c, and the company generator of rijssen-holten-park) -----------
HA_PER_COMPANY = 5.0  # [estimate] gross ha per company with a vehicle fleet (as rijssen-holten-park)
# fleet per company: 1-20 vans (mean 10.5), half the companies 0-10 trucks (mean 2.5) [estimate, DOMAIN 3 "park"]
FLEET_VANS_PER_HA = 10.5 / HA_PER_COMPANY  # [estimate] 2.1 vans per gross ha
FLEET_TRUCKS_PER_HA = 2.5 / HA_PER_COMPANY  # [estimate] 0.5 trucks per gross ha
EV_SHARE_VANS, EV_SHARE_TRUCKS = 0.31, 0.11  # [derived] NAL 2030 267 000 e-vans / ~852 000; 16 000 e-trucks / ~140 000
VAN_KM, VAN_KWH_PER_KM = 70.0, 0.235  # [sourced] CBS <= 70 km/day; [derived] midpoint of 0.22-0.25 kWh/km
RIGID_KM, TRACTOR_KM, TRUCK_KWH_PER_KM = 138.0, 294.0, 1.1  # [sourced] CBS 2021 km/working day; NL prognosis ~1.1 kWh/km
TRACTOR_SHARE = 0.25  # [estimate] share of tractors among trucks (rijssen-holten-park draws 0-50 % per company)
VAN_KWH = VAN_KM * VAN_KWH_PER_KM  # [derived] 16.45 kWh/day
TRUCK_KWH = TRUCK_KWH_PER_KM * (RIGID_KM * (1 - TRACTOR_SHARE) + TRACTOR_KM * TRACTOR_SHARE)  # [derived] 194.7 kWh/day
VAN_KW, TRUCK_KW = 11.0, 100.0  # [sourced] AC point 11 kW; depot <= 100 kW per truck

# -- grid ---------------------------------------------------------------------------------------
OFFPEAK_SHARE = 0.05  # off-peak headroom = 5 % of the station's offtake capacity [estimate], as rijssen-holten-park

# -- connection tiers and charger types: exactly those of rijssen-holten-park ---------------------
TIERS = [  # id, kVA, one-off EUR [sourced; old: Enexis 2016], periodic EUR/month [sourced; old: Liander 2017]
    ("3x80A", np.sqrt(3) * 0.4 * 80, 1_500.0, 20.0),  # fee [estimate]
    ("3x160A", np.sqrt(3) * 0.4 * 160, 2_602.0, 30.0),
    ("3x250A", np.sqrt(3) * 0.4 * 250, 3_438.0, 45.96),
    ("630kVA", 630.0, 11_033.0, 45.96),
    ("1750kVA", 1750.0, 24_620.0, 89.0),
    ("6000kVA", 6000.0, 168_363.0, 665.0),
    ("10000kVA", 10000.0, 252_920.0, 665.0),
]
TIMEBOUND_DISCOUNT = 0.5  # [estimate]
CHARGERS = pd.DataFrame({  # powers [sourced]; prices, areas [estimate]
    "id": ["AC11", "DC50", "DC100"],
    "power_kw": [11.0, 50.0, 100.0],
    "cost": [2_500.0, 30_000.0, 60_000.0],
    "annual_cost": [150.0, 1_500.0, 3_000.0],
    "m2": [15.0, 30.0, 100.0],
    "vehicle": ["van", "any", "truck"],
})
CREDITS = {
    "parks": "IBIS bedrijventerreinen 2024 (RVO WarmteAtlas), CC0",
    "polygons": "IBIS bedrijventerreinen, provincie Overijssel / IPO",
    "grid": "VIVET / netbeheerders, via PDOK",
    "municipalities": "CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0)",
}


def write_csv(path: Path, df: pd.DataFrame) -> None:
    df.to_csv(path, index=False, float_format="%.3f", lineterminator="\n")


def read_parks(data: Path) -> pd.DataFrame:
    p = pd.read_csv(data / "business_parks" / "ibis2024_bedrijventerreinen_partial_oost.csv", dtype={"rin": str})
    return p.sort_values("rin", key=lambda s: s.str.zfill(12)).reset_index(drop=True)


def locations(data: Path, parks: pd.DataFrame) -> pd.DataFrame:
    """x, y (EPSG:28992) and location_source of every park: the representative point of the
    Rijssen-Holten 2017 polygon with the same RIN, else the municipality's representative point."""
    poly = gpd.read_file(data / "business_parks" / "ibis2017_rijssen_holten_polygons.geojson").to_crs(CRS)
    poly["rin"] = poly["rin"].astype(str)
    rep = poly.set_index("rin").geometry.make_valid().representative_point()
    gem = pd.read_csv(data / "gemeenten" / "gemeenten_2023_oost.csv").set_index("gemeentecode")
    pts = gpd.GeoSeries(gpd.points_from_xy(gem["lon"], gem["lat"]), index=gem.index, crs="EPSG:4326").to_crs(CRS)
    out = pd.DataFrame(index=parks.index)
    has_poly = parks["rin"].isin(rep.index)
    out["x"] = np.where(has_poly, parks["rin"].map(rep.x), parks["gemeentecode"].map(pts.x))
    out["y"] = np.where(has_poly, parks["rin"].map(rep.y), parks["gemeentecode"].map(pts.y))
    out["location_source"] = np.where(has_poly, "ibis2017_polygon", "municipality_point")
    out["polygon_ha_2017"] = parks["rin"].map(poly.set_index("rin")["ha_bruto_attr"])
    if out[["x", "y"]].isna().any().any():
        raise SystemExit(f"parks without a location: {parks.loc[out['x'].isna(), 'rin'].tolist()}")
    return out.round({"x": 1, "y": 1})


def stations(data: Path) -> gpd.GeoDataFrame:
    st = gpd.read_file(data / "grid_capacity" / "dso_stations_capaciteit_oost.geojson").to_crs(CRS)
    st = st.sort_values("station").reset_index(drop=True)
    total = st["totale_capaciteit_afname_mva"].astype(float) * 1000.0
    free = pd.to_numeric(st["beschikbare_capaciteit_afname_huidig_mva"], errors="coerce").fillna(0.0) * 1000.0
    return gpd.GeoDataFrame({
        "id": st["station"].astype(str), "operator": st["netbeheerder"].astype(str),
        "x": st.geometry.x.round(1), "y": st.geometry.y.round(1),
        "offtake_total_kw": total, "offtake_free_2023_kw": free,
        # as rijssen-holten-park: off-peak OFFPEAK_SHARE of the station (at least its free capacity),
        # in the peak window only the published free capacity
        "available_kw": np.round(np.maximum(OFFPEAK_SHARE * total, free), 1),
        "overload_year": st["verwacht_jaar_van_overbelasting_afname"].astype(str),
        "in_region": st["in_region"].astype(bool),
    }, geometry=st.geometry, crs=CRS)


def estimates(parks: pd.DataFrame) -> pd.DataFrame:
    ha = parks["ha_bruto"].to_numpy(float)
    out = pd.DataFrame(index=parks.index)
    out["companies"] = np.maximum(1, np.round(ha / HA_PER_COMPANY)).astype(int)
    out["fleet_vans"] = np.round(ha * FLEET_VANS_PER_HA).astype(int)
    out["fleet_trucks"] = np.round(ha * FLEET_TRUCKS_PER_HA).astype(int)
    out["ev_vans"] = np.round(ha * FLEET_VANS_PER_HA * EV_SHARE_VANS).astype(int)
    out["ev_trucks"] = np.round(ha * FLEET_TRUCKS_PER_HA * EV_SHARE_TRUCKS).astype(int)
    out["van_kwh_per_day"] = round(VAN_KWH, 3)
    out["truck_kwh_per_day"] = round(TRUCK_KWH, 3)
    out["kwh_per_day"] = out["ev_vans"] * VAN_KWH + out["ev_trucks"] * TRUCK_KWH
    out["max_kw"] = out["ev_vans"] * VAN_KW + out["ev_trucks"] * TRUCK_KW
    out["radius_m"] = np.sqrt(ha * 1e4 / np.pi).round(1)  # a disc of the park's gross area [derived]
    return out


def grid_of(parks: pd.DataFrame, st: gpd.GeoDataFrame) -> pd.DataFrame:
    """Nearest substation of each park, and the park's share of its headroom: by gross hectares
    among the parks of this table nearest to it [estimate]."""
    dist, k = cKDTree(st[["x", "y"]].to_numpy()).query(parks[["x", "y"]].to_numpy())
    g = st.iloc[k].reset_index(drop=True)
    out = pd.DataFrame({"grid_area": g["id"].to_numpy(), "grid_operator": g["operator"].to_numpy(),
                        "grid_distance_m": np.round(dist, 0)}, index=parks.index)
    ha = parks["ha_bruto"].astype(float)
    out["grid_share"] = (ha / ha.groupby(out["grid_area"]).transform("sum")).round(6)
    out["parks_on_grid_area"] = out.groupby("grid_area")["grid_area"].transform("size")
    out["grid_total_kw"] = g["offtake_total_kw"].to_numpy()
    out["grid_free_2023_kw"] = g["offtake_free_2023_kw"].to_numpy()
    out["headroom_offpeak_kw"] = np.round(g["available_kw"].to_numpy() * out["grid_share"], 1)
    out["headroom_peak_kw"] = np.round(g["offtake_free_2023_kw"].to_numpy() * out["grid_share"], 1)
    return out


def tiers() -> pd.DataFrame:
    rows = []
    for name, kva, one_off, month in TIERS:
        rows.append({"id": name, "capacity_kw": round(kva, 1), "one_off_cost": one_off,
                     "annual_cost": round(12 * month, 2), "contract": "firm"})
        if kva > 100:
            rows.append({"id": f"{name}-timebound", "capacity_kw": round(kva, 1), "one_off_cost": one_off,
                         "annual_cost": round(12 * month * TIMEBOUND_DISCOUNT, 2), "contract": "timebound"})
    return pd.DataFrame(rows)


def profiles() -> pd.DataFrame:
    """Per slot: `timebound` (tier availability), `tou` (price factor), `congestion` (the park's
    headroom: off-peak 1, in the peak the published free capacity over the off-peak headroom; the
    scan takes the two kW figures of each park's row, so this column is 1/0 as a shape only)."""
    mid = (np.arange(SLOTS) + 0.5) * 24.0 / SLOTS
    peak = (mid >= PEAK[0]) & (mid < PEAK[1])
    return pd.DataFrame({"slot": np.arange(SLOTS), "timebound": np.where(peak, 0.0, 1.0),
                         "tou": np.where(peak, 1.3, 1.0), "peak": peak.astype(int)})


def outlines(data: Path, out: Path) -> int:
    gem = gpd.read_file(data / "gemeenten" / "gemeenten_2023_oost.geojson").to_crs(CRS)
    towns = gpd.GeoDataFrame({"id": gem["gemeentecode"].astype(str), "name": gem["gemeentenaam"].astype(str),
                              "province": gem["provincie"].astype(str)},
                             geometry=shapely.set_precision(gem.geometry.values, 1.0), crs=CRS)
    towns = towns.sort_values("id").reset_index(drop=True)
    prov = gpd.read_file(data / "gemeenten" / "provincies_oost.geojson").to_crs(CRS)
    region = gpd.GeoDataFrame({"id": prov["provinciecode"].astype(str), "name": prov["provincie"].astype(str)},
                              geometry=shapely.set_precision(prov.geometry.values, 1.0), crs=CRS)
    for name, frame in (("municipalities", towns), ("region", region.sort_values("id"))):
        (out / f"{name}.geojson").unlink(missing_ok=True)
        frame.to_file(out / f"{name}.geojson", driver="GeoJSON")
    return len(towns)


SCAN_TOML = """\
# The business-park region scan of NAL-regio Oost: `siting scan-parks instances/nal-oost-parks --out DIR`.
# Built by scripts/build_nal_oost_parks.py from ../shared/data/nl-oost; see README.md and SOURCES.md.
# Do not edit by hand: rebuild. Tags: [sourced], [derived], [estimate] as in ../shared/DOMAIN.md.
# Every park of parks.csv becomes one park instance (siting.park.scan): its estimated companies on a
# disc of the park's gross area around its location, one to a few candidate squares, the tiers and
# charger types below, the park's share of its substation's headroom.

name = "nal-oost-parks"
description = "Region scan of {n} IBIS 2024 business parks in {m} municipalities of Gelderland and Overijssel: estimated van/truck charging need from hectares, nearest DSO substation (PDOK/VIVET 2023), collective charging squares vs every company on its own connection."
crs = "EPSG:28992"

[scan]
seed = 2026                       # companies per park: numpy default_rng([seed, rin]); same seed, same companies
squares_max = 4                   # [estimate] candidate squares per park: ceil(ha / ha_per_square), at most this
ha_per_square = 40.0              # [estimate]
square_ring = 0.6                 # [estimate] squares 2.. on a ring at this share of the park radius
square_land_m2 = 2500.0           # [estimate] parcel offered for a square (as rijssen-holten-park)
square_fixed_m2 = 150.0           # [estimate] MV substation + lanes on the parcel
square_cost = 150000.0            # [estimate] civil works + MV substation (a trafohuisje alone <= EUR 100 000 [sourced] Stedin 2022)
square_annual_cost = 5000.0       # [estimate] operation, lease
truck_company_share = 0.5         # [estimate] share of companies with trucks (as rijssen-holten-park)
own_kw = [20.0, 40.0, 60.0, 80.0] # [estimate] spare headroom of a company's own connection, one drawn per company
own_base_cost = 2602.0            # [sourced; old] upgrade to 3x160 A, Enexis 2016
own_cost_per_van_point = 2500.0   # [estimate] home AC 11 kW charger per 1.5 vans
own_cost_per_truck = 30000.0      # [estimate] home DC 50 kW charger per truck
own_annual_per_van_point = 150.0  # [estimate]
own_annual_per_truck = 1500.0     # [estimate]
vans_per_home_point = 1.5         # [estimate]
dwell_start = [16.0, 17.0, 18.0, 19.0]  # [estimate] within the sourced depot window 8-14 h
dwell_end = [6.0, 7.0, 8.0]             # [estimate]

[park]  # as rijssen-holten-park, except 24 hourly slots (the same optimum: all inputs change on the hour)
slots = {slots}
walking_distance = 750.0
single_source = true
unmet_penalty = 0.6
energy_price = 0.25
price_profile = "tou"
days_per_year = 250.0
discount_rate = 0.05
life_square = 20.0
life_connection = 25.0
life_chargers = 10.0
vehicles_per_point = 1.5
reserve_contracts = true
small_connection_kw = 55.4

[files]
parks = "parks.csv"
grid_areas = "grid_areas.csv"
tiers = "tiers.csv"
charger_types = "charger_types.csv"
profiles = "profiles.csv"
municipalities = "municipalities.geojson"
region = "region.geojson"

[credits]
parks = "{c_parks}"
polygons = "{c_poly}"
grid_areas = "{c_grid}"
municipalities = "{c_gem}"
"""


def readme(table: pd.DataFrame, n_gem: int, grid: pd.DataFrame) -> str:
    n = len(table)
    poly = int((table["location_source"] == "ibis2017_polygon").sum())
    zero = int((table["ev_vans"] + table["ev_trucks"] == 0).sum())
    no_peak = int((table["headroom_peak_kw"] <= 0).sum())
    return f"""# nal-oost-parks — region scan of the business parks of NAL-regio Oost

`siting scan-parks instances/nal-oost-parks --out results/parks-scan --workers 2`
([src/siting/park/scan.py](../../src/siting/park/scan.py), model `park`, [models/park.md](../../models/park.md)).

For every business park of the staged IBIS 2024 list ({n} parks in {table['gemeentecode'].nunique()} municipalities,
{table['ha_bruto'].sum():,.0f} ha gross): an estimated electric van/truck charging need from its hectares, the grid
area it lies in (nearest DSO substation and its headroom), and the park model's best collective plan (one or a few
charging squares with a clustered connection) against the reference **every company on its own connection**. The
scan ranks where collective charging saves most (EUR/year and %) and where the grid blocks it (energy not
delivered, headroom).

**What is real and what is estimated.** Real: the parks, their names, municipalities and gross hectares (IBIS
2024), the location of {poly} parks (Rijssen-Holten IBIS 2017 polygons with the same RIN), the substations and
their capacity and free capacity (PDOK/VIVET 2023), the tiers and fees (Enexis 2016, Liander 2017 — old prices),
vehicle energy use and charging powers. **Estimated:** the location of the other {n - poly} parks (their
municipality's representative point: every park of a municipality lands on the same point and the same
substation), the number of companies and vehicles per hectare, the companies themselves (drawn per park, seeded),
the split of a substation's headroom over its parks, and every price the park model shares with
rijssen-holten-park. The scan is a screening of where to look first, not advice for any one park. Every estimate
and the data that would replace it: [SOURCES.md](SOURCES.md).

Rebuild (needs `../shared/data/nl-oost`): `python scripts/build_nal_oost_parks.py`. Nothing reads `../shared` at run time.

## Files

| file | content |
|---|---|
| `scan.toml` | scan and park-model parameters, each with its tag |
| `parks.csv` | {n} parks: the IBIS fields, location and `location_source`, per-park estimates, grid area and headroom (columns below) |
| `grid_areas.csv` | the {len(grid)} substations that are the nearest one of some park (PDOK/VIVET 2023) |
| `tiers.csv`, `charger_types.csv` | as rijssen-holten-park: 13 connection tiers (firm; time-bound = no transport 16:00–21:00), AC 11 / DC 50 / DC 100 kW |
| `profiles.csv` | {SLOTS} hourly slots: `timebound` availability, `tou` price factor (×1.3 in 16:00–21:00), `peak` (1 in 16:00–21:00) |
| `municipalities.geojson`, `region.geojson` | {n_gem} municipality outlines and the two provinces, for the map only |

## Columns of parks.csv

| column | unit | tag | what |
|---|---|---|---|
| `id`, `name`, `gemeentecode`, `gemeentenaam`, `provincie`, `wloc_type`, `ha_bruto`, `ha_netto`, `ha_uitgeefbaar` | ha | [sourced] | IBIS 2024 (RIN, PLAN_NAAM, HA_BRUTO, …) |
| `x`, `y` | m, EPSG:28992 | [sourced] / [estimate] | the park's location; see `location_source` |
| `location_source` | — | — | `ibis2017_polygon`: representative point of the 2017 polygon with this RIN ([sourced]; IBIS merged parks since, `polygon_ha_2017` shows the 2017 size); `municipality_point`: the municipality's representative point ([estimate]) |
| `radius_m` | m | [derived] | radius of a disc of `ha_bruto`: the scan places companies and squares on it |
| `companies` | — | [estimate] | max(1, round(ha_bruto / {HA_PER_COMPANY:g})) companies with a fleet |
| `fleet_vans`, `fleet_trucks` | vehicles | [estimate] | ha_bruto × {FLEET_VANS_PER_HA:g} vans, × {FLEET_TRUCKS_PER_HA:g} trucks per gross ha (the mean fleet of rijssen-holten-park's companies) |
| `ev_vans`, `ev_trucks` | vehicles | [derived on estimates] | fleet × {EV_SHARE_VANS:.0%} / {EV_SHARE_TRUCKS:.0%} electric in 2030 (NAL 2030 / NKL fleet) |
| `van_kwh_per_day`, `truck_kwh_per_day` | kWh/day | [derived] | {VAN_KM:g} km × {VAN_KWH_PER_KM} kWh/km; {TRUCK_KWH_PER_KM} kWh/km × ({RIGID_KM:g} km rigid, {TRACTOR_KM:g} km tractor at {TRACTOR_SHARE:.0%} tractors [estimate]) |
| `kwh_per_day`, `max_kw` | kWh/day, kW | [derived] | the park's need and its vehicles' charging power (11 kW a van, 100 kW a truck [sourced]) |
| `grid_area`, `grid_operator`, `grid_distance_m` | —, m | [derived] | nearest substation to `x, y` (PDOK/VIVET) |
| `grid_total_kw`, `grid_free_2023_kw` | kW | [sourced] | its offtake capacity and free capacity (2023) |
| `parks_on_grid_area`, `grid_share` | —, share | [estimate] | parks of this table nearest to it; this park's share of its headroom = its share of their gross ha |
| `headroom_offpeak_kw` | kW | [estimate] | grid_share × max({OFFPEAK_SHARE:.0%} of the capacity, the free capacity) |
| `headroom_peak_kw` | kW | [derived] | grid_share × the free capacity, in 16:00–21:00 |

{zero} parks are too small for one electric vehicle (they are listed, not solved); {no_peak} parks have no free
capacity in the peak.
"""


def sources(table: pd.DataFrame) -> str:
    poly = int((table["location_source"] == "ibis2017_polygon").sum())
    return f"""# Sources of nal-oost-parks

Built by [`scripts/build_nal_oost_parks.py`](../../scripts/build_nal_oost_parks.py) from the staged copy
`../shared/data/nl-oost` (paths relative to it; origins as stated in that folder's SOURCES.md files).

## business_parks/ibis2024_bedrijventerreinen_partial_oost.csv → `parks.csv`
- {len(table)} IBIS 2024 business parks (RIN, name, municipality, gross / net / issuable ha, werklocatie type) in 18 of the
  region's 76 municipalities: a PARTIAL hand transcription of the RVO WarmteAtlas WFS layer `WarmteAtlas:IBISbedrijventerreinen`
  (via GitHub `MounirVB/vibe-website` @ `6b47dc931876cf33aa38bf95f2cd5f6158bcbadb`, retrieved 2026-10-10). Licence IBIS CC0 1.0.
- No coordinates: see the location below.

## business_parks/ibis2017_rijssen_holten_polygons.geojson → `x`, `y` of {poly} parks
- IBIS 2017 polygons of Rijssen-Holten (GitHub `IDgis/Bedrijvenatlas-RH` @ `8418adc251c04750f6f0b617abab4e8a4a6ca31d`), CC0.
  A 2024 park with the same RIN takes the polygon's representative point (`location_source = ibis2017_polygon`). IBIS has
  renumbered and merged parks since 2017 (RIN 691 is 26 ha in 2017 and 231 ha in 2024): the point is inside the park, the
  2017 outline is not the 2024 one.

## gemeenten/gemeenten_2023_oost.csv (+ .geojson, provincies_oost.geojson) → `x`, `y` of the other parks; map outlines
- CBS / Kadaster Wijk- en Buurtkaart 2023 via GitHub `stdekker/open-data-maps` @ `3c7197e5958fc81cfd72e24c65c313747d3431b7`,
  CC BY 4.0 ("CBS / Kadaster, Wijk- en Buurtkaart 2023"). The municipality's representative point (`lon`, `lat`) is the
  location of every park without a polygon (`location_source = municipality_point`) [estimate]. Outlines rounded to 1 m.

## grid_capacity/dso_stations_capaciteit_oost.geojson → `grid_areas.csv`, each park's grid area and headroom
- PDOK "Beschikbare capaciteit elektriciteitsnet" (VIVET; regional grid operators; copy GitHub `maantjemol/S4Energy` @
  `343442edb0c9b88b549b0c03c34dcb0d71a8efe6`), peildatum Enexis 2023-02-01, Liander 2023-04-21. Attribution "VIVET /
  netbeheerders, via PDOK". Fields used: `station`, `netbeheerder`, `totale_capaciteit_afname_mva`,
  `beschikbare_capaciteit_afname_huidig_mva`, `verwacht_jaar_van_overbelasting_afname`, `in_region`.
- Grid area = nearest station (the layer has points, no service areas).

## Parameter values
Vehicle energy and power, fleet shares, tiers and fees, the peak window: `../shared/DOMAIN.md` §2b–2d, as in
`instances/rijssen-holten-park/README.md`, which names each publisher and date.

## Every estimate, and the data that would make it real

| estimate | value | data that would replace it |
|---|---|---|
| Park location without a polygon | the municipality's representative point | IBIS 2024 geometry: the WarmteAtlas WFS `WarmteAtlas:IBISbedrijventerreinen` with geometry, or PDOK/IPO "bedrijventerreinen" (one request each) |
| Park shape | a disc of the gross area around the location | the same IBIS polygons |
| Parks outside the 18 municipalities | not scanned | the rest of the IBIS 2024 list (58 municipalities, incl. Apeldoorn, Arnhem, Nijmegen, Ede, Zwolle, Enschede) |
| Companies per park | gross ha / {HA_PER_COMPANY:g} | KvK establishment counts per park (LISA / KvK Handelsregister by address in the IBIS polygon) |
| Vans and trucks per ha | {FLEET_VANS_PER_HA:g} vans, {FLEET_TRUCKS_PER_HA:g} trucks | RDW registrations of company vans/trucks by the owner's address (RDW Open Data, kenteken + KvK address), or a park survey (the plankaarten surveys of 528 Gelderland and 100 Overijssel parks, DOMAIN §2b) |
| Electric share 2030 | vans {EV_SHARE_VANS:.0%}, trucks {EV_SHARE_TRUCKS:.0%} [derived from national ambitions] | regional e-van / e-truck forecasts (ElaadNL outlook per municipality) |
| Tractor share among trucks | {TRACTOR_SHARE:.0%} | RDW vehicle class (N3 tractor vs rigid) per registration |
| Company fleets, dwell windows, own-connection headroom and costs | drawn per park (seeded), as rijssen-holten-park | company connection data (DSO, with consent), depot schedules |
| Candidate squares | 1–4 points on the disc, 2 500 m² parcels, €150 000 + €5 000/yr | parcels offered by the municipality / park association, a laadplein cost model (NAL tool, nal.onderzoek.nl) |
| Headroom split over parks | by gross ha among the parks nearest to one substation | the capaciteitskaart per supply area (ATC, queue), and which park hangs on which MV feeder (DSO) |
| Off-peak headroom | {OFFPEAK_SHARE:.0%} of the station's capacity | hourly headroom profiles per station (not published; DOMAIN §4) |
| Prices: chargers, energy €0.25/kWh ×1.3 in the peak, penalty €0.60/kWh, time-bound discount 50 % | as rijssen-holten-park | current DSO tariffs (€/kW transport, 2024–25 connection fees), charger quotes |

## Not from data
Everything in the table above is a constant of the build script, of `scan.toml` or a seeded draw in
`siting.park.scan`; the instance README.md lists each with its tag.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "nl-oost")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    parks = read_parks(args.data)
    loc = locations(args.data, parks)
    ibis = parks.rename(columns={"rin": "id", "naam": "name"}).drop(columns=["jaar"])
    ibis = ibis[["id", "name"] + [c for c in ibis.columns if c not in ("id", "name")]]
    table = pd.concat([ibis, loc, estimates(parks)], axis=1)
    st = stations(args.data)
    table = pd.concat([table, grid_of(table, st)], axis=1)
    used = st[st["id"].isin(table["grid_area"])].drop(columns="geometry")
    write_csv(out / "parks.csv", table)
    write_csv(out / "grid_areas.csv", pd.DataFrame(used).reset_index(drop=True))
    write_csv(out / "tiers.csv", tiers())
    write_csv(out / "charger_types.csv", CHARGERS)
    write_csv(out / "profiles.csv", profiles())
    n_gem = outlines(args.data, out)
    (out / "scan.toml").write_text(SCAN_TOML.format(
        n=len(table), m=table["gemeentecode"].nunique(), slots=SLOTS, c_parks=CREDITS["parks"],
        c_poly=CREDITS["polygons"], c_grid=CREDITS["grid"], c_gem=CREDITS["municipalities"]))
    (out / "README.md").write_text(readme(table, n_gem, used))
    (out / "SOURCES.md").write_text(sources(table))
    print(f"{out}: {len(table)} parks in {table['gemeentecode'].nunique()} municipalities "
          f"({(table['location_source'] == 'ibis2017_polygon').sum()} located by polygon), "
          f"{table['ev_vans'].sum()} e-vans, {table['ev_trucks'].sum()} e-trucks, {table['kwh_per_day'].sum():,.0f} kWh/day, "
          f"{len(used)} substations")


if __name__ == "__main__":
    main()
