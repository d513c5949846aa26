"""A large store stays quick: lists read and draw only the rows on screen."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from textual.strip import Strip

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import System, bootstrap
from domain.core.records import ANY, NewEvent, StreamInfo
from es_tui.app import ExplorerApp
from es_tui.format import compact
from es_tui.widgets.line_list import PAGE, PAGES_KEPT, LineList
from tests.ui.conftest import settled, text_of, wait_for, wait_text

EVENTS = 200_000
STREAMS = 2_000  # 200 batches of 1,000 events, then one short batch per stream
LONG = "sensor-0"


@pytest.fixture(scope="module")
def big_store() -> MemoryEventStore:
    store = MemoryEventStore()
    per_batch = 1000
    for batch in range(EVENTS // per_batch - 2):
        events = [NewEvent("SensorRead", {"n": batch * per_batch + i}) for i in range(per_batch)]
        store.append(f"sensor-{batch % 10}", events, ANY)
    for n in range(STREAMS):  # many streams: the list of streams is long too
        store.append(f"sensor-{n}", [NewEvent("SensorRead", {"n": -n})], ANY)
    return store


@pytest.fixture
def big_system(big_store: MemoryEventStore) -> Iterator[System]:
    # Its events are no domain's: the explorer shows them raw (no read model to stop).
    built = bootstrap(store=big_store, domain=None)
    assert built.domain is None and built.view is None
    yield built


class Drawn:
    """Counts the lines each list draws (a spy on the real method)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lines: Counter[str] = Counter()
        real = LineList.render_line

        def render_line(widget: LineList, y: int) -> Strip:
            self.lines[widget.id or ""] += 1
            return real(widget, y)

        monkeypatch.setattr(LineList, "render_line", render_line)

    def take(self) -> Counter[str]:
        taken, self.lines = self.lines, Counter()
        return taken


