"""In the projection pane `]` / `[` step through the domain's read models, and `n` still
sends a command there as everywhere on the main screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from es_tui.screens.send_command import CommandMenu
from tests.ui.conftest import wait_for


@pytest.fixture
def accounts() -> Iterator[System]:
    built = bootstrap("memory:", domain="accounts", demo=True, threaded=True)
    yield built
    built.close()


async def test_brackets_step_through_the_read_models_and_n_sends_a_command(
    accounts: System,
) -> None:
    names = list(accounts.views)
    assert len(names) >= 2
    app = ExplorerApp(accounts)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        pane = main.projection
        await pilot.press("4")
        await wait_for(pilot, lambda: pane.ideas.has_focus, "the projection pane")
        assert pane.current == names[0]
        assert f"] → {names[1]}" in str(pane.border_title)
        offered = app.active_bindings["right_square_bracket"]
        assert offered.enabled and offered.binding.description == "Next read model"
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: pane.current == names[1], "the next read model")
        assert names[1] in str(pane.border_title)
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: pane.current == names[0], "the previous one again")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandMenu), "the command menu")
        assert pane.current == names[0]  # n did not step the read models


async def test_the_ideas_read_model_has_no_next_one(system: System) -> None:
    app = ExplorerApp(system)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await pilot.press("4")
        await wait_for(pilot, lambda: main.projection.ideas.has_focus, "the projection pane")
        title = str(main.projection.border_title)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert str(main.projection.border_title) == title
        active = app.active_bindings.get("right_square_bracket")
        assert active is None or not active.enabled  # not offered in the footer either
