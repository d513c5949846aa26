"""The publish and edit forms as a person types into them: enter submits, errors follow the
text, the edit form keeps what it loaded, and keys typed or pasted right after tab land in
the field tab moved to."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from domain.bootstrap import System
from es_tui.app import ExplorerApp
from es_tui.ideas.screens.idea_form import IdeaForm
from tests.ui.conftest import text_of, wait_for


async def open_form(app: ExplorerApp, pilot: Pilot[None], key: str = "p") -> IdeaForm:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, IdeaForm), "the form")
    form = app.screen
    assert isinstance(form, IdeaForm)
    await wait_for(pilot, lambda: not form.query_one("#title", Input).disabled, "the fields")
    return form


def values(form: IdeaForm) -> tuple[str, str]:
    return form.query_one("#title", Input).value, form.query_one("#desc", Input).value


def burst(app: ExplorerApp, *keys: str) -> None:
    """Keys (and `paste:TEXT`) queued all at once, as a terminal delivers fast typing or a
    paste: nothing runs between them."""
    for key in keys:
        if key.startswith("paste:"):
            app.post_message(events.Paste(key.removeprefix("paste:")))
        else:
            app.post_message(events.Key(key, key if len(key) == 1 else None))


def titles(system: System) -> set[str]:
    return {row.title for row in system.view.list()}


@pytest.mark.parametrize("field", ["title", "desc"])
async def test_enter_submits_from_either_field(
    app: ExplorerApp, system: System, field: str
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        form = await open_form(app, pilot)
        assert "enter or ctrl+s submit" in text_of(form.query_one("#form-keys"))
        await pilot.press(*"Dark mode", "tab", *"Follow the theme")
        if field == "title":
            await pilot.press("shift+tab")
        assert app.focused is form.query_one(f"#{field}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main_screen, "the form to close")
        await wait_for(pilot, lambda: "Dark mode" in titles(system), "the idea in the view")


async def test_ctrl_s_submits_from_the_title_field(app: ExplorerApp, system: System) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await open_form(app, pilot)
        await pilot.press(*"Light mode", "tab", *"Bright", "shift+tab", "ctrl+s")
        await wait_for(pilot, lambda: "Light mode" in titles(system), "the idea in the view")


async def test_an_inline_error_goes_once_its_field_is_fixed(
    app: ExplorerApp, system: System
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        form = await open_form(app, pilot)
        title_error = lambda: text_of(form.query_one("#title-error"))  # noqa: E731
        desc_error = lambda: text_of(form.query_one("#desc-error"))  # noqa: E731
        await pilot.press("enter")  # both empty
        assert "required" in title_error() and "required" in desc_error()
        assert app.focused is form.query_one("#title")
        await pilot.press("x")
        assert title_error().strip() == ""  # fixed: gone before the next submit
        assert "required" in desc_error()  # untouched: still there
        await pilot.press("tab", "space")  # spaces alone still do not count
        assert "required" in desc_error()
        await pilot.press("y")
        assert desc_error().strip() == ""
        assert isinstance(app.screen, IdeaForm)  # nothing was submitted meanwhile


async def test_the_edit_form_opens_with_the_cursor_after_the_title(
    app: ExplorerApp, system: System
) -> None:
    idea = system.ideas.publish("Keep me", "Whole.").idea_id
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: system.ideas.load(idea).version == 2, "the PM")
        main.select_stream(f"idea-{idea}")
        await wait_for(pilot, lambda: main.stream_id == f"idea-{idea}", "the selection")
        form = await open_form(app, pilot, "e")
        await wait_for(pilot, lambda: values(form)[0] == "Keep me", "the loaded title")
        heading = text_of(form.query_one("#form-heading"))
        assert f"idea-{idea}" in heading
        await pilot.press(*" too")
        assert values(form) == ("Keep me too", "Whole.")
        await pilot.press("tab", "!")
        assert values(form) == ("Keep me too", "Whole.!")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("x", "tab", "a", "b", "c"), ("x", "abc")),
        (("x", "tab", "paste:pasted"), ("x", "pasted")),
        (("x", "tab", "y", "shift+tab", "a", "b"), ("xab", "y")),
        (("x", "tab", "y", "shift+tab", "paste:P"), ("xP", "y")),
        (("paste:one", "tab", "paste:two", "tab", "paste:three"), ("onethree", "two")),
    ],
    ids=[
        "typed-after-tab",
        "pasted-after-tab",
        "typed-after-shift-tab",
        "pasted-after-shift-tab",
        "round-trip",
    ],
)
async def test_keys_right_after_tab_land_in_the_field_tab_moved_to(
    app: ExplorerApp, keys: tuple[str, ...], expected: tuple[str, str]
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        form = await open_form(app, pilot)
        burst(app, *keys)
        await wait_for(pilot, lambda: values(form) == expected, f"fields {expected}")
        await pilot.pause()  # every key of the burst handled: nothing more arrives
        assert values(form) == expected


async def test_pilot_typing_right_after_tab_keeps_what_the_field_held(app: ExplorerApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("x", "tab", "a", "b", "c", "shift+tab", "d", "e", "tab", "f")
        assert values(form) == ("xde", "abcf")
