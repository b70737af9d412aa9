"""What the sweep tests share: a small generated fast instance with a sweep file beside it."""

from __future__ import annotations

from pathlib import Path


def write_sweep(folder: Path, name: str, text: str, *, demand: int, candidates: int, grid_areas: int,
                seed: int) -> Path:
    """`folder/instance` (mclp, p = 5, R = 6 km; `siting generate fast` with these sizes) and
    `folder/<name>.toml` holding `text`; returns the sweep file."""
    from siting.fast.generate import FastSize, generate_fast

    generate_fast(FastSize(demand=demand, candidates=candidates, grid_areas=grid_areas, objective="mclp", p=5,
                           radius=6000.0), seed, folder / "instance")
    (folder / f"{name}.toml").write_text(text)
    return folder / f"{name}.toml"
