"""The map renderer: golden outputs, properties, projection, navigation.

Regenerate the golden files with ``SITMON_UPDATE_GOLDEN=1 pytest tests/unit/test_map_render.py``
(then read the diff: Aleppo and Hama must change hands between the two dates).
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.adapters.sitmon import adapt
from sitmon.store.records import ControlChange, Faction, Place
from sitmon.widgets import geo
from sitmon.widgets.geo import (
    SYRIA_BBOX,
    BrailleCanvas,
    fill_mask,
    fit_projection,
    load_geography,
    point_in_rings,
)
from sitmon.widgets.lines import plain
from sitmon.widgets.map_render import (
    MIN_HEIGHT,
    MIN_WIDTH,
    MapOptions,
    MapRender,
    clear_cache,
    nearest_in_direction,
    render_map,
)

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "store" / "data" / "bundled.json"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "map"
UPDATE = os.environ.get("SITMON_UPDATE_GOLDEN") == "1"
T0 = datetime(2024, 12, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- helpers


def load_bundled():
    with open(BUNDLED, encoding="utf-8") as f:
        records = adapt(json.load(f)).records
    places = [r for r in records if isinstance(r, Place)]
    factions = {r.id: r for r in records if isinstance(r, Faction)}
    changes = [r for r in records if isinstance(r, ControlChange)]
    return places, factions, changes


def control_as_of(changes: list[ControlChange], moment: datetime) -> dict[str, ControlChange]:
    """Per place, the latest change with valid_from <= moment."""
    out: dict[str, ControlChange] = {}
    for c in sorted(changes, key=lambda c: (c.valid_from, c.id)):
        if c.valid_from <= moment:
            out[c.place] = c
    return out


def end_of_day(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59+03:00")  # Damascus time


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


def render_bundled(bundled, day: str, width: int, height: int, **opts) -> MapRender:
    places, factions, changes = bundled
    options = MapOptions(as_of_label=f"as of {day}", **opts)
    return render_map(
        places, control_as_of(changes, end_of_day(day)), factions, width, height, options
    )


def char_at(r: MapRender, pos: tuple[int, int]) -> str:
    col, row = pos
    return r.lines[row].text[col]


CREDIT_ONE_ROW = "Geo: OCHA/UNCS, Natural Earth"
CREDIT_TWO_ROWS = ("Geo: OCHA/UNCS,", "Natural Earth")


def credit_shown(r: MapRender) -> bool:
    """The geography credit (CC BY 3.0 IGO asks for it) is on screen whole: on one
    row, or on two rows starting at the same column."""
    rows = [line.text for line in r.lines]
    for i, text in enumerate(rows):
        if CREDIT_ONE_ROW in text:
            return True
        j = text.find(CREDIT_TWO_ROWS[0])
        if j != -1 and i + 1 < len(rows) and rows[i + 1][j:].startswith(CREDIT_TWO_ROWS[1]):
            return True
    return False


def marker_of(pid: str, control, factions) -> tuple[str, str]:
    """(symbol, suffix) a place's marker shows."""
    cc = control.get(pid)
    f = factions.get(cc.faction) if cc is not None else None
    if f is None:
        return "?", ""
    return f.symbol, {"contested": "~", "besieged": "#"}.get(cc.status, "")


def check_markers(r: MapRender, control, factions, selected: str | None) -> None:
    """The selected marker is whole ("[", symbol, suffix, "]"); every other place in
    view keeps its marker: its position shows a symbol of a place there, never a
    cell of the selection."""
    sel_cells: set[tuple[int, int]] = set()
    if selected in r.positions:
        col, row = r.positions[selected]
        sym, suffix = marker_of(selected, control, factions)
        whole = f"[{sym}{suffix}]"
        assert r.lines[row].text[col - 1 : col - 1 + len(whole)] == whole, (
            whole,
            r.lines[row].text,
        )
        assert any("reverse" in s.style for s in r.lines[row].spans if s.start <= col < s.end)
        sel_cells = {(col - 1 + k, row) for k in range(len(whole))} - {(col, row)}
    by_cell: dict[tuple[int, int], set[str]] = {}
    for pid, pos in r.positions.items():
        by_cell.setdefault(pos, set()).add(marker_of(pid, control, factions)[0])
    for pid, pos in r.positions.items():
        assert pos not in sel_cells, (pid, pos, "under the selection")
        assert char_at(r, pos) in by_cell[pos], (pid, pos)


