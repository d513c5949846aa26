"""Drawing a `LineList`'s lines: the header, each row laid out in its columns (built as
segments directly, kept in a bounded cache until the rows or the look change), placeholders
and messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from es_tui.widgets.columns import Column, layout_row, row_segments, visible_columns
from es_tui.widgets.virtual import PAGE, Row, RowSource

if TYPE_CHECKING:
    from es_tui.widgets.line_list import LineList

LINES_KEPT = 600
"""Drawn lines kept for redrawing (a cursor move redraws every visible line)."""

LineKey = tuple[int, int, bool]
"""A drawn row: its index, the width and whether the cursor is on it."""


class LineDrawer(Generic[Row]):
    """Draws the lines of one `LineList` (which holds the rows, the cursor and the pages)."""

    def __init__(self, owner: LineList[Row]) -> None:
        self.owner = owner
        self._lines: LRUCache[LineKey, Strip] = LRUCache(LINES_KEPT)
        self._base_style: Style | None = None
        self._layout: tuple[
            tuple[int, RowSource[Row] | None, Sequence[Column]], list[tuple[int, Column, int]]
        ]
        self._layout = ((-1, None, ()), [])
        self._header_kept: tuple[object, Strip] | None = None

    def forget(self) -> None:
        """Drop every drawn line (the rows, the width or the look changed)."""
        self._lines.clear()

    def restyle(self) -> None:
        """Focus or the theme changed how lines look."""
        self._lines.clear()
        self._base_style = None
        self._header_kept = None

    def line(self, y: int) -> Strip:
        """Line `y` of the view: the header, a row, a placeholder or a message."""
        owner = self.owner
        width = owner.scrollable_content_region.width  # without the scrollbar
        base = self._base()
        if y == 0:
            return self._header_line(width, base)
        index = int(owner.scroll_y) + y - 1
        if index >= owner.row_count:
            if index != 0:
                return Strip.blank(width, base)
            message = owner.error or owner.empty
            return self._strip(Text(" " + message), width, base, "line-list--loading")
        cursor = index == owner.cursor
        key = (index, width, cursor)  # only rows are kept: they are the many lines
        kept = self._lines.get(key)
        if kept is not None:
            return kept
        row = owner.row_at(index)
        if row is None or owner.source is None:
            owner.request_pages({index // PAGE})
            return self._strip(Text(" …"), width, base, "line-list--loading")
        strip = self._row_strip(owner.source, row, index, width, base, cursor)
        self._lines[key] = strip
        return strip

    def _row_strip(
        self, source: RowSource[Row], row: Row, index: int, width: int, base: Style, cursor: bool
    ) -> Strip:
        component = "line-list--cursor" if cursor else None
        try:
            layout = self._columns(width)
            cells = source.cells(row)
            style = base + self.owner.get_component_rich_style(component) if component else base
            plain = cursor and self.owner.has_focus
            segments = row_segments(layout, cells, style, plain=plain)
            if segments is not None:
                return Strip(segments).crop_extend(0, width, style)
            line = layout_row(layout, cells)
        except Exception as error:  # one unreadable row must not take the explorer down
            line = Text(f" row {index + 1}: {error!r}", style="red")
        return self._strip(line, width, base, component)

    def _columns(self, width: int) -> list[tuple[int, Column, int]]:
        source = self.owner.source
        columns = source.columns if source else []
        key = (width, source, columns)  # a source may widen a column
        if self._layout[0] != key:
            if self._layout[0][:2] == key[:2]:  # wider: the lines drawn before are not
                self._lines.clear()
            self._layout = (key, visible_columns(columns, width))
        return self._layout[1]

    def _base(self) -> Style:
        if self._base_style is None:
            self._base_style = self.owner.rich_style
        return self._base_style

    def _strip(self, text: Text, width: int, base: Style, component: str | None) -> Strip:
        style = base + self.owner.get_component_rich_style(component) if component else base
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.owner.app.console)
            if not seg.control
        ]
        return Strip(segments).crop_extend(0, width, style)

    def _header_line(self, width: int, base: Style) -> Strip:
        """The header, drawn again only when the columns, the width or the look change
        (a list showing another stream draws the same header)."""
        source = self.owner.source
        key = (width, source.columns if source else None, base)
        if self._header_kept is None or self._header_kept[0] != key:
            strip = self._strip(self._header(width), width, base, "line-list--header")
            self._header_kept = (key, strip)
        return self._header_kept[1]

    def _header(self, width: int) -> Text:
        source = self.owner.source
        if source is None:
            return Text("")
        columns = source.columns
        return layout_row(visible_columns(columns, width), [c.title for c in columns])
