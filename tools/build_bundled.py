#!/usr/bin/env python3
"""Build ``store/data/bundled.json``: the dataset sitmon opens on with no configuration.

The dataset reproduces the seed article "Rebel Offensive in Syria: Hama Falls to
Insurgents" (its moment: 5 Dec 2024, Hama just fallen) and adds the dated facts of
the shared reference files up to and including that day:

- the seed article's facts are encoded below (``ARTICLE_*``), each citing the
  article and, where the article attributes them, the attributed party too;
- ``cities-control-2024-12-05.json`` gives the places and their control history;
- ``chronology-2024-11-27-to-2024-12-08.json`` gives the dated events;
- ``figures-with-provenance.json`` gives the casualty and displacement figures.

Nothing dated after 2024-12-05 goes in. The output is deterministic: no network,
no current time, sorted keys, stable ordering. Usage::

    python tools/build_bundled.py [--shared ../shared] [--out store/data/bundled.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(os.environ.get("SITMON_SHARED") or REPO.parent / "shared")
DEFAULT_OUT = REPO / "store" / "data" / "bundled.json"

CITIES_FILE = "cities-control-2024-12-05.json"
CHRONOLOGY_FILE = "chronology-2024-11-27-to-2024-12-08.json"
FIGURES_FILE = "figures-with-provenance.json"

#: The article's moment: the last day the dataset covers (situation time, UTC+03:00).
MOMENT = "2024-12-05"
#: ``updated_at`` of every record and ``generated_at`` of the feed: fixed, never "now".
UPDATED_AT = "2024-12-05T23:00:00+03:00"
#: Control "held before the offensive" (reference ``from: null``): the sources give no
#: start date, so the record is ``precision: undated`` and this day only orders it.
BASELINE_DAY = "2024-11-01"
BASELINE_NOTE = "held before the period, date not given"
AS_REPORTED = "as reported in the seed article"

FEED_TITLE = "sitmon bundled dataset: Hama falls to insurgents (to 5 Dec 2024)"
SITUATION = {"title": "Rebel offensive in Syria: Aleppo and Hama", "start": "2024-11-27"}

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------- helpers


def day(d: str) -> str:
    """Midnight at the start of day ``d`` (YYYY-MM-DD) in situation time."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
        raise ValueError(f"not a date: {d!r}")
    return f"{d}T00:00:00+03:00"


def day_end(d: str) -> str:
    """The last second of day ``d`` in situation time."""
    day(d)
    return f"{d}T23:59:59+03:00"


def ref(source: str, url: str = "", note: str = "") -> dict[str, str]:
    out = {"source": source}
    if url:
        out["url"] = url
    if note:
        out["note"] = note
    return out


ARTICLE = ref("article")


def reported(source: str, note: str = AS_REPORTED) -> dict[str, str]:
    """A fact the seed article attributes to ``source``."""
    return ref(source, note=note)


def host_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def slug(name: str, sep: str = "_") -> str:
    s = name.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", sep, s).strip(sep)


# --------------------------------------------------------------------------- sources

#: id -> (name, kind, home page). Only the sources some record cites are written out.
SOURCES: dict[str, tuple[str, str, str]] = {
    # the article and the parties it attributes facts to
    "article": (
        'Seed article: "Rebel Offensive in Syria: Hama Falls to Insurgents"',
        "article",
        "",
    ),
    "sohr": (
        "Syrian Observatory for Human Rights (SOHR)",
        "monitor",
        "https://www.syriahr.com/en/",
    ),
    "cnn": ("CNN", "media", "https://www.cnn.com/"),
    "hrw": ("Human Rights Watch", "ngo", "https://www.hrw.org/"),
    "syrian_army": ("Syrian Arab Army General Command", "government", ""),
    "us_state_dept": (
        "US Department of State (Secretary of State Antony Blinken)",
        "government",
        "https://www.state.gov/",
    ),
    # publishers of the reference figures
    "snhr": ("Syrian Network for Human Rights (SNHR)", "monitor", "https://snhr.org/"),
    "ocha": (
        "UN Office for the Coordination of Humanitarian Affairs (OCHA)",
        "un",
        "https://www.unocha.org/",
    ),
    "wfp": ("World Food Programme (WFP)", "un", "https://www.wfp.org/"),
    "unhcr": ("UN Refugee Agency (UNHCR)", "un", "https://www.unhcr.org/"),
    # outlets of the reference URLs
    "channelnewsasia": ("CNA (channelnewsasia.com)", "media", "https://www.channelnewsasia.com/"),
    "bluewin": ("bluewin.ch", "media", "https://www.bluewin.ch/"),
    "newslooks": ("Newslooks", "media", "https://newslooks.com/"),
    "yahoo_news": ("Yahoo News (ca.news.yahoo.com)", "media", "https://ca.news.yahoo.com/"),
    "ctp_isw": (
        "Critical Threats Project (AEI) and Institute for the Study of War (ISW), Iran Update",
        "research",
        "https://www.criticalthreats.org/",
    ),
    "devdiscourse": ("Devdiscourse", "media", "https://www.devdiscourse.com/"),
    "shafaq": ("Shafaq News", "media", "https://www.shafaq.com/en"),
    "lbcgroup": ("LBCI (lbcgroup.tv)", "media", "https://www.lbcgroup.tv/"),
    "trend_az": ("Trend News Agency (trend.az)", "media", "https://en.trend.az/"),
    "dailysabah": ("Daily Sabah", "media", "https://www.dailysabah.com/"),
    "enab_baladi": ("Enab Baladi", "media", "https://english.enabbaladi.net/"),
    "bianet": ("bianet", "media", "https://bianet.org/"),
    "wikipedia": ("Wikipedia", "other", "https://en.wikipedia.org/"),
    "dw": ("Deutsche Welle (dw.com)", "media", "https://www.dw.com/"),
    "fbcnews": ("FBC News (fbcnews.com.fj)", "media", "https://www.fbcnews.com.fj/"),
    "webjosh": ("webjosh.com", "media", "https://webjosh.com/"),
    "kurdpress": ("Kurdpress", "media", "https://en.kurdpress.com/"),
    "hathalyoum": ("Hathalyoum (english.hathalyoum.net)", "media", ""),
    "anews": ("A News (anews.com.tr)", "media", "https://www.anews.com.tr/"),
    "ndtv": ("NDTV", "media", "https://www.ndtv.com/"),
    # sites that copy wire reports; cited beside the publisher whose figure they carry
    "tunisie24news": ("tunisie24news.com", "media", "https://tunisie24news.com/"),
    "lepointdiplomatique": ("lepointdiplomatique.com", "media", "https://lepointdiplomatique.com/"),
    "makeleio": ("makeleio.gr", "media", "https://makeleio.gr/"),
    "pledgetimes": ("Pledge Times (pledgetimes.com)", "media", "https://pledgetimes.com/"),
    "munsifdaily": ("Munsif Daily (munsifdaily.com)", "media", "https://munsifdaily.com/"),
    # primary publishers of facts the reference compilation lacks (no article URL known)
    "un_drhc": (
        "UN Deputy Regional Humanitarian Coordinator for the Syria Crisis",
        "un",
        "https://www.unocha.org/",
    ),
    "rewards_for_justice": (
        "Rewards for Justice (US Department of State)",
        "government",
        "https://rewardsforjustice.net/",
    ),
    # where the coordinates come from (see the reference file's coord_source)
    "coords_csc": (
        "countries-states-cities database, via VannaDii/pub-dev geography "
        "(syria_cities.dart @2aba3e3; GeoNames-style coordinates)",
        "research",
        "https://github.com/VannaDii/pub-dev/blob/2aba3e3abac9dadc4f647a31041de9d40339677c/"
        "geography/lib/src/countries/syria_cities.dart",
    ),
    "ucdp_ged": (
        "UCDP Georeferenced Event Dataset 23.1 (sample row via cran/uncertainUCDP)",
        "research",
        "https://github.com/cran/uncertainUCDP/blob/5307652184fcb979f544d8821b337575dfd86688/"
        "data/ucdpged.rda",
    ),
    # the compilation itself, for the few facts it gives without a primary URL
    "sdf": ("Syrian Democratic Forces (SDF)", "armed_group", ""),
    "sitmon_reference": (
        "sitmon reference compilation (shared/data/reference, compiled from cited public reports)",
        "research",
        "",
    ),
}

