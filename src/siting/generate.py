"""What the generators of synthetic instances share (`siting generate`; each model's `generate`
module): the region, the town mixture, substations and byte-stable CSV.

Fast instances (siting.fast.generate): demand clustered like towns and villages inside a 150 x 120 km region (a mixture of
Gaussian towns with lognormal sizes over a thin rural background), snapped to a grid of the
given resolution and merged per cell; candidates drawn from the same towns plus a rural share;
grid areas = the nearest of K substations, with lognormal headroom of which a third is zero
(as in Gelderland). Same seed, same files, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

WIDTH, HEIGHT = 150_000.0, 120_000.0
CRS = "EPSG:28992"
ORIGIN = (150_000.0, 420_000.0)  # somewhere in the east of the Netherlands, in RD New


def town_mixture(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n towns: centres in the region, shares of the population (lognormal sizes), spread in metres."""
    centre = rng.uniform([0, 0], [WIDTH, HEIGHT], (n, 2))
    size = rng.lognormal(mean=0.0, sigma=1.0, size=n)
    spread = 800.0 + 1500.0 * np.sqrt(size)  # bigger towns are wider
    return centre, size / size.sum(), spread


def clustered_points(rng, n, towns, rural_share: float) -> np.ndarray:
    """n points drawn around the towns (by share) plus a uniform rural share, clipped to the region."""
    centre, share, spread = towns
    n_rural = int(round(n * rural_share))
    which = rng.choice(len(share), size=n - n_rural, p=share)
    town_pts = centre[which] + rng.normal(size=(n - n_rural, 2)) * spread[which, None]
    rural = rng.uniform([0, 0], [WIDTH, HEIGHT], (n_rural, 2))
    pts = np.vstack([town_pts, rural])
    return np.clip(pts, [0, 0], [WIDTH, HEIGHT])


def substations(rng: np.random.Generator, n: int, towns, median_kw: float) -> tuple[np.ndarray, np.ndarray]:
    """Substation points (half rural) and lognormal headroom in kW, a third of them with none
    (as in Gelderland)."""
    xy = clustered_points(rng, n, towns, rural_share=0.5)
    headroom = np.round(rng.lognormal(mean=np.log(median_kw), sigma=1.0, size=n), -1)
    headroom[rng.random(n) < 1 / 3] = 0.0
    return xy, headroom


def write_csv(path: Path, df: pd.DataFrame) -> None:
    """Fixed float format and line ends: the same frame gives the same bytes on every machine."""
    df.to_csv(path, index=False, float_format="%.3f", lineterminator="\n")
