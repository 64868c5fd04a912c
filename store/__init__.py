"""sitmon's headless core: records, the TinyDB store, merge, queries, feeds.

Never imports Textual or Rich; imports httpx only inside the fetch path.
"""

from .db import SCHEMA_VERSION, Store, StoreUnreadable, default_store_path
from .merge import ChangeSet, ControlFlip, Rejection
from .storage import LockTimeout, StoreError, StoreWriteError

__all__ = [
    "SCHEMA_VERSION",
    "ChangeSet",
    "ControlFlip",
    "LockTimeout",
    "Rejection",
    "Store",
    "StoreError",
    "StoreUnreadable",
    "StoreWriteError",
    "default_store_path",
]