#: source id -> how it stands to what the dataset cites it for (Source.role): the
#: publisher of its own count or statement, an outlet reporting others, a site that
#: copies outlets (syndicated wire copy, content farms), or a compiled reference.
ROLES: dict[str, str] = {
    "article": "news_outlet",
    "sohr": "primary_publisher",
    "cnn": "primary_publisher",  # conducted and first published the al-Joulani interview
    "hrw": "primary_publisher",
    "syrian_army": "primary_publisher",
    "us_state_dept": "primary_publisher",
    "snhr": "primary_publisher",
    "ocha": "primary_publisher",
    "wfp": "primary_publisher",
    "unhcr": "primary_publisher",
    "un_drhc": "primary_publisher",
    "rewards_for_justice": "primary_publisher",
    "ctp_isw": "primary_publisher",
    "channelnewsasia": "news_outlet",
    "bluewin": "news_outlet",
    "shafaq": "news_outlet",
    "lbcgroup": "news_outlet",
    "trend_az": "news_outlet",
    "dailysabah": "news_outlet",
    "enab_baladi": "news_outlet",
    "bianet": "news_outlet",
    "dw": "news_outlet",
    "kurdpress": "news_outlet",
    "anews": "news_outlet",
    "ndtv": "news_outlet",
    "newslooks": "aggregator",
    "yahoo_news": "aggregator",
    "devdiscourse": "aggregator",
    "fbcnews": "aggregator",
    "webjosh": "aggregator",
    "hathalyoum": "aggregator",
    "tunisie24news": "aggregator",
    "lepointdiplomatique": "aggregator",
    "makeleio": "aggregator",
    "pledgetimes": "aggregator",
    "munsifdaily": "aggregator",
    "wikipedia": "reference_work",
    "coords_csc": "reference_work",
    "ucdp_ged": "reference_work",
    "sitmon_reference": "reference_work",
    "sdf": "primary_publisher",
}

#: reference URLs that are copies: cite the original publisher instead (one place, so
#: every record citing the copy gets the original)
URL_REPLACEMENTS: dict[str, dict[str, str]] = {
    # a bare IP address serving a copy of the Wikipedia article
    "http://5.180.24.3/info/operation-dawn-of-freedom": {
        "source": "wikipedia",
        "url": "https://en.wikipedia.org/wiki/Operation_Dawn_of_Freedom",
        "note": "'Operation Dawn of Freedom'; the reference compilation cited a copy at 5.180.24.3",
    },
    # a mirror of the CTP-ISW Iran Update of 3 Dec 2024
    "https://momsy.co.kr/military/154874?page=21": {
        "source": "ctp_isw",
        "note": "Iran Update, 3 December 2024 (the reference compilation read it via a mirror)",
    },
}

#: outlets whose cited page reports events after 5 Dec 2024 (its URL names them): cited
#: for what it says about earlier days, with this said beside the citation
PUBLISHED_AFTER_MOMENT: dict[str, str] = {
    "https://www.channelnewsasia.com/world/syria-rebels-lightning-offensive-11-days-fall-damascus-4794196": "retrospective: published after the fall of Damascus (8 Dec)",
    "https://www.bluewin.ch/en/news/international/chronicle-of-the-dramatic-events-in-syria-2478913.html": "retrospective chronicle: published after 5 Dec",
    "https://newslooks.com/assad-regime-falls-a-timeline-of-syrias-political-shift-in-2-weeks": "retrospective: published after the fall of Assad (8 Dec)",
    "https://www.shafaq.com/en/World/Syrian-opposition-group-takes-full-control-of-Manbij-Turkish-sources-report": "published 9 Dec",
    "https://www.unocha.org/publications/report/syrian-arab-republic/syrian-arab-republic-flash-update-no-9-recent-developments-syria-31-december-2024-enar": "published 31 Dec",
    # pages the reference chronology gives for 6 and 7 Dec, cited for the control before
    "https://en.kurdpress.com/news/159833/Syrian-army-withdrawal-from-Deir-ez-Zor-SDF-takes-control": "published 6 Dec",
    "https://www.lbcgroup.tv/news/middleeastnews/822085/syria-government-forces-withdraw-from-eastern-city-of-deir-ezzor/en": "published 6 Dec",
    "https://www.fbcnews.com.fj/world/syrian-rebels-claim-to-reach-key-city-of-homs-extending-rapid-offensive-against-assad/": "published 6 Dec",
    "https://dw.com/en/syria-updates-assad-forces-lose-ground-on-multiple-fronts/live-70987337": "published 6 Dec",
    "https://en.wikipedia.org/wiki/Palmyra_offensive_(2024)": "written after the offensive of 6-7 Dec",
    "https://www.shafaq.com/en/World/Syrian-opposition-forces-capture-Daraa-as-Al-Assad-s-allies-show-signs-of-strain": "published 7 Dec",
    "https://www.shafaq.com/en/World/Syrian-opposition-forces-advance-on-Damascus-after-provincial-gains": "published 7 Dec",
}

#: URL host (without www.) -> outlet source id
HOSTS: dict[str, str] = {
    "channelnewsasia.com": "channelnewsasia",
    "bluewin.ch": "bluewin",
    "newslooks.com": "newslooks",
    "ca.news.yahoo.com": "yahoo_news",
    "momsy.co.kr": "ctp_isw",
    "devdiscourse.com": "devdiscourse",
    "shafaq.com": "shafaq",
    "lbcgroup.tv": "lbcgroup",
    "en.trend.az": "trend_az",
    "dailysabah.com": "dailysabah",
    "english.enabbaladi.net": "enab_baladi",
    "bianet.org": "bianet",
    "en.wikipedia.org": "wikipedia",
    "dw.com": "dw",
    "fbcnews.com.fj": "fbcnews",
    "webjosh.com": "webjosh",
    "en.kurdpress.com": "kurdpress",
    "tunisie24news.com": "tunisie24news",
    "lepointdiplomatique.com": "lepointdiplomatique",
    "makeleio.gr": "makeleio",
    "pledgetimes.com": "pledgetimes",
    "munsifdaily.com": "munsifdaily",
    "english.hathalyoum.net": "hathalyoum",
    "anews.com.tr": "anews",
    "ndtv.com": "ndtv",
    "unocha.org": "ocha",
    "reliefweb.int": "ocha",
    "snhr.org": "snhr",
}


def url_ref(raw: str, note: str = "") -> dict[str, str]:
    """A SourceRef for a reference URL (``raw`` may carry a trailing ``(note)``)."""
    url, _, rest = raw.strip().partition(" ")
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    note = "; ".join(x for x in (rest, note) if x)
    if url in URL_REPLACEMENTS:
        rep = URL_REPLACEMENTS[url]
        return ref(rep["source"], url=rep.get("url", ""), note=rep["note"])
    if url in PUBLISHED_AFTER_MOMENT:
        note = "; ".join(x for x in (note, PUBLISHED_AFTER_MOMENT[url]) if x)
    host = host_of(url)
    if host not in HOSTS:
        raise SystemExit(f"build_bundled: no source for URL host {host!r} ({url})")
    return ref(HOSTS[host], url=url, note=note)


# --------------------------------------------------------------------------- factions

