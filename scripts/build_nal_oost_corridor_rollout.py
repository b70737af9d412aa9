"""Build instances/nal-oost-corridor-rollout: the nal-oost-corridor instance over 2025, 2030, 2035.

Reads the committed corridor instance (instances/nal-oost-corridor/data.gpkg, itself built from
../shared by scripts/build_nal_oost_corridor.py) and, for the headroom forecasts, the PDOK
capaciteitskaart table in ../shared/data/nl-oost/grid_capacity. Writes data.gpkg (the corridor
layers, with per-period columns in od_flows and grid_areas), instance.toml, README.md and
SOURCES.md. Run from the repository root: .venv/bin/python scripts/build_nal_oost_corridor_rollout.py

Per-period columns:
- od_flows.trucks_<Y> = trucks_per_day x E_TRUCK_SHARE[Y] / E_TRUCK_SHARE[2030]: the committed
  column holds the 2019 ETISplus truck flow x the 2030 electric share 10 %, so trucks_2030 is it
  exactly and the other years rescale it (the truck flow itself is held at 2019);
- grid_areas.available_kw_<Y> = the capaciteitskaart's available offtake now / in 5 / in 10 years
  (MVA taken as MW, "<1" read as 1, as scripts/build_nal_oost_corridor.py reads the "now" column).
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
CORRIDOR = ROOT / "instances" / "nal-oost-corridor"
OUT = ROOT / "instances" / "nal-oost-corridor-rollout"
DSO = ROOT.parent / "shared" / "data" / "nl-oost" / "grid_capacity" / "dso_stations_capaciteit_oost.csv"

# Share of trucks (N3 fleet) that are electric, per period (DOMAIN.md 2b, "Fleet NL" and "Outlook"):
E_TRUCK_SHARE = {
    2025: 0.011,  # [estimate] ~800 e-trucks of ~140 000 early 2024 (0.57 %, derived), doubled once more
                  # as from 2023 to 2024 (~400 -> ~800): ~1 600 / 140 000
    2030: 0.10,  # [sourced] 10 % of trucks electric expected in 2030 (nal-oost-corridor's scenario)
    2035: 0.35,  # [estimate] PwC: 1 in 3 new EU trucks electric in 2030, 70 % in 2035 (sourced); with a
                 # 10-year truck life (estimate) 5 yearly cohorts at 40-70 % (mean 55 %) replace half
                 # the fleet: 10 % + 0.5 x 55 % ~ 35 % (less the e-trucks of 2025-30 replaced, few)
}
# Headroom column of the capaciteitskaart (peildatum 2023-02) that stands for each period:
HEADROOM = {
    2025: "beschikbare_capaciteit_afname_huidig_mva",  # [estimate] the 2023 reading stands for 2025
    2030: "beschikbare_capaciteit_afname_5_jaar_mva",  # [estimate] the 5-year forecast (2028) for 2030
    2035: "beschikbare_capaciteit_afname_10_jaar_mva",  # [estimate] the 10-year forecast (2033) for 2035
}
GPKG_DATE = "2000-01-01T00:00:00Z"  # pinned gpkg_contents.last_change, as the corridor build does
P_BY = {2025: 3, 2030: 10, 2035: 16}  # [estimate: planning choice] new hubs open by the year (cumulative)


def od_layer() -> gpd.GeoDataFrame:
    od = gpd.read_file(CORRIDOR / "data.gpkg", layer="od_flows")
    for year, share in E_TRUCK_SHARE.items():
        od[f"trucks_{year}"] = (od["trucks_per_day"] * share / E_TRUCK_SHARE[2030]).round(6)
    return od


def _mva(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values.astype(str).str.replace("<", ""), errors="coerce").fillna(0.0).to_numpy()


def grid_layer() -> gpd.GeoDataFrame:
    grid = gpd.read_file(CORRIDOR / "data.gpkg", layer="grid_areas")
    dso = pd.read_csv(DSO)
    # the ids of scripts/build_nal_oost_corridor.py (first row of a repeated id kept)
    ids = ("dso-" + dso["station"].str.replace(r"[^A-Za-z0-9]+", "-", regex=True).str.strip("-"))
    dso = dso.assign(id=ids).drop_duplicates("id").set_index("id")
    for year, col in HEADROOM.items():
        grid[f"available_kw_{year}"] = grid["id"].map(pd.Series(_mva(dso[col]) * 1000.0, index=dso.index))
    missing = grid[[f"available_kw_{y}" for y in HEADROOM]].isna().any(axis=1)
    if missing.any():
        raise SystemExit(f"no forecast for grid areas {list(grid.loc[missing, 'id'])}")
    if not np.allclose(grid["available_kw_2025"], grid["available_kw"]):
        raise SystemExit("the 'now' column does not reproduce nal-oost-corridor's available_kw: ids changed?")
    return grid


def instance_toml() -> str:
    text = (CORRIDOR / "instance.toml").read_text()
    body = "[layers.roads]" + text.split("[layers.roads]", 1)[1]
    body = re.sub(r"^p = 10 .*$", "p = 10                        # default; each period sets its own",
                  body, flags=re.M)
    periods = "\n".join(
        f"[[rollout.periods]]\nyear = {y}\nflows = \"trucks_{y}\"            # e-truck share {s:.1%}\n"
        f"headroom = \"available_kw_{y}\"  # {HEADROOM[y]}\np = {P_BY[y]}\n" for y, s in E_TRUCK_SHARE.items())
    return f'''# NAL-regio Oost: truck charging hubs rolled out over 2025, 2030 and 2035 (the rollout model over
# the corridor model). Built by scripts/build_nal_oost_corridor_rollout.py from instances/nal-oost-corridor
# and the PDOK capaciteitskaart forecasts; see README.md. Do not edit by hand: rebuild.
# Tags: [sourced] as published, [derived] arithmetic on sourced values, [estimate] no source.

name = "nal-oost-corridor-rollout"
description = "nal-oost-corridor over three periods: e-truck flows at 1.1 / 10 / 35 % electric (2025/2030/2035), substation headroom now / in 5 / in 10 years, new hubs open by each year; lock-in."
model = "rollout"
crs = "EPSG:28992"

[rollout]
base = "corridor"
discount_rate = 0.0     # refuelled e-trucks are the objective: no costs to discount
start = "2027-Q1"       # the grid operators' two-year plan starts here
horizon_quarters = 8    # two years (NAL article 9: quarterly, two-year horizon)
lead_quarters = 8       # [estimate] a hub's MV connection is requested two years ahead (DOMAIN.md: 2-3 years
                        # at an existing substation)

{periods}
{body}'''


README = """# nal-oost-corridor-rollout — truck charging hubs over 2025, 2030 and 2035

