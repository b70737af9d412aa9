"""The 25-node FRLM network (Simchi-Levi & Berman 1988; Kuby & Lim 2005) -> a `corridor` instance.

SOURCE is the folder with `25-Node_Network_Edges.csv` (Origin, Destination, Edge Length; both
directions listed), `25-Node_Network_Nodes.csv` (Node, Population Weight) and
`25-Node_Network_Traffic_Flow.csv` (25 x 25 symmetric OD matrix, diagonal 0). Files carry a
UTF-8 BOM. Written: roads.csv (u, v, length: edge lengths as given, in the network's abstract
length unit), od_flows.csv (one row per unordered pair i < j with f_ij > 0: a round trip covers
both directions) and candidates.csv (every node a candidate, at its own node).

Defaults: range 8, p 2 (override with `siting import frlm25 DIR --out OUT --range R --p P` or
later with `--set corridor.range=... --set corridor.p=...`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from siting.importers import malformed, number_text, read_text, write_csv, write_toml

EDGES = "25-Node_Network_Edges.csv"
NODES = "25-Node_Network_Nodes.csv"
FLOWS = "25-Node_Network_Traffic_Flow.csv"
DEFAULT_RANGE = 8.0
DEFAULT_P = 2


def _rows(path: Path) -> list[list[str]]:
    if not path.exists():
        raise malformed(path, "file not found (expected the frlm25 folder with its three CSV files)")
    return [[c.strip() for c in row] for row in csv.reader(read_text(path).splitlines()) if any(c.strip() for c in row)]


def _number(path: Path, line: int, text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise malformed(path, f"line {line}: expected {what} (a number), got {text!r}") from None


def read_network(source: Path) -> tuple[list[str], dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """(node ids, {(u, v): length} with u < v, {(i, j): flow} with i < j)."""
    nodes_rows = _rows(source / NODES)
    nodes = [row[0] for row in nodes_rows[1:]]
    if not nodes or len(set(nodes)) != len(nodes):
        raise malformed(source / NODES, "expected one row per node with unique ids")
    known = set(nodes)
    edges: dict[tuple[str, str], float] = {}
    for line, row in enumerate(_rows(source / EDGES)[1:], start=2):
        if len(row) < 3:
            raise malformed(source / EDGES, f"line {line}: expected Origin, Destination, Edge Length")
        a, b = row[0], row[1]
        for end in (a, b):
            if end not in known:
                raise malformed(source / EDGES, f"line {line}: unknown node {end!r}")
        length = _number(source / EDGES, line, row[2], "the edge length")
        if not length > 0:
            raise malformed(source / EDGES, f"line {line}: edge length must be > 0, got {row[2]}")
        key = (a, b) if int(a) < int(b) else (b, a)
        if key in edges and edges[key] != length:
            raise malformed(source / EDGES, f"line {line}: edge {key} listed with two lengths ({edges[key]:g}, {length:g})")
        edges[key] = length
    flow_rows = _rows(source / FLOWS)
    header = flow_rows[0][1:]
    if header != nodes:
        raise malformed(source / FLOWS, "the header must list the nodes in the order of the nodes file")
    flows: dict[tuple[str, str], float] = {}
    for line, row in enumerate(flow_rows[1:], start=2):
        i = row[0]
        if i not in known or len(row) != len(nodes) + 1:
            raise malformed(source / FLOWS, f"line {line}: expected node id and {len(nodes)} flows")
        for j, text in zip(nodes, row[1:], strict=True):
            value = _number(source / FLOWS, line, text, f"the flow {i}->{j}")
            if int(i) < int(j) and value > 0:
                flows[(i, j)] = value
    return nodes, edges, flows


def convert(source: Path, folder: Path, range_: float = DEFAULT_RANGE, p: int = DEFAULT_P) -> None:
    if not source.is_dir():
        raise malformed(source, "expected the frlm25 folder (with the three CSV files), got a file")
    nodes, edges, flows = read_network(source)
    write_csv(folder / "roads.csv", ["u", "v", "length"],
              ((a, b, number_text(w)) for (a, b), w in sorted(edges.items(), key=lambda kv: (int(kv[0][0]), int(kv[0][1])))))
    write_csv(folder / "od_flows.csv", ["origin", "destination", "trucks_per_day"],
              ((a, b, number_text(f)) for (a, b), f in sorted(flows.items(), key=lambda kv: (int(kv[0][0]), int(kv[0][1])))))
    # fixed_cost 1 per station: objective "cost" then minimises the number of stations
    write_csv(folder / "candidates.csv", ["id", "node", "fixed_cost"], ((n, n, 1) for n in nodes))
    write_toml(folder, {
        "name": "frlm25",
        "description": f"25-node FRLM test network ({len(edges)} edges, {len(flows)} OD pairs, total flow "
                       f"{sum(flows.values()):.3f}); every node a candidate",
        "model": "corridor",
        "layers": {
            "roads": {"file": "roads.csv"},
            "od_flows": {"file": "od_flows.csv"},
            "candidates": {"file": "candidates.csv"},
        },
        "corridor": {"objective": "flow", "range": float(range_), "p": int(p), "kw_per_charger": 0.0},
    }, header=[
        f"Imported by `siting import frlm25` from {source.name} (Simchi-Levi & Berman 1988 network, Kuby & Lim 2005).",
        "Lengths are the network's abstract units; range is in the same unit. Flows: f_ij for i < j.",
        "Set range and p with --set corridor.range=... --set corridor.p=...",
    ])
