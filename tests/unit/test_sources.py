"""The sources an analyst can point at today: RSS/Atom, GDELT, ReliefWeb, HDX HAPI, GeoJSON
event points; and URL masking. Expected values are written out from the examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.adapters import gdelt, geojson, hapi, reliefweb, rss
from sitmon.store.adapters.base import FeedError
from sitmon.store.adapters.detect import AdaptContext
from sitmon.store.bundled import bundled_document
from sitmon.store.fetch import FetchError, expand_url, mask_url, stated_interval
from sitmon.store.ingest import ingest_bytes
from sitmon.store.records import kind_of

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"


@pytest.fixture(scope="module")
def known():
    recs = bundled_document().records
    places = {r.id: r for r in recs if kind_of(r) == "place"}
    factions = {r.id for r in recs if kind_of(r) == "faction"}
    return places, factions


def ingest(name: str, known, *, source: str = "desk", url: str = "", data: bytes | None = None):
    places, factions = known
    raw = data if data is not None else (FEEDS / name).read_bytes()
    return ingest_bytes(raw, "auto", source_name=source, places=places, factions=factions, url=url)


def by_id(result):
    return {r.id: r for r in result.records}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ RSS and Atom


def test_rss_example_becomes_events(known):
    result = ingest("sample.rss.xml", known)
    assert result.format == "rss" and result.rejected == [] and result.warnings == []
    recs = by_id(result)
    # no Atom id or self link, no configured name: the channel's link is the identity
    assert recs["feed-news_example_org_syria"].name == "Example Desk Wire: Syria"
    homs = recs["rss-news_example_org_syria-wire-2024-12-07-0001"]
    assert homs.title == "Opposition fighters reach the outskirts of Homs"
    assert homs.time == utc(2024, 12, 7, 9, 30)
    assert homs.precision == "exact"
    # HTML removed, entities decoded, the script's text dropped
    assert homs.summary == "Fighters were reported at the northern edge of Homs & its ring road."
    assert homs.type == "offensive"
    assert homs.factions == ("hts_led",)  # the tag "HTS" through the actor map
    assert homs.places == ("homs",)  # the GeoRSS point, 0.7 km from Homs
    assert homs.url == "https://news.example.org/syria/2024/12/07/homs-outskirts"
    convoy = recs["rss-news_example_org_syria-https://news.example.org/syria/2024/12/06/aid-convoy"]
    assert (convoy.type, convoy.places) == ("humanitarian", ("idlib",))  # tags
    assert convoy.time == utc(2024, 12, 6, 14, 0)
    assert "rss-news_example_org_syria-https://news.example.org/syria/2024/12/08/statement" in recs
    assert len(result.records) == 4


def test_atom_example_uses_published_updated_and_content(known):
    result = ingest("sample.atom.xml", known, source="briefings")
    assert result.format == "rss" and result.rejected == []
    events = sorted((r for r in result.records if kind_of(r) == "event"), key=lambda e: e.time)
    hama, update = events
    assert hama.title == "Hama: control changes hands"  # type="html" title made text
    assert hama.time == utc(2024, 12, 5, 18, 0)
    assert hama.updated_at == utc(2024, 12, 6, 7, 45)  # the version is <updated>
    assert (hama.type, hama.places) == ("withdrawal", ("hama",))
    assert hama.summary == "Government forces withdrew from Hama."
    assert update.time == utc(2024, 12, 9, 8, 0)  # no <published>: <updated>
    assert update.summary == "Partners report new displacement near Aleppo."  # xhtml content
    assert update.places == ("aleppo",)  # GeoRSS point
    # scoped by the Atom feed's own <id>, whatever name it arrived under
    assert hama.id.startswith(
        "rss-tag_briefings_example_org_2024_syria-tag_briefings_example_org_2024_hama_0512-"
    )


def test_ids_are_scoped_by_the_feeds_identity_not_the_file_name(known):
    places, factions = known
    raw = (FEEDS / "sample.rss.xml").read_bytes()

    def ids(**kw):
        r = ingest_bytes(raw, "auto", places=places, factions=factions, **kw)
        return {rec.id for rec in r.records}

    # the same document under two file names: one feed (its link)
    assert ids(source_name="a.xml") == ids(source_name="b.xml")
    # two configured feeds (config names) reading the same document: two feeds
    a = ids(source_name="x", feed_id="wire-a")
    assert "rss-wire_a-wire-2024-12-07-0001" in a
    assert "rss-wire_b-wire-2024-12-07-0001" in ids(source_name="x", feed_id="wire-b")


MALFORMED_KEEPS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Broken wire</title>
<item><title>First</title><guid>a1</guid><pubDate>Mon, 09 Dec 2024 10:00:00 GMT</pubDate></item>
<item><title>Second & third</title><guid>a2</guid><pubDate>Mon, 09 Dec 2024 11:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_bozo_feed_keeps_what_parsed_with_a_warning_naming_the_problem(known):
    result = ingest("", known, data=MALFORMED_KEEPS)
    assert [r.title for r in result.records if kind_of(r) == "event"][0] == "First"
    assert result.warnings == [
        "malformed XML (line 4, column 21: not well-formed (invalid token)); "
        "kept the 2 entries that parsed"
    ]


def test_unreadable_rss_and_html_pages_are_one_line_errors(known):
    with pytest.raises(FeedError) as info:
        ingest("", known, data=b'<?xml version="1.0"?>\n<rss version="2.0"><chan')
    assert str(info.value) == (
        "feed 'desk': not a readable RSS or Atom feed: line 2, column 19: unclosed token"
    )
    with pytest.raises(FeedError) as info:
        ingest("", known, data=b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>")
    assert str(info.value).startswith(
        "feed 'desk': the body is an HTML page, not JSON (a login, error or captive-portal page?)"
    )
    assert rss.sniff(b"<html><body><rss></rss></body></html>") is False
    assert rss.sniff(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n<rdf:RDF>') is True


def test_an_entry_without_a_date_is_rejected_not_guessed(known):
    data = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>No date</title><guid>n1</guid></item></channel></rss>"""
    result = ingest("", known, data=data)
    assert [str(r) for r in result.rejected] == [
        "event 'rss-t-n1': field `published`: missing (an event needs a time: pubDate or updated)"
    ]


