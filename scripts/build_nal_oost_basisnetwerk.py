#!/usr/bin/env python3
"""Build the white-spot instance `instances/nal-oost-basisnetwerk` (regular public charging, NAL-regio Oost).

Reads the staged public data in `../shared/data/nl-oost` and writes

    data.gpkg      EPSG:28992, layers cells (CBS 500 m schema), public_points, plan_locations,
                   municipalities, grid_areas, region
    instance.toml  README.md  SOURCES.md

Every number not read from a data file is a named constant below, tagged as in DOMAIN.md. The cells are
[derived] (CBS does not publish its 500 m grid in the staged data): households per PC4 area (inhabitants
2021 / the municipality's mean household size 2023) spread over the 500 m cells by area (areal weighting).
The plan-map layer is a generated placeholder [estimate]: no municipality's plankaart is published.
Deterministic (seeded, sorted, coordinates rounded, the GeoPackage date pinned).

Run:  .venv/bin/python scripts/build_nal_oost_basisnetwerk.py --overwrite
"""

# ruff: noqa: E501  (README / SOURCES text)
from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# the fast instance's script; scripts/ is on the path when this runs as a script
from build_nal_oost_fast import parse_mva, slugify

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "data" / "nl-oost"
DEFAULT_OUT = REPO_ROOT / "instances" / "nal-oost-basisnetwerk"
CRS = "EPSG:28992"
GPKG_DATE = "2000-01-01T00:00:00Z"
CELL_M = 500.0
INPUTS = {
    "pc4": "population_pc4/pc4_inwoners_oost.geojson",
    "gemeenten": "gemeenten/gemeenten_2023_oost.geojson",
    "provincies": "gemeenten/provincies_oost.geojson",
    "ndw": "charging_stations/ndw_charging_locations_oost.csv",
    "dso": "grid_capacity/dso_stations_capaciteit_oost.geojson",
}
KW_PER_MVA = 1000.0  # [derived] 1 MVA ~ 1 000 kW at cos(phi) = 1
SECRET_BELOW = 5  # [estimate] cells with fewer households get CBS's code -99997 ("geheim"), as CBS does for small counts
SECRET = -99997  # [sourced] CBS no-data code "geheim"
# CBS urbanity classes by addresses per km2 (1: >= 2500, 2: 1500-2500, 3: 1000-1500, 4: 500-1000, 5: < 500) [sourced, CBS
# definition]; here households per km2 stand in for addresses [derived, rough: every household one address]
URBANITY_LIMITS = (2500.0, 1500.0, 1000.0, 500.0)
SEED = 20240701  # plan-map placeholder
P_DESIGNATED, P_REQUESTED = 0.55, 0.15  # [estimate] share of white cells (>= 125 households) given a designated / requested location
P_REALISED = 0.05  # [estimate] share of covered cells whose plan map lists a realised location
PLAN_OFFSET_M = 230.0  # [estimate] a location lies up to this far from its cell's centre (inside the 250 m reach)
LAND_M2, LAND_SHORT_M2, P_LAND_SHORT = 30.0, 10.0, 0.05  # [estimate] space at a location; 5 % too small for 2 bays
PROCEDURE = "concession"  # [estimate] DOMAIN.md: the Oost concession (Vattenfall) covers Gelderland + Overijssel; opt-outs not staged


def build_municipalities(data: Path) -> gpd.GeoDataFrame:
    gem = gpd.read_file(data / INPUTS["gemeenten"]).to_crs(CRS)
    out = gpd.GeoDataFrame({
        "id": gem["gemeentecode"].astype(str), "name": gem["gemeentenaam"].astype(str),
        "province": gem["provincie"].astype(str), "procedure": PROCEDURE,
        "households_2023": gem["aantalHuishoudens"].round().astype("int64"),
        "household_size": gem["gemiddeldeHuishoudsgrootte"].astype(float),
    }, geometry=shapely.set_precision(gem.geometry.values, 0.1), crs=CRS)
    return out.sort_values("id").reset_index(drop=True)


def build_region(data: Path) -> gpd.GeoDataFrame:
    prov = gpd.read_file(data / INPUTS["provincies"]).to_crs(CRS)
    return gpd.GeoDataFrame({"id": prov["provinciecode"].astype(str), "name": prov["provincie"].astype(str)},
                            geometry=shapely.set_precision(prov.geometry.values, 0.1), crs=CRS).sort_values("id")


