"""The explorer opens on a domain other than ideas (its panes are still ideas-shaped): the
streams, timeline, snapshots and log are shown, and moving through them crashes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.bootstrap import System, bootstrap
from domain.core.records import SnapshotPolicy
from domain.domains import load_domain
from es_tui.app import ExplorerApp
from tests.ui.conftest import text_of, wait_for, wait_text


@pytest.fixture(params=["accounts", "none"])
def other(request: pytest.FixtureRequest) -> Iterator[System]:
    if request.param == "none":  # raw mode over a store the accounts demo filled
        filled = bootstrap("memory:", domain="accounts", demo=True, start=False)
        built = bootstrap(store=filled.store, domain=None, threaded=True)
    else:
        built = bootstrap(
            "memory:",
            domain="accounts",
            demo=True,
            threaded=True,
            snapshot_policy=SnapshotPolicy(10, 3),
        )
    yield built
    built.close()


async def test_the_explorer_moves_through_another_domains_streams(other: System) -> None:
    app = ExplorerApp(other)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main_screen
        await wait_text(pilot, lambda: main.streams, "account-")
        for _ in range(4):  # down the streams, each one's events in the timeline
            await pilot.press("down")
            await wait_for(pilot, lambda: main.timeline.stream_id is not None, "a stream shown")
        await pilot.press("enter")  # into the timeline
        for _ in range(6):
            await pilot.press("down")
        types = load_domain("accounts").events().types()
        await wait_for(  # the stream's events, by type
            pilot, lambda: any(t in text_of(main.timeline) for t in types), "the events' types"
        )
        await wait_text(pilot, lambda: main.snapshots, "")  # the snapshots pane is there
        await pilot.press("q")
    assert app.return_code in (0, None)