def test_feedparser_never_fetches_or_opens_files(tmp_path, known):
    # A body that is a path or a URL is data, not a place to read from.
    secret = tmp_path / "secret.xml"
    secret.write_bytes((FEEDS / "sample.rss.xml").read_bytes())
    for data in (str(secret).encode(), b"http://127.0.0.1:9/feed.xml"):
        with pytest.raises(FeedError):
            ingest("", known, data=data)


XML_SEEDS = [
    (FEEDS / "sample.rss.xml").read_bytes(),
    (FEEDS / "sample.atom.xml").read_bytes(),
]


def check_mutated_xml(seed: bytes, at: int, junk: bytes, mode: int) -> None:
    """A cut, spliced or shortened feed gives records or one FeedError line, nothing else."""
    at = min(at, len(seed))
    data = [seed[:at], seed[:at] + junk + seed[at:], seed[:at] + seed[at + 1 :], seed][mode]
    try:
        result = ingest_bytes(data, "auto", source_name="fuzz")
    except FeedError as exc:
        assert "\n" not in str(exc)
        return
    for w in result.warnings:
        assert "\n" not in w


XML_MUTATIONS = (
    st.sampled_from(XML_SEEDS),
    st.integers(0, 4000),
    st.binary(max_size=6),
    st.integers(0, 3),
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(*XML_MUTATIONS)
def test_mutated_xml_feeds_only_raise_feed_error(seed, at, junk, mode):
    check_mutated_xml(seed, at, junk, mode)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(*XML_MUTATIONS)
def test_mutated_xml_feeds_fuzz_10k(seed, at, junk, mode):
    check_mutated_xml(seed, at, junk, mode)


# ------------------------------------------------------------------ GDELT


def test_gdelt_articles_cite_their_outlet(known):
    result = ingest("sample.gdelt.json", known, source="gdelt-syria")
    assert result.format == "gdelt" and result.rejected == []
    recs = by_id(result)
    ev = recs["gdelt-gdelt_syria-https://www.example-news.org/world/2024/12/08/damascus-morning"]
    assert ev.time == utc(2024, 12, 8, 6, 15)  # seendate 20241208T061500Z
    assert ev.title == "Crowds gather in Damascus as government leaves the capital"
    assert [s.source for s in ev.sources] == ["outlet-example_news_org", "feed-gdelt_syria"]
    assert ev.sources[0].url == ev.url
    assert recs["outlet-example_news_org"].name == "example-news.org"
    assert recs["outlet-haber_example_com_tr"].kind == "media"
    assert ev.summary == "Article by example-news.org (United Kingdom, English), seen by GDELT."
    assert sum(kind_of(r) == "event" for r in result.records) == 3


def test_gdelt_no_results_html_errors_and_bad_characters():
    ok = ingest_bytes(b"{}", "gdelt", source_name="g")
    assert ok.records == [] and ok.warnings == []
    assert ok.meta["note"] == "GDELT found no articles for this query (no `articles` key)"
    auto = ingest_bytes(
        b"{}", "auto", source_name="g", url="https://api.gdeltproject.org/api/v2/doc/doc?x=1"
    )
    assert auto.format == "gdelt" and auto.records == []
    with pytest.raises(FeedError) as info:
        ingest_bytes(b"{}", "auto", source_name="g")
    assert 'set format = "gdelt"' in str(info.value)
    with pytest.raises(FeedError) as info:
        ingest_bytes(
            b"<html><body>Timespan is too short.\n</body></html>", "gdelt", source_name="g"
        )
    assert str(info.value) == (
        "feed 'g': GDELT answered with an error instead of articles: Timespan is too short."
    )
    raw = b'{"articles": [{"url": "https://a.example/x", "title": "Bad\x01title \\q", '
    raw += b'"seendate": "20241208T061500Z", "domain": "a.example"}]}'
    fixed = ingest_bytes(raw, "gdelt", source_name="g")
    ev = next(r for r in fixed.records if kind_of(r) == "event")
    assert ev.title == "Bad title  q"
    assert fixed.warnings == [
        "GDELT sent 2 invalid character(s) (control characters, bad escapes or invalid "
        "UTF-8); replaced by spaces"
    ]


def test_gdelt_next_page_asks_for_articles_before_the_oldest():
    doc = json.loads((FEEDS / "sample.gdelt.json").read_text())
    url = "https://api.gdeltproject.org/api/v2/doc/doc?query=syria&mode=artlist&format=json&maxrecords=3"
    assert gdelt.next_page_url(doc, url) == (
        "https://api.gdeltproject.org/api/v2/doc/doc?query=syria&mode=artlist&format=json"
        "&maxrecords=3&ENDDATETIME=20241206115959"
    )
    assert gdelt.next_page_url(doc, url.replace("maxrecords=3", "maxrecords=250")) is None


def test_stated_interval_of_a_rate_limit_page():
    assert stated_interval("Please limit requests to one every 5 seconds or contact us") == 5.0
    assert stated_interval("You have exceeded the limit: one request every 5 seconds.") == 5.0
    assert stated_interval("Too many requests") is None


# ------------------------------------------------------------------ ReliefWeb


def test_reliefweb_reports_become_events_citing_the_publisher(known):
    result = ingest("sample.reliefweb.json", known, source="rw")
    assert result.format == "reliefweb" and result.rejected == []
    recs = by_id(result)
    flash = recs["rw-rw-9000101"]
    assert flash.title == "Syria: Flash Update No. 3 (synthetic)"
    assert flash.time == utc(2024, 12, 7)  # date.original
    assert flash.updated_at == utc(2024, 12, 7, 12, 40)  # date.changed is the version
    assert flash.type == "humanitarian"
    assert flash.url == (
        "https://reliefweb.int/report/syrian-arab-republic/syria-flash-update-no-3-synthetic"
    )
    assert [s.source for s in flash.sources] == ["org-ocha", "feed-rw"]
    assert flash.sources[1].note == "relayed by ReliefWeb"
    assert recs["org-ocha"].kind == "un" and recs["org-ern"].kind == "ngo"
    assert flash.summary.splitlines()[0] == (
        "Situation Report by UN Office for the Coordination of Humanitarian Affairs; "
        "Syrian Arab Republic; themes: Coordination, Protection and Human Rights"
    )
    # "12 people were killed" is prose: never a figure, never fatalities
    assert flash.fatalities is None
    assert not [r for r in result.records if kind_of(r) == "figure"]
    snapshot = recs["rw-rw-9000102"]
    assert snapshot.summary == "Map by Example Relief NGO; Syrian Arab Republic\n" + (
        "Access constraints in Aleppo and Idleb."
    )
    assert snapshot.url.endswith("syria-humanitarian-access-snapshot-synthetic")  # url_alias


def test_reliefweb_disasters_and_next_link(known):
    result = ingest("sample.reliefweb.disasters.json", known, source="rwd")
    ev = by_id(result)["rw-rwd-9000201"]
    assert ev.title == "Syria: Displacement - Dec 2024 (synthetic)"
    assert ev.time == utc(2024, 11, 27)  # date.event
    assert ev.summary.splitlines()[0] == (
        "Complex Emergency; ongoing; OT-2024-000000-SYR; Syrian Arab Republic"
    )
    assert reliefweb.next_page_url({"links": {"next": {"href": "https://x/next"}}}) == (
        "https://x/next"
    )
    assert (
        reliefweb.next_page_url(json.loads((FEEDS / "sample.reliefweb.json").read_text())) is None
    )


def test_reliefweb_is_no_longer_taken_for_acled():
    doc = json.loads((FEEDS / "sample.reliefweb.json").read_text())
    assert ingest_bytes(json.dumps(doc).encode(), source_name="x").format == "reliefweb"


# ------------------------------------------------------------------ HDX HAPI


def test_hapi_rows_become_figures_per_area_and_month(known):
    url = "https://hapi.humdata.org/api/v1/coordination-context/conflict-event?location_code=SYR&start_date=2024-11-01&app_identifier=${HAPI_APP}"
    result = ingest("sample.hapi.json", known, source="hapi", url=url)
    assert result.format == "hapi" and result.rejected == [] and result.warnings == []
    recs = by_id(result)
    aleppo = recs["hapi-hapi-SYR-SY02-x-political_violence-2024-11-01-fatalities"]
    assert (aleppo.metric, aleppo.value, aleppo.unit) == (
        "political_violence_fatalities_aleppo",
        143.0,
        "people",
    )
    assert aleppo.scope == "Aleppo"
    assert aleppo.period_start.date().isoformat() == "2024-11-01"
    assert aleppo.as_of.date().isoformat() == "2024-11-30"
    assert aleppo.sources[0].source == "feed-hapi"
    assert aleppo.sources[0].note == (
        "ACLED data relayed by HDX HAPI (resource 00000000-0000-4000-8000-000000000001)"
    )
    assert recs["feed-hapi"].name == "ACLED via HDX HAPI (hapi)"
    # Homs: fatalities null -> no fatalities figure (never 0), and the events figure says so
    homs = recs["hapi-hapi-SYR-SY04-x-civilian_targeting-2024-11-01-events"]
    assert homs.value == 6.0
    assert homs.note == "ACLED civilian targeting events, November 2024; fatalities: not reported"
    assert "hapi-hapi-SYR-SY04-x-civilian_targeting-2024-11-01-fatalities" not in recs
    # a real 0 stays 0
    assert recs["hapi-hapi-SYR-SY07-x-demonstration-2024-11-01-fatalities"].value == 0.0
    assert recs["hapi-hapi-SYR-SY07-x-demonstration-2024-11-01-events"].scope == "Idleb"
    hama = recs["hapi-hapi-SYR-SY05-SY0500-political_violence-2024-12-01-events"]
    assert (hama.scope, hama.metric) == ("Hama, Hama", "political_violence_events_hama_hama")
    assert sum(kind_of(r) == "figure" for r in result.records) == 7


def test_hapi_area_is_linked_by_code_or_name_and_unknown_areas_say_so(known):
    places, factions = known
    row = {
        "location_code": "SYR",
        "location_name": "Syrian Arab Republic",
        "admin1_code": "SY09",
        "admin1_name": "Deir ez Zor",  # punctuation differs from the store's Deir-ez-Zor
        "admin_level": 1,
        "event_type": "political_violence",
        "events": 3,
        "fatalities": 1,
        "reference_period_start": "2024-12-01",
        "reference_period_end": "2024-12-31",
    }
    ctx = AdaptContext(source_name="h", places=places, factions=factions)
    fig = hapi.adapt({"data": [row]}, ctx).records[1]
    assert fig.scope == "Deir-ez-Zor" and fig.metric == "political_violence_events_deir_ez_zor"
    row2 = dict(row, admin1_name="Atlantis", admin1_code="XX01")
    fig2 = hapi.adapt({"data": [row2]}, ctx).records[1]
    assert fig2.note.endswith("Atlantis is not one of the situation's subdivisions")
    both_null = dict(row, events=None, fatalities=None)
    rej = hapi.adapt({"data": [both_null]}, ctx).rejected
    assert [str(r) for r in rej] == [
        "figure 'data[0]': field `events`: neither events nor fatalities reported"
    ]


def test_hapi_url_without_start_date_warns_about_truncation(known):
    url = "https://hapi.humdata.org/api/v1/coordination-context/conflict-event?location_code=SYR&app_identifier=x"
    result = ingest("sample.hapi.json", known, url=url)
    assert result.warnings == [
        "the request has no start_date: HDX HAPI returns at most 10,000 rows and silently "
        "drops the rest; add start_date (and end_date) to the url"
    ]


# ------------------------------------------------------------------ GeoJSON


def test_geojson_event_points(known):
    result = ingest("sample.events.geojson", known, source="desk")
    assert result.format == "geojson" and result.rejected == []
    events = {r.title: r for r in result.records if kind_of(r) == "event"}
    clash = events["Clashes reported at the northern entrance of Homs"]
    assert clash.id == "geo-example_desk_event_points_synthetic-evt-001"  # the document's name
    assert clash.time == utc(2024, 12, 7, 18, 0)
    assert (clash.type, clash.places, clash.fatalities.best) == ("battle", ("homs",), 4)
    assert events["Checkpoint removed on the desert road"].places == ()  # nothing within 15 km
    assert events["Market reopens"].places == ("aleppo",)  # properties.place
    assert not [r for r in result.records if kind_of(r) == "place"]


def test_polygons_are_rejected_with_a_reason(known):
    ring = [[36.0, 34.0], [37.0, 34.0], [37.0, 35.0], [36.0, 34.0]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"name": "Homs pocket", "faction": "sdf", "date": "2024-12-07"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                "properties": {"name": "Somewhere"},
            },
        ],
    }
    places, factions = known
    result = geojson.adapt(doc, AdaptContext(source_name="g", places=places, factions=factions))
    assert result.records[1:] == []
    assert [str(r) for r in result.rejected] == [
        "place 'Homs pocket': field `geometry.type`: Polygon areas of control are not read: "
        "sitmon records control per place; give a Point feature per place with faction and "
        "valid_from",
        "place 'Somewhere': field `geometry.type`: MultiPolygon features are not read: give "
        "Point features (places, or events with title and date)",
    ]


