"""Durable backends: what was committed survives a reopen, and two handles on one store agree.

Every test here is marked `durable`: the memory store forgets everything when it is closed,
so it skips them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from domain.core.errors import ConcurrencyError, StreamForgottenError
from domain.core.records import (
    ANY,
    NO_STREAM,
    RecordedEvent,
    Snapshot,
    SnapshotPolicy,
    StreamStatus,
)
from tests.store.conftest import DELETED, Backend, MakeStore, batch, new, wait_for

pytestmark = pytest.mark.durable


def test_a_reopened_store_has_everything_that_was_committed(make_store: MakeStore) -> None:
    first = make_store(SnapshotPolicy(every=2, keep=2))
    a = first.append("a-1", batch(4), NO_STREAM)
    first.append("b-1", [new(), new(DELETED)], NO_STREAM)
    for v in (2, 4):
        first.save_snapshot(Snapshot("a-1", v, a[v - 1].event_id, {"v": v}, 1, datetime.now(UTC)))
    log, streams = first.read_all(), first.list_streams()
    snapshots = first.snapshots("a-1")
    first.close()

    again = make_store(SnapshotPolicy(every=2, keep=2))

    assert again.read_all() == log
    assert again.list_streams() == streams
    assert again.stream_info("b-1").status is StreamStatus.DELETED  # type: ignore[union-attr]
    assert again.snapshots("a-1") == snapshots
    assert again.head_position() == 6
    (next_one,) = again.append("a-1", [new()], 4)
    assert (next_one.version, next_one.position) == (5, 7)


def test_a_retry_is_recognised_after_a_reopen(make_store: MakeStore) -> None:
    first = make_store()
    sent = batch(3)
    acknowledged = first.append("a-1", sent, NO_STREAM)
    first.close()

    again = make_store()

    assert again.append("a-1", sent, NO_STREAM) == acknowledged
    assert again.head_position() == 3


def test_forgetting_survives_a_reopen(make_store: MakeStore) -> None:
    first = make_store()
    written = first.append("a-1", [new(secret="address")], NO_STREAM)
    tombstone = first.forget("a-1", new("Forgotten"))
    first.close()

    again = make_store()

    assert again.read_stream("a-1") == [tombstone]
    assert again.read_all() == [tombstone]
    assert again.stream_info("a-1").status is StreamStatus.FORGOTTEN  # type: ignore[union-attr]
    with pytest.raises(StreamForgottenError):
        again.append("a-1", [new()], NO_STREAM)
    with pytest.raises(StreamForgottenError):
        again.append("a-1", [new(secret="address")], ANY)
    assert written[0].event_id not in {e.event_id for e in again.read_all()}


def test_two_handles_share_versions_positions_and_conflicts(make_store: MakeStore) -> None:
    one, two = make_store(), make_store()
    first = one.append("a-1", batch(2), NO_STREAM)

    with pytest.raises(ConcurrencyError) as caught:
        two.append("a-1", [new()], 0)
    (third,) = two.append("a-1", [new()], 2)

    assert (caught.value.actual, caught.value.last_event_id) == (2, first[-1].event_id)
    assert (third.version, third.position) == (3, 3)
    assert one.read_stream("a-1") == [*first, third]


def test_commits_made_through_another_handle_reach_subscribers(make_store: MakeStore) -> None:
    watcher, writer = make_store(), make_store()
    got: list[RecordedEvent] = []
    watcher.subscribe(got.extend)

    written = writer.append("a-1", batch(3), NO_STREAM)
    assert wait_for(lambda: len(got) >= 3, timeout=60)
    # (forgetting first would be fine too: a watcher never sees events erased before it looked)
    tombstone = writer.forget("a-1", new("Forgotten"))

    assert wait_for(lambda: len(got) >= 4, timeout=60)
    assert got == [*written, tombstone]


def test_handles_racing_at_the_same_version_win_once_per_round(
    make_store: MakeStore, backend: Backend
) -> None:
    handles = [make_store() for _ in range(4)]
    rounds = max(backend.race_rounds // 10, 20)
    barrier = threading.Barrier(len(handles))
    wins: list[Sequence[RecordedEvent]] = []
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            for r in range(rounds):
                barrier.wait(timeout=60)
                with contextlib.suppress(ConcurrencyError):
                    wins.append(handles[i].append("race-1", [new(r=r)], r))
        except BaseException as exc:  # reported on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(handles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    stream = handles[0].read_stream("race-1")
    assert len(wins) == rounds
    assert [e.version for e in stream] == list(range(1, rounds + 1))
    assert [e.position for e in stream] == list(range(1, rounds + 1))
