"""The bundled dataset: valid, faithful to the seed article, inside its window, reproducible.

The seed article is read from ``../shared`` (relative to the repo root): the numbers
checked here are extracted from the article text, not copied into this file.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sitmon.store.adapters.sitmon import adapt
from sitmon.store.merge import apply_batch, empty_tables, latest_control
from sitmon.store.records import (
    ControlChange,
    Event,
    Faction,
    Figure,
    Place,
    Quote,
    Source,
)

from tests.support.shared import SHARED as _SHARED

REPO = Path(__file__).resolve().parents[2]
SHARED = _SHARED
BUNDLED = REPO / "store" / "data" / "bundled.json"
GENERATOR = REPO / "tools" / "build_bundled.py"
SEED = SHARED / "seed" / "000_477aafb5564b24fa.txt"
REFERENCE = SHARED / "data" / "reference"

#: the article's moment: nothing in the dataset is dated after the end of this day
END = datetime.fromisoformat("2024-12-05T23:59:59+03:00")
AS_REPORTED = "as reported in the seed article"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"the shared reference folder is missing ({SHARED}); cannot check against the seed article",
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(doc):
    result = adapt(doc)
    assert result.rejected == [], [str(r) for r in result.rejected]
    return result.records


@pytest.fixture(scope="module")
def by_kind(records):
    out: dict[type, dict[str, object]] = {}
    for r in records:
        out.setdefault(type(r), {})[r.id] = r
    return out


@pytest.fixture(scope="module")
def article() -> str:
    if not SEED.is_file():
        pytest.skip(f"the seed article is missing ({SEED})")
    return SEED.read_text(encoding="utf-8")


def _reference(name: str) -> dict:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference file missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _load_generator():
    spec = importlib.util.spec_from_file_location("build_bundled", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def cites(rec, source: str) -> bool:
    return any(s.source == source for s in rec.sources)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


# --------------------------------------------------------------------------- validity


def test_feed_header(doc):
    assert doc["sitmon_feed"] == 1
    assert doc["title"] == "sitmon bundled dataset: Hama falls to insurgents (to 5 Dec 2024)"
    assert doc["situation"] == {
        "title": "Rebel offensive in Syria: Aleppo and Hama",
        "start": "2024-11-27",
    }
    assert doc["tombstones"] == []


def test_adapts_and_merges_with_zero_rejections(records):
    assert records
    tables, cs = apply_batch(empty_tables(), records)
    assert cs.rejected == [], [str(r) for r in cs.rejected]
    assert len(cs.added) == len(records)


def test_every_source_ref_names_a_source_in_the_dataset(records, by_kind):
    sources = set(by_kind[Source])
    for rec in records:
        assert rec.sources or isinstance(rec, Source), f"{rec.id} cites no source"
        for ref in rec.sources:
            assert ref.source in sources, f"{rec.id} cites unknown source {ref.source!r}"


def test_every_source_is_cited(records, by_kind):
    cited = {ref.source for rec in records for ref in rec.sources}
    assert set(by_kind[Source]) == cited


def test_control_changes_name_existing_places_and_factions(by_kind):
    places, factions = by_kind[Place], by_kind[Faction]
    for c in by_kind[ControlChange].values():
        assert c.place in places, c.id
        assert c.faction in factions, c.id
        assert c.valid_from.utcoffset().total_seconds() == 3 * 3600, c.id
        if c.precision != "exact":  # a clock time only where the sources give one
            assert (c.valid_from.hour, c.valid_from.minute, c.valid_from.second) == (0, 0, 0), c.id


def test_event_and_quote_references_exist(by_kind):
    places, factions, events = by_kind[Place], by_kind[Faction], by_kind[Event]
    for e in events.values():
        assert set(e.places) <= set(places), e.id
        assert set(e.factions) <= set(factions), e.id
    for q in by_kind[Quote].values():
        assert set(q.places) <= set(places), q.id
        assert q.event in events, q.id


def test_ids_are_unique_within_each_kind(doc):
    for section in ("sources", "factions", "places", "control", "events", "quotes", "figures"):
        ids = [r["id"] for r in doc[section]]
        assert len(ids) == len(set(ids)), section


def test_updated_at_is_fixed(records, doc):
    stamps = {r.updated_at for r in records}
    assert stamps == {datetime.fromisoformat("2024-12-05T23:00:00+03:00")}
    assert doc["generated_at"] == "2024-12-05T23:00:00+03:00"


def _contrast(hex_colour: str, other: str) -> float:
    def lum(h: str) -> float:
        rgb = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((lum(hex_colour), lum(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_factions_have_distinct_symbols_and_readable_colours(by_kind):
    factions = by_kind[Faction]
    assert {"government", "hts_led", "sna", "sdf", "sfa", "southern_opposition"} <= set(factions)
    symbols = [f.symbol for f in factions.values()]
    assert len(symbols) == len(set(symbols))
    assert factions["government"].symbol == "G"
    assert factions["hts_led"].symbol == "H"
    assert factions["sna"].symbol == "T"
    for f in factions.values():
        for bg in ("#000000", "#ffffff"):
            assert _contrast(f.colour, bg) >= 3.0, f"{f.id} colour {f.colour} on {bg}"


def test_places_have_slug_ids_and_importance(by_kind):
    places = by_kind[Place]
    assert len(places) == 23
    for p in places.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", p.id), p.id
        assert p.kind in ("city", "town")
    for pid in ("damascus", "aleppo"):
        assert places[pid].importance == 1
    for pid in ("homs", "hama", "latakia", "idlib", "deir_ez_zor"):
        assert places[pid].importance == 2
    for pid in ("tal_rifaat", "maarat_al_numan", "saraqib", "azaz"):
        assert places[pid].importance == 3


# --------------------------------------------------------------------------- time window

_TIME_FIELDS = (
    "time",
    "said_at",
    "as_of",
    "valid_from",
    "period_start",
    "period_end",
    "updated_at",
)


def test_nothing_is_dated_after_the_article_moment(records):
    for rec in records:
        for name in _TIME_FIELDS:
            value = getattr(rec, name, None)
            if value is not None:
                assert value <= END, f"{rec.id}.{name} = {value.isoformat()}"


def _control_as_of(by_kind, place: str, moment: datetime) -> ControlChange | None:
    return latest_control(
        c for c in by_kind[ControlChange].values() if c.place == place and c.valid_from <= moment
    )


@pytest.mark.parametrize(
    ("place", "faction"),
    [
        ("hama", "hts_led"),
        ("aleppo", "hts_led"),
        ("homs", "government"),
        ("damascus", "government"),
    ],
)
def test_control_at_the_article_moment(by_kind, place, faction):
    c = _control_as_of(by_kind, place, END)
    assert c is not None and (c.faction, c.status) == (faction, "held")


@pytest.mark.parametrize("place", ["aleppo", "hama"])
def test_control_before_the_offensive(by_kind, place):
    c = _control_as_of(by_kind, place, datetime.fromisoformat("2024-11-26T23:59:59+03:00"))
    assert c is not None and (c.faction, c.status) == ("government", "held")


def test_hama_contested_before_it_fell(by_kind):
    c = _control_as_of(by_kind, "hama", datetime.fromisoformat("2024-12-04T23:59:59+03:00"))
    assert c is not None and (c.faction, c.status) == ("hts_led", "contested")


@needs_shared
def test_control_matches_the_reference_on_5_december(by_kind):
    cities = _reference("cities-control-2024-12-05.json")["cities"]
    gen = _load_generator()
    for city in cities:
        c = _control_as_of(by_kind, gen.slug(city["name"]), END)
        assert c is not None, city["name"]
        assert c.faction == city["control_2024_12_05"], city["name"]
        place = by_kind[Place][gen.slug(city["name"])]
        assert (place.lat, place.lon) == (city["lat"], city["lon"])
        assert place.governorate == city["admin1"]


@needs_shared
def test_governorates_join_the_ocha_outlines(by_kind):
    path = SHARED / "data" / "geo" / "syria-governorates-simplified.geojson"
    if not path.is_file():
        pytest.skip(f"governorate outlines missing: {path}")
    names = {
        f["properties"]["ADM1_EN"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]
    }
    for p in by_kind[Place].values():
        assert p.governorate in names, (p.id, p.governorate)


# --------------------------------------------------------------------------- the seed article


def _article_figures(by_kind, metric: str, value: float) -> list[Figure]:
    return [
        f
        for f in by_kind[Figure].values()
        if f.metric == metric and f.value == value and cites(f, "article")
    ]


@needs_shared
def test_displaced_from_the_article(by_kind, article):
    m = re.search(r"over ([\d,]+) people displaced", article)
    assert m, "article wording changed"
    [fig] = _article_figures(by_kind, "displaced", _int(m.group(1)))
    assert fig.qualifier == "more than"
    assert [s.source for s in fig.sources] == ["article"]  # the article does not attribute it


@needs_shared
def test_sohr_deaths_and_civilians_from_the_article(by_kind, article):
    m = re.search(
        r"SOHR has reported more than ([\d,]+) deaths, including ([\d,]+) civilians", article
    )
    assert m, "article wording changed"
    [deaths] = _article_figures(by_kind, "deaths_total", _int(m.group(1)))
    [civilians] = _article_figures(by_kind, "civilian_deaths", _int(m.group(2)))
    assert deaths.qualifier == "more than"
    for fig in (deaths, civilians):
        assert cites(fig, "sohr"), fig.id
        assert any(s.source == "sohr" and s.note == AS_REPORTED for s in fig.sources)


@needs_shared
def test_bounty_from_the_article(by_kind, article):
    m = re.search(r"\$(\d+) million bounty", article)
    assert m, "article wording changed"
    [fig] = _article_figures(by_kind, "bounty_usd", int(m.group(1)) * 1_000_000)
    assert fig.unit == "USD"


@needs_shared
def test_half_a_million_since_2011(by_kind, article):
    m = re.search(r"(half a million) lives since its inception in (\d{4})", article)
    assert m, "article wording changed"
    [fig] = _article_figures(by_kind, "deaths_since_2011", 500_000)
    assert fig.qualifier == "about"
    assert fig.period_start is not None and fig.period_start.year == int(m.group(2))


@needs_shared
def test_prisoners_freed_stay_hundreds(by_kind, article):
    """The article says 'hundreds of prisoners'; no source gives a number, so no figure
    invents one (it was 'at least 200'): the SOHR event keeps the article's word."""
    assert "liberating hundreds of prisoners from the central prison" in article
    assert [f for f in by_kind[Figure].values() if f.metric == "prisoners_freed"] == []
    ev = by_kind[Event]["ev-2024-12-05-sohr-hama-street-fighting"]
    assert ev.title == (
        "SOHR: fierce street fighting in Hama; hundreds of prisoners freed from the central prison"
    )
    assert cites(ev, "article") and cites(ev, "sohr")


