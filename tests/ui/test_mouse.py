"""Every pane and every modal screen takes clicks, double and triple clicks (which select
text) and the scroll wheel without crashing, and the explorer still answers keys after."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.conflict_lab import ConflictLab
from es_tui.ideas.screens.idea_form import IdeaForm
from es_tui.screens.confirm import ConfirmCommand, Result
from es_tui.screens.erasure import ErasureReportScreen
from es_tui.screens.help import HelpScreen
from es_tui.screens.main import MainScreen
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import wait_for
from tests.ui.mouse import every_gesture, gestures_on_every_pane, still_answers


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_mouse_on_every_pane(app: ExplorerApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await gestures_on_every_pane(app, pilot)


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
        await wait_for(pilot, lambda: isinstance(app.screen, kind), f"the {modal} screen", 30)
        screen = app.screen
        await every_gesture(pilot, screen)
        shown = [w for w in screen.query("*") if w.display and w.region.area]
        for widget in shown[:: max(len(shown) // 12, 1)]:  # a dozen, spread over the screen
            if app.screen is screen and widget.region.offset in screen.region:
                await pilot.click(widget, times=2)
        await still_answers(app, pilot)


async def test_a_command_ending_under_the_palette_closes_its_dialog_only(
    app: ExplorerApp, system: System
) -> None:
    """The palette opened over a running delete: the dialog closes when the palette does,
    and no escape ever pops the main screen (an empty stack crashed the explorer)."""
    idea = system.ideas.publish("Delete me", "Slowly.").idea_id
    gate = threading.Event()

    def delete_when_let_through(announce: object) -> Result:
        del announce  # the dialog announces the outcome itself when the runner does not
        gate.wait(30)
        return system.ideas.delete(idea)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        dialog = ConfirmCommand(
            "DeleteIdea", f"idea-{idea}", "Delete?", "", delete_when_let_through
        )
        await app.push_screen(dialog)
        await pilot.press("y")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        gate.set()
        log = app.main_screen.log_pane
        done = f"DeleteIdea idea-{idea}"
        await wait_for(pilot, lambda: any(done in line for line in log.plain_lines()), "the delete")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog to close")
        assert [type(s) for s in app.screen_stack][1:] == [MainScreen]
        for _ in range(3):
            await pilot.press("escape")
        await still_answers(app, pilot)
