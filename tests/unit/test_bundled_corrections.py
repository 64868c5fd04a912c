"""The fact-check of the bundled dataset (issue 17): each corrected value with its source.

Each test states the right value and where it comes from; the wrong value it
replaces is named in the test's docstring. Evidence: the seed article
(``../shared/seed``), the reference compilation (``../shared/data/reference``) and,
where neither has the fact, the fact-check itself (the source is then the primary
publisher, cited without an invented URL).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitmon.store.adapters.sitmon import adapt
from sitmon.store.merge import latest_control
from sitmon.store.records import ControlChange, Event, Figure, Source

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "store" / "data" / "bundled.json"


@pytest.fixture(scope="module")
def by_kind():
    result = adapt(json.loads(BUNDLED.read_text(encoding="utf-8")))
    assert result.rejected == []
    out: dict[type, dict] = {}
    for r in result.records:
        out.setdefault(type(r), {})[r.id] = r
    return out


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def refs(rec) -> list[tuple[str, str, str]]:
    return [(s.source, s.url, s.note) for s in rec.sources]


def control_at(by_kind, place: str, moment: str) -> tuple[str, str] | None:
    c = latest_control(
        c
        for c in by_kind[ControlChange].values()
        if c.place == place and c.valid_from <= at(moment)
    )
    return None if c is None else (c.faction, c.status)


# --------------------------------------------------------------------------- 1. WFP 280,000


def test_wfp_280000_is_not_in_the_bundled_state_of_5_december(by_kind):
    """Was fig-wfp-displaced-280000 dated 5 Dec, the 5 Dec report's headline. WFP gave
    '280,000 since 27 November' at the Geneva briefing on Friday 6 Dec: it belongs to
    the follow-up feed (test_followup_corrections)."""
    displaced = sorted(
        (f.as_of.date().isoformat(), f.value, f.id)
        for f in by_kind[Figure].values()
        if f.metric == "displaced"
    )
    assert displaced == [
        ("2024-11-30", 48500, "fig-ocha-displaced-48500"),
        ("2024-12-04", 115000, "fig-un-drhc-displaced-115000"),
        ("2024-12-05", 115000, "fig-article-displaced-115000"),
        ("2024-12-05", 178000, "fig-ocha-displaced-178000"),
    ]
    assert "wfp" not in by_kind[Source]


# --------------------------------------------------------------------------- 2. SOHR tolls


def test_sohr_tolls_are_dated_by_publication(by_kind):
    """Was 602 / 104 on 2 Dec (the earliest day of the compilation's '~2024-12-02'):
    SOHR published them on 3 Dec. 514 ('~2024-12-01/02') takes the range's latest day.
    SOHR's 704 including 110 civilians of 4 Dec was missing."""
    sohr = {
        f.id: (f.as_of.date().isoformat(), f.value, f.qualifier)
        for f in by_kind[Figure].values()
        if f.sources[0].source == "sohr"
    }
    assert sohr == {
        "fig-sohr-deaths-130": ("2024-11-28", 130, "more than"),
        "fig-sohr-deaths-202": ("2024-11-28", 202, "exact"),
        "fig-sohr-civilian-deaths-20": ("2024-11-28", 20, "exact"),
        "fig-sohr-deaths-417": ("2024-12-01", 417, "at least"),
        "fig-sohr-civilian-deaths-44": ("2024-12-01", 44, "exact"),
        "fig-sohr-deaths-514": ("2024-12-02", 514, "exact"),
        "fig-sohr-civilian-deaths-92": ("2024-12-02", 92, "exact"),
        "fig-sohr-deaths-602": ("2024-12-03", 602, "exact"),
        "fig-sohr-civilian-deaths-104": ("2024-12-03", 104, "exact"),
        "fig-sohr-deaths-704": ("2024-12-04", 704, "exact"),
        "fig-sohr-civilian-deaths-110": ("2024-12-04", 110, "exact"),
        "fig-sohr-deaths-727": ("2024-12-05", 727, "exact"),
    }
    f602 = by_kind[Figure]["fig-sohr-deaths-602"]
    assert "published by SOHR on 3 Dec 2024" in f602.note
    assert refs(by_kind[Figure]["fig-sohr-deaths-704"]) == [
        ("sohr", "", "toll published on 4 Dec 2024")
    ]


# --------------------------------------------------------------------------- 3. Blinken


def test_blinken_warning_on_4_december_at_nato(by_kind):
    """Was dated 5 Dec (the article's moment): Blinken warned on 4 Dec at the NATO
    foreign ministers' meeting in Brussels."""
    [ev] = [e for e in by_kind[Event].values() if "Blinken" in e.title]
    assert ev.id == "ev-2024-12-04-blinken-warns-islamic-state"
    assert ev.time == at("2024-12-04T00:00:00+03:00") and ev.precision == "day"
    assert not ev.context
    assert "on 4 Dec 2024, at the NATO foreign ministers' meeting in Brussels" in ev.summary
    assert refs(ev) == [
        ("article", "", ""),
        ("us_state_dept", "", "as reported in the seed article"),
        ("us_state_dept", "", "NATO foreign ministers' meeting, Brussels, 4 Dec 2024"),
    ]


# --------------------------------------------------------------------------- 4. 115,000


def test_115000_displaced_is_the_articles_claim_and_the_un_coordinators_observation(by_kind):
    """The article gives 'over 115,000' unattributed: it stays the article's claim. The
    figure came from the UN Deputy Regional Humanitarian Coordinator on 4 Dec, for
    Idlib and northern Aleppo: a separate observation citing that publisher."""
    article = by_kind[Figure]["fig-article-displaced-115000"]
    assert refs(article) == [("article", "", "")]
    assert (article.qualifier, article.as_of) == ("more than", at("2024-12-05T00:00:00+03:00"))
    un = by_kind[Figure]["fig-un-drhc-displaced-115000"]
    assert (un.value, un.qualifier, un.scope) == (115000, "more than", "Idlib and northern Aleppo")
    assert un.as_of == at("2024-12-04T00:00:00+03:00")
    assert refs(un) == [("un_drhc", "", "statement of 4 Dec 2024")]
    src = by_kind[Source]["un_drhc"]
    assert src.name == "UN Deputy Regional Humanitarian Coordinator for the Syria Crisis"
    assert (src.kind, src.role) == ("un", "primary_publisher")


# --------------------------------------------------------------------------- 5. wording


def test_more_than_727_is_the_articles_wording_and_727_is_sohrs(by_kind):
    """Was one figure 'more than 727' credited to SOHR: SOHR said 727."""
    article = by_kind[Figure]["fig-article-deaths-727"]
    assert (article.value, article.qualifier) == (727, "more than")
    assert refs(article) == [
        ("article", "", ""),
        ("sohr", "", "as reported in the seed article"),
    ]
    sohr = by_kind[Figure]["fig-sohr-deaths-727"]
    assert (sohr.value, sohr.qualifier) == (727, "exact")
    assert refs(sohr) == [("sohr", "", "toll of 5 Dec 2024")]
    civ = by_kind[Figure]["fig-article-civilian-deaths-111"]
    assert (civ.value, civ.qualifier) == (111, "exact")


def test_bounty_is_up_to_10_million_from_rewards_for_justice(by_kind):
    """Was '$10,000,000 exact': the Rewards for Justice offer is 'up to $10 million'."""
    fig = by_kind[Figure]["fig-article-bounty-joulani"]
    assert (fig.value, fig.qualifier, fig.unit) == (10_000_000, "up to", "USD")
    assert refs(fig) == [
        ("article", "", ""),
        ("rewards_for_justice", "", "reward of up to $10 million"),
    ]
    src = by_kind[Source]["rewards_for_justice"]
    assert (src.name, src.url, src.role) == (
        "Rewards for Justice (US Department of State)",
        "https://rewardsforjustice.net/",
        "primary_publisher",
    )


# --------------------------------------------------------------------------- 6. times


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-11-28T23:59:59+03:00", ("government", "held")),
        ("2024-11-29T00:00:00+03:00", ("hts_led", "contested")),
        ("2024-11-29T23:59:59+03:00", ("hts_led", "contested")),
        ("2024-11-30T00:00:00+03:00", ("hts_led", "held")),
    ],
)
def test_aleppo_contested_on_the_29th_held_on_the_30th(by_kind, moment, expected):
    """Was 'held' from 00:00 on 29 Nov: fighters entered that evening."""
    assert control_at(by_kind, "aleppo", moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-12-05T00:00:00+03:00", ("hts_led", "contested")),
        ("2024-12-05T12:59:59+03:00", ("hts_led", "contested")),
        ("2024-12-05T13:00:00+03:00", ("hts_led", "held")),
    ],
)
def test_hama_held_from_the_early_afternoon_of_5_december(by_kind, moment, expected):
    """Was 'held' from 00:00 on 5 Dec: the army withdrew in the early afternoon."""
    assert control_at(by_kind, "hama", moment) == expected
    c = by_kind[ControlChange]["cc-hama-2024-12-05-hts_led"]
    assert (c.valid_from, c.precision) == (at("2024-12-05T13:00:00+03:00"), "exact")
    assert "early afternoon of 5 Dec (time approximate)" in c.note