@needs_shared
def test_1982_uprising_event(by_kind, article):
    m = re.search(r"(\d{4}) Muslim Brotherhood uprising", article)
    assert m, "article wording changed"
    year = int(m.group(1))
    matches = [e for e in by_kind[Event].values() if e.time.year == year and "hama" in e.places]
    assert len(matches) == 1
    assert matches[0].precision == "month" and cites(matches[0], "article")


@needs_shared
def test_offensive_start_event(by_kind, article):
    m = re.search(r"began on ([A-Z][a-z]+ \d{1,2})", article)
    assert m, "article wording changed"
    start = datetime.strptime(f"{m.group(1)} 2024", "%B %d %Y").date()
    offensives = [e for e in by_kind[Event].values() if e.type == "offensive"]
    assert len(offensives) == 1
    assert offensives[0].time.date() == start
    assert cites(offensives[0], "article")


@needs_shared
def test_every_quoted_phrase_of_the_article_is_a_quote(by_kind, article):
    quoted = re.findall(r"(?<!\w)'([^']+?)[,.]?'(?!\w)", article)
    assert len(quoted) >= 3
    texts = {q.text: q for q in by_kind[Quote].values()}
    for phrase in quoted:
        assert phrase in texts, f"article quote not in the dataset: {phrase!r}"
    for q in texts.values():
        assert q.text in article, f"quote not verbatim in the article: {q.text!r}"
        assert cites(q, "article")
        assert q.speaker == "Abu Mohammed al-Joulani"
        assert q.role == "leader of Hayat Tahrir al-Sham (HTS)"
        assert "hama" in q.places
        assert q.said_at.date().isoformat() == "2024-12-05" and q.precision == "day"


