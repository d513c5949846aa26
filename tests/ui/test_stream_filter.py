"""The Streams pane's name filter: `/` on the pane, typing narrows the list live to the
streams whose id (or library aggregate's name) contains the text in any case, the pane says
"N of M streams", escape clears; on memory and SQLite, both domains, raw mode, at 80x24."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from domain.bootstrap import System, bootstrap
from domain.core.protocol import ALL_STREAM
from domain.core.records import NO_STREAM, NewEvent
from es_tui.app import ExplorerApp
from es_tui.screens.main import MainScreen
from es_tui.sources import AllStreams
from tests.foreign.conftest import sqlite_system
from tests.ui.conftest import text_of, wait_for


@pytest.fixture(
    params=["ideas-memory", "ideas-sqlite", "accounts-memory", "accounts-sqlite", "raw"]
)
def shown(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[System]:
    kind, _, backend = str(request.param).partition("-")
    if kind == "raw":
        filled = bootstrap("memory:", domain="accounts", demo=True, start=False)
        built = bootstrap(store=filled.store, domain=None, threaded=True)
    else:
        url = "memory:" if backend == "memory" else f"sqlite:///{tmp_path / 'store.db'}"
        built = bootstrap(url, domain=kind, demo=True, threaded=True, accept_probability=1.0)
    yield built
    built.close()


def listed(main: MainScreen) -> list[str]:
    """The stream ids of the Streams pane's rows (those loaded), each checked against what
    the pane shows (a long id is cut short with an ellipsis)."""
    lines = [line.split()[0] for line in text_of(main.streams).splitlines()[1:] if line.strip()]
    rows = (main.streams.row_at(i) for i in range(main.streams.row_count))
    ids = [ALL_STREAM if isinstance(r, AllStreams) else r.stream_id for r in rows if r]
    for line, stream_id in zip(lines, ids, strict=False):
        assert stream_id.startswith(line.rstrip("…")), (line, stream_id)
    return ids


def named(system: System, text: str) -> list[str]:
    """The store's streams whose id contains `text`, ignoring case, in order of creation."""
    return [s.stream_id for s in system.store.list_streams() if text.lower() in s.stream_id.lower()]


def a_fragment(system: System) -> str:
    """Part of one stream's id that several streams share: the text after its prefix."""
    streams = [s.stream_id for s in system.store.list_streams()]
    prefix = streams[-1].split("-")[0]
    return f"{prefix}-"[1:].upper()  # e.g. "DEA-" for idea-…, in upper case


async def open_streams_filter(pilot: Pilot[None], main: MainScreen) -> None:
    await wait_for(pilot, lambda: main.streams.row_count > 1, "the streams")
    await pilot.press("1", "slash")
    await wait_for(pilot, lambda: main.streams_filter.input.has_focus, "the filter")


async def test_typing_narrows_the_streams_to_those_named_and_escape_clears(
    shown: System,
) -> None:
    app = ExplorerApp(shown)
    every = shown.store.list_streams()
    one = every[len(every) // 2].stream_id
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await open_streams_filter(pilot, main)
        await wait_for(pilot, lambda: main.streams.row_count == len(every) + 1, "every one")
        # One whole id, typed in upper case: just that stream.
        await pilot.press(*one.upper())
        await wait_for(pilot, lambda: listed(main) == named(shown, one), "one stream")
        assert named(shown, one) == [one]
        assert f"1 of {len(every)} streams" in str(main.streams.border_subtitle)
        # Part of many ids: exactly those, in the store's order.
        for _ in one:
            await pilot.press("backspace")
        fragment = a_fragment(shown)
        await pilot.press(*fragment)
        expected = named(shown, fragment)
        assert 1 < len(expected) <= len(every)
        await wait_for(pilot, lambda: main.streams.row_count == len(expected), "the matches")
        await wait_for(pilot, lambda: listed(main) == expected, "shown")
        subtitle = str(main.streams.border_subtitle)
        assert f"{len(expected)} of {len(every)} streams" in subtitle
        # Enter keeps it and goes back to the list; the timeline follows the cursor.
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.streams.has_focus, "the list")
        await wait_for(pilot, lambda: main.stream_id == expected[0], "the first match chosen")
        # Nothing named so: an empty list, still counted.
        await pilot.press("slash", *"zz-no-such")
        await wait_for(pilot, lambda: main.streams.row_count == 0, "no stream")
        await wait_for(
            pilot,
            lambda: f"0 of {len(every)} streams" in str(main.streams.border_subtitle),
            "the count",
        )
        # Escape clears: every stream again, "$all" first, and the count goes.
        await pilot.press("escape")
        await wait_for(pilot, lambda: main.streams.row_count == len(every) + 1, "all again")
        assert listed(main)[0] == "$all"
        assert not main.streams.border_subtitle
        assert not main.streams_filter.display
        assert main.streams.has_focus


async def test_escape_on_the_filtered_list_clears_and_new_streams_join_live(
    tmp_path: Path,
) -> None:
    system = bootstrap(f"sqlite:///{tmp_path / 'ideas.db'}", demo=True, threaded=True)
    try:
        app = ExplorerApp(system)
        every = len(system.store.list_streams())
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await open_streams_filter(pilot, main)
            await pilot.press(*"notes", "enter")
            await wait_for(pilot, lambda: main.streams.has_focus, "the list")
            await wait_for(pilot, lambda: "0 of" in str(main.streams.border_subtitle), "none")
            system.store.append("Notes-1", [NewEvent("Noted", {})], NO_STREAM)
            system.store.append("other-1", [NewEvent("Noted", {})], NO_STREAM)
            await wait_for(pilot, lambda: listed(main) == ["Notes-1"], "the new match")
            assert f"1 of {every + 2} streams" in str(main.streams.border_subtitle)
            await pilot.press("escape")
            await wait_for(pilot, lambda: main.streams.row_count == every + 3, "all again")
            assert not main.streams.border_subtitle
    finally:
        system.close()


async def test_the_filter_works_at_80_by_24(shown: System) -> None:
    app = ExplorerApp(shown)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen
        await open_streams_filter(pilot, main)
        fragment = a_fragment(shown)
        await pilot.press(*fragment)
        expected = named(shown, fragment)
        await wait_for(pilot, lambda: main.streams.row_count == len(expected), "the matches")
        await wait_for(pilot, lambda: listed(main) == expected, "the matching streams")
        assert main.streams_filter.region.height == 1  # the input shows above the list
        assert main.streams_filter.input.region.width > 5


async def test_a_library_stores_aggregate_names_are_filtered_too(tmp_path: Path) -> None:
    system = bootstrap(sqlite_system(tmp_path, "plain").bank_url, threaded=True)
    try:
        app = ExplorerApp(system)
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main_screen
            await open_streams_filter(pilot, main)
            source = main.streams.all_streams
            every = system.store.list_streams()
            classes = {s.stream_id: source.names(s)[1] for s in every}
            name = sorted(set(classes.values()))[0]
            await pilot.press(*name.lower())
            expected = [s for s, c in classes.items() if name.lower() in c.lower()]
            expected = [s.stream_id for s in every if s.stream_id in expected]
            await wait_for(pilot, lambda: main.streams.row_count == len(expected), "by class")
            assert expected
    finally:
        system.close()
