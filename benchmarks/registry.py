"""Benchmark cases: instance builders x sizes. Each builder writes an instance folder and returns it.

A case is measured phase by phase (load, precompute, build, solve, extract) by benchmarks/run.py,
and the peers (spopt, a plain pyomo model) run on the same instance in the same process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, str], Path]  # (work folder, size) -> instance folder
    sizes: tuple[str, ...]  # the sizes this case runs at ("smoke", "full")
    peers: tuple[str, ...] = ()  # "spopt", "pyomo"
    overrides: tuple[str, ...] = field(default_factory=tuple)


SYNTHETIC = {  # size -> (demand points drawn, candidates, p)
    "smoke": (3_000, 60, 5),
    "medium": (10_000, 1_000, 20),  # spopt writes a dense I x J model: this is what it can hold
    "full": (100_000, 1_000, 20),
}


def synthetic_mclp(work: Path, size: str) -> Path:
    from siting.generate import FastSize, generate_fast

    demand, candidates, p = SYNTHETIC[size]
    out = work / f"fast-mclp-{size}"
    if not (out / "instance.toml").exists():
        # no grid areas: spopt's MCLP has no grid limits, so compare like with like
        generate_fast(FastSize(demand, candidates, grid_areas=1, objective="mclp", p=p), seed=1, out=out)
        toml = (out / "instance.toml").read_text()
        toml = toml.replace('[layers.grid_areas]\nfile = "grid_areas.csv"\nx = "x"\ny = "y"\n', "")
        (out / "instance.toml").write_text(toml)
    return out


def nal_oost(work: Path, size: str) -> Path:
    return REPO / "instances" / "nal-oost-fast"


def orlib(name: str, fmt: str, folder: str) -> Callable[[Path, str], Path]:
    def build(work: Path, size: str) -> Path:
        from siting.importers import convert

        out = work / name
        if not (out / "instance.toml").exists():
            out.mkdir(parents=True, exist_ok=True)
            convert(fmt, REPO / "instances" / "reference" / folder / f"{name}.txt", out)
        return out

    return build


CASES = [
    Case("fast-mclp-synthetic", synthetic_mclp, ("smoke",), peers=("spopt", "pyomo")),
    Case("fast-mclp-10k", lambda work, size: synthetic_mclp(work, "medium"), ("full",), peers=("spopt", "pyomo")),
    Case("fast-mclp-100k", synthetic_mclp, ("full",), peers=("pyomo",)),
    Case("nal-oost-fast", nal_oost, ("full",)),
    Case("scp41", orlib("scp41", "orlib-scp", "orlib-scp"), ("smoke", "full")),
    Case("scpa1", orlib("scpa1", "orlib-scp", "orlib-scp"), ("full",)),
    Case("pmed1", orlib("pmed1", "orlib-pmed", "orlib-pmed"), ("smoke", "full")),
    Case("pmed17", orlib("pmed17", "orlib-pmed", "orlib-pmed"), ("full",)),
    Case("pmed22", orlib("pmed22", "orlib-pmed", "orlib-pmed"), ("full",)),
]