@needs_shared
def test_dead_comes_from_cnn(by_kind, article):
    m = re.search(r"described the Assad regime as '(\w+)'", article)
    assert m, "article wording changed"
    assert "spoke to CNN" in article
    [q] = [q for q in by_kind[Quote].values() if q.text == m.group(1)]
    assert q.outlet == "CNN"
    assert any(s.source == "cnn" and s.note == AS_REPORTED for s in q.sources)
    assert by_kind[Event][q.event].type == "statement" and cites(by_kind[Event][q.event], "cnn")


@needs_shared
@pytest.mark.parametrize(
    ("phrase", "source", "event_type"),
    [
        (
            "Syrian Observatory for Human Rights reported that fierce street fighting",
            "sohr",
            "battle",
        ),
        ("spoke to CNN", "cnn", "statement"),
        ("Human Rights Watch", "hrw", "statement"),
        ("Antony Blinken warning", "us_state_dept", "statement"),
        ("Syrian army has acknowledged losing control of Hama", "syrian_army", "withdrawal"),
    ],
)
def test_attributed_statements(by_kind, article, phrase, source, event_type):
    assert phrase in article
    events = [e for e in by_kind[Event].values() if cites(e, source) and cites(e, "article")]
    assert any(e.type == event_type for e in events), (source, event_type)


