"""Every pane and every modal screen takes clicks, double and triple clicks (which select
text) and the scroll wheel without crashing, and the explorer still answers keys after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.events import MouseScrollDown, MouseScrollUp
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.screens.confirm import ConfirmCommand
from es_tui.screens.conflict_lab import ConflictLab
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.help import HelpScreen
from es_tui.screens.idea_form import IdeaForm
from es_tui.screens.main import MainScreen
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import wait_for

PANES = ("streams", "timeline", "snapshots", "state", "projection", "log")
TABBED = ("timeline", "state", "projection", "log")


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


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_mouse_on_every_pane(app: ExplorerApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.streams.row_count > 1, "the streams")
        for pane in PANES:
            if pane in TABBED:
                await pilot.press(str(TABBED.index(pane) + 2))  # its tab, when narrow
            await pilot.pause()
            await every_gesture(pilot, main.query_one(f"#{pane}"))
            await still_answers(app, pilot)


async def open_help(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("question_mark")


async def open_publish(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("p")


async def open_edit(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("e")


async def open_delete(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("d")


async def open_replay(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("r")


async def open_conflict_lab(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("c")


async def open_erasure_report(app: ExplorerApp, pilot: Pilot[None], idea: str) -> None:
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommand), "the confirmation")
    await pilot.press("y")


Opener = Callable[[ExplorerApp, Pilot[None], str], Awaitable[None]]
MODALS: dict[str, tuple[Opener, type[Screen[object]]]] = {
    "help": (open_help, HelpScreen),
    "publish": (open_publish, IdeaForm),
    "edit": (open_edit, IdeaForm),
    "delete": (open_delete, ConfirmCommand),
    "replay": (open_replay, ReplayScreen),
    "conflict-lab": (open_conflict_lab, ConflictLab),
    "erasure-report": (open_erasure_report, ErasureReportScreen),
}


@pytest.mark.parametrize("modal", list(MODALS))
async def test_mouse_on_a_modal_screen(app: ExplorerApp, system: System, modal: str) -> None:
    size = (80, 24) if modal in ("help", "replay") else (160, 48)
    idea = system.ideas.publish("Click me", "Clicked all over.").idea_id
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the idea's stream")
        opener, kind = MODALS[modal]
        await opener(app, pilot, idea)
        await wait_for(pilot, lambda: isinstance(app.screen, kind), f"the {modal} screen", 15)
        screen = app.screen
        await every_gesture(pilot, screen)
        shown = [w for w in screen.query("*") if w.display and w.region.area]
        for widget in shown[:: max(len(shown) // 12, 1)]:  # a dozen, spread over the screen
            if app.screen is screen and widget.region.offset in screen.region:
                await pilot.click(widget, times=2)
        await still_answers(app, pilot)
