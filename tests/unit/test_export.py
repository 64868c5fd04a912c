"""Export: the panes' renderers written out as text, Markdown and JSON; the store as a feed.

What these tests hold the export to:

- the text of a view *is* the pane renderer's output (colour off) at that size;
- the same store and arguments give the same bytes, from any two stores seeded alike;
- Markdown tables are well formed; only http(s) URLs become links;
- JSON validates against ``docs/export.schema.json``; the feed imports back record for record;
- no control, DEL or bidi character from the data reaches an export, even from a
  store filled directly (bypassing ingest sanitizing);
- ``--ascii`` output is 7-bit; text lines never exceed ``--width``;
- the command line: one-line errors with exit code 2 for bad arguments, exit 1
  and the file untouched when ``--output`` exists without ``--force``, and no
  Textual or httpx import.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sitmon.store import Store
from sitmon.store.adapters.sitmon import adapt
from sitmon.store.records import (
    ControlChange,
    Event,
    Faction,
    Figure,
    Place,
    Quote,
    Source,
    SourceRef,
    Tombstone,
)
from sitmon.store.timeutil import SITUATION_TZ, parse_as_of
from sitmon.tui.cli import export as cmd_export
from sitmon.widgets.export import (
    FORMATS,
    MIN_WIDTH,
    VIEWS,
    ExportArgumentError,
    ExportError,
    ExportExistsError,
    default_export_name,
    export_feed,
    export_view,
    is_web_url,
    sanitize_output,
    write_export,
)
from sitmon.widgets.render_util import cells, safe

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "export.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
FEED_VALIDATOR = jsonschema.Draft202012Validator({"$ref": "#/$defs/feed", "$defs": SCHEMA["$defs"]})
DAYS = ("2024-11-26", "2024-12-05")
TEXT_FORMATS = ("text", "markdown", "json")

#: what must never reach an export: C0 but newline, DEL, C1, bidi controls and marks,
#: zero-width characters, line/paragraph separators, BOM
#: what may act on a terminal or reorder text; ZWJ/ZWNJ and marks carry meaning (#11)
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("bundled") / "s.json")


def body_of(text: str) -> str:
    """A single-view text export: header lines, a blank line, the body, then Sources."""
    body = text.split("\n\n", 1)[1]
    return body


# --------------------------------------------------------------------------- helpers


def md_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def md_links(text: str) -> list[str]:
    """Every link destination and raw HTML piece a CommonMark+tables renderer would produce."""
    out = []

    def walk(tokens):
        for tok in tokens:
            if tok.type in ("link_open",):
                out.append(tok.attrs.get("href", ""))
            if tok.type in ("image",):
                out.append("IMAGE:" + str(tok.attrs.get("src", "")))
            if tok.type in ("html_inline", "html_block"):
                out.append("HTML:" + tok.content)
            if tok.children:
                walk(tok.children)

    walk(md_parser().parse(text))
    return out


def md_tables(text: str) -> list[list[list[str]]]:
    """Each table as rows of cells (header first), as markdown-it parses it."""
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    cell = False
    for tok in md_parser().parse(text):
        if tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            tables[-1].append(row)
        elif tok.type in ("th_open", "td_open"):
            cell = True
        elif tok.type in ("th_close", "td_close"):
            cell = False
        elif tok.type == "inline" and cell and row is not None:
            row.append(tok.content)
    return tables


def raw_table_blocks(text: str) -> list[list[str]]:
    """Runs of lines starting with ``|`` (outside code fences)."""
    blocks: list[list[str]] = []
    in_fence = False
    current: list[str] = []
    for line in text.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def split_cells(line: str) -> list[str]:
    """Cells of a raw table row: split on pipes not escaped by an odd run of backslashes."""
    cells_, cur, i = [], "", 0
    body = line.strip()
    assert body.startswith("|") and body.endswith("|"), line
    body = body[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur += body[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells_.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    cells_.append(cur)
    return cells_


def assert_markdown_well_formed(text: str) -> None:
    raw = raw_table_blocks(text)
    parsed = md_tables(text)
    assert len(raw) == len(parsed), "a table did not parse as a table"
    for block, table in zip(raw, parsed, strict=True):
        width = len(split_cells(block[0]))
        assert re.fullmatch(r"\|(---\|)+", block[1]), block[1]
        for line in block:
            assert len(split_cells(line)) == width, line
        assert len(table) == len(block) - 1  # every raw row is one parsed row
        for row in table:
            assert len(row) == width, row
            assert all("\n" not in c for c in row)
    for href in md_links(text):
        assert is_web_url(href), f"not an http(s) link: {href!r}"


def walk_json(obj, path="$"):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_json(v, f"{path}.{k}")
            if k == "url":
                yield path + ".url", v
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk_json(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def assert_safe(text: str, fmt: str, *, ascii: bool = False, width: int | None = None) -> None:
    bad = UNSAFE.search(text)
    assert bad is None, f"unsafe character U+{ord(bad.group()):04X} at {bad.start()}"
    if ascii:
        assert text.isascii()
    if fmt == "text" and width is not None:
        for line in text.split("\n"):
            if is_web_url(line.strip()) and " " not in line.strip():
                continue  # a URL longer than the width stands whole on its own line
            assert len(line) <= width and cells(line) <= width, line
    if fmt == "markdown":
        assert_markdown_well_formed(text)
    if fmt in ("json", "feed"):
        doc = json.loads(text)
        for where, value in walk_json(doc):
            if where.endswith(".url"):
                assert is_web_url(value), where
            else:
                assert UNSAFE.search(value) is None, where


# --------------------------------------------------------------------------- API basics


def test_views_and_formats_match_the_command_line():
    assert cmd_export.VIEWS == VIEWS
    assert cmd_export.FORMATS == FORMATS
    assert cmd_export.MIN_WIDTH == MIN_WIDTH


def test_default_export_name():
    day = parse_as_of("2024-12-05")
    assert default_export_name("timeline", "text", day) == "sitmon-timeline-2024-12-05.txt"
    assert default_export_name("all", "markdown", day) == "sitmon-sitrep-2024-12-05.md"
    assert default_export_name("stats", "json", day) == "sitmon-stats-2024-12-05.json"
    assert default_export_name("all", "feed", None) == "sitmon-feed-latest.json"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"view": "nope", "fmt": "text"}, "unknown view"),
        ({"view": "map", "fmt": "pdf"}, "unknown format"),
        ({"view": "map", "fmt": "text", "width": 39}, "width"),
        ({"view": "map", "fmt": "text", "height": 5}, "height"),
        ({"view": "timeline", "fmt": "feed"}, "--view all"),
        ({"view": "all", "fmt": "text", "place": "Atlantis"}, "unknown place"),
        ({"view": "all", "fmt": "feed", "place": "Hama"}, "no --place"),
    ],
)
def test_bad_arguments_raise_export_argument_error(store, kwargs, words):
    with pytest.raises(ExportArgumentError, match=words) as info:
        export_view(store, **kwargs)
    assert info.value.code == 2 and "\n" not in str(info.value)


def test_ambiguous_place_lists_the_candidates(store):
    with pytest.raises(ExportArgumentError, match="ambiguous") as info:
        export_view(store, view="timeline", fmt="text", place="a")
    assert "Aleppo (aleppo)" in str(info.value)


# --------------------------------------------------------------------------- the pane's rows, pasteable
#
# The bodies below are written out: the timeline and quotes wrapped whole with [n]
# references (the goldens in tests/golden/export hold every view at 80 and 120 columns).

TIMELINE_60x5 = """\
Faction symbols: G Government, H HTS-led MOC, · no faction

