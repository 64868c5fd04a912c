#!/usr/bin/env python3
"""Build examples/feeds/followup.sitmon.json: the story after the bundled dataset's moment.

The bundled dataset stops at the end of 5 Dec 2024 (Hama has fallen; Homs and
Damascus are government-held). This feed continues it day by day to 8 Dec 2024
from the project's reference material only (``../shared/data/reference``):

- chronology entries dated 2024-12-06 .. 2024-12-08, one event per clause;
- control-history entries that start after 2024-12-05 and by 2024-12-08
  (Manbij 9 Dec and Deir ez-Zor 10 Dec are after the feed's window);
- figures dated 2024-12-06 .. 2024-12-08.

Every record cites the reference's source URLs. Outlets the bundled dataset
already knows reuse its Source ids (matched by web domain); new outlets get
Source records here. Place, faction and source ids are the bundled dataset's.

Deterministic: no clock, no network; rerunning it gives identical bytes.

    python examples/feeds/build_followup.py [--shared PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "followup.sitmon.json"
BUNDLED = ROOT / "store" / "data" / "bundled.json"

GENERATED_AT = "2024-12-08T23:00:00+03:00"
FIRST_DAY, LAST_DAY = "2024-12-06", "2024-12-08"

#: new outlets (domain -> Source record fields, the last its role) not in the bundled dataset
NEW_OUTLETS = {
    "anews.com.tr": (
        "anews",
        "A News (anews.com.tr)",
        "media",
        "https://www.anews.com.tr/",
        "news_outlet",
    ),
    "hathalyoum.net": (
        "hathalyoum",
        "Hathalyoum (english.hathalyoum.net)",
        "media",
        "https://english.hathalyoum.net/",
        "aggregator",
    ),
    "pledgetimes.com": (
        "pledgetimes",
        "Pledge Times (pledgetimes.com)",
        "media",
        "https://pledgetimes.com/",
        "aggregator",
    ),
    "sputnikglobe.com": (
        "sputnik",
        "Sputnik (sputnikglobe.com)",
        "media",
        "https://sputnikglobe.com/",
        "news_outlet",
    ),
    "bianet.org": ("bianet", "bianet", "media", "https://bianet.org/", "news_outlet"),
    "munsifdaily.com": (
        "munsifdaily",
        "Munsif Daily (munsifdaily.com)",
        "media",
        "https://munsifdaily.com/",
        "aggregator",
    ),
    "webjosh.com": ("webjosh", "webjosh.com", "media", "https://webjosh.com/", "aggregator"),
}

#: publishers of figures the bundled dataset does not cite: id -> Source record fields
NEW_PUBLISHERS = {
    "wfp": ("World Food Programme (WFP)", "un", "https://www.wfp.org/", "primary_publisher"),
}

#: reference figures dated wrongly in the compilation: (metric, value) -> (day, note)
FIGURE_CORRECTIONS = {
    ("displaced", 280000): (
        "2024-12-06",
        "WFP at the Geneva press briefing on Friday 6 Dec 2024: '280,000 since 27 November' "
        "(the reference compilation dates it 5 Dec)",
    ),
}

#: towns the bundled dataset does not have (the chronology's 6 Dec 'Rastan and Talbiseh
#: taken'), at their own coordinates, not Homs city's (about 25 and 15 km north of it)
NEW_PLACES = [
    {
        "id": "rastan",
        "name": "Rastan",
        "alt_names": ["Al-Rastan", "الرستن"],
        "lat": 34.9167,
        "lon": 36.7333,
        "url": "https://en.wikipedia.org/wiki/Al-Rastan",
    },
    {
        "id": "talbiseh",
        "name": "Talbiseh",
        "alt_names": ["Talbisah", "تلبيسة"],
        "lat": 34.8333,
        "lon": 36.7333,
        "url": "https://en.wikipedia.org/wiki/Talbiseh",
    },
]

#: the situation as of 8 Dec: the feed updates the bundled title ("Aleppo and Hama")
SITUATION = {
    "title": "Rebel offensive in Syria: from Aleppo to the fall of Assad",
    "start": "2024-11-27",
}

#: place names in the reference -> the bundled dataset's place ids
PLACE_IDS = {
    "Homs": "homs",
    "Damascus": "damascus",
    "Deir ez-Zor": "deir_ez_zor",
    "Abu Kamal": "abu_kamal",
    "Palmyra": "palmyra",
    "Daraa": "daraa",
    "Suwayda": "suwayda",
    "Quneitra": "quneitra",
    "Manbij": "manbij",
}

#: chronology day -> one entry per clause (split on "; "):
#: (id slug, event type, places, factions, indices into the day's source URLs)
CLAUSES = {
    "2024-12-06": [
        (
            "rastan-talbiseh-taken",
            "capture",
            ["rastan", "talbiseh"],
            ["hts_led", "government"],
            [0],
        ),
        (
            "deir-ez-zor-army-withdraws-sdf-moves-in",
            "withdrawal",
            ["deir_ez_zor", "abu_kamal"],
            ["government", "sdf"],
            [1, 2],
        ),
        (
            "southern-operations-room-formed",
            "offensive",
            ["daraa", "suwayda", "quneitra"],
            ["southern_opposition", "government"],
            [3],
        ),
        ("sfa-palmyra-offensive", "offensive", ["palmyra"], ["sfa", "government"], [4]),
        ("sna-manbij-operation", "offensive", ["manbij"], ["sna", "sdf"], [5]),
    ],
    "2024-12-07": [
        ("daraa-taken", "capture", ["daraa"], ["southern_opposition", "government"], [0]),
        (
            "suwayda-quneitra-liberated",
            "capture",
            ["suwayda", "quneitra"],
            ["southern_opposition", "government"],
            [1],
        ),
        ("sfa-takes-palmyra", "capture", ["palmyra"], ["sfa", "government"], [2]),
        ("sdf-controls-deir-ez-zor", "capture", ["deir_ez_zor"], ["sdf"], [3]),
        ("rebels-enter-homs", "battle", ["homs"], ["hts_led", "government"], [4]),
    ],
    "2024-12-08": [
        ("homs-captured", "capture", ["homs"], ["hts_led", "government"], [0]),
        ("rebels-enter-damascus", "capture", ["damascus"], ["hts_led", "government"], [1, 2]),
        ("assad-flees", "other", ["damascus"], ["government", "russia"], [1, 2]),
    ],
}

#: reference figure qualifiers -> the Figure record's qualifier
QUALIFIERS = {">": "more than", "at least": "at least"}


def domain(url: str) -> str:
    """The registrable web domain: ``www.dw.com`` -> ``dw.com``, ``www.anews.com.tr`` -> ``anews.com.tr``."""
    parts = (urllib.parse.urlsplit(url).hostname or "").lower().split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in ("com", "co", "org", "net"):
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def load(shared: Path, name: str) -> dict:
    return json.loads((shared / "data" / "reference" / name).read_text(encoding="utf-8"))


def build(shared: Path) -> dict:
    bundled = json.loads(BUNDLED.read_text(encoding="utf-8"))
    known_sources = {s["id"] for s in bundled["sources"]}
    by_domain: dict[str, str] = {}
    for s in sorted(bundled["sources"], key=lambda s: s["id"]):
        if s.get("url"):
            by_domain.setdefault(domain(s["url"]), s["id"])
    factions = {f["id"] for f in bundled["factions"]}
    places = {p["id"] for p in bundled["places"]} | {p["id"] for p in NEW_PLACES}
    wikipedia = next(s["id"] for s in bundled["sources"] if s["id"] == "wikipedia")

    new_sources: dict[str, dict] = {}

    def source_for(url: str) -> str:
        d = domain(url)
        if d in by_domain:
            return by_domain[d]
        if d not in NEW_OUTLETS:
            raise SystemExit(f"no Source for {d} ({url}); add it to NEW_OUTLETS")
        sid, name, kind, home, role = NEW_OUTLETS[d]
        assert sid not in known_sources, sid
        new_sources[sid] = {
            "id": sid,
            "name": name,
            "kind": kind,
            "role": role,
            "url": home,
            "updated_at": GENERATED_AT,
        }
        return sid

    def publisher_source(sid: str) -> str:
        if sid not in known_sources:
            name, kind, home, role = NEW_PUBLISHERS[sid]
            new_sources[sid] = {
                "id": sid,
                "name": name,
                "kind": kind,
                "role": role,
                "url": home,
                "updated_at": GENERATED_AT,
            }
        return sid

    def refs(urls: list[str]) -> list[dict]:
        out = []
        for u in urls:
            out.append({"source": source_for(u), "url": u})
        return out

    # -- events from the chronology
    chronology = load(shared, "chronology-2024-11-27-to-2024-12-08.json")
    events = []
    for entry in chronology["events"]:
        day = entry["date"]
        if not FIRST_DAY <= day <= LAST_DAY:
            continue
        text = entry["event"].strip()
        clauses = [c.strip() for c in text.split("; ")]
        spec = CLAUSES[day]
        if len(clauses) != len(spec):
            raise SystemExit(f"chronology {day}: {len(clauses)} clauses, expected {len(spec)}")
        for clause, (slug, etype, ev_places, ev_factions, url_idx) in zip(
            clauses, spec, strict=True
        ):
            assert set(ev_places) <= places and set(ev_factions) <= factions, (slug, ev_places)
            title = clause.rstrip(".")
            title = title[0].upper() + title[1:]
            # the clause this event reports, not the whole day's chronology
            summary = f"{title}. (Reference chronology, {day}.)"
            events.append(
                {
                    "id": f"ev-{day}-{slug}",
                    "time": f"{day}T00:00:00+03:00",
                    "precision": "day",
                    "title": title,
                    "summary": summary,
                    "type": etype,
                    "places": ev_places,
                    "factions": ev_factions,
                    "updated_at": GENERATED_AT,
                    "sources": refs([entry["sources"][i] for i in url_idx]),
                }
            )

    # -- control changes from the cities' control history
    cities = load(shared, "cities-control-2024-12-05.json")
    control = []
    for city in cities["cities"]:
        pid = PLACE_IDS.get(city["name"])
        for h in city["control_history"]:
            start = h.get("from")
            if not start or not (FIRST_DAY <= start <= LAST_DAY):
                continue
            if pid is None:
                raise SystemExit(f"no place id for {city['name']}")
            control.append(
                {
                    "id": f"cc-{pid}-{start}-{h['faction']}",
                    "place": pid,
                    "faction": h["faction"],
                    "status": "held",
                    "valid_from": f"{start}T00:00:00+03:00",
                    "note": city["note"],
                    "updated_at": GENERATED_AT,
                    "sources": refs(h["src"]),
                }
            )
    # Homs: "rebels enter Homs" on 7 Dec (chronology) - contested before it falls on the 8th
    homs_entry = next(e for e in chronology["events"] if e["date"] == "2024-12-07")
    control.append(
        {
            "id": "cc-homs-2024-12-07-hts_led-contested",
            "place": "homs",
            "faction": "hts_led",
            "status": "contested",
            "valid_from": "2024-12-07T00:00:00+03:00",
            "note": "Rebels enter Homs (chronology, 7 Dec); full control announced early 8 Dec.",
            "updated_at": GENERATED_AT,
            "sources": refs([u for u in homs_entry["sources"] if "homs" in u]),
        }
    )

    # Rastan and Talbiseh: government-held before the period (date not given), taken 6 Dec
    rastan_entry = next(e for e in chronology["events"] if e["date"] == "2024-12-06")
    for town in NEW_PLACES:
        control.append(
            {
                "id": f"cc-{town['id']}-2024-11-01-government",
                "place": town["id"],
                "faction": "government",
                "status": "held",
                "valid_from": "2024-11-01T00:00:00+03:00",
                "precision": "undated",
                "note": "held before the period, date not given",
                "updated_at": GENERATED_AT,
                "sources": refs([rastan_entry["sources"][0]]),
            }
        )
        control.append(
            {
                "id": f"cc-{town['id']}-2024-12-06-hts_led",
                "place": town["id"],
                "faction": "hts_led",
                "status": "held",
                "valid_from": "2024-12-06T00:00:00+03:00",
                "note": "Rastan and Talbiseh taken (chronology, 6 Dec).",
                "updated_at": GENERATED_AT,
                "sources": refs([rastan_entry["sources"][0]]),
            }
        )
    # Manbij: SNA took about 80% by 8 Dec, full control reported 9 Dec (the feed's own note)
    manbij = next(c for c in cities["cities"] if c["name"] == "Manbij")
    control.append(
        {
            "id": "cc-manbij-2024-12-08-sna-contested",
            "place": "manbij",
            "faction": "sna",
            "status": "contested",
            "valid_from": "2024-12-08T00:00:00+03:00",
            "note": manbij["note"],
            "updated_at": GENERATED_AT,
            "sources": refs(
                [u for h in manbij["control_history"] for u in h["src"] if "dailysabah" in u]
                + [rastan_entry["sources"][5]]
            ),
        }
    )
    # Latakia and Tartus: the Assad government's rule ended on 8 Dec ("government-held
    # through 8 Dec" in the reference); who held the coast next is not in the reference
    end_entry = next(e for e in chronology["events"] if e["date"] == "2024-12-08")
    for pid in ("latakia", "tartus"):
        control.append(
            {
                "id": f"cc-{pid}-2024-12-08-hts_led-contested",
                "place": pid,
                "faction": "hts_led",
                "status": "contested",
                "valid_from": "2024-12-08T00:00:00+03:00",
                "note": (
                    "The Assad government fell on 8 Dec (end of Assad rule): its control of "
                    "the coast ended with it; the reference compilation does not say who "
                    "held the city next, so it is shown as contested."
                ),
                "updated_at": GENERATED_AT,
                "sources": refs([end_entry["sources"][1]]),
            }
        )

    # -- figures
    figures_ref = load(shared, "figures-with-provenance.json")
    figures = []
    for f in figures_ref["figures"]:
        as_of = f["as_of"]
        fix = FIGURE_CORRECTIONS.get((f["metric"], f["value"]))
        if fix is not None:
            as_of = fix[0]
        if not (FIRST_DAY <= as_of[:10] <= LAST_DAY) or as_of[:1] == "~":
            continue
        qualifier = next(
            (v for k, v in QUALIFIERS.items() if f["qualifier"].startswith(k)), "exact"
        )
        publisher = f["publisher"]
        pub_id = (
            "sohr"
            if publisher.startswith("SOHR")
            else "ocha"
            if publisher.startswith("OCHA")
            else publisher_source("wfp")
            if publisher.startswith("WFP")
            else None
        )
        if pub_id is None:
            raise SystemExit(f"no publisher source for {publisher}")
        value = f["value"]
        fig = {
            "id": f"fig-{pub_id}-{f['metric'].replace('_total', '').replace('_', '-')}-{value}",
            "metric": f["metric"],
            "value": value,
            "qualifier": qualifier,
            "unit": "people",
            "as_of": f"{as_of[:10]}T00:00:00+03:00",
            "note": "; ".join(
                x
                for x in (
                    publisher if len(f["qualifier"]) < 3 else f"{publisher}: {f['qualifier']}",
                    fix[1] if fix is not None else "",
                )
                if x
            ),
            "updated_at": GENERATED_AT,
            "sources": [
                {"source": pub_id, "note": publisher},
                *refs([f["url"]]),
            ],
        }
        if f.get("period_start"):
            fig["period_start"] = f"{f['period_start']}T00:00:00+03:00"
        if f.get("scope"):
            fig["scope"] = f["scope"]
        figures.append(fig)

    return {
        "sitmon_feed": 1,
        "title": "sitmon follow-up feed: Homs, the south, the east and Damascus (6-8 Dec 2024)",
        "home_page_url": "",
        "generated_at": GENERATED_AT,
        "situation": dict(SITUATION),
        "sources": sorted(new_sources.values(), key=lambda s: s["id"]),
        "places": [
            {
                "id": t["id"],
                "name": t["name"],
                "alt_names": t["alt_names"],
                "lat": t["lat"],
                "lon": t["lon"],
                "governorate": "Homs",
                "kind": "town",
                "importance": 4,
                "updated_at": GENERATED_AT,
                "sources": [{"source": wikipedia, "url": t["url"], "note": "coordinates"}],
            }
            for t in NEW_PLACES
        ],
        "control": sorted(control, key=lambda c: (c["valid_from"], c["id"])),
        "events": sorted(events, key=lambda e: (e["time"], e["id"])),
        "figures": sorted(figures, key=lambda g: (g["as_of"], g["id"])),
    }


def render(doc: dict) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("SITMON_SHARED", ROOT.parent / "shared"))
    )
    ap.add_argument("--check", action="store_true", help="fail if the file is not up to date")
    args = ap.parse_args(argv)
    data = render(build(args.shared))
    if args.check:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"{OUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
