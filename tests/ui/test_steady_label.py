"""Labels that change under traffic (the pulse's lag and rate, a ledger's totals) ask the
screen for a new layout only when their size can change, and always show the new text."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from es_tui.widgets.status_line import SteadyLabel
from tests.ui.conftest import text_of


class OneLabel(App[None]):
    def compose(self) -> ComposeResult:
        yield SteadyLabel("lag 0", id="label")


@pytest.mark.parametrize(
    ("first", "then", "relayout"),
    [
        ("lag 10", "lag 12", False),  # same width: a repaint is enough
        ("12.5 commits/s", "99.0 commits/s", False),
        ("lag 9", "lag 10", True),  # wider
        ("lag 100", "lag 99", True),  # narrower
        ("EUR 1.00\nJPY 5", "EUR 2.00\nJPY 7", False),
        ("EUR 1.00", "EUR 1.00\nJPY 5", True),  # a line more
        ("x" * 10, "y" * 10, False),
        ("x" * 200, "y" * 200, True),  # wider than the screen: it wraps, lay it out
    ],
)
async def test_a_layout_only_when_the_size_can_change(
    first: str, then: str, relayout: bool
) -> None:
    app = OneLabel()
    async with app.run_test(size=(80, 10)) as pilot:
        label = app.query_one(SteadyLabel)
        label.show(Text(first))
        await pilot.pause()
        assert not label._layout_required
        label.show(then)
        assert label._layout_required is relayout
        await pilot.pause()
        assert text_of(label).rstrip() == then or len(then) > 80
