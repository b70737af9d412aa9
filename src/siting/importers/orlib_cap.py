"""OR-Library capacitated warehouse location (Beasley's cap*.txt) -> a `park` instance, split.

Format (tokens; line breaks carry no meaning): `m n`; for each warehouse i = 1..m its capacity
and fixed cost; then for each customer j = 1..n its demand d_j followed by the m costs c_ij of
allocating ALL of j's demand to warehouse i. Beasley's multi-source CFLP charges a split customer
c_ij x (share of d_j served by i). In capa/capb/capc every capacity is the literal word
`capacity`: the value comes from the instance name (capa 8000/10000/12000/14000, ...), so pass
`capacity=` (`siting import orlib-cap capa.txt --capacity 8000`; without it the file is refused
with a message naming the option).

Mapping to the park model (models/park.md, "Its core is the CFLP"): customer j -> company `j`
with kwh_per_day = max_kw = d_j and the whole (one-slot) day as its window; warehouse i ->
square `i` with annual_cost = fixed cost and ONE tier of capacity_kw = capacity; c_ij ->
assign_costs rows (every pair exists). One slot of one hour, no grid, no chargers,
single_source = false. The park objective is then sum_i f_i x_i + sum_ij c_ij z_ij: capopt.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siting.importers import Tokens, malformed, number_text, write_csv, write_toml


def convert(source: Path, folder: Path, capacity: float | None = None) -> None:
    tokens = Tokens.read(source)
    m = tokens.int("the number of warehouses m", minimum=1)
    n = tokens.int("the number of customers n", minimum=1)
    caps, fixed = np.zeros(m), np.zeros(m)
    worded = False
    for i in range(m):
        word = tokens.next(f"the capacity of warehouse {i + 1}")
        if word.lower() == "capacity":
            worded = True
            if capacity is None:
                raise malformed(source, f"warehouse {i + 1}: the capacity is the word 'capacity' (capa/capb/capc); "
                                "these files need the capacity value from the instance name: "
                                "siting import orlib-cap FILE --capacity 8000 (capa: 8000, 10000, 12000 or 14000; "
                                "capb: 5000, 6000, 7000, 8000; capc: 5000, 5750, 6500, 7250)")
            caps[i] = capacity
        else:
            tokens.pos -= 1
            caps[i] = tokens.number(f"the capacity of warehouse {i + 1}", minimum=0.0)
        fixed[i] = tokens.number(f"the fixed cost of warehouse {i + 1}", minimum=0.0)
    demand = np.zeros(n)
    cost = np.zeros((m, n))
    for j in range(n):
        demand[j] = tokens.number(f"the demand of customer {j + 1}", minimum=0.0)
        for i in range(m):
            cost[i, j] = tokens.number(f"the cost of customer {j + 1} at warehouse {i + 1}", minimum=0.0)
    tokens.end(f"the demands and costs of all {n} customers")
    if capacity is not None and not worded:
        raise malformed(source, f"--capacity {number_text(capacity)} was given, but this file states each warehouse's "
                        "capacity itself; --capacity is for capa/capb/capc, whose files say only 'capacity'")
    name = source.stem if capacity is None else f"{source.stem}_{number_text(capacity)}"
    write_cflp(folder, name, caps, fixed, demand, cost, single_source=False, header=[
        f"Imported by `siting import orlib-cap` from {source.name} (OR-Library, Beasley 1988).",
        "Multi-source CFLP: customers -> companies (kwh_per_day = max_kw = demand), warehouses -> squares",
        "(annual_cost = fixed cost, one tier of capacity_kw = capacity), costs c_ij -> assign_costs",
        "(c_ij for all of j's demand; a split customer pays c_ij x its share). One slot of 1 h, no grid.",
    ], description=f"OR-Library capacitated warehouse location {name}: {m} warehouses, {n} customers (split)")


def write_cflp(folder: Path, name: str, caps: np.ndarray, fixed: np.ndarray, demand: np.ndarray, cost: np.ndarray,
               *, single_source: bool, header: list[str], description: str,
               max_squares: int | None = None) -> None:
    """The park instance of a CFLP: cost[i, j] = cost of serving all of customer j from facility i.

    `max_squares` (park.max_squares) opens at most that many facilities (p-median variants)."""
    m, n = cost.shape
    write_csv(folder / "companies.csv", ["id", "kwh_per_day", "max_kw"],
              ((j + 1, number_text(d), number_text(d)) for j, d in enumerate(demand)))
    write_csv(folder / "squares.csv", ["id", "annual_cost"],
              ((i + 1, number_text(f)) for i, f in enumerate(fixed)))
    write_csv(folder / "tiers.csv", ["id", "square", "capacity_kw"],
              ((f"cap{i + 1}", i + 1, number_text(c)) for i, c in enumerate(caps)))
    write_csv(folder / "assign_costs.csv", ["company_id", "square_id", "annual_cost"],
              ((j + 1, i + 1, number_text(cost[i, j])) for j in range(n) for i in range(m)))
    write_toml(folder, {
        "name": name,
        "description": description,
        "model": "park",
        "layers": {
            "companies": {"file": "companies.csv"},
            "squares": {"file": "squares.csv"},
            "tiers": {"file": "tiers.csv"},
            "assign_costs": {"file": "assign_costs.csv"},
        },
        "park": {"slots": 1, "slot_hours": 1.0, "single_source": single_source, "days_per_year": 1.0,
                 **({} if max_squares is None else {"max_squares": max_squares})},
    }, header=header)
