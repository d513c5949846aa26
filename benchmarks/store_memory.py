"""Where the memory store's bytes go: `--demo-events`' history under `tracemalloc`.

    python benchmarks/store_memory.py [--events N]

Generates N events (default 200,000; bytes an event scale linearly) into a memory store with
`tracemalloc` on and prints the bytes an event the store holds afterwards, in total and by
where they were allocated, then by what holds them (records, payload dictionaries, strings,
lists, indexes). Slower than a plain run: `tracemalloc` traces every allocation.
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.bootstrap import bootstrap
from domain.core.records import RecordedEvent
from es_tui.ideas.demo_events import fill

TOP = 14


def census(events: list[RecordedEvent | None]) -> Counter[str]:
    """Bytes (`sys.getsizeof`, each object once) of what the stored records hold, by kind.
    The packed event ids, data (with its sealed envelope) and metadata are read as stored,
    through the record's slots."""
    seen: set[int] = set()
    sizes: Counter[str] = Counter()

    def visit(value: Any, label: str) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        sizes[label] += sys.getsizeof(value)
        if isinstance(value, dict):
            for key, item in value.items():
                visit(key, "keys")
                visit(item, f"{label}[{key!r}]" if len(key) <= 20 else f"{label}[...]")
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item, f"{label} items")

    slots = RecordedEvent.__dict__
    for record in events:
        if record is None:
            continue
        visit(record, "records")
        for name in ("event_id", "position", "version", "recorded_at"):
            visit(slots[name].__get__(record, RecordedEvent), name)
        visit(slots["data"].__get__(record, RecordedEvent), "data")
        visit(slots["metadata"].__get__(record, RecordedEvent), "metadata")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args(argv)
    tracemalloc.start()
    system = bootstrap("memory:", threaded=False)
    gc.collect()
    before = tracemalloc.take_snapshot()
    fill(system, args.events, out=io.StringIO())
    gc.collect()
    after = tracemalloc.take_snapshot()
    store = system.store
    count = sum(s.event_count for s in store.list_streams())
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"{count:,} events: {grown / count:,.0f} B an event (tracemalloc, everything kept)")
    print("by where it was allocated:")
    for stat in after.compare_to(before, "lineno")[:TOP]:
        where = stat.traceback[0]
        name = Path(where.filename).name
        print(f"  {stat.size_diff / count:7.1f} B  {stat.count_diff / count:5.2f} objects  "
              f"{name}:{where.lineno}")  # fmt: skip
    tracemalloc.stop()
    log: list[RecordedEvent | None] = getattr(store, "_log", [])
    sizes = census(log)
    print(f"by what holds it ({sum(sizes.values()) / count:,.0f} B an event, sys.getsizeof):")
    for label, size in sizes.most_common(TOP):
        print(f"  {size / count:7.1f} B  {label}")
    system.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
