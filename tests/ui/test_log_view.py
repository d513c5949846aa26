"""The log view's entries: inserting one before an earlier entry keeps every other entry in
its order, also when the view is full and drops its oldest, and at any width."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from es_tui.widgets.log_view import LogView


class OneLog(App[None]):
    def __init__(self, kept: int) -> None:
        super().__init__()
        self.kept = kept

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.kept)


@pytest.mark.parametrize("width", [20, 120])
@pytest.mark.parametrize(("kept", "written"), [(10, 4), (5, 5), (5, 9)])
async def test_an_inserted_entry_goes_before_the_one_named(
    kept: int, written: int, width: int
) -> None:
    app = OneLog(kept)
    async with app.run_test(size=(width, 12)) as pilot:
        log = app.query_one(LogView)
        long = " and more" * 5  # wraps at the narrow width
        for n in range(written):
            log.write(Text(f"entry {n}{long}"))
        await pilot.pause()
        before = log.plain_lines()
        target = log.next_number - 2  # the entry before the newest
        log.insert(target, Text("inserted"))
        await pilot.pause()
        after = log.plain_lines()
        assert len(after) == min(len(before) + 1, kept)
        at = after.index("inserted")
        assert after[at + 1] == f"entry {written - 2}{long}"
        assert [line for line in after if line != "inserted"] == before[
            len(before) + 1 - len(after) :
        ]
        shown = log.visible_text()
        assert "inserted" in shown and f"entry {written - 1}" in shown  # still at the end