@needs_shared
@pytest.mark.parametrize(
    ("phrase", "factions", "event_type"),
    [
        ("Russia and Iran", {"russia", "iran"}, "diplomatic"),
        ("Turkey continues to support the rebel factions", {"turkey"}, "diplomatic"),
        ("strong resistance in central Syria", {"government"}, "statement"),
    ],
)
def test_article_actors_have_events(by_kind, article, phrase, factions, event_type):
    assert phrase in article
    assert any(
        e.type == event_type
        and factions <= set(e.factions)
        and cites(e, "article")
        and e.time <= END
        for e in by_kind[Event].values()
        if e.time.date().isoformat() == "2024-12-05"
    )


@needs_shared
def test_article_places_and_captures(by_kind, article):
    for name in ("Aleppo", "Hama", "Homs", "Damascus"):
        assert name in article
        assert cites(by_kind[Place][name.lower()], "article")
    caps = {
        e.places[0]: e
        for e in by_kind[Event].values()
        if e.type == "capture" and cites(e, "article")
    }
    assert set(caps) == {"aleppo", "hama"}
    assert caps["hama"].time.date().isoformat() == "2024-12-05"
    assert caps["aleppo"].time.date().isoformat() in ("2024-11-29", "2024-11-30")


_ARTICLE_WORDS = {10_000_000: "$10 million", 500_000: "half a million", 200: "hundreds"}


@needs_shared
def test_article_figures_are_all_in_the_article(by_kind, article):
    """No figure is attributed to the article unless its number is in the article."""
    for fig in by_kind[Figure].values():
        if cites(fig, "article"):
            value = int(fig.value)
            words = _ARTICLE_WORDS.get(value, f"{value:,}")
            assert words in article, f"{fig.id}: {words!r} is not in the article"


def test_attributed_parties_come_with_the_article(records):
    """A ref 'as reported in the seed article' always sits beside the article's own ref."""
    for rec in records:
        for ref in rec.sources:
            if ref.note == AS_REPORTED:
                assert cites(rec, "article"), rec.id
                assert ref.source in {"sohr", "cnn", "hrw", "syrian_army", "us_state_dept"}, rec.id


def test_article_source_record(by_kind):
    src = by_kind[Source]["article"]
    assert src.kind == "article" and src.url == ""
    assert src.name == 'Seed article: "Rebel Offensive in Syria: Hama Falls to Insurgents"'
    assert by_kind[Source]["sohr"].url == "https://www.syriahr.com/en/"


# --------------------------------------------------------------------------- reference facts