def check_shape(r: MapRender, width: int, height: int) -> None:
    assert len(r.lines) == height
    for line in r.lines:
        assert len(line.text) == width, repr(line.text)
        for span in line.spans:
            assert 0 <= span.start < span.end <= width


# --------------------------------------------------------------------------- golden files

GOLDEN_CASES = [
    (w, h, charset, day, None)
    for (w, h) in ((80, 24), (120, 40))
    for charset in ("ascii", "braille")
    for day in ("2024-11-26", "2024-12-05")
] + [(80, 24, "ascii", "2024-12-04", "hama")]  # Hama contested, and selected


def golden_name(w: int, h: int, charset: str, day: str, selected: str | None) -> str:
    sel = f"-selected-{selected}" if selected else ""
    return f"bundled-{w}x{h}-{charset}-{day}{sel}.txt"


@pytest.mark.parametrize(("w", "h", "charset", "day", "selected"), GOLDEN_CASES)
def test_golden(bundled, w, h, charset, day, selected):
    r = render_bundled(bundled, day, w, h, charset=charset, selected=selected, colour=False)
    check_shape(r, w, h)
    text = plain(r.lines)
    path = GOLDEN / golden_name(w, h, charset, day, selected)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}: run SITMON_UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs (SITMON_UPDATE_GOLDEN=1 to accept)"
    )


@pytest.mark.parametrize(("w", "h", "charset"), [(80, 24, "ascii"), (120, 40, "braille")])
def test_golden_files_show_aleppo_and_hama_change_hands(bundled, w, h, charset):
    """Read the committed files: government (G) holds both before, HTS-led (H) after."""
    places, factions, _ = bundled
    gov, hts = factions["government"].symbol, factions["hts_led"].symbol
    for day, sym in (("2024-11-26", gov), ("2024-12-05", hts)):
        text = (GOLDEN / golden_name(w, h, charset, day, None)).read_text(encoding="utf-8")
        for name in ("Aleppo", "Hama"):
            assert f"{sym} {name}" in text or f"{name} {sym}" in text, (day, name)
    # and the renderer agrees, through positions
    before = render_bundled(bundled, "2024-11-26", w, h, charset=charset)
    after = render_bundled(bundled, "2024-12-05", w, h, charset=charset)
    for pid in ("aleppo", "hama"):
        assert char_at(before, before.positions[pid]) == gov
        assert char_at(after, after.positions[pid]) == hts


def test_contested_and_selected_marker(bundled):
    r = render_bundled(bundled, "2024-12-04", 80, 24, charset="ascii", selected="hama")
    col, row = r.positions["hama"]
    assert r.lines[row].text[col - 1 : col + 3] == "[H~]"
    assert any("reverse" in s.style for s in r.lines[row].spans if s.start <= col < s.end)
    legend = "".join(line.text for line in r.lines)
    assert "X~ contested" in legend and "[X] selected" in legend and "as of 2024-12-04" in legend


@pytest.mark.parametrize("charset", ["braille", "ascii"])
def test_selected_brackets_never_collide_with_a_neighbour(bundled, charset):
    """Map pane at 80x24 (77x17), Aleppo (contested by the HTS-led MOC on 29 Nov)
    selected as of 29 Nov: Tal Rifaat's marker used to overwrite the "["
    ("Tal Rifaat KH]T Al-Bab")."""
    places, factions, changes = bundled
    control = control_as_of(changes, end_of_day("2024-11-29"))
    r = render_bundled(bundled, "2024-11-29", 77, 17, charset=charset, selected="aleppo")
    col, row = r.positions["aleppo"]
    assert r.lines[row].text[col - 1 : col + 3] == "[H~]"
    assert "KH~]" not in plain(r.lines)
    assert char_at(r, r.positions["tal_rifaat"]) == factions["sdf"].symbol
    check_markers(r, control, factions, "aleppo")


@pytest.mark.parametrize(
    ("w", "h"), [(30, 10), (40, 12), (57, 13), (62, 22), (77, 17), (80, 24), (300, 100)]
)
def test_legend_credit_is_whole(bundled, w, h):
    for charset in ("braille", "ascii"):
        r = render_bundled(bundled, "2024-12-05", w, h, charset=charset, selected="hama")
        assert credit_shown(r), plain(r.lines)
        assert "Geo:" not in plain(
            render_bundled(bundled, "2024-12-05", w, h, charset=charset, legend=False).lines
        )


