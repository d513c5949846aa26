"""The SQLite store against the references it should keep up with, all measured in one run.

    python benchmarks/sqlite_store.py [--quick] [--repeat N] [--dir DIR]

(a) durable single-event commands (`append` of one event at its exact expected version)
    against a raw `sqlite3` loop of one-row transactions on the same schema and pragmas (WAL,
    synchronous=FULL): target >= 0.7x;
(b) 100-event batches against raw `executemany` batches: target >= 0.5x;
(c) single-event commands, like for like: the ideas system's `edit` (decide, seal, append, a
    snapshot every 10 events in the append's own commit, on the state its previous command
    left: the handler's cache, warm) against the `eventsourcing` library's aggregate method +
    `Application.save` on its SQLite persistence (the aggregate kept in memory too, a
    snapshot every 10 events in a commit of its own; `pip install -e '.[bench]'`):
    target >= 1.5x;
(d) loading an aggregate from a snapshot 10 events before the end of a 1,000-event and of a
    1,000,000-event stream in one file: target within 2x of each other.
Then, for context, the same `edit` with the read model and process manager running.

A durable commit waits for the disk, whose speed drifts by several times within seconds on
a shared machine, and appending to a WAL that is still growing costs more than reusing one.
So each side of a comparison first writes a few MB in one transaction to its own file (its
WAL then runs at its steady size) and does one untimed round; then, every repetition, the
sides take turns in small chunks, so a repetition's ratio compares times taken in the same
moments. Figures are medians over the repetitions; a ratio is the median of the
repetitions' ratios (this side's rate over the reference's).

With `--dir /dev/shm` (a memory file system, where a sync costs nothing) the same table shows
what the code itself costs, without the disk.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_contenders import (
    BATCH,
    Contender,
    LibrarySaves,
    RawBatches,
    RawSingle,
    StoreAppends,
    SystemEdits,
    library_available,
    open_store,
)

from domain.backends.sqlite.store import SQLiteEventStore
from domain.core.aggregate import load
from domain.core.records import NO_STREAM, NewEvent, RecordedEvent, Snapshot

TAIL = 10
"""Events after the snapshot in a load."""
SHORT = 1_000
BUILD_BATCH = 10_000
"""Events per append while building the long stream."""


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does per repetition, and in chunks of how many."""

    repeat: int
    commits: int
    batches: int
    edits: int
    long_stream: int
    loads: int
    chunk: int = 10


FULL = Sizes(repeat=7, commits=500, batches=100, edits=200, long_stream=1_000_000, loads=500)
QUICK = Sizes(repeat=3, commits=100, batches=20, edits=40, long_stream=100_000, loads=100, chunk=5)


# -- loads from a snapshot -------------------------------------------------------------------


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