def test_disagreeing_death_tolls_are_separate_records(by_kind):
    deaths = [f for f in by_kind[Figure].values() if f.metric == "deaths_total"]
    assert len({(f.value, f.qualifier, f.as_of) for f in deaths}) == len(deaths) >= 5
    assert len({f.value for f in deaths}) >= 5
    assert {s.url for f in deaths for s in f.sources if s.url}.__len__() >= 4


#: reference figures whose date the build corrects: (metric, value) -> the right day
CORRECTED_DAYS = {("deaths_total", 602): "2024-12-03", ("displaced", 280000): "2024-12-06"}


@needs_shared
def test_reference_figures_in_window_each_have_a_record(by_kind):
    figures = _reference("figures-with-provenance.json")["figures"]
    ours = by_kind[Figure].values()
    kept = skipped = 0
    for f in figures:
        days = re.findall(r"\d{4}-\d{2}-\d{2}|(?<=/)\d{2}\b", f["as_of"])
        day = days[0] if len(days) == 1 else days[0][:8] + days[1]  # latest day of a range
        day = CORRECTED_DAYS.get((f["metric"], f["value"]), day)
        match = [
            g
            for g in ours
            if g.metric == f["metric"]
            and g.value == f["value"]
            and any(s.url == f["url"] for s in g.sources)
        ]
        if day > "2024-12-05" or f.get("period_end", "") > "2024-12-05":
            assert match == [], f"after-window figure in the dataset: {f['metric']} {f['value']}"
            skipped += 1
            continue
        assert len(match) == 1, f"{f['metric']} {f['value']} ({f['publisher']})"
        g = match[0]
        assert g.as_of.date().isoformat() == day
        if f["as_of"] != day and (f["metric"], f["value"]) not in CORRECTED_DAYS:
            assert "date approximate" in g.note
        kept += 1
    assert (kept, skipped) == (9, 6)


#: copies in the reference compilation cited as their original (see test_weak_sources_replaced)
REPLACED_URLS = {
    "http://5.180.24.3/info/operation-dawn-of-freedom": "https://en.wikipedia.org/wiki/Operation_Dawn_of_Freedom",
    "https://momsy.co.kr/military/154874?page=21": "",  # CTP-ISW, cited without the mirror
}


@needs_shared
def test_reference_chronology_in_window_is_covered(by_kind):
    entries = _reference("chronology-2024-11-27-to-2024-12-08.json")["events"]
    events = list(by_kind[Event].values())
    for entry in entries:
        on_day = [e for e in events if e.time.date().isoformat() == entry["date"]]
        if entry["date"] > "2024-12-05":
            assert on_day == [], entry["date"]
            continue
        urls = {s.url for e in on_day for s in e.sources}
        expected = {REPLACED_URLS.get(u, u) for u in entry["sources"]} - {""}
        assert expected <= urls, entry["date"]
        assert any(entry["event"] in e.summary for e in on_day), entry["date"]


def test_qualifier_parsing():
    gen = _load_generator()
    assert gen.parse_qualifier(">", 130) == ("more than", "")
    assert gen.parse_qualifier("at least (219 HTS, 137 army)", 417) == (
        "at least",
        "219 HTS, 137 army",
    )
    assert gen.parse_qualifier("(268 HTS+allies, 154 regime)", 514) == (
        "exact",
        "268 HTS+allies, 154 regime",
    )
    q, note = gen.parse_qualifier(
        ">200 (182 fighters: 102 HTS, 19 allies, 61 regime; 20 civilians)", 202
    )
    assert (
        q == "exact" and note.startswith("reported as 'more than 200'") and "20 civilians" in note
    )
    assert gen.parse_qualifier("between 800,000 and 1,000,000 (range)", 1e6)[0] == "between"


# --------------------------------------------------------------------------- reproducible


@needs_shared
def test_generator_reproduces_the_committed_file(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"bundled-{i}.json"
        subprocess.run(
            [sys.executable, str(GENERATOR), "--shared", str(SHARED), "--out", str(out)],
            check=True,
            capture_output=True,
            cwd=tmp_path,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0] == BUNDLED.read_bytes(), (
        "store/data/bundled.json is stale: run tools/build_bundled.py"
    )
