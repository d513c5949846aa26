"""Random keys and mouse events (seeded, so a failure replays): the explorer never crashes
and still answers a key at the end."""

from __future__ import annotations

import random

import pytest
from textual import events
from textual.command import CommandPalette
from textual.errors import NoWidget
from textual.events import MouseScrollDown, MouseScrollUp
from textual.pilot import OutOfBounds, Pilot
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from es_tui.app import ExplorerApp
from tests.ui.mouse import still_answers

EVENTS = 150
KEYS = (
    *"pedfrcgvb12345yn/+-?hjkl abc",
    "ctrl+p",
    "escape",
    "escape",
    "enter",
    "enter",
    "tab",
    "shift+tab",
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
    "left",
    "right",
    "backspace",
    "space",
)
SIZES = ((80, 24), (100, 30), (160, 48), (120, 32))
LEAVING = ("quit", "screenshot", "suspend")
"""Palette commands that end or leave the app (or write files): never chosen at random."""


def leaves(app: ExplorerApp, x: int, y: int) -> bool:
    """Whether a click at (x, y) would quit (the footer's quit key)."""
    try:
        widget, _ = app.get_widget_at(x, y)
    except Exception:
        return False
    for node in (widget, *widget.ancestors):
        if isinstance(node, FooterKey) and "quit" in node.action:
            return True
    return False


def palette_choice(app: ExplorerApp) -> str:
    """The command the palette would run on enter (lowercase), "" if none."""
    if not isinstance(app.screen, CommandPalette):
        return ""
    options = app.screen.query(OptionList)
    for option_list in options:
        option = option_list.highlighted_option
        if option is not None:
            return str(option.prompt).lower()
    return ""


async def one_event(app: ExplorerApp, pilot: Pilot[None], rng: random.Random) -> None:
    kind = rng.random()
    width, height = app.size
    if kind < 0.08:
        # A fast typist: keys arrive before the app has handled the previous ones.
        burst = [rng.choice(("escape", "enter", "ctrl+p", "y", "n", "?")) for _ in range(3)]
        if "enter" in burst and any(word in palette_choice(app) for word in LEAVING):
            burst = ["escape"]
        for key in burst:
            app.post_message(events.Key(key, None))
    elif kind < 0.6:
        key = rng.choice(KEYS)
        if key == "enter" and any(word in palette_choice(app) for word in LEAVING):
            key = "escape"
        await pilot.press(key)
    elif kind < 0.9:
        x, y = rng.randrange(width), rng.randrange(height)
        if leaves(app, x, y):
            return
        try:
            if kind < 0.82:
                await pilot.click(offset=(x, y), times=rng.choice((1, 1, 2, 3)))
            else:
                wheel = rng.choice((MouseScrollUp, MouseScrollDown))
                await pilot._post_mouse_events([wheel], None, (x, y))
        except (OutOfBounds, NoWidget):
            # A resize, or a screen being put up or taken down, raced the choice of
            # coordinates: Pilot finds nothing to click there (a terminal would send the
            # click anyway, to whatever is there when it arrives).
            pass
    else:
        await pilot.resize_terminal(*rng.choice(SIZES))
    await pilot.pause()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.usefixtures("brisk_pilot")
async def test_random_keys_and_clicks_never_crash(app: ExplorerApp, seed: int) -> None:
    await random_run(app, random.Random(seed))


async def random_run(app: ExplorerApp, rng: random.Random) -> None:
    """`EVENTS` random keys, clicks, wheel turns and resizes: no crash after any, and the
    explorer still answers a key at the end."""
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.2)
        for _ in range(EVENTS):
            await one_event(app, pilot, rng)
            assert app.is_running and app._exception is None, app._exception
        if app.main_screen.traffic.running:
            app.main_screen.action_traffic()  # the generator stops before the last checks
        await still_answers(app, pilot)
