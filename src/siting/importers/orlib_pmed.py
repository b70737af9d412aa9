"""OR-Library uncapacitated p-median (Beasley's pmed*.txt) -> a `fast` / pmedian graph instance.

Format (tokens): `n_vertices n_edges p`, then n_edges triples `i j cost` (1-based vertices).

Mapping: graph.csv (u, v, length); every vertex is a demand point (weight 1) and a candidate, both
with id = node = the vertex number (demand and candidate ids are different layers, so both may be
"1".."n"). Objective: sum over vertices of the shortest-path distance to the nearest of p medians.
"""

from __future__ import annotations

from pathlib import Path

from siting.importers import Tokens, malformed, number_text, write_csv, write_toml


def convert(source: Path, folder: Path) -> None:
    tokens = Tokens.read(source)
    n = tokens.int("the number of vertices", minimum=1)
    n_edges = tokens.int("the number of edges", minimum=0)
    p = tokens.int("p (the number of medians)", minimum=1, maximum=n)
    # pmedinfo: "Read each edge line in the data file IN TURN: ... set c(i,j)=k and c(j,i)=k", so
    # when an edge appears twice the LAST occurrence wins. The engine keeps the MINIMUM of parallel
    # edges (a road graph rule), so duplicates are resolved here, keeping the last occurrence of each
    # unordered pair: pmed1 = 5819 (the published optimum) with last-wins, 5718 with the minimum.
    edges: dict[tuple[int, int], float] = {}
    for e in range(1, n_edges + 1):
        i = tokens.int(f"the first vertex of edge {e}", minimum=1, maximum=n)
        j = tokens.int(f"the second vertex of edge {e}", minimum=1, maximum=n)
        cost = tokens.number(f"the cost of edge {e}", minimum=0.0)
        if i == j:
            raise malformed(source, f"edge {e} is a loop ({i} {i}): pmedinfo's rule would give vertex {i} "
                                    "a nonzero distance to itself; not supported")
        key = (min(i, j), max(i, j))
        edges.pop(key, None)  # re-insert, so the file order of last occurrences is kept
        edges[key] = cost
    tokens.end(f"the {n_edges} edges")
    touched = {v for key in edges for v in key}
    if len(touched) < n:
        lonely = sorted(set(range(1, n + 1)) - touched)
        raise malformed(source, f"vertex {lonely[0]} has no edge ({len(lonely)} such vertices): it cannot reach a median")

    write_csv(folder / "graph.csv", ["u", "v", "length"], ((i, j, number_text(c)) for (i, j), c in edges.items()))
    write_csv(folder / "demand.csv", ["id", "weight", "node"], ((v, 1, v) for v in range(1, n + 1)))
    write_csv(folder / "candidates.csv", ["id", "node"], ((v, v) for v in range(1, n + 1)))
    name = source.stem
    write_toml(folder, {
        "name": name,
        "description": f"OR-Library p-median {name}: {n} vertices, {n_edges} edges, p = {p}",
        "model": "fast",
        "layers": {
            "demand": {"file": "demand.csv"},
            "candidates": {"file": "candidates.csv"},
            "graph": {"file": "graph.csv"},
        },
        "fast": {"objective": "pmedian", "p": p, "kw_per_charger": 0.0},
    }, header=[
        f"Imported by `siting import orlib-pmed` from {source.name} (OR-Library, Beasley 1985).",
        "Every vertex is a demand point (weight 1) and a candidate; distances are shortest paths in graph.csv.",
        f"Duplicated edges: the last occurrence in {source.name} was kept (pmedinfo's rule), "
        f"{len(edges)} distinct edges of {n_edges}.",
    ])