def test_legend_counts_and_symbols(bundled):
    places, factions, changes = bundled
    control = control_as_of(changes, end_of_day("2024-12-05"))
    r = render_bundled(bundled, "2024-12-05", 120, 40)
    text = "\n".join(line.text for line in r.lines)
    for fid in sorted({c.faction for c in control.values()}):
        f = factions[fid]
        held = sum(1 for c in control.values() if c.faction == fid and c.status == "held")
        assert any(
            line.text.split("\u2502")[-1].startswith(f"{f.symbol} {f.short}")
            and line.text.rstrip().endswith(str(held))
            for line in r.lines
        ), (fid, held, text)
    assert "?  unknown" in text and "X# besieged" in text


def test_colour_off_has_no_colours(bundled):
    r = render_bundled(bundled, "2024-12-05", 80, 24, colour=False, selected="aleppo")
    styles = {s.style for line in r.lines for s in line.spans}
    assert styles and all(set(s.split()) <= {"bold", "reverse", "underline"} for s in styles), (
        styles
    )
    coloured = render_bundled(bundled, "2024-12-05", 80, 24)
    assert any("#" in s.style for line in coloured.lines for s in line.spans)


# --------------------------------------------------------------------------- geography


def test_projection_sanity(bundled):
    for charset in ("ascii", "braille"):
        for w, h in ((80, 24), (120, 40), (40, 12)):
            r = render_bundled(bundled, "2024-12-05", w, h, charset=charset, labels=False)
            pos = r.positions
            dam, dez = pos["damascus"], pos["deir_ez_zor"]
            assert dam[0] < dez[0] and dam[1] > dez[1], "Damascus is south-west of Deir ez-Zor"
            assert pos["aleppo"][1] < pos["hama"][1], "Aleppo is north of Hama"
            assert pos["latakia"][0] < pos["hama"][0], "Latakia is west of Hama"
            assert pos["qamishli"][0] > pos["aleppo"][0] and pos["daraa"][1] > pos["homs"][1]


def test_coastal_place_at_true_position(bundled):
    places, _, _ = bundled
    tartus = next(p for p in places if p.id == "tartus")
    geography = load_geography()
    assert not any(point_in_rings(tartus.lon, tartus.lat, g.rings) for g in geography.governorates)
    r = render_bundled(bundled, "2024-12-05", 120, 40)
    assert r.positions["tartus"] == r.viewport.cell_of(tartus.lat, tartus.lon)


def test_border_is_union_of_governorates_with_hole():
    g = load_geography()
    assert len(g.governorates) == 14
    rural = next(x for x in g.governorates if x.name == "Rural Damascus")
    damascus = next(x for x in g.governorates if x.name == "Damascus")
    assert len(rural.rings) == 2  # outer ring and the hole where Damascus is
    lat, lon = 33.5138, 36.2765  # Damascus old city
    assert point_in_rings(lon, lat, damascus.rings) and not point_in_rings(lon, lat, rural.rings)
    assert point_in_rings(36.6, 33.5, rural.rings)
    # the border's extent is Syria's; the border is finer than the 110m outline (27 vertices)
    xs = [v for line in g.border for v in line[0::2]]
    ys = [v for line in g.border for v in line[1::2]]
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(SYRIA_BBOX, abs=1e-3)
    assert len(xs) > 200
    # every border vertex has governorate on exactly one side nearby; internal boundaries lie inside
    for line in g.boundaries[:20]:
        mx, my = (line[0] + line[2]) / 2, (line[1] + line[3]) / 2
        assert (
            sum(
                point_in_rings(mx + dx, my + dy, x.rings)
                for x in g.governorates
                for dx, dy in ((0.02, 0), (-0.02, 0), (0, 0.02), (0, -0.02))
            )
            >= 3
        )
    # the hole survives the scanline fill
    proj = fit_projection(200, 60, zoom=12, center=(33.51, 36.29))
    mask = fill_mask([proj.project_flat(r) for r in rural.rings], 200, 60)
    cell = proj.cell_of(lat, lon)
    assert cell and mask[cell[1]][cell[0]] == 0
    east = proj.cell_of(33.5, 36.6)
    assert east and mask[east[1]][east[0]] == 1