1982-02           G  Hama: 1982 Muslim Brotherhood uprising
                     in Hama, violently suppressed by the
                     Assad regime [1]
2024-11-27        H  Aleppo: HTS-led coalition launches
                     offensive west of Aleppo [1][2][3]
2024-11-28        H  Saraqib: Rebels cut the M5
                     Damascus-Aleppo highway and take the
                     M4/M5 junction [4]
2024-11-29        H  Aleppo: HTS-led rebels enter and
                     capture Aleppo [1][2][3][5][6]
2024-11-30        H  Aleppo, Maarat al-Numan, Saraqib:
                     Rebels hold most of Aleppo, take Maarat
                     al-Numan, Saraqib and Abu al-Duhur
                     airbase; SNA launches 'Dawn of Freedom'
                     [7][8][9][10]
"""


def test_text_timeline_and_quotes_are_wrapped_whole(store):
    """Timeline and quotes are wrapped, not cut: every title and quote whole, no ellipsis."""
    for day in DAYS:
        snap = store.snapshot(parse_as_of(day))
        for ascii in (False, True):
            for view, rows in (("timeline", snap.events), ("quotes", snap.quotes)):
                out = export_view(
                    store, view=view, fmt="text", width=80, as_of=parse_as_of(day), ascii=ascii
                )
                flat = " ".join(out.split())
                assert "Rows are wrapped here and carry [n] references" in flat
                for rec in rows:
                    words = rec.title if view == "timeline" else rec.text
                    assert " ".join(safe(words, ascii=ascii).split()) in flat, words
                assert "…" not in out


def test_text_timeline_and_quotes_number_their_sources(store):
    out = export_view(store, view="timeline", fmt="text", width=80)
    body, sources = body_of(out).split("\nSources\n", 1)
    entries = [line for line in body.splitlines() if line[:4].isdigit()]
    assert len(entries) == len(store.snapshot().events)
    refs = set(re.findall(r"\[(\d+)\]", body))
    listed = set(re.findall(r"^\[(\d+)\]", sources, re.M))
    assert refs == listed and "1" in refs
    assert body.startswith("Faction symbols: G Government, H HTS-led MOC, ")
    assert "Hama: Hama falls to the HTS-led coalition [" in out


QUOTES_70 = """\
Abu Mohammed al-Joulani · leader of Hayat Tahrir al-Sham (HTS) ·
  2024-12-05 · CNN
  “dead” [1][2]
  → Hama · HTS leader al-Joulani, speaking to CNN, describes the Assad
    regime as 'dead'

