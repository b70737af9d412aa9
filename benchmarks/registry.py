"""Benchmark cases: instance builders x sizes. Each builder writes an instance folder and returns it.

A case is measured phase by phase (load, precompute, build, solve, extract) by benchmarks/run.py,
whatever its model (fast, corridor, park: the `model` of its instance.toml), and the peers (spopt,
a plain pyomo model; fast only) run on the same instance in the same process. Smoke cases run in
`make test` (tests/test_bench_smoke.py), so together they must stay well under a minute.
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
    overrides: tuple[str, ...] = field(default_factory=tuple)  # instance.toml overrides (`--set`); no peers then
    method: str | None = None  # solve method (mclp: "compact" or "benders"); None = the profile's
    known: float | None = None  # the published (or brute-force) optimum: benchmarks/gate.py holds the case to it


def published(model: str, instance: str) -> float:
    """The optimum of `instance` in tests/<model>/known_values.csv (the known-value tests' own table)."""
    import csv

    with open(REPO / "tests" / model / "known_values.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["instance"] == instance and row.get("metric", "objective") == "objective":
                return float(row["expected"])
    raise KeyError(f"{instance} not in tests/{model}/known_values.csv")


SYNTHETIC = {  # size -> (demand points drawn, candidates, p)
    "smoke": (3_000, 60, 5),
    "medium": (10_000, 1_000, 20),  # spopt writes a dense I x J model: this is what it can hold
    "full": (100_000, 1_000, 20),
}


def synthetic_mclp(work: Path, size: str) -> Path:
    from siting.fast.generate import FastSize, generate_fast

    demand, candidates, p = SYNTHETIC[size]
    out = work / f"fast-mclp-{size}"
    if not (out / "instance.toml").exists():
        # no grid areas: spopt's MCLP has no grid limits, so compare like with like
        generate_fast(FastSize(demand, candidates, grid_areas=1, objective="mclp", p=p), seed=1, out=out)
        toml = (out / "instance.toml").read_text()
        toml = toml.replace('[layers.grid_areas]\nfile = "grid_areas.csv"\nx = "x"\ny = "y"\n', "")
        (out / "instance.toml").write_text(toml)
    return out


def orlib(name: str, fmt: str, folder: str, suffix: str = ".txt") -> Callable[[Path, str], Path]:
    """A reference file imported with `siting import` (OR-Library, Holmberg)."""
    def build(work: Path, size: str) -> Path:
        from siting.importers import convert

        out = work / name
        if not (out / "instance.toml").exists():
            out.mkdir(parents=True, exist_ok=True)
            convert(fmt, REPO / "instances" / "reference" / folder / f"{name}{suffix}", out)
        return out

    return build


def committed(name: str) -> Callable[[Path, str], Path]:
    """An instance folder of instances/ as it is."""
    return lambda work, size: REPO / "instances" / name


def generated_corridor(name: str, **size) -> Callable[[Path, str], Path]:
    """`siting generate corridor` with these sizes, seed 1."""
    def build(work: Path, _: str) -> Path:
        from siting.corridor.generate import CorridorSize, generate_corridor

        out = work / name
        if not (out / "instance.toml").exists():
            generate_corridor(CorridorSize(**size), seed=1, out=out)
        return out

    return build


def generated_park(name: str, **size) -> Callable[[Path, str], Path]:
    """`siting generate park` with these sizes, seed 1."""
    def build(work: Path, _: str) -> Path:
        from siting.park.generate import ParkSize, generate_park

        out = work / name
        if not (out / "instance.toml").exists():
            generate_park(ParkSize(**size), seed=1, out=out)
        return out

    return build


def frlm25(range_: float, p: int) -> Callable[[Path, str], Path]:
    """The 25-node FRLM network (`siting import frlm25`) at this range and p, written into the instance
    itself (the peers read the folder, not Case.overrides)."""
    def build(work: Path, _: str) -> Path:
        from siting.importers import convert

        out = work / f"frlm25-r{range_:g}-p{p}"
        if not (out / "instance.toml").exists():
            out.mkdir(parents=True, exist_ok=True)
            convert("frlm25", REPO / "instances" / "reference" / "frlm25", out, range_=range_, p=p)
        return out

    return build


def spopt_sf_lscp(work: Path, size: str) -> Path:
    """spopt's San Francisco data as its LSCP test states it: cover every tract within 5 km, 1 per store."""
    from siting.importers import convert

    out = work / "spopt-sf-lscp"
    if not (out / "instance.toml").exists():
        out.mkdir(parents=True, exist_ok=True)
        convert("spopt-sf", REPO / "instances" / "reference" / "spopt", out)
        toml = (out / "instance.toml").read_text()
        (out / "instance.toml").write_text(toml.replace('objective = "pmedian"', 'objective = "lscp"\nradius = 5000.0'))
    return out


CASES = [
    Case("fast-mclp-synthetic", synthetic_mclp, ("smoke",), peers=("spopt", "pyomo")),
    Case("fast-mclp-10k", lambda work, size: synthetic_mclp(work, "medium"), ("full",),
         peers=("spopt", "spopt-highs", "pyomo")),
    Case("fast-mclp-10k-compact", lambda work, size: synthetic_mclp(work, "medium"), ("full",), method="compact"),
    Case("fast-mclp-100k", synthetic_mclp, ("full",), peers=("pyomo",)),
    Case("fast-mclp-100k-compact", synthetic_mclp, ("full",), method="compact"),
    Case("nal-oost-fast", committed("nal-oost-fast"), ("full",)),
    # the exact reductions, each measured on and off (models/fast.md): dominated candidates on the
    # real network as mclp and on an OR-Library set-covering instance; identical demand rows at 10 k
    Case("nal-oost-mclp", committed("nal-oost-fast"), ("full",), overrides=("fast.objective=mclp", "fast.p=30")),
    Case("nal-oost-mclp-keep-dominated", committed("nal-oost-fast"), ("full",),
         overrides=("fast.objective=mclp", "fast.p=30", "fast.drop_dominated=false")),
    Case("scpa1-keep-dominated", orlib("scpa1", "orlib-scp", "orlib-scp"), ("full",),
         overrides=("fast.drop_dominated=false",)),
    Case("fast-mclp-10k-no-aggregation", lambda work, size: synthetic_mclp(work, "medium"), ("full",),
         overrides=("fast.aggregate_demand=false",)),
    Case("spopt-sf-lscp", spopt_sf_lscp, ("smoke", "full"), peers=("spopt-lscp", "spopt-lscp-highs"),
         known=published("fast", "SF_lscp_r5000_n_stores")),
    Case("scp41", orlib("scp41", "orlib-scp", "orlib-scp"), ("smoke", "full"), known=published("fast", "scp41")),
    Case("scpa1", orlib("scpa1", "orlib-scp", "orlib-scp"), ("full",), known=published("fast", "scpa1")),
    Case("pmed1", orlib("pmed1", "orlib-pmed", "orlib-pmed"), ("smoke", "full"),
         peers=("spopt-pmedian", "spopt-pmedian-highs"), known=published("fast", "pmed1")),
    Case("pmed17", orlib("pmed17", "orlib-pmed", "orlib-pmed"), ("full",), peers=("spopt-pmedian-highs",),
         known=published("fast", "pmed17")),
    Case("pmed22", orlib("pmed22", "orlib-pmed", "orlib-pmed"), ("full",), known=published("fast", "pmed22")),
    # corridor: a tiny generated one in smoke; the issue-7 scale case (target: proven optimal < 60 s)
    Case("corridor-tiny", generated_corridor("corridor-tiny", nodes=150, od_pairs=40, candidates=30, towns=20,
                                             motorway_towns=5, grid_areas=6, p=4), ("smoke",)),
    Case("corridor-500od-2k", generated_corridor("corridor-500od-2k", nodes=2_000, od_pairs=500, candidates=300,
                                                 p=15), ("full",)),
    Case("nal-oost-corridor", committed("nal-oost-corridor"), ("full",)),
    # spopt's FRLM (spopt >= 0.8, Python >= 3.12; a skipped status on 3.11) on the 25-node network, at
    # (range, p) whose optima are known (brute force, tests/corridor/test_known_values.py BRUTE_FORCE):
    # 5285.608155, 7598.401918, 12324.941875
    Case("frlm25-r8-p2", frlm25(8.0, 2), ("full",), peers=("spopt-frlm", "spopt-frlm-highs"), known=5285.608155),
    Case("frlm25-r12-p3", frlm25(12.0, 3), ("full",), peers=("spopt-frlm", "spopt-frlm-highs"), known=7598.401918),
    Case("frlm25-r20-p4", frlm25(20.0, 4), ("full",), peers=("spopt-frlm", "spopt-frlm-highs"),
         known=12324.941875),
    # park: a tiny generated one in smoke; the real-data instance and the slowest Holmberg
    # single-source instances (slow = yes in tests/park/known_values.csv, 45-65 s each) only in full
    Case("park-tiny", generated_park("park-tiny", companies=8, squares=3, parks=2, slots=24), ("smoke",)),
    Case("rijssen-holten-park", committed("rijssen-holten-park"), ("full",)),
    Case("holmberg-p30", orlib("p30", "holmberg", "holmberg-sscflp", suffix=""), ("full",),
         known=published("park", "p30")),
    Case("holmberg-p31", orlib("p31", "holmberg", "holmberg-sscflp", suffix=""), ("full",),
         known=published("park", "p31")),
    Case("holmberg-p32", orlib("p32", "holmberg", "holmberg-sscflp", suffix=""), ("full",),
         known=published("park", "p32")),
]