#: id -> (name, short, symbol, colour, group, cites the article?)
FACTIONS: dict[str, tuple[str, str, str, str, str, bool]] = {
    "government": (
        "Syrian government (Assad regime) and allied forces",
        "Government",
        "G",
        "#d62728",
        "government",
        True,
    ),
    "hts_led": (
        "HTS-led Military Operations Command (Hayat Tahrir al-Sham and allied factions)",
        "HTS-led MOC",
        "H",
        "#2e9e44",
        "opposition",
        True,
    ),
    "sna": (
        "Turkish-backed Syrian National Army (SNA)",
        "SNA",
        "T",
        "#3a7bd5",
        "opposition",
        False,
    ),
    "sdf": ("Syrian Democratic Forces (SDF)", "SDF", "K", "#b8860b", "Kurdish-led", False),
    "sfa": ("US-backed Syrian Free Army (al-Tanf)", "SFA", "F", "#a0522d", "opposition", False),
    "southern_opposition": (
        "Southern opposition factions (Daraa, Suwayda, Quneitra)",
        "Southern factions",
        "S",
        "#9b59b6",
        "opposition",
        False,
    ),
    "russia": ("Russia", "Russia", "R", "#c2185b", "government ally", True),
    "iran": ("Iran", "Iran", "I", "#17918f", "government ally", True),
    "turkey": ("Turkey", "Turkey", "Y", "#d35400", "opposition backer", True),
    "isis": ("Islamic State group (IS)", "Islamic State", "D", "#7a7a7a", "jihadist", True),
}

#: factions defined by the reference compilation's faction keys
REFERENCE_FACTIONS = ("government", "hts_led", "sna", "sdf", "sfa", "southern_opposition")


# --------------------------------------------------------------------------- places

#: name in the reference -> (kind, importance, note valid up to 5 Dec 2024)
PLACE_META: dict[str, tuple[str, int, str]] = {
    "Aleppo": (
        "city",
        1,
        "Kurdish-majority northern districts (Sheikh Maqsoud/Ashrafiyah) "
        "stayed with SDF-aligned forces when the HTS-led coalition took the city.",
    ),
    "Idlib": ("city", 2, "HTS stronghold before the offensive (much of the northwest Idlib area)."),
    "Hama": (
        "city",
        2,
        "Strategic city connecting to Homs and the capital, Damascus (seed article); "
        "site of the 1982 Muslim Brotherhood uprising, violently suppressed by the Assad regime.",
    ),
    "Homs": (
        "city",
        2,
        "With Damascus, one of 'the only major cities still under government control' "
        "on 5 Dec 2024 (seed article).",
    ),
    "Damascus": (
        "city",
        1,
        "The capital; with Homs, one of 'the only major cities still under government control' "
        "on 5 Dec 2024 (seed article).",
    ),
    "Latakia": ("city", 2, "Alawite coastal heartland (Russian air base nearby)."),
    "Tartus": ("city", 2, "Coastal city with a Russian naval base."),
    "Raqqa": ("city", 2, "SDF-governed (northeast Syria)."),
    "Deir ez-Zor": ("city", 2, "Government-held (west bank of the Euphrates)."),
    "Qamishli": (
        "city",
        3,
        "SDF-held city containing a government 'security square' enclave (and the airport).",
    ),
    "Hasakah": ("city", 2, "SDF-held city with a government 'security square' enclave."),
    "Manbij": ("city", 3, "Held by the SDF-affiliated Manbij Military Council since 2016."),
    "Kobani": ("town", 3, "SDF heartland town."),
    "Palmyra": ("town", 3, ""),
    "Daraa": ("city", 2, "Government-held, with ex-rebels 'reconciled' in 2018."),
    "Suwayda": ("city", 2, "Druze-majority city."),
    "Quneitra": ("city", 2, ""),
    "Al-Bab": ("city", 3, "Turkish-backed SNA zone (Operation Euphrates Shield area)."),
    "Azaz": (
        "town",
        3,
        "Turkish-backed SNA-held northern Aleppo countryside "
        "(no direct citation in the reference compilation; verify).",
    ),
    "Tal Rifaat": (
        "town",
        3,
        "SDF/YPG-held 'Shahba' pocket until the SNA offensive launched on the evening of "
        "1 Dec 2024; SNA control by about 2 Dec.",
    ),
    "Abu Kamal": ("town", 3, "Held by the government and Iran-backed militias."),
    "Saraqib": ("town", 3, "Captured about 30 Nov 2024 (M4/M5 junction cut 28 Nov)."),
    "Maarat al-Numan": ("town", 3, "Captured 30 Nov 2024."),
}

#: the places the seed article names
ARTICLE_PLACES = ("Aleppo", "Hama", "Homs", "Damascus")

#: (place id, valid_from day) -> note on that control change (facts up to 5 Dec only)
CONTROL_NOTES: dict[tuple[str, str], str] = {
    ("aleppo", "2024-11-29"): (
        "HTS-led Military Operations Command (MOC) fighters entered the city on the evening "
        "of 29 Nov (first Russian airstrikes on Aleppo since 2016)."
    ),
    ("aleppo", "2024-11-30"): (
        "HTS-led MOC held most of the city by 30 Nov (the army announced a 'redeployment'); "
        "Kurdish-majority northern districts (Sheikh Maqsoud/Ashrafiyah) stayed with "
        "SDF-aligned forces."
    ),
    ("hama", "2024-12-05"): (
        "Held from the early afternoon of 5 Dec (time approximate), when the army said it had "
        "repositioned outside the city; contested until then."
    ),
    ("tal_rifaat", "2024-12-02"): (
        "SNA offensive launched on the evening of 1 Dec; SNA control by about 2 Dec."
    ),
    ("saraqib", "2024-11-30"): "Captured about 30 Nov (M4/M5 junction cut 28 Nov).",
    ("maarat_al_numan", "2024-11-30"): "Captured 30 Nov.",
}

NO_URL = "no article URL in the reference compilation"

#: corrections to the reference control histories, keyed by (place id, reference
#: ``from``, faction): the real start (day or month, with its precision), or a split
#: into several changes (``steps``), or better sources. Evidence in each note.
CONTROL_CORRECTIONS: dict[tuple[str, str | None, str], dict[str, Any]] = {
    # the reference gives the year or month only; these are the dates control began
    ("manbij", "2016", "sdf"): {
        "day": "2016-08-12",
        "note": "the SDF took Manbij from the Islamic State group on 12 Aug 2016",
        "sources": [ref("sdf", note=f"capture of Manbij announced 12 Aug 2016; {NO_URL}")],
    },
    ("tal_rifaat", "2016", "sdf"): {
        "day": "2016-02-15",
        "precision": "month",
        "note": "the SDF/YPG took Tal Rifaat in February 2016 (about 15 Feb)",
        "sources": [ref("sdf", note=f"capture of Tal Rifaat, about 15 Feb 2016; {NO_URL}")],
    },
    ("daraa", "2018", "government"): {
        "day": "2018-07-01",
        "precision": "month",
        "note": "the government retook Daraa city in July 2018 (with 'reconciled' ex-rebels)",
    },
    ("saraqib", "2020-02", "government"): {
        "day": "2020-03-02",
        "note": (
            "Saraqib changed hands three times in 2020: taken by the government on 8 Feb, "
            "retaken by the opposition on 27 Feb, and by the government again on 2 Mar"
        ),
        "sources": [ref("syrian_army", note=f"recapture of Saraqib, 2 Mar 2020; {NO_URL}")],
    },
    ("maarat_al_numan", "2020-01", "government"): {
        "day": "2020-01-28",
        "note": "the government took Maarat al-Numan on 28 Jan 2020",
        "sources": [ref("syrian_army", note=f"capture of Maarat al-Numan, 28 Jan 2020; {NO_URL}")],
    },
    # fighters entered on the evening of the 29th; the city was held on the 30th
    ("aleppo", "2024-11-29", "hts_led"): {
        "steps": [
            {"day": "2024-11-29", "status": "contested"},
            {"day": "2024-11-30", "status": "held"},
        ],
    },
    # the army withdrew in the early afternoon of 5 Dec: contested until then
    ("hama", "2024-12-05", "hts_led"): {
        "steps": [{"day": "2024-12-05", "time": "13:00", "status": "held"}],
    },
    # the compilation cites pages that do not support these baselines: cite it instead
    ("raqqa", None, "sdf"): {
        "sources": [
            ref(
                "sitmon_reference",
                note=(
                    "SDF-governed before the period; the compilation's cited page (Shafaq "
                    "News on Manbij, 9 Dec) does not mention Raqqa and is not cited"
                ),
            )
        ],
    },
    ("kobani", None, "sdf"): {
        "sources": [
            ref(
                "sitmon_reference",
                note=(
                    "SDF heartland before the period; the compilation's cited OCHA update "
                    "(31 Dec) says nothing about control and is not cited"
                ),
            )
        ],
    },
    ("latakia", None, "government"): {
        "sources": [
            ref(
                "sitmon_reference",
                note=(
                    "government-held before and through the period; the compilation's cited "
                    "page (webjosh.com, a content farm) is not cited"
                ),
            )
        ],
    },
    ("tartus", None, "government"): {
        "sources": [
            ref(
                "sitmon_reference",
                note=(
                    "government-held before and through the period; the compilation's cited "
                    "page (webjosh.com, a content farm) is not cited"
                ),
            )
        ],
    },
    ("azaz", None, "sna"): {
        "sources": [
            ref(
                "sitmon_reference",
                note="SNA-held before the period; the compilation cites no source for Azaz",
            )
        ],
    },
}