Abu Mohammed al-Joulani · leader of Hayat Tahrir al-Sham (HTS) ·
  2024-12-05
  “I ask God Almighty that this be a conquest without revenge” [1]
  → Hama · Hama falls to the HTS-led coalition

Abu Mohammed al-Joulani · leader of Hayat Tahrir al-Sham (HTS) ·
  2024-12-05
  “close the wound that opened 40 years ago” [1]
  → Hama · Hama falls to the HTS-led coalition
"""


def test_text_body_follows_size_cursor_and_order(store):
    """The pane's rows as pasteable text: 60 columns, 5 rows, oldest first, each event
    wrapped whole with [n] references (no cursor); the quotes at 70 columns."""
    as_of = parse_as_of("2024-12-05")
    out = export_view(
        store,
        view="timeline",
        fmt="text",
        width=60,
        height=5,
        as_of=as_of,
        newest_first=False,
        selected="ev-2024-11-29-aleppo-captured",
    )
    assert body_of(out).split("\nSources\n")[0] == TIMELINE_60x5
    out = export_view(
        store,
        view="quotes",
        fmt="text",
        width=70,
        as_of=as_of,
        selected="q-joulani-close-the-wound",
    )
    assert body_of(out).split("\nSources\n")[0] == QUOTES_70


def test_latest_is_the_end_of_the_last_day(store):
    """No as-of: the same bytes as an export as of the last day in the data."""
    for view in VIEWS:
        for fmt in TEXT_FORMATS:
            assert export_view(store, view=view, fmt=fmt) == export_view(
                store, view=view, fmt=fmt, as_of=parse_as_of("2024-12-05")
            )


# --------------------------------------------------------------------------- determinism


def test_same_store_same_bytes_and_two_stores_alike(store, tmp_path):
    other = Store.open(tmp_path / "other.json")  # seeded at another moment
    for view in VIEWS:
        for fmt in TEXT_FORMATS:
            for day in DAYS:
                kw = {"view": view, "fmt": fmt, "as_of": parse_as_of(day)}
                a = export_view(store, **kw)
                assert a == export_view(store, **kw)
                assert a == export_view(other, **kw), (view, fmt, day)
    assert export_feed(store) == export_feed(other)


def test_timestamp_only_when_asked(store):
    stamp = datetime(2024, 12, 6, 9, 30, tzinfo=SITUATION_TZ)
    plain_ = export_view(store, view="all", fmt="json")
    assert "generated_at" not in json.loads(plain_)
    stamped = json.loads(export_view(store, view="all", fmt="json", timestamp=stamp))
    assert stamped["generated_at"] == "2024-12-06T09:30:00+03:00"
    assert "2024-12-06 09:30" in export_view(store, view="all", fmt="markdown", timestamp=stamp)
    text = export_view(store, view="stats", fmt="text", timestamp=stamp)
    assert "generated 2024-12-06 09:30" in " ".join(text.split())


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("width", [40, 80, 120, 200])
@pytest.mark.parametrize("view", VIEWS)
def test_text_is_plain_and_fits_the_width(store, view, width):
    for ascii in (False, True):
        for day in DAYS:
            out = export_view(
                store, view=view, fmt="text", width=width, as_of=parse_as_of(day), ascii=ascii
            )
            assert "\x1b" not in out
            assert out.endswith("\n") and not out.endswith("\n\n")
            assert_safe(out, "text", ascii=ascii, width=width)


@pytest.mark.parametrize("view", VIEWS)
def test_markdown_tables_and_links_are_well_formed(store, view):
    for day in DAYS:
        for ascii in (False, True):
            out = export_view(store, view=view, fmt="markdown", as_of=parse_as_of(day), ascii=ascii)
            assert_safe(out, "markdown", ascii=ascii)
            assert out.startswith("# ")


@pytest.mark.parametrize("view", VIEWS)
def test_json_validates_against_the_schema(store, view):
    for day in DAYS:
        for ascii in (False, True):
            out = export_view(store, view=view, fmt="json", as_of=parse_as_of(day), ascii=ascii)
            doc = json.loads(out)
            VALIDATOR.validate(doc)
            assert doc["view"] == view and doc["as_of"].startswith(day)
            assert doc["generated_by"].startswith("sitmon ")
            assert_safe(out, "json", ascii=ascii)


def test_json_holds_the_records_behind_the_view(store):
    as_of = parse_as_of("2024-12-05")
    snap = store.snapshot(as_of)
    doc = json.loads(export_view(store, view="timeline", fmt="json", as_of=as_of))
    assert [e["id"] for e in doc["events"]] == [e.id for e in reversed(snap.events)]
    cited = {r["source"] for e in doc["events"] for r in e.get("sources", [])}
    assert cited <= {s["id"] for s in doc["sources"]}
    doc = json.loads(export_view(store, view="map", fmt="json", as_of=as_of))
    holder = {c["place"]: c["faction"] for c in doc["control"]}
    assert holder["aleppo"] == holder["hama"] == "hts_led"
    assert {c["place"] for c in doc["changes"]} >= {"aleppo", "hama", "saraqib", "tal_rifaat"}
    doc = json.loads(export_view(store, view="stats", fmt="json", as_of=as_of))
    deaths = next(m for m in doc["figures"] if m["metric"] == "deaths_total")
    ids = {f["id"] for f in deaths["observations"]}
    assert deaths["latest"] in ids and set(deaths["others"]) <= ids
    # one publisher, one series (#11): SOHR's 602 and 727, whoever relayed them
    assert (deaths["publisher"], deaths["others"]) == ("sohr", [])
    (sohr,) = deaths["series"]
    assert sohr["publisher"] == "sohr"
    assert {"fig-sohr-deaths-602", "fig-sohr-deaths-727"} <= set(sohr["observations"])
    civ = next(m for m in doc["figures"] if m["metric"] == "civilian_deaths")
    assert (civ["publisher"], civ["others"]) == (
        "ocha",
        ["fig-article-civilian-deaths-111", "fig-snhr-civilian-deaths-149"],
    )
    doc = json.loads(export_view(store, view="quotes", fmt="json", as_of=as_of))
    assert len(doc["quotes"]) == len(snap.quotes)
    assert {q["event"] for q in doc["quotes"]} <= {e["id"] for e in doc["events"]}


def test_place_and_filter_narrow_events_and_quotes(store):
    doc = json.loads(export_view(store, view="all", fmt="json", place="Hama"))
    assert doc["place"] == "hama" and doc["events"]
    assert all("hama" in e["places"] for e in doc["events"])
    doc = json.loads(export_view(store, view="timeline", fmt="json", filter="type:capture"))
    assert doc["events"] and all(e["type"] == "capture" for e in doc["events"])
    assert doc["filter"] == "type:capture"
    text = export_view(store, view="timeline", fmt="text", filter="type:capture")
    assert "filter: type:capture" in text


# --------------------------------------------------------------------------- the situation report


def test_sitrep_reads_like_a_report(store):
    md = export_view(store, view="all", fmt="markdown", as_of=parse_as_of("2024-12-05"))
    heads = [line for line in md.splitlines() if line.startswith("#")]
    assert heads == [
        "# Situation report: Rebel offensive in Syria: Aleppo and Hama",
        "## Summary",
        "## Map",
        "## Changes of control since 27 Nov",
        "## Key figures",
        "## Latest events",
        "## Quotes",
        "## Sources",
    ]
    summary = md.split("## Summary")[1].split("## Map")[0].strip().splitlines()
    assert len(summary) == 3
    assert summary[0].startswith("- **Control:** Since 27 Nov: Aleppo (30 Nov)")
    assert "Hama (5 Dec) passed from Government to HTS-led MOC" in summary[0]
    assert "Tal Rifaat (2 Dec) passed from SDF to SNA" in summary[0]
    assert "Hama falls to the HTS-led coalition (5 Dec)" in summary[1]
    assert "Deaths (total): 727" in summary[2] and "https://" in summary[2]
    # disagreeing publishers side by side (OCHA's 69, SOHR's 111, SNHR's 149); SOHR's own
    # 'more than 727' relayed by the article is SOHR's series, not a competing figure
    figures = md.split("## Key figures")[1].split("## Latest events")[0]
    assert "| 727 |" in figures and "| 111 |" in figures and "| 149 |" in figures
    assert "| more than 727 |" not in figures
    # the sources: numbered, deduplicated, every URL cited above is listed
    sources = md.split("## Sources")[1]
    listed = re.findall(r"^(\d+)\. .*?(?:<(https?://[^>]+)>|\(no link\))$", sources, re.M)
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
    urls = [u for _, u in listed if u]
    # one entry per URL, except a relayed citation ("SOHR, as reported in the seed
    # article"), listed apart from the publisher's own
    relayed = re.findall(
        r"^\d+\. .*, as reported in the seed article.*<(https?://[^>]+)>$", sources, re.M
    )
    direct = list(urls)
    for u in relayed:
        direct.remove(u)
    assert len(direct) == len(set(direct)) >= 10
    assert sorted(relayed) == [
        "https://www.cnn.com/",
        "https://www.hrw.org/",
        "https://www.state.gov/",
        "https://www.syriahr.com/en/",
    ]
    body = md.split("## Sources")[0]
    for url in set(re.findall(r"\]\((https?://[^)]+)\)", body)):
        assert url in urls


def test_sitrep_before_the_period(store):
    md = export_view(store, view="all", fmt="markdown", as_of=parse_as_of("2024-11-26"))
    assert "No change of control yet: the period begins on 27 November 2024." in md
    assert "No figures reported as of 26 November 2024." in md
    doc = json.loads(export_view(store, view="all", fmt="json", as_of=parse_as_of("2024-11-26")))
    holder = {c["place"]: c["faction"] for c in doc["control"]}
    assert holder["aleppo"] == holder["hama"] == "government"
    assert doc["changes"] == [] and doc["figures"] == [] and doc["events"] == []


def test_sitrep_text_has_every_section(store):
    out = export_view(store, view="all", fmt="text", width=100)
    for head in ("Summary", "Map", "Changes of control since 27 Nov", "Key figures"):
        assert f"\n{head}\n" in out
    for head in ("Latest events", "Quotes", "Sources"):
        assert f"\n{head}\n" in out
    assert "[1]" in out and "https://" in out


# --------------------------------------------------------------------------- the feed


def _import(doc: dict, path: Path) -> Store:
    fresh = Store.open(path, seed=False)
    result = adapt(doc)
    assert result.rejected == []
    cs = fresh.merge(result.records)
    assert cs.rejected == []
    # merge stores records; the document's situation (title, start) is metadata that
    # the seeding path keeps in store.meta, so do the same here
    if "situation" in result.meta:
        fresh.meta["situation"] = result.meta["situation"]
    return fresh


def test_feed_round_trips_into_an_empty_store(store, tmp_path):
    text = export_view(store, view="all", fmt="feed")
    doc = json.loads(text)
    FEED_VALIDATOR.validate(doc)
    assert doc["sitmon_feed"] == 1
    fresh = _import(doc, tmp_path / "copy.json")
    assert fresh.tables == store.tables
    assert export_view(fresh, view="all", fmt="feed") == text


def test_feed_keeps_tombstones_and_cuts_at_as_of(store, tmp_path):
    src = Store.open(tmp_path / "src.json")
    stamp = datetime(2024, 12, 6, tzinfo=SITUATION_TZ)
    victim = next(iter(src.tables["quote"]))
    src.merge([Tombstone(id=victim, kind="quote", updated_at=stamp, reason="duplicate")])
    assert victim not in src.tables["quote"] and src.tables["tombstone"]
    doc = json.loads(export_feed(src))
    FEED_VALIDATOR.validate(doc)
    assert doc["tombstones"] == [
        {"id": victim, "kind": "quote", "updated_at": stamp.isoformat(), "reason": "duplicate"}
    ]
    fresh = _import(doc, tmp_path / "copy.json")
    assert fresh.tables == src.tables
    # as of 26 Nov: no event of the offensive, only the baseline of control
    early = json.loads(export_view(src, view="all", fmt="feed", as_of=parse_as_of("2024-11-26")))
    FEED_VALIDATOR.validate(early)
    assert all(e["time"] < "2024-11-27" for e in early["events"])
    assert all(c["valid_from"] < "2024-11-27" for c in early["control"])
    assert early["figures"] == [] and early["quotes"] == []
    assert len(early["places"]) == len(src.places)


# --------------------------------------------------------------------------- hostile data

H = (
    "\x1b]0;x\x07 \x1b[2J \x9b31m \x9d8;;http://x\x9c NUL\x00 DEL\x7f \u202eevil\u202c "
    "\u2066iso\u2069 \u200b\ufeff </code> <script>alert(1)</script> | pipe "
    "[x](javascript:alert(1)) <javascript:alert(2)> ![i](http://x/i.png) `tick` ```fence``` "
    "*b* _u_ ~~s~~ $x$ &amp; &#60; \\| \r\nnew line\ttab\u2028sep # h\n- item"
)
HOSTILE_URL = "javascript:alert(1)"


def hostile_records(text: str = H) -> list:
    stamp = datetime(2024, 12, 5, 23, tzinfo=SITUATION_TZ)
    t0 = datetime(2024, 11, 27, tzinfo=SITUATION_TZ)
    refs = [
        SourceRef(source="evil", url=HOSTILE_URL, note=text),
        SourceRef(source="evil", url="https://example.org/a b|c(d)<e>\x1b[0m", note="x"),
        SourceRef(source="good", url="data:text/html,<script>alert(1)</script>"),
        SourceRef(source="good", url="http://ok.example/1"),
    ]
    return [
        Source(id="evil", name=text, kind="media", url="vbscript:msgbox(1)", updated_at=stamp),
        Source(id="good", name="Good " + text[:40], url="https://good.example/", updated_at=stamp),
        Faction(
            id="f1",
            name=text,
            short="\x1b[2J|<b>`x`\u202e",
            symbol="|",
            colour="#123456",
            updated_at=stamp,
            sources=refs,
        ),
        Faction(id="f2", name="Two", short="Two", symbol="T", colour="#654321", updated_at=stamp),
        Place(
            id="p1",
            name="Aleppo " + text,
            alt_names=[text],
            lat=36.2,
            lon=37.16,
            note=text,
            updated_at=stamp,
            sources=refs,
        ),
        Place(id="p2", name="Hama\x1b[31m", lat=35.13, lon=36.75, updated_at=stamp, sources=refs),
        ControlChange(
            id="c1", place="p1", faction="f2", valid_from=t0 - timedelta(days=9), updated_at=stamp
        ),
        ControlChange(
            id="c2",
            place="p1",
            faction="f1",
            valid_from=t0 + timedelta(days=2),
            note=text,
            updated_at=stamp,
            sources=refs,
        ),
        ControlChange(
            id="c3",
            place="p2",
            faction="f1",
            status="contested",
            valid_from=t0 + timedelta(days=3),
            note=text,
            updated_at=stamp,
            sources=refs,
        ),
        Event(
            id="e1",
            time=t0 + timedelta(days=1),
            title=text[:500],
            summary=text,
            type="capture",
            places=["p1", "p2"],
            factions=["f1"],
            actors=[text[:500]],
            url=HOSTILE_URL,
            updated_at=stamp,
            sources=refs,
        ),
        Quote(
            id="q1",
            speaker=text[:500],
            role=text[:500],
            text=text,
            said_at=t0 + timedelta(days=2),
            outlet=text[:500],
            context=text,
            places=["p1"],
            event="e1",
            updated_at=stamp,
            sources=refs,
        ),
        Figure(
            id="g1",
            metric="deaths_total",
            value=12,
            unit=text[:500],
            as_of=t0 + timedelta(days=2),
            scope=text[:500],
            note=text,
            updated_at=stamp,
            sources=refs,
        ),
        Figure(
            id="g2",
            metric="deaths_total",
            value=15,
            qualifier="more than",
            as_of=t0 + timedelta(days=3),
            updated_at=stamp,
            sources=[SourceRef(source="good", url="https://good.example/2")],
        ),
        Tombstone(id="gone", kind="event", reason=text[:500], updated_at=stamp, sources=refs),
    ]


def hostile_store(path: Path, text: str = H) -> Store:
    s = Store.open(path, seed=False)
    cs = s.merge(hostile_records(text))  # straight in: no ingest sanitizing
    assert cs.rejected == []
    s.meta["situation"] = {"title": text, "start": "2024-11-27"}
    return s


@pytest.fixture
def evil(tmp_path) -> Store:
    return hostile_store(tmp_path / "evil.json")


def test_the_hostile_store_really_holds_raw_controls(evil):
    assert "\x1b]0;x\x07" in evil.tables["event"]["e1"].title
    assert evil.tables["source"]["evil"].url == "vbscript:msgbox(1)"


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_no_control_character_or_bad_link_from_hostile_data(evil, view, fmt):
    for ascii in (False, True):
        for width in (40, 80):
            out = export_view(evil, view=view, fmt=fmt, width=width, ascii=ascii)
            assert_safe(out, fmt, ascii=ascii, width=width)
            assert "\x1b" not in out and "\\u001b" not in out
            if fmt == "markdown":
                bare = re.sub(r"<https?://[^<>\s]+>", "", out)  # autolinks to web pages
                bare = re.sub(r"(?ms)^(`{3,})text$.*?^\1$", "", bare)  # the map's code block
                assert re.search(r"(?<!\\)<", bare) is None  # no tag, no autolink but web ones
                assert re.search(r"(?<!\\)\]\((?!https?://)", out) is None  # [..](non-web)
            if fmt == "json":  # text fields keep the words; no `url` keeps a non-web address
                assert '"url": "javascript' not in out and '"url": "vbscript' not in out
                assert '"url": "data:' not in out
                VALIDATOR.validate(json.loads(out))


def test_hostile_text_is_still_shown_as_literal_text(evil):
    md = export_view(evil, view="timeline", fmt="markdown")
    assert r"\<script\>alert(1)\</script\>" in md
    assert r"\[x\](javascript:alert(1))" in md
    rendered = md_parser().render(md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "&amp;amp; &amp;#60;" in rendered  # entities stay literal text
    assert "<script" not in rendered and "javascript:" not in re.sub(r">[^<]*<", "><", rendered)


def test_hostile_feed_is_safe_and_still_imports(evil, tmp_path):
    text = export_view(evil, view="all", fmt="feed")
    assert_safe(text, "feed")
    doc = json.loads(text)
    FEED_VALIDATOR.validate(doc)
    assert '"url": "javascript' not in text and '"url": "vbscript' not in text
    fresh = _import(doc, tmp_path / "copy.json")
    assert set(fresh.tables["event"]) == {"e1"}
    assert fresh.tables["event"]["e1"].title.startswith("]0;x ")


TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Co")
    ),
    min_size=1,
    max_size=60,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT)
def test_any_text_in_the_store_exports_safely(tmp_path_factory, text):
    s = hostile_store(tmp_path_factory.mktemp("h") / "s.json", text)
    for view in VIEWS:
        for fmt in TEXT_FORMATS:
            for ascii in (False, True):
                out = export_view(s, view=view, fmt=fmt, width=48, ascii=ascii)
                assert_safe(out, fmt, ascii=ascii, width=48)


def test_sanitize_output_is_the_last_line_of_defence():
    assert sanitize_output("a\x1bb\x9bc\u202ed\te\n") == "a\ufffdb\ufffdc\ufffdd e\n"
    assert sanitize_output("Ḥamā — “x”\x00", ascii=True) == 'Hama - "x"?'
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url(" https://x.example")
    assert not is_web_url("https://")
    assert is_web_url("HTTPS://x.example/a?b=c")


# --------------------------------------------------------------------------- writing files


def test_write_export_is_atomic_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "out.md"
    write_export("one\n", path)
    assert path.read_text() == "one\n"
    with pytest.raises(ExportExistsError, match="already exists") as info:
        write_export("two\n", path)
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, ExportError)
    assert path.read_text() == "one\n"
    write_export("two\n", path, force=True)
    assert path.read_text() == "two\n"
    assert sorted(os.listdir(tmp_path)) == ["out.md"]  # no temp file left behind
    with pytest.raises(ExportError, match="does not exist"):
        write_export("x", tmp_path / "missing" / "out.md")
    with pytest.raises(ExportError, match="folder"):
        write_export("x", tmp_path, force=True)


# --------------------------------------------------------------------------- the command line


def run_cli(tmp_path: Path, *args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sitmon",
            "--store",
            str(store or tmp_path / "s.json"),
            *args,
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "s.json"
    Store.open(path)
    return path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--view", "nope"], "invalid choice"),
        (["--format", "pdf"], "invalid choice"),
        (["--as-of", "2024-13-45"], "not an ISO-8601 date"),
        (["--as-of", "yesterday"], "not an ISO-8601 date"),
        (["--width", "30"], "must be 40 to 1000"),
        (["--width", "wide"], "not a whole number"),
        (["--view", "map", "--height", "5"], "at least 10 for the map"),
        (["--view", "all", "--height", "9"], "at least 10 for the map"),
        (["--height", "0", "--view", "timeline"], "must be 1 to 1000"),
        (["--place", "Atlantis"], "unknown place 'Atlantis'"),
        (["--place", "a"], "ambiguous place 'a'"),
        (["--view", "timeline", "--format", "feed"], "--view all"),
        (["--format", "feed", "--place", "Hama"], "no --place"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_one_line_exit_2(tmp_path, cli_store, args, words):
    r = run_cli(tmp_path, "export", *args, store=cli_store)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and words in err and err.startswith("sitmon")
    assert r.stdout == b""


def test_output_file_force_and_stdout_agree(tmp_path, cli_store):
    out = tmp_path / "report.md"
    args = ["export", "--view", "all", "--format", "markdown", "--as-of", "2024-12-05"]
    r = run_cli(tmp_path, *args, "--output", str(out), store=cli_store)
    assert r.returncode == 0, r.stderr
    r2 = run_cli(tmp_path, *args, store=cli_store)
    assert r2.returncode == 0 and r2.stdout == out.read_bytes()
    out.write_text("keep me\n")
    r = run_cli(tmp_path, *args, "--output", str(out), store=cli_store)
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "already exists" in err
    assert out.read_text() == "keep me\n"
    r = run_cli(tmp_path, *args, "--output", str(out), "--force", store=cli_store)
    assert r.returncode == 0 and out.read_bytes() == r2.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_cli_text_ascii_width_and_timestamp(tmp_path, cli_store):
    r = run_cli(tmp_path, "export", "--view", "all", "--ascii", "--width", "64", store=cli_store)
    assert r.returncode == 0
    text = r.stdout.decode("ascii")
    long = [line for line in text.splitlines() if len(line) > 64]
    assert long and all(is_web_url(line) for line in long)  # only whole URLs pass the width
    r1 = run_cli(tmp_path, "export", "--view", "stats", "--format", "json", store=cli_store)
    r2 = run_cli(tmp_path, "export", "--view", "stats", "--format", "json", store=cli_store)
    assert r1.stdout == r2.stdout and b"generated_at" not in r1.stdout
    r3 = run_cli(
        tmp_path, "export", "--view", "stats", "--format", "json", "--timestamp", store=cli_store
    )
    assert b'"generated_at"' in r3.stdout


def test_cli_report_at_80_holds_every_source_url_whole_on_one_line(tmp_path, cli_store):
    r = run_cli(tmp_path, "export", "--view", "all", "--width", "80", store=cli_store)
    assert r.returncode == 0
    lines = [line.strip() for line in r.stdout.decode("utf-8").splitlines()]
    store = Store.open(cli_store, seed=False)
    snap = store.snapshot()

    def urls_of(records) -> set[str]:
        out = set()
        for rec in records:
            for ref in rec.sources:
                src = store.sources.get(ref.source)
                url = ref.url or (src.url if src else "")
                if url:
                    out.add(url)
        return out

    every = urls_of(
        r for t in ("event", "quote", "figure", "control") for r in store.tables[t].values()
    ) | {src.url for src in store.sources.values() if src.url}
    # no line holds a piece of a URL: each URL-bearing line is one whole URL of the store
    url_lines = [line for line in lines if "://" in line]
    assert len(url_lines) >= 20
    assert all(line in every for line in url_lines), [x for x in url_lines if x not in every]
    # the report's quotes, figures and events since the start cite theirs, each whole
    shown = urls_of(snap.quotes) | urls_of(f for m in snap.figures for f in (m.latest, *m.others))
    shown |= urls_of(e for e in snap.events if snap.first is None or e.time >= snap.first)
    for url in sorted(shown):
        assert url in lines, url
    # and every source of the store, cited by the report or not, is there whole too
    # (the report lists the uncited ones under "Other sources in this store")
    for src in store.sources.values():
        if src.url:
            assert src.url in lines, src.url
    assert "Other sources in this store" in lines


PROBE = """
import sys, io, contextlib, json
sys.path.insert(0, {root!r})
from sitmon.tui.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    rc = main({argv!r})
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'textual', 'httpx'}})
print(json.dumps({{'rc': rc, 'heavy': heavy, 'n': len(out.getvalue())}}))
"""


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "feed"])
def test_export_imports_neither_textual_nor_httpx(tmp_path, cli_store, fmt):
    argv = ["--store", str(cli_store), "export", "--view", "all", "--format", fmt]
    r = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT), argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["rc"] == 0 and res["n"] > 1000
    assert res["heavy"] == [], f"sitmon export imported {res['heavy']}"


def test_ascii_transliterates_data_text(tmp_path):
    s = hostile_store(tmp_path / "s.json", "Ḥamā “Ḥalab” — ١٢٣ 中文")
    out = export_view(s, view="all", fmt="text", ascii=True)
    assert out.isascii() and "Hama" in out
    for ch in out:
        assert unicodedata.category(ch) != "Cc" or ch == "\n"


def test_summary_phrases_for_every_kind_of_change(tmp_path):
    from tests.support import factories as f

    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(
        [
            *f.base_world(),
            f.place("idlib", 35.93, 36.63, "Idlib"),
            f.control("aleppo", "reb", 2),
            f.control("hama", "reb", 3, status="contested"),
            f.control("homs", "reb", 1),
            f.control("homs", "gov", 4),
            f.control("idlib", "reb", 2),
            f.event(1, places=("aleppo",), factions=("reb",), type="capture"),
        ]
    )
    s.meta["situation"] = {"title": "Test", "start": "2024-11-27"}
    doc = json.loads(export_view(s, view="all", fmt="json", as_of=parse_as_of("2024-12-05")))
    assert doc["summary"]["control"] == (
        "Since 27 Nov: Aleppo (29 Nov) passed from gov to reb; Idlib (29 Nov) now held by reb; "
        "Hama (30 Nov) contested by reb (was gov on 27 Nov); "
        "Homs (1 Dec) changed hands and returned to gov."
    )
    assert doc["summary"]["latest"] == "Event number 1 (27 Nov); 1 event reported since 27 Nov."
    assert doc["summary"]["figures"] == "No figures reported as of 5 December 2024."
    md = export_view(s, view="all", fmt="markdown", as_of=parse_as_of("2024-12-05"))
    assert "| **Homs** | 2024-11-28 | gov → reb |" in md
    assert "|   | 2024-12-01 | reb → gov |" in md
    assert "| **Hama** | 2024-11-30 | gov → contested by reb |" in md


def test_an_empty_store_exports_reproducibly(tmp_path):
    s = Store.open(tmp_path / "empty.json", seed=False)
    for view in VIEWS:
        for fmt in TEXT_FORMATS:
            out = export_view(s, view=view, fmt=fmt)
            assert_safe(out, fmt, width=80)
            assert str(datetime.now(SITUATION_TZ).year) not in out
            assert "No data in the store" in out or json.loads(out)["as_of"] is None


def test_header_names_the_place_and_filter_shown_in_every_format(store):
    """A reader of a pasted export must see that it is narrowed (text, Markdown, report)."""
    timeline = export_view(store, view="timeline", fmt="text", place="hama", filter="type:capture")
    assert (
        "As of 5 December 2024, end of day (UTC+03) · 1 event · place: Hama · filter: type:capture"
        in " ".join(timeline.split())
    )
    md = export_view(store, view="timeline", fmt="markdown", place="hama", filter="type:capture")
    assert "place: Hama" in md and "filter: type:capture" in md
    report = export_view(store, view="all", fmt="text", place="hama")
    assert "place: Hama" in " ".join(report.split()[:40])
    md_report = export_view(store, view="all", fmt="markdown", place="hama")
    assert "place: Hama" in md_report.split("\n\n")[1]