def test_steep_lines_have_no_gaps():
    canvas = BrailleCanvas(10, 10, 1)
    canvas.line(0, 3.2, 0.5, 5.7, 39.5)  # nearly vertical, 39 dot rows
    rows = set()
    for idx, bits in enumerate(canvas.bits[0]):
        if bits:
            r, c = divmod(idx, 10)
            for dx in range(2):
                for dy in range(4):
                    if bits & geo._BRAILLE_BITS[dx][dy]:
                        rows.add(r * 4 + dy)
    assert rows == set(range(0, 40))
    a = geo.AsciiCanvas(20, 10, ("lines",))
    a.line(0, 2.5, 0.5, 4.5, 9.5)
    assert all(any(ch != " " for ch in row) for row in a.chars)
    assert {ch for row in a.chars for ch in row} <= {" ", "|", "\\", "/", "-"}


def test_braille_draws_syria_and_neighbours(bundled):
    r = render_bundled(bundled, "2024-12-05", 120, 40)
    text = "\n".join(line.text for line in r.lines)
    assert sum(1 for ch in text if "\u2800" < ch <= "\u28ff") > 300
    names = {t for _, _, t in r.region_labels}
    assert {"Turkey", "Iraq", "Jordan"} <= names
    assert "Mediterranean" in names or "Med." in names
    assert names & {"Lebanon", "Leb."} and names & {"Israel", "Isr."}
    # each name sits inside its country (not in Syria)
    geography = load_geography()
    for col, row, text_ in r.region_labels:
        for k in range(len(text_)):
            lat, lon = r.viewport.latlon_of(col + k, row)
            country = next(
                (c for c in geography.neighbours if c.name.startswith(text_.rstrip("."))), None
            )
            if country is not None:
                assert point_in_rings(lon, lat, country.rings), (text_, lat, lon)
            assert not any(point_in_rings(lon, lat, g.rings) for g in geography.governorates), text_


def test_lines_stay_in_the_map_area_when_zoomed(bundled):
    for zoom, center in ((3.0, (36.2, 37.16)), (8.0, (33.51, 36.29)), (0.5, None)):
        r = render_bundled(bundled, "2024-12-05", 100, 30, zoom=zoom, center=center)
        check_shape(r, 100, 30)
        vp = r.viewport
        for pid, (c, rr) in r.positions.items():
            assert vp.col <= c < vp.col + vp.width and vp.row <= rr < vp.row + vp.height, pid
    aleppo = next(p for p in bundled[0] if p.id == "aleppo")
    z = render_bundled(bundled, "2024-12-05", 100, 30, zoom=4.0, center=(aleppo.lat, aleppo.lon))
    assert "aleppo" in z.positions and "damascus" not in z.positions
    assert z.positions["aleppo"] == (
        z.viewport.col + z.viewport.width // 2,
        z.viewport.row + z.viewport.height // 2,
    )


# --------------------------------------------------------------------------- labels


def test_selected_label_kept_when_crowded():
    factions = {
        "a": Faction(id="a", name="A", short="A", symbol="A", colour="#ff0000", updated_at=T0)
    }
    places = [
        Place(id="star", name="Selected Town", lat=34.8, lon=38.5, importance=5, updated_at=T0)
    ]
    for i in range(60):
        ang = i * 0.7
        places.append(
            Place(
                id=f"v{i:02d}",
                name=f"Village number {i}",
                lat=34.8 + 0.6 * math.sin(ang) * (1 + i / 30),
                lon=38.5 + 0.9 * math.cos(ang) * (1 + i / 30),
                importance=1,
                updated_at=T0,
            )
        )
    control = {
        p.id: ControlChange(id=f"c-{p.id}", place=p.id, faction="a", valid_from=T0, updated_at=T0)
        for p in places
    }
    r = render_map(places, control, factions, 40, 12, MapOptions(selected="star"))
    assert "star" in r.positions and "star" not in r.hidden_labels
    assert r.labels["star"][2] in ("Selected Town", "Sele.")
    assert r.hidden_labels  # others had to give way
    unsel = render_map(places, control, factions, 40, 12)
    assert "star" in unsel.hidden_labels  # lowest importance: dropped first