# ------------------------------------------------------------------ URLs and secrets


def test_mask_url_hides_credentials_and_keeps_the_rest():
    assert mask_url(
        "https://api.reliefweb.int/v2/reports?appname=desk-7f3a&query%5Bvalue%5D=syria"
    ) == ("https://api.reliefweb.int/v2/reports?appname=***&query%5Bvalue%5D=syria")
    assert mask_url("https://me:pw@hapi.humdata.org/x?app_identifier=${HAPI}&start_date=2024") == (
        "https://***@hapi.humdata.org/x?app_identifier=***&start_date=2024"
    )
    assert mask_url("https://x.org/a?q=zz-secret-zz", ["zz-secret-zz"]) == "https://x.org/a?q=***"
    assert mask_url("https://x.org/zz-secret-zz/feed", ["zz-secret-zz"]) == "https://x.org/***/feed"
    assert mask_url("https://x.org/a?api_key=1&session_token=2&limit=5") == (
        "https://x.org/a?api_key=***&session_token=***&limit=5"
    )
    assert mask_url("/local/path.json?appname=x") == "/local/path.json?appname=x"


def test_expand_url_at_fetch_time_only():
    env = {"HAPI_APP": "ZGVzazpkZXNrQGV4YW1wbGUub3Jn=", "RW": "desk-7f3a"}
    assert expand_url("https://x.org/?app_identifier=${HAPI_APP}&appname=${RW}", env) == (
        "https://x.org/?app_identifier=ZGVzazpkZXNrQGV4YW1wbGUub3Jn%3D&appname=desk-7f3a"
    )
    with pytest.raises(FetchError) as info:
        expand_url("https://x.org/?appname=${NOPE}", env, feed="rw")
    assert str(info.value) == (
        "feed 'rw': the url uses ${NOPE}, which is not set in the environment; "
        "set it, or remove it from the url"
    )