#: (place id, valid_from day) -> extra citations from the seed article
ARTICLE_CONTROL_REFS: dict[tuple[str, str], list[dict[str, str]]] = {
    ("aleppo", "2024-11-30"): [
        ref("article", note="the insurgents captured 'key locations including Aleppo'")
    ],
    ("hama", "2024-12-05"): [
        ref("article", note="Hama 'has fallen' to the HTS-led coalition"),
        reported("syrian_army"),
    ],
    ("homs", BASELINE_DAY): [
        ref("article", note="on 5 Dec 'the only major cities still under government control'")
    ],
    ("damascus", BASELINE_DAY): [
        ref("article", note="on 5 Dec 'the only major cities still under government control'")
    ],
}

#: control changes the reference history has no entry for (each with its sources)
EXTRA_CONTROL: list[dict[str, Any]] = [
    {
        "place": "hama",
        "faction": "hts_led",
        "status": "contested",
        "day": "2024-12-03",
        "note": (
            "Opposition forces broke regime lines in the northern Hama countryside (Halfaya, "
            "Tayyibat al-Imam, Souran) and were within about 5 km of the city (CTP-ISW, 3 Dec); "
            "fighting around Hama reported from 2 Dec. The government still held the city."
        ),
        "sources": [
            url_ref(
                "https://momsy.co.kr/military/154874?page=21",
                "mirror of CTP-ISW Iran Update, 3 Dec 2024",
            ),
            url_ref(
                "https://www.bluewin.ch/en/news/international/chronicle-of-the-dramatic-events-in-syria-2478913.html",
                "fighting begins around Hama (2 Dec)",
            ),
            url_ref(
                "https://ca.news.yahoo.com/rebel-assault-unfolded-syria-idlib-082200056.html",
                "fighting begins around Hama (2 Dec)",
            ),
        ],
    },
]


# --------------------------------------------------------------------------- events

SOHR_IN_CHRONOLOGY = "attributed to SOHR in the reference chronology (see the outlet URLs)"

#: one entry per reference chronology entry up to 5 Dec, keyed by date. ``expect`` must
#: start the reference text (so a changed reference file fails loudly). Where the seed
#: article reports the same happening, the event cites the article as well (``article``).
CHRONOLOGY_EVENTS: dict[str, dict[str, Any]] = {
    "2024-11-27": {
        "expect": "HTS-led coalition",
        "id": "ev-2024-11-27-offensive-launched",
        "type": "offensive",
        "title": "HTS-led coalition launches offensive west of Aleppo",
        "article": (
            "Seed article: a coalition of rebels and jihadists led by the extremist group Hayat "
            "Tahrir al-Sham (HTS) began the offensive on 27 November and made rapid advances."
        ),
        "places": ["aleppo"],
        "factions": ["hts_led", "government"],
        "actors": ["Hayat Tahrir al-Sham (HTS)", "Military Operations Command"],
        "extra_sources": [
            ARTICLE,
            ref(
                "sohr",
                url="https://www.channelnewsasia.com/world/syria-rebels-lightning-offensive-11-days-fall-damascus-4794196",
                note="more than 130 killed in the first 24 h; via AFP (channelnewsasia.com)",
            ),
        ],
    },
    "2024-11-28": {
        "expect": "Rebels cut the M5",
        "id": "ev-2024-11-28-m5-highway-cut",
        "type": "capture",
        "title": "Rebels cut the M5 Damascus-Aleppo highway and take the M4/M5 junction",
        "places": ["saraqib"],
        "factions": ["hts_led", "government"],
        "extra_sources": [
            ref(
                "sohr",
                url="https://www.lbcgroup.tv/news/middleeastnews/820241/syria-jihadists-allies-cut-key-highway-linking-damascus-to-aleppo-moni/en",
                note="via AFP (lbcgroup.tv)",
            )
        ],
    },
    "2024-11-29": {
        "expect": "Rebels enter Aleppo city",
        "id": "ev-2024-11-29-aleppo-captured",
        "type": "capture",
        "title": "HTS-led rebels enter and capture Aleppo",
        "article": "Seed article: the insurgents captured key locations including Aleppo.",
        "extra_summary": (
            "Reference control history: the HTS-led Military Operations Command entered on "
            "29 Nov and held most of the city by 30 Nov; Kurdish-majority northern districts "
            "(Sheikh Maqsoud/Ashrafiyah) stayed with SDF-aligned forces."
        ),
        "places": ["aleppo"],
        "factions": ["hts_led", "government", "russia"],
        "extra_sources": [
            ARTICLE,
            ref(
                "sohr", note="first Russian airstrikes on Aleppo since 2016; " + SOHR_IN_CHRONOLOGY
            ),
            url_ref(
                "https://newslooks.com/assad-regime-falls-a-timeline-of-syrias-political-shift-in-2-weeks"
            ),
        ],
    },
    "2024-11-30": {
        "expect": "Most of Aleppo held",
        "id": "ev-2024-11-30-idlib-towns-taken",
        "type": "capture",
        "title": (
            "Rebels hold most of Aleppo, take Maarat al-Numan, Saraqib and Abu al-Duhur airbase; "
            "SNA launches 'Dawn of Freedom'"
        ),
        "places": ["aleppo", "maarat_al_numan", "saraqib"],
        "factions": ["hts_led", "government", "sna"],
    },
    "2024-12-01": {
        "expect": "SOHR: 'Aleppo city is out of control",
        "id": "ev-2024-12-01-sna-attacks-tal-rifaat",
        "type": "battle",
        "title": "SOHR: Aleppo out of regime control; SNA advances and attacks SDF-held Tal Rifaat",
        "places": ["aleppo", "tal_rifaat"],
        "factions": ["sna", "sdf", "government", "hts_led"],
        "extra_sources": [ref("sohr", note=SOHR_IN_CHRONOLOGY)],
    },
    "2024-12-02": {
        "expect": "Putin and Pezeshkian",
        "id": "ev-2024-12-02-russia-iran-back-assad",
        "type": "diplomatic",
        "title": "Putin and Pezeshkian pledge 'unconditional support' to Assad; fighting begins around Hama",
        "places": ["hama"],
        "factions": ["russia", "iran", "government", "hts_led"],
        "actors": ["Vladimir Putin", "Masoud Pezeshkian", "Bashar al-Assad"],
    },
    "2024-12-03": {
        "expect": "Opposition breaks regime lines",
        "id": "ev-2024-12-03-hama-lines-broken",
        "type": "battle",
        "title": "Opposition breaks regime lines north of Hama, within about 5 km of the city",
        "places": ["hama"],
        "factions": ["hts_led", "government"],
    },
    "2024-12-05": {
        "expect": "HTS-led forces capture Hama",
        "id": "ev-2024-12-05-hama-captured",
        "type": "capture",
        "title": "Hama falls to the HTS-led coalition",
        "article": (
            "Seed article: the city of Hama has fallen to a coalition of rebels and jihadists led "
            "by Hayat Tahrir al-Sham (HTS); Homs and Damascus are now the only major cities still "
            "under government control."
        ),
        "places": ["hama"],
        "factions": ["hts_led", "government"],
        "actors": ["Hayat Tahrir al-Sham (HTS)", "Abu Mohammed al-Joulani"],
        "extra_sources": [
            ARTICLE,
            # cited for the same capture in the reference control history of Hama
            url_ref(
                "https://www.devdiscourse.com/article/politics/3183127-insurgents-seize-strategic-city-in-syria-hama-falls-under-control"
            ),
        ],
        "url_notes": {
            "reliefweb.int": "OCHA Whole of Syria Flash Update No. 2, published the same day",
        },
    },
}

