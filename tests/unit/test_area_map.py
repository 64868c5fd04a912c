"""The map of any situation's area: every country of the world layer, wide
areas, several countries, antimeridian, subdivisions from GeoJSON."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sitmon.store.geodata import Unit, read_admin1, world
from sitmon.store.records import ControlChange, Faction, Place
from sitmon.widgets.area_geo import map_area
from sitmon.widgets.map_render import MapOptions, render_map

GEO = Path(__file__).resolve().parents[3] / "shared" / "data" / "geo"
if not GEO.is_dir():
    GEO = Path("/work/shared/data/geo")

T0 = datetime(2024, 1, 1, tzinfo=UTC)
FACTIONS = {
    "a": Faction(id="a", name="Alpha", short="Alpha", symbol="A", colour="#e5534b", updated_at=T0),
    "b": Faction(id="b", name="Bravo", short="Bravo", symbol="B", colour="#4f8fd6", updated_at=T0),
}


def _places_in(unit: Unit, n: int = 4) -> list[Place]:
    """``n`` places on the vertices of the country's largest ring, spread along it."""
    ring = max(unit.rings, key=len)
    k = len(ring) // 2
    out = []
    for i in range(n):
        j = (i * k) // n
        out.append(
            Place(
                id=f"{unit.code.lower()}{i}",
                name=f"Town {unit.code} {i}",
                lat=ring[2 * j + 1],
                lon=ring[2 * j],
                updated_at=T0,
            )
        )
    return out


def _control(places: list[Place]) -> dict[str, ControlChange]:
    return {
        p.id: ControlChange(
            id=f"cc-{p.id}",
            place=p.id,
            faction="a" if i % 2 else "b",
            valid_from=T0,
            updated_at=T0,
        )
        for i, p in enumerate(places)
    }


def _cells(col: int, row: int, text: str) -> set[tuple[int, int]]:
    return {(col + i, row) for i in range(len(text))}


def _check_frame(r, width: int, height: int, places: list[Place]) -> None:
    assert len(r.lines) == height
    assert all(len(line.text) == width for line in r.lines)
    vp = r.viewport
    # every place is drawn, inside the map part of the frame
    assert set(r.positions) == {p.id for p in places}
    for col, row in r.positions.values():
        assert vp.col <= col < vp.col + vp.width and vp.row <= row < vp.row + vp.height
    # no label overlaps another label, a marker or a region name
    taken: set[tuple[int, int]] = set(r.positions.values())
    for col, row, text in list(r.labels.values()) + list(r.region_labels):
        cells = _cells(col, row, text)
        assert not cells & taken, (text, sorted(cells & taken))
        assert all(vp.col <= c < vp.col + vp.width for c, _ in cells)
        taken |= cells


COUNTRIES = sorted(world())


def test_world_layer_has_every_country_the_issue_names():
    assert len(COUNTRIES) == 241
    for iso in ("SYR", "SDN", "UKR", "COD", "YEM", "RUS", "FJI", "USA", "KOS", "VAT"):
        assert iso in COUNTRIES


@pytest.mark.parametrize("iso", COUNTRIES)
def test_every_country_draws_at_80x24(iso):
    unit = world()[iso]
    places = _places_in(unit)
    r = render_map(
        places,
        _control(places),
        FACTIONS,
        80,
        24,
        MapOptions(
            charset="ascii", colour=False, area=map_area([iso]), as_of_label="as of 2024-01-01"
        ),
    )
    _check_frame(r, 80, 24, places)
    text = "\n".join(line.text for line in r.lines)
    assert "Natural Earth" in text  # the credit is never cut


def test_russia_across_the_antimeridian_is_one_piece():
    """Chukotka (west of 180) sits right of Kamchatka, not at the far left."""
    area = map_area(["RUS"])
    assert area.wrap == 0.0
    chukotka = Place(id="anadyr", name="Anadyr", lat=64.73, lon=177.5, updated_at=T0)
    uelen = Place(id="uelen", name="Uelen", lat=66.16, lon=-169.8, updated_at=T0)
    moscow = Place(id="moscow", name="Moscow", lat=55.75, lon=37.6, updated_at=T0)
    places = [chukotka, uelen, moscow]
    r = render_map(places, {}, {}, 120, 40, MapOptions(charset="ascii", area=area))
    _check_frame(r, 120, 40, places)
    assert r.positions["moscow"][0] < r.positions["anadyr"][0] < r.positions["uelen"][0]


def test_two_countries_draw_as_one_area_with_both_named_neighbours():
    """Sudan and South Sudan: both fitted, Juba and Khartoum inside, the
    neighbours (not the two) named."""
    area = map_area(["SDN", "SSD"])
    khartoum = Place(id="khartoum", name="Khartoum", lat=15.5007, lon=32.5599, updated_at=T0)
    juba = Place(id="juba", name="Juba", lat=4.8594, lon=31.5713, updated_at=T0)
    r = render_map(
        [khartoum, juba], {}, {}, 80, 24, MapOptions(charset="ascii", colour=False, area=area)
    )
    _check_frame(r, 80, 24, [khartoum, juba])
    names = {text for _, _, text in r.region_labels}
    assert {"Ethiopia", "Chad"} <= names or {"Eth.", "Chad"} <= names
    assert not names & {"Sudan", "S. Sudan", "S. S."}
    assert r.labels["khartoum"][2] == "Khartoum" and r.labels["juba"][2] == "Juba"
    # Khartoum is north of Juba, both well inside the frame
    assert r.positions["khartoum"][1] < r.positions["juba"][1]


@pytest.mark.parametrize(
    ("iso", "name"), [("SDN", "sudan-admin1-ne10m.geojson"), ("YEM", "yemen-admin1-ne10m.geojson")]
)
def test_subdivisions_from_geojson_draw_dotted(iso, name):
    plain = render_map([], {}, {}, 80, 24, MapOptions(charset="ascii", area=map_area([iso])))
    area = map_area([iso], read_admin1(GEO / name))
    r = render_map([], {}, {}, 80, 24, MapOptions(charset="ascii", colour=False, area=area))
    dots = "\n".join(line.text for line in r.lines).count(".")
    before = "\n".join(line.text for line in plain.lines).count(".")
    assert dots > before + 60  # the subdivisions' boundaries, dotted
