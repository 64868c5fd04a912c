"""The detail view never cuts names, and shows URLs whole and readable."""

from __future__ import annotations

import msgspec
import msgspec.structs
import pytest
from sitmon.store import Store
from sitmon.store.records import SourceRef
from sitmon.widgets.detail_render import display_url, render_detail


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store.open(tmp_path_factory.mktemp("d") / "s.json", seed=True)


def test_faction_and_source_names_wrap_instead_of_being_cut(store):
    snap = store.snapshot()
    ev = next(e for e in snap.events if "Joulani" in e.title)
    lines = [line.text for line in render_detail(snap, "event", ev.id, 40, store=store)]
    assert all(len(t) <= 40 for t in lines)
    assert not any("…" in t for t in lines)
    text = " ".join(t.strip() for t in lines)
    assert (
        "H HTS-led Military Operations Command (Hayat Tahrir al-Sham and allied factions)" in text
    )
    assert 'Seed article: "Rebel Offensive in Syria: Hama Falls to Insurgents" (' in text


def test_percent_encoded_urls_are_shown_decoded_and_whole(store):
    url = "https://ar.example.org/news/%D8%AD%D9%85%D8%A7%D8%A9-%D8%AA%D8%B3%D9%82%D8%B7-2024-12-05"
    snap = store.snapshot()
    ev = next(e for e in snap.events if "Joulani" in e.title)
    ev = msgspec.structs.replace(ev, sources=[SourceRef(source="cnn", url=url)])
    snap = msgspec.structs.replace(snap, events=[ev])
    store_less = None  # the snapshot alone: the edited event is the one shown
    lines = [line.text for line in render_detail(snap, "event", ev.id, 30, store=store_less)]
    joined = "".join(t.strip() for t in lines if t.startswith("    "))
    assert "https://ar.example.org/news/حماة-تسقط-2024-12-05" in joined


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://x.org/%D8%AD", "https://x.org/ح"),
        ("https://x.org/a%20b", "https://x.org/a%20b"),  # a space would split the address
        ("https://x.org/%ff", "https://x.org/%ff"),  # not UTF-8
        ("https://x.org/100%25", "https://x.org/100%25"),  # a literal % stays escaped
        ("https://x.org/plain", "https://x.org/plain"),
    ],
)
def test_display_url(url, shown):
    assert display_url(url) == shown
