"""What a key costs the screen: a cursor move repaints the rows it changed, not the whole list,
and help is built once and then only shown again; what is repainted in part shows exactly
what repainting everything shows."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from textual.geometry import Size
from textual.pilot import Pilot
from textual.strip import Strip

from es_tui.app import LONG_LIVED_WORKERS, ExplorerApp
from es_tui.screens.help import HelpScreen
from es_tui.widgets.line_list import LineList
from es_tui.widgets.text_pane import TextPane, changed_lines
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


def drawn_screen(app: ExplorerApp) -> list[list[tuple[str, object]]]:
    """Every line of the screen as the compositor draws it from what each widget keeps."""
    strips = app.screen._compositor.render_strips()
    return [[(s.text, s.style) for s in strip.simplify()] for strip in strips]


def drawn_afresh(app: ExplorerApp) -> list[list[tuple[str, object]]]:
    """The screen drawn again from scratch: each text pane renders its content again, each
    list draws its lines again and every widget forgets the lines it kept (a first paint)."""
    for pane in app.screen.query(TextPane):
        pane.update(pane.renderable)
    for line_list in app.screen.query(LineList):
        line_list.drawer.restyle()  # the lines and header it kept
    for widget in app.screen.query("*"):
        widget.refresh()
        if widget.show_vertical_scrollbar:  # scrollbars are no one's children
            widget.vertical_scrollbar.refresh()
    return drawn_screen(app)


async def quiet(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, ExplorerApp)
    lists = list(app.main_screen.query(LineList))
    await wait_for(
        pilot,
        lambda: idle(app) and not any(ll._pending or ll._held is not None for ll in lists),
        "the key drawn",
    )
    await pilot.pause()


async def test_after_each_key_the_screen_is_what_a_fresh_paint_shows(app: ExplorerApp) -> None:
    """A move repaints only what it changed (the lines of a text pane that differ, the border
    line of a title, a scrollbar only when it looks different); after every key the screen
    is line for line, style for style, what painting everything again shows."""
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.streams.row_count > 5, "the streams")
        await quiet(pilot)
        steps = [
            "1",
            *["down"] * 6,
            "end",
            "home",
            "pagedown",
            "up",
            "down",  # in Streams
            "2",
            "up",
            "up",
            "pagedown",
            "home",
            "end",
            "up",  # in one stream's timeline
            "1",
            "home",
            "2",
            *["up"] * 4,
            "pageup",
            "end",  # in $all
        ]
        seen = set()
        for key in steps:
            await pilot.press(key)
            await quiet(pilot)
            shown = drawn_screen(app)
            assert shown == drawn_afresh(app), key
            seen.add(main.timeline.border_title)
        assert len(seen) >= 8  # the moves went through many streams
        # A filter's status is the timeline's subtitle.
        await pilot.press("slash", *"Updated", "enter")
        await wait_for(pilot, lambda: not main.timeline.filtering, "the filter's scan")
        await quiet(pilot)
        assert "matches" in (main.timeline.border_subtitle or "")
        assert drawn_screen(app) == drawn_afresh(app)
        await pilot.press("escape", "escape")
        await quiet(pilot)
        assert not main.timeline.border_subtitle
        assert drawn_screen(app) == drawn_afresh(app)


@given(
    old=st.lists(st.sampled_from("abc"), max_size=12),
    new=st.lists(st.sampled_from("abc"), max_size=12),
    height=st.integers(0, 14),
)
def test_the_lines_repainted_turn_the_old_view_into_the_new(
    old: list[str], new: list[str], height: int
) -> None:
    """A text pane repaints the regions `changed_lines` gives: in view, the old lines with
    those regions drawn from the new ones are the new lines (past the end: blank)."""
    strip = {c: Strip([Segment(c)]) for c in "abc"}
    view = Size(10, height)
    regions = changed_lines([strip[c] for c in old], [strip[c] for c in new], view)

    def shown(lines: list[str]) -> list[str]:
        return [lines[y] if y < len(lines) else " " for y in range(height)]

    patched = shown(old)
    for region in regions:
        assert region.x == 0 and region.width == view.width
        assert region.y >= 0 and region.bottom <= height
        for y in range(region.y, region.bottom):
            patched[y] = shown(new)[y]
    assert patched == shown(new)
    assert all(a.bottom < b.y for a, b in pairwise(regions))  # apart, in order
