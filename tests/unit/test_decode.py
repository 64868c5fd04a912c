"""Strict decoding of untrusted bytes: FeedError (one line, what and where), nothing else."""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.adapters.base import FeedError
from sitmon.store.decode import MAX_DEPTH, decode_json
from sitmon.store.ingest import decode_document, needs_sanitize
from sitmon.store.sanitize import sanitize_tree

BAD = [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"<!DOCTYPE html><html><body><form>Sign in</form></body></html>", "HTML page"),
    (b"<html><head><title>Login</title>", "HTML page"),
    (b"NaN", "NaN/Infinity"),
    (b'{"a": Infinity}', "NaN/Infinity"),
    (b'{"a": -Infinity}', "NaN/Infinity"),
    (b"[1, 2, NaN]", "NaN/Infinity"),
    (b"\xff\xfe{}", "invalid UTF-8 at byte 0"),
    (b'{"a": "caf\xe9"}', "invalid UTF-8 at byte 10"),
    (b'{"a": 1}trailing', "byte"),
    (b'{"a": 1', "ends early"),
    (
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        f"deeper than {MAX_DEPTH} levels at byte {MAX_DEPTH}",
    ),
    (b"[" * 200_000 + b"]" * 200_000, "deeper than"),
    (b'{"n": 123456789012345678901234567890}', "64-bit range"),
    (b'{"n": 1.' + b"1" * 100 + b"}", "longer than"),
    (b'{"n": 1e400}', "out of range"),
    (b"hello world", "not valid JSON"),
    (b"\x00\x00\x00", "not valid JSON"),
]


@pytest.mark.parametrize(("data", "needle"), BAD, ids=[repr(b[:16]) + str(len(b)) for b, _ in BAD])
def test_bad_documents_raise_one_line_feed_error(data, needle):
    with pytest.raises(FeedError) as info:
        decode_json(data, what="feed 'demo'")
    msg = str(info.value)
    assert "\n" not in msg and len(msg) < 500
    assert msg.startswith("feed 'demo': ")
    assert needle in msg


def test_depth_limit_is_exact():
    ok = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert decode_json(ok) is not None
    deep_obj = b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH
    assert decode_json(deep_obj)
    # brackets inside strings do not count
    assert decode_json(b'["' + b"[" * 500 + b'"]') == ["[" * 500]


def test_good_documents_decode():
    assert decode_json(b'\xef\xbb\xbf{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }
    assert decode_json(b"18446744073709551615") == 2**64 - 1
    assert decode_json(b'"\\u00e9\\ud83d\\ude00"') == "é😀"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(data):
    try:
        decode_json(data)
    except FeedError as exc:
        assert "\n" not in str(exc)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200)
@given(json_values)
def test_valid_json_round_trips(value):
    assert decode_json(msgspec.json.encode(value)) == value


@settings(max_examples=200)
@given(json_values, st.integers(min_value=0, max_value=2000))
def test_mutated_json_only_feed_error(value, cut):
    raw = json.dumps(value).encode()
    for data in (raw[:cut], raw[cut:], raw.replace(b"1", b"N", 1), raw + b"x"):
        try:
            decode_json(data)
        except FeedError:
            pass


nasty_text = st.text(
    alphabet=st.sampled_from(
        list('abc xyz"\\/é')
        + [
            "\x00",
            "\x1b",
            "\x7f",
            "\x85",
            "\u200b",
            "\u202e",
            "\u2066",
            "\ufeff",
            "\t",
            "\r",
            "\n",
            "\x9b",
            "\u2028",
        ]
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(st.dictionaries(nasty_text, st.lists(nasty_text, max_size=3), max_size=4))
def test_fast_path_sanitizes_exactly_like_sanitize_tree(doc):
    for raw in (json.dumps(doc).encode(), json.dumps(doc, ensure_ascii=False).encode()):
        assert decode_document(raw) == sanitize_tree(msgspec.json.decode(raw))


def test_needs_sanitize_detects_long_strings_and_keys():
    assert not needs_sanitize(b'{"a": "plain text"}')
    assert needs_sanitize(b'{"a": "' + b"x" * 20_001 + b'"}')
    assert needs_sanitize(b'{"' + b"k" * 201 + b'": 1}')
    assert needs_sanitize(b'{"a": "\\u001b[31m"}')
    assert needs_sanitize('{"a": "\u202e"}'.encode())
    long_doc = b'{"' + b"k" * 300 + b'": "' + b"v" * 30_000 + b'"}'
    out = decode_document(long_doc)
    ((key, value),) = out.items()
    assert len(key) == 200 and len(value) == 20_000