#: events only the seed article reports (each cites the article and any attributed party)
ARTICLE_EVENTS: list[dict[str, Any]] = [
    {
        "id": "ev-1982-02-hama-uprising",
        "time": "1982-02-02",
        "precision": "month",
        "type": "other",
        "title": "1982 Muslim Brotherhood uprising in Hama, violently suppressed by the Assad regime",
        "summary": (
            "Seed article: Hama is historically significant for its role in the 1982 Muslim "
            "Brotherhood uprising, which was violently suppressed by the Assad regime. "
            "(The article gives the year only; February 1982 is the dataset's choice of month.)"
        ),
        "places": ["hama"],
        "factions": ["government"],
        "actors": ["Muslim Brotherhood", "Assad regime"],
        "sources": [ARTICLE],
    },
    {
        "id": "ev-2024-12-05-army-withdraws-from-hama",
        "time": MOMENT,
        "type": "withdrawal",
        "title": "Syrian army acknowledges losing control of Hama, redeploys outside the city",
        "summary": (
            "Seed article: the Syrian army has acknowledged losing control of Hama and has "
            "reportedly redeployed outside the city, facing fierce resistance as it attempts to "
            "halt the insurgents' advance. Reference chronology: the army says it repositioned "
            "outside the city."
        ),
        "places": ["hama"],
        "factions": ["government"],
        "actors": ["Syrian army"],
        "sources": [
            ARTICLE,
            reported("syrian_army"),
            url_ref(
                "https://www.devdiscourse.com/article/law-order/3183048-rebel-seizure-of-hama-a-turning-point-in-syrian-conflict"
            ),
            url_ref(
                "https://www.devdiscourse.com/article/politics/3183127-insurgents-seize-strategic-city-in-syria-hama-falls-under-control"
            ),
            url_ref(
                "https://www.bluewin.ch/en/news/international/chronicle-of-the-dramatic-events-in-syria-2478913.html"
            ),
        ],
    },
    {
        "id": "ev-2024-12-05-sohr-hama-street-fighting",
        "time": MOMENT,
        "undated": True,
        "type": "battle",
        "title": "SOHR: fierce street fighting in Hama; hundreds of prisoners freed from the central prison",
        "summary": (
            "Seed article: the Syrian Observatory for Human Rights reported that fierce street "
            "fighting is ongoing, with rebels entering several districts of Hama and liberating "
            "hundreds of prisoners from the central prison."
        ),
        "places": ["hama"],
        "factions": ["hts_led", "government"],
        "actors": ["Syrian Observatory for Human Rights"],
        "sources": [ARTICLE, reported("sohr")],
    },
    {
        "id": "ev-2024-12-05-joulani-cnn-interview",
        "time": MOMENT,
        "context": True,
        "type": "statement",
        "title": "HTS leader al-Joulani, speaking to CNN, describes the Assad regime as 'dead'",
        "summary": (
            "Seed article: Abou Mohammed al-Joulani, the leader of HTS, spoke to CNN, projecting "
            "confidence and a modern image despite being one of the most wanted jihadists "
            "globally, with a $10 million bounty on his head. He described the Assad regime as "
            "'dead' and emphasized a message of no revenge following the capture of Hama. "
            "(The article does not date the interview; dated here to the article's moment.)"
        ),
        "places": ["hama"],
        "factions": ["hts_led"],
        "actors": ["Abu Mohammed al-Joulani", "CNN"],
        "sources": [ARTICLE, reported("cnn")],
    },
    {
        "id": "ev-2024-12-05-humanitarian-crisis",
        "time": MOMENT,
        "context": True,
        "undated": True,
        "type": "humanitarian",
        "title": "Humanitarian crisis: over 115,000 displaced in a week of fighting",
        "summary": (
            "Seed article: the recent escalation in violence has resulted in a humanitarian "
            "crisis, with over 115,000 people displaced in just a week of fighting; the UK-based "
            "SOHR has reported more than 727 deaths, including 111 civilians."
        ),
        "factions": [],
        "sources": [
            ARTICLE,
            reported(
                "sohr",
                "as reported in the seed article: the death toll only ('more than 727', including"
                " 111 civilians); the article does not attribute the displacement figure, which"
                " the UN Deputy Regional Humanitarian Coordinator gave on 4 Dec",
            ),
        ],
    },
    {
        "id": "ev-2024-12-05-hrw-rights-alarm",
        "time": MOMENT,
        "context": True,
        "undated": True,
        "type": "statement",
        "title": "Human Rights Watch raises alarm over potential human rights violations",
        "summary": (
            "Seed article: the toll has raised alarms from organizations like Human Rights Watch "
            "regarding potential human rights violations amid the chaos."
        ),
        "actors": ["Human Rights Watch"],
        "sources": [ARTICLE, reported("hrw")],
    },
    {
        "id": "ev-2024-12-04-blinken-warns-islamic-state",
        "time": "2024-12-04",
        "type": "statement",
        "title": "Blinken warns of a potential resurgence of the Islamic State group",
        "summary": (
            "Seed article: US Secretary of State Antony Blinken warned of a potential resurgence "
            "of the Islamic State group in the region. He gave the warning on 4 Dec 2024, at "
            "the NATO foreign ministers' meeting in Brussels (the article does not date it)."
        ),
        "factions": ["isis"],
        "actors": ["Antony Blinken", "US Department of State"],
        "sources": [
            ARTICLE,
            reported("us_state_dept"),
            ref("us_state_dept", note="NATO foreign ministers' meeting, Brussels, 4 Dec 2024"),
        ],
    },
    {
        "id": "ev-2024-12-05-russia-iran-discussions",
        "time": MOMENT,
        "context": True,
        "undated": True,
        "type": "diplomatic",
        "title": "Russia and Iran reportedly in discussions to stabilize the situation",
        "summary": (
            "Seed article: Russia and Iran, key allies of the Assad regime, are reportedly in "
            "discussions to stabilize the situation."
        ),
        "factions": ["russia", "iran", "government"],
        "actors": ["Russia", "Iran"],
        "sources": [ARTICLE],
    },
    {
        "id": "ev-2024-12-05-turkey-supports-rebels",
        "time": MOMENT,
        "context": True,
        "undated": True,
        "type": "diplomatic",
        "title": "Turkey continues to support the rebel factions",
        "summary": "Seed article: Turkey continues to support the rebel factions.",
        "factions": ["turkey"],
        "actors": ["Turkey"],
        "sources": [ARTICLE],
    },
    {
        "id": "ev-2024-12-05-analysts-expect-resistance",
        "time": MOMENT,
        "context": True,
        "undated": True,
        "type": "statement",
        "title": "Analysts: rebels may meet strong resistance in central Syria",
        "summary": (
            "Seed article: analysts suggest that while the opposition forces are making "
            "significant gains, they may encounter strong resistance in central Syria, where "
            "loyalist forces are expected to be more motivated and entrenched."
        ),
        "factions": ["hts_led", "government"],
        "actors": ["analysts"],
        "sources": [ARTICLE],
    },
]

ARTICLE_EVENT_DATE_NOTE = "Dated to the article's moment (5 Dec 2024); the article gives no date."


# --------------------------------------------------------------------------- quotes

JOULANI = "Abu Mohammed al-Joulani"
JOULANI_ROLE = "leader of Hayat Tahrir al-Sham (HTS)"

