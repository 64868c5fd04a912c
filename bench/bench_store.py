"""Store benchmarks, each printed beside its floor as a ratio.

    python bench/bench_store.py [--sizes 1000,10000,100000]

- open a 100k-event store            vs one raw msgspec decode of the same files (core and
                                     shards), the GC paused as Store.open pauses it (target <= 1.5x)
- merge a 10k batch (half new, half updated) into it
                                     vs one decode + one encode-and-write          (target <= 3x)
- a text filter over 100k events     (target <= 30 ms, first search builds the index)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import _common  # noqa: F401  (puts the repo on sys.path)
import msgspec
from _common import make_store, row, timeit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    from sitmon.store import Store
    from sitmon.store.db import _gc_paused
    from sitmon.store.shards import shard_folder
    from sitmon.store.storage import atomic_write_bytes

    from tests.support import factories as f

    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"store-{n}" / "sitmon.json"
            path.parent.mkdir()
            make_store(path, n)
            files = [path, *sorted(shard_folder(path).iterdir())]  # the core and its shards
            raws = [p.read_bytes() for p in files]
            size_mb = sum(map(len, raws)) / 1e6
            print(f"--- {n} events ({size_mb:.1f} MB in {len(files)} files)")
            reps = 5 if n <= 10_000 else 3

            def decode_all():
                with _gc_paused():  # as Store.open decodes: the floor on equal terms
                    for raw in raws:
                        msgspec.json.decode(raw)

            t_decode = timeit(decode_all, reps)
            t_open = timeit(lambda: Store.open(path), reps)
            print(
                row(
                    f"open store ({n})",
                    t_open * 1e3,
                    "ms",
                    "raw msgspec decode",
                    t_decode * 1e3,
                    "<= 1.5x",
                )
            )

            s = Store.open(path)
            batch_n = min(10_000, n)
            existing = list(s.tables["event"].values())[: batch_n // 2]
            updated = [
                msgspec.structs.replace(
                    e, title=e.title + " (updated)", updated_at=e.updated_at + timedelta(hours=1)
                )
                for e in existing
            ]
            new = f.synthetic_events(batch_n - len(updated), seed=99)
            new = [msgspec.structs.replace(e, id=f"new-{e.id}") for e in new]
            batch = updated + new

            def floor_write():
                with _gc_paused():
                    for raw in raws:
                        doc = msgspec.json.decode(raw)
                        atomic_write_bytes(Path(tmp) / "floor.json", msgspec.json.encode(doc))

            pristine = Path(tmp) / f"pristine-{n}"
            shutil.copytree(path.parent, pristine)

            t_floor = timeit(floor_write, reps)
            times = []
            import time

            for _ in range(reps):
                s2 = Store.open(path)
                t = time.perf_counter()
                cs = s2.merge(batch)
                times.append(time.perf_counter() - t)
                assert len(cs.added) == len(new) and len(cs.updated) == len(updated)
                shutil.rmtree(path.parent)  # back to the original for the next repetition
                shutil.copytree(pristine, path.parent)
            times.sort()
            t_merge = times[len(times) // 2]
            print(
                row(
                    f"merge {batch_n} (half new, half updated)",
                    t_merge * 1e3,
                    "ms",
                    "decode + encode-and-write",
                    t_floor * 1e3,
                    "<= 3x",
                )
            )
            s = Store.open(path)
            s.events(filter="warmup place:hama")  # builds the search and place indexes once
            t_filter = timeit(lambda: s.events(filter="prison"), 7)
            t_filter2 = timeit(lambda: s.events(filter="bridge place:hama"), 7)
            print(
                f"{'text filter prison (' + str(n) + ')':<44} {t_filter * 1e3:9.3f} ms  (target <= 30 ms)"
            )
            print(
                f"{'text filter bridge place:hama (' + str(n) + ')':<44} {t_filter2 * 1e3:9.3f} ms  (target <= 30 ms)"
            )


if __name__ == "__main__":
    main()