def test_places_sharing_a_cell_get_neighbouring_cells():
    factions = {
        "a": Faction(id="a", name="A", short="A", symbol="A", colour="#ff0000", updated_at=T0)
    }
    places = [
        Place(id=f"t{i}", name=f"Twin {i}", lat=34.8, lon=38.5, importance=i % 5 + 1, updated_at=T0)
        for i in range(5)
    ]
    control = {
        p.id: ControlChange(id=f"c-{p.id}", place=p.id, faction="a", valid_from=T0, updated_at=T0)
        for p in places
    }
    r = render_map(places, control, factions, 80, 24, MapOptions(selected="t3"))
    assert len(set(r.positions.values())) == 5  # each its own cell
    assert r.positions["t3"] == r.viewport.cell_of(34.8, 38.5)  # the selected keeps the true cell
    for pid, (c, row) in r.positions.items():
        true_c, true_r = r.viewport.cell_of(34.8, 38.5)
        assert abs(c - true_c) <= 1 and abs(row - true_r) <= 1, pid


def test_higher_priority_labels_win(bundled):
    r = render_bundled(bundled, "2024-12-05", 30, 10, charset="ascii")
    check_shape(r, 30, 10)
    places, _, _ = bundled
    imp = {p.id: p.importance for p in places}
    shown = [pid for pid in r.labels]
    assert "damascus" in shown or "aleppo" in shown
    if r.hidden_labels:
        assert min(imp[p] for p in r.hidden_labels) >= min(imp[p] for p in shown)


def test_non_ascii_names_in_ascii_mode():
    factions = {
        "a": Faction(id="a", name="A", short="Ḥayʾat", symbol="H", colour="#00ff00", updated_at=T0)
    }
    places = [
        Place(id="hama", name="Ḥamāh", lat=35.13, lon=36.76, updated_at=T0),
        Place(
            id="halab", name="حلب", alt_names=["حلب", "Halab"], lat=36.2, lon=37.16, updated_at=T0
        ),
        Place(id="wide", name="東京", lat=33.5, lon=36.3, updated_at=T0),
        Place(id="acled-x11a816fb6ffc", name="خان شيخون", lat=35.44, lon=36.65, updated_at=T0),
    ]
    control = {
        "hama": ControlChange(id="c", place="hama", faction="a", valid_from=T0, updated_at=T0)
    }
    r = render_map(
        places, control, factions, 80, 24, MapOptions(charset="ascii", as_of_label="as of 5 déc")
    )
    for line in r.lines:
        assert all(" " <= ch <= "~" for ch in line.text), line.text
    assert (
        r.labels["hama"][2] == "Hamah"
        and r.labels["halab"][2] == "Halab"
        and r.labels["acled-x11a816fb6ffc"][2] == "Khan Shikhun"
        and r.labels["wide"][2] == "??"  # a name, never the id "wide" (issue 11)
    )
    u = render_map(places, control, factions, 80, 24, MapOptions(as_of_label="as of 5 déc"))
    assert u.labels["hama"][2] == "Ḥamāh" and u.labels["wide"][2] == "??"
    check_shape(u, 80, 24)


# --------------------------------------------------------------------------- navigation


#: the 120x40 map of 5 Dec: from each place, the place each arrow key moves to (checked
#: against the geography: Maarat al-Numan is the nearest place north of Hama, Palmyra
#: east of it, Tartus west; Latakia is on the coast, nothing lies west of it)
ARROWS_120x40 = {
    "hama": {"up": "maarat_al_numan", "down": "homs", "left": "tartus", "right": "palmyra"},
    "homs": {"up": "hama", "down": "damascus", "left": "tartus", "right": "palmyra"},
    "damascus": {"up": "homs", "down": "daraa", "left": "quneitra", "right": "palmyra"},
    "aleppo": {"up": "tal_rifaat", "down": "saraqib", "left": "saraqib", "right": "al_bab"},
    "latakia": {"up": "idlib", "down": "tartus", "left": None, "right": "maarat_al_numan"},
    "deir_ez_zor": {"up": "hasakah", "down": "abu_kamal", "left": "raqqa", "right": "abu_kamal"},
    "idlib": {"up": "azaz", "down": "maarat_al_numan", "left": "latakia", "right": "saraqib"},
}


def test_nearest_in_direction_on_the_map(bundled):
    r = render_bundled(bundled, "2024-12-05", 120, 40)
    got = {
        pid: {d: nearest_in_direction(r.positions, pid, d) for d in ("up", "down", "left", "right")}
        for pid in ARROWS_120x40
    }
    assert got == ARROWS_120x40