def fill(store: SQLiteEventStore, stream_id: str, events: int) -> None:
    """Append events `n = 1..events` in batches, then snapshot the stream TAIL events before
    its end (the state is known: no replay needed to take it)."""
    version = 0
    while version < events:
        size = min(BUILD_BATCH, events - version)
        batch = [NewEvent("Counted", {"n": version + i}) for i in range(1, size + 1)]
        store.append(stream_id, batch, version or NO_STREAM)
        version += size
    at = events - TAIL
    (last,) = store.read_stream(stream_id, at, at)
    state = {"count": at, "sum": at * (at + 1) // 2}
    store.save_snapshot(Snapshot(stream_id, at, last.event_id, state, 1, datetime.now(UTC)))


def load_times(path: Path, long_events: int, loads: int) -> tuple[float, float, float]:
    """Seconds to build the long stream, and the median seconds of a load of the short and
    of the long stream."""
    store = open_store(path)
    start = time.perf_counter()
    fill(store, "long-1", long_events)
    built = time.perf_counter() - start
    fill(store, "short-1", SHORT)
    fold = Counter()
    runs: dict[str, list[float]] = {"short-1": [], "long-1": []}
    for _ in range(loads):
        for stream_id, events in (("short-1", SHORT), ("long-1", long_events)):
            start = time.perf_counter()
            loaded = load(store, stream_id, fold)
            runs[stream_id].append(time.perf_counter() - start)
            want = {"count": events, "sum": events * (events + 1) // 2}
            if loaded.events_applied != TAIL or loaded.state != want:
                raise AssertionError(f"{stream_id}: loaded {loaded.how()}, {loaded.state}")
    store.close()
    return built, statistics.median(runs["short-1"]), statistics.median(runs["long-1"])


# -- running and reporting -------------------------------------------------------------------


class Files:
    """Fresh database files under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def new(self, name: str) -> Path:
        self.count += 1
        return self.root / f"{self.count:04d}-{name}.db"


def side_by_side(
    makers: dict[str, Callable[[Path], Contender]],
    files: Files,
    repeat: int,
    total: int,
    chunk: int,
) -> dict[str, list[float]]:
    """Seconds each contender took for `total` operations, per repetition. Each opens its
    own file (and warms it up), does one untimed round, then, every repetition, they take
    turns `chunk` operations at a time, in a rotating order."""
    names = list(makers)
    out: dict[str, list[float]] = {name: [] for name in names}
    opened: dict[str, Contender] = {}
    try:
        for name in names:
            opened[name] = makers[name](files.new(name))
        for r in range(-1, repeat):
            spent = dict.fromkeys(names, 0.0)
            for c in range(total // chunk):
                k = (r + c) % len(names)
                for name in names[k:] + names[:k]:
                    spent[name] += opened[name].step(chunk)
            if r >= 0:
                for name in names:
                    out[name].append(spent[name])
    finally:
        for contender in opened.values():
            contender.close()
    return out


def rate(seconds: list[float], count: int) -> float:
    """Median operations per second."""
    return statistics.median(count / s for s in seconds)


def ratio(seconds: dict[str, list[float]], name: str, reference: str) -> float:
    """Median over repetitions of `name`'s rate over `reference`'s (same operation count)."""
    return statistics.median(r / n for n, r in zip(seconds[name], seconds[reference], strict=True))


@dataclass(frozen=True)
class Line:
    """One row of the table; `target` is (at least, x) or (at most, x)."""

    label: str
    value: str = ""
    ratio: float | None = None
    target: tuple[str, float] | None = None


def show(title: str, lines: list[Line]) -> None:
    print(f"\n{title}")
    for ln in lines:
        shown = "" if ln.ratio is None else f"{ln.ratio:.2f}x"
        goal = verdict = ""
        if ln.target is not None and ln.ratio is not None:
            kind, x = ln.target
            goal = f"{'>=' if kind == 'min' else '<='} {x:.2f}x"
            met = ln.ratio >= x if kind == "min" else ln.ratio <= x
            verdict = "met" if met else "MISSED"
        print(f"  {ln.label:<56} {ln.value:>16} {shown:>7} {goal:>9} {verdict}")


def run(sizes: Sizes, repeat: int, files: Files) -> None:
    """Measure everything and print the table."""
    n, b, chunk = sizes.commits, sizes.batches, sizes.chunk
    single: dict[str, Callable[[Path], Contender]] = {
        "store": lambda p: StoreAppends(p, 1),
        "raw": RawSingle,
        "raw-store-sql": lambda p: RawSingle(p, with_stream=True),
    }
    has_library = library_available()
    ones = side_by_side(single, files, repeat, n, chunk)
    show(
        f"(a) single-event durable commands ({n} per repetition, side by side)",
        [
            Line("store.append, 1 event at its exact version", f"{rate(ones['store'], n):,.0f}/s"),
            Line("raw sqlite3, 1-row transaction", f"{rate(ones['raw'], n):,.0f}/s"),
            Line("  store / raw", ratio=ratio(ones, "store", "raw"), target=("min", 0.7)),
            Line(
                "raw sqlite3, the store's SQL (look-up, stream row, event)",
                f"{rate(ones['raw-store-sql'], n):,.0f}/s",
            ),
            Line("  store / raw with the store's SQL", ratio=ratio(ones, "store", "raw-store-sql")),
        ],
    )

    many = side_by_side(
        {"store": lambda p: StoreAppends(p, BATCH), "raw": RawBatches}, files, repeat, b, chunk
    )
    show(
        f"(b) {BATCH}-event batches ({b} per repetition, side by side)",
        [
            Line("store.append, 100 events", f"{rate(many['store'], b * BATCH):,.0f} ev/s"),
            Line(
                "raw sqlite3, executemany of 100 rows", f"{rate(many['raw'], b * BATCH):,.0f} ev/s"
            ),
            Line("  store / raw", ratio=ratio(many, "store", "raw"), target=("min", 0.5)),
        ],
    )

    built, short, long = load_times(files.new("loads"), sizes.long_stream, sizes.loads)
    show(
        f"(d) load from a snapshot {TAIL} events before the end (median of {sizes.loads})",
        [
            Line(
                f"building {sizes.long_stream:,} events, {BUILD_BATCH:,} per append",
                f"{sizes.long_stream / built:,.0f} ev/s",
            ),
            Line(f"{SHORT:,}-event stream", f"{short * 1e6:,.0f} us"),
            Line(f"{sizes.long_stream:,}-event stream", f"{long * 1e6:,.0f} us"),
            Line("  long / short", ratio=long / short, target=("max", 2.0)),
        ],
    )

    e = sizes.edits
    systems: dict[str, Callable[[Path], Contender]] = {
        "write-side": lambda p: SystemEdits(p, consumers=False),
        "with-consumers": lambda p: SystemEdits(p, consumers=True),
    }
    if has_library:
        systems["library"] = LibrarySaves
    edits = side_by_side(systems, files, repeat, e, chunk)
    if has_library:
        show(
            f"(c) one-event commands against the eventsourcing library ({e} per repetition)",
            [
                Line(
                    "es-tui edit: decide, seal, append, snapshot/10 (cached state, warm)",
                    f"{rate(edits['write-side'], e):,.0f}/s",
                ),
                Line(
                    "eventsourcing aggregate method + save, snapshot/10, SQLite",
                    f"{rate(edits['library'], e):,.0f}/s",
                ),
                Line(
                    "  es-tui edit / library",
                    ratio=ratio(edits, "write-side", "library"),
                    target=("min", 1.5),
                ),
            ],
        )
    else:
        print(
            "\n(c) skipped: the eventsourcing library is not installed (pip install -e '.[bench]')"
        )
    show(
        f"context: the ideas system on SQLite, edit through bootstrap() ({e} per repetition)",
        [
            Line(
                "the same edit with the read model and process manager",
                f"{rate(edits['with-consumers'], e):,.0f} cmd/s",
            ),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (smaller sizes)")
    parser.add_argument("--repeat", type=int, help="repetitions per figure")
    parser.add_argument("--dir", type=Path, help="where the database files go")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    repeat = args.repeat or sizes.repeat
    with tempfile.TemporaryDirectory(prefix="sqlite-bench-", dir=args.dir) as tmp:
        print(
            f"SQLite store benchmark{' (quick)' if args.quick else ''}: Python"
            f" {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
            f" medians of {repeat}, files in {tmp}"
        )
        print(f"  {'':<56} {'median':>16} {'ratio':>7} {'target':>9}")
        run(sizes, repeat, Files(Path(tmp)))


if __name__ == "__main__":
    main()
