"""Importer unit tests on tiny hand-written files: counts, layouts, the pmed duplicate-edge rule,
the pmedcap mapping to the park model (floor distances, capacity, p squares), and malformed input
(an InstanceError naming the file and the token that was expected).

The known-value tests (test_known_values.py) run the importers on the real benchmark files;
pmed1 = 5819 there also guards the last-wins rule (5718 if duplicate edges took the minimum).
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.errors import InstanceError
from siting.fast.api import solve_fast
from siting.fast.load import load_fast
from siting.importers import FORMATS, convert
from siting.options import SolveOptions

EXACT = SolveOptions(profile="exact")


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run_import(fmt: str, source: Path, tmp_path: Path, name: str = "instance") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    convert(fmt, source, folder)
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def toml(folder: Path) -> dict:
    return tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))


def assert_malformed(fmt: str, source: Path, tmp_path: Path, *fragments: str) -> InstanceError:
    with pytest.raises(InstanceError) as info:
        run_import(fmt, source, tmp_path, name="bad")
    err = info.value
    assert err.problems[0].file == str(source)
    for fragment in fragments:
        assert fragment in err.problems[0].message, err.problems[0].message
    return err


def test_formats_match_the_cli() -> None:
    from siting.cli.import_cmd import FORMATS as CLI_FORMATS

    assert sorted(CLI_FORMATS) == sorted(FORMATS)


def test_unknown_format(tmp_path: Path) -> None:
    source = write(tmp_path / "x.txt", "1")
    with pytest.raises(InstanceError, match="unknown import format"):
        convert("orlib-xyz", source, tmp_path)


# -- orlib-scp ------------------------------------------------------------------------------------
# 3 rows, 4 columns; costs 2 3 4 5; row 1 <- {1, 2}, row 2 <- {3}, row 3 <- {1, 2, 4}. Optimum 2 + 4 = 6.
SCP = "3 4\n 2 3 4 5\n 2 1 2\n 1 3\n 3 1 2 4\n"


def test_scp_layers(tmp_path: Path) -> None:
    folder = run_import("orlib-scp", write(tmp_path / "tiny.txt", SCP), tmp_path)
    assert [r["id"] for r in rows(folder / "demand.csv")] == ["1", "2", "3"]
    assert {r["weight"] for r in rows(folder / "demand.csv")} == {"1"}
    cand = rows(folder / "candidates.csv")
    assert [(r["id"], r["fixed_cost"], r["cost_per_charger"], r["max_chargers"]) for r in cand] == [
        ("1", "2", "0", "1"), ("2", "3", "0", "1"), ("3", "4", "0", "1"), ("4", "5", "0", "1")]
    cov = [(r["demand_id"], r["candidate_id"]) for r in rows(folder / "coverage.csv")]
    assert cov == [("1", "1"), ("1", "2"), ("2", "3"), ("3", "1"), ("3", "2"), ("3", "4")]
    config = toml(folder)
    assert config["name"] == "tiny"
    assert config["fast"] == {"objective": "lscp", "min_chargers": 1, "kw_per_charger": 0.0}
    inst = load_fast(folder)
    assert inst.n_demand == 3 and inst.n_sites == 4 and inst.given_pairs.nnz == 6


@pytest.mark.solver
def test_scp_tiny_optimum(tmp_path: Path) -> None:
    folder = run_import("orlib-scp", write(tmp_path / "tiny.txt", SCP), tmp_path)
    run = solve_fast(folder, EXACT)
    assert run.status == "optimal" and run.objective == pytest.approx(6.0, abs=1e-9)
    assert run.certificate.objective == pytest.approx(6.0, abs=1e-9) and run.certificate.violations == []
    assert list(run.instance.site_ids[run.solution.open]) == ["1", "3"]


def test_scp_tokens_not_lines_crlf_and_nul(tmp_path: Path) -> None:
    """Reflowed whitespace, CRLF line ends and trailing NUL bytes give the same instance."""
    clean = run_import("orlib-scp", write(tmp_path / "a.txt", SCP), tmp_path, "a")
    reflowed = "3 4 2 3 4 5 2 1 2 1 3 3 1 2 4".replace(" ", "\r\n  ") + "\r\n"
    messy = run_import("orlib-scp", write(tmp_path / "a2.txt", reflowed.encode() + b"\x00" * 7), tmp_path, "b")
    for name in ("demand.csv", "candidates.csv", "coverage.csv"):
        assert (clean / name).read_text() == (messy / name).read_text()


@pytest.mark.parametrize(("text", "fragments"), [
    ("", ("empty", "number of rows")),
    ("3 4\n 2 3 x 5\n", ("token 5 (line 2)", "cost of column 3", "'x'")),
    ("3 4\n 2 3 4 5\n 2 1 2\n 1 3\n 3 1 2\n", ("ends after", "column 3 of 3 covering row 3")),
    ("3 4\n 2 3 4 5\n 2 1 2\n 1 9\n 3 1 2 4\n", ("column 1 of 1 covering row 2", "in [1, 4]", "got 9")),
    ("3 4\n 2 3 4 5\n 2 1 2\n 0\n 3 1 2 4\n", ("row 2 is covered by no column",)),
    ("3 4\n 2 3 4 5\n 2 1 2\n 1 3\n 3 1 2 4\n 7\n", ("expected the end of the file", "'7'")),
    ("3 4\n 2 3 4 5\n 2 1 2\n 1 2.5\n", ("an integer", "'2.5'")),
    ("3 4\n 2 -3 4 5\n", ("cost of column 2", ">= 0")),
])
def test_scp_malformed(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    assert_malformed("orlib-scp", write(tmp_path / "bad.txt", text), tmp_path, *fragments)


# -- orlib-pmed -----------------------------------------------------------------------------------
# Path 1 - 2 - 3; edge {1,2} appears twice (5, then 7 written as "2 1"): pmedinfo's rule keeps 7.
PMED = "3 3 1\n1 2 5\n2 3 4\n2 1 7\n"


def test_pmed_layers_and_last_wins(tmp_path: Path) -> None:
    folder = run_import("orlib-pmed", write(tmp_path / "tiny.txt", PMED), tmp_path)
    graph = [(r["u"], r["v"], r["length"]) for r in rows(folder / "graph.csv")]
    assert sorted(graph) == [("1", "2", "7"), ("2", "3", "4")]
    assert [(r["id"], r["weight"], r["node"]) for r in rows(folder / "demand.csv")] == [
        ("1", "1", "1"), ("2", "1", "2"), ("3", "1", "3")]
    assert [(r["id"], r["node"]) for r in rows(folder / "candidates.csv")] == [("1", "1"), ("2", "2"), ("3", "3")]
    config = toml(folder)
    assert config["fast"] == {"objective": "pmedian", "p": 1, "kw_per_charger": 0.0}
    assert "radius" not in config["fast"]
    inst = load_fast(folder)
    assert inst.n_demand == 3 and inst.n_sites == 3 and inst.graph.n_nodes == 3


@pytest.mark.solver
def test_pmed_tiny_optimum_uses_last_edge(tmp_path: Path) -> None:
    """Median at 2: 7 + 0 + 4 = 11 with the last {1,2} edge; 9 had the minimum (5) been kept."""
    folder = run_import("orlib-pmed", write(tmp_path / "tiny.txt", PMED), tmp_path)
    run = solve_fast(folder, EXACT)
    assert run.status == "optimal" and run.objective == pytest.approx(11.0, abs=1e-9)
    assert run.certificate.objective == pytest.approx(11.0, abs=1e-9) and run.certificate.violations == []
    assert list(run.instance.site_ids[run.solution.open]) == ["2"]


def test_pmed_crlf_and_nul(tmp_path: Path) -> None:
    clean = run_import("orlib-pmed", write(tmp_path / "a.txt", PMED), tmp_path, "a")
    messy_text = PMED.replace("\n", "\r\n").encode() + b"\x00\x00"
    messy = run_import("orlib-pmed", write(tmp_path / "b.txt", messy_text), tmp_path, "b")
    assert (clean / "graph.csv").read_text() == (messy / "graph.csv").read_text()


@pytest.mark.parametrize(("text", "fragments"), [
    ("3 3 1\n1 2 5\n2 3 4\n", ("ends after 9 tokens", "first vertex of edge 3")),
    ("3 2 1\n1 2 5\n2 4 4\n", ("second vertex of edge 2", "in [1, 3]", "got 4")),
    ("3 2 4\n1 2 5\n2 3 4\n", ("p (the number of medians)", "in [1, 3]")),
    ("3 2 1\n1 2 5\n2 3 four\n", ("cost of edge 2", "'four'")),
    ("3 2 1\n1 2 5\n2 3 4\n3 1 2\n", ("expected the end of the file after the 2 edges",)),
    ("3 2 1\n1 2 5\n2 2 4\n", ("edge 2 is a loop",)),
    ("4 2 1\n1 2 5\n2 3 4\n", ("vertex 4 has no edge",)),
])
def test_pmed_malformed(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    assert_malformed("orlib-pmed", write(tmp_path / "bad.txt", text), tmp_path, *fragments)


# -- swain ----------------------------------------------------------------------------------------
SWAIN_LAYOUTS = {
    "count-first": "3\n01 32. 31. 71.\n02 29. 32. 62.\n03 27. 36. 56.\n",
    "dat-csv": "01, 32, 31, 71,\r\n02, 29, 32, 62,\r\n03, 27, 36, 56,\r\n",
    "header-tabs": "id\tx\ty\ta\r\n1\t32\t31\t71\r\n2\t29\t32\t62\r\n3\t27\t36\t56\r\n",
    "no-header": "1 32 31 71\n2 29 32 62\n3 27 36 56\n\x00\x00",
}


@pytest.mark.parametrize("layout", sorted(SWAIN_LAYOUTS))
def test_swain_layouts(tmp_path: Path, layout: str) -> None:
    folder = run_import("swain", write(tmp_path / "swain.txt", SWAIN_LAYOUTS[layout]), tmp_path)
    assert rows(folder / "demand.csv") == [
        {"id": "1", "x": "32", "y": "31", "weight": "71"},
        {"id": "2", "x": "29", "y": "32", "weight": "62"},
        {"id": "3", "x": "27", "y": "36", "weight": "56"},
    ]
    assert [r["id"] for r in rows(folder / "candidates.csv")] == ["1", "2", "3"]
    config = toml(folder)
    assert "crs" not in config
    assert config["layers"]["demand"] == {"file": "demand.csv", "x": "x", "y": "y"}
    assert config["fast"] == {"objective": "mclp", "radius": 10.0, "p": 5, "kw_per_charger": 0.0}
    inst = load_fast(folder, ["fast.p=2"])
    assert inst.demand_xy.tolist() == [[32, 31], [29, 32], [27, 36]]
    assert inst.site_xy.tolist() == inst.demand_xy.tolist()


@pytest.mark.parametrize(("text", "fragments"), [
    ("3\n01 32. 31. 71.\n02 29. 32. 62.\n", ("ends after", "id of point 3")),
    ("2\n01 32. 31. 71.\n02 29. 32. 62.\n03 27. 36. 56.\n", ("expected the end of the file after 2 points",)),
    ("01, 32, 31, 71,\n01, 29, 32, 62,\n", ("point id 1 appears twice",)),
    ("01, 32, 31, 71,\n02, 29, 32,\n", ("ends after", "demand weight of point 2")),
    ("id x y\n1 2 3\n", ("header of 4 column names",)),
    ("2\n01 32. 31. -1.\n02 29. 32. 62.\n", ("demand weight of point 1", ">= 0")),
    ("2\n01 3,2 31. 5.\n", ()),
    ("2 3\n01 32. 31. 71.\n", ("expected the number of points alone",)),
    ("1 32 31 71\n2 29 32\n", ("ends after 7 tokens", "demand weight of point 2")),
    ("1 32 31 71\n2 29 32 -5\n", ("demand weight of point 2", ">= 0")),
])
def test_swain_malformed(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    assert_malformed("swain", write(tmp_path / "bad.txt", text), tmp_path, *fragments)


# -- spopt-sf -------------------------------------------------------------------------------------
SF_DIST = "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
SF_DEMAND = "SF_demand_205_centroid_uniform_weight.csv"
SF_STORES = "SF_store_site_16_longlat.csv"


def sf_folder(tmp_path: Path, drop_pair: bool = False) -> Path:
    """3 tracts (NAMEs sort differently as numbers and as strings) x 3 stores (Store_10 < Store_2)."""
    src = tmp_path / "sf"
    src.mkdir(parents=True)
    write(src / SF_DEMAND, '"","OBJECTID","ID","NAME","POP2000","long","lat"\n'
                           '"1","1","x","060750100.00",100,-122.1,37.1\n'
                           '"2","2","x","060750099.50",200,-122.2,37.2\n'
                           '"3","3","x","060759999.00",300,-122.3,37.3\n')
    write(src / SF_STORES, '"","OBJECTID","NAME","long","lat"\n'
                           '"1","1","Store_2",-122.4,37.4\n"2","2","Store_1",-122.5,37.5\n'
                           '"3","3","Store_10",-122.6,37.6\n')
    lines = ["distance,name,DestinationName,demand"]
    for t, tract in enumerate(["060750100.00", "060750099.50", "060759999.00"]):
        for s, store in enumerate(["Store_2", "Store_1", "Store_10"]):
            if drop_pair and (t, s) == (0, 0):
                continue
            lines.append(f"{1000 * (t + 1) + s}.123456789012345,{store},{tract},0")
    write(src / SF_DIST, "\n".join(lines) + "\n")
    return src


def test_spopt_sf_order_weights_and_distances(tmp_path: Path) -> None:
    folder = run_import("spopt-sf", sf_folder(tmp_path), tmp_path)
    demand = rows(folder / "demand.csv")
    assert [(r["id"], r["weight"]) for r in demand] == [
        ("060750099.50", "200"), ("060750100.00", "100"), ("060759999.00", "300")]  # numeric order
    cand = rows(folder / "candidates.csv")
    assert [(r["id"], r["fixed_cost"]) for r in cand] == [("Store_1", "1"), ("Store_10", "1"), ("Store_2", "1")]
    dist = rows(folder / "distances.csv")
    assert len(dist) == 9
    assert dist[0] == {"demand_id": "060750099.50", "candidate_id": "Store_1", "distance": "2001.123456789012345"}
    config = toml(folder)
    assert config["fast"] == {"objective": "pmedian", "p": 4, "kw_per_charger": 0.0}
    assert "# radius = 5000.0" in (folder / "instance.toml").read_text()
    inst = load_fast(folder, ["fast.p=2"])
    assert inst.n_demand == 3 and inst.n_sites == 3 and inst.given_pairs.nnz == 9


def test_spopt_sf_missing_pair_is_absent(tmp_path: Path) -> None:
    folder = run_import("spopt-sf", sf_folder(tmp_path, drop_pair=True), tmp_path)
    pairs = {(r["demand_id"], r["candidate_id"]) for r in rows(folder / "distances.csv")}
    assert len(pairs) == 8 and ("060750100.00", "Store_2") not in pairs


def test_spopt_sf_malformed(tmp_path: Path) -> None:
    src = sf_folder(tmp_path)
    (src / SF_STORES).unlink()
    with pytest.raises(InstanceError) as info:
        run_import("spopt-sf", src, tmp_path, "a")
    assert info.value.problems[0].file == str(src / SF_STORES) and "file not found" in str(info.value)

    src2 = sf_folder(tmp_path / "two")
    text = (src2 / SF_DIST).read_text().replace("060759999.00", "060750000.01")
    write(src2 / SF_DIST, text)
    with pytest.raises(InstanceError) as info:
        run_import("spopt-sf", src2, tmp_path, "b")
    assert info.value.problems[0].file == str(src2 / SF_DIST)
    assert "060750000.01" in str(info.value) and "not a NAME" in str(info.value)

    src3 = sf_folder(tmp_path / "three")
    write(src3 / SF_DEMAND, (src3 / SF_DEMAND).read_text().replace(",300,", ",many,"))
    with pytest.raises(InstanceError, match="POP2000: expected a number, got 'many'"):
        run_import("spopt-sf", src3, tmp_path, "c")
    write(src3 / SF_DEMAND, (src3 / SF_DEMAND).read_text().replace(",many,", ",-3,"))
    with pytest.raises(InstanceError, match="POP2000: expected a finite number >= 0, got '-3'"):
        run_import("spopt-sf", src3, tmp_path, "c2")

    with pytest.raises(InstanceError, match="expected a folder"):
        run_import("spopt-sf", src3 / SF_DIST, tmp_path, "d")


# -- orlib-pmedcap --------------------------------------------------------------------------------
# 4 points, p = 2, capacity 6, demands 4 3 2 2. Floor distances: d12 = 5, d13 = 10, d14 = 11 (11.05),
# d23 = 8 (8.06), d24 = 8 (8.54), d34 = 1 (1.41). Uncapacitated, {1,2} {3,4} would cost 5 + 1 = 6,
# but 4 + 3 > 6: the only feasible groups are {1,3} {2,4} (10 + 8 = 18) and {1,4} {2,3} (11 + 8 = 19).
# Real distances would give 18.54, demand-weighted floor distances 2 x 10 + 2 x 8 = 36.
PMEDCAP = "7 18\n4 2 6\n1 0 0 4\n2 3 4 3\n3 10 0 2\n4 11 1 2\n"
PMEDCAP_COST = [[0, 5, 10, 11], [5, 0, 8, 8], [10, 8, 0, 1], [11, 8, 1, 0]]


def test_pmedcap_maps_to_single_source_park_with_p_squares(tmp_path: Path) -> None:
    from siting.park.load import load_park

    folder = run_import("orlib-pmedcap", write(tmp_path / "tiny.txt", PMEDCAP), tmp_path)
    assert rows(folder / "companies.csv") == [{"id": str(j), "kwh_per_day": d, "max_kw": d}
                                              for j, d in zip(range(1, 5), ["4", "3", "2", "2"], strict=True)]
    assert rows(folder / "squares.csv") == [{"id": str(j), "annual_cost": "0"} for j in range(1, 5)]
    assert rows(folder / "tiers.csv") == [{"id": f"cap{j}", "square": str(j), "capacity_kw": "6"}
                                          for j in range(1, 5)]
    costs = {(int(r["company_id"]), int(r["square_id"])): float(r["annual_cost"])
             for r in rows(folder / "assign_costs.csv")}
    assert costs == {(k + 1, s + 1): PMEDCAP_COST[k][s] for k in range(4) for s in range(4)}  # own square at 0
    config = toml(folder)
    assert config["model"] == "park" and config["name"] == "tiny"
    assert config["park"] == {"slots": 1, "slot_hours": 1.0, "single_source": True, "days_per_year": 1.0,
                              "max_squares": 2}
    inst = load_park(folder)
    assert inst.n_companies == 4 and inst.n_squares == 4 and inst.params.max_squares == 2
    assert inst.energy_kwh.tolist() == [4, 3, 2, 2] and inst.tier_kw.tolist() == [6] * 4
    assert inst.square_annual.tolist() == [0] * 4 and len(inst.pair_cost) == 16


@pytest.mark.solver
def test_pmedcap_tiny_optimum_respects_capacity(tmp_path: Path) -> None:
    from siting.park.api import solve_park

    folder = run_import("orlib-pmedcap", write(tmp_path / "tiny.txt", PMEDCAP), tmp_path)
    run = solve_park(folder, EXACT)
    assert run.status == "optimal" and run.objective == pytest.approx(18.0, abs=1e-9)
    assert run.certificate.objective == pytest.approx(18.0, abs=1e-9) and run.certificate.violations == []
    where = run.solution.assign.argmax(axis=1)
    assert run.solution.open.sum() == 2 and where[0] == where[2] and where[1] == where[3] and where[0] != where[1]


def test_pmedcap_crlf_and_reflow(tmp_path: Path) -> None:
    clean = run_import("orlib-pmedcap", write(tmp_path / "a.txt", PMEDCAP), tmp_path, "a")
    reflowed = " ".join(PMEDCAP.split()).replace(" 1 0 ", "\r\n1 0 ").encode() + b"\r\n\x00"
    messy = run_import("orlib-pmedcap", write(tmp_path / "b.txt", reflowed), tmp_path, "b")
    for name in ("companies.csv", "squares.csv", "tiers.csv", "assign_costs.csv"):
        assert (clean / name).read_text() == (messy / name).read_text()


@pytest.mark.parametrize(("text", "fragments"), [
    ("", ("empty", "problem number")),
    ("7 18\n4 2 6\n1 0 0 4\n2 3 4 x\n3 10 0 2\n4 11 1 2\n", ("token 13 (line 4)", "demand of point 2", "'x'")),
    ("7 18\n4 2 6\n1 0 0 4\n2 3 4 3\n3 10 0 2\n5 11 1 2\n", ("token 18 (line 6)", "id of point 4", "got 5")),
    ("7 18\n4 2 6\n1 0 0 4\n2 3 4 3\n3 10 0 2\n4 11 1\n", ("ends after 20 tokens", "demand of point 4")),
    ("7 18\n4 2 6\n1 0 0 4\n2 3 4 3\n3 10 0 2\n4 11 1 2\n5 1 1 1\n", ("the end of the file after the 4 points",)),
    ("7 18\n4 5 6\n", ("token 4 (line 2)", "p (the number of medians)", "in [1, 4]")),
    ("7 18\n4 2 -6\n", ("token 5 (line 2)", "capacity of a median", ">= 0")),
    ("7 18\n4 2 6\n1 0 0 -4\n", ("token 9 (line 3)", "demand of point 1", ">= 0")),
    ("7 18\n4.5 2 6\n", ("token 3 (line 2)", "number of points n", "an integer")),
])
def test_pmedcap_malformed(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    assert_malformed("orlib-pmedcap", write(tmp_path / "bad.txt", text), tmp_path, *fragments)


def test_pmedcap_cli_names_the_file_and_line(tmp_path: Path) -> None:
    from siting.cli.main import cli

    bad = write(tmp_path / "pmedcap99.txt", PMEDCAP.replace("2 3 4 3", "2 3 four 3"))
    result = CliRunner().invoke(cli, ["import", "orlib-pmedcap", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "pmedcap99.txt" in result.output and "line 4" in result.output and "'four'" in result.output
    assert not (tmp_path / "out").exists()


# -- the command ----------------------------------------------------------------------------------
def test_cli_import(tmp_path: Path) -> None:
    from siting.cli.main import cli

    source = write(tmp_path / "tiny.txt", SCP)
    out = tmp_path / "out" / "tiny"
    result = CliRunner().invoke(cli, ["import", "orlib-scp", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["candidates.csv", "coverage.csv", "demand.csv", "instance.toml"]

    bad = write(tmp_path / "bad.txt", "3 4\n 2 3 x 5\n")
    result = CliRunner().invoke(cli, ["import", "orlib-scp", str(bad), "--out", str(tmp_path / "out" / "bad")])
    assert result.exit_code == 2
    assert "cost of column 3" in result.output
    assert not (tmp_path / "out" / "bad").exists()


# -- orlib-cap --capacity (capa/capb/capc say only "capacity") -------------------------------------
# 2 warehouses (fixed 10 and 30), 3 customers of demand 5, 4, 3; costs for ALL of a customer's demand.
CAPA_LIKE = "2 3\ncapacity 10\ncapacity 30\n5 10 20\n4 8 4\n3 6 3\n"


def test_orlib_cap_capacity_option_fills_the_worded_capacities(tmp_path: Path) -> None:
    from siting.cli.main import cli
    from siting.park.api import solve_park

    source = tmp_path / "capx.txt"
    source.write_text(CAPA_LIKE)
    runner = CliRunner()
    missing = runner.invoke(cli, ["import", "orlib-cap", str(source), "--out", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "--capacity" in missing.output and "Traceback" not in missing.output
    assert not (tmp_path / "none").exists()
    # Both warehouses open (40, demand 12 > one capacity). Per unit, customer 1 costs 2 at warehouse 1
    # and 4 at 2; customers 2 and 3 cost 2 at 1 and 1 at 2. Capacity 8: 1 -> W1, 2 and 3 -> W2: 40 + 10 + 7.
    # Capacity 6: W2 holds 6 of their 7 units, one unit goes to W1 at 2 instead of 1: 58.
    for capacity, optimum in (("8", 57.0), ("6", 58.0)):
        out = tmp_path / f"capx-{capacity}"
        result = runner.invoke(cli, ["import", "orlib-cap", str(source), "--capacity", capacity, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert {r["capacity_kw"] for r in rows(out / "tiers.csv")} == {capacity}
        run = solve_park(out, SolveOptions(profile="exact"))
        assert run.status == "optimal" and run.objective == pytest.approx(optimum)


def test_orlib_cap_capacity_option_is_refused_where_the_file_states_capacities(tmp_path: Path) -> None:
    from siting.cli.main import cli

    source = tmp_path / "cap-numbers.txt"
    source.write_text(CAPA_LIKE.replace("capacity", "7"))
    result = CliRunner().invoke(cli, ["import", "orlib-cap", str(source), "--capacity", "8",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "states each warehouse's capacity itself" in result.output
    other = CliRunner().invoke(cli, ["import", "orlib-scp", str(source), "--capacity", "8",
                                     "--out", str(tmp_path / "out")])
    assert other.exit_code == 2 and "does not take --capacity" in other.output