def test_nearest_in_direction_edges():
    pos = {"a": (10, 5), "b": (10, 2), "c": (20, 5), "d": (2, 9)}
    assert nearest_in_direction(pos, "a", "up") == "b"
    assert nearest_in_direction(pos, "b", "up") is None
    assert nearest_in_direction(pos, "a", "right") == "c"
    assert nearest_in_direction(pos, "a", "down") == "d"
    assert nearest_in_direction({}, None, "up") is None
    assert nearest_in_direction(pos, None, "up") == "a"
    assert nearest_in_direction(pos, "gone", "left") == "a"
    # deterministic tie-break by id
    assert nearest_in_direction({"x": (0, 0), "m": (5, 0), "k": (5, 0)}, "x", "right") == "k"


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("w", "h"),
    [(MIN_WIDTH - 1, MIN_HEIGHT), (MIN_WIDTH, MIN_HEIGHT - 1), (12, 3), (5, 1), (0, 0), (1, 20)],
)
def test_below_minimum_gives_a_message(bundled, w, h):
    r = render_bundled(bundled, "2024-12-05", w, h)
    check_shape(r, w, h)
    assert r.positions == {} and r.viewport is None
    if w >= 9 and h >= 1:
        assert "map" in plain(r.lines) or "too small" in plain(r.lines)


@pytest.mark.parametrize(("w", "h"), [(30, 10), (300, 100), (300, 10), (30, 100), (57, 13)])
def test_extreme_sizes(bundled, w, h):
    for charset in ("ascii", "braille"):
        for legend in (True, False):
            r = render_bundled(
                bundled, "2024-12-05", w, h, charset=charset, legend=legend, selected="damascus"
            )
            check_shape(r, w, h)
            assert "damascus" in r.positions and "damascus" in r.labels
            assert credit_shown(r) == legend


def test_cache_is_bounded_and_clearable(bundled):
    from sitmon.widgets import map_render

    clear_cache()
    for w in range(60, 100, 2):
        render_bundled(bundled, "2024-12-05", w, 20)
    assert 0 < len(map_render._CACHE) <= map_render._CACHE_SIZE
    clear_cache()
    assert len(map_render._CACHE) == 0


# --------------------------------------------------------------------------- properties

NAME = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ -'éāḤ"),
    min_size=1,
    max_size=18,
).filter(lambda s: s.strip())


@st.composite
def scenes(draw):
    nf = draw(st.integers(1, 6))
    factions = {
        f"f{i}": Faction(
            id=f"f{i}",
            name=f"Faction {i}",
            short=draw(st.text(alphabet=st.sampled_from("ABCDEFGHabc -"), min_size=1, max_size=16)),
            symbol=draw(st.characters(min_codepoint=0x21, max_codepoint=0x7E)),
            colour="#" + draw(st.text(alphabet="0123456789abcdef", min_size=6, max_size=6)),
            updated_at=T0,
        )
        for i in range(nf)
    }
    n = draw(st.integers(0, 40))
    places, control = [], {}
    for i in range(n):
        pid = f"p{i}"
        places.append(
            Place(
                id=pid,
                name=draw(NAME),
                lat=draw(st.floats(31.0, 38.5)),
                lon=draw(st.floats(34.5, 43.5)),
                importance=draw(st.integers(1, 5)),
                population=draw(st.none() | st.integers(0, 3_000_000)),
                updated_at=T0,
            )
        )
        k = draw(st.integers(-1, nf))  # -1: no control; nf: an unknown faction
        if k >= 0:
            control[pid] = ControlChange(
                id=f"c{i}",
                place=pid,
                faction=f"f{k}",
                status=draw(st.sampled_from(["held", "held", "contested", "besieged"])),
                valid_from=T0,
                updated_at=T0,
            )
    width = draw(st.integers(30, 300))
    height = draw(st.integers(10, 100))
    selected = draw(st.none() | st.sampled_from([p.id for p in places] or ["nowhere"]))
    zoom = draw(st.sampled_from([1.0, 1.0, 0.7, 1.5, 2.5, 4.0]))
    center = draw(st.none() | st.tuples(st.floats(32.5, 37.0), st.floats(35.8, 42.0)))
    options = MapOptions(
        charset=draw(st.sampled_from(["braille", "ascii"])),
        colour=draw(st.booleans()),
        labels=draw(st.booleans() | st.just(True)),
        selected=selected,
        zoom=zoom,
        center=center,
        legend=draw(st.booleans() | st.just(True)),
        as_of_label=draw(st.sampled_from(["", "as of 2024-12-05", "as of 2024-11-26 23:59"])),
    )
    return places, control, factions, width, height, options


