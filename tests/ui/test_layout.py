"""What a person sees at 80×24 and 160×48: footers keep help and quit, texts are whole,
and a maximized pane fills the screen with its title and details."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.screens.conflict_lab import ConflictLab
from es_tui.screens.main import MainScreen
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import wait_for, wait_text
from tests.ui.mouse import screen_lines

SIZES = [(80, 24), (160, 48)]


def footer_of(app: ExplorerApp) -> str:
    return screen_lines(app)[-1]


def assert_footer_keeps_help_and_leaving(app: ExplorerApp, where: str) -> None:
    footer = footer_of(app)
    assert "?" in footer and "Help" in footer, f"{where}: {footer!r}"
    assert ("q" in footer and "Quit" in footer) or "Back" in footer, f"{where}: {footer!r}"


@pytest.mark.parametrize("size", SIZES)
async def test_every_footer_shows_help_and_quit_or_back(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    idea = system.ideas.publish("Footers", "Seen at every width.").idea_id
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the idea's stream")
        for key, pane in zip(
            "12345", ("streams", "timeline", "state", "projection", "log"), strict=True
        ):
            await pilot.press(key)
            await pilot.pause()
            assert_footer_keeps_help_and_leaving(app, f"main, {pane} focused")
        await pilot.press("2", "slash")
        await pilot.pause()
        footer = footer_of(app)  # keys type into the filter: escape is the way out
        assert "esc" in footer and "Close filter" in footer, footer
        await pilot.press("escape", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "replay")
        await pilot.press("escape", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictLab), "the conflict lab")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "conflict lab")
        await pilot.press("b", "a")
        await pilot.pause()
        assert_footer_keeps_help_and_leaving(app, "conflict lab, after a conflict")


PANE_TITLES = {
    "streams": "Streams",
    "snapshots": "Snapshots",
    "timeline": "Timeline",
    "state": "State",
    "projection": "Projection",
    "log": "Log",
}


async def maximize_from_the_palette(app: ExplorerApp, pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
    await pilot.press(*"maximize")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the palette to close")
    await wait_for(pilot, lambda: app.main_screen.maximized is not None, "a maximized pane")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_a_maximized_pane_fills_the_screen_with_its_title_and_details(
    app: ExplorerApp, system: System, size: tuple[int, int]
) -> None:
    idea = system.ideas.publish("Maximize me", "Seen full screen.").idea_id
    width, height = size
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the idea's stream")
        await wait_text(pilot, lambda: main.timeline.details, "IdeaCreationAccepted")
        for pane, title in PANE_TITLES.items():
            pane_widget = main.query_one(f"#{pane}")
            if pane == "snapshots":
                main.snapshots.focus()
            else:
                await pilot.press(str(list(PANE_TITLES).index(pane) or 1))
            await pilot.pause()
            await maximize_from_the_palette(app, pilot)
            assert main.maximized is pane_widget, (pane, main.maximized)
            footer_rows = main.query_one(Footer).outer_size.height
            assert pane_widget.outer_size == (width, height - footer_rows), pane
            lines = screen_lines(app)
            assert title in lines[0], (pane, lines[0])  # the title, on the top border
            if pane == "timeline":
                shown = "\n".join(lines)
                assert "IdeaCreationAccepted" in shown and "event id" in shown, shown
            await pilot.press("escape")
            await wait_for(pilot, lambda: main.maximized is None, "the pane to be restored")