# --------------------------------------------------------------------------- 7. baselines


def test_baselines_start_on_real_dates_or_say_the_date_is_not_given(by_kind):
    """Were 1 Jan 2016 (Manbij, Tal Rifaat), 1 Jan 2018 (Daraa), 1 Feb 2020 (Saraqib),
    1 Jan 2020 (Maarat al-Numan) and an unmarked 1 Nov 2024 for every other baseline."""
    first = {}
    for c in sorted(by_kind[ControlChange].values(), key=lambda c: c.valid_from):
        first.setdefault(c.place, (c.valid_from.date().isoformat(), c.precision, c.faction))
    dated = {p: v for p, v in first.items() if v[1] != "undated"}
    assert dated == {
        "manbij": ("2016-08-12", "day", "sdf"),
        "tal_rifaat": ("2016-02-15", "month", "sdf"),
        "daraa": ("2018-07-01", "month", "government"),
        "saraqib": ("2020-03-02", "day", "government"),
        "maarat_al_numan": ("2020-01-28", "day", "government"),
    }
    assert len(first) == 23
    for place, (_day, _precision, _faction) in first.items():
        if place not in dated:
            c = next(c for c in by_kind[ControlChange].values() if c.place == place)
            assert c.note.startswith("held before the period, date not given"), place
    saraqib = by_kind[ControlChange]["cc-saraqib-2020-03-02-government"]
    assert "8 Feb" in saraqib.note and "27 Feb" in saraqib.note and "2 Mar" in saraqib.note


