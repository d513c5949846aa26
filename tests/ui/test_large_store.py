"""A large store stays quick: lists read and draw only the rows on screen."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from domain.bootstrap import System, bootstrap
from domain.store.memory import MemoryEventStore
from domain.store.records import ANY, NewEvent
from es_tui.app import ExplorerApp
from es_tui.widgets.line_list import PAGE
from tests.ui.conftest import text_of, wait_for, wait_text

EVENTS = 100_000
STREAMS = 50  # 100 batches of 1,000: two batches per stream


@pytest.fixture(scope="module")
def big_store() -> MemoryEventStore:
    store = MemoryEventStore()
    per_batch = 1000
    for batch in range(EVENTS // per_batch):
        events = [NewEvent("SensorRead", {"n": batch * per_batch + i}) for i in range(per_batch)]
        store.append(f"sensor-{batch % STREAMS}", events, ANY)
    return store


@pytest.fixture
def big_system(big_store: MemoryEventStore) -> Iterator[System]:
    built = bootstrap(store=big_store)
    yield built
    built.view.stop()
    built.process_manager.stop()


@pytest.mark.slow
async def test_a_hundred_thousand_events_load_only_visible_pages(big_system: System) -> None:
    app = ExplorerApp(big_system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        started = time.monotonic()
        await wait_for(pilot, lambda: timeline.row_count == EVENTS, "the global log", 10)
        await wait_text(pilot, lambda: timeline, f"{EVENTS}")  # the newest event, on screen
        assert time.monotonic() - started < 5.0  # generous: CI machines are busy
        assert len(timeline._pages) <= 3  # a few pages of PAGE rows, never the whole log
        assert len(list(app.query("*"))) < 300  # no widget per row

        await pilot.press("2", "home")
        await wait_text(pilot, lambda: timeline, "sensor-0")
        assert timeline.cursor == 0
        for _ in range(5):
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: timeline.highlighted is not None, "the page under the cursor")
        assert timeline.highlighted.position == timeline.cursor + 1
        assert len(timeline._pages) <= 6
        assert all(len(rows) <= PAGE for rows in timeline._pages.values())

        started = time.monotonic()
        main.select_stream("sensor-7")
        await wait_for(pilot, lambda: main.timeline.stream_id == "sensor-7", "the stream")
        shown = await wait_text(pilot, lambda: timeline, "SensorRead")
        assert time.monotonic() - started < 5.0
        assert timeline.row_count == EVENTS // STREAMS
        assert f"{EVENTS // STREAMS}" in shown
        assert "Cannot compute" in await wait_text(pilot, lambda: main.state_pane, "sensor-7")
        assert "100000" in text_of(main.streams)  # the $all row counts every event


async def test_a_burst_of_commits_is_shown_in_few_refreshes(
    app: ExplorerApp, system: System
) -> None:
    commits = 300
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        await wait_for(pilot, lambda: timeline.row_count == system.store.head_position(), "load")
        loads_before = timeline._generation

        def burst() -> None:
            for n in range(commits):
                system.store.append("burst-1", [NewEvent("Beat", {"n": n})], ANY)

        writer = threading.Thread(target=burst)
        writer.start()
        writer.join()
        head = system.store.head_position()
        await wait_for(pilot, lambda: timeline.row_count == head, "every commit", 10)
        await wait_text(pilot, lambda: main.log_pane, f"#{head} ")
        await wait_text(pilot, lambda: main.streams, "burst-1")
        assert timeline.cursor == head - 1  # the cursor on the newest event followed
        assert timeline._generation - loads_before < commits // 10
