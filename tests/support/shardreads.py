"""Count the event shard files a store reads (tests of what a merge or an open reads)."""

from __future__ import annotations


def count_shard_reads(monkeypatch) -> list[str]:
    """Wrap the store's shard reader; returns the list it appends each month key to,
    in the order the shards are read (``"2024-10"`` for ``2024-10.g3.json``)."""
    import sitmon.store.db

    seen: list[str] = []
    real = sitmon.store.db.read_shard

    def counting(folder, entry, **options):
        seen.append(entry["file"].split(".")[0])
        return real(folder, entry, **options)

    monkeypatch.setattr(sitmon.store.db, "read_shard", counting)
    return seen
