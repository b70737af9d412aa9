"""Holmberg, Rönnqvist & Yuan (1999) single-source CFLP files (p1..p71) -> a `park` instance.

Format (tokens): `m n` (facilities, customers); m pairs `capacity fixed_cost`; the n customer
demands; then the m x n assignment costs FACILITY-major (row i = costs of serving customers 1..n
from facility i; the customer-major reading gives 9907 instead of 8848 on p1). Many files end
in NUL padding (read_text turns NULs into blanks); p47 has 17 tokens after the matrix: exactly
m x n costs are read and the rest is ignored (reported in the toml header).

Mapping: as orlib_cap.write_cflp, with single_source = true: each customer is served wholly by
one facility, and the park objective is the single-source CFLP optimum (`os`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siting.importers import Tokens
from siting.importers.orlib_cap import write_cflp


def convert(source: Path, folder: Path) -> None:
    tokens = Tokens.read(source)
    m = tokens.int("the number of facilities m", minimum=1)
    n = tokens.int("the number of customers n", minimum=1)
    caps, fixed = np.zeros(m), np.zeros(m)
    for i in range(m):
        caps[i] = tokens.number(f"the capacity of facility {i + 1}", minimum=0.0)
        fixed[i] = tokens.number(f"the fixed cost of facility {i + 1}", minimum=0.0)
    demand = np.array([tokens.number(f"the demand of customer {j + 1}", minimum=0.0) for j in range(n)])
    cost = np.zeros((m, n))
    for i in range(m):
        for j in range(n):
            cost[i, j] = tokens.number(f"the cost of customer {j + 1} at facility {i + 1}", minimum=0.0)
    extra = tokens.left
    header = [
        f"Imported by `siting import holmberg` from {source.name} (Holmberg, Ronnqvist & Yuan 1999).",
        "Single-source CFLP: customers -> companies (kwh_per_day = max_kw = demand), facilities -> squares",
        "(annual_cost = fixed cost, one tier of capacity_kw = capacity), costs (facility-major) -> assign_costs.",
    ]
    if extra:
        header.append(f"The file has {extra} tokens after the {m} x {n} cost matrix; they were ignored.")
    write_cflp(folder, source.name, caps, fixed, demand, cost, single_source=True, header=header,
               description=f"Holmberg single-source CFLP {source.name}: {m} facilities, {n} customers")