QUOTES: list[dict[str, Any]] = [
    {
        "id": "q-joulani-conquest-without-revenge",
        "text": "I ask God Almighty that this be a conquest without revenge",
        "context": (
            "As his forces entered Hama (seed article; the article spells the name "
            "'Abou Mohammed al-Joulani')."
        ),
        "event": "ev-2024-12-05-hama-captured",
        "sources": [ARTICLE],
    },
    {
        "id": "q-joulani-close-the-wound",
        "text": "close the wound that opened 40 years ago",
        "context": (
            "As his forces entered Hama; the article places this beside Hama's role in the "
            "1982 Muslim Brotherhood uprising, violently suppressed by the Assad regime."
        ),
        "event": "ev-2024-12-05-hama-captured",
        "sources": [ARTICLE],
    },
    {
        "id": "q-joulani-regime-dead",
        "text": "dead",
        "outlet": "CNN",
        "context": "He described the Assad regime as 'dead', speaking to CNN (seed article).",
        "event": "ev-2024-12-05-joulani-cnn-interview",
        "sources": [ARTICLE, reported("cnn")],
    },
]


# --------------------------------------------------------------------------- figures

#: the seed article's figures
ARTICLE_FIGURES: list[dict[str, Any]] = [
    {
        "id": "fig-article-displaced-115000",
        "metric": "displaced",
        "value": 115000,
        "qualifier": "more than",
        "unit": "people",
        "scope": "in just a week of fighting",
        "note": "'over 115,000 people displaced'; the article does not attribute this figure.",
        "sources": [ARTICLE],
    },
    {
        "id": "fig-article-deaths-727",
        "metric": "deaths_total",
        "value": 727,
        "qualifier": "more than",
        "unit": "people",
        "period_start": "2024-11-27",
        "scope": "since the offensive began on 27 Nov",
        "note": (
            "'The UK-based SOHR has reported more than 727 deaths, including 111 civilians'. "
            "'More than' is the article's wording: SOHR's own count is 727 "
            "(fig-sohr-deaths-727). The period start (27 Nov) is implied by the article, "
            "not stated with the figure."
        ),
        "sources": [ARTICLE, reported("sohr")],
    },
    {
        "id": "fig-article-civilian-deaths-111",
        "metric": "civilian_deaths",
        "value": 111,
        "qualifier": "exact",
        "unit": "people",
        "period_start": "2024-11-27",
        "scope": "since the offensive began on 27 Nov",
        "note": "'including 111 civilians' among SOHR's 'more than 727 deaths' (the article's wording).",
        "sources": [ARTICLE, reported("sohr")],
    },
    {
        "id": "fig-article-bounty-joulani",
        "metric": "bounty_usd",
        "value": 10_000_000,
        "qualifier": "up to",
        "unit": "USD",
        "scope": "reward for information on Abu Mohammed al-Joulani, leader of HTS",
        "note": (
            "The article says 'a $10 million bounty on his head'; the offer is the US State "
            "Department's Rewards for Justice programme's, of up to $10 million for "
            "information on him."
        ),
        "sources": [ARTICLE, ref("rewards_for_justice", note="reward of up to $10 million")],
    },
    {
        "id": "fig-article-deaths-since-2011",
        "metric": "deaths_since_2011",
        "value": 500_000,
        "qualifier": "about",
        "unit": "people",
        "period_start": "2011-01-01",
        "scope": "the Syrian conflict since its inception in 2011",
        "note": (
            "'half a million lives since its inception in 2011'. The article gives only the "
            "year, so the period starts on 1 Jan 2011."
        ),
        "sources": [ARTICLE],
    },
]

#: publisher (before any "(via ...)") -> source id
PUBLISHERS: dict[str, str] = {
    "SOHR": "sohr",
    "SNHR": "snhr",
    "OCHA": "ocha",
    "OCHA Flash Update No. 2": "ocha",
    "OCHA Whole of Syria Flash Update No. 2": "ocha",
    "WFP": "wfp",
}

_METRIC_SLUG = {"deaths_total": "deaths", "civilian_deaths": "civilian-deaths"}


def _tidy(text: str) -> str:
    """Strip leading punctuation and the parentheses round a leading breakdown."""
    s = text.strip().lstrip(",;:").strip()
    if s.startswith("("):
        depth = 0
        for i, ch in enumerate(s):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                inner, after = s[1:i].strip(), s[i + 1 :].strip().lstrip(",;").strip()
                return f"{inner}; {after}" if after else inner
    return s


def parse_qualifier(text: str, value: float) -> tuple[str, str]:
    """A reference figure's free-text qualifier as (our qualifier, note with the rest).

    ``">"`` -> ``("more than", "")``; ``"at least (219 HTS, 137 army)"`` ->
    ``("at least", "219 HTS, 137 army")``; ``">200 (...)"`` for a value of 202 ->
    ``("exact", "reported as 'more than 200'; ...")``.
    """
    t = text.strip()
    low = t.lower()
    for prefix in ("at least", "up to", "about"):
        if low.startswith(prefix):
            return prefix, _tidy(t[len(prefix) :])
    if low.startswith("between"):
        return "between", t
    m = re.match(r"(?:>|more than|over)\s*(\d[\d,.]*)?", t, re.I)
    if m:
        rest = _tidy(t[m.end() :])
        stated = m.group(1)
        if stated is None or float(stated.replace(",", "")) == value:
            return "more than", rest
        head = f"reported as 'more than {stated}'"
        return "exact", f"{head}; {rest}" if rest else head
    return "exact", _tidy(t)


def figure_sources(publisher: str, url: str) -> list[dict[str, str]]:
    """The citations of a reference figure: its publisher first, then the copy read.

    ``"SOHR (via AFP Arabic)"`` at tunisie24news.com -> SOHR (the primary publisher, no
    URL of its own in the compilation) and tunisie24news.com (the aggregator) with the
    URL. A URL on the publisher's own site (snhr.org, reliefweb.int for OCHA) is one
    citation.
    """
    base, _, via = publisher.partition("(")
    base = base.strip()
    via = via.rstrip(")").strip().removeprefix("via ").strip()
    if base not in PUBLISHERS:
        raise SystemExit(f"build_bundled: unknown figure publisher {publisher!r}")
    sid = PUBLISHERS[base]
    host = host_of(url)
    outlet = HOSTS.get(host)
    if outlet is None:
        raise SystemExit(f"build_bundled: no source for URL host {host!r} ({url})")
    title = "" if base == SOURCES[sid][0] or base.upper() == sid.upper() else base
    if outlet == sid:
        return [ref(sid, url=url, note=title)]
    relay = f"relayed by {via}" if via else "relayed"
    primary = "; ".join(x for x in (title, f"figure published by {base}", relay) if x)
    copy = f"copy of the {via} report" if via else f"report of {base}'s figure"
    return [ref(sid, note=primary), ref(outlet, url=url, note=copy)]


#: corrections to the reference figures, keyed by (metric, value): what the compilation
#: has wrong and what is right, with the evidence (see tests/unit/test_bundled.py)
FIGURE_CORRECTIONS: dict[tuple[str, float], dict[str, str]] = {
    ("deaths_total", 602): {
        "as_of": "2024-12-03",
        "note": "published by SOHR on 3 Dec 2024 (the compilation's '~2024-12-02' is a day early)",
    },
    ("displaced", 280000): {
        "as_of": "2024-12-06",
        "note": (
            "WFP at the Geneva press briefing on Friday 6 Dec 2024: '280,000 since 27 "
            "November' (the compilation dates it 5 Dec): after the dataset's moment"
        ),
    },
}

