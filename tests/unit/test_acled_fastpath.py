"""The ACLED fast path produces exactly what the reference (dict) path produced.

The digests in GOLDEN were captured with the implementation *before* the fast
path existed (every row through ``msgspec.convert`` on dicts): records, their
order, rejections and their reasons, document metadata, or the FeedError
message. Any difference in what ``ingest_bytes`` / ``acled.adapt`` produce for
these documents changes a digest. When a digest fails, the differential tests
below (fast path vs ``acled.adapt_reference``, the kept reference path) show the
first differing record.

Regenerate (only for an intended change of output): ``python tests/unit/test_acled_fastpath.py``.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import re
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sitmon.store import decode, ingest  # noqa: E402
from sitmon.store.actors import ActorMap  # noqa: E402
from sitmon.store.adapters import acled  # noqa: E402
from sitmon.store.adapters.base import AdaptResult, FeedError  # noqa: E402
from sitmon.store.adapters.detect import AdaptContext  # noqa: E402
from sitmon.store.bundled import bundled_document  # noqa: E402
from sitmon.store.decode import one_line  # noqa: E402
from sitmon.store.identity import drop_duplicate_ids  # noqa: E402
from sitmon.store.ingest import decode_document, ingest_bytes, ingest_document  # noqa: E402
from sitmon.store.records import kind_of, record_to_dict  # noqa: E402
from sitmon.store.sanitize import MAX_KEY, MAX_TEXT, clean_text, sanitize_tree  # noqa: E402

FEEDS = ROOT / "examples" / "feeds"
BENCH_FACTIONS = frozenset({"government", "hts_led", "sdf", "sna", "sfa", "southern_opposition"})
OVERRIDES = {
    "Sultan Murad Division": "bad id!",  # not a valid record id: events naming it are rejected
    "Some Unknown Brigade": "sna",
    "Protesters (Syria)": "civil",
}


@cache
def bench_module():
    spec = importlib.util.spec_from_file_location("bench_feeds", ROOT / "bench" / "bench_feeds.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@cache
def bundled():
    recs = bundled_document().records
    places = {r.id: r for r in recs if kind_of(r) == "place"}
    factions = frozenset(r.id for r in recs if kind_of(r) == "faction")
    return places, factions


# ------------------------------------------------------------------ documents


def _row(i: int, **kw) -> dict:
    row = {
        "event_id_cnty": f"EDGE{i:04d}",
        "event_date": "2024-12-06",
        "year": "2024",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "HTS: Hayat Tahrir al Sham",
        "assoc_actor_1": "",
        "actor2": "Military Forces of Syria (2000-)",
        "assoc_actor_2": "",
        "admin1": "Example Governorate",
        "location": f"Edgetown {i % 7}",
        "latitude": "34.9000",
        "longitude": "36.7000",
        "geo_precision": "1",
        "source": "Synthetic Observer",
        "notes": f"Synthetic edge case {i}.",
        "fatalities": "3",
        "timestamp": str(1733500000 + i),
    }
    row.update(kw)
    return row


def edge_rows() -> list:
    capture = "Non-state actor overtakes territory"
    regains = "Government regains territory"
    rows: list = [
        _row(0),
        _row(
            1,
            notes='He said "hold" \\ then\tleft\r\nover\x1b[31m red\x85 \u200bzw \u202eRTL\ufeff\x7f',
        ),
        _row(2, notes=" " * 10 + "n" * 25_000),
        _row(3, event_date=" " * 30_000 + "2024-12-05"),
        _row(4, latitude=35.05, longitude=36, fatalities=2, timestamp=1733610000, geo_precision=2),
        _row(5, location="Nowhere Far", latitude="95.5", longitude="36.1"),
        _row(6, fatalities=str(10**13)),
        _row(7, event_id_cnty="SYR 123/ä"),
        _row(8, event_id_cnty=12345),
        _row(9, event_id_cnty=1.5),
        _row(10, event_id_cnty=None),
        _row(11, fatalities=True),
        _row(12, actor2=["a", "b"]),
        "not a row",
        17,
        None,
        _row(16, event_date="07-12-2024"),
        _row(17, event_date="2024-13-45"),
        _row(18, sub_event_type=capture),
        _row(19, sub_event_type=capture, actor1="Some Unknown Brigade"),
        _row(20, sub_event_type=regains, actor1="Unknown Militia"),
        _row(21, sub_event_type=capture, geo_precision="2"),
        _row(22, sub_event_type=capture, geo_precision="3"),
        _row(
            23, assoc_actor_1="Sultan Murad Division; JaS: Levant Front;; HTS: Hayat Tahrir al Sham"
        ),
        _row(24, location="Homs"),
        _row(25, location="homs", sub_event_type=capture),
        _row(26, location="Deir ez-Zor", sub_event_type=regains, actor1="Military Forces of Syria"),
        _row(27, location="Edgetown 6", latitude="10.0", longitude="10.0"),
        _row(28, timestamp="-5"),
        _row(29, timestamp="99999999999999999"),
        _row(30, location="", sub_event_type=""),
        _row(31, location="", admin1="", sub_event_type="", event_type=""),
        _row(32, latitude="1e1", longitude=" 36.5 "),
        _row(33, latitude="nan"),
        _row(34, sub_event_type="S" * 480, location="L" * 100),
        _row(35, actor1="A" * 600),
        _row(36, location="Ü" * 600),
        _row(37, event_id_cnty="E" * 200),
        _row(38, notes="\r\nline\rline\n"),
        _row(39, timestamp="1733500000.0"),
        _row(40, timestamp="  1733500001 "),
        _row(41, fatalities="2.5"),
        _row(42, fatalities="-1"),
        _row(43, geo_precision="1.0", sub_event_type=capture),
        _row(
            44,
            event_type="Protests",
            sub_event_type="Peaceful protest",
            actor1="Protesters (Syria)",
        ),
        _row(45, sub_event_type="Agreement", geo_precision=3),
        _row(46, actor1="Sultan Murad Division", sub_event_type=capture),
        _row(47, location="Edgetown 1", latitude=None),
        _row(48, event_id_cnty="  ", notes=None),
        _row(49, source=123, admin1=4.5),
        _row(50, actor1="", actor2="", sub_event_type=capture),
        _row(51, event_date=20241206),
        _row(52, notes={"nested": ["x"]}),
        _row(53, latitude="-90", longitude="-180", location="Corner"),
        _row(54, latitude="90.0001", longitude="0", location="Pole"),
        _row(55, location="x" * 30_000),
        _row(56, event_id_cnty="\u200bZW1"),
        _row(57, event_date="2024-12-06T10:00:00Z"),
        _row(58, event_date="2024-12"),
        _row(59, timestamp=""),
        _row(60, timestamp=-1),
        _row(61, fatalities=1.0, geo_precision=1.0),
        _row(62, latitude=True),
        _row(63, assoc_actor_2="Hezbollah;Militia (Pro-Iran); Islamic State (Syria)"),
        _row(64, actor1="Military Forces of Syria (2000-2024)", sub_event_type=capture),
        _row(65, **{"extra": {"deep": [[[1]]]}, "iso": 760}),
    ]
    return rows


def edge_document(ascii_only: bool) -> bytes:
    doc = {
        "_comment": ["synthetic", {"nested": [1, 2, {"x": None}]}],
        "status": 200,
        "success": True,
        "count": {"n": 66, "note": "count\u200b as\x1b an object"},
        "messages": [],
        "data": edge_rows(),
    }
    return json.dumps(doc, ensure_ascii=ascii_only).encode()


def edge_array() -> bytes:
    return json.dumps([r for r in edge_rows() if isinstance(r, dict)][:30]).encode()


def raw_key_document() -> bytes:
    """Duplicate keys and keys that sanitizing changes (hand-written bytes)."""
    return (
        b'{"success": true, "count": 3, "data": ['
        b'{"event_id_cnty": "DUP1", "event_id_cnty": "DUP2", "event_date": "2024-12-06",'
        b' "location": "Dupville", "latitude": "35", "longitude": "37", "notes": "first",'
        b' "notes\\u200b": "second (a zero-width key)"},'
        b'{"event_id_cnty": "KEY1", "event_date": "2024-12-06", "loca\\u0007tion": "Bellville",'
        b' "latitude": "35", "longitude": "37"},'
        b'{"event_id_cnty": "KEY2", "event_date": "2024-12-06", "location": "Plain",'
        b' "latitude": "35", "longitude": "37", "notes": "tab\\there"}'
        b'], "count\xe2\x80\x8b": "a key that sanitizes to count"}'
    )


def clean_escapes_document() -> bytes:
    """Escapes that change nothing (quotes, backslashes, slashes, newlines) and plain UTF-8."""
    rows = [
        _row(i, notes=f'The "{i}" case \\ a/b\nnext line: café, Ḥalab, ’quoted’') for i in range(40)
    ]
    return json.dumps({"status": 200, "success": True, "count": 40, "data": rows}).encode()


ERROR_DOCS = {
    "success_false": b'{"status": 403, "success": false, "error": [{"message": "Access denied"}]}',
    "data_not_list": b'{"status": 200, "success": true, "data": {"a": 1}}',
    "data_missing": b'{"status": 200, "success": true, "count": 0}',
    "scalar": b"42",
    "deep_extra": b'{"data": [], "x": ' + b"[" * 70 + b"]" * 70 + b"}",
    "big_int_in_row": b'{"data": [{"event_id_cnty": "X", "fatalities": 123456789012345678901234567890}]}',
    "long_number_in_extra": b'{"data": [], "x": 1.' + b"1" * 60 + b"}",
    "bad_utf8": b'{"data": [{"event_id_cnty": "caf\xe9"}]}',
    "nan": b'{"data": [{"event_id_cnty": "X", "latitude": NaN}]}',
    "truncated": b'{"data": [{"event_id_cnty": "X"',
    "html": b"<!DOCTYPE html><html>login</html>",
    "dup_data_key": b'{"data": [{"event_id_cnty": "X", "event_date": "2024-12-06"}], "data": 5}',
    "dirty_data_key": b'{"data": [], "data\\u200b": [{"event_id_cnty": "Y", "event_date": "2024-12-06"}]}',
}


@cache
def documents() -> dict[str, bytes]:
    bench = bench_module()
    docs = {
        "sample": (FEEDS / "sample.acled.json").read_bytes(),
        "bench10k": bench.acled_document(10_000),
        "edge_ascii": edge_document(True),
        "edge_utf8": edge_document(False),
        "edge_array": edge_array(),
        "raw_keys": raw_key_document(),
        "clean_escapes": clean_escapes_document(),
    }
    docs.update({f"error_{k}": v for k, v in ERROR_DOCS.items()})
    return docs


#: when every document "arrived": the version of the places ACLED rows make (issue 11)
ARRIVED = datetime(2024, 12, 8, 6, 0, tzinfo=UTC)


def context_kwargs(name: str) -> dict:
    if name == "bench":
        return {"source_name": "acled", "factions": BENCH_FACTIONS, "arrived_at": ARRIVED}
    if name == "bundled":
        places, factions = bundled()
        return {
            "source_name": "sample",
            "places": places,
            "factions": factions,
            "arrived_at": ARRIVED,
        }
    if name == "overrides":
        return {"source_name": "over rides!", "faction_map": OVERRIDES, "arrived_at": ARRIVED}
    return {"source_name": "acled", "arrived_at": ARRIVED}


def adapt_context(name: str) -> AdaptContext:
    kw = context_kwargs(name)
    return AdaptContext(
        source_name=kw["source_name"],
        actors=ActorMap(kw.get("faction_map")),
        places=kw.get("places"),
        factions=kw.get("factions"),
        arrived_at=kw["arrived_at"],
    )


# ------------------------------------------------------------------ fingerprints


def outcome(result: AdaptResult) -> dict:
    return {
        "format": result.format,
        "meta": result.meta,
        "records": [[kind_of(r), type(r).__name__, record_to_dict(r)] for r in result.records],
        "rejected": [[r.kind, r.id, r.reason] for r in result.rejected],
    }


def digest(value) -> str:
    return hashlib.sha256(msgspec.json.encode(value)).hexdigest()[:24]


def run_bytes(doc: str, ctx: str, fmt: str):
    try:
        return outcome(ingest_bytes(documents()[doc], fmt, **context_kwargs(ctx)))
    except FeedError as exc:
        return {"error": str(exc)}


def run_dicts(doc: str, ctx: str, adapt=None):
    """The dict path (what refresh uses): decode_document, then the adapter."""
    what = f"feed {context_kwargs(ctx)['source_name']!r}"
    try:
        decoded = decode_document(documents()[doc], what=what)
        if adapt is None:
            return outcome(ingest_document(decoded, "acled", adapt_context(ctx)))
        return outcome(adapt(decoded, adapt_context(ctx)))
    except FeedError as exc:
        msg = str(exc)  # ingest_bytes names the feed in adapter errors too
        return {"error": msg if msg.startswith(what) else one_line(f"{what}: {msg}", 400)}


CASES = [
    ("sample", "bench", "acled"),
    ("sample", "bundled", "auto"),
    ("sample", "default", "acled"),
    ("sample", "overrides", "auto"),
    ("bench10k", "bench", "acled"),
    ("bench10k", "bundled", "auto"),
    ("bench10k", "overrides", "acled"),
    *[
        (d, c, f)
        for d in ("edge_ascii", "edge_utf8")
        for c in ("bench", "bundled", "default", "overrides")
        for f in ("acled", "auto")
    ],
    *[
        (d, c, f)
        for d in ("edge_array", "raw_keys", "clean_escapes")
        for c in ("bundled", "overrides")
        for f in ("acled", "auto")
    ],
    *[(f"error_{k}", "bundled", f) for k in ERROR_DOCS for f in ("acled", "auto")],
]

# Captured with the pre-fast-path implementation (see the module docstring).
GOLDEN: dict[str, str] = {
    "sample/bench/acled": "4a1303d43b3708e4ab8a8d15",
    "sample/bundled/auto": "c0d1d5b015b251a50024d002",
    "sample/default/acled": "c0d1d5b015b251a50024d002",
    "sample/overrides/auto": "c0d1d5b015b251a50024d002",
    "bench10k/bench/acled": "5742257b4f9b06f64b73844e",
    "bench10k/bundled/auto": "5742257b4f9b06f64b73844e",
    "bench10k/overrides/acled": "37cc6699b16679b428a1fed1",
    "edge_ascii/bench/acled": "50292a5ef22215258ff9d7eb",
    "edge_ascii/bench/auto": "50292a5ef22215258ff9d7eb",
    "edge_ascii/bundled/acled": "4d4651e6e47ce15d0eb26886",
    "edge_ascii/bundled/auto": "4d4651e6e47ce15d0eb26886",
    "edge_ascii/default/acled": "4d4651e6e47ce15d0eb26886",
    "edge_ascii/default/auto": "4d4651e6e47ce15d0eb26886",
    "edge_ascii/overrides/acled": "b12556773ab13bd82bc033fe",
    "edge_ascii/overrides/auto": "b12556773ab13bd82bc033fe",
    "edge_utf8/bench/acled": "50292a5ef22215258ff9d7eb",
    "edge_utf8/bench/auto": "50292a5ef22215258ff9d7eb",
    "edge_utf8/bundled/acled": "4d4651e6e47ce15d0eb26886",
    "edge_utf8/bundled/auto": "4d4651e6e47ce15d0eb26886",
    "edge_utf8/default/acled": "4d4651e6e47ce15d0eb26886",
    "edge_utf8/default/auto": "4d4651e6e47ce15d0eb26886",
    "edge_utf8/overrides/acled": "b12556773ab13bd82bc033fe",
    "edge_utf8/overrides/auto": "b12556773ab13bd82bc033fe",
    "edge_array/bundled/acled": "a046edf257128191484d56ab",
    "edge_array/bundled/auto": "a046edf257128191484d56ab",
    "edge_array/overrides/acled": "c7b4d8f0ed100609ca860f1f",
    "edge_array/overrides/auto": "c7b4d8f0ed100609ca860f1f",
    "raw_keys/bundled/acled": "7b15903513d962c72715db75",
    "raw_keys/bundled/auto": "7b15903513d962c72715db75",
    "raw_keys/overrides/acled": "7b15903513d962c72715db75",
    "raw_keys/overrides/auto": "7b15903513d962c72715db75",
    "clean_escapes/bundled/acled": "c482bf74468b95106615f6fd",
    "clean_escapes/bundled/auto": "c482bf74468b95106615f6fd",
    "clean_escapes/overrides/acled": "c482bf74468b95106615f6fd",
    "clean_escapes/overrides/auto": "c482bf74468b95106615f6fd",
    "error_success_false/bundled/acled": "580628f5a0d1e97b82a684c5",
    "error_success_false/bundled/auto": "97253a3454e307a29d11b21e",
    "error_data_not_list/bundled/acled": "19ece9e057ebb4889ab65678",
    "error_data_not_list/bundled/auto": "a09bb46b12fc15a6b14276e8",
    "error_data_missing/bundled/acled": "fddcf9d79be497f8225370fe",
    "error_data_missing/bundled/auto": "4afcdbe895f3a9c39c32d752",
    "error_scalar/bundled/acled": "2fb304b9afab191fc217d110",
    "error_scalar/bundled/auto": "8fe95b9ece6016bf68f6bdd6",
    "error_deep_extra/bundled/acled": "0d8e020cd4b2beb8692a1c8d",
    "error_deep_extra/bundled/auto": "0d8e020cd4b2beb8692a1c8d",
    "error_big_int_in_row/bundled/acled": "97009acd855edd84906e5e83",
    "error_big_int_in_row/bundled/auto": "97009acd855edd84906e5e83",
    "error_long_number_in_extra/bundled/acled": "4a8cb6748214d6f567acaa25",
    "error_long_number_in_extra/bundled/auto": "4a8cb6748214d6f567acaa25",
    "error_bad_utf8/bundled/acled": "d2f3fddb8d1dfebfd0e37c0f",
    "error_bad_utf8/bundled/auto": "d2f3fddb8d1dfebfd0e37c0f",
    "error_nan/bundled/acled": "ff5671fc0d9bf1340fe9b34a",
    "error_nan/bundled/auto": "ff5671fc0d9bf1340fe9b34a",
    "error_truncated/bundled/acled": "ded480b860f7f2950680b73a",
    "error_truncated/bundled/auto": "ded480b860f7f2950680b73a",
    "error_html/bundled/acled": "47e7f98701a352cbb276c779",
    "error_html/bundled/auto": "47e7f98701a352cbb276c779",
    "error_dup_data_key/bundled/acled": "fd4d99bdae4e5955a9775075",
    "error_dup_data_key/bundled/auto": "619386db1341feb37f764094",
    "error_dirty_data_key/bundled/acled": "1d0c879080b12d62b4a24a27",
    "error_dirty_data_key/bundled/auto": "76b00a61bd579ba773dd06a1",
}


def case_id(case) -> str:
    return "/".join(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_ingest_bytes_matches_golden(case):
    assert digest(run_bytes(*case)) == GOLDEN[case_id(case)]


@pytest.mark.parametrize("case", [c for c in CASES if c[0] != "bench10k"], ids=case_id)
def test_dict_path_matches_golden(case):
    """acled.adapt on decoded dicts (the refresh path) is pinned to the same output."""
    doc, ctx, fmt = case
    got = run_dicts(doc, ctx)
    if fmt == "acled":
        assert digest(got) == GOLDEN[case_id(case)]
    else:  # auto only differs in detection; compare with the bytes path instead
        assert got == run_bytes(doc, ctx, "acled")


def reference_bytes(raw: bytes, fmt: str, **kw):
    """ingest_bytes the reference way: decode_document, detect, acled.adapt_reference."""
    what = f"feed {kw['source_name']!r}"
    try:
        doc = decode_document(raw, what=what)
        ctx = AdaptContext(
            source_name=kw["source_name"],
            actors=ActorMap(kw.get("faction_map")),
            places=kw.get("places"),
            factions=kw.get("factions"),
            arrived_at=kw["arrived_at"],
        )
        if fmt == "auto":
            result = ingest_document(doc, "auto", ctx)
            if result.format == "acled":
                result = acled.adapt_reference(doc, ctx)
                result.meta.setdefault("format", "acled")
        else:
            result = acled.adapt_reference(doc, ctx)
            result.meta.setdefault("format", "acled")
        drop_duplicate_ids(result)  # what ingest does after any adapter
        return outcome(result)
    except FeedError as exc:
        msg = str(exc)
        return {"error": msg if msg.startswith(what) else one_line(f"{what}: {msg}", 400)}


def fast_bytes(raw: bytes, fmt: str, **kw):
    try:
        return outcome(ingest_bytes(raw, fmt, **kw))
    except FeedError as exc:
        return {"error": str(exc)}


@pytest.mark.parametrize(
    "case", [c for c in CASES if c[2] == "acled" and c[0] != "bench10k"], ids=case_id
)
def test_reference_path_is_the_captured_one(case):
    """adapt_reference (kept for the tests below) still gives the captured output."""
    doc, ctx, fmt = case
    assert (
        digest(reference_bytes(documents()[doc], fmt, **context_kwargs(ctx)))
        == GOLDEN[case_id(case)]
    )


def test_bench_document_takes_the_fast_path_for_every_row(monkeypatch):
    calls = []
    real_row = acled._row
    monkeypatch.setattr(acled, "_row", lambda *a: calls.append(1) or real_row(*a))
    for name in ("bench10k", "sample"):
        for ctx in ("bench", "bundled", "default"):
            ingest_bytes(documents()[name], "acled", **context_kwargs(ctx))
            ingest_bytes(documents()[name], "auto", **context_kwargs(ctx))
            acled.adapt(json.loads(documents()[name]), adapt_context(ctx))
    assert calls == []


# ------------------------------------------------------------------ near misses

HOSTILE_TEXT = [
    "",
    " ",
    "  padded  ",
    "Synthville",
    "Homs",
    "homs",
    "Deir ez-Zor",
    "HTS: Hayat Tahrir al Sham",
    "Military Forces of Syria (2000-); Sultan Murad Division",
    "Some Unknown Brigade",
    "Non-state actor overtakes territory",
    "Government regains territory",
    "Agreement",
    "2024-12-06",
    "07-12-2024",
    "2024-13-45",
    "1733500000",
    " 17 ",
    "-3",
    "2.5",
    "1e3",
    "nan",
    "inf",
    "0x10",
    "٣",
    "95.0",
    "-180",
    "34.9000",
    "\x1b[31mred",
    "zero\u200bwidth",
    "\u202eRTL",
    "tab\there",
    "cr\r\nlf",
    "\x85c1",
    "\ufeffbom",
    'quote " and back\\slash',
    "[size=no report] {x}",
    "é’“”",
    "x" * 600,
    "9" * 45,
    " " * 20_001 + "2024-12-06",
]
FIELDS = list(acled.AcledRow.__struct_fields__) + ["iso", "extra"]
ROW_VALUES = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.none(),
    st.booleans(),
    st.integers(-5, 2_000_000_000),
    st.sampled_from([0, 1, 2, 3, 10**13, 2**63, 35.05, 1.0, -0.0, 1e300]),
    st.text(max_size=12),
    st.lists(st.sampled_from(["a", 1, None]), max_size=2),
    st.dictionaries(st.sampled_from(["k", "[", "\x1b"]), st.sampled_from([1, "v"]), max_size=2),
)


@st.composite
def acled_documents(draw):
    base = json.loads((FEEDS / "sample.acled.json").read_text())
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = dict(draw(st.sampled_from(base["data"])))
        for _ in range(draw(st.integers(0, 4))):
            field = draw(st.sampled_from(FIELDS))
            if draw(st.booleans()) and field in row:
                del row[field]
            else:
                row[field] = draw(ROW_VALUES)
        rows.append(row if draw(st.integers(0, 20)) else draw(ROW_VALUES))
    doc = {"status": 200, "success": True, "count": len(rows), "data": rows}
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(["success", "count", "_comment", "type", "Result", "data"]))
        doc[key] = draw(ROW_VALUES)
    return doc if draw(st.integers(0, 10)) else rows


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    acled_documents(),
    st.sampled_from(["bench", "bundled", "default", "overrides"]),
    st.sampled_from(["acled", "auto"]),
    st.booleans(),
)
def test_fast_path_equals_reference_on_near_misses(doc, ctx, fmt, ascii_only):
    raw = json.dumps(doc, ensure_ascii=ascii_only).encode()
    kw = context_kwargs(ctx)
    assert fast_bytes(raw, fmt, **kw) == reference_bytes(raw, fmt, **kw)
    # the dict path (refresh) too, on the same decoded document
    try:
        want = outcome(acled.adapt_reference(copy.deepcopy(doc), adapt_context(ctx)))
    except FeedError as exc:
        want = {"error": str(exc)}
    try:
        got = outcome(acled.adapt(doc, adapt_context(ctx)))
    except FeedError as exc:
        got = {"error": str(exc)}
    assert got == want


@pytest.mark.fuzz
@settings(max_examples=5_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    acled_documents(),
    st.sampled_from(["bench", "bundled", "default", "overrides"]),
    st.sampled_from(["acled", "auto"]),
    st.booleans(),
)
def test_fast_path_equals_reference_fuzz(doc, ctx, fmt, ascii_only):
    raw = json.dumps(doc, ensure_ascii=ascii_only).encode()
    kw = context_kwargs(ctx)
    assert fast_bytes(raw, fmt, **kw) == reference_bytes(raw, fmt, **kw)


# ------------------------------------------------------------------ strictness on the fast path

ROW = b'{"event_id_cnty": "X1", "event_date": "2024-12-06", "location": "Here", "latitude": "35", "longitude": "36"'


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


HOSTILE_BYTES = {
    "deep_in_unknown_row_field": b'{"data": [' + ROW + b', "x": ' + deep(70) + b"}]}",
    "deep_in_count": b'{"count": ' + deep(65) + b', "data": [' + ROW + b"}]}",
    "deep_in_unknown_top_field": b'{"data": [' + ROW + b'}], "x": {"y": ' + deep(64) + b"}}",
    "deep_under_bracket_escapes": (
        b'{"data": [' + ROW + b', "notes": "' + b"\\u005b" * 80 + b'", "x": ' + deep(70) + b"}]}"
    ),
    "deep_under_bracket_escapes_upper": (
        b'{"data": [' + ROW + b', "notes": "' + b"\\u007B" * 80 + b'", "x": ' + deep(70) + b"}]}"
    ),
    "deep_with_brackets_in_notes": (
        b'{"data": [' + ROW + b', "notes": "' + b"[" * 80 + b'", "x": ' + deep(70) + b"}]}"
    ),
    "deep_behind_escaped_quotes": (
        b'{"data": [' + ROW + b', "notes": "a\\"[[[\\\\", "x": ' + deep(70) + b"}]}"
    ),
    "just_deep_enough": b'{"data": [' + ROW + b', "x": ' + deep(61) + b"}]}",
    "just_too_deep": b'{"data": [' + ROW + b', "x": ' + deep(62) + b"}]}",
    "big_int_in_unknown_field": b'{"data": [' + ROW + b', "x": 123456789012345678901234567890}]}',
    "big_int_in_used_field": b'{"data": [' + ROW[:-1] + b', "fatalities": 99999999999999999999}]}',
    "long_float_in_used_field": b'{"data": [' + ROW + b', "latitude": 35.' + b"1" * 50 + b"}]}",
    "float_overflow": b'{"data": [' + ROW + b', "latitude": 1e999}]}',
    "nan_in_unknown_field": b'{"data": [' + ROW + b', "x": NaN}]}',
    "bad_utf8_in_unknown_field": b'{"data": [' + ROW + b', "x": "caf\xe9"}]}',
    "bad_utf8_in_notes": b'{"data": [' + ROW + b', "notes": "caf\xe9"}]}',
    "trailing_garbage": b'{"data": [' + ROW + b"}]} x",
    "zero_width_key": b'{"data": [' + ROW + b', "notes": "a", "notes\\u200b": "b"}]}',
    "raw_zero_width_key": b'{"data": [' + ROW + b', "notes": "a", "not\xe2\x80\x8bes": "b"}]}',
    "escaped_backslash_then_u": b'{"data": [' + ROW + b', "notes": "C:\\\\users \\\\t"}]}',
    "control_in_value": b'{"data": [' + ROW + b', "notes": "\\u001b[31m red \\t tab"}]}',
    "del_in_location": b'{"data": [' + ROW[:-1] + b', "location": "He\x7fre"}]}',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BYTES))
@pytest.mark.parametrize("fmt", ["acled", "auto"])
def test_fast_path_keeps_every_strictness_guarantee(name, fmt):
    """Same FeedError (one line) or same records as the reference path, byte for byte."""
    raw = HOSTILE_BYTES[name]
    kw = context_kwargs("bundled")
    got = fast_bytes(raw, fmt, **kw)
    assert got == reference_bytes(raw, fmt, **kw)
    if "error" in got:
        assert "\n" not in got["error"]
    if name.startswith(
        ("deep_", "just_too", "big_int", "long_float", "float_o", "nan", "bad_utf8")
    ):
        assert "error" in got, got


def test_long_strings_are_cut_as_sanitize_cuts_them():
    row = _row(1, notes=" " + "n" * 30_000, location="L" * 30_000)
    raw = json.dumps({"data": [row, _row(2)]}).encode()
    got = fast_bytes(raw, "acled", **context_kwargs("bundled"))
    assert got == reference_bytes(raw, "acled", **context_kwargs("bundled"))
    (event,) = [r for k, _, r in got["records"] if k == "event" and r["id"] == "acled-EDGE0001"]
    # cut to 20,000 by sanitizing first, then stripped of the leading space
    assert len(event["summary"]) == 19_999 and event["summary"].endswith("…")


# ------------------------------------------------------------------ the byte-level helpers

_OLD_LONG_SEGMENT = re.compile(rb'"[^"]{%d,}' % (MAX_TEXT + 1))
_OLD_LONG_KEY = re.compile(rb'"[^"]{%d,}"\s*:' % (MAX_KEY + 1))


def old_needs_sanitize(raw: bytes) -> bool:
    """needs_sanitize as it was (regexes over the whole document)."""
    if b"\\" in raw and ingest._ESCAPES.search(raw):
        return True
    if not raw.isascii() and ingest._UNICODE.search(raw):
        return True
    if b"\x7f" in raw:
        return True
    if len(raw) <= MAX_KEY:
        return False
    return bool(
        _OLD_LONG_KEY.search(raw) or (len(raw) > MAX_TEXT and _OLD_LONG_SEGMENT.search(raw))
    )


RUNS = [1, 2, 199, 200, 201, 202, 19_999, 20_000, 20_001, 20_002]
PIECES = st.one_of(
    st.sampled_from([b'"', b":", b" ", b"\n", b" :", b",", b"{", b"[", b"x", b"\\n", b'\\"']),
    st.sampled_from(RUNS).map(lambda n: b"a" * n),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12))
def test_needs_sanitize_is_what_it_was_without_escaped_quotes(pieces):
    raw = b"".join(pieces).replace(b'\\"', b"_")
    assert ingest.needs_sanitize(raw) == old_needs_sanitize(raw)


def _sized(n: int, quotes: int) -> str:
    text = "q" * n
    for k in range(quotes):
        at = (k + 1) * n // (quotes + 1)
        text = text[:at] + '"' + text[at + 1 :]
    return text


SIZED = st.builds(
    _sized,
    st.sampled_from([1, 150, 199, 200, 201, 10_000, 19_999, 20_000, 20_001]),
    st.integers(0, 3),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(SIZED, SIZED | st.lists(SIZED, max_size=2), max_size=3), st.booleans())
def test_needs_sanitize_false_is_exact_and_never_above_the_old_one(doc, pretty):
    """Escaped quotes no longer force a sanitize pass; lengths are measured past them."""
    raw = json.dumps(doc, indent=1 if pretty else None).encode()
    new = ingest.needs_sanitize(raw)
    assert not new or old_needs_sanitize(raw)
    if not new:
        decoded = msgspec.json.decode(raw)
        assert sanitize_tree(decoded) == decoded
    assert decode_document(raw) == sanitize_tree(msgspec.json.decode(raw))


NUMBER_PIECES = st.one_of(
    st.sampled_from([b'"', b" ", b"x", b"e", b"E", b".", b"-", b"+", b"1e-", b"2024-12-06"]),
    st.sampled_from([1, 3, 4, 12, 13, 16, 19, 20, 21, 39, 40, 41, 42]).map(lambda n: b"7" * n),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(NUMBER_PIECES, max_size=14), st.integers(0, 4))
def test_long_number_prescan_is_exact(pieces, shift):
    body = b"y" * shift + b"".join(pieces)
    want = (b"0" * 20) in body.translate(decode._DIGITS_AS_0) or (
        b"0" * (decode.MAX_NUMBER_CHARS + 1)
    ) in body.translate(decode._NUMBER_CHARS_AS_0)
    assert decode._may_have_long_numbers(body) == want


def _brackets_of(value) -> bytes:
    if isinstance(value, dict):
        return b"{" + b"".join(_brackets_of(v) for v in value.values()) + b"}"
    if isinstance(value, list):
        return b"[" + b"".join(_brackets_of(v) for v in value) + b"]"
    return b""


TRICKY_TEXT = st.text(
    alphabet=st.sampled_from(list('ab[]{}"\\/:,') + ["\n", "é", "\x1b"]), max_size=8
)
JSON_VALUES = st.recursive(
    st.none() | st.integers(-5, 5) | TRICKY_TEXT,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(TRICKY_TEXT, c, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.booleans(), st.sampled_from([None, 1]))
def test_structural_brackets_are_exact(value, ascii_only, indent):
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert decode._structural_brackets(raw) == _brackets_of(value)
    # the escape pass agrees with the two-replace fallback it uses past its cap
    assert decode._without_quote_escapes(raw) == decode._without_quote_escapes(raw, cap=0)
    opens = raw.count(b"[") + raw.count(b"{")
    assert decode.count_opens(raw, opens) == opens
    if opens:
        assert decode.count_opens(raw, opens - 1) == opens


NASTY = st.text(
    alphabet=st.sampled_from(
        list('ab "\\/[{é’')
        + ["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u202e", "\u2066"]
        + ["\ufeff", "\t", "\r", "\n", "\x9b", "\u2028", "\x08", "\x0c"]
    ),
    max_size=10,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(NASTY, st.lists(NASTY, max_size=2) | NASTY, max_size=4), st.booleans())
def test_clean_checks_on_bytes_agree_with_sanitizing(doc, ascii_only):
    raw = json.dumps({"data": [doc]}, ensure_ascii=ascii_only).encode()
    decoded = msgspec.json.decode(raw)
    if not ingest.needs_clean(raw):
        assert sanitize_tree(decoded) == decoded
    keys_change = any(clean_text(k, MAX_KEY) != k for k in doc)
    assert ingest.dirty_key(raw) == keys_change or (ingest.dirty_key(raw) and ascii_only)
    if keys_change:
        assert ingest.dirty_key(raw)
    scan = ingest._escape_scan(raw)
    assert scan is not None
    assert scan[0] == bool(re.search(rb"(?<!\\)(?:\\\\)*\\[btrfu]", raw))
    assert not scan[1]
    assert ingest._escape_scan(b'"\\u005B"') == (True, True)
    assert ingest._escape_scan(b'"\\\\u005B"') == (False, False)


UTF8_PIECES = st.one_of(
    st.sampled_from(
        [b"a", b"ab", b"\xc3\xa9", b"\xe2\x80\x99", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80"]
    ),
    st.sampled_from(
        [b"\x80", b"\xbf", b"\xc3", b"\xe2\x80", b"\xff", b"\xc0\xaf", b"\xf4\x90\x80\x80"]
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(UTF8_PIECES, max_size=24), st.integers(1, 12))
def test_piecewise_utf8_check_is_exact(pieces, size):
    body = b"".join(pieces)
    try:
        body.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert decode._valid_utf8(body, size=size) == valid
    assert decode._valid_utf8(body) == valid


if __name__ == "__main__":
    for case in CASES:
        print(f'    "{case_id(case)}": "{digest(run_bytes(*case))}",')


# ------------------------------------------------------------------ readable expectations
# The digests above only say "something changed"; these say what the output is.

SAMPLE_FIRST_EVENT = {
    "id": "acled-SYNTH0001",
    "time": "2024-12-06T00:00:00+03:00",
    "title": "Armed clash: Synthville",
    "summary": "Synthetic example: clashes between two armed groups near Synthville.",
    "type": "battle",
    "places": ["acled-synthville"],
    "factions": ["hts_led", "government"],
    "actors": ["HTS: Hayat Tahrir al Sham", "Military Forces of Syria (2000-)"],
    "fatalities": {"best": 4},
    "updated_at": "2024-12-06T15:46:40Z",
    "sources": [{"source": "feed-acled", "note": "Synthetic Observer"}],
}

ERROR_MESSAGES = {
    "success_false": "feed 'sample': ACLED API error: Access denied",
    "data_not_list": "feed 'sample': ACLED: `data` must be an array, got dict",
    "data_missing": "feed 'sample': ACLED: `data` must be an array, got NoneType",
    "scalar": "feed 'sample': ACLED: expected an API response object with a `data` array",
    "deep_extra": "feed 'sample': JSON nested deeper than 64 levels at byte 81",
    "truncated": (
        "feed 'sample': not valid JSON: the document ends early at byte 31 "
        "(truncated, or an unbalanced bracket or quote)"
    ),
    "bad_utf8": "feed 'sample': invalid UTF-8 at byte 32 (byte 0xe9); JSON must be UTF-8",
    "dup_data_key": "feed 'sample': ACLED: `data` must be an array, got int",
}


@pytest.mark.parametrize("fmt", ["acled", "auto"])
def test_sample_document_written_out(fmt):
    got = run_bytes("sample", "default", fmt)
    kinds = [kind for kind, _cls, _rec in got["records"]]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "source": 1,
        "place": 2,
        "control": 1,
        "event": 4,
    }
    assert got["rejected"] == []
    events = [rec for kind, _cls, rec in got["records"] if kind == "event"]
    assert events[0] == SAMPLE_FIRST_EVENT
    assert [e["id"] for e in events] == [
        "acled-SYNTH0001",
        "acled-SYNTH0002",
        "acled-SYNTH0003",
        "acled-SYNTH0004",
    ]


def test_an_unrecognised_error_body_names_the_formats():
    """Auto-detection of a body that is not surely ACLED (no ``data``): the digests of
    the ``auto`` error cases were re-captured when the list of formats grew (RSS/Atom,
    GDELT, ReliefWeb, HAPI)."""
    got = run_bytes("error_success_false", "bundled", "auto")["error"]
    assert got.startswith(
        "feed 'sample': unknown feed format (an object with keys error, status, success): "
        "expected a sitmon feed (`sitmon_feed`), a JSON Feed"
    )
    assert got.endswith("or RSS/Atom XML")


@pytest.mark.parametrize("name", sorted(ERROR_MESSAGES))
def test_error_documents_written_out(name):
    assert run_bytes(f"error_{name}", "bundled", "acled") == {"error": ERROR_MESSAGES[name]}
