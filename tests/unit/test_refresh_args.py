"""``store.refresh._refresh`` takes its many arguments by keyword.

Two of them are both URLs: ``url`` (expanded, it may carry a ``${VAR}`` secret) and
``shown`` (masked, the one stored and printed). Passed by position, a swap would
fetch the masked address and store the secret one; by keyword it cannot happen
silently. Its call site in :func:`store.refresh.refresh_feed` names each one.
"""

from __future__ import annotations

import inspect

from sitmon.store import refresh


def test_refresh_takes_everything_but_the_store_and_the_feed_by_keyword():
    params = inspect.signature(refresh._refresh).parameters.values()
    positional = [p.name for p in params if p.kind is not p.KEYWORD_ONLY]
    keyword = sorted(p.name for p in params if p.kind is p.KEYWORD_ONLY)
    assert positional == ["store", "feed_cfg"]
    assert keyword == [
        "cancel",
        "client",
        "factions",
        "headers",
        "rng",
        "secrets",
        "shown",
        "sleep",
        "url",
    ]