@pytest.mark.slow
async def test_two_hundred_thousand_events_draw_only_visible_lines(
    big_system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = big_system.store
    head = store.head_position()
    listings = Counter[str]()
    real_list = store.list_streams

    def list_streams() -> list[StreamInfo]:
        listings["streams"] += 1
        return real_list()

    monkeypatch.setattr(store, "list_streams", list_streams)
    drawn = Drawn(monkeypatch)
    app = ExplorerApp(big_system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline.events
        await wait_for(pilot, lambda: timeline.row_count == head, "the global log", 60)
        await wait_text(pilot, lambda: timeline, f"{head}")  # the newest event, on screen
        await wait_for(pilot, lambda: main.streams.row_count == STREAMS + 1, "the streams")
        assert len(list(app.query("*"))) < 80  # no widget per row, nor per stream
        assert len(timeline._pages) <= 3  # a few pages of PAGE rows, never the whole log
        visible = timeline.size.height

        async def press(key: str) -> Counter[str]:
            drawn.take()
            await pilot.press(key)
            await wait_for(pilot, lambda: timeline.highlighted is not None, "the row")
            await settled(pilot)  # every page loaded and drawn: the key's draws, all of them
            return drawn.take()

        await pilot.press("2")
        for key in ("home", "end", "pagedown", "home", "pagedown", "pagedown", "end"):
            lines = await press(key)
            # Each key draws the visible lines once or twice, whatever the log's length.
            assert lines["timeline-list"] <= 2 * visible, (key, lines)
            assert len(timeline._pages) <= 6
            assert all(len(rows) <= PAGE for rows in timeline._pages.values())
        await press("home")
        for _ in range(5):
            await press("pagedown")
        assert timeline.highlighted.position == timeline.cursor + 1

        # Selecting a long stream reads its visible pages only, like the log.
        main.select_stream(LONG)
        await wait_for(pilot, lambda: main.timeline.stream_id == LONG, "the stream")
        count = store.stream_info(LONG).event_count  # type: ignore[union-attr]
        await wait_for(pilot, lambda: timeline.row_count == count, "its events")
        shown = await wait_text(pilot, lambda: timeline, str(count))
        assert "SensorRead" in shown and len(timeline._pages) <= 3
        assert "raw mode: no domain" in await wait_text(pilot, lambda: main.state_pane, LONG)

        # The streams list pages through thousands of streams without listing them again.
        await pilot.press("1")
        for key in ("end", "home", "pagedown", "down"):
            lines = await press(key)
            assert lines["streams"] <= 2 * main.streams.size.height, (key, lines)
        assert listings["streams"] <= 1  # once at start; later refreshes read the log
        await press("home")
        top = text_of(main.streams).splitlines()[1]
        assert "$all" in top and compact(head, 5) in top  # the $all row counts every event


@pytest.mark.slow
async def test_scrolling_the_whole_log_keeps_a_few_pages(big_system: System) -> None:
    store = big_system.store
    head = store.head_position()
    app = ExplorerApp(big_system)
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.main_screen.timeline.events
        await wait_for(pilot, lambda: timeline.row_count == head, "the global log", 60)
        await pilot.press("2", "home")

        def kept_pages_are_the_stores() -> None:
            assert len(timeline._pages) <= PAGES_KEPT
            for page, rows in timeline._pages.items():
                stored = store.read_all(page * PAGE + 1, PAGE)
                assert [r.event_id for r in rows] == [e.event_id for e in stored]  # type: ignore[union-attr]

        # Jumps spread over the whole log, then a long run of pagedowns: memory follows the
        # screen, and what is drawn is the store's rows at those positions.
        for index in [*range(0, head, head // 40), head - 1]:
            timeline.move_to(index)
            await wait_for(
                pilot,
                lambda i=index: getattr(timeline.highlighted, "position", None) == i + 1,
                f"row {index}",
            )
            kept_pages_are_the_stores()
        await pilot.press("home")
        for _ in range(PAGES_KEPT * PAGE):  # until further than the pages it keeps
            await pilot.press("pagedown")
            if timeline.cursor > (PAGES_KEPT + 2) * PAGE:
                break
        await wait_for(pilot, lambda: timeline.highlighted is not None, "the row")
        kept_pages_are_the_stores()
        assert timeline.highlighted.position == timeline.cursor + 1  # type: ignore[union-attr]
        assert str(timeline.cursor + 1) in await wait_text(
            pilot, lambda: timeline, str(timeline.cursor + 1)
        )


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
        await wait_for(pilot, lambda: timeline.row_count == head, "every commit", 60)
        await wait_text(pilot, lambda: main.log_pane, f"#{head} ")
        await wait_text(pilot, lambda: main.streams, "burst-1")
        assert timeline.cursor == head - 1  # the cursor on the newest event followed
        assert timeline._generation - loads_before < commits // 10


@pytest.mark.parametrize("tail", [1, 2, 30, PAGE - 1, PAGE])
async def test_the_end_of_a_list_is_drawn_whole_whatever_its_last_page_holds(tail: int) -> None:
    # The last page holds `tail` rows: fewer than the viewport needs, or enough.
    store = MemoryEventStore()
    for n in range(3 * PAGE + tail):
        store.append(f"s-{n % 7}", [NewEvent("Beat", {"n": n})], ANY)
    system = bootstrap(store=store, domain=None)
    head = store.head_position()
    app = ExplorerApp(system)
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.main_screen.timeline.events
        await wait_for(pilot, lambda: timeline.row_count == head, "the global log")
        shown = await wait_text(pilot, lambda: timeline, f"{head}")
        rows = [line.split()[0] for line in shown.splitlines()[1:] if line.strip()]
        # Every line a row, the newest last, each the position before the next: no gap, no
        # placeholder, as many as the list has room for.
        expected = [str(p) for p in range(head - len(rows) + 1, head + 1)]
        assert rows == expected and len(rows) >= min(head, timeline.size.height - 1)
