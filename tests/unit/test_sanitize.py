"""The sanitizer: nothing that can steer a terminal survives ingest."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitmon.store.sanitize import MAX_TEXT, clean_text, sanitize_tree

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

HOSTILE = [
    "\x1b]0;owned\x07title",
    "\x1b]52;c;ZWNobyBoaQ==\x07",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[H",
    "\x9b31m\x9d0;x\x9c",
    "nul\x00del\x7fcr\rlf",
    "\u202eevil\u202c \u2067iso\u2069",
    "\ud800lone",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_lose_every_control(text):
    out = clean_text(text)
    assert not FORBIDDEN.search(out)
    assert "\x1b" not in out and "\r" not in out


def test_ordinary_text_is_kept():
    for text in [
        "Hama falls",
        "حماة",
        "Ma'arrat an-Nu'man",
        "[bold]x[/b] [@click=app.quit]",
        "a\nb",
    ]:
        assert clean_text(text) == text
    assert clean_text("a\tb\r\nc") == "a b\nc"


def test_meaning_bearing_characters_are_kept():
    """Case 14 (../shared/cases/14-persian-zwnj.jsonfeed.json): ZWNJ spells Persian
    words, ZWJ joins emoji sequences; directional marks and zero-width spaces stay too."""
    for text in [
        "می\u200cروند",  # "they go": without the ZWNJ it is another spelling
        "\U0001f469\u200d\U0001f4bb",  # woman technologist: one emoji via ZWJ
        "\u05d0\u200f!",  # RLM
        "word\u200bbreak",
        "\ufeffbom",
    ]:
        assert clean_text(text) == text
    assert clean_text("a\u202eb\u2066c\u2069") == "abc"  # overrides and isolates go


def test_length_is_capped():
    assert len(clean_text("x" * (MAX_TEXT + 50))) == MAX_TEXT


def test_tree_cleans_keys_and_nested_values():
    tree = {"t\x1bx": ["\x9bA", {"k": "\x07v"}], "n": 5, "f": 1.5, "b": True, "z": None}
    assert sanitize_tree(tree) == {"tx": ["A", {"k": "v"}], "n": 5, "f": 1.5, "b": True, "z": None}


def _check(s: str) -> None:
    out = clean_text(s)
    assert not FORBIDDEN.search(out)
    assert clean_text(out) == out  # idempotent
    assert len(out) <= MAX_TEXT


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x30000), max_size=200
    )
)
def test_prop_sanitized_text_is_safe_smoke(s):
    _check(s)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x30000), max_size=400))
def test_fuzz_sanitizer(s):
    _check(s)