def build_cells(data: Path, muni: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Areal weighting: each PC4 area's households spread over the cells it overlaps, by overlap area."""
    pc4 = gpd.read_file(data / INPUTS["pc4"]).to_crs(CRS)
    size = muni.set_index("id")["household_size"]
    pc4["households"] = pc4["inwoners"] / pc4["gemeentecode"].map(size)
    pc4 = pc4[pc4["households"] > 0].reset_index(drop=True)
    x0, y0, x1, y1 = pc4.total_bounds
    xs = np.arange(math.floor(x0 / CELL_M) * CELL_M, x1, CELL_M)
    ys = np.arange(math.floor(y0 / CELL_M) * CELL_M, y1, CELL_M)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    boxes = shapely.box(gx, gy, gx + CELL_M, gy + CELL_M)
    tree = shapely.STRtree(boxes)
    polys = pc4.geometry.values
    p_idx, c_idx = tree.query(polys, predicate="intersects")
    share = shapely.area(shapely.intersection(polys[p_idx], boxes[c_idx])) / shapely.area(polys[p_idx])
    hh = np.bincount(c_idx, weights=pc4["households"].to_numpy()[p_idx] * share, minlength=len(boxes))
    inh = np.bincount(c_idx, weights=pc4["inwoners"].to_numpy()[p_idx] * share, minlength=len(boxes))
    keep = np.flatnonzero(np.round(hh) >= 1)
    households = np.round(hh[keep]).astype(np.int64)
    density = households / (CELL_M * CELL_M / 1e6)
    urbanity = np.clip(5 - np.sum(density[:, None] >= np.array(URBANITY_LIMITS)[None, :], axis=1), 1, 5)
    secret = households < SECRET_BELOW
    code = [f"E{int(x // 100):04d}N{int(y // 100):04d}" for x, y in zip(gx[keep], gy[keep], strict=True)]
    cells = gpd.GeoDataFrame({
        "crs28992res500m": code,
        "aantal_inwoners": np.where(secret, SECRET, np.round(inh[keep])).astype(np.int64),
        "aantal_part_huishoudens": np.where(secret, SECRET, households).astype(np.int64),
        "stedelijkheid": np.where(secret, SECRET, urbanity).astype(np.int64),
    }, geometry=boxes[keep], crs=CRS)
    info = {"pc4": len(pc4), "cells": len(cells), "secret": int(secret.sum()),
            "households_pc4": float(pc4["households"].sum()), "households_cells": float(hh[keep].sum()),
            "cells_125": int((households >= 125).sum()), "hh_in_125": float(households[households >= 125].sum())}
    return cells.sort_values("crs28992res500m").reset_index(drop=True), info


def build_points(data: Path) -> gpd.GeoDataFrame:
    ndw = pd.read_csv(data / INPUTS["ndw"], dtype={"location_id": str})
    pts = gpd.GeoDataFrame({
        "id": ndw["location_id"].str.strip(), "gemeente": ndw["gemeente"].astype(str),
        "operator": ndw["operator"].fillna("").astype(str), "parking_type": ndw["parking_type"].fillna("").astype(str),
        "n_evse": ndw["n_evse"].fillna(-1).astype("int64"),
        "max_power_kw": ndw["max_power_kw"].fillna(ndw["max_power_kw_lite"]).fillna(-1.0).astype(float),
    }, geometry=gpd.points_from_xy(ndw["lon"], ndw["lat"]), crs="EPSG:4326").to_crs(CRS)
    pts["geometry"] = shapely.set_precision(pts.geometry.values, 0.01)
    return pts.sort_values("id").reset_index(drop=True)


def build_plan(cells: gpd.GeoDataFrame, points: gpd.GeoDataFrame, muni: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """[estimate] A placeholder plan map: designated / requested locations in white cells, realised ones in covered cells."""
    rng = np.random.default_rng(SEED)
    hh = cells["aantal_part_huishoudens"].to_numpy()
    corner = np.c_[cells.geometry.bounds.minx, cells.geometry.bounds.miny]
    key = lambda xy: np.floor(xy[:, 0] / CELL_M).astype(np.int64) * 10_000_000 + np.floor(xy[:, 1] / CELL_M).astype(np.int64)  # noqa: E731
    occupied = np.isin(key(corner), key(np.c_[points.geometry.x, points.geometry.y]))
    must = hh >= 125
    u = rng.random(len(cells))
    status = np.full(len(cells), "", dtype=object)
    white = must & ~occupied
    status[white & (u < P_DESIGNATED)] = "designated"
    status[white & (u >= P_DESIGNATED) & (u < P_DESIGNATED + P_REQUESTED)] = "requested"
    status[must & occupied & (u < P_REALISED)] = "realised"
    k = np.flatnonzero(status != "")
    angle, radius = rng.random(len(k)) * 2 * np.pi, PLAN_OFFSET_M * np.sqrt(rng.random(len(k)))
    xy = corner[k] + CELL_M / 2 + np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    land = np.where(rng.random(len(k)) < P_LAND_SHORT, LAND_SHORT_M2, LAND_M2)
    plan = gpd.GeoDataFrame({"id": [f"plan-{c}" for c in cells["crs28992res500m"].to_numpy()[k]],
                             "status": status[k], "land_m2": land},
                            geometry=shapely.set_precision(gpd.points_from_xy(xy[:, 0], xy[:, 1]), 0.01), crs=CRS)
    joined = gpd.sjoin_nearest(plan, muni[["id", "geometry"]].rename(columns={"id": "gemeente"}), how="left")
    plan["gemeente"] = joined.loc[~joined.index.duplicated(), "gemeente"].to_numpy()
    return plan[["id", "gemeente", "status", "land_m2", "geometry"]].sort_values("id").reset_index(drop=True)


def build_grid_areas(data: Path) -> gpd.GeoDataFrame:
    dso = gpd.read_file(data / INPUTS["dso"]).to_crs(CRS)
    ids = dso["station"].map(slugify)
    ids = ids + ids.groupby(ids).cumcount().map(lambda k: "" if k == 0 else f"-{k + 1}")
    planned = dso["investeringsplanning_vermogen_afname"].map(parse_mva) * KW_PER_MVA
    year = dso["investeringsplanning_tijd_afname"].fillna("").astype(str).replace("nan", "")
    areas = gpd.GeoDataFrame({
        "id": ids, "name": dso["station"].astype(str), "netbeheerder": dso["netbeheerder"].astype(str),
        "available_kw": dso["beschikbare_capaciteit_afname_huidig_mva"].map(parse_mva) * KW_PER_MVA,
        "upgrade_kw": planned, "upgrade_year": np.where(planned > 0, year, ""), "upgrade_cost": 0.0,
        "in_region": dso["in_region"].astype(bool),
    }, geometry=shapely.set_precision(dso.geometry.values, 0.01), crs=CRS)
    return areas.sort_values("id").reset_index(drop=True)


LAYER_ORDER = ("cells", "public_points", "plan_locations", "municipalities", "grid_areas", "region")
ATTRIBUTION = {
    "cells": "CBS (PC4 population, household size) [derived]", "public_points": "NDW / DOT-NL",
    "plan_locations": "placeholder [estimate]", "municipalities": "CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0)",
    "grid_areas": "VIVET / netbeheerders, via PDOK", "region": "CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0)",
}


def instance_toml() -> str:
    layers = "\n".join(f'[layers.{n}]\nfile = "data.gpkg"\nlayer = "{n}"\nattribution = "{ATTRIBUTION[n]}"\n'
                       for n in LAYER_ORDER)
    return f'''# NAL-regio Oost: white spots of the regular public charging network, per municipality, against the plan maps.
# Built by scripts/build_nal_oost_basisnetwerk.py from ../shared/data/nl-oost; see README.md and SOURCES.md.
# Do not edit by hand: rebuild. Tags: [sourced], [derived], [estimate] as in DOMAIN.md.
# Run: siting whitespots instances/nal-oost-basisnetwerk

name = "nal-oost-basisnetwerk"
description = "White spots of the regular public charging network in NAL-regio Oost: CBS 500 m cells [derived from PC4], NDW public points (mid-2026), a placeholder plan map [estimate], 76 municipalities, DSO substation headroom (2023)."
model = "whitespots"
crs = "EPSG:28992"

# cells           CBS 500 m schema (crs28992res500m, aantal_part_huishoudens, stedelijkheid) [derived: PC4 areal weighting]
# public_points   every NDW public charging location (AC and DC)
# plan_locations  id, gemeente, status (designated / requested / realised), land_m2 [estimate: placeholder]
# municipalities  CBS municipality polygons; procedure = concession / omm
# grid_areas      DSO substations: available_kw today, upgrade_kw = planned investment, upgrade_year

{layers}
[whitespots]
min_households = 125.0      # [sourced] NAL dashboard: a cell with >= 125 households should hold a public point
reach_m = 250.0             # [sourced] Oost concession: a point is granted where none lies within 250 m
concession_m = 250.0        # [sourced] same rule, applied to each plan-map location
kw_per_point = 11.0         # kW [estimate] a regular public AC point (3 x 16 A)
points_per_location = 2     # [estimate] one charging post with two points
simultaneity = 1.0          # [estimate] contracted for the full power
m2_per_point = 12.5         # m2 [estimate] one parking bay (2.5 m x 5 m)
site_m2 = 0.0
cost_per_location = 1.0     # the LSCP counts locations (upgrades carry no cost here)
'''


def readme(t: dict, cells_info: dict, layers: dict, result: str) -> str:
    c = cells_info
    err = 100 * (1 - c["households_cells"] / c["households_pc4"])
    return f"""# nal-oost-basisnetwerk — white spots of the regular public charging network, NAL-regio Oost

The white-spot analysis of article 3 of the regional plan ("analyse witte vlekken", KPI 1): the CBS 500 m cells with
at least 125 households that hold no public charge point, per municipality, set against the municipalities' plan maps
(plankaarten) and sorted into (a) the concession can realise it, (b) an extra action is needed, (c) not to be filled.

    siting whitespots instances/nal-oost-basisnetwerk

Built by `scripts/build_nal_oost_basisnetwerk.py` from `../shared/data/nl-oost` (SOURCES.md). **Two layers are not real
data**: the cells are derived from PC4 areas ([derived], below), and the plan map is a generated placeholder
([estimate]): replace `plan_locations` with the municipalities' own files and `cells` with CBS's `cbs_vk500_<year>.gpkg`.

## Layers

| layer | rows | what |
|---|---|---|
| `cells` | {len(layers["cells"]):,} | 500 m cells in CBS's schema: `crs28992res500m`, `aantal_inwoners`, `aantal_part_huishoudens`, `stedelijkheid` [derived]; stored without the cell polygons (the code is the position; CBS's own file, with polygons, reads the same) |
| `public_points` | {len(layers["public_points"]):,} | every NDW public charging location, AC and DC (`id` = OCPI location id, `operator`, `parking_type`, `n_evse`, `max_power_kw`; -1 = not reported) |
| `plan_locations` | {len(layers["plan_locations"]):,} | placeholder plan map [estimate]: {t["plan_status"]} |
| `municipalities` | {len(layers["municipalities"])} | CBS 2023 polygons; `procedure` = `concession` for all [estimate] |
| `grid_areas` | {len(layers["grid_areas"])} | DSO substations >= 25 kV: `available_kw` offtake today, `upgrade_kw` planned investment, `upgrade_year` |
| `region` | 2 | the two provinces (map only) |

## The cells [derived] — method and error

CBS publishes households per 500 m cell, but that file is not staged. Households per PC4 area = inhabitants (1 Jan 2021,
{c["pc4"]} PC4 areas) / the municipality's mean household size (2023); each PC4 area's households are spread over the
cells it overlaps in proportion to the overlap area (areal weighting), rounded to whole households. {c["cells"]:,} cells
hold at least one household; {c["secret"]:,} with fewer than {SECRET_BELOW} carry CBS's no-data code {SECRET} ("geheim"),
as CBS suppresses small counts. `stedelijkheid` is CBS's class rule on addresses per km2 applied to households per km2.

Error: the method keeps every PC4 area's total (the cells hold {c["households_cells"]:,.0f} of the
{c["households_pc4"]:,.0f} PC4 households, {err:.2f} % lost to rounding and to cells under one household), but inside a PC4
area it assumes an even spread. A village in a large rural PC4 area is smeared over its fields: its own cells come out
too low and the fields too high. So the count of cells >= 125 households ({c["cells_125"]:,}, holding
{c["hh_in_125"]:,.0f} households, {100 * c["hh_in_125"] / c["households_cells"]:.0f} %) is too low in rural areas and
the white spots there are undercounted; in towns, where PC4 areas are small (a few km2), the error is a few cells. Only
CBS's own file removes it: it drops in unchanged.

## Plan map [estimate]

No municipality's plankaart is published for the region. The placeholder puts, seeded ({SEED}), a location up to
{PLAN_OFFSET_M:.0f} m from the centre of a white cell: designated with probability {P_DESIGNATED}, requested
{P_REQUESTED}; a realised one in {P_REALISED:.0%} of the covered cells; land {LAND_M2:.0f} m2, {P_LAND_SHORT:.0%} of
them {LAND_SHORT_M2:.0f} m2 (too small for two bays). **The categories and the LSCP below are therefore illustrations
of the method, not the region's answer.**

Format, so a municipality's own file drops in (GeoPackage, GeoJSON or CSV with x/y or lon/lat): one point per location,
`id` (unique), `gemeente` (CBS code `GMxxxx` or the municipality's name), `status` (`designated`, `requested` or
`realised`), optional `land_m2` (space, m2; absent = no limit) and `grid_area` (absent = nearest substation).

## Result

{result}
"""


SOURCES_MD = """# Sources — nal-oost-basisnetwerk

All inputs are the staged files of `../shared/data/nl-oost` (their own SOURCES.md give origin and licence in full).

| layer | input | origin, licence, attribution |
|---|---|---|
| `cells` | `population_pc4/pc4_inwoners_oost.geojson`, `gemeenten/gemeenten_2023_oost.geojson` (`gemiddeldeHuishoudsgrootte`) | CBS Kerncijfers per postcode (PC4 2020 geometry, population 1 Jan 2021) via certegis; CBS Wijk- en Buurtkaart 2023 via stdekker/open-data-maps. CBS open data, CC BY 4.0: "CBS". [derived] areal weighting onto the 500 m grid |
| `public_points` | `charging_stations/ndw_charging_locations_oost.csv` | NDW national access point for AFIR charging data (OCPI), via robbertj85/laadpalenviewer @ c7826225 (MIT), snapshot 2026-06-07; "NDW / DOT-NL" |
| `plan_locations` | none | generated placeholder [estimate] (scripts/build_nal_oost_basisnetwerk.py) |
| `municipalities`, `region` | `gemeenten/gemeenten_2023_oost.geojson`, `gemeenten/provincies_oost.geojson` | CBS / Kadaster, Wijk- en Buurtkaart 2023 (CC BY 4.0) |
| `grid_areas` | `grid_capacity/dso_stations_capaciteit_oost.geojson` | PDOK "Beschikbare capaciteit elektriciteitsnet" (VIVET, grid operators; peildatum 2023) via maantjemol/S4Energy; "VIVET / netbeheerders, via PDOK". `upgrade_kw` = `investeringsplanning_vermogen_afname` (MVA x 1000), `upgrade_year` = `investeringsplanning_tijd_afname` |
"""


def write_gpkg(path: Path, layers: dict) -> None:
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    for name in LAYER_ORDER:  # no R-tree index (the engine builds its own): a third of the file size
        frame = layers[name]
        if name == "cells":  # the engine places a cell by its code; without 34 k polygons the file stays small
            pyogrio.write_dataframe(pd.DataFrame(frame.drop(columns="geometry")), path, layer=name, driver="GPKG",
                                    append=path.exists())
            continue
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--result", type=Path, help="a Markdown file with the regional result for README.md")
    args = ap.parse_args(argv)
    data, out = args.data.resolve(), args.out.resolve()
    for rel in INPUTS.values():
        if not (data / rel).exists():
            ap.error(f"input not found: {data / rel}")
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        ap.error(f"{out} exists and is not empty; pass --overwrite")
    muni = build_municipalities(data)
    cells, info = build_cells(data, muni)
    points = build_points(data)
    plan = build_plan(cells, points, muni)
    layers = {"cells": cells, "public_points": points, "plan_locations": plan,
              "municipalities": muni.drop(columns=["household_size"]), "grid_areas": build_grid_areas(data),
              "region": build_region(data)}
    counts = plan["status"].value_counts()
    t = {"plan_status": ", ".join(f"{counts.get(s, 0):,} {s}" for s in ("designated", "requested", "realised"))}
    result = args.result.read_text(encoding="utf-8") if args.result else "Run `siting whitespots` on the instance."
    with tempfile.TemporaryDirectory(prefix="nal-oost-basisnetwerk-") as tmp_name:
        tmp = Path(tmp_name)
        write_gpkg(tmp / "data.gpkg", layers)
        (tmp / "instance.toml").write_text(instance_toml(), encoding="utf-8")
        (tmp / "README.md").write_text(readme(t, info, layers, result), encoding="utf-8")
        (tmp / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for f in sorted(tmp.iterdir()):
            shutil.copyfile(f, out / f.name)
    print(f"wrote {out}: " + ", ".join(f"{n} {len(v)}" for n, v in layers.items()))
    print(f"cells: {info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
