"""Filtering the timeline with `/`: matches found by a scan in a worker, live, cleared by
escape."""

from __future__ import annotations

from domain.bootstrap import System
from domain.core.protocol import ALL_STREAM
from es_tui.app import ExplorerApp
from es_tui.timeline_filter import Query
from tests.ui.conftest import text_of, wait_for, wait_text


def positions_of(system: System, text: str) -> list[int]:
    query = Query.parse(text)
    return [e.position for e in system.store.read_all() if query.matches(e)]


async def test_a_filter_lists_only_matching_events_and_escape_clears_it(
    app: ExplorerApp, system: System
) -> None:
    deleted = positions_of(system, "deleted")
    assert len(deleted) >= 2
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        timeline = main.timeline
        head = system.store.head_position()
        await wait_for(pilot, lambda: timeline.events.row_count == head, "the log")
        await pilot.press("2", "slash")
        await wait_for(pilot, lambda: timeline.filter_input.has_focus, "the filter input")
        await pilot.press(*"deleted", "enter")
        await wait_for(pilot, lambda: timeline.events.row_count == len(deleted), "the matches")
        await wait_for(pilot, lambda: not timeline.filtering, "the scan to end")
        assert timeline.events.has_focus  # enter keeps the filter and returns to the list
        shown = text_of(timeline.events)
        rows = [line for line in shown.splitlines()[1:] if line.strip()]
        assert len(rows) == len(deleted)
        assert all("IdeaDeleted" in row for row in rows)
        assert [int(row.split()[0]) for row in rows] == deleted
        assert f"{len(deleted)} matches" in str(timeline.border_subtitle)

        # Live: a new matching event joins the filtered list.
        live = next(s.stream_id for s in system.store.list_streams() if s.status.value == "active")
        system.ideas.delete(live.removeprefix("idea-"))
        await wait_for(
            pilot, lambda: timeline.events.row_count == len(deleted) + 1, "the new match"
        )
        await wait_text(pilot, lambda: timeline.events, live)

        await pilot.press("escape")
        head = system.store.head_position()
        await wait_for(pilot, lambda: timeline.events.row_count == head, "every event again")
        assert not timeline.filter_query and not timeline.border_subtitle
        assert not timeline.filter_bar.display


async def test_words_narrow_a_filter_within_one_stream(app: ExplorerApp, system: System) -> None:
    stream = max(system.store.list_streams(), key=lambda s: s.version).stream_id
    edits = [e.version for e in system.store.read_stream(stream) if e.type == "IdeaUpdated"]
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        main.select_stream(stream)
        await wait_for(pilot, lambda: main.timeline.stream_id == stream, "the stream")
        await pilot.press("2", "slash", *"updated editidea", "enter")
        timeline = main.timeline
        await wait_for(pilot, lambda: not timeline.filtering and timeline.filter_query, "the scan")
        await wait_for(pilot, lambda: timeline.events.row_count == len(edits), "the edits")
        first = [line.split()[0] for line in text_of(timeline.events).splitlines()[1:4]]
        assert first == [str(v) for v in edits[:3]]
        # Another stream keeps the filter: $all lists every edit of every stream.
        main.select_stream(ALL_STREAM)
        every = len(positions_of(system, "updated editidea"))
        await wait_for(pilot, lambda: timeline.events.row_count == every, "every edit")
