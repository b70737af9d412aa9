"""Swain's 55 points (Church & ReVelle 1974 MCLP) -> a `fast` / mclp planar instance.

Reads the three layouts in circulation, detected from the text:

* whitespace, count first (Medrano's `swain.txt`): `55`, then `id x y w` per point (`01 32. 31. 71.`);
* Church's `.dat` CSV (`swain.dat`): `id, x, y, w,` per line, no count (any line with a comma);
* a header line `id x y a` (tab or blank separated), then `id x y a` per point (jxu0410's copy);
  the same rows without a header line are read too.

Every point is a demand point (weight w) and a candidate. Coordinates are abstract planar units:
the layers name x/y and the instance has no CRS, so distances are Euclidean in those units.
Defaults radius 10, p 5 (override with `--set fast.radius=... --set fast.p=...`).
"""

from __future__ import annotations

from pathlib import Path

from siting.importers import Tokens, malformed, number_text, read_text, write_csv, write_toml

DEFAULT_RADIUS = 10.0
DEFAULT_P = 5


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def read_points(source: Path) -> tuple[str, list[tuple[int, float, float, float]]]:
    """(layout, [(id, x, y, weight), ...]) from any of the three layouts."""
    text = read_text(source)
    if "," in text:
        layout = "Church .dat CSV (id, x, y, w,)"
        tokens = Tokens.read(source, text.replace(",", " "))
        count = None
    else:
        tokens = Tokens.read(source, text)
        if tokens.words and not _is_number(tokens.words[0]):
            header = [w for w, line in zip(tokens.words, tokens.lines, strict=True) if line == tokens.lines[0]]
            if len(header) != 4:
                raise malformed(source, f"line {tokens.lines[0]}: expected a header of 4 column names (id x y a), "
                                        f"got {len(header)}: {' '.join(header)}")
            layout = f"header '{' '.join(header)}'"
            tokens.pos = 4
            count = None
        elif tokens.words and tokens.lines.count(tokens.lines[0]) == 4:
            layout = "id x y w per line, no count"
            count = None
        else:
            layout = "count, then id x y w"
            if tokens.words and tokens.lines.count(tokens.lines[0]) != 1:
                raise malformed(source, f"line {tokens.lines[0]}: expected the number of points alone, "
                                        "or 4 values 'id x y weight'")
            count = tokens.int("the number of points", minimum=1)
    points = []
    k = 0
    while (count is None and tokens.left) or (count is not None and k < count):
        k += 1
        pid = tokens.int(f"the id of point {k}", minimum=0)
        x = tokens.number(f"the x coordinate of point {k}")
        y = tokens.number(f"the y coordinate of point {k}")
        w = tokens.number(f"the demand weight of point {k}", minimum=0.0)
        points.append((pid, x, y, w))
    tokens.end(f"{len(points)} points")
    if not points:
        raise malformed(source, "no points found: expected lines 'id x y weight'")
    seen: set[int] = set()
    for pid, *_ in points:
        if pid in seen:
            raise malformed(source, f"point id {pid} appears twice")
        seen.add(pid)
    return layout, points


def convert(source: Path, folder: Path) -> None:
    layout, points = read_points(source)
    write_csv(folder / "demand.csv", ["id", "x", "y", "weight"],
              ((pid, number_text(x), number_text(y), number_text(w)) for pid, x, y, w in points))
    write_csv(folder / "candidates.csv", ["id", "x", "y"],
              ((pid, number_text(x), number_text(y)) for pid, x, y, _ in points))
    total = sum(w for *_, w in points)
    write_toml(folder, {
        "name": "swain55" if len(points) == 55 else source.stem,
        "description": f"Swain's points ({len(points)}, total demand {number_text(total)}), planar coordinates; "
                       "every point is a candidate",
        "model": "fast",
        "layers": {
            "demand": {"file": "demand.csv", "x": "x", "y": "y"},
            "candidates": {"file": "candidates.csv", "x": "x", "y": "y"},
        },
        "fast": {"objective": "mclp", "radius": DEFAULT_RADIUS, "p": DEFAULT_P, "kw_per_charger": 0.0},
    }, header=[
        f"Imported by `siting import swain` from {source.name} (layout: {layout}).",
        "No crs: x/y are abstract planar units and distances are Euclidean in those units.",
        "radius and p are defaults; set them with --set fast.radius=... --set fast.p=...",
    ])
