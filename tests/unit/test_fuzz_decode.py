"""The strict decoder under 10,000+ generated inputs per strategy (opt-in: `pytest -m fuzz`).

The default suite's smoke versions live in tests/unit/test_decode.py. The only exception
allowed out is FeedError, with a one-line message; whatever decodes is plain JSON data.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.adapters.base import FeedError
from sitmon.store.decode import decode_json
from sitmon.store.ingest import ingest_bytes

pytestmark = pytest.mark.fuzz
FUZZ = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=10), c, max_size=5),
    max_leaves=40,
)


def plain(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, str))


def only_feed_error(data: bytes):
    try:
        value = decode_json(data)
    except FeedError as exc:
        assert "\n" not in str(exc)
        return None
    assert plain(value)
    return value


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_arbitrary_bytes(data):
    only_feed_error(data)


@FUZZ
@given(json_values, st.integers(0, 400), st.binary(max_size=4))
def test_fuzz_mutated_json(value, at, junk):
    raw = json.dumps(value).encode()
    at = min(at, len(raw))
    for data in (
        raw[:at],
        raw[:at] + junk + raw[at:],
        raw[:at] + raw[at + 1 :],
        raw.replace(b'"', b"'", 1),
    ):
        only_feed_error(data)


@FUZZ
@given(json_values)
def test_fuzz_any_json_through_auto_ingest(value):
    """Whatever valid JSON arrives, auto-detection and the adapters raise only FeedError."""
    try:
        ingest_bytes(json.dumps(value).encode(), "auto", source_name="fuzz")
    except FeedError as exc:
        assert "\n" not in str(exc)
