"""What every format adapter returns, and the one error type they raise."""

from __future__ import annotations

from typing import Any

import msgspec

from ..merge import Rejection
from ..records import Record

__all__ = ["FORMATS", "AdaptResult", "FeedError"]

#: every format name ``--format`` accepts (``auto`` detects one of the others). Here,
#: not in :mod:`.detect` (which re-exports it), so the command line and the config name
#: them without importing the adapters' helpers (gazetteer, actors) at every start.
FORMATS = (
    "auto",
    "sitmon",
    "jsonfeed",
    "geojson",
    "acled",
    "ucdp",
    "rss",
    "gdelt",
    "reliefweb",
    "hapi",
)


class FeedError(ValueError):
    """A document that cannot be read at all (wrong shape, bad JSON, too big, ...).

    The message is one line: what is wrong and where. Per-record problems are
    not FeedErrors; they are :class:`~store.merge.Rejection` entries.
    """


class AdaptResult(msgspec.Struct):
    """Records built from one document, the records rejected, and document metadata.

    ``warnings`` are one-line notes about the document as a whole that did not
    stop it (two records sharing one id, a short page, ...): ``import`` prints
    them, ``validate`` prints them and exits 1.
    """

    format: str
    records: list[Record] = msgspec.field(default_factory=list)
    rejected: list[Rejection] = msgspec.field(default_factory=list)
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    warnings: list[str] = msgspec.field(default_factory=list)
