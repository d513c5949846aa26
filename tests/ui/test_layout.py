"""What a person sees at 80×24 and 160×48: footers keep help and quit, texts are whole,
and a maximized pane fills the screen with its title and details."""

from __future__ import annotations

import pytest

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.screens.conflict_lab import ConflictLab
from es_tui.screens.replay import ReplayScreen
from tests.ui.conftest import wait_for
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