def _cells(col: int, row: int, text: str):
    return {(col + k, row) for k in range(len(text))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_properties(scene):
    places, control, factions, width, height, options = scene
    r = render_map(places, control, factions, width, height, options)

    # exact size; ascii only 7-bit printable
    check_shape(r, width, height)
    if options.charset == "ascii":
        for line in r.lines:
            assert all(" " <= ch <= "~" for ch in line.text), line.text
    if not options.colour:
        assert not any("#" in s.style for line in r.lines for s in line.spans)

    # deterministic, whatever the input order, whatever is cached
    clear_cache()
    again = render_map(
        list(reversed(places)),
        dict(reversed(list(control.items()))),
        factions,
        width,
        height,
        options,
    )
    assert again.lines == r.lines
    assert again.positions == r.positions and again.hidden_labels == r.hidden_labels
    assert again.labels == r.labels and again.region_labels == r.region_labels

    # every place within the view window is drawn inside the map part
    vp = r.viewport
    assert vp is not None
    inside = lambda c, rr: vp.col <= c < vp.col + vp.width and vp.row <= rr < vp.row + vp.height  # noqa: E731
    for p in places:
        cell = vp.cell_of(p.lat, p.lon)
        if cell is not None:
            assert p.id in r.positions, p
        if options.zoom == 1.0 and options.center is None:
            min_lon, min_lat, max_lon, max_lat = SYRIA_BBOX
            if min_lat <= p.lat <= max_lat and min_lon <= p.lon <= max_lon:
                assert p.id in r.positions, p  # all of Syria is in view at zoom 1
    for pid, (c, rr) in r.positions.items():
        assert inside(c, rr), pid

    # markers show the faction's symbol (or "?") where the place has its own cell
    by_cell: dict[tuple[int, int], list[str]] = {}
    for pid, pos in r.positions.items():
        by_cell.setdefault(pos, []).append(pid)
    marker_cells = set(r.positions.values())
    for pos, ids in by_cell.items():
        expected = set()
        for pid in ids:
            cc = control.get(pid)
            f = factions.get(cc.faction) if cc else None
            expected.add(f.symbol if f else "?")
        assert char_at(r, pos) in expected, (pos, ids)

    # labels: where they say, inside the map part, no overlaps, never over a marker
    all_labels = list(r.labels.values()) + list(r.region_labels)
    taken: set[tuple[int, int]] = set()
    for col, row, text in all_labels:
        assert r.lines[row].text[col : col + len(text)] == text
        cells = _cells(col, row, text)
        assert all(inside(c, rr) for c, rr in cells), (col, row, text)
        assert not (cells & taken), ("overlap", text)
        assert not (cells & marker_cells), ("covers a marker", text)
        taken |= cells
    assert set(r.labels).isdisjoint(r.hidden_labels)
    assert set(r.hidden_labels) <= set(r.positions)

    # the selected marker is whole and no other marker is lost under it
    check_markers(r, control, factions, options.selected)

    # the geography's credit is whole whenever the legend is shown
    if options.legend:
        assert credit_shown(r), plain(r.lines)

    # the selected place's label is never dropped when the place is in view
    if options.selected in r.positions:
        assert options.selected not in r.hidden_labels
        assert options.selected in r.labels
    if options.labels:
        assert set(r.labels) | set(r.hidden_labels) == set(r.positions)


BUNDLED_DAYS = ("2024-11-26", "2024-11-29", "2024-12-02", "2024-12-04", "2024-12-05")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=st.sampled_from(BUNDLED_DAYS),
    width=st.integers(30, 300),
    height=st.integers(10, 100),
    charset=st.sampled_from(["braille", "ascii"]),
    data=st.data(),
)
def test_bundled_selection_and_credit_at_any_size(bundled, day, width, height, charset, data):
    """Any place selected, any size from 30x10 to 300x100: the selection is drawn
    whole, no other marker is lost, and the credit is shown whole."""
    places, factions, changes = bundled
    selected = data.draw(st.none() | st.sampled_from(sorted(p.id for p in places)))
    control = control_as_of(changes, end_of_day(day))
    r = render_bundled(bundled, day, width, height, charset=charset, selected=selected)
    check_shape(r, width, height)
    check_markers(r, control, factions, selected)
    assert credit_shown(r), plain(r.lines)
    if selected is not None:
        assert selected in r.positions  # the whole of Syria is in view at zoom 1