# --------------------------------------------------------------------------- 8. sources


@pytest.mark.parametrize(
    ("cc_id", "was"),
    [
        ("cc-raqqa-2024-11-01-sdf", "shafaq"),
        ("cc-kobani-2024-11-01-sdf", "ocha"),
        ("cc-latakia-2024-11-01-government", "webjosh"),
        ("cc-tartus-2024-11-01-government", "webjosh"),
        ("cc-azaz-2024-11-01-sna", None),
    ],
)
def test_baselines_cite_what_supports_them(by_kind, cc_id, was):
    """Raqqa cited an article about Manbij, Kobani an OCHA update saying nothing about
    control, Latakia and Tartus a content farm, Azaz nothing."""
    c = by_kind[ControlChange][cc_id]
    assert [s.source for s in c.sources] == ["sitmon_reference"]
    assert was is None or was in c.sources[0].note or "not cited" in c.sources[0].note
    assert "not cited" in c.sources[0].note or "cites no source" in c.sources[0].note


def test_no_copies_cited_in_place_of_their_publisher(by_kind):
    """A bare IP address copying Wikipedia, and ISW through a mirror site, were cited."""
    urls = {s.url for kind in by_kind.values() for r in kind.values() for s in r.sources}
    hosts = {urlsplit(u).hostname for u in urls if u}
    assert "5.180.24.3" not in hosts and "momsy.co.kr" not in hosts
    assert "https://en.wikipedia.org/wiki/Operation_Dawn_of_Freedom" in urls
    hama = by_kind[ControlChange]["cc-hama-2024-12-03-hts_led-contested"]
    assert hama.sources[0].source == "ctp_isw"
    assert hama.sources[0].note.startswith("Iran Update, 3 December 2024")
    assert by_kind[Source]["ctp_isw"].role == "primary_publisher"


def test_sohr_tolls_cite_sohr_first_and_the_aggregator_as_a_copy(by_kind):
    """SOHR's tolls were cited as the aggregator's page under SOHR's name."""
    assert refs(by_kind[Figure]["fig-sohr-deaths-602"])[:1] == [
        ("sohr", "", "figure published by SOHR; relayed by AFP Arabic")
    ]
    assert refs(by_kind[Figure]["fig-sohr-deaths-602"])[1][0::2] == (
        "tunisie24news",
        "copy of the AFP Arabic report",
    )
    assert by_kind[Source]["tunisie24news"].role == "aggregator"