The [nal-oost-corridor](../nal-oost-corridor/README.md) instance as a rollout (`model = "rollout"`,
`rollout.base = "corridor"`; models/rollout.md): which hubs and chargers by which year, as the
electric share of the truck flow grows and the substations' headroom changes, with what is built
staying built — and what planning ahead gains over deciding each year on its own.

```sh
siting solve instances/nal-oost-corridor-rollout --out results/corridor-rollout
```

Rebuild with `.venv/bin/python scripts/build_nal_oost_corridor_rollout.py`. Every layer, parameter
and tag of nal-oost-corridor holds; the per-period columns are:

| period | e-truck flow (`od_flows`) | headroom (`grid_areas`) | new hubs by then (p) |
|---|---|---|---|
| 2025 | `trucks_2025`: 1.1 % electric [estimate: ~800 of ~140 000 trucks early 2024, doubled once more] | `available_kw_2025`: available offtake now (2023 reading) [estimate: stands for 2025] | 3 [estimate] |
| 2030 | `trucks_2030` = `trucks_per_day`: 10 % electric [sourced] | `available_kw_2030`: 5-year forecast [estimate: 2028 for 2030] | 10 [estimate] |
| 2035 | `trucks_2035`: 35 % electric [estimate: PwC new-truck shares 1/3 (2030) to 70 % (2035), sourced, over an assumed 10-year truck life] | `available_kw_2035`: 10-year forecast [estimate: 2033 for 2035] | 16 [estimate] |

The truck flow behind every share is ETISplus 2019 (no growth of truck traffic is assumed). The
grid operators' plan requests a connection 8 quarters before it is needed [estimate]. Synthetic
parts (search areas, the 2025 and 2035 shares, which forecast stands for which year) make the
result illustrative, not a plan.
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    target = OUT / "data.gpkg"
    target.unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    for name in pyogrio.list_layers(CORRIDOR / "data.gpkg")[:, 0]:
        layer = {"od_flows": od_layer, "grid_areas": grid_layer}.get(name)
        df = layer() if layer else gpd.read_file(CORRIDOR / "data.gpkg", layer=name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tables without geometry
            pyogrio.write_dataframe(df, target, layer=name, driver="GPKG", append=target.exists())
    (OUT / "instance.toml").write_text(instance_toml())
    (OUT / "README.md").write_text(README)
    shutil.copy(CORRIDOR / "SOURCES.md", OUT / "SOURCES.md")


if __name__ == "__main__":
    main()
