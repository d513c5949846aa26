"""What a virtual (Line API) view needs: a source of rows read a page at a time, and a way to
change its scrollable height without asking the screen for a new layout."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol, TypeVar

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView

from es_tui.widgets.bars import bar_repaint, scroll_view_to, set_bar_window
from es_tui.widgets.columns import Column

PAGE = 128
"""Rows fetched per request."""

Row = TypeVar("Row")
"""The type of a source's rows (an event, a stream, a snapshot, a read-model row…)."""


class RowSource(Protocol[Row]):
    """Where a LineList's rows come from. `count` and `fetch` run in worker threads, so a
    source holds only immutable parameters and a thread-safe store."""

    columns: Sequence[Column]

    def count(self) -> int:
        """How many rows there are now."""
        ...

    def fetch(self, start: int, limit: int) -> list[Row]:
        """Rows `start` to `start + limit - 1` (fewer at the end)."""
        ...

    def cells(self, row: Row) -> Sequence[Text | str]:
        """The cells of one row, one per column."""
        ...

    def key(self, row: Row) -> Hashable:
        """A stable identity for a row (to notice that the highlighted row changed)."""
        ...


def set_virtual_height(view: ScrollView, height: int) -> None:
    """Give a Line API view a new scrollable height without a layout of the screen: the view
    draws its own lines, so only it and its scrollbar need repainting. (The view must always
    show its vertical scrollbar, so its content width never depends on the height.)"""
    size = Size(view.size.width, height)
    if size == view.virtual_size:
        return
    view.set_reactive(ScrollView.virtual_size, size)
    with bar_repaint(view):
        if view.show_vertical_scrollbar:
            set_bar_window(view, height, view.scrollable_content_region.height)
        if view.scroll_y > view.max_scroll_y:
            scroll_view_to(view, view.max_scroll_y)
