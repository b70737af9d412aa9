"""Solve options: one frozen value, filled from a solver profile when it is built.

A profile (`siting/profiles/<name>.toml`, package data, so a wheel install has them) gives the
defaults; an option set explicitly wins. `SolveOptions(profile="exact", threads=1)` is therefore
complete the moment it exists: the CLI, the sweep and the API build it once, at their edge, and
everything after reads its fields and never the profile file. "No limit" is `math.inf`.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, get_args

from pydantic import ConfigDict

from siting.errors import SitingError

Method = Literal["auto", "compact", "benders", "bnb"]
METHODS = get_args(Method)  # auto: bnb where the sites are the only integer columns (<= 30 M pairs), else Benders;
# either raced against compact (siting.concurrent)


def _profiles():
    return resources.files("siting") / "profiles"


def available_profiles() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in _profiles().iterdir() if p.name.endswith(".toml"))


@functools.cache
def read_profile(name: str) -> dict:
    """The named profile's TOML as a dict (read once per process)."""
    source = _profiles() / f"{name}.toml"
    if not source.is_file():
        raise SitingError(f"unknown solver profile '{name}'; available: {', '.join(available_profiles())}")
    return tomllib.loads(source.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SolveOptions:
    """Options of one solve. Fields left at None are taken from `profile` on construction."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # the sweep's [solve] table validates into this type

    solver: str = "highs"
    profile: str = "default"
    time_limit: float | None = None  # seconds; math.inf: no limit
    gap: float | None = None  # relative MIP gap
    threads: int | None = None  # 0: the solver decides
    seed: int | None = None
    warm_start: bool = True
    highs: dict = field(default_factory=dict)  # extra HiGHS options; the profile's [highs] first
    method: Method | None = None  # mclp: compact, benders, bnb, or auto (models/fast.md, "Which method")

    def __post_init__(self) -> None:
        prof = read_profile(self.profile)
        filled = {
            "time_limit": float(self.time_limit if self.time_limit is not None else prof.get("time_limit", math.inf)),
            "gap": float(self.gap if self.gap is not None else prof.get("mip_rel_gap", 0.0)),
            "threads": int(self.threads if self.threads is not None else prof.get("threads", 0)),
            "seed": int(self.seed if self.seed is not None else prof.get("random_seed", 0)),
            "highs": {**prof.get("highs", {}), **self.highs},
            "method": self.method or prof.get("method", "auto"),
        }
        if filled["method"] not in METHODS:
            raise SitingError(f"unknown method '{filled['method']}'; choose {', '.join(METHODS)}")
        if not filled["time_limit"] > 0:
            raise SitingError(f"time limit must be > 0 seconds, got {filled['time_limit']:g}")
        for name, value in filled.items():
            object.__setattr__(self, name, value)

    @property
    def has_time_limit(self) -> bool:
        return math.isfinite(self.time_limit)

    @property
    def start_seconds(self) -> float:
        """What a model's own start heuristic may spend before the solver runs: 10 % of the time
        limit, at most 20 s (the park model's CFLP search)."""
        return min(20.0, 0.1 * self.time_limit)

    def record(self) -> dict:
        """The options as summary.json shows them (JSON has no infinity: no limit is null)."""
        return {"time_limit": self.time_limit if self.has_time_limit else None, "mip_rel_gap": self.gap,
                "threads": self.threads, "random_seed": self.seed, **self.highs}
