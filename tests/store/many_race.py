"""Writers racing `append_many` on overlapping pairs of streams, for the racing tests (in
threads, and in separate processes for a durable store). No tests in this module."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence

from domain.backends import open_store
from domain.core.errors import ConcurrencyError
from domain.core.protocol import EventStore
from domain.core.records import NewEvent, RecordedEvent

STREAMS = ("pair-a", "pair-b", "pair-c")
PAIRS = (("pair-a", "pair-b"), ("pair-b", "pair-c"), ("pair-c", "pair-a"))


def write_pairs(store: EventStore, me: int, count: int) -> tuple[int, int]:
    """`count` attempts, each appending one event to both streams of a pair (named in a
    random order) at the versions just read; returns (committed, refused)."""
    rng = random.Random(me)
    done = refused = 0
    for n in range(count):
        pair = list(rng.choice(PAIRS))
        rng.shuffle(pair)
        txn = f"{me}:{n}:{uuid.uuid4()}"
        writes = []
        for stream in pair:
            info = store.stream_info(stream)
            event = NewEvent("Paired", {"txn": txn, "with": [s for s in pair if s != stream]})
            writes.append((stream, [event], info.version if info else 0))
        try:
            store.append_many(writes)
            done += 1
        except ConcurrencyError as exc:
            assert exc.stream_id in pair and exc.actual != exc.expected
            refused += 1
    return done, refused


def check_log(log: Sequence[RecordedEvent]) -> int:
    """Every pair write shows whole in `log` (one read, so one moment): its two events at
    adjacent positions in the two streams of a pair; versions contiguous per stream. Returns
    the number of pair writes seen."""
    by_txn: dict[str, list[RecordedEvent]] = defaultdict(list)
    versions: Counter[str] = Counter()
    for record in log:
        by_txn[record.data["txn"]].append(record)
        versions[record.stream_id] += 1
        assert record.version == versions[record.stream_id]
    for txn, records in by_txn.items():
        assert len(records) == 2, f"{txn}: a partial commit is visible: {records}"
        first, second = records
        assert second.position == first.position + 1
        assert first.data["with"] == [second.stream_id]
    return len(by_txn)


def process_writer(url: str, me: int, count: int, results: object) -> None:
    """A racing process: opens its own handle on `url` and reports (committed, refused)."""
    store = open_store(url)
    try:
        outcome: object = write_pairs(store, me, count)
    except BaseException as exc:  # reported to the test, which would otherwise just wait
        outcome = repr(exc)
    finally:
        store.close()
    results.put(outcome)  # type: ignore[attr-defined]