def test_every_source_has_a_role(by_kind):
    roles = {s.id: s.role for s in by_kind[Source].values()}
    assert set(roles.values()) == {
        "primary_publisher",
        "news_outlet",
        "aggregator",
        "reference_work",
    }
    assert roles["sohr"] == "primary_publisher"
    assert roles["article"] == "news_outlet"
    assert roles["devdiscourse"] == "aggregator"
    assert roles["sitmon_reference"] == "reference_work"


def test_pages_published_after_5_december_say_so(by_kind):
    ev = by_kind[Event]["ev-2024-11-29-aleppo-captured"]
    cna = [s for s in ev.sources if s.source == "channelnewsasia"]
    assert [s.note for s in cna] == ["retrospective: published after the fall of Damascus (8 Dec)"]


# --------------------------------------------------------------------------- 9. context


def test_5_december_context_items_are_marked_as_context(by_kind):
    """Eight of ten 5 Dec rows were ongoing states or opinions shown as that day's events."""
    day5 = {
        e.id: e.context
        for e in by_kind[Event].values()
        if e.time.date().isoformat() == "2024-12-05"
    }
    assert day5 == {
        "ev-2024-12-05-hama-captured": False,
        "ev-2024-12-05-army-withdraws-from-hama": False,
        "ev-2024-12-05-sohr-hama-street-fighting": False,
        "ev-2024-12-05-joulani-cnn-interview": True,
        "ev-2024-12-05-humanitarian-crisis": True,
        "ev-2024-12-05-hrw-rights-alarm": True,
        "ev-2024-12-05-russia-iran-discussions": True,
        "ev-2024-12-05-turkey-supports-rebels": True,
        "ev-2024-12-05-analysts-expect-resistance": True,
    }
    assert [e.id for e in by_kind[Event].values() if e.context and e.time.day != 5] == []


# --------------------------------------------------------------------------- shown to the user


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    from sitmon.store import Store

    return Store.open(tmp_path_factory.mktemp("b") / "s.json")


def test_timeline_lists_context_as_context(bundled_store):
    from sitmon.store.timeutil import parse_as_of
    from sitmon.widgets.timeline_render import render_timeline_row

    snap = bundled_store.snapshot(as_of=parse_as_of("2024-12-05"))
    events = {e.id: e for e in snap.events}
    row = render_timeline_row(
        events["ev-2024-12-05-turkey-supports-rebels"], snap, 100, colour=False
    )
    assert row.text == (
        "   2024-12-05       Y ·              context: Turkey continues to support the rebel factions"
    )
    row = render_timeline_row(events["ev-2024-12-05-hama-captured"], snap, 100, colour=False)
    assert row.text == "   2024-12-05       H Hama           Hama falls to the HTS-led coalition"


def test_detail_view_shows_each_sources_role(bundled_store):
    from sitmon.store.timeutil import parse_as_of
    from sitmon.widgets.detail_render import render_detail

    snap = bundled_store.snapshot(as_of=parse_as_of("2024-12-05"))
    lines = [
        ln.text
        for ln in render_detail(
            snap, "event", "ev-2024-12-05-humanitarian-crisis", 100, colour=False
        )
    ]
    assert "Context: background reported that day, not an event of that day." in lines
    assert (
        '  • Seed article: "Rebel Offensive in Syria: Hama Falls to Insurgents" (news outlet)'
        in lines
    )
    assert "  • Syrian Observatory for Human Rights (SOHR) (primary publisher)" in lines


def test_text_export_keeps_as_reported_in_the_seed_article(bundled_store):
    """The text exports dropped the note, so CNN and SOHR read as consulted directly."""
    from sitmon.store.timeutil import parse_as_of
    from sitmon.widgets.export import export_view

    text = export_view(
        bundled_store, view="quotes", fmt="text", as_of=parse_as_of("2024-12-05"), width=100
    )
    sources = text.split("\nSources\n")[1].splitlines()
    assert [ln for ln in sources if "CNN" in ln] == ["[2] CNN, as reported in the seed article"]