RSS_VERSIONS = {
    "rss091u": b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old wire</title>
<item><title>Homs report</title><link>https://old.example.org/1</link>
<description>Plain &amp; simple.</description></item></channel></rss>""",
    "rss10": b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example.org/"><title>RDF wire</title><link>https://rdf.example.org/</link></channel>
<item rdf:about="https://rdf.example.org/1"><title>Homs report</title><link>https://rdf.example.org/1</link>
<dc:date>2024-12-07T09:30:00Z</dc:date><description>Plain &amp; simple.</description></item>
</rdf:RDF>""",
    "atom03": b"""<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>Atom 0.3 wire</title><modified>2024-12-07T09:30:00Z</modified>
<entry><title>Homs report</title><link rel="alternate" type="text/html" href="https://a03.example.org/1"/>
<id>tag:a03.example.org,2024:1</id><issued>2024-12-07T09:30:00Z</issued><modified>2024-12-07T09:30:00Z</modified>
<summary>Plain &amp; simple.</summary></entry></feed>""",
}


@pytest.mark.parametrize("version", sorted(RSS_VERSIONS))
def test_older_rss_and_atom_versions(version, known):
    result = ingest("", known, data=RSS_VERSIONS[version])
    assert result.format == "rss" and result.meta["version"] == version
    events = [r for r in result.records if kind_of(r) == "event"]
    if version == "rss091u":  # RSS 0.91 items carry no date: rejected with the reason
        assert events == [] and "missing (an event needs a time" in str(result.rejected[0])
        return
    (ev,) = events
    assert (ev.title, ev.summary, ev.time) == (
        "Homs report",
        "Plain & simple.",
        utc(2024, 12, 7, 9, 30),
    )


def test_relays_are_aggregators_and_publishers_keep_their_role(known):
    gd = by_id(ingest("sample.gdelt.json", known, source="g"))
    assert (gd["feed-g"].role, gd["outlet-example_news_org"].role) == ("aggregator", "news_outlet")
    rw = by_id(ingest("sample.reliefweb.json", known, source="rw"))
    assert (rw["feed-rw"].role, rw["org-ocha"].role) == ("aggregator", "primary_publisher")
    assert by_id(ingest("sample.hapi.json", known, source="h"))["feed-h"].role == "aggregator"
