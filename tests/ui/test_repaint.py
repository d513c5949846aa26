"""What a key costs the screen: a cursor move repaints the rows it changed, not the whole list,
and help is built once and then only shown again."""

from __future__ import annotations

import pytest

from es_tui.app import LONG_LIVED_WORKERS, ExplorerApp
from es_tui.screens.help import HelpScreen
from tests.ui.conftest import wait_for
from tests.ui.test_large_store import Drawn


def idle(app: ExplorerApp) -> bool:
    """No worker running (the inspector thread lives on: it counts when it is asked)."""
    busy = any(w.is_running for w in app.workers if w.group not in LONG_LIVED_WORKERS)
    return not busy and app.main_screen.requests.idle


async def test_a_cursor_move_repaints_only_the_two_rows_it_changed(
    app: ExplorerApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = Drawn(monkeypatch)
    async with app.run_test(size=(160, 48)) as pilot:
        streams = app.main_screen.streams
        await wait_for(pilot, lambda: streams.row_count > 3 and idle(app), "the streams")
        for step in range(3):
            await wait_for(pilot, lambda: idle(app), "a quiet app")
            await pilot.pause()
            drawn.take()
            before = streams.cursor
            await pilot.press("down")
            await wait_for(pilot, lambda b=before: streams.cursor == b + 1, "the cursor")
            await wait_for(pilot, lambda: idle(app) and streams._held is None, "the move drawn")
            await pilot.pause()
            # The old cursor row and the new one; the timeline below shows another stream.
            assert drawn.take()["streams"] == 2, step


async def test_help_is_built_once_and_shown_again(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        first = app.screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "help to close")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help again")
        assert app.screen is first
        assert app.screen.query_one("#help-body").scroll_y == 0
