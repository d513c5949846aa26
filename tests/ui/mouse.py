"""Mouse gestures for the UI tests, and the check that the explorer still answers keys."""

from __future__ import annotations

from textual.events import Click, MouseDown, MouseEvent, MouseScrollDown, MouseScrollUp, MouseUp
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.widget import Widget

from es_tui.app import ExplorerApp
from es_tui.screens.help import HelpScreen
from es_tui.screens.main import MainScreen
from tests.ui.conftest import wait_for


def burst(pilot: Pilot[None], target: Widget, offset: tuple[int, int], times: int) -> None:
    """A click repeated `times` times (a double or triple click) and a turn of the wheel
    down and up, sent as a terminal sends them: all at once, before the app handles any."""
    screen = pilot.app.screen
    x, y = target.region.offset + offset
    where = {"widget": target, "x": x, "y": y, "delta_x": 0, "delta_y": 0, "button": 0}
    where |= {"shift": False, "meta": False, "ctrl": False, "screen_x": x, "screen_y": y}
    pilot.app.mouse_position = Offset(x, y)
    sent: list[MouseEvent] = []
    for chain in range(1, times + 1):
        sent += [MouseDown(**where), MouseUp(**where), Click(**where, chain=chain)]
    sent += [MouseScrollDown(**where), MouseScrollUp(**where), MouseScrollUp(**where)]
    for event in sent:
        screen._forward_event(event)


async def every_gesture(pilot: Pilot[None], target: Widget) -> None:
    """Single, double and triple clicks on the border, the first row and the middle, each
    followed by the wheel down and up; every gesture arrives as one burst."""
    width, height = target.outer_size
    spots = {(3, 0), (min(4, width - 1), min(1, height - 1)), (width // 2, height // 2)}
    for offset in sorted(spots):
        for times in (1, 2, 3):
            if target.region.offset + offset not in pilot.app.screen.region:
                continue  # the gesture's spot is off screen (a target larger than it)
            burst(pilot, target, offset, times)
            await pilot.pause()


PANES = ("streams", "timeline", "snapshots", "state", "projection", "log")
TABBED = ("timeline", "state", "projection", "log")
"""The panes that become tabs on a narrow terminal (keys 2-5 show them)."""


async def gestures_on_every_pane(app: ExplorerApp, pilot: Pilot[None]) -> None:
    """Every gesture on every pane of the main screen (each pane's tab shown first, when
    narrow), the explorer still answering keys after each."""
    main = app.main_screen
    await wait_for(pilot, lambda: main.streams.row_count > 1, "the streams")
    for pane in PANES:
        if pane in TABBED:
            await pilot.press(str(TABBED.index(pane) + 2))
        await pilot.pause()
        await every_gesture(pilot, main.query_one(f"#{pane}"))
        await still_answers(app, pilot)


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