#: figures the reference compilation lacks, each from its primary publisher (no article
#: URL is known for them: the citation names the publisher and the occasion)
EXTRA_FIGURES: list[dict[str, Any]] = [
    {
        "id": "fig-sohr-deaths-704",
        "metric": "deaths_total",
        "value": 704,
        "qualifier": "exact",
        "as_of": "2024-12-04",
        "period_start": "2024-11-27",
        "scope": "since 27 Nov",
        "note": "SOHR's toll of 4 Dec 2024: 704 killed, including 110 civilians",
        "sources": [ref("sohr", note="toll published on 4 Dec 2024")],
    },
    {
        "id": "fig-sohr-civilian-deaths-110",
        "metric": "civilian_deaths",
        "value": 110,
        "qualifier": "exact",
        "as_of": "2024-12-04",
        "period_start": "2024-11-27",
        "scope": "since 27 Nov",
        "note": "civilians among the 704 deaths of fig-sohr-deaths-704",
        "sources": [ref("sohr", note="toll published on 4 Dec 2024")],
    },
    {
        "id": "fig-sohr-deaths-727",
        "metric": "deaths_total",
        "value": 727,
        "qualifier": "exact",
        "as_of": "2024-12-05",
        "period_start": "2024-11-27",
        "scope": "since 27 Nov",
        "note": (
            "SOHR's count is 727 (including 111 civilians); 'more than 727' is the seed "
            "article's wording (fig-article-deaths-727)"
        ),
        "sources": [ref("sohr", note="toll of 5 Dec 2024")],
    },
    {
        "id": "fig-un-drhc-displaced-115000",
        "metric": "displaced",
        "value": 115000,
        "qualifier": "more than",
        "as_of": "2024-12-04",
        "scope": "Idlib and northern Aleppo",
        "note": (
            "given on 4 Dec 2024 by the UN Deputy Regional Humanitarian Coordinator for "
            "the Syria Crisis; the seed article repeats it unattributed (fig-article-displaced-115000)"
        ),
        "sources": [ref("un_drhc", note="statement of 4 Dec 2024")],
    },
]


