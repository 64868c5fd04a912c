"""An ACLED response with ``success: false`` AND a ``data`` array, through the real import
and refresh paths: the user sees ACLED's own error, the store is unchanged (never "0 added").

Planted bugs this catches: the fast path (store/adapters/acled.py) or the dict path
ignoring ``success: false`` when ``data`` is an array.
"""

from __future__ import annotations

import json

import pytest
from sitmon.store import Store
from sitmon.store.refresh import refresh_feed
from sitmon.tui.cli import main
from sitmon.tui.config import FeedConfig

from tests.support.feedserver import FeedServer, Reply

ROW = {
    "event_id_cnty": "SYR99999",
    "event_date": "2024-12-05",
    "year": 2024,
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "Hayat Tahrir al-Sham",
    "admin1": "Hama",
    "location": "Hama",
    "latitude": "35.1318",
    "longitude": "36.7578",
    "fatalities": "3",
    "notes": "A clash.",
    "source": "SOHR",
    "timestamp": 1733400000,
}
BODY = json.dumps(
    {
        "status": 403,
        "success": False,
        "error": {"status": 403, "message": "Access denied: the account has no API access"},
        "count": 1,
        "data": [ROW],
    }
).encode()
MESSAGE = "ACLED API error: Access denied: the account has no API access"


@pytest.mark.parametrize("fmt", [None, "acled"], ids=["detected", "named"])
def test_import_gives_acleds_error(tmp_path, capsys, fmt):
    path = tmp_path / "store.json"
    Store.open(path)
    before = path.read_bytes()
    feed = tmp_path / "acled.json"
    feed.write_bytes(BODY)
    argv = ["--store", str(path), "--config", str(tmp_path / "none.toml"), "import"]
    argv += ["--format", fmt] if fmt else []
    assert main([*argv, str(feed)]) == 1
    out, err = capsys.readouterr()
    assert err == f"sitmon: feed 'acled.json': {MESSAGE}\n"
    assert "added" not in out + err
    assert path.read_bytes() == before


def test_refresh_gives_acleds_error(tmp_path):
    path = tmp_path / "store.json"
    store = Store.open(path)
    before = path.read_bytes()
    with FeedServer() as srv:
        srv.route("/acled", Reply(body=BODY, headers={"Content-Type": "application/json"}))
        result = refresh_feed(
            store, FeedConfig(name="acled", url=srv.url("/acled"), format="acled")
        )
    assert (result.ok, result.status) == (False, "failed")
    assert result.message == f"feed 'acled': {MESSAGE}"
    assert path.read_bytes() == before
