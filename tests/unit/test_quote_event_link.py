"""A quote names its event only when that event is shown (as of the moment, through the
filter): looked up in the store's table and confirmed by binary search (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from sitmon.store import Store
from sitmon.widgets.quotes_render import quote_blocks

from tests.support import factories as f


def _link_lines(snapshot) -> list[str]:
    return [lines[-1].text for _, lines in quote_blocks(snapshot, 100, colour=False)]


def test_a_quote_links_its_event_only_while_the_event_is_shown(tmp_path):
    s = Store.open(tmp_path / "s.json", seed=False)
    later = f.event(1, title="Hama falls to the offensive", minutes=5 * 24 * 60)
    other = f.event(2, title="Convoy on the M5", minutes=60)
    q = msgspec.structs.replace(f.quote(1), event="ev-1", said_at=f.T0 + timedelta(days=1))
    s.merge([*f.base_world(), later, other, q])
    before = s.snapshot(f.T0 + timedelta(days=2))  # the quote is said, the event not yet
    after = s.snapshot(f.T0 + timedelta(days=6))
    assert [e.id for e in after.events] == ["ev-2", "ev-1"]
    assert any("ev-1" in ln and "Hama falls" not in ln for ln in _link_lines(before))
    assert any("Hama falls to the offensive" in ln for ln in _link_lines(after))
