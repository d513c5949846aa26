"""A filter scan's progress never queues up ahead of the user's keys: given a long log and a
scan that would report after every chunk, when the UI is too busy to take the reports as fast
as they come, then at most one report is on its way at a time (a backlog of them made a key
pressed during a scan of a million events wait for the scan's end, 13 to 19 seconds), and
the scan still ends with every match listed."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from textual import events

from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from es_tui.ideas.demo_events import fill
from es_tui.timeline_filter import Query
from es_tui.widgets import timeline_pane
from es_tui.widgets.timeline_pane import TimelinePane
from tests.ui.conftest import wait_for

EVENTS = 60_000


@pytest.fixture
def long_log() -> Iterator[System]:
    system = bootstrap("memory:", threaded=True)
    fill(system, EVENTS, out=io.StringIO())
    yield system
    system.close()


async def test_a_busy_ui_gets_one_progress_report_at_a_time(
    long_log: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline_pane, "PROGRESS_EVERY", 0.0)  # a report after every chunk
    posted: list[bool] = []
    post = TimelinePane.post_message

    def counting(self: TimelinePane, message: object) -> bool:
        if isinstance(message, TimelinePane.Scanned) and not message.done:
            posted.append(True)
        return post(self, message)  # type: ignore[arg-type]

    monkeypatch.setattr(TimelinePane, "post_message", counting)
    query = "updated"  # a word of the text too: the log is scanned, not read by type
    expected = sum(1 for e in long_log.store.read_all() if Query.parse(query).matches(e))
    app = ExplorerApp(long_log)
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.main_screen.timeline
        head = long_log.store.head_position()
        await wait_for(pilot, lambda: timeline.events.row_count == head, "the log")
        await pilot.press("2", "slash")
        await wait_for(pilot, lambda: timeline.filter_input.has_focus, "the filter input")
        await pilot.press(*query)
        app.post_message(events.Key("enter", None))
        await wait_for(pilot, lambda: timeline.filtering, "the scan to start")
        busy = 0
        while timeline.filtering:
            before = len(posted)
            time.sleep(0.05)  # the UI busy elsewhere: the scan goes on in its thread
            assert len(posted) - before <= 1, "reports queued up behind a busy UI"
            busy += 1
            await pilot.pause()
        assert busy, "the scan ended before the UI was kept busy"
        await wait_for(pilot, lambda: not timeline.filtering, "the scan to end", timeout=120)
        await wait_for(pilot, lambda: timeline.events.row_count == expected, "every match")
