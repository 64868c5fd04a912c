"""Fixtures shared by the end-to-end CLI tests: a loopback feed server and a store."""

from __future__ import annotations

import pytest
from sitmon.store import Store

from tests.support.feedserver import FeedServer


@pytest.fixture
def srv():
    """A real HTTP feed server on 127.0.0.1 (tests/support/feedserver.py)."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def store_path(tmp_path):
    """A store file seeded from the bundled dataset (a test may override this fixture)."""
    path = tmp_path / "store.json"
    Store.open(path)
    return path
