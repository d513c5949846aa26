"""Mouse gestures for the UI tests, and the check that the explorer still answers keys."""

from __future__ import annotations

from textual.events import MouseScrollDown, MouseScrollUp
from textual.pilot import Pilot
from textual.widget import Widget

from es_tui.app import ExplorerApp
from es_tui.screens.help import HelpScreen
from es_tui.screens.main import MainScreen
from tests.ui.conftest import wait_for


async def every_gesture(pilot: Pilot[None], target: Widget) -> None:
    """Clicks on the border, the first row and the middle; wheel up and down."""
    width, height = target.outer_size
    spots = {(3, 0), (min(4, width - 1), min(1, height - 1)), (width // 2, height // 2)}
    for offset in sorted(spots):
        for times in (1, 2, 3):
            await pilot.click(target, offset=offset, times=times)
        for wheel in (MouseScrollDown, MouseScrollUp, MouseScrollUp):
            await pilot._post_mouse_events([wheel], target, offset)


async def still_answers(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """No crash, and a key still works: back to the main screen, `?` opens the help."""
    assert app.is_running and app._exception is None
    for _ in range(6):
        if isinstance(app.screen, MainScreen):
            break
        await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the help to close")


def screen_lines(app: ExplorerApp) -> list[str]:
    """What the active screen shows now, line by line (as a terminal would)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
