"""Drawing a `LineList`'s lines: the header, each row laid out in its columns (built as
segments directly, cached until the rows or the look change), placeholders and messages."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from es_tui.widgets.columns import Column, layout_row, row_segments, visible_columns
from es_tui.widgets.virtual import PAGE

LINES_KEPT = 600
"""Drawn lines kept for redrawing (a cursor move redraws every visible line)."""


class LineDrawing:
    """The Line API half of `LineList` (which holds the rows, the cursor and the caches)."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # focus and theme change how the lines look
        self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width  # without the scrollbar
        base = self._base()
        if y == 0:
            return self._strip(self._header(width), width, base, "line-list--header")
        index = int(self.scroll_y) + y - 1
        if index >= self.row_count:
            if index != 0:
                return Strip.blank(width, base)
            message = self.error or self.empty
            return self._strip(Text(" " + message), width, base, "line-list--loading")
        cursor = index == self.cursor
        key = (index, width, cursor)  # only rows are kept: they are the many lines
        kept = self._lines.get(key)
        if kept is not None:
            return kept
        row = self.row_at(index)
        if row is None or self.source is None:
            self._request({index // PAGE})
            return self._strip(Text(" …"), width, base, "line-list--loading")
        strip = self._row_strip(row, index, width, base, cursor)
        if len(self._lines) >= LINES_KEPT:
            self._lines.clear()
        self._lines[key] = strip
        return strip

    def _row_strip(self, row: Any, index: int, width: int, base: Style, cursor: bool) -> Strip:
        assert self.source is not None
        component = "line-list--cursor" if cursor else None
        try:
            layout = self._columns(width)
            cells = self.source.cells(row)
            style = base + self.get_component_rich_style(component) if component else base
            segments = row_segments(layout, cells, style, plain=cursor and self.has_focus)
            if segments is not None:
                return Strip(segments).crop_extend(0, width, style)
            line = layout_row(layout, cells)
        except Exception as error:  # one unreadable row must not take the explorer down
            line = Text(f" row {index + 1}: {error!r}", style="red")
        return self._strip(line, width, base, component)

    def _columns(self, width: int) -> list[tuple[int, Column, int]]:
        source = self.source
        if self._layout is None or self._layout[0] != (width, source):
            columns = source.columns if source else []
            self._layout = ((width, source), visible_columns(columns, width))
        return self._layout[1]

    def _base(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def _strip(self, text: Text, width: int, base: Style, component: str | None) -> Strip:
        style = base + self.get_component_rich_style(component) if component else base
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
            if not seg.control
        ]
        return Strip(segments).crop_extend(0, width, style)

    def _header(self, width: int) -> Text:
        if self.source is None:
            return Text("")
        columns = self.source.columns
        return layout_row(visible_columns(columns, width), [c.title for c in columns])

    def visible_text(self) -> str:
        """The lines the list shows now, as plain text (what a reader of the screen sees)."""
        return "\n".join(self.render_line(y).text for y in range(self.size.height))
