"""Companies and squares in a planner's words: where the layers name them (companies `name`,
squares `name`, else their business park in `park`), summary.md and compare.md say "Name (id)";
the CSV/gpkg columns keep the ids and gain a `name` column; the KPIs do not change."""

from __future__ import annotations

import numpy as np
import pytest

from siting.options import SolveOptions
from siting.park.api import solve_park
from siting.park.compare import (
    Option,
    compare_frame,
    compare_markdown,
    square_names,
    squares_frame,
    unmet_frame,
)
from siting.park.load import load_park
from siting.park.references import BASE, OWN_ONLY, own_connections_only
from siting.park.report import companies_table, squares_table, summary_dict, summary_markdown
from siting.park.synthetic import small_park, write_park_folder

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")


def named_park(root, names: bool = True):
    """small_park(1) (its plan opens s4 only), with names for companies c001-c007 (c008 has none),
    squares s1-s3 named and s4 named by its business park only."""
    tables, config = small_park(1)
    if names:
        comp, sq = tables["companies"], tables["squares"]
        comp["name"] = [f"Firma {k}" for k in range(1, len(comp))] + [""]
        sq["name"] = ["Laadplein Noord", "Laadplein Oost", "Laadplein Zuid", ""]
        sq["park"] = ["", "", "", "Het Lansink"]
    return write_park_folder(root / ("named" if names else "plain"), tables, config)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    out = {}
    for names in (True, False):
        inst = load_park(named_park(root, names))
        out[names] = (solve_park(inst, EXACT), solve_park(own_connections_only(inst), EXACT))
    return out


def test_loader_reads_names_with_the_park_as_fallback(tmp_path):
    inst = load_park(named_park(tmp_path))
    assert inst.company_label(0) == "Firma 1 (c001)" and inst.company_label(7) == "c008"
    assert inst.square_label(0) == "Laadplein Noord (s1)" and inst.square_label(3) == "Het Lansink (s4)"
    plain = load_park(named_park(tmp_path, names=False))
    assert [plain.square_label(s) for s in range(plain.n_squares)] == ["s1", "s2", "s3", "s4"]
    assert set(plain.company_names) == {""}


def test_summary_md_names_squares_and_companies(runs):
    run, _ = runs[True]
    assert run.status == "optimal" and run.solution.open.tolist() == [False, False, False, True]
    summary = summary_dict(run)
    text = summary_markdown(summary, run)
    assert "(Het Lansink (s4)) serves" in text and "  - Square Het Lansink (s4): grid connection" in text
    assert "| Firma 1 (c001) |" in text and "| c008 |" in text
    charges = {r["id"]: r["charges_at"] for r in companies_table(run).to_dict(orient="records")}
    assert any("Het Lansink (s4)" in v for v in charges.values())
    assert summary["squares"][0]["id"] == "s4" and summary["squares"][0]["name"] == "Het Lansink"


def test_tables_keep_their_id_columns_and_gain_a_name(runs):
    named, plain = runs[True][0], runs[False][0]
    for table in (squares_table, companies_table):
        a, b = table(named), table(plain)
        assert list(a.columns) == list(b.columns) and list(a.columns)[:2] == ["id", "name"]
        assert a["id"].tolist() == b["id"].tolist()
    assert squares_table(named)["companies"].tolist() == squares_table(plain)["companies"].tolist()
    assert squares_table(named)["name"].tolist() == ["Laadplein Noord", "Laadplein Oost", "Laadplein Zuid",
                                                     "Het Lansink"]


def test_kpis_do_not_change_with_names(runs):
    named, plain = summary_dict(runs[True][0])["kpis"], summary_dict(runs[False][0])["kpis"]
    assert named.keys() == plain.keys()
    assert named == pytest.approx(plain)


def test_compare_md_names_squares_and_companies(runs):
    base, ref = runs[True]
    options = [Option(OWN_ONLY, "reference", ref), Option(BASE, "the instance", base)]
    names = square_names(base)
    frames = {"options": compare_frame(options, names), "squares": squares_frame(options, names),
              "grid": compare_frame(options, names).iloc[0:0], "unmet": unmet_frame(options)}
    assert list(frames["squares"].index) == ["Het Lansink (s4)"]
    short = np.flatnonzero(ref.solution.unmet > 1e-6)
    assert len(short) and set(frames["unmet"].index) == {ref.instance.company_label(k) for k in short}
    assert any(label.startswith("Firma ") and label.endswith(")") for label in frames["unmet"].index)
    text = compare_markdown(options, frames)
    assert "| Het Lansink (s4) |" in text
    row = frames["options"].loc["open square ids (for scenario files)", BASE]
    assert row == "s4"  # the ids a scenario file needs stay bare
    assert frames["options"].loc["where the squares are", BASE].startswith("Het Lansink (s4): ")
