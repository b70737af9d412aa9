"""The import graph of siting: no cycle, no import of another module's private name, layers that
import only downward, and checkers that import nothing from the models they check.

The graph is read from the source with `ast` (every import, also those inside functions), so the
test needs no import of siting and fails on a cycle that only a lazy import closes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[2] / "src" / "siting"
MODELS = ("fast", "corridor", "park")
# The layers, lowest first: a module may import its own layer and the ones below it.
LAYERS = [
    {"siting", "siting.errors", "siting.config", "siting.options", "siting.resources", "siting.generate",
     "siting.stop"},
    {"siting.precompute", "siting.formulation", "siting.io", "siting.checks", "siting.solve", "siting.diagnose",
     "siting.pipeline", "siting.registry", "siting.importers", "siting.progress", "siting.cluster",
     "siting.concurrent"},
    {f"siting.{m}" for m in MODELS},
    {"siting.whitespots", "siting.rollout", "siting.gridneeds"},  # built on the models: above them, below the CLI
    {"siting.sweep", "siting.cli"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imports(path: Path, name: str, known: dict[str, Path]) -> list[tuple[str, str]]:
    """(imported module, imported name or "") for every `siting` import of one module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names if a.name.split(".")[0] == "siting"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.split(".")[0] != "siting":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full, "") if full in known else (base, alias.name))
    return out


def graph() -> tuple[nx.DiGraph, list[tuple[str, str, str]]]:
    known = modules()
    g, private = nx.DiGraph(), []
    g.add_nodes_from(known)
    for name, path in known.items():
        for target, attr in imports(path, name, known):
            while target not in known:
                target = target.rpartition(".")[0]
            if attr.startswith("_") and not attr.startswith("__"):
                private.append((name, target, attr))
            if target != name and not name.startswith(target + "."):  # a package's own __init__ is not an edge
                g.add_edge(name, target)
    return g, private


def layer_of(name: str) -> int:
    for level, members in enumerate(LAYERS):
        if any(name == m or name.startswith(m + ".") for m in members - {"siting"}) or name == "siting":
            return level
    raise AssertionError(f"{name} is in no layer of this test: add it")


def test_no_import_cycle() -> None:
    g, _ = graph()
    cycles = list(nx.simple_cycles(g))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])


def test_no_import_of_a_private_name() -> None:
    _, private = graph()
    assert not private, "private names imported from other modules: " + ", ".join(
        f"{a} imports {b}.{name}" for a, b, name in private)


def test_layers_import_only_downward() -> None:
    g, _ = graph()
    upward = [(a, b) for a, b in g.edges if layer_of(b) > layer_of(a)]
    assert not upward, "imports that run upward: " + ", ".join(f"{a} -> {b}" for a, b in upward)


def test_models_do_not_import_each_other() -> None:
    g, _ = graph()
    crossing = [(a, b) for a, b in g.edges for m in MODELS for other in MODELS
                if m != other and a.startswith(f"siting.{m}.") and (b == f"siting.{other}" or b.startswith(f"siting.{other}."))]
    assert not crossing, "a model package imports another: " + ", ".join(f"{a} -> {b}" for a, b in crossing)


def test_checkers_import_nothing_from_the_models_they_check() -> None:
    """verify.py may read the instance and the solution, never the formulation or its read-back,
    not even through another module."""
    g, _ = graph()
    for m in MODELS:
        reached = nx.descendants(g, f"siting.{m}.verify")
        banned = {f"siting.{m}.model", f"siting.{m}.extract", f"siting.{m}.api", "siting.formulation",
                  "siting.formulation.blocks", "siting.formulation.families", "siting.formulation.emit"}
        assert not reached & banned, f"siting.{m}.verify reaches {sorted(reached & banned)}"


def test_every_model_package_has_the_same_modules() -> None:
    common = {"params", "instance", "load", "validate", "model", "extract", "solution", "verify", "screens", "report",
              "generate", "api", "spec"}
    for m in MODELS:
        have = {p.stem for p in (SRC / m).glob("*.py")}
        assert common <= have, f"siting.{m} lacks {sorted(common - have)}"


def test_the_graph_sees_a_planted_cycle(tmp_path) -> None:
    """The reader of imports is not blind: a cycle made of lazy imports is found."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("def f():\n    from siting.b import g\n")
    b.write_text("from siting.a import f\n")
    known = {"siting.a": a, "siting.b": b}
    g = nx.DiGraph([(n, t) for n, p in known.items() for t, _ in imports(p, n, known)])
    assert sorted(map(sorted, nx.simple_cycles(g))) == [["siting.a", "siting.b"]]


# What a checker may import from siting: the certificate, and the plain data types of what it
# checks. Everything else - the model's coefficient code (instance methods and helpers such as
# round_trip_energy, od_length, max_chargers, annuity_factor, dwell_window), the shared
# SiteResources/GridAreas rules, the precompute kernels (half_range, decay_weights, road_subgraph)
# - it must recompute, so that an error there is not invisible to both the model and its check.
CHECKER_IMPORTS = {
    "siting.checks": {"Certificate"},
    "siting.fast.instance": {"FastInstance"},
    "siting.fast.solution": {"FastSolution"},
    "siting.corridor.instance": {"CorridorInstance"},
    "siting.park.instance": {"ParkInstance"},
    "siting.park.solution": {"ParkSolution"},
    "siting.precompute": {"Pairs"},
    "siting.precompute.paths": {"Paths"},
}
# Derived coefficients (methods and properties of the instances, params and resources) a checker
# must not call; it reads plain dataclass fields instead. `allowed`/`forced` (which sites a
# scenario closes or fixes open) are decisions, not coefficients, and stay readable.
CHECKER_BANNED_ATTRIBUTES = {"resources", "land_limit", "allowed_kw", "new_load_kw", "headroom", "kw", "upgradable",
                             "max_chargers()", "annuity", "max_energy", "has_own", "hours", "day_hours",
                             "vehicle_range", "opening_chargers", "new_sites", "paths.length"}


def test_checkers_import_no_coefficient_code_of_their_model() -> None:
    known = modules()
    for m in MODELS:
        name = f"siting.{m}.verify"
        found = []
        for target, attr in imports(known[name], name, known):
            allowed = CHECKER_IMPORTS.get(target, set())
            if attr not in allowed:
                found.append(f"{target}.{attr}" if attr else target)
        assert not found, f"{name} imports {found}; allowed: {CHECKER_IMPORTS}"


def test_checkers_call_no_derived_coefficient_of_the_instance() -> None:
    """`inst.resources.land_limit()`, `inst.max_chargers()`, `inst.hours`, `paths.length`, ... are
    the model's coefficient code; a checker reads plain fields (`inst.max_chargers` the array is
    a field in fast and corridor, the method in park is not)."""
    for m in MODELS:
        tree = ast.parse((SRC / m / "verify.py").read_text(encoding="utf-8"))
        used = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                used.add(node.func.attr + "()")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
                used.add(node.attr)
                if isinstance(node.value, ast.Name):
                    used.add(f"{node.value.id}.{node.attr}")
        banned = used & CHECKER_BANNED_ATTRIBUTES
        assert not banned, f"siting.{m}.verify uses derived coefficients {sorted(banned)}: recompute them"
