"""map.png of every model (issue 19): what the drawing promises, inspected on the figure.

For each model on a small instance with a `municipalities` layer: the map is written; the axes
are off with an equal aspect; municipality names are drawn; new sites are labelled with their
place and chargers; the scale bar is there with the length it should have; every plotted
collection has its legend entry. The bundled NAL instances (real municipalities, ~5 s each)
draw their outlines and names; an instance without municipalities still draws (no outlines);
one without a CRS draws without scale bar or north arrow.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from siting.io import maps

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


# -- helpers --------------------------------------------------------------------------------------
def add_municipalities(folder: Path, boxes: dict[str, tuple[float, float, float, float]],
                       attribution: str | None = "test boundaries (CC0)") -> Path:
    """Write `boxes` (name -> xmin, ymin, xmax, ymax) as municipalities.geojson and name it in
    instance.toml."""
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"id": [f"GM{k:04d}" for k in range(len(boxes))], "name": list(boxes),
                            "inwoners_2023": [1000 * (k + 1) for k in range(len(boxes))]},
                           geometry=[shapely.box(*b) for b in boxes.values()], crs="EPSG:28992")
    gdf.to_file(folder / "municipalities.geojson", driver="GeoJSON")
    config = tomllib.loads((folder / "instance.toml").read_text())
    config["layers"]["municipalities"] = {"file": "municipalities.geojson",
                                          **({"attribution": attribution} if attribution else {})}
    (folder / "instance.toml").write_text(tomli_w.dumps(config))
    return folder


def texts(ax, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def legend_labels(fig) -> set[str]:
    from matplotlib.legend import Legend

    panel = fig.axes[1]
    return {t.get_text() for a in panel.artists if isinstance(a, Legend) for t in a.get_texts()}


def empty(artist) -> bool:
    """A scatter of nothing (no existing sites, say) shows nothing and needs no legend entry."""
    from matplotlib.collections import LineCollection, PathCollection

    if isinstance(artist, LineCollection):
        return not len(artist.get_segments())
    return isinstance(artist, PathCollection) and not len(artist.get_offsets())


def scale_bar(ax):
    bars = [a for a in ax.artists if a.get_gid() == "scale-bar"]
    assert len(bars) <= 1
    return bars[0] if bars else None


def assert_a_map(fig, *, places: bool, metres: bool) -> None:
    """What every map promises, whatever the model."""
    ax = fig.axes[0]
    assert not ax.axison, "a map has no axis ticks or labels"
    assert ax.get_aspect() == 1.0
    # tight: the map and its legend column fill the figure, a thin margin aside
    box = ax.get_position()
    assert box.y0 < 0.05 and box.x0 < 0.05 and box.height > 0.8
    # a title saying what it shows
    assert any(t.get_fontweight() == "bold" and t.get_text() for t in fig.texts)
    # every plotted collection and image is explained in the legend (or is the municipalities' fill)
    labels = legend_labels(fig)
    drawn = [c.get_label() for c in (*ax.collections, *ax.images) if not empty(c)]
    assert drawn, "nothing drawn"
    unexplained = [d for d in drawn if d not in labels and d != "_fill"]
    assert not unexplained, f"no legend entry for {unexplained}; legend: {sorted(labels)}"
    assert (len(texts(ax, "place-label")) > 0) == places
    assert ("municipality boundary (name in grey)" in labels) == places
    bar = scale_bar(ax)
    assert (bar is not None) == metres
    assert any(t.get_gid() == "north-arrow" for t in ax.texts) == metres
    if metres:
        x0, x1 = ax.get_xlim()
        length = maps.nice_length(x1 - x0)
        assert bar.txt_label.get_text() == maps.scale_text(length)
        assert (x1 - x0) / 10 <= length <= (x1 - x0) / 4


# -- pieces ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("span", "length", "text"), [(153_000, 20_000, "20 km"), (210_000, 50_000, "50 km"),
                                                      (12_000, 2_000, "2 km"), (900, 200, "200 m"),
                                                      (40, 10, "10 m")])
def test_scale_bar_length_is_round_and_at_most_a_quarter(span, length, text) -> None:
    assert maps.nice_length(span) == length
    assert maps.scale_text(length) == text


def test_only_a_projected_crs_in_metres_gets_a_scale() -> None:
    assert maps.metre_crs("EPSG:28992") and maps.metre_crs("EPSG:32631")
    assert not maps.metre_crs(None)
    assert not maps.metre_crs("EPSG:4326")  # degrees
    assert not maps.metre_crs("EPSG:2229")  # US survey feet
    assert not maps.metre_crs("not a crs")


def test_legend_keys() -> None:
    assert maps.nice_values(np.array([0.5, 3.0, 131.0])) == [10.0, 50.0, 100.0]
    assert maps.nice_values(np.array([4.0, 5.0])) == [5.0]
    assert maps.nice_values(np.array([0.0])) == []
    assert maps.integer_keys(np.array([2, 12, 12, 5])) == [2, 7, 12]
    assert maps.integer_keys(np.array([2, 2])) == [2]
    assert maps.quantity(1, ("charger", "chargers")) == "1 charger"
    assert maps.quantity(6, ("charger", "chargers")) == "6 chargers"
    assert maps.quantity(20, "{} sessions/day") == "20 sessions/day"
    assert maps.quantity(12_500, "weight {}") == "weight 12\u2009500"


def test_place_names_inside_near_and_outside() -> None:
    import geopandas as gpd
    import shapely

    layer = maps.MapLayer("municipalities", gpd.GeoSeries([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]),
                          np.array(["West", "Oost"], dtype=object))
    xy = np.array([[5.0, 5.0], [15.0, 5.0], [21.0, 5.0], [5000.0, 5.0]])
    assert maps.place_names(xy, layer).tolist() == ["West", "Oost", "Oost", ""]  # 1 m outside: near Oost
    assert maps.place_names(xy, None).tolist() == ["", "", "", ""]


def test_read_map_layers_of_the_bundled_park() -> None:
    """rijssen-holten-park carries Rijssen-Holten and its neighbours, and their credit."""
    folder = ROOT / "instances" / "rijssen-holten-park"
    layers = maps.read_map_layers(folder, (*maps.MAP_LAYERS, "parks"))
    assert set(layers) == {"municipalities", "parks"}
    names = set(layers["municipalities"].names)
    assert "Rijssen-Holten" in names and {"Wierden", "Hellendoorn", "Hof van Twente"} <= names
    assert any("CBS / Kadaster" in c for c in maps.read_credits(folder))


# -- fast -----------------------------------------------------------------------------------------
TINY_TOWNS = {"Westdorp": (185_000, 440_000, 200_000, 462_000), "Oostwijk": (200_000, 440_000, 215_000, 462_000)}


@pytest.fixture(scope="module")
def tiny_fast_run(tmp_path_factory):
    from tests.conftest import write_tiny

    from siting.fast.api import solve_fast

    folder = add_municipalities(write_tiny(tmp_path_factory.mktemp("maps") / "tiny"), TINY_TOWNS)
    return solve_fast(folder)


@pytest.mark.solver
def test_fast_map_names_places_and_labels_new_sites(tiny_fast_run, tmp_path) -> None:
    from siting.fast.report import draw_map, map_of

    fig = map_of(tiny_fast_run)
    assert_a_map(fig, places=True, metres=True)
    ax = fig.axes[0]
    assert set(texts(ax, "place-label")) == set(TINY_TOWNS)
    inst, sol = tiny_fast_run.instance, tiny_fast_run.solution
    new = sol.open & ~inst.is_existing
    added = inst.is_existing & (sol.chargers > inst.existing_chargers)
    labels = texts(ax, "site-label")
    assert len(labels) == new.sum() + added.sum() and new.any()
    assert all(" · " in t and t.split(" · ")[0] in TINY_TOWNS for t in labels), labels
    counts = [t.split(" · ")[1] for t in labels]
    assert sorted(int(c) for c in counts if not c.startswith("+")) == sorted(sol.chargers[new].tolist())
    assert sorted(int(c[1:]) for c in counts if c.startswith("+")) == sorted(
        (sol.chargers - inst.existing_chargers)[added].tolist())
    assert "new site" in legend_labels(fig) and any(t.endswith("new chargers") or t.endswith("new charger")
                                                    for t in legend_labels(fig))
    notes = [t.get_text() for t in fig.axes[1].texts if t.get_gid() == "notes"]
    assert notes and "test boundaries (CC0)" in notes[0]  # the layer's attribution is printed
    maps.pyplot().close(fig)
    assert draw_map(tiny_fast_run, tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes()[:8] == PNG


@pytest.mark.solver
def test_too_many_sites_to_label_says_so(tiny_fast_run, monkeypatch) -> None:
    from siting.fast.report import map_of

    monkeypatch.setattr(maps, "MAX_SITE_LABELS", 1)
    fig = map_of(tiny_fast_run)
    wanted = int((tiny_fast_run.solution.open & ~tiny_fast_run.instance.is_existing).sum())
    assert len(texts(fig.axes[0], "site-label")) == 1
    notes = " ".join(t.get_text() for t in fig.axes[1].texts if t.get_gid() == "notes")
    assert f"Labels: 1 of {wanted}" in notes.replace("\n", " ")
    maps.pyplot().close(fig)


@pytest.mark.solver
def test_fast_map_without_municipalities_still_draws(tiny_folder) -> None:
    from siting.fast.api import solve_fast
    from siting.fast.report import map_of

    fig = map_of(solve_fast(tiny_folder))
    assert_a_map(fig, places=False, metres=True)
    ids = set(texts(fig.axes[0], "site-label"))
    assert ids and all(t.split(" · ")[0].startswith("C") for t in ids)  # no place: the site id
    maps.pyplot().close(fig)


@pytest.mark.solver
def test_reference_instance_without_crs_draws_without_scale(tmp_path) -> None:
    from siting.fast.api import solve_fast
    from siting.fast.report import draw_map, map_of
    from siting.importers import convert

    folder = tmp_path / "swain"
    folder.mkdir()
    convert("swain", ROOT / "instances" / "reference" / "swain55" / "jxu0410-lrscp" / "swain.txt", folder)
    run = solve_fast(folder)
    assert run.instance.crs is None
    fig = map_of(run)
    assert_a_map(fig, places=False, metres=False)
    notes = " ".join(t.get_text() for t in fig.axes[1].texts)
    assert "no CRS" in notes
    labels = legend_labels(fig)
    assert {"demand within reach of an open site", "new site"} <= labels
    assert "existing site" not in labels  # nothing of the kind drawn, no entry
    maps.pyplot().close(fig)
    assert draw_map(run, tmp_path / "map.png") and (tmp_path / "map.png").read_bytes()[:8] == PNG


@pytest.mark.solver
def test_bundled_fast_map(tmp_path) -> None:
    """nal-oost-fast: the 76 CBS municipalities draw, most with their name; the map file stays small."""
    from siting.fast.api import solve_fast
    from siting.fast.report import draw_map, map_of

    run = solve_fast(ROOT / "instances" / "nal-oost-fast")
    fig = map_of(run)
    assert_a_map(fig, places=True, metres=True)
    ax = fig.axes[0]
    assert len(texts(ax, "place-label")) >= 40
    assert {"Zwolle", "Arnhem", "Enschede"} <= set(texts(ax, "place-label"))
    assert len(texts(ax, "site-label")) >= 10
    assert "region boundary" in legend_labels(fig)
    maps.pyplot().close(fig)
    assert draw_map(run, tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size < 400_000


# -- corridor -------------------------------------------------------------------------------------
CHAIN_TOWNS = {"Westerveld": (195_000, 440_000, 215_000, 505_000), "Oosterhout": (215_000, 440_000, 245_000, 505_000)}


@pytest.fixture(scope="module")
def chain_run(tmp_path_factory):
    from tests.corridor.test_load import write_instance

    from siting.corridor.api import solve_corridor

    folder = add_municipalities(write_instance(tmp_path_factory.mktemp("maps") / "chain"), CHAIN_TOWNS)
    return solve_corridor(folder, overrides=["corridor.range=30"])  # at 45 km the existing station suffices


@pytest.mark.solver
def test_corridor_map(chain_run, tmp_path) -> None:
    from siting.corridor.report import draw_map, map_of

    fig = map_of(chain_run)
    assert_a_map(fig, places=True, metres=True)
    ax = fig.axes[0]
    new = chain_run.solution.open & ~chain_run.instance.is_existing
    labels = texts(ax, "site-label")
    assert len(labels) == new.sum() > 0 and all(t.split(" · ")[0] in CHAIN_TOWNS for t in labels)
    assert {"road with charged e-truck flow", "new charging hub"} <= legend_labels(fig)
    assert any(t.endswith("e-trucks/day") for t in legend_labels(fig))  # what a wider road means
    maps.pyplot().close(fig)
    assert draw_map(chain_run, tmp_path / "map.png") and (tmp_path / "map.png").read_bytes()[:8] == PNG


@pytest.mark.solver
def test_corridor_comparison_maps_name_their_option(chain_run, tmp_path) -> None:
    from siting.corridor.compare import Option, write_compare
    from siting.corridor.least_cost import LeastCost
    from siting.corridor.report import map_of

    fig = map_of(chain_run, option="A1 first")
    assert any("option A1 first" in t.get_text() for t in fig.texts)
    assert_a_map(fig, places=True, metres=True)
    maps.pyplot().close(fig)
    plan = LeastCost(chain_run, chain_run, None, "")
    options = [Option(name, "", plan) for name in ("existing stations only", "base", "A1 first")]
    folder, _ = write_compare(options, tmp_path / "cmp")
    assert sorted(p.name for p in folder.glob("map-*.png")) == ["map-a1-first.png", "map-base.png",
                                                               "map-existing-stations-only.png"]


@pytest.mark.solver
def test_bundled_corridor_map() -> None:
    from siting.corridor.api import solve_corridor
    from siting.corridor.report import map_of

    fig = map_of(solve_corridor(ROOT / "instances" / "nal-oost-corridor"))
    assert_a_map(fig, places=True, metres=True)
    assert len(texts(fig.axes[0], "place-label")) >= 40
    notes = " ".join(t.get_text() for t in fig.axes[1].texts).replace("\n", " ")
    assert "OpenStreetMap" in notes and "CBS / Kadaster" in notes
    maps.pyplot().close(fig)


# -- park -----------------------------------------------------------------------------------------
PARK_TOWNS = {"Noordhoek": (-500, 500, 1500, 1500), "Zuidkant": (-500, -500, 1500, 500)}


@pytest.mark.solver
def test_park_map(tmp_path) -> None:
    from siting.park.api import solve_park
    from siting.park.report import draw_map, map_of
    from siting.park.synthetic import small_park, write_park_folder

    folder = add_municipalities(write_park_folder(tmp_path / "park", *small_park(1)), PARK_TOWNS)
    run = solve_park(folder)
    fig = map_of(run)
    assert_a_map(fig, places=True, metres=True)
    assert texts(fig.axes[0], "place-label")
    labels = texts(fig.axes[0], "site-label")
    assert len(labels) == run.solution.open.sum() > 0
    assert all(t.split(" · ")[0] in PARK_TOWNS and "chargers" in t for t in labels), labels
    assert {"collective charging square", "company charging at a square"} <= legend_labels(fig)
    assert any(t.endswith("vehicles") for t in legend_labels(fig))  # what a bigger company dot means
    maps.pyplot().close(fig)
    assert draw_map(run, tmp_path / "map.png") and (tmp_path / "map.png").read_bytes()[:8] == PNG
