#!/usr/bin/env python3
"""Build the default `fast` instance for NAL-regio Oost (Gelderland + Overijssel).

Reads the staged public data in `../shared/data/nl-oost` (see its README.md and SOURCES.md files)
and writes `instances/nal-oost-fast/`:

    data.gpkg      EPSG:28992, layers demand, existing, candidates, grid_areas, region, municipalities
    instance.toml  the instance description (docs/instance-format.md), with comments
    README.md      what the instance is, layer counts, parameters with tags, measured totals
    SOURCES.md     origin, licence and attribution of every input file used

Every number that is not read from a data file is a named constant below, tagged as in
DOMAIN.md: [sourced] value as published, [derived: how] arithmetic on sourced values,
[estimate] no source behind it (whatever is built on it is synthetic).

The output is deterministic: rows sorted by id, no timestamps in the data, coordinates rounded
to 1 cm, and the GeoPackage's internal "last change" date pinned (OGR_CURRENT_DATE), so running
the script twice gives identical files.

Run:  .venv/bin/python scripts/build_nal_oost_fast.py --overwrite
"""

# ruff: noqa: E501  (long lines are README / SOURCES text and tagged parameter notes)
from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
import tempfile
import tomllib
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "data" / "nl-oost"
DEFAULT_OUT = REPO_ROOT / "instances" / "nal-oost-fast"

CRS = "EPSG:28992"  # RD New, metres
COORD_GRID_M = 0.01  # coordinates rounded to 1 cm (determinism across PROJ versions)
GPKG_DATE = "2000-01-01T00:00:00Z"  # pinned gpkg_contents.last_change (no build timestamps)

# --------------------------------------------------------------------------------------------
# Demand: fast-charging sessions per day per PC4 area
#   weight = inwoners * cars_per_inhabitant(gemeente) * BEV_SHARE_2030 * FAST_SESSIONS_PER_BEV_DAY
# --------------------------------------------------------------------------------------------
EV_NL_2030 = 1_900_000
# [sourced] 1.9 M EVs in NL by 2030, Klimaatakkoord ambition (~21 %); DOMAIN.md §2a "EV fleet
# outlook" (nklnederland.nl; vng.nl). An ambition, not a forecast; may include PHEVs.
BEV_NL_END_2024 = 558_000
# [sourced] ~558 000 BEVs in NL at end 2024; DOMAIN.md §2a "BEVs NL" (duurzaam-ondernemen.nl,
# RVO trendrapport 2025).
BEV_SHARE_NL_END_2024 = 0.061
# [sourced] the same 558 000 BEVs = 6.1 % of passenger cars (same source).
CARS_NL = BEV_NL_END_2024 / BEV_SHARE_NL_END_2024
# [derived: 558 000 / 0.061 ≈ 9.15 M passenger cars in NL] DOMAIN.md has no sourced national
# car total; the region's 1.73 M cars (CBS 85984NED 2024) are ~19 % of it.
BEV_SHARE_2030 = EV_NL_2030 / CARS_NL
# [derived: 1.9 M / 9.15 M ≈ 0.208] 2030 scenario share of BEVs among passenger cars, applied
# uniformly; the car fleet is held at its 2024 size [estimate] and no regional BEV share is
# known (DOMAIN.md §4).
FAST_SESSIONS_PER_BEV_MONTH = 2.0
# [sourced] Nationaal Laadonderzoek: ~2 fast sessions per driver per month; DOMAIN.md §2a
# (bzo-tankstations.nl; autoweek.nl; accountancyvanmorgen.nl), 2022-23 survey of EV drivers.
DAYS_PER_MONTH = 30.4
# [derived: 365 / 12 ≈ 30.4]
FAST_SESSIONS_PER_BEV_DAY = FAST_SESSIONS_PER_BEV_MONTH / DAYS_PER_MONTH
# [derived: 2 / 30.4 ≈ 0.0658 fast sessions per BEV per day]

# --------------------------------------------------------------------------------------------
# Costs, sizes and land, shared by all candidates (and by the extensions of existing sites)
# --------------------------------------------------------------------------------------------
FIXED_COST_EUR = 250_000.0
# [estimate] site development + grid connection of a new fast-charging site. No current Dutch
# figure is known (DOMAIN.md §4); cf. Enexis 2016 one-off fees €24 620 (1 750 kVA) to €168 363
# (6 000 kVA) [sourced; old] plus civil works.
COST_PER_CHARGER_EUR = 100_000.0
# [estimate] one 150 kW HPC charger, installed; cf. US DOE proxy ≈$287 k per 350 kW point
# (itslessons.its.dot.gov 2017, [derived] in DOMAIN.md §2b) — a 150 kW unit is taken as cheaper.
MAX_CHARGERS = 12
# [estimate] chargers per site; Fastned averages 4.3 (Q1-22) to ~5.6-5.9 chargers per station
# [derived, DOMAIN.md §2a]; 12 leaves room for large hubs.

