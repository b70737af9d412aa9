"""OR-Library set covering (Beasley's scp*.txt) -> a `fast` / lscp instance.

Format (tokens): `m n`; the n column costs c_j; then for each row i = 1..m the number k_i of
columns covering it followed by those k_i column numbers (1-based).

Mapping: row i -> demand point `i` (weight 1); column j -> candidate `j` with fixed_cost c_j,
cost_per_charger 0 and max_chargers 1; the covering lists -> coverage.csv. With min_chargers 1
and no grid (kw_per_charger 0) the lscp objective is sum_j c_j x_j, the published optimum.
"""

from __future__ import annotations

from pathlib import Path

from siting.importers import Tokens, malformed, number_text, write_csv, write_toml


def convert(source: Path, folder: Path) -> None:
    tokens = Tokens.read(source)
    m = tokens.int("the number of rows m", minimum=1)
    n = tokens.int("the number of columns n", minimum=1)
    costs = [tokens.number(f"the cost of column {j}", minimum=0.0) for j in range(1, n + 1)]
    pairs: list[tuple[int, int]] = []
    for i in range(1, m + 1):
        k = tokens.int(f"the number of columns covering row {i}", minimum=0, maximum=n)
        if k == 0:
            raise malformed(source, f"row {i} is covered by no column (k = 0): the set covering instance is infeasible")
        for t in range(1, k + 1):
            j = tokens.int(f"column {t} of {k} covering row {i}", minimum=1, maximum=n)
            pairs.append((i, j))
    tokens.end(f"the covering lists of all {m} rows")

    write_csv(folder / "demand.csv", ["id", "weight"], ((i, 1) for i in range(1, m + 1)))
    write_csv(folder / "candidates.csv", ["id", "fixed_cost", "cost_per_charger", "max_chargers"],
              ((j, number_text(c), 0, 1) for j, c in enumerate(costs, start=1)))
    write_csv(folder / "coverage.csv", ["demand_id", "candidate_id"], pairs)
    name = source.stem
    write_toml(folder, {
        "name": name,
        "description": f"OR-Library set covering {name}: {m} rows, {n} columns; optimum = least total column cost",
        "model": "fast",
        "layers": {
            "demand": {"file": "demand.csv"},
            "candidates": {"file": "candidates.csv"},
            "coverage": {"file": "coverage.csv"},
        },
        "fast": {"objective": "lscp", "min_chargers": 1, "kw_per_charger": 0.0},
    }, header=[
        f"Imported by `siting import orlib-scp` from {source.name} (OR-Library, Beasley).",
        "demand = rows (weight 1), candidates = columns (fixed_cost = column cost), coverage = covering lists.",
        "Objective lscp: every row covered at least cost; no grid (kw_per_charger = 0).",
    ])
