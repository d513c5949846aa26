"""How the in-memory store scales with one very long stream.

    python benchmarks/store_scale.py [--events N] [--batch B]

Appends N events (default 1,000,000) to one stream in batches of B and shows that an append
costs the same at the end as at the start (O(1) amortized: no copy of the stream), that the
whole stream reads back fast, and that loading from a snapshot costs the events after it,
whatever the stream's length: a load from a snapshot 100 events before the end of the long
stream takes about as long as the same load on a 1,000-event stream.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from domain.backends import open_store
from domain.core.aggregate import load, take_snapshot
from domain.core.protocol import EventStore
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent

TAIL = 100
"""Events after the snapshot in both load comparisons."""
SMALL = 1_000
"""Length of the short stream the long one is compared with."""


class Counter:
    """A minimal fold: how many events, and the sum of their `n`."""

    state_schema_version = 1

    def initial(self, stream_id: str) -> dict[str, int]:
        return {"count": 0, "sum": 0}

    def evolve(self, state: dict[str, int], event: RecordedEvent) -> dict[str, int]:
        return {"count": state["count"] + 1, "sum": state["sum"] + event.data["n"]}

    def dump(self, state: dict[str, int]) -> dict[str, Any]:
        return dict(state)

    def restore(self, data: dict[str, Any]) -> dict[str, int]:
        return {"count": data["count"], "sum": data["sum"]}


def fill(store: EventStore, stream_id: str, events: int, size: int) -> list[float]:
    """Append `events` events in batches of `size`; the seconds each append call took."""
    took: list[float] = []
    version = 0
    clock = time.perf_counter
    while version < events:
        count = min(size, events - version)
        batch = [NewEvent(type="Counted", data={"n": version + i}) for i in range(count)]
        start = clock()
        store.append(stream_id, batch, version if version else NO_STREAM)
        took.append(clock() - start)
        version += count
    return took


def median_time(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of `action` over `repeat` runs, in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def snapshot_before_end(store: EventStore, stream_id: str, fold: Counter) -> int:
    """Snapshot `stream_id` TAIL events before its end; returns the snapshot's version."""
    info = store.stream_info(stream_id)
    assert info is not None
    at = info.version - TAIL
    take_snapshot(store, fold, load(store, stream_id, fold, snapshot=None, to_version=at))
    return at


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46} {value:>14}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the long stream")
    parser.add_argument("--batch", type=int, default=10, help="events per append call")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions for medians")
    args = parser.parse_args()
    events, size, repeat = args.events, args.batch, args.repeat
    if events < 20 * size or events <= SMALL:
        parser.error(f"--events must be > {SMALL} and at least 20 batches")

    store = open_store("memory:")
    fold = Counter()
    print(f"In-memory store, one stream of {events:,} events, {size} events per append\n")

    start = time.perf_counter()
    took = fill(store, "long-1", events, size)
    total = time.perf_counter() - start
    window = max(len(took) // 10, 1)
    first, last = took[:window], took[-window:]
    per_event = 1e6 / size
    first_med = statistics.median(first) * per_event
    last_med = statistics.median(last) * per_event
    first_mean = statistics.fmean(first) * per_event
    last_mean = statistics.fmean(last) * per_event
    print("Append")
    row("total", f"{total:.2f} s", f"{events / total:,.0f} events/s")
    row(f"first {window:,} appends, median", f"{first_med:.2f} us/event")
    row(f"last {window:,} appends, median", f"{last_med:.2f} us/event")
    row("  ratio last / first (median)", f"{last_med / first_med:.2f}x", "1.0 = no growth")
    row(f"first {window:,} appends, mean", f"{first_mean:.2f} us/event")
    row(f"last {window:,} appends, mean", f"{last_mean:.2f} us/event")
    row("  ratio last / first (mean)", f"{last_mean / first_mean:.2f}x", "includes GC pauses")

    print("\nRead back")
    read = median_time(lambda: store.read_stream("long-1"), repeat)
    row("read_stream, whole stream (median)", f"{read * 1e3:.1f} ms", f"{events / read:,.0f} ev/s")
    page = 10_000

    def read_log() -> None:
        position = 0
        while chunk := store.read_all(position + 1, page):
            position = chunk[-1].position

    log = median_time(read_log, max(repeat // 2, 1))
    row(
        f"read_all in pages of {page:,} (median)",
        f"{log * 1e3:.1f} ms",
        f"{events / log:,.0f} ev/s",
    )

    print(f"\nLoad (snapshot {TAIL} events before the end)")
    fill(store, "short-1", SMALL, size)
    long_at = snapshot_before_end(store, "long-1", fold)
    short_at = snapshot_before_end(store, "short-1", fold)
    loads = repeat * 30
    long_load = median_time(lambda: load(store, "long-1", fold), loads)
    short_load = median_time(lambda: load(store, "short-1", fold), loads)
    long_state = load(store, "long-1", fold)
    assert long_state.events_applied == TAIL and long_state.state["count"] == events
    row(f"{events:,}-event stream, snapshot v{long_at:,}", f"{long_load * 1e6:.1f} us")
    row(f"{SMALL:,}-event stream, snapshot v{short_at:,}", f"{short_load * 1e6:.1f} us")
    row("  ratio long / short", f"{long_load / short_load:.2f}x", "1.0 = independent of length")
    gc.collect()
    replay = median_time(lambda: load(store, "long-1", fold, snapshot=None), 3)
    row(f"full replay of {events:,} events, no snapshot", f"{replay * 1e3:.0f} ms")
    row("  snapshot speed-up", f"{replay / long_load:,.0f}x")


if __name__ == "__main__":
    main()