# --------------------------------------------------------------------------------------------
# Existing DC >= 50 kW locations (NDW / DOT-NL OCPI snapshot, mid-2026)
# --------------------------------------------------------------------------------------------
EXISTING_DEFAULT_POWER_KW = 50.0
# [estimate] power of a location that reports none (the file holds DC >= 50 kW locations only,
# so 50 kW is the lowest possible value). Used for 0 locations in the current data.
EXISTING_EXTRA_BAYS = 4
# [estimate] land at an existing site: room for its chargers plus 4 more chargers;
# land_m2 = site_m2 + m2_per_charger * (chargers + 4), see existing_land_m2().
DEDUPLICATE_EXISTING = True
DEDUP_RADIUS_M = 25.0
# [estimate] records of the same operator within 25 m of each other are one physical site.
# The NDW file lists many sites twice under two OCPI ids (Shell "NLxxxx - ..." legacy ids next
# to address-named ones, Fastned numeric + UUID ids, Lidl/Eneco pairs); counting both would
# double the existing capacity. Within such a group: records without EVSE counts are dropped if
# a record with counts exists, and chargers = max over the records — except when >= 2 distinct
# names carry a unit label (UNIT_LABEL_RE: "#02", "Lp 1", "Lader 11", "links/midden/rechts",
# a quoted charger name) and hold <= UNIT_MAX_CHARGERS chargers each: then each is a separately
# registered charger and they are summed (a record with more chargers describes a whole site).
UNIT_MAX_CHARGERS = 2
UNIT_LABEL_RE = re.compile(
    r"(?:#\s*\d+|\b(?:links|midden|rechts)\b|\blp\s*\d+|\blader\s*\d+|[“\"][^”\"]+[”\"])",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# Candidates (a): OSM truck parkings, rest and service areas inside the region
# --------------------------------------------------------------------------------------------
OSM_POLYGON_LAND_SHARE = 0.25
# [estimate] usable share of a mapped parking / rest / service area polygon (the rest is roads,
# parking bays, buildings): land_m2 = 0.25 * area_m2.
OSM_POINT_LAND_M2 = 800.0
# [estimate] land at an OSM area mapped only as a point (no polygon, area unknown).

# --------------------------------------------------------------------------------------------
# Candidates (b): synthetic 5 km grid — "a plot near a town centre or exit" [estimate]
# --------------------------------------------------------------------------------------------
GRID_STEP_M = 5_000.0
# [estimate] grid points at multiples of 5 000 m in RD New; the "cell" of a point is the 5 km
# square centred on it, [x - 2.5 km, x + 2.5 km) x [y - 2.5 km, y + 2.5 km).
GRID_MIN_INHABITANTS = 2_000
# [estimate] keep a point (inside the region polygon) when its cell holds >= 2 000 inhabitants
# (sum of the PC4 representative points' inwoners in the cell).
GRID_LAND_M2 = 1_000.0
# [estimate] land at a synthetic grid site.
GRID_MIN_DIST_M = 1_000.0
# [estimate] drop grid points within 1 km of an OSM candidate or an existing site.

# --------------------------------------------------------------------------------------------
# Grid areas: DSO substations >= 25 kV (PDOK / VIVET, peildatum 2023)
# --------------------------------------------------------------------------------------------
KW_PER_MVA = 1_000.0
# [estimate] MVA taken as MW at power factor 1.
# Strings like "<2" (MVA) are read as 0: conservative, the station may have less than 2 MVA.
UPGRADE_KW = 0.0
UPGRADE_COST_EUR = 0.0
# no upgrade options in the default instance.

# --------------------------------------------------------------------------------------------
# [fast] model parameters written to instance.toml
# --------------------------------------------------------------------------------------------
OBJECTIVE = "capacitated"
RADIUS_M = 15_000.0
# [estimate] DOMAIN.md §3 "fast-charging coverage radius 15 km / 15 min"; no official Dutch
# definition exists (DOMAIN.md §1.3); the only published figure is 50 km (journalistic).
P_NEW_SITES = 25
# [estimate] planning choice: number of new sites to open.
KW_PER_CHARGER = 150.0
# [sourced, secondary] AFIR minimum high-power point (150 kW); DOMAIN.md §1.1, §3.
SIMULTANEITY = 1.0
# [estimate] design choice: the grid connection is contracted for the chargers' full power
# (fast chargers run near full power when in use; a DSO contracts firm capacity).
SESSIONS_PER_CHARGER = 7.0
# [derived] Fastned ~7.0-7.4 sessions per charger per day (998 k / 1 557 chargers / 92 d;
# 2.5 M / 1 863 / 182 d); DOMAIN.md §2a. A mature national network at 10-13 % utilisation.
M2_PER_CHARGER = 40.0
# [estimate] land per charger (bay + charger + manoeuvring share).
SITE_M2 = 150.0
# [estimate] fixed land of an open site (transformer / switchgear, access).
MIN_CHARGERS = 2
# [estimate] chargers at every newly opened site (cf. AFIR core 2027: >= 2 points >= 150 kW).
SERVE_ALL = False

LAYER_ORDER = ("demand", "existing", "candidates", "grid_areas", "region", "municipalities")
CBS_BOUNDARIES = "CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0)"
# the credit each layer's licence asks for (SOURCES.md); instance.toml carries it, the maps print it
ATTRIBUTION = {
    "demand": "CBS",
    "existing": "NDW / DOT-NL",
    "candidates": "© OpenStreetMap contributors (ODbL)",
    "grid_areas": "VIVET / netbeheerders, via PDOK",
    "region": CBS_BOUNDARIES,
    "municipalities": CBS_BOUNDARIES,
}

INPUTS = {
    "pc4": "population_pc4/pc4_inwoners_oost.geojson",
    "gemeenten": "gemeenten/gemeenten_2023_oost.geojson",
    "provincies": "gemeenten/provincies_oost.geojson",
    "fast": "charging_stations/ndw_fast_charging_dc50plus_oost.geojson",
    "osm": "truck_parking/osm_truck_parking_rest_areas_oost.geojson",
    "dso": "grid_capacity/dso_stations_capaciteit_oost.geojson",
}


# ============================================================================================
# helpers
# ============================================================================================
def round_points(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        shapely.set_precision(geoms.values, COORD_GRID_M), index=geoms.index, crs=geoms.crs
    )


def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def parse_mva(value) -> float:
    """MVA from a number or a string such as "12", "<2" (-> 0, conservative) or ""/None (-> 0)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace(",", ".")
    if not text or text.startswith("<"):
        return 0.0
    return float(text.lstrip(">"))


def clean_str(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def fmt_int(x: float) -> str:
    return f"{int(round(x)):,}".replace(",", " ")


# ============================================================================================
# layers
# ============================================================================================
def build_region(data: Path) -> gpd.GeoDataFrame:
    prov = gpd.read_file(data / INPUTS["provincies"]).to_crs(CRS)
    region = gpd.GeoDataFrame(
        {
            "id": prov["provinciecode"].astype(str),
            "name": prov["provincie"].astype(str),
            "inwoners_2023": prov["aantalInwoners"].round().astype("int64"),
        },
        geometry=shapely.set_precision(prov.geometry.values, 0.1),
        crs=CRS,
    )
    return region.sort_values("id").reset_index(drop=True)


def build_municipalities(data: Path) -> gpd.GeoDataFrame:
    """The CBS municipality polygons (2023) with their names: map-only, so a reader can tell
    where a site is."""
    gem = gpd.read_file(data / INPUTS["gemeenten"]).to_crs(CRS)
    out = gpd.GeoDataFrame(
        {
            "id": gem["gemeentecode"].astype(str),
            "name": gem["gemeentenaam"].astype(str),
            "province": gem["provincie"].astype(str),
            "inwoners_2023": gem["aantalInwoners"].round().astype("int64"),
        },
        geometry=shapely.set_precision(gem.geometry.values, 0.1),
        crs=CRS,
    )
    return out.sort_values("id").reset_index(drop=True)


def build_demand(data: Path) -> tuple[gpd.GeoDataFrame, int]:
    pc4 = gpd.read_file(data / INPUTS["pc4"]).to_crs(CRS)
    n_zero = int((pc4["inwoners"] <= 0).sum())
    gem = pd.DataFrame(gpd.read_file(data / INPUTS["gemeenten"]).drop(columns="geometry"))
    gem["cars_per_inh"] = gem["personenautos_2024_cbs85984"] / gem["inwoners_2024_cbs85984"]
    pc4 = pc4[pc4["inwoners"] > 0].copy()
    pc4 = pc4.merge(
        gem[["gemeentecode", "cars_per_inh"]], on="gemeentecode", how="left", validate="m:1"
    )
    if pc4["cars_per_inh"].isna().any():
        missing = sorted(pc4.loc[pc4["cars_per_inh"].isna(), "gemeentecode"].unique())
        raise SystemExit(f"PC4 areas with a gemeente missing from gemeenten: {missing}")
    weight = pc4["inwoners"] * pc4["cars_per_inh"] * BEV_SHARE_2030 * FAST_SESSIONS_PER_BEV_DAY
    demand = gpd.GeoDataFrame(
        {
            "id": pc4["postcode"].astype(int).astype(str),
            "weight": weight.round(6).astype(float),
            "inwoners": pc4["inwoners"].astype("int64"),
            "cars_per_inh": pc4["cars_per_inh"].round(6).astype(float),
            "gemeente": clean_str(pc4["gemeentenaam_2023"]),
            "gemeentecode": clean_str(pc4["gemeentecode"]),
            "plaats": clean_str(pc4["plaats"]),
        },
        geometry=round_points(pc4.geometry.representative_point()).values,
        crs=CRS,
    )
    return demand.sort_values("id").reset_index(drop=True), n_zero


def record_chargers(df: pd.DataFrame) -> pd.Series:
    """DC chargers per OCPI record: max(1, min(n_evse, n_dc)) if both known, n_evse, else 1."""
    both = df["n_evse"].notna() & df["n_dc_connectors"].notna()
    out = pd.Series(1, index=df.index, dtype="int64")
    out[both] = np.maximum(
        1, np.minimum(df.loc[both, "n_evse"], df.loc[both, "n_dc_connectors"])
    ).astype("int64")
    only_evse = df["n_evse"].notna() & ~both
    out[only_evse] = np.maximum(1, df.loc[only_evse, "n_evse"]).astype("int64")
    return out


def existing_land_m2(chargers: pd.Series) -> pd.Series:
    # site_m2 is included so that the 4 extra chargers fit whether or not the engine charges
    # the fixed site land to existing (always open) sites.
    return SITE_M2 + M2_PER_CHARGER * (chargers + EXISTING_EXTRA_BAYS)


def build_existing(data: Path, region_union, dedup: bool) -> tuple[gpd.GeoDataFrame, dict]:
    raw = gpd.read_file(data / INPUTS["fast"]).to_crs(CRS)
    n_file = len(raw)
    raw = raw[raw.geometry.within(region_union)].copy()
    raw["location_id"] = raw["location_id"].astype(str)
    raw = raw.sort_values("location_id").reset_index(drop=True)
    raw["rec_chargers"] = record_chargers(raw)
    raw["rec_power"] = (
        raw["max_dc_power_kw"].fillna(raw["max_power_kw_lite"]).fillna(EXISTING_DEFAULT_POWER_KW)
    )
    raw["has_counts"] = raw["n_evse"].notna()
    raw["op_key"] = clean_str(raw["operator"]).str.lower()
    raw.loc[raw["op_key"] == "", "op_key"] = "?" + raw["location_id"]

    # union-find over same-operator records within DEDUP_RADIUS_M
    parent = list(range(len(raw)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if dedup:
        xy = np.c_[raw.geometry.x, raw.geometry.y]
        for i, j in sorted(cKDTree(xy).query_pairs(DEDUP_RADIUS_M)):
            if raw.at[i, "op_key"] == raw.at[j, "op_key"]:
                parent[max(find(i), find(j))] = min(find(i), find(j))
    raw["group"] = [find(i) for i in range(len(raw))]

    rows, summed_groups, lite_kept = [], [], []
    for _, grp in raw.groupby("group", sort=True):
        members = grp[grp["has_counts"]] if grp["has_counts"].any() else grp
        labelled = members[
            members["name"].fillna("").str.contains(UNIT_LABEL_RE)
            & (members["rec_chargers"] <= UNIT_MAX_CHARGERS)
        ]
        per_name = labelled.groupby(labelled["name"].str.strip().str.lower())["rec_chargers"].max()
        if len(per_name) >= 2 and len(labelled) == len(members):
            chargers = int(per_name.sum())
            summed_groups.append(sorted(labelled["name"].unique()))
        elif len(per_name) >= 2:
            chargers = int(
                per_name.sum()
                + members.loc[~members.index.isin(labelled.index), "rec_chargers"].max()
            )
            summed_groups.append(sorted(members["name"].unique()))
        else:
            chargers = int(members["rec_chargers"].max())
        rep = members.sort_values(
            ["rec_chargers", "has_counts", "location_id"],
            ascending=[False, False, True],
            kind="stable",
        ).iloc[0]
        if not rep["has_counts"]:
            lite_kept.append(f"{rep['name']} ({rep['operator']})")
        others = sorted(set(grp["location_id"]) - {rep["location_id"]})
        rows.append(
            {
                "id": "ndw-" + rep["location_id"],
                "name": str(rep["name"]).strip(),
                "operator": "" if pd.isna(rep["operator"]) else str(rep["operator"]).strip(),
                "chargers": chargers,
                "power_kw": float(grp["rec_power"].max()),
                "fixed_cost": 0.0,
                "cost_per_charger": COST_PER_CHARGER_EUR,
                "max_chargers": max(chargers, MAX_CHARGERS),
                "land_m2": 0.0,  # set below
                "gemeente": "" if pd.isna(rep["gemeente"]) else str(rep["gemeente"]),
                "n_records": len(grp),
                "merged_ids": ";".join(others),
                "geometry": rep.geometry,
            }
        )
    existing = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    existing["land_m2"] = existing_land_m2(existing["chargers"]).astype(float)
    existing["geometry"] = round_points(existing.geometry)
    existing = existing.sort_values("id").reset_index(drop=True)
    info = {
        "n_file": n_file,
        "n_in_region": len(raw),
        "n_sites": len(existing),
        "n_merged_groups": int((existing["n_records"] > 1).sum()),
        "records_merged_away": int(len(raw) - len(existing)),
        "chargers_if_not_deduplicated": int(raw["rec_chargers"].sum()),
        "summed_groups": summed_groups,
        "lite_kept": sorted(lite_kept),
        "n_lite_records": int((~raw["has_counts"]).sum()),
    }
    return existing, info


def osm_kind(row) -> str:
    if row["is_service_area"]:
        return "service_area"
    if row["is_rest_area"]:
        return "rest_area"
    return "truck_parking"


def build_osm_candidates(data: Path, region_union) -> gpd.GeoDataFrame:
    osm = gpd.read_file(data / INPUTS["osm"])
    osm = osm[osm["in_region"].astype(bool)].to_crs(CRS)
    is_point = osm.geom_type == "Point"
    pts = osm.geometry.where(is_point, osm.geometry.representative_point())
    inside = pts.within(region_union)
    if not inside.all():  # in_region is the source's flag; keep it consistent with our polygon
        print(
            f"note: {int((~inside).sum())} OSM features flagged in_region lie outside the region polygon; dropped"
        )
    osm, pts, is_point = osm[inside], pts[inside], is_point[inside]
    land = np.where(
        is_point, OSM_POINT_LAND_M2, OSM_POLYGON_LAND_SHARE * osm["area_m2"].astype(float)
    )
    cand = gpd.GeoDataFrame(
        {
            "id": "osm-" + osm["osm_id"].astype("int64").astype(str),
            "kind": [osm_kind(r) for _, r in osm.iterrows()],
            "name": clean_str(osm["name"]),
            "road": clean_str(osm["road"]),
            "fixed_cost": FIXED_COST_EUR,
            "cost_per_charger": COST_PER_CHARGER_EUR,
            "max_chargers": MAX_CHARGERS,
            "land_m2": np.round(land, 1).astype(float),
            "source_area_m2": np.round(osm["area_m2"].astype(float), 1),
            "osm_type": np.where(is_point, "node", "way"),
        },
        geometry=round_points(pts).values,
        crs=CRS,
    )
    if cand["id"].duplicated().any():
        raise SystemExit(
            "duplicate OSM ids (a node and a way share a number): use osm-node-/osm-way- ids"
        )
    return cand


def build_grid_candidates(
    demand: gpd.GeoDataFrame, region_union, anchors: np.ndarray
) -> tuple[gpd.GeoDataFrame, dict]:
    half = GRID_STEP_M / 2
    ix = np.floor((demand.geometry.x + half) / GRID_STEP_M).astype(int)
    iy = np.floor((demand.geometry.y + half) / GRID_STEP_M).astype(int)
    cells = (
        pd.DataFrame({"ix": ix, "iy": iy, "inw": demand["inwoners"]})
        .groupby(["ix", "iy"])["inw"]
        .sum()
    )
    cells = cells[cells >= GRID_MIN_INHABITANTS].reset_index()
    x = cells["ix"].to_numpy() * GRID_STEP_M
    y = cells["iy"].to_numpy() * GRID_STEP_M
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=CRS)
    inside = pts.within(region_union).to_numpy()
    dist = cKDTree(anchors).query(np.c_[x, y])[0]
    far = dist >= GRID_MIN_DIST_M
    keep = inside & far
    info = {
        "cells_over_threshold": len(cells),
        "outside_region": int((~inside).sum()),
        "too_close": int((inside & ~far).sum()),
        "kept": int(keep.sum()),
    }
    c = cells[keep]
    xk, yk = x[keep], y[keep]
    grid = gpd.GeoDataFrame(
        {
            "id": [f"grid-{int(a // 1000)}-{int(b // 1000)}" for a, b in zip(xk, yk, strict=True)],
            "kind": "grid",
            "name": [
                f"5 km cell at ({int(a // 1000)}, {int(b // 1000)}) km, {fmt_int(n)} inhabitants"
                for a, b, n in zip(xk, yk, c["inw"], strict=True)
            ],
            "road": "",
            "fixed_cost": FIXED_COST_EUR,
            "cost_per_charger": COST_PER_CHARGER_EUR,
            "max_chargers": MAX_CHARGERS,
            "land_m2": GRID_LAND_M2,
            "source_area_m2": 0.0,
            "osm_type": "",
        },
        geometry=gpd.points_from_xy(xk, yk),
        crs=CRS,
    )
    return grid, info


def build_grid_areas(data: Path) -> tuple[gpd.GeoDataFrame, int]:
    dso = gpd.read_file(data / INPUTS["dso"]).to_crs(CRS)
    used = ["beschikbare_capaciteit_afname_huidig_mva", "beschikbare_capaciteit_afname_3_jaar_mva"]
    n_less_than = int(sum(dso[c].astype(str).str.strip().str.startswith("<").sum() for c in used))
    ids = dso["station"].map(slugify)
    if ids.duplicated().any():  # make unique deterministically
        ids = ids + ids.groupby(ids).cumcount().map(lambda k: "" if k == 0 else f"-{k + 1}")
    areas = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": dso["station"].astype(str),
            "netbeheerder": dso["netbeheerder"].astype(str),
            "available_kw": dso["beschikbare_capaciteit_afname_huidig_mva"].map(parse_mva)
            * KW_PER_MVA,
            "total_kw": dso["totale_capaciteit_afname_mva"].map(parse_mva) * KW_PER_MVA,
            "available_kw_3yr": dso["beschikbare_capaciteit_afname_3_jaar_mva"].map(parse_mva)
            * KW_PER_MVA,
            "in_region": dso["in_region"].astype(bool),
            "upgrade_kw": UPGRADE_KW,
            "upgrade_cost": UPGRADE_COST_EUR,
            "status": dso["status"].astype(str),
            "peildatum": dso["peildatum"].astype(str),
        },
        geometry=round_points(dso.geometry).values,
        crs=CRS,
    )
    return areas.sort_values("id").reset_index(drop=True), n_less_than


# ============================================================================================
# instance.toml, README.md, SOURCES.md
# ============================================================================================
def instance_toml() -> str:
    layers = "\n".join(
        f'[layers.{n}]\nfile = "data.gpkg"\nlayer = "{n}"\nattribution = "{ATTRIBUTION[n]}"\n'
        for n in LAYER_ORDER
    )
    fast_rows = [
        (
            "objective",
            f'"{OBJECTIVE}"',
            "maximise sessions served within the radius under charger capacity",
        ),
        (
            "radius",
            f"{RADIUS_M:.1f}",
            "m [estimate] DOMAIN.md: fast-charging coverage radius 15 km",
        ),
        ("p", f"{P_NEW_SITES}", "new sites to open [estimate: planning choice]"),
        (
            "kw_per_charger",
            f"{KW_PER_CHARGER:.1f}",
            "kW [sourced, secondary] AFIR minimum high-power point",
        ),
        (
            "simultaneity",
            f"{SIMULTANEITY:.1f}",
            "[estimate] connection contracted for the chargers' full power",
        ),
        (
            "sessions_per_charger",
            f"{SESSIONS_PER_CHARGER:.1f}",
            "per day [derived] Fastned ~7.0-7.4 sessions/charger/day",
        ),
        (
            "m2_per_charger",
            f"{M2_PER_CHARGER:.1f}",
            "m2 [estimate] bay + charger + manoeuvring share",
        ),
        (
            "site_m2",
            f"{SITE_M2:.1f}",
            "m2 [estimate] transformer, switchgear, access of an open site",
        ),
        (
            "min_chargers",
            f"{MIN_CHARGERS}",
            "[estimate] cf. AFIR core 2027: >= 2 points >= 150 kW per pool",
        ),
        (
            "serve_all",
            str(SERVE_ALL).lower(),
            "maximise served demand (true: min cost to serve all coverable)",
        ),
    ]
    width = max(len(f"{k} = {v}") for k, v, _ in fast_rows) + 2
    fast = "".join(f"{f'{k} = {v}':<{width}}# {c}\n" for k, v, c in fast_rows)
    return f"""\
# NAL-regio Oost (Gelderland + Overijssel): where to add public fast chargers (2030 scenario).
# Built by scripts/build_nal_oost_fast.py from ../shared/data/nl-oost; see README.md (parameters,
# tags, what is synthetic) and SOURCES.md (origin and licences). Do not edit by hand: rebuild.
# Tags: [sourced] as published, [derived] arithmetic on sourced values, [estimate] no source.

name = "nal-oost-fast"
description = "Fast-charging sites in NAL-regio Oost (Gelderland + Overijssel): PC4 demand for a 2030 BEV scenario, existing DC >= 50 kW sites, OSM rest/service areas and a synthetic 5 km grid, DSO substation headroom (2023)."
model = "fast"
crs = "{CRS}"

# demand     one point per PC4 area, weight = fast-charging sessions per day (2030 scenario)
# existing   NDW DC >= 50 kW locations (mid-2026), open with their chargers; may be extended
# candidates OSM truck parkings / rest / service areas + synthetic 5 km grid points [estimate]
# grid_areas DSO substations (points): a site belongs to the area of its nearest substation
# region     province outlines, for maps only
# municipalities  CBS municipality outlines and names (2023), for maps only
# attribution     the credit each source asks for, printed on the maps (SOURCES.md)

{layers}
[fast]
{fast}"""


def parameter_rows() -> list[tuple[str, str, str, str]]:
    """(name, value, tag, source / note) for the README."""
    return [
        (
            "EV_NL_2030",
            f"{EV_NL_2030:,}",
            "[sourced]",
            "Klimaatakkoord ambition, 1.9 M EVs in NL by 2030 (~21 %); DOMAIN.md §2a (nklnederland.nl; vng.nl)",
        ),
        (
            "BEV_NL_END_2024",
            f"{BEV_NL_END_2024:,}",
            "[sourced]",
            "~558 000 BEVs end 2024; DOMAIN.md §2a (duurzaam-ondernemen.nl, RVO trendrapport 2025)",
        ),
        (
            "BEV_SHARE_NL_END_2024",
            f"{BEV_SHARE_NL_END_2024}",
            "[sourced]",
            "= 6.1 % of passenger cars (same source)",
        ),
        (
            "CARS_NL",
            f"{CARS_NL:,.0f}",
            "[derived]",
            "558 000 / 0.061; DOMAIN.md has no sourced national car total",
        ),
        (
            "BEV_SHARE_2030",
            f"{BEV_SHARE_2030:.4f}",
            "[derived]",
            "1.9 M / CARS_NL; car fleet held at 2024 size [estimate]; applied uniformly (no regional share known)",
        ),
        (
            "FAST_SESSIONS_PER_BEV_MONTH",
            f"{FAST_SESSIONS_PER_BEV_MONTH}",
            "[sourced]",
            "Nationaal Laadonderzoek: ~2 fast sessions per driver per month; DOMAIN.md §2a",
        ),
        ("DAYS_PER_MONTH", f"{DAYS_PER_MONTH}", "[derived]", "365 / 12"),
        ("FAST_SESSIONS_PER_BEV_DAY", f"{FAST_SESSIONS_PER_BEV_DAY:.5f}", "[derived]", "2 / 30.4"),
        (
            "cars per inhabitant",
            "per gemeente",
            "[sourced]",
            "personenautos_2024 / inwoners_2024, CBS 85984NED (gemeenten/)",
        ),
        (
            "FIXED_COST_EUR",
            f"{FIXED_COST_EUR:,.0f}",
            "[estimate]",
            "site development + grid connection of a new site; no current NL figure (DOMAIN.md §4)",
        ),
        (
            "COST_PER_CHARGER_EUR",
            f"{COST_PER_CHARGER_EUR:,.0f}",
            "[estimate]",
            "150 kW HPC charger installed; cf. US DOE proxy ≈$287 k per 350 kW point [derived, 2017]",
        ),
        (
            "MAX_CHARGERS",
            f"{MAX_CHARGERS}",
            "[estimate]",
            "per site; Fastned averages 4.3–5.9 chargers per station [derived]",
        ),
        (
            "EXISTING_DEFAULT_POWER_KW",
            f"{EXISTING_DEFAULT_POWER_KW:.0f}",
            "[estimate]",
            "power when a location reports none (selection is DC ≥ 50 kW)",
        ),
        (
            "EXISTING_EXTRA_BAYS",
            f"{EXISTING_EXTRA_BAYS}",
            "[estimate]",
            "existing land_m2 = site_m2 + m2_per_charger × (chargers + 4)",
        ),
        (
            "DEDUP_RADIUS_M",
            f"{DEDUP_RADIUS_M:.0f}",
            "[estimate]",
            "same-operator NDW records within 25 m = one site (see 'existing')",
        ),
        (
            "OSM_POLYGON_LAND_SHARE",
            f"{OSM_POLYGON_LAND_SHARE}",
            "[estimate]",
            "land_m2 = 25 % of the mapped polygon (the rest is roads and parking)",
        ),
        (
            "OSM_POINT_LAND_M2",
            f"{OSM_POINT_LAND_M2:.0f}",
            "[estimate]",
            "land at an OSM area mapped as a point",
        ),
        (
            "GRID_STEP_M",
            f"{GRID_STEP_M:.0f}",
            "[estimate]",
            "synthetic grid at multiples of 5 000 m (RD New); cell = 5 km square centred on the point",
        ),
        (
            "GRID_MIN_INHABITANTS",
            f"{GRID_MIN_INHABITANTS:,}",
            "[estimate]",
            "minimum inhabitants in a grid point's cell",
        ),
        ("GRID_LAND_M2", f"{GRID_LAND_M2:.0f}", "[estimate]", "land at a grid site"),
        (
            "GRID_MIN_DIST_M",
            f"{GRID_MIN_DIST_M:.0f}",
            "[estimate]",
            "grid points closer than this to an OSM candidate or existing site are dropped",
        ),
        (
            "KW_PER_MVA",
            f"{KW_PER_MVA:.0f}",
            "[estimate]",
            "MVA taken as MW at power factor 1; '<2' MVA read as 0 (conservative)",
        ),
        (
            "upgrade_kw / upgrade_cost",
            "0 / 0",
            "—",
            "no grid upgrade options in the default instance",
        ),
        (
            "fast.objective",
            OBJECTIVE,
            "—",
            "maximise sessions served within the radius under charger capacity",
        ),
        (
            "fast.radius",
            f"{RADIUS_M:.0f} m",
            "[estimate]",
            "DOMAIN.md §3: fast-charging coverage radius 15 km / 15 min",
        ),
        ("fast.p", f"{P_NEW_SITES}", "[estimate]", "planning choice: new sites"),
        (
            "fast.kw_per_charger",
            f"{KW_PER_CHARGER:.0f} kW",
            "[sourced, secondary]",
            "AFIR minimum high-power point",
        ),
        (
            "fast.simultaneity",
            f"{SIMULTANEITY}",
            "[estimate]",
            "connection contracted for full charger power",
        ),
        (
            "fast.sessions_per_charger",
            f"{SESSIONS_PER_CHARGER}",
            "[derived]",
            "Fastned ~7.0–7.4 sessions per charger per day (DOMAIN.md §2a)",
        ),
        (
            "fast.m2_per_charger",
            f"{M2_PER_CHARGER:.0f} m²",
            "[estimate]",
            "bay + charger + manoeuvring share",
        ),
        (
            "fast.site_m2",
            f"{SITE_M2:.0f} m²",
            "[estimate]",
            "transformer / switchgear / access of an open site",
        ),
        (
            "fast.min_chargers",
            f"{MIN_CHARGERS}",
            "[estimate]",
            "chargers at a new site; cf. AFIR core 2027 ≥ 2 points ≥ 150 kW",
        ),
        (
            "fast.serve_all",
            str(SERVE_ALL).lower(),
            "—",
            "maximise served demand rather than serve all at minimum cost",
        ),
    ]


def coverage_share(demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, radius: float) -> float:
    d = cKDTree(np.c_[sites.geometry.x, sites.geometry.y]).query(
        np.c_[demand.geometry.x, demand.geometry.y]
    )[0]
    return float(demand.loc[d <= radius, "weight"].sum() / demand["weight"].sum())


def nearest_station_stats(cand: gpd.GeoDataFrame, ga: gpd.GeoDataFrame) -> dict:
    """How candidates map to substations under the engine's nearest-substation rule."""
    _, idx = cKDTree(np.c_[ga.geometry.x, ga.geometry.y]).query(
        np.c_[cand.geometry.x, cand.geometry.y]
    )
    near = ga.iloc[idx].reset_index(drop=True)
    outside = near[~near["in_region"]]
    return {
        "cand_nearest_headroom": int((near["available_kw"] > 0).sum()),
        "cand_nearest_outside": len(outside),
        "cand_nearest_outside_names": outside["name"].value_counts().sort_index().to_dict(),
    }


def totals(layers: dict[str, gpd.GeoDataFrame]) -> dict:
    dem, ex, cand, ga = (layers[k] for k in ("demand", "existing", "candidates", "grid_areas"))
    return {
        "demand_rows": len(dem),
        "inwoners": int(dem["inwoners"].sum()),
        "sessions_per_day": float(dem["weight"].sum()),
        "bevs_2030": float((dem["inwoners"] * dem["cars_per_inh"]).sum() * BEV_SHARE_2030),
        "cars": float((dem["inwoners"] * dem["cars_per_inh"]).sum()),
        "chargers_needed": float(dem["weight"].sum() / SESSIONS_PER_CHARGER),
        "existing_sites": len(ex),
        "existing_chargers": int(ex["chargers"].sum()),
        "existing_capacity": float(ex["chargers"].sum() * SESSIONS_PER_CHARGER),
        "existing_kw": float((ex["chargers"] * ex["power_kw"]).sum()),
        "covered_by_existing": coverage_share(dem, ex, RADIUS_M),
        "candidates": len(cand),
        "candidates_by_kind": cand["kind"].value_counts().sort_index().to_dict(),
        "grid_areas": len(ga),
        "grid_in_region": int(ga["in_region"].sum()),
        "grid_zero": int((ga["available_kw"] <= 0).sum()),
        "grid_zero_in_region": int(((ga["available_kw"] <= 0) & ga["in_region"]).sum()),
        "grid_available_kw_in_region": float(ga.loc[ga["in_region"], "available_kw"].sum()),
        "grid_total_kw_in_region": float(ga.loc[ga["in_region"], "total_kw"].sum()),
        "grid_zero_3yr": int((ga["available_kw_3yr"] <= 0).sum()),
        "region_rows": len(layers["region"]),
        **nearest_station_stats(cand, ga),
    }


def readme_text(layers, t, ex_info, grid_info, notes) -> str:
    dem, ex, cand, ga = (layers[k] for k in ("demand", "existing", "candidates", "grid_areas"))
    kinds = ", ".join(f"{k} {v}" for k, v in t["candidates_by_kind"].items())
    params = "\n".join(f"| `{n}` | {v} | {tag} | {src} |" for n, v, tag, src in parameter_rows())
    summed = "; ".join(" + ".join(g) for g in ex_info["summed_groups"]) or "none"
    lite = "; ".join(ex_info["lite_kept"]) or "none"
    nonzero = ga[ga["available_kw"] > 0].sort_values("available_kw", ascending=False)
    nonzero_txt = ", ".join(
        f"{r.name} {r.available_kw / 1000:.0f} MW" for r in nonzero.itertuples()
    )
    by_name = ga.set_index("name")
    outside_txt = (
        ", ".join(
            f"{k} {v} ({by_name.at[k, 'available_kw'] / 1000:.0f} / {by_name.at[k, 'available_kw_3yr'] / 1000:.0f} MW)"
            for k, v in t["cand_nearest_outside_names"].items()
        )
        or "none"
    )
    zero_by_dso = "; ".join(
        f"{d}: {int((g['available_kw'] <= 0).sum())} of {len(g)} at 0 kW"
        for d, g in ga[ga["in_region"]].groupby("netbeheerder", sort=True)
    )
    big = ex.sort_values(["chargers", "id"], ascending=[False, True]).head(4)
    largest = ", ".join(f"{r.name} {r.chargers}" for r in big.itertuples())
    cpi = dem.groupby("gemeente")["cars_per_inh"].first().sort_values(ascending=False)
    top_cpi = ", ".join(f"{g} {v:.2f}" for g, v in cpi.head(2).items())
    small_osm = int(
        (
            (cand["kind"] != "grid") & (cand["land_m2"] < SITE_M2 + MIN_CHARGERS * M2_PER_CHARGER)
        ).sum()
    )
    riegmeer = ga[ga["status"].str.lower().str.startswith("gepland")]
    planned = (
        ", ".join(
            f"{r.name} ({r.netbeheerder}, total {r.total_kw:.0f} kW)" for r in riegmeer.itertuples()
        )
        or "none"
    )
    return f"""\
# nal-oost-fast — public fast charging in NAL-regio Oost (Gelderland + Overijssel)

**What it is.** The default instance of the `fast` model for the NAL region Oost: where should
{P_NEW_SITES} new public fast-charging sites (150 kW chargers) go so that as many fast-charging sessions
as possible can be served within {RADIUS_M / 1000:.0f} km, given the fast chargers that already exist, the land at
each candidate site and the spare capacity of the nearest DSO substation? Demand is a **2030 scenario**
(the national 1.9 M EV ambition spread over today's cars), not a measurement. Real data: population per
postcode (CBS), cars per municipality (CBS), existing fast chargers (NDW), OSM rest/service areas and
truck parkings, substation headroom (PDOK/VIVET 2023). **Synthetic ([estimate]):** the 5 km candidate
grid, all costs, all land areas, the site-size limits and the planning choices (radius, p).

All layers are in `data.gpkg`, CRS EPSG:28992 (RD New, metres). Ids are strings, rows sorted by id.

## Layers

| layer | rows | geometry | content |
|---|---|---|---|
| `demand` | {len(dem)} | point | one per inhabited PC4 area (representative point of the polygon); `id` = PC4 code, `weight` = fast sessions/day, `inwoners` (CBS 1-1-2021), `cars_per_inh` (gemeente, 2024), `gemeente`, `gemeentecode`, `plaats` |
| `existing` | {len(ex)} | point | NDW DC ≥ 50 kW locations inside the region, after merging duplicate records; `id` = "ndw-" + OCPI location_id, `name`, `operator`, `chargers`, `power_kw`, `fixed_cost` 0, `cost_per_charger`, `max_chargers`, `land_m2`, `gemeente`, `n_records`, `merged_ids` |
| `candidates` | {len(cand)} | point | {kinds}; `id`, `kind`, `name`, `road`, `fixed_cost`, `cost_per_charger`, `max_chargers`, `land_m2`, `source_area_m2` (OSM polygon area, 0 otherwise), `osm_type`. No `grid_area` column: the engine joins each site to its nearest substation |
| `grid_areas` | {len(ga)} | point | DSO substations ≥ 25 kV ({t["grid_in_region"]} in the region + {len(ga) - t["grid_in_region"]} within 15 km of it); `id` (slug of the name), `name`, `netbeheerder`, `available_kw`, `total_kw`, `available_kw_3yr`, `in_region`, `upgrade_kw` 0, `upgrade_cost` 0, `status`, `peildatum` |
| `region` | {len(layers["region"])} | polygon | province outlines (Gelderland, Overijssel), for maps |
| `municipalities` | {len(layers["municipalities"])} | polygon | CBS municipalities 2023 (`id` = gemeentecode, `name`, `province`, `inwoners_2023`), for maps only: outlines and place names on map.png |

### demand
`weight = inwoners × cars_per_inh(gemeente) × BEV_SHARE_2030 × FAST_SESSIONS_PER_BEV_DAY`
= inwoners × cars/inh × {BEV_SHARE_2030:.4f} × {FAST_SESSIONS_PER_BEV_DAY:.5f}. PC4 areas with 0 inhabitants are dropped
({notes["n_zero_pc4"]} in the current data). Population is 1 Jan 2021 (PC4), cars and inhabitants for the ratio are 2024 (gemeente).

### existing
From `charging_stations/ndw_fast_charging_dc50plus_oost.geojson` ({ex_info["n_in_region"]} records, all inside the region polygon).
- `chargers` per record = max(1, min(n_evse, n_dc_connectors)) when both are known, else n_evse, else 1
  (min because a multi-standard EVSE has several DC connectors but charges one car; an AC+DC site may
  have more EVSEs than DC connectors).
- **Duplicates merged** ({ex_info["n_in_region"]} records → {ex_info["n_sites"]} sites; {ex_info["n_merged_groups"]} sites merge ≥ 2 records): the NDW feed lists many sites
  twice under two OCPI ids (Shell "NLxxxx - …" legacy ids next to address-named ones, Fastned numeric
  + UUID ids, Lidl/Eneco pairs). Records of the same operator within {DEDUP_RADIUS_M:.0f} m are one site; records without
  EVSE counts are dropped when a record with counts exists; chargers = max over the records, except
  where ≥ 2 distinct names carry a unit label ("#02", "Lp 1", "Lader 11", "links/midden/rechts", a quoted
  name) and hold ≤ {UNIT_MAX_CHARGERS} chargers each: those are separately registered chargers and are summed ({summed}).
  The representative record (most chargers, then with counts, then lowest id) gives `id`, `name`, `operator`
  and position; `merged_ids` lists the other location_ids. Without merging the records would sum to
  {ex_info["chargers_if_not_deduplicated"]} chargers instead of {t["existing_chargers"]}.
- `power_kw` = max_dc_power_kw, else max_power_kw_lite, else {EXISTING_DEFAULT_POWER_KW:.0f} (max over merged records).
- `cost_per_charger` = €{COST_PER_CHARGER_EUR:,.0f} (extra chargers may be added), `fixed_cost` 0,
  `max_chargers` = max(chargers, {MAX_CHARGERS}), `land_m2` = site_m2 + m2_per_charger × (chargers + {EXISTING_EXTRA_BAYS}) [estimate]
  (site_m2 is included so that the 4 extra bays fit whether or not the engine charges the fixed site land to existing sites).

### candidates
- **OSM** (`truck_parking/`, `in_region` True): `id` = "osm-" + OSM id, `kind` = service_area / rest_area / truck_parking
  (source flags, in that precedence), position = the point, or the representative point of the polygon;
  `land_m2` = {OSM_POLYGON_LAND_SHARE:.0%} of the polygon area or {OSM_POINT_LAND_M2:.0f} m² for point features [estimate].
- **Grid** [estimate, synthetic]: points of the regular {GRID_STEP_M / 1000:.0f} km grid (EPSG:28992, x and y multiples of {GRID_STEP_M:.0f} m) inside the
  region polygon whose cell (the {GRID_STEP_M / 1000:.0f} km square centred on the point) holds ≥ {GRID_MIN_INHABITANTS:,} inhabitants (sum of the demand points'
  `inwoners`); they stand for "a plot near a town centre or exit". {grid_info["cells_over_threshold"]} cells pass the threshold,
  {grid_info["outside_region"]} of their points lie outside the region, {grid_info["too_close"]} lie within {GRID_MIN_DIST_M:.0f} m of an OSM candidate or existing site
  and are dropped: {grid_info["kept"]} remain. `id` = "grid-<x_km>-<y_km>", `land_m2` {GRID_LAND_M2:.0f}.
- All candidates: `fixed_cost` €{FIXED_COST_EUR:,.0f}, `cost_per_charger` €{COST_PER_CHARGER_EUR:,.0f}, `max_chargers` {MAX_CHARGERS} [estimates].

### grid_areas
All {len(ga)} substations of `grid_capacity/dso_stations_capaciteit_oost.geojson`, including those in the 15 km buffer
(a site near the border may be nearest to one outside). `available_kw` = beschikbare_capaciteit_afname_huidig_mva × {KW_PER_MVA:.0f}
(MVA taken as MW at power factor 1 [estimate]); `total_kw` = totale_capaciteit_afname_mva × {KW_PER_MVA:.0f};
`available_kw_3yr` = beschikbare_capaciteit_afname_3_jaar_mva × {KW_PER_MVA:.0f}. Strings such as "<2" are read as 0
(conservative: less than 2 MVA may be 0); the "now" and "3 year" columns hold {notes["n_less_than"]} such strings in the current data
(the 10-year columns, not used, hold more). No upgrade options (`upgrade_kw` = `upgrade_cost` = 0).

## Parameters

| name | value | tag | source / note |
|---|---|---|---|
{params}

The `[fast]` values are in `instance.toml`; override one with `siting solve --set fast.p=12`.

## Measured totals

- Demand: {len(dem)} PC4 areas, {fmt_int(t["inwoners"])} inhabitants, {fmt_int(t["cars"])} cars, {fmt_int(t["bevs_2030"])} BEVs in the 2030 scenario,
  **{t["sessions_per_day"]:,.0f} fast sessions/day** ⇒ ≈{t["chargers_needed"]:,.0f} chargers at {SESSIONS_PER_CHARGER:.0f} sessions/charger/day.
- Existing: {len(ex)} sites, **{t["existing_chargers"]} DC chargers** (capacity ≈{t["existing_capacity"]:,.0f} sessions/day; ≈{t["existing_kw"] / 1000:,.0f} MW at their max power);
  {t["covered_by_existing"]:.1%} of the demand lies within {RADIUS_M / 1000:.0f} km of an existing site.
- Candidates: {len(cand)} ({kinds}).
- Headroom: **{t["grid_zero"]} of {len(ga)} grid areas have 0 kW available** ({t["grid_zero_in_region"]} of the {t["grid_in_region"]} in the region);
  in the region {t["grid_available_kw_in_region"] / 1000:,.0f} of {t["grid_total_kw_in_region"] / 1000:,.0f} MW offtake is available; {t["grid_zero_3yr"]} areas have 0 kW in 3 years.
  Areas with headroom: {nonzero_txt}.

## Caveats (read before trusting a result)

- Demand is a scenario: a national 2030 ambition share applied uniformly to 2024 car ownership and 2021
  population; ~2 fast sessions per driver per month comes from today's (early-adopter) drivers. Cars per inhabitant
  vary from {dem["cars_per_inh"].min():.2f} to {dem["cars_per_inh"].max():.2f}; the highest ({top_cpi}) probably include lease or
  company registrations.
- Existing sites: {ex_info["n_lite_records"]} NDW records carry no EVSE counts; where no counted duplicate exists they get 1 charger
  (undercount): {lite}. The merge rule is a heuristic (see above). Largest sites: {largest} — check these
  (an operator may publish every connector, e.g. CCS and CHAdeMO, as its own EVSE).
- Grid: the substation data is from 2023 (Enexis 2023-02-01, Liander 2023-04-21); in the region {zero_by_dso}. Positions are substation points, not service areas; "nearest substation" is a proxy.
  Planned station(s) with no capacity in the list: {planned}. Under the nearest-substation rule
  {t["cand_nearest_headroom"]} of {len(cand)} candidates fall in an area with headroom; {t["cand_nearest_outside"]} are nearest to a station outside the
  region: {outside_txt} (number of candidates; available now / in 3 years).
- OSM candidates are heuristic (many `rest_area` points are small lay-bys on N-roads); {small_osm} OSM candidates have less land
  than an open site with {MIN_CHARGERS} chargers needs ({SITE_M2 + MIN_CHARGERS * M2_PER_CHARGER:.0f} m²).
- Costs and land are estimates without a Dutch source (DOMAIN.md §4).

## Rebuild

```
.venv/bin/python scripts/build_nal_oost_fast.py --overwrite
```
Options: `--data DIR` (default `../shared/data/nl-oost` from the repo root), `--out DIR` (default
`instances/nal-oost-fast`), `--overwrite`, `--no-dedup-existing`. The build is deterministic (same inputs ⇒
identical files). Inputs and licences: SOURCES.md.
"""


SOURCES_MD = """\
# Sources of nal-oost-fast

Every layer of `data.gpkg` is derived from files in `../shared/data/nl-oost` (staged copy; paths below are
relative to it). Origins as stated in that folder's SOURCES.md files. The instance redistributes derived data:
keep the attributions below, and note that the `candidates` layer (OSM part) is a derivative of OpenStreetMap
data and therefore under ODbL 1.0.

## gemeenten/provincies_oost.geojson → `region`; region polygon for clipping
- Dissolve of the gemeente polygons below.
- Origin: GitHub `stdekker/open-data-maps` @ `3c7197e5958fc81cfd72e24c65c313747d3431b7`:`web/data/gemeenten.json`
  (mapshaper-simplified export of the PDOK WFS `https://service.pdok.nl/cbs/wijkenbuurten/2023/wfs/v1_0`, layer
  `wijkenbuurten:gemeenten`, CBS/Kadaster Wijk- en Buurtkaart 2023, land-only polygons).
- Licence: repo code GPL-3.0; data CBS/Kadaster open data, CC BY 4.0. Attribution: "CBS / Kadaster, Wijk- en Buurtkaart 2023".

## gemeenten/gemeenten_2023_oost.geojson → `municipalities` (map only)
- Fields used: `gemeentecode` → `id`, `gemeentenaam` → `name`, `provincie` → `province`, `aantalInwoners` → `inwoners_2023`;
  geometry reprojected to EPSG:28992, coordinates rounded to 0.1 m. Simplified (mapshaper) outlines: for maps, not for cadastral work.
- Origin and licence as for provincies above (`stdekker/open-data-maps` @ `3c7197e5958fc81cfd72e24c65c313747d3431b7`:`web/data/gemeenten.json`,
  CBS/Kadaster Wijk- en Buurtkaart 2023, CC BY 4.0). Attribution: "CBS / Kadaster, Wijk- en Buurtkaart 2023"
  (instance.toml gives it as the layer's `attribution`; every map drawn from this instance prints it).

## gemeenten/gemeenten_2023_oost.geojson → `demand` (cars per inhabitant)
- Fields used: `gemeentecode`, `inwoners_2024_cbs85984`, `personenautos_2024_cbs85984`.
- Origin of the car counts: GitHub `robbertj85/laadpalenviewer` @ `c7826225c367781f513c4a6ec8e4869ef84d04fc`:
  `webapp/public/data/derived/gemeente-metrics.geojson` (values from CBS StatLine 85984NED "Kerncijfers wijken en buurten 2024").
- Licence: CBS data CC BY 4.0 (repo MIT). Attribution: "CBS".
- Geometry/kerncijfers as for provincies above (`stdekker/open-data-maps` @ `3c7197e5958fc81cfd72e24c65c313747d3431b7`:`web/data/gemeenten.json`).

## population_pc4/pc4_inwoners_oost.geojson → `demand`
- Origin: GitHub `certe-medical-epidemiology/certegis` @ `53de1e113b5516811ff12c68ad33a5c3c51826e3`:
  `data/geo_postcodes4.rda` (sf object, EPSG:28992) and `data/postcodes.rda` (place names).
- Underlying data: CBS "Kerncijfers per postcode" PC4 geometry (ZIP 2020 v1) and CBS StatLine 83502NED population per PC4 on 1 Jan 2021.
- Licence: CBS open data, CC BY 4.0 (package code GPL-2). Attribution: "CBS".

## charging_stations/ndw_fast_charging_dc50plus_oost.geojson → `existing`
- Origin: GitHub `robbertj85/laadpalenviewer` (MIT) @ `c7826225c367781f513c4a6ec8e4869ef84d04fc` (data generated 2026-06-07T19:22Z):
  per-gemeente files `webapp/public/data/gemeenten/<slug>.geojson` and `<slug>.details.json`, built from the NDW national access point
  for AFIR charging data (`https://opendata.ndw.nu/charging_point_locations_ocpi.json.gz`); freight-layer sites from the repo's national
  `nederland-freight.geojson` (incl. 2 hand-curated hubs: Milence Zwolle Hessenpoort, WattHub Geldermalsen).
- Licence: NDW/DOT-NL data provided free and open under the EU AFIR obligation (NDW open data; licence statement not verified). Attribution: "NDW / DOT-NL".

## truck_parking/osm_truck_parking_rest_areas_oost.geojson → `candidates` (kind service_area / rest_area / truck_parking)
- Origin: GitHub `robbertj85/verzorgingsplaatsen` (MIT code) @ `cb34870a9c9d77da2ec71b41974bebbb2e0c27bf`:
  `truck-parking-map/public/truck_parking_facilities.geojson` (OSM via Overpass, 2025-10-30), joined with `truck_parking_enriched.json`.
- Licence: OpenStreetMap data, ODbL 1.0. Attribution: "© OpenStreetMap contributors".

## grid_capacity/dso_stations_capaciteit_oost.geojson → `grid_areas`
- Origin: PDOK dataset "Beschikbare capaciteit elektriciteitsnet" (VIVET; data from the regional grid operators, published by Kadaster,
  `https://service.pdok.nl/kadaster/netcapaciteit/atom/v1_0/downloads/beschikbare_capaciteit_elektriciteitsnet.gpkg`); copy from GitHub
  `maantjemol/S4Energy` @ `343442edb0c9b88b549b0c03c34dcb0d71a8efe6`:`output/all_stations.csv` (identical blob at `24280ef`).
  Peildatum Enexis 2023-02-01, Liander 2023-04-21.
- Licence: open data on PDOK (licence text not verified; PDOK datasets are CC0 or CC BY 4.0). Attribution: "VIVET / netbeheerders, via PDOK".

## Not from data
The synthetic grid candidates, all costs, land areas and model parameters are constants in
`scripts/build_nal_oost_fast.py` (tags and sources in README.md and DOMAIN.md).
"""


# ============================================================================================
# checks
# ============================================================================================
NUMERIC = {
    "demand": ["weight", "inwoners", "cars_per_inh"],
    "existing": [
        "chargers",
        "power_kw",
        "fixed_cost",
        "cost_per_charger",
        "max_chargers",
        "land_m2",
    ],
    "candidates": ["fixed_cost", "cost_per_charger", "max_chargers", "land_m2"],
    "grid_areas": ["available_kw", "total_kw", "available_kw_3yr", "upgrade_kw", "upgrade_cost"],
    "region": [],
    "municipalities": ["inwoners_2023"],
}


def check_instance(out: Path) -> dict[str, gpd.GeoDataFrame]:
    """Re-read what was written and assert the basic contract; returns the layers."""
    import pyogrio

    cfg = tomllib.loads((out / "instance.toml").read_text(encoding="utf-8"))
    try:  # the engine's own schema, when the package is importable
        from siting.config import parse_config
        from siting.fast.params import FastConfig

        parse_config(cfg, FastConfig)
    except ImportError:
        pass
    names = [n for n, _ in pyogrio.list_layers(out / "data.gpkg")]
    assert sorted(names) == sorted(LAYER_ORDER), names
    layers = {}
    for name in LAYER_ORDER:
        assert cfg["layers"][name] == {
            "file": "data.gpkg",
            "layer": name,
            "attribution": ATTRIBUTION[name],
        }, name
        g = gpd.read_file(out / "data.gpkg", layer=name)
        assert g.crs is not None and g.crs.to_epsg() == 28992, (name, g.crs)
        assert len(g) > 0, f"{name} is empty"
        assert g["id"].is_unique, f"{name}: duplicate ids"
        assert list(g["id"]) == sorted(g["id"]), f"{name}: not sorted by id"
        for col in NUMERIC[name]:
            assert not g[col].isna().any(), f"{name}.{col} has NaN"
        assert g.geometry.notna().all() and not g.geometry.is_empty.any(), f"{name}: empty geometry"
        layers[name] = g
    assert (layers["demand"]["weight"] > 0).all(), "demand weight must be > 0"
    assert (layers["existing"]["chargers"] >= 1).all()
    assert (layers["existing"]["max_chargers"] >= layers["existing"]["chargers"]).all()
    for name in ("demand", "existing", "candidates", "grid_areas"):
        assert (layers[name].geom_type == "Point").all(), f"{name}: not all points"
    for name in ("region", "municipalities"):
        assert layers[name].geom_type.isin(["Polygon", "MultiPolygon"]).all(), f"{name}: not all polygons"
        assert layers[name].is_valid.all(), f"{name}: invalid polygons"
    return layers


# ============================================================================================
# main
# ============================================================================================
def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    for name in LAYER_ORDER:
        layers[name].to_file(path, layer=name, driver="GPKG", engine="pyogrio")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="staged nl-oost data (default: ../shared/data/nl-oost from the repo root)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="instance folder (default: instances/nal-oost-fast)",
    )
    ap.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the files of an existing, non-empty out folder",
    )
    ap.add_argument(
        "--no-dedup-existing",
        action="store_true",
        help="keep every NDW record as its own existing site",
    )
    args = ap.parse_args(argv)

    data, out = args.data.resolve(), args.out.resolve()
    for rel in INPUTS.values():
        if not (data / rel).exists():
            ap.error(f"input not found: {data / rel}")
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        ap.error(f"{out} exists and is not empty; pass --overwrite to replace it")

    region = build_region(data)
    region_union = shapely.union_all(
        gpd.read_file(data / INPUTS["provincies"]).to_crs(CRS).geometry.values
    )
    demand, n_zero_pc4 = build_demand(data)
    existing, ex_info = build_existing(
        data, region_union, dedup=DEDUPLICATE_EXISTING and not args.no_dedup_existing
    )
    osm = build_osm_candidates(data, region_union)
    anchors = np.r_[
        np.c_[osm.geometry.x, osm.geometry.y], np.c_[existing.geometry.x, existing.geometry.y]
    ]
    grid, grid_info = build_grid_candidates(demand, region_union, anchors)
    candidates = gpd.GeoDataFrame(
        pd.concat([osm, grid], ignore_index=True), geometry="geometry", crs=CRS
    )
    candidates = candidates.sort_values("id").reset_index(drop=True)
    for col in ("fixed_cost", "cost_per_charger", "land_m2", "source_area_m2"):
        candidates[col] = candidates[col].astype(float)
    candidates["max_chargers"] = candidates["max_chargers"].astype("int64")
    grid_areas, n_less_than = build_grid_areas(data)
    notes = {"n_zero_pc4": n_zero_pc4, "n_less_than": n_less_than}
    layers = {
        "demand": demand,
        "existing": existing,
        "candidates": candidates,
        "grid_areas": grid_areas,
        "region": region,
        "municipalities": build_municipalities(data),
    }
    t = totals(layers)

    # build in the system temp dir (never inside the repo), check, then copy into place
    with tempfile.TemporaryDirectory(prefix="nal-oost-fast-") as tmp_name:
        tmp = Path(tmp_name)
        write_gpkg(tmp / "data.gpkg", layers)
        (tmp / "instance.toml").write_text(instance_toml(), encoding="utf-8")
        (tmp / "README.md").write_text(
            readme_text(layers, t, ex_info, grid_info, notes), encoding="utf-8"
        )
        (tmp / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
        check_instance(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for f in sorted(tmp.iterdir()):
            shutil.copyfile(f, out / f.name)
    check_instance(out)

    print(f"wrote {out}")
    for name in LAYER_ORDER:
        print(f"  {name:<11} {len(layers[name]):>5} rows")
    print(
        f"  demand: {t['inwoners']:,} inhabitants, {t['sessions_per_day']:,.0f} fast sessions/day (2030 scenario), "
        f"≈{t['chargers_needed']:,.0f} chargers at {SESSIONS_PER_CHARGER:.0f}/day"
    )
    print(
        f"  existing: {t['existing_sites']} sites ({ex_info['n_in_region']} NDW records), {t['existing_chargers']} DC chargers; "
        f"{t['covered_by_existing']:.1%} of demand within {RADIUS_M / 1000:.0f} km"
    )
    print(f"  candidates: {t['candidates']} {t['candidates_by_kind']}")
    print(
        f"  grid areas: {t['grid_zero']} of {t['grid_areas']} at 0 kW ({t['grid_zero_in_region']} of {t['grid_in_region']} in region); "
        f"in-region available {t['grid_available_kw_in_region'] / 1000:,.0f} of {t['grid_total_kw_in_region'] / 1000:,.0f} MW"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
