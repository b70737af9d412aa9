"""Build instances/nal-oost-rollout: the nal-oost-fast instance over 2025, 2030 and 2035.

Reads the committed fast instance (instances/nal-oost-fast/data.gpkg, itself built from
../shared by scripts/build_nal_oost_fast.py) and, for the headroom forecasts, the PDOK
capaciteitskaart table in ../shared/data/nl-oost/grid_capacity. Writes data.gpkg, instance.toml
and README.md. Run from the repository root: python scripts/build_nal_oost_rollout.py
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from build_nal_oost_fast import KW_PER_MVA, parse_mva, slugify  # noqa: E402

FAST = ROOT / "instances" / "nal-oost-fast"
OUT = ROOT / "instances" / "nal-oost-rollout"
DSO = ROOT.parent / "shared" / "data" / "nl-oost" / "grid_capacity" / "dso_stations_capaciteit_oost.csv"

# Share of cars that are battery-electric, per period (DOMAIN.md):
BEV_SHARE = {
    2025: 0.061,  # [sourced] ~558 000 BEVs = 6.1 % of cars, end 2024 (RVO trendrapport 2025): stands for 2025
    2030: 0.2077,  # [derived] 1.9 M EVs in 2030 (Klimaatakkoord ambition) / today's cars: nal-oost-fast's scenario
    2035: 0.50,  # [sourced] ElaadNL: 50 % of cars electric in 2035
}
# Headroom column of the capaciteitskaart (peildatum 2023-02) that stands for each period:
HEADROOM = {
    2025: "beschikbare_capaciteit_afname_huidig_mva",  # [estimate] the 2023 reading stands for 2025
    2030: "beschikbare_capaciteit_afname_5_jaar_mva",  # [estimate] the 5-year forecast (2028) for 2030
    2035: "beschikbare_capaciteit_afname_10_jaar_mva",  # [estimate] the 10-year forecast (2033) for 2035
}
P_BY = {2025: 5, 2030: 25, 2035: 45}  # [estimate: planning choice] new sites open by the year (cumulative)


def demand_layer() -> gpd.GeoDataFrame:
    demand = gpd.read_file(FAST / "data.gpkg", layer="demand")
    for year, share in BEV_SHARE.items():
        demand[f"weight_{year}"] = (demand["weight"] * share / BEV_SHARE[2030]).round(6)
    return demand


def grid_layer() -> gpd.GeoDataFrame:
    grid = gpd.read_file(FAST / "data.gpkg", layer="grid_areas")
    dso = pd.read_csv(DSO)
    ids = dso["station"].map(slugify)
    ids = ids + ids.groupby(ids).cumcount().map(lambda k: "" if k == 0 else f"-{k + 1}")
    for year, col in HEADROOM.items():
        kw = pd.Series((dso[col].map(parse_mva) * KW_PER_MVA).to_numpy(), index=ids.to_numpy())
        grid[f"available_kw_{year}"] = grid["id"].map(kw)
    missing = grid[[f"available_kw_{y}" for y in HEADROOM]].isna().any(axis=1)
    if missing.any():
        raise SystemExit(f"no forecast for grid areas {list(grid.loc[missing, 'id'])}")
    return grid


def instance_toml() -> str:
    fast = (FAST / "instance.toml").read_text()
    body = fast.split("[layers.demand]", 1)[1]
    body = re.sub(r"^p = .*$", "p = 25                      # default; each period sets its own", body, flags=re.M)
    periods = "\n".join(
        f"[[rollout.periods]]\nyear = {y}\ndemand = \"weight_{y}\"          # BEV share {BEV_SHARE[y]:.1%}\n"
        f"headroom = \"available_kw_{y}\"  # {HEADROOM[y]}\np = {P_BY[y]}\n" for y in BEV_SHARE)
    return f'''# NAL-regio Oost: public fast charging rolled out over 2025, 2030 and 2035 (the rollout model).
# Built by scripts/build_nal_oost_rollout.py from instances/nal-oost-fast and the PDOK capaciteitskaart
# forecasts; see README.md. Do not edit by hand: rebuild.
# Tags: [sourced] as published, [derived] arithmetic on sourced values, [estimate] no source.

name = "nal-oost-rollout"
description = "nal-oost-fast over three periods: demand per BEV share 2025/2030/2035, substation headroom now / in 5 / in 10 years, new sites open by each year; lock-in."
model = "rollout"
crs = "EPSG:28992"

[rollout]
discount_rate = 0.0     # served sessions are the objective: no costs to discount
start = "2027-Q1"       # the grid operators' two-year plan starts here
horizon_quarters = 8    # two years (NAL article 9: quarterly, two-year horizon)
lead_quarters = 4       # [estimate] a connection is requested a year before it is needed

{periods}
[layers.demand]{body}'''


def main() -> None:
    OUT.mkdir(exist_ok=True)
    target = OUT / "data.gpkg"
    target.unlink(missing_ok=True)
    for name in pyogrio.list_layers(FAST / "data.gpkg")[:, 0]:
        layer = {"demand": demand_layer, "grid_areas": grid_layer}.get(name)
        df = layer() if layer else gpd.read_file(FAST / "data.gpkg", layer=name)
        df.to_file(target, layer=name, driver="GPKG")
    (OUT / "instance.toml").write_text(instance_toml())
    shutil.copy(FAST / "SOURCES.md", OUT / "SOURCES.md")


if __name__ == "__main__":
    main()
