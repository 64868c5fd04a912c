"""One registry each: record kinds, the id pattern, the unsafe-character class."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sitmon.store import ingest
from sitmon.store.adapters.sitmon import SECTIONS
from sitmon.store.db import TABLE_NAMES
from sitmon.store.merge import TABLE_KINDS
from sitmon.store.records import ID_PATTERN, KINDS, TABLES
from sitmon.store.sanitize import UNSAFE_CLASS, clean_text
from sitmon.store.termsafe import terminal_safe
from sitmon.widgets.export import sanitize_output

ROOT = Path(__file__).resolve().parents[2]


def chars_of(cls: str) -> list[str]:
    """Every character of a regex class body made of single characters and a-b ranges."""
    out, i = [], 0
    while i < len(cls):
        if i + 2 < len(cls) and cls[i + 1] == "-":
            out += [chr(c) for c in range(ord(cls[i]), ord(cls[i + 2]) + 1)]
            i += 3
        else:
            out.append(cls[i])
            i += 1
    return out


UNSAFE = chars_of(UNSAFE_CLASS)
#: each one, but of the 2048 lone surrogates only the first and the last
CHECKED = [c for c in UNSAFE if not "\ud800" <= c <= "\udfff"] + ["\ud800", "\udfff"]


def test_the_kind_registry_is_the_only_copy():
    assert list(KINDS) == list(TABLES) == list(TABLE_KINDS)
    assert TABLE_NAMES == TABLES
    assert SECTIONS == {
        "sources": "source",
        "factions": "faction",
        "places": "place",
        "control": "control",
        "events": "event",
        "quotes": "quote",
        "figures": "figure",
        "tombstones": "tombstone",
    }


def test_the_json_schemas_use_the_id_pattern():
    for name in ("feed-format.schema.json", "export.schema.json"):
        text = (ROOT / "docs" / name).read_text()
        found = set(re.findall(r'"pattern": "(\^\[A-Za-z0-9\][^"]*)"', text))
        assert found == {json.loads(json.dumps(ID_PATTERN))}, name


def test_the_unsafe_class_holds_what_it_says():
    assert "\u2028" in UNSAFE and "\u2029" in UNSAFE and "\x1b" in UNSAFE and "\x9b" in UNSAFE
    assert "\u202e" in UNSAFE and "\u2066" in UNSAFE and "\ud800" in UNSAFE
    # kept: they carry meaning (Persian ZWNJ, emoji ZWJ) or only mark direction
    for kept in ("\t", "\n", "\u200c", "\u200d", "\u061c", "\u200e"):
        assert kept not in UNSAFE


def test_sanitize_turns_line_and_paragraph_separators_into_newlines():
    assert clean_text("Hama\u2028falls\u2029.") == "Hama\nfalls\n."
    assert clean_text("a\u202eb\x1b[2Jc\x9bd") == "ab[2Jcd"


@pytest.mark.parametrize("ch", CHECKED, ids=lambda c: f"U+{ord(c):04X}")
def test_ingest_export_and_terminal_agree_on_every_unsafe_character(ch):
    text = f"a{ch}b"
    assert not set(clean_text(text)) & set(UNSAFE)
    assert not set(sanitize_output(text)) & set(UNSAFE)
    assert not set(terminal_safe(text)) & set(UNSAFE)
    if "\ud800" <= ch <= "\udfff":
        return  # no UTF-8 form
    raw = json.dumps({"t": text}, ensure_ascii=False).encode()
    assert ingest.needs_sanitize(raw), "the byte pre-check would skip sanitizing"
    assert ingest.needs_clean(raw), "the ACLED fast path would skip cleaning"
    assert ingest.needs_sanitize(json.dumps({"t": text}).encode())  # as a \\u escape
