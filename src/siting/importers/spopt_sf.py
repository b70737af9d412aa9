"""spopt's San Francisco test data (a folder with its 3 CSVs) -> a `fast` instance with distances.

Files (pysal/spopt `spopt/tests/test_locate/data/`):

* `SF_network_distance_candidateStore_16_censusTract_205_new.csv`: long table
  `distance,name,DestinationName,demand` (16 stores x 205 tracts, network metres);
* `SF_demand_205_centroid_uniform_weight.csv`: tracts, `NAME` and `POP2000` (the weights);
* `SF_store_site_16_longlat.csv`: the 16 candidate stores (`NAME`, long, lat).

Order as in spopt's `TestRealWorldLocate`: its pivot table has the tracts (DestinationName, parsed
as a number) sorted numerically and the stores sorted as strings (Store_1, Store_11, ..., Store_2).
Demand id = tract NAME, weight = POP2000 (matched by NAME); candidate id = store name with
fixed_cost 1, so lscp counts stores. Distances are copied as written (no float round trip).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from siting.importers import malformed, write_csv, write_toml

DISTANCES = "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
DEMAND = "SF_demand_205_centroid_uniform_weight.csv"
STORES = "SF_store_site_16_longlat.csv"


def _read(path: Path, needed: list[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise malformed(path, "file not found (spopt-sf needs the folder holding spopt's 3 SF CSV files: "
                              f"{DISTANCES}, {DEMAND}, {STORES})")
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise malformed(path, f"expected columns {', '.join(needed)}; missing: {', '.join(missing)}")
        return list(reader)


def _float(path: Path, row: int, column: str, text: str, minimum: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise malformed(path, f"row {row}, column {column}: expected a number, got {text!r}") from None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum:g}"
        raise malformed(path, f"row {row}, column {column}: expected a finite number{bound}, got {text!r}")
    return value


def convert(source: Path, folder: Path) -> None:
    source = Path(source)
    if not source.is_dir():
        raise malformed(source, f"expected a folder with {DISTANCES}, {DEMAND} and {STORES}")
    dist_path, demand_path, store_path = source / DISTANCES, source / DEMAND, source / STORES
    long = _read(dist_path, ["distance", "name", "DestinationName"])
    tracts = _read(demand_path, ["NAME", "POP2000"])
    stores = _read(store_path, ["NAME"])

    pop: dict[str, str] = {}
    lonlat: dict[str, tuple[str, str]] = {}
    for k, row in enumerate(tracts, start=2):
        name = row["NAME"].strip()
        if name in pop:
            raise malformed(demand_path, f"row {k}: tract NAME {name!r} appears twice")
        _float(demand_path, k, "POP2000", row["POP2000"], minimum=0.0)
        pop[name] = row["POP2000"].strip()
        lonlat[name] = (row.get("long", "").strip(), row.get("lat", "").strip())
    store_lonlat = {row["NAME"].strip(): (row.get("long", "").strip(), row.get("lat", "").strip()) for row in stores}

    distance: dict[tuple[str, str], str] = {}
    for k, row in enumerate(long, start=2):
        tract, store = row["DestinationName"].strip(), row["name"].strip()
        _float(dist_path, k, "distance", row["distance"], minimum=0.0)
        _float(dist_path, k, "DestinationName", tract)
        if (tract, store) in distance:
            raise malformed(dist_path, f"row {k}: pair ({tract}, {store}) appears twice")
        if tract not in pop:
            raise malformed(dist_path, f"row {k}: tract {tract!r} is not a NAME in {DEMAND}")
        if store not in store_lonlat:
            raise malformed(dist_path, f"row {k}: store {store!r} is not a NAME in {STORES}")
        distance[(tract, store)] = row["distance"].strip()

    # spopt's pivot: index = DestinationName as a number (sorted), columns = store names as strings
    tract_order = sorted({t for t, _ in distance}, key=float)
    store_order = sorted({s for _, s in distance})
    absent = [name for name in pop if name not in set(tract_order)]
    if absent:
        raise malformed(dist_path, f"tract {absent[0]} of {DEMAND} has no distances ({len(absent)} such tracts)")

    write_csv(folder / "demand.csv", ["id", "weight", "lon", "lat"],
              ((t, pop[t], *lonlat[t]) for t in tract_order))
    write_csv(folder / "candidates.csv", ["id", "fixed_cost", "lon", "lat"],
              ((s, 1, *store_lonlat[s]) for s in store_order))
    write_csv(folder / "distances.csv", ["demand_id", "candidate_id", "distance"],
              ((t, s, distance[(t, s)]) for t in tract_order for s in store_order if (t, s) in distance))
    write_toml(folder, {
        "name": "spopt-sf",
        "description": f"spopt's San Francisco test data: {len(tract_order)} census tracts (weight POP2000), "
                       f"{len(store_order)} candidate stores, network distances in metres",
        "model": "fast",
        "layers": {
            "demand": {"file": "demand.csv"},
            "candidates": {"file": "candidates.csv"},
            "distances": {"file": "distances.csv"},
        },
        "fast": {"objective": "pmedian", "p": 4, "kw_per_charger": 0.0},
    }, header=[
        f"Imported by `siting import spopt-sf` from {source} (pysal/spopt test data).",
        "lon/lat columns are for reference only (not read: distances.csv gives the network distances).",
        "Candidates have fixed_cost 1, so lscp minimises the number of stores.",
    ], footer=[
        "radius = 5000.0  # spopt's service distance (m) for its LSCP / MCLP tests; pmedian uses all pairs,",
        "                 # so set it per run: --set fast.objective=mclp --set fast.radius=5000",
    ])
