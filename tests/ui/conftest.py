"""Fixtures for driving the explorer headless on a memory store."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, RichLog, Static

from domain.bootstrap import System, bootstrap
from domain.core.records import SnapshotPolicy
from es_tui.app import LONG_LIVED_WORKERS, ExplorerApp
from es_tui.widgets.line_list import LineList
from es_tui.widgets.log_view import LogView
from es_tui.widgets.status_line import StatusLine
from es_tui.widgets.text_pane import TextPane


@pytest.fixture
def system() -> Iterator[System]:
    """The demo system with a background process manager that answers quickly and accepts
    every idea (so a test can edit what it publishes)."""
    built = bootstrap(
        "memory:",
        demo=True,
        seed=7,
        pm_delay=0.05,
        threaded=True,
        accept_probability=1.0,
        snapshot_policy=SnapshotPolicy(10, 3),
    )
    yield built
    built.close()


@pytest.fixture
def app(system: System) -> ExplorerApp:
    return ExplorerApp(system)


def text_of(widget: Widget) -> str:
    """What a widget shows, as plain text (its children's text for a container)."""
    if isinstance(widget, LineList):
        return widget.visible_text()
    if isinstance(widget, TextPane):
        return widget.plain_text()
    if isinstance(widget, StatusLine):
        return widget.text.plain
    if isinstance(widget, LogView):
        return "\n".join(widget.plain_lines())
    if isinstance(widget, OptionList):
        options = (widget.get_option_at_index(i) for i in range(widget.option_count))
        return "\n".join(str(option.prompt) for option in options)
    if isinstance(widget, RichLog):
        return "\n".join(line.text for line in widget.lines)
    if isinstance(widget, Static):
        console = Console(width=240, record=True, file=io.StringIO())  # no wrapping
        console.print(widget.content)
        return console.export_text()
    return "\n".join(text_of(child) for child in widget.children)


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = 30.0
) -> None:
    """Let the app run until `condition()` holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def settled(pilot: Pilot[None], timeout: float = 30.0) -> None:
    """Wait until every worker but the lifelong ones has finished and the screen has handled
    what was posted to it: what a key started is over, so "nothing happened" is certain."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: all(w.is_finished for w in app.workers if w.group not in LONG_LIVED_WORKERS),
        "every worker to finish",
        timeout,
    )
    await pilot.pause()


async def wait_text(
    pilot: Pilot[None], widget: Callable[[], Widget], needle: str, timeout: float = 30.0
) -> str:
    """Wait until `needle` appears in what `widget()` shows; return that text."""
    seen = ""

    def shows() -> bool:
        nonlocal seen
        seen = text_of(widget())
        return needle in seen

    try:
        await wait_for(pilot, shows, f"{needle!r}", timeout)
    except AssertionError:
        raise AssertionError(f"{needle!r} never appeared; last seen:\n{seen}") from None
    return seen


@pytest.fixture
def brisk_pilot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pilot settles for at most a tenth of a second after each key or click, not one
    second. While the traffic generator runs the app is never idle, and Textual's pilot
    waits its full second (twice a key) for an idleness that never comes; random input needs
    its events handled in order, which they still are, not a quiet app after each."""
    import textual.app
    import textual.pilot
    from textual._wait import wait_for_idle

    async def brisk(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
        await wait_for_idle(min_sleep, min(max_sleep, 0.1))

    monkeypatch.setattr(textual.app, "wait_for_idle", brisk)
    monkeypatch.setattr(textual.pilot, "wait_for_idle", brisk)
