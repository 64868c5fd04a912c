"""A fixed local time zone for tests of clock times (``TZ`` set, then restored)."""

from __future__ import annotations

import time

import pytest

__all__ = ["helsinki"]


@pytest.fixture
def helsinki(monkeypatch):
    """The process's local zone is Europe/Helsinki (EET, UTC+2; EEST in summer)."""
    monkeypatch.setenv("TZ", "Europe/Helsinki")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()
