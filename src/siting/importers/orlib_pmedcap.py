"""OR-Library capacitated p-median (Osman & Christofides 1994, pmedcap1) -> a `park` instance.

Format (tokens; line breaks carry no meaning, the files have CRLF ends): `problem_no best_value`;
`n p capacity`; then n points `id x y demand` with id = 1..n in order. Every point is a customer
and a candidate median; each customer is assigned wholly to one median, a median's assigned demand
is at most `capacity`; minimise the sum of the distances. The published values are reproduced with
TRUNCATED Euclidean distances floor(sqrt(dx^2 + dy^2)) (SOURCES.md: pmedcap01 = 713 with floor,
728.26 with real distances), and a distance is NOT weighted by the customer's demand.

Mapping (as holmberg.py, through orlib_cap.write_cflp with single_source = true): point j ->
company `j` (kwh_per_day = max_kw = demand, one slot of 1 h) and square `j` (annual_cost = 0, one
tier of capacity_kw = capacity); every pair (k, s) -> an assign_costs row with annual_cost =
floor(d_ks), the point's own square included at cost 0 (assign_costs rows are taken as given, with
no walking-distance filter, so a company may use the square at its own point); park.max_squares = p.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siting.importers import Tokens, malformed, number_text
from siting.importers.orlib_cap import write_cflp


def floor_distances(xy: np.ndarray) -> np.ndarray:
    """[n, n] floor(sqrt(dx^2 + dy^2)). For integer coordinates sqrt is exact at perfect squares
    (IEEE sqrt is correctly rounded), so floor never drops a whole unit."""
    diff = xy[:, None, :] - xy[None, :, :]
    return np.floor(np.sqrt((diff**2).sum(axis=2)))


def convert(source: Path, folder: Path) -> None:
    tokens = Tokens.read(source)
    problem = tokens.int("the problem number", minimum=0)
    best = tokens.number("the best known value", minimum=0.0)
    n = tokens.int("the number of points n", minimum=1)
    p = tokens.int("p (the number of medians)", minimum=1, maximum=n)
    capacity = tokens.number("the capacity of a median", minimum=0.0)
    xy, demand = np.zeros((n, 2)), np.zeros(n)
    for j in range(n):
        point = tokens.int(f"the id of point {j + 1}")
        if point != j + 1:
            raise malformed(source, f"token {tokens.pos} (line {tokens.lines[tokens.pos - 1]}): expected the id of "
                                    f"point {j + 1} (ids run 1..n in order), got {point}")
        xy[j, 0] = tokens.number(f"the x coordinate of point {j + 1}")
        xy[j, 1] = tokens.number(f"the y coordinate of point {j + 1}")
        demand[j] = tokens.number(f"the demand of point {j + 1}", minimum=0.0)
    tokens.end(f"the {n} points")

    # Zero fixed costs and costs >= 0: "at most p medians" (park.max_squares) has the same optimum
    # as "exactly p". From a solution with k < p open, open a closed point i (n > k) and move i to
    # its own square: its cost falls by floor(d) >= 0 and its old median's load falls (a point with
    # demand > capacity cannot be served anywhere, so i fits). Repeat up to p open squares.
    name = source.stem
    write_cflp(folder, name, np.full(n, capacity), np.zeros(n), demand, floor_distances(xy), single_source=True,
               max_squares=p, header=[
                   f"Imported by `siting import orlib-pmedcap` from {source.name} "
                   "(OR-Library pmedcap1, Osman & Christofides 1994).",
                   f"Problem {problem}, best known value {number_text(best)} (first line of the file).",
                   "Capacitated p-median: every point -> a company (kwh_per_day = max_kw = demand) and a square",
                   f"(annual_cost = 0, one tier of capacity_kw = {number_text(capacity)}); assign_costs = floor of the",
                   "Euclidean distance (not weighted by demand; 0 to the own square); single source;",
                   f"max_squares = p = {p} (at most p = exactly p here: fixed costs are 0, costs >= 0).",
               ], description=f"OR-Library capacitated p-median {name}: {n} points, p = {p}, capacity "
                              f"{number_text(capacity)}")