@pytest.mark.parametrize(
    ("day", "place", "whole"),
    [("2024-12-05", "hama", "[H]"), ("2024-11-29", "aleppo", "[H~]")],
)
def test_selected_marker_panned_to_the_first_and_last_column_stays_whole(
    bundled, day, place, whole
):
    """Pan the map (zoom 4, no legend: the map is all 60 columns) so the selected place
    falls in column 0 and in column 59: the marker is drawn whole, moved in from the
    edge ("[" in column 0, "]" in column 59), never cut to "H]" or "[H"."""
    places, factions, changes = bundled
    control = control_as_of(changes, end_of_day(day))
    p = next(x for x in places if x.id == place)
    width = 60
    cols = set()
    for step in range(-60, 61):  # 0.02 degrees of longitude: less than a column at zoom 4
        opts = MapOptions(
            charset="ascii",
            legend=False,
            zoom=4.0,
            center=(p.lat, p.lon + step * 0.02),
            selected=place,
        )
        r = render_map(places, control, factions, width, 20, opts)
        if place not in r.positions:
            continue
        col, row = r.positions[place]
        assert r.lines[row].text[col - 1 : col - 1 + len(whole)] == whole, (step, r.lines[row].text)
        cols.add(col)
    assert min(cols) == 1  # the bracket in column 0
    assert max(cols) == width - len(whole) + 1  # the closing bracket in column 59


# --------------------------------------------------------------------------- legend names


def _southern_map(charset: str) -> MapRender:
    """Damascus held by the government, Daraa by a faction whose short name
    ("Southern factions", as in the bundled data) is wider than the legend column."""
    factions = {
        "southern_opposition": Faction(
            id="southern_opposition",
            name="Southern opposition factions (Daraa, Suwayda, Quneitra)",
            short="Southern factions",
            symbol="S",
            colour="#9b59b6",
            updated_at=T0,
        ),
        "gov": Faction(
            id="gov",
            name="Government",
            short="Government",
            symbol="G",
            colour="#ff0000",
            updated_at=T0,
        ),
    }
    places = [
        Place(id="daraa", name="Daraa", lat=32.62, lon=36.10, importance=4, updated_at=T0),
        Place(id="damascus", name="Damascus", lat=33.51, lon=36.29, importance=5, updated_at=T0),
    ]
    control = {
        "daraa": ControlChange(
            id="c1", place="daraa", faction="southern_opposition", valid_from=T0, updated_at=T0
        ),
        "damascus": ControlChange(
            id="c2", place="damascus", faction="gov", valid_from=T0, updated_at=T0
        ),
    }
    options = MapOptions(charset=charset, as_of_label="as of 2024-12-01")
    return render_map(places, control, factions, 60, 16, options)


@pytest.mark.parametrize(
    ("charset", "sep", "southern"),
    [("ascii", "|", "S Southern.      1"), ("unicode", "\u2502", "S Southern\u2026      1")],
)
def test_long_faction_name_abbreviated_at_a_word_boundary(charset, sep, southern):
    """Issue 16 item 11: the legend cut "Southern facti"; it now keeps whole words
    and marks the abbreviation; the symbol S is the key to the full name."""
    r = _southern_map(charset)
    legend = [line.text.rsplit(sep, 1)[1] for line in r.lines[:3]]
    assert legend == ["as of 2024-12-01  ", "G Government     1", southern]


def test_legend_name_rules():
    from sitmon.widgets.map_render import legend_name

    assert legend_name("Southern factions", 17) == "Southern factions"
    assert legend_name("Southern factions", 14) == "Southern\u2026"
    assert legend_name("Southern factions", 14, ascii_only=True) == "Southern."
    assert legend_name("US-backed Syrian Free Army", 20) == "US-backed Syrian\u2026"
    assert legend_name("Southern factions", 6) == "SF"
    assert legend_name("Southern factions", 1) == "S"