def reference_figures(figs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    used: set[tuple[str, float]] = set()
    for f in figs:
        raw_as_of = f["as_of"]
        dates = _DATE_RE.findall(raw_as_of)
        if not dates:
            raise SystemExit(f"build_bundled: figure without a date: {f!r}")
        as_of = dates[0]
        approximate = raw_as_of != as_of
        if approximate:
            # "~2024-12-01/02": a figure is not known before it is published, so it is
            # dated to the latest day of the range (never a day early)
            m = re.match(r"~?(\d{4}-\d{2}-)(\d{2})/(\d{2})", raw_as_of)
            if m:
                as_of = m.group(1) + m.group(3)
        notes = []
        fix = FIGURE_CORRECTIONS.get((f["metric"], f["value"]))
        if fix is not None:
            used.add((f["metric"], f["value"]))
            as_of, approximate = fix["as_of"], False
            notes.append(fix["note"])
        if as_of > MOMENT or f.get("period_end", "") > MOMENT:
            continue
        value = f["value"]
        qualifier, note = parse_qualifier(f.get("qualifier", ""), value)
        if note:
            notes.insert(0, note)
        if approximate:
            notes.append(f"date approximate (reference: '{raw_as_of}'; the latest day is used)")
        srcs = figure_sources(f["publisher"], f["url"])
        metric = f["metric"]
        base = {
            "unit": "people",
            "as_of": day(as_of),
            "updated_at": UPDATED_AT,
            "sources": srcs,
        }
        if f.get("period_start"):
            base["period_start"] = day(f["period_start"])
        if f.get("period_end"):
            base["period_end"] = day_end(f["period_end"])
        if f.get("scope"):
            base["scope"] = f["scope"]
        fid = f"fig-{srcs[0]['source']}-{_METRIC_SLUG.get(metric, metric)}-{value}"
        rec = {
            **base,
            "id": fid,
            "metric": metric,
            "value": value,
            "qualifier": qualifier,
            "note": "; ".join(notes),
        }
        if "value_low" in f or "value_high" in f:
            rec["qualifier"] = "between"
            rec["low"] = f["value_low"]
            rec["high"] = f["value_high"]
        if not rec["note"]:
            del rec["note"]
        out.append(rec)
        if "civilian_deaths" in f and metric != "civilian_deaths":
            civ = f["civilian_deaths"]
            civ_notes = [f"civilians among the {value} deaths of {fid}"]
            if approximate:
                civ_notes.append(
                    f"date approximate (reference: '{raw_as_of}'; the latest day is used)"
                )
            elif fix is not None:
                civ_notes.append(fix["note"])
            out.append(
                {
                    **base,
                    "id": f"fig-{srcs[0]['source']}-civilian-deaths-{civ}",
                    "metric": "civilian_deaths",
                    "value": civ,
                    "qualifier": "exact",
                    "note": "; ".join(civ_notes),
                }
            )
    unused = set(FIGURE_CORRECTIONS) - used
    if unused:
        raise SystemExit(f"build_bundled: figure corrections match nothing: {sorted(unused)}")
    for spec in EXTRA_FIGURES:
        rec = {**spec, "unit": "people", "updated_at": UPDATED_AT, "as_of": day(spec["as_of"])}
        if spec.get("period_start"):
            rec["period_start"] = day(spec["period_start"])
        out.append(rec)
    return out


# --------------------------------------------------------------------------- build


def control_changes(pid: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The control records of one reference control-history entry, corrected."""
    start = entry["from"]
    fix = CONTROL_CORRECTIONS.get((pid, start, entry["faction"]), {})
    _used_corrections.add((pid, start, entry["faction"]))
    notes = []
    precision = "day"
    if start is None:
        start_day, precision = BASELINE_DAY, "undated"
        notes.append(BASELINE_NOTE)
    elif "day" in fix:
        start_day, precision = fix["day"], fix.get("precision", "day")
        notes.append(fix["note"])
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
        start_day = start
    else:
        raise SystemExit(f"build_bundled: {pid}: control from {start!r} needs a correction")
    srcs = fix.get("sources") or [url_ref(u) for u in entry["src"]]
    if not srcs:
        srcs = [
            ref(
                "sitmon_reference",
                note="no source URL for this entry in the reference compilation; unverified",
            )
        ]
    steps = fix.get("steps") or [{"day": start_day, "status": "held"}]
    out = []
    for step in steps:
        d = step["day"]
        if d > MOMENT:
            continue
        when = day(d)
        step_precision = precision
        if step.get("time"):
            when = f"{d}T{step['time']}:00+03:00"
            step_precision = "exact"
        step_notes = list(notes)
        extra = CONTROL_NOTES.get((pid, d))
        if extra:
            step_notes.append(extra)
        suffix = "" if step["status"] == "held" else f"-{step['status']}"
        rec = {
            "id": f"cc-{pid}-{d}-{entry['faction']}{suffix}",
            "place": pid,
            "faction": entry["faction"],
            "status": step["status"],
            "valid_from": when,
            "note": "; ".join(step_notes),
            "updated_at": UPDATED_AT,
            "sources": srcs + ARTICLE_CONTROL_REFS.get((pid, d), []),
        }
        if step_precision != "day":
            rec["precision"] = step_precision
        out.append(rec)
    return out


_used_corrections: set[tuple[str, str | None, str]] = set()


def build(shared: Path) -> dict[str, Any]:
    refdir = shared / "data" / "reference"
    cities = json.loads((refdir / CITIES_FILE).read_text(encoding="utf-8"))["cities"]
    chronology = json.loads((refdir / CHRONOLOGY_FILE).read_text(encoding="utf-8"))["events"]
    ref_figures = json.loads((refdir / FIGURES_FILE).read_text(encoding="utf-8"))["figures"]

    # factions
    factions = []
    for fid, (name, short, symbol, colour, group, in_article) in FACTIONS.items():
        srcs = []
        if fid in REFERENCE_FACTIONS:
            srcs.append(ref("sitmon_reference", note=f"faction key '{fid}' of {CITIES_FILE}"))
        if in_article:
            srcs.append(ARTICLE)
        factions.append(
            {
                "id": fid,
                "name": name,
                "short": short,
                "symbol": symbol,
                "colour": colour,
                "group": group,
                "updated_at": UPDATED_AT,
                "sources": srcs,
            }
        )

    # places and control
    places: list[dict[str, Any]] = []
    control: list[dict[str, Any]] = []
    seen_places: set[str] = set()
    for city in cities:
        name = city["name"]
        pid = slug(name)
        if pid in seen_places or name not in PLACE_META:
            raise SystemExit(f"build_bundled: unexpected or duplicate city {name!r}")
        seen_places.add(pid)
        kind, importance, note = PLACE_META[name]
        coord_src = city["coord_source"]
        if coord_src.startswith("VannaDii/pub-dev geography"):
            csrc = "coords_csc"
        elif coord_src.startswith("UCDP GED"):
            csrc = "ucdp_ged"
        else:
            raise SystemExit(f"build_bundled: unknown coordinate source {coord_src!r}")
        psrcs = [
            ref(csrc, note="coordinates"),
            ref("sitmon_reference", note=f"governorate and alternative names ({CITIES_FILE})"),
        ]
        if name in ARTICLE_PLACES:
            psrcs.append(ref("article", note=f"named in the seed article ({name})"))
        place = {
            "id": pid,
            "name": name,
            "alt_names": list(city.get("alt_names", [])),
            "lat": city["lat"],
            "lon": city["lon"],
            "governorate": city["admin1"],
            "kind": kind,
            "importance": importance,
            "updated_at": UPDATED_AT,
            "sources": psrcs,
        }
        if note:
            place["note"] = note
        places.append(place)

        for entry in city["control_history"]:
            for cc in control_changes(pid, entry):
                control.append(cc)
    for extra_cc in EXTRA_CONTROL:
        pid, d = extra_cc["place"], extra_cc["day"]
        control.append(
            {
                "id": f"cc-{pid}-{d}-{extra_cc['faction']}-{extra_cc['status']}",
                "place": pid,
                "faction": extra_cc["faction"],
                "status": extra_cc["status"],
                "valid_from": day(d),
                "note": extra_cc["note"],
                "updated_at": UPDATED_AT,
                "sources": extra_cc["sources"],
            }
        )

    unused = set(CONTROL_CORRECTIONS) - _used_corrections
    if unused:
        raise SystemExit(f"build_bundled: control corrections match nothing: {sorted(unused)}")

    # events
    place_by_name = {p["name"]: p["id"] for p in places}
    events: list[dict[str, Any]] = []
    used_dates = set()
    for entry in chronology:
        d = entry["date"]
        if d > MOMENT:
            continue
        spec = CHRONOLOGY_EVENTS.get(d)
        if spec is None or not entry["event"].startswith(spec["expect"]):
            raise SystemExit(
                f"build_bundled: chronology entry of {d} is not mapped: {entry['event']!r}"
            )
        used_dates.add(d)
        for pname in entry["places"]:
            if pname in place_by_name and place_by_name[pname] not in spec["places"]:
                raise SystemExit(
                    f"build_bundled: chronology {d} place {pname!r} not in event places"
                )
        summary = [spec["article"]] if spec.get("article") else []
        summary.append(f"Reference chronology ({d}): {entry['event']}")
        if spec.get("extra_summary"):
            summary.append(spec["extra_summary"])
        url_notes = spec.get("url_notes", {})
        extras = spec.get("extra_sources", [])
        srcs = (
            [s for s in extras if s["source"] == "article"]
            + [url_ref(u, url_notes.get(host_of(u), "")) for u in entry["sources"]]
            + [s for s in extras if s["source"] != "article"]
        )
        event = {
            "id": spec["id"],
            "time": day(d),
            "precision": "day",
            "title": spec["title"],
            "summary": " ".join(summary),
            "type": spec["type"],
            "places": spec["places"],
            "factions": spec["factions"],
            "updated_at": UPDATED_AT,
            "sources": srcs,
        }
        if spec.get("actors"):
            event["actors"] = spec["actors"]
        events.append(event)
    missing = set(CHRONOLOGY_EVENTS) - used_dates
    if missing:
        raise SystemExit(f"build_bundled: chronology entries missing for {sorted(missing)}")
    for spec in ARTICLE_EVENTS:
        summary = spec["summary"]
        if spec.get("undated"):
            summary = f"{summary} {ARTICLE_EVENT_DATE_NOTE}"
        event = {
            "id": spec["id"],
            "time": day(spec["time"]),
            "precision": spec.get("precision", "day"),
            "title": spec["title"],
            "summary": summary,
            "type": spec["type"],
            "places": spec.get("places", []),
            "factions": spec.get("factions", []),
            "updated_at": UPDATED_AT,
            "sources": spec["sources"],
        }
        if spec.get("actors"):
            event["actors"] = spec["actors"]
        if spec.get("context"):
            event["context"] = True
        events.append(event)

    # quotes
    quotes = []
    for spec in QUOTES:
        q = {
            "id": spec["id"],
            "speaker": JOULANI,
            "role": JOULANI_ROLE,
            "text": spec["text"],
            "said_at": day(MOMENT),
            "precision": "day",
            "context": spec["context"],
            "places": ["hama"],
            "event": spec["event"],
            "updated_at": UPDATED_AT,
            "sources": spec["sources"],
        }
        if spec.get("outlet"):
            q["outlet"] = spec["outlet"]
        quotes.append(q)

    # figures
    figures = []
    for spec in ARTICLE_FIGURES:
        fig = {k: v for k, v in spec.items() if k != "period_start"}
        fig["as_of"] = day(MOMENT)
        if spec.get("period_start"):
            fig["period_start"] = day(spec["period_start"])
        fig["updated_at"] = UPDATED_AT
        figures.append(fig)
    figures += reference_figures(ref_figures)

    # sources: exactly those cited
    cited: set[str] = set()
    for rec in [*factions, *places, *control, *events, *quotes, *figures]:
        for s in rec["sources"]:
            cited.add(s["source"])
    unknown = cited - set(SOURCES)
    if unknown:
        raise SystemExit(f"build_bundled: cited sources not defined: {sorted(unknown)}")
    sources = []
    for sid in sorted(cited):
        name, kind, url = SOURCES[sid]
        if sid not in ROLES:
            raise SystemExit(f"build_bundled: source {sid!r} has no role")
        s = {"id": sid, "name": name, "kind": kind, "role": ROLES[sid], "updated_at": UPDATED_AT}
        if url:
            s["url"] = url
        sources.append(s)

    def by_id(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [i["id"] for i in items]
        if len(ids) != len(set(ids)):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise SystemExit(f"build_bundled: duplicate ids {dupes}")
        return sorted(items, key=lambda i: i["id"])

    return {
        "sitmon_feed": 1,
        "title": FEED_TITLE,
        "situation": dict(SITUATION),
        "generated_at": UPDATED_AT,
        "sources": by_id(sources),
        "factions": by_id(factions),
        "places": by_id(places),
        "control": sorted(by_id(control), key=lambda c: (c["place"], c["valid_from"], c["id"])),
        "events": sorted(by_id(events), key=lambda e: (e["time"], e["id"])),
        "quotes": by_id(quotes),
        "figures": sorted(by_id(figures), key=lambda f: (f["metric"], f["as_of"], f["id"])),
        "tombstones": [],
    }


def validate(doc: dict[str, Any]) -> None:
    """Every record converts, and merging the whole feed rejects nothing."""
    sys.path.insert(0, str(REPO))
    from sitmon.store.adapters.sitmon import adapt
    from sitmon.store.merge import apply_batch, empty_tables

    result = adapt(doc)
    if result.rejected:
        raise SystemExit(
            "build_bundled: rejected records:\n" + "\n".join(map(str, result.rejected))
        )
    _, cs = apply_batch(empty_tables(), result.records)
    if cs.rejected:
        raise SystemExit("build_bundled: merge rejected:\n" + "\n".join(map(str, cs.rejected)))


def render(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the feed")
    ap.add_argument("--no-validate", action="store_true", help="skip validation against store/")
    args = ap.parse_args(argv)
    doc = build(args.shared)
    if not args.no_validate:
        validate(doc)
    data = render(doc)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    counts = ", ".join(
        f"{len(doc[k])} {k}"
        for k in ("sources", "factions", "places", "control", "events", "quotes", "figures")
    )
    print(f"wrote {args.out} ({counts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
